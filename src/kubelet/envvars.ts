/**
 * A container's environment as upstream's kubelet makeEnvironmentVariables computes it:
 * envFrom (with prefix), then env in order (value with `$(VAR)` expansion over what came
 * before and the Service variables; valueFrom fieldRef / resourceFieldRef / configMapKeyRef /
 * secretKeyRef), then the Service variables (docker-link style) not already set.
 */
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../api/quantity.js';
import { expand, mappingFuncFor } from './expansion.js';

/** EnvSources is how env computation reads the API (listers in the kubelet, maps in tests). */
export interface EnvSources {
  getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  getSecret(namespace: string, name: string): Promise<Secret | undefined>;
  /** services lists Services of a namespace (for the link variables). */
  listServices(namespace: string): Promise<Service[]>;
  /** nodeAllocatable fills resourceFieldRef limits the container does not set. */
  nodeAllocatable?: Record<string, string>;
}

/** EnvError is a configuration error; the kubelet reports it as CreateContainerConfigError. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

export interface EnvVarResult {
  name: string;
  value: string;
}

/** envVarName is upstream's makeEnvVariableName: upper case, `-` to `_`. */
const envVarName = (s: string): string => s.replace(/-/g, '_').toUpperCase();

const validEnvName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * serviceEnvVars is upstream's envvars.FromServices for services with a cluster IP. The
 * entries are shared between calls (memoised per Service object): callers must not mutate them.
 */
export function serviceEnvVars(services: Service[]): EnvVarResult[] {
  const out: EnvVarResult[] = [];
  for (const svc of services) {
    let vars = serviceVars.get(svc);
    if (!vars) serviceVars.set(svc, (vars = oneServiceEnvVars(svc)));
    for (const v of vars) out.push(v);
  }
  return out;
}

/**
 * serviceVars memoises each Service's variables by object: Services come from an informer,
 * whose objects are replaced, never mutated, and every container start of a namespace (and
 * every pod's `kubernetes` Service) repeats the same few.
 */
const serviceVars = new WeakMap<Service, readonly EnvVarResult[]>();

function oneServiceEnvVars(svc: Service): EnvVarResult[] {
  const out: EnvVarResult[] = [];
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') return out;
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0) return out;
  const prefix = envVarName(svc.metadata?.name ?? '');
  out.push({ name: `${prefix}_SERVICE_HOST`, value: ip });
  out.push({ name: `${prefix}_SERVICE_PORT`, value: String(ports[0]!.port) });
  for (const p of ports) if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envVarName(p.name)}`, value: String(p.port) });
  const host = ip.includes(':') ? `[${ip}]` : ip;
  ports.forEach((p, i) => {
    const proto = p.protocol ?? 'TCP';
    const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    const url = `${proto.toLowerCase()}://${host}:${p.port}`;
    if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
    out.push({ name: pp, value: url });
    out.push({ name: `${pp}_PROTO`, value: proto.toLowerCase() });
    out.push({ name: `${pp}_PORT`, value: String(p.port) });
    out.push({ name: `${pp}_ADDR`, value: ip });
  });
  return out;
}

/**
 * podFieldValue resolves a downward-API fieldPath of the pod (env fieldRef and downwardAPI
 * volumes share it), or throws EnvError for an unsupported path.
 */
