/**
 * Pod volumes for local runtimes: each volume is a directory under the pod's directory (as
 * upstream's `pods/<uid>/volumes/<plugin>/<name>`), filled by AtomicWriter for the
 * API-projected kinds, and bound into containers as CRI mounts.
 */
import type { Container, PersistentVolume, PersistentVolumeClaim, Pod, Volume, KeyToPath, DownwardAPIVolumeFile } from 'kubernetes-types/core/v1.js';
import { existsSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Mount } from '../runtime/api.js';
import { type EnvSources, containerResourceValue, podFieldValue } from '../envvars.js';
import { type Payload, writeAtomically } from './atomicwriter.js';

/** VolumeSources is how volumes read the API (the kubelet's informers, or maps in tests). */
export interface VolumeSources extends Pick<EnvSources, 'getConfigMap' | 'getSecret' | 'nodeAllocatable'> {
  getPersistentVolumeClaim?(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  getPersistentVolume?(name: string): Promise<PersistentVolume | undefined>;
  /** requestToken is the ServiceAccount TokenRequest (`serviceaccounts/<sa>/token`). */
  requestToken?(req: {
    namespace: string;
    serviceAccountName: string;
    audiences: string[];
    expirationSeconds: number;
    podName: string;
    podUID: string;
  }): Promise<{ token: string; expirationTimestamp: string }>;
}

/** VolumeError is a mount failure: the kubelet emits FailedMount and retries the pod later. */
export class VolumeError extends Error {
  override readonly name = 'VolumeError';
}

const pluginDir: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

const DEFAULT_MODE = 0o644;

interface CachedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * VolumeManager sets up and refreshes pod volumes. `setUp` is safe to call on every pod sync:
 * unchanged payloads are left alone, changed ConfigMaps/Secrets swap atomically, and tokens are
 * re-requested once 80% of their lifetime has passed (upstream's rotation rule).
 */
export class VolumeManager {
  private tokens = new Map<string, CachedToken>();

  constructor(
    private readonly sources: VolumeSources,
    private readonly now: () => number = Date.now,
  ) {}

  /** setUp returns each volume's host path by name; it throws VolumeError naming the volume. */
  async setUp(pod: Pod, podDir: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const v of pod.spec?.volumes ?? []) {
      try {
        out.set(v.name, await this.setUpOne(pod, podDir, v));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${msg}`, { cause: e });
      }
    }
    return out;
  }

  /** forget drops cached tokens of a pod that is gone. */
  forget(podUID: string): void {
    for (const k of this.tokens.keys()) if (k.startsWith(`${podUID}/`)) this.tokens.delete(k);
  }

  private async setUpOne(pod: Pod, podDir: string, v: Volume): Promise<string> {
    const ns = pod.metadata?.namespace ?? 'default';
    const dir = (kind: string): string => join(podDir, 'volumes', pluginDir[kind]!, v.name);
    if (v.hostPath) {
      hostPathCheck(v.hostPath.path, v.hostPath.type ?? '');
      return v.hostPath.path;
    }
    if (v.emptyDir) {
      const d = dir('emptyDir');
      mkdirSync(d, { recursive: true, mode: 0o777 });
      return d;
    }
    if (v.configMap) {
      const d = dir('configMap');
      writeAtomically(d, await this.configMapPayload(ns, v.configMap.name ?? '', v.configMap.items, v.configMap.optional, v.configMap.defaultMode));
      return d;
    }
    if (v.secret) {
      const d = dir('secret');
      writeAtomically(d, await this.secretPayload(ns, v.secret.secretName ?? '', v.secret.items, v.secret.optional, v.secret.defaultMode));
      return d;
    }
    if (v.downwardAPI) {
      const d = dir('downwardAPI');
      writeAtomically(d, this.downwardPayload(pod, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode));
      return d;
    }
    if (v.projected) {
      const d = dir('projected');
      const payload: Payload = new Map();
      const defaultMode = v.projected.defaultMode ?? DEFAULT_MODE;
      for (const s of v.projected.sources ?? []) {
        let part: Payload = new Map();
        if (s.configMap) part = await this.configMapPayload(ns, s.configMap.name ?? '', s.configMap.items, s.configMap.optional, defaultMode);
        else if (s.secret) part = await this.secretPayload(ns, s.secret.name ?? '', s.secret.items, s.secret.optional, defaultMode);
        else if (s.downwardAPI) part = this.downwardPayload(pod, s.downwardAPI.items ?? [], defaultMode);
        else if (s.serviceAccountToken) {
          const token = await this.token(pod, s.serviceAccountToken.audience, s.serviceAccountToken.expirationSeconds ?? 3600);
          part.set(s.serviceAccountToken.path, { data: Buffer.from(token), mode: defaultMode });
        }
        for (const [k, f] of part) payload.set(k, f);
      }
      writeAtomically(d, payload);
      return d;
    }
    if (v.persistentVolumeClaim) {
      const claim = v.persistentVolumeClaim.claimName;
      const pvc = await this.sources.getPersistentVolumeClaim?.(ns, claim);
      if (!pvc) throw new Error(`persistentvolumeclaim "${claim}" not found`);
      const pvName = pvc.spec?.volumeName;
      if (!pvName || pvc.status?.phase !== 'Bound') throw new Error(`PVC ${ns}/${claim} is not bound`);
      const pv = await this.sources.getPersistentVolume?.(pvName);
      if (!pv) throw new Error(`persistentvolume "${pvName}" not found`);
      const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
      if (!path) throw new Error(`persistentvolume "${pvName}" is neither hostPath nor local: only local volumes can be used on this node`);
      mkdirSync(path, { recursive: true });
      return path;
    }
    throw new Error('unsupported volume type on this node');
  }

  private async configMapPayload(ns: string, name: string, items: KeyToPath[] | undefined, optional: boolean | undefined, defaultMode = DEFAULT_MODE): Promise<Payload> {
    const cm = await this.sources.getConfigMap(ns, name);
    if (!cm) {
      if (optional) return new Map();
      throw new Error(`configmap "${name}" not found`);
    }
    const all = new Map<string, Buffer>();
    for (const [k, val] of Object.entries(cm.data ?? {})) all.set(k, Buffer.from(val));
    for (const [k, val] of Object.entries(cm.binaryData ?? {})) all.set(k, Buffer.from(val, 'base64'));
    return project(all, items, optional, defaultMode, (k) => `configmap references non-existent config key: ${k}`);
  }

  private async secretPayload(ns: string, name: string, items: KeyToPath[] | undefined, optional: boolean | undefined, defaultMode = DEFAULT_MODE): Promise<Payload> {
    const s = await this.sources.getSecret(ns, name);
    if (!s) {
      if (optional) return new Map();
      throw new Error(`secret "${name}" not found`);
    }
    const all = new Map<string, Buffer>();
    for (const [k, val] of Object.entries(s.data ?? {})) all.set(k, Buffer.from(val, 'base64'));
    for (const [k, val] of Object.entries(s.stringData ?? {})) if (!all.has(k)) all.set(k, Buffer.from(val));
    return project(all, items, optional, defaultMode, (k) => `references non-existent secret key: ${k}`);
  }

  private downwardPayload(pod: Pod, items: DownwardAPIVolumeFile[], defaultMode = DEFAULT_MODE): Payload {
    const out: Payload = new Map();
    for (const it of items) {
      let value: string;
      if (it.fieldRef) value = podFieldValue(pod, it.fieldRef.fieldPath);
      else if (it.resourceFieldRef) {
        const c = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((x) => x.name === it.resourceFieldRef!.containerName);
        if (!c) throw new Error(`container "${it.resourceFieldRef.containerName}" not found in pod`);
        value = containerResourceValue(c, it.resourceFieldRef.resource, it.resourceFieldRef.divisor as string | undefined, this.sources.nodeAllocatable);
      } else continue;
      out.set(it.path, { data: Buffer.from(value), mode: it.mode ?? defaultMode });
    }
    return out;
  }

  private async token(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<string> {
    const uid = pod.metadata?.uid ?? '';
    const sa = pod.spec?.serviceAccountName ?? 'default';
    const key = `${uid}/${sa}/${audience ?? ''}/${expirationSeconds}`;
    const cached = this.tokens.get(key);
    const now = this.now();
    if (cached && now < cached.issuedAt + 0.8 * (cached.expiresAt - cached.issuedAt)) return cached.token;
    if (!this.sources.requestToken) throw new Error('cannot request a ServiceAccount token: no API client');
    const r = await this.sources.requestToken({
      namespace: pod.metadata?.namespace ?? 'default',
      serviceAccountName: sa,
      audiences: audience ? [audience] : [],
      expirationSeconds,
      podName: pod.metadata?.name ?? '',
      podUID: uid,
    });
    this.tokens.set(key, { token: r.token, issuedAt: now, expiresAt: Date.parse(r.expirationTimestamp) });
    return r.token;
  }
}

function project(all: Map<string, Buffer>, items: KeyToPath[] | undefined, optional: boolean | undefined, defaultMode: number, missing: (k: string) => string): Payload {
  const out: Payload = new Map();
  if (!items?.length) {
    for (const [k, data] of all) out.set(k, { data, mode: defaultMode });
    return out;
  }
  for (const it of items) {
    const data = all.get(it.key);
    if (!data) {
      if (optional) continue;
      throw new Error(missing(it.key));
    }
    out.set(it.path, { data, mode: it.mode ?? defaultMode });
  }
  return out;
}

function hostPathCheck(path: string, type: string): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!st) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'FileOrCreate':
      if (!st) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, '', { mode: 0o644 });
      } else if (!st.isFile()) throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Directory':
      if (!st?.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'File':
      if (!st?.isFile()) throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (!st?.isSocket()) throw new Error(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw new Error(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw new Error(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      throw new Error(`hostPath type ${type} is not supported`);
  }
}

/**
 * containerMounts turns a container's volumeMounts into CRI mounts (subPath appended), plus the
 * termination-message file the kubelet provides at terminationMessagePath.
 */
export function containerMounts(container: Container, volumePaths: ReadonlyMap<string, string>, terminationLogHostPath?: string): Mount[] {
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const base = volumePaths.get(vm.name);
    if (base === undefined) throw new VolumeError(`unable to find volume "${vm.name}" for container "${container.name}"`);
    let hostPath = base;
    if (vm.subPath) {
      if (vm.subPath.split('/').includes('..') || vm.subPath.startsWith('/')) throw new VolumeError(`invalid subPath "${vm.subPath}"`);
      hostPath = join(base, vm.subPath);
      if (!existsSync(hostPath)) mkdirSync(hostPath, { recursive: true });
    }
    mounts.push({ containerPath: vm.mountPath, hostPath, readonly: vm.readOnly ?? false });
  }
  if (terminationLogHostPath) {
    mounts.push({ containerPath: container.terminationMessagePath ?? '/dev/termination-log', hostPath: terminationLogHostPath });
  }
  return mounts;
}
