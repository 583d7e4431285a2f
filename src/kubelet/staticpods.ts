/**
 * Static pods from a manifest directory (`--pod-manifest-path`), as upstream's file source:
 * each file holds one Pod; the kubelet names it `<name>-<node>`, gives it a uid hashed from its
 * content, runs it without asking the apiserver, and mirrors it there as a mirror pod
 * (annotation `kubernetes.io/config.mirror`) so kubectl can see it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Pod } from 'kubernetes-types/core/v1.js';

export const configSourceAnnotation = 'kubernetes.io/config.source';
export const configHashAnnotation = 'kubernetes.io/config.hash';
export const configMirrorAnnotation = 'kubernetes.io/config.mirror';
export const configSeenAnnotation = 'kubernetes.io/config.seen';

/** readStaticPods parses every manifest; a broken file is reported and skipped. */
export function readStaticPods(dir: string, nodeName: string, onError: (file: string, err: unknown) => void = () => {}): Pod[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
  } catch {
    return [];
  }
  const out: Pod[] = [];
  for (const f of files) {
    const path = join(dir, f);
    try {
      if (!statSync(path).isFile()) continue;
      const text = readFileSync(path, 'utf8');
      const doc = parse(text) as Pod & { kind?: string };
      if (!doc || doc.kind !== 'Pod') throw new Error(`${f}: not a Pod manifest`);
      out.push(staticPod(doc, nodeName, text));
    } catch (e) {
      onError(path, e);
    }
  }
  return out;
}

/** staticPod applies upstream's file-source defaults: name suffix, namespace, uid from the content. */
export function staticPod(doc: Pod, nodeName: string, text: string): Pod {
  const hash = createHash('md5').update(`${nodeName}\n${text}`).digest('hex');
  const meta = doc.metadata ?? {};
  return {
    ...doc,
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      name: `${meta.name}-${nodeName}`,
      namespace: meta.namespace ?? 'default',
      uid: hash,
      annotations: { ...(meta.annotations ?? {}), [configSourceAnnotation]: 'file', [configHashAnnotation]: hash, [configSeenAnnotation]: new Date().toISOString() },
    },
    spec: { ...doc.spec!, nodeName, restartPolicy: doc.spec?.restartPolicy ?? 'Always', terminationGracePeriodSeconds: doc.spec?.terminationGracePeriodSeconds ?? 30 },
  };
}

/** mirrorPodFor is the API object mirroring a static pod. */
export function mirrorPodFor(pod: Pod, nodeUID: string | undefined): Pod {
  const meta = pod.metadata!;
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}), [configMirrorAnnotation]: meta.annotations?.[configHashAnnotation] ?? '' };
  delete annotations[configSeenAnnotation];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      labels: meta.labels,
      annotations,
      ownerReferences: nodeUID ? [{ apiVersion: 'v1', kind: 'Node', name: pod.spec!.nodeName!, uid: nodeUID, controller: true }] : undefined,
    },
    spec: pod.spec,
  };
}

export const isMirrorPod = (pod: Pod): boolean => pod.metadata?.annotations?.[configMirrorAnnotation] !== undefined;