export function podFieldValue(pod: Pod, fieldPath: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((x) => x.ip).join(',');
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((x) => x.ip).join(',');
    default:
      throw new EnvError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** formatMap is upstream's fieldpath.FormatMap: sorted `key="value"` lines, Go-quoted. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/**
 * containerResourceValue is upstream's ExtractContainerResourceValue: limits/requests of cpu,
 * memory, ephemeral-storage divided by the divisor and rounded up; an unset limit is the
 * node's allocatable.
 */
export function containerResourceValue(
  container: Container,
  resource: string,
  divisor: string | undefined,
  nodeAllocatable: Record<string, string> = {},
): string {
  const [kind, name] = resource.split('.', 2) as [string, string];
  if ((kind !== 'limits' && kind !== 'requests') || !name) throw new EnvError(`unsupported container resource: ${resource}`);
  const fromSpec = kind === 'limits' ? container.resources?.limits?.[name] : container.resources?.requests?.[name];
  const raw = fromSpec ?? (kind === 'limits' ? nodeAllocatable[name] : undefined) ?? '0';
  const q = Quantity.parse(String(raw));
  const d = Quantity.parse(String(divisor ?? '1'));
  if (name === 'cpu') return String(Math.ceil(q.milliValue() / Math.max(1, d.milliValue())));
  return String(Math.ceil(q.value() / Math.max(1, d.value())));
}

function decode(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  if (v !== undefined) return Buffer.from(v, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

/**
 * makeEnvironmentVariables returns the container's final environment in a stable order. It
 * throws EnvError for a missing non-optional ConfigMap/Secret/key, as upstream fails the
 * container with CreateContainerConfigError. The list may be shared between calls: callers
 * must not mutate it.
 */
export async function makeEnvironmentVariables(pod: Pod, container: Container, src: EnvSources): Promise<EnvVarResult[]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env = new Map<string, string>();
  // Upstream always injects the default namespace's `kubernetes` Service, and the pod
  // namespace's Services when enableServiceLinks (default true).
  const services: Service[] = [];
  const seen = new Set<string>();
  if (pod.spec?.enableServiceLinks !== false) {
    for (const s of await src.listServices(ns)) {
      services.push(s);
      seen.add(s.metadata?.name ?? '');
    }
  }
  if (ns !== 'default' || pod.spec?.enableServiceLinks === false) {
    const kube = (await src.listServices('default')).find((s) => s.metadata?.name === 'kubernetes');
    if (kube && !seen.has('kubernetes')) services.push(kube);
  }
  // A container with neither env nor envFrom (most) gets exactly the Service variables.
  if (!container.env?.length && !container.envFrom?.length) return serviceOnlyEnv(services);
  const serviceEnv = new Map(serviceEnvVars(services).map((e) => [e.name, e.value]));

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = await src.getConfigMap(ns, name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new EnvError(`configmap "${name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) {
        const key = prefix + k;
        if (validEnvName.test(key)) env.set(key, v);
      }
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const s = await src.getSecret(ns, name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new EnvError(`secret "${name}" not found`);
      }
      for (const k of Object.keys({ ...s.stringData, ...s.data })) {
        const key = prefix + k;
        if (validEnvName.test(key)) env.set(key, decode(s, k) ?? '');
      }
    }
  }

  const mapping = mappingFuncFor(env, serviceEnv);
  for (const e of container.env ?? []) {
    let value = e.value ?? '';
    if (value !== '') {
      value = expand(value, mapping);
    } else if (e.valueFrom) {
      const vf = e.valueFrom;
      if (vf.fieldRef) {
        value = podFieldValue(pod, vf.fieldRef.fieldPath);
      } else if (vf.resourceFieldRef) {
        const target = vf.resourceFieldRef.containerName
          ? [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === vf.resourceFieldRef!.containerName)
          : container;
        if (!target) throw new EnvError(`container "${vf.resourceFieldRef.containerName}" not found in pod`);
        value = containerResourceValue(target, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor as string | undefined, src.nodeAllocatable);
      } else if (vf.configMapKeyRef) {
        const { name = '', key, optional } = vf.configMapKeyRef;
        const cm = await src.getConfigMap(ns, name);
        if (!cm) {
          if (optional) continue;
          throw new EnvError(`configmap "${name}" not found`);
        }
        const v = cm.data?.[key];
        if (v === undefined) {
          if (optional) continue;
          throw new EnvError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
        }
        value = v;
      } else if (vf.secretKeyRef) {
        const { name = '', key, optional } = vf.secretKeyRef;
        const s = await src.getSecret(ns, name);
        if (!s) {
          if (optional) continue;
          throw new EnvError(`secret "${name}" not found`);
        }
        const v = decode(s, key);
        if (v === undefined) {
          if (optional) continue;
          throw new EnvError(`couldn't find key ${key} in Secret ${ns}/${name}`);
        }
        value = v;
      }
    }
    env.set(e.name, value);
  }
  for (const [k, v] of serviceEnv) if (!env.has(k)) env.set(k, v);
  return [...env].map(([name, value]) => ({ name, value }));
}

/**
 * lastServiceOnly remembers the last environment made of Service variables alone, with the
 * Services it came from: a burst of container starts in one namespace sees the same Service
 * objects (an informer's, replaced on change) and gets the same list.
 */
let lastServiceOnly: { services: Service[]; env: EnvVarResult[] } | undefined;

/** serviceOnlyEnv is the environment of a container without env and envFrom; callers must not mutate it. */
function serviceOnlyEnv(services: Service[]): EnvVarResult[] {
  const last = lastServiceOnly;
  if (last && last.services.length === services.length && last.services.every((s, i) => s === services[i])) return last.env;
  const byName = new Map(serviceEnvVars(services).map((e) => [e.name, e.value]));
  const env = [...byName].map(([name, value]) => ({ name, value }));
  lastServiceOnly = { services, env };
  return env;
}

/** expandContainerCommand expands `$(VAR)` in command or args with the final environment. */
export function expandContainerCommand(list: string[] | undefined, env: EnvVarResult[]): string[] | undefined {
  if (!list) return undefined;
  const mapping = mappingFuncFor(new Map(env.map((e) => [e.name, e.value])));
  return list.map((s) => expand(s, mapping));
}
