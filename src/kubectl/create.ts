/**
 * `kubectl create <kind>` generators: the objects they build match upstream's field for field
 * (including `creationTimestamp: null`, empty `resources: {}`, `status: {}`), so `-o yaml`
 * with `--dry-run=client` prints the same document.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { Flags, type FlagSpecs } from './args.js';
import { collectionPath, type Mapping } from './discovery.js';
import { CmdError, type Factory } from './factory.js';
import { DRY_RUN_FLAG, dryRunOf, printResult, withLastApplied } from './mutate.js';
import { OUTPUT_FLAGS, checkOutputFormat } from './output.js';
import type { Command } from './commands.js';

const COMMON: FlagSpecs = { ...OUTPUT_FLAGS, ...DRY_RUN_FLAG, 'save-config': { type: 'bool' }, validate: { type: 'string', noOptDefVal: 'strict' }, 'field-manager': { type: 'string' } };

interface Generated {
  obj: KubeObject;
  mapping: Pick<Mapping, 'group' | 'version' | 'resource' | 'namespaced' | 'kind'>;
  /** failPrefix wraps server errors as the generator does (`failed to create configmap: `); '' leaves them as is. */
  failPrefix: string;
}

const core = (resource: string, kind: string, namespaced = true): Generated['mapping'] => ({ group: '', version: 'v1', resource, kind, namespaced });

function requireName(args: string[], usage: string): string {
  if (args.length === 0) throw new CmdError(`exactly one NAME is required, got 0\nSee '${usage} -h' for help and examples`);
  if (args.length > 1) throw new CmdError(`exactly one NAME is required, got ${args.length}\nSee '${usage} -h' for help and examples`);
  return args[0]!;
}

async function send(f: Factory, flags: Flags, g: Generated): Promise<number> {
  checkOutputFormat(flags.str('output'), undefined, flags);
  const dry = dryRunOf(f, flags);
  const { namespace } = f.namespace();
  let obj = g.obj;
  if (flags.bool('save-config')) obj = withLastApplied(obj);
  if (dry !== 'client') {
    try {
      obj = await f.client().requestJSON<KubeObject>({
        method: 'POST',
        path: collectionPath(g.mapping, g.mapping.namespaced ? namespace : undefined),
        body: obj,
        query: { ...(dry === 'server' ? { dryRun: 'All' } : {}), fieldManager: flags.str('field-manager', 'kubectl-create'), fieldValidation: 'Strict' },
      });
    } catch (err) {
      if (err instanceof StatusError && g.failPrefix) throw new CmdError(`${g.failPrefix}${err.message}`);
      throw err;
    }
  } else if (g.mapping.namespaced && f.namespace().explicit) {
    obj.metadata = { ...obj.metadata, namespace };
  }
  printResult(f, flags, g.mapping, obj, 'created', dry, true);
  return 0;
}

function parseLiteral(s: string, flag: string): [string, string] {
  const i = s.indexOf('=');
  if (i <= 0) throw new CmdError(`invalid literal source ${s}, expected key=value`);
  void flag;
  return [s.slice(0, i), s.slice(i + 1)];
}

/** sources reads --from-literal, --from-file and --from-env-file into a key→bytes map. */
function sources(flags: Flags): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const add = (k: string, v: Buffer): void => {
    if (out.has(k)) throw new CmdError(`cannot add key ${k}, another key by that name already exists in Data for ConfigMap "${''}"`);
    out.set(k, v);
  };
  for (const l of flags.list('from-literal')) {
    const [k, v] = parseLiteral(l, 'from-literal');
    add(k, Buffer.from(v));
  }
  for (const spec of flags.list('from-file')) {
    const i = spec.indexOf('=');
    const [key, path] = i > 0 ? [spec.slice(0, i), spec.slice(i + 1)] : [undefined, spec];
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        const p = join(path, name);
        if (statSync(p).isFile()) add(name, readFileSync(p));
      }
    } else add(key ?? basename(path), readFileSync(path));
  }
  for (const p of flags.list('from-env-file')) {
    for (const line of readFileSync(p, 'utf8').split('\n')) {
      const t = line.replace(/^\s+/, '');
      if (t === '' || t.startsWith('#')) continue;
      const i = t.indexOf('=');
      if (i < 0) add(t, Buffer.from(process.env[t] ?? ''));
      else add(t.slice(0, i), Buffer.from(t.slice(i + 1)));
    }
  }
  return out;
}

const isUtf8 = (b: Buffer): boolean => Buffer.from(b.toString('utf8'), 'utf8').equals(b);

function createConfigMap(_f: Factory, flags: Flags, args: string[]): Generated {
  const name = requireName(args, 'kubectl create configmap');
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  for (const [k, v] of sources(flags)) {
    if (isUtf8(v)) data[k] = v.toString('utf8');
    else binaryData[k] = v.toString('base64');
  }
  const obj: KubeObject = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, creationTimestamp: null as unknown as string } };
  if (Object.keys(data).length > 0) obj['data'] = data;
  if (Object.keys(binaryData).length > 0) obj['binaryData'] = binaryData;
  if (flags.bool('append-hash')) throw new CmdError('--append-hash is not supported by k8ts kubectl');
  return { obj, mapping: core('configmaps', 'ConfigMap'), failPrefix: 'failed to create configmap: ' };
}

function secretObj(name: string, data: Record<string, string>, type?: string): KubeObject {
  const obj: KubeObject = { kind: 'Secret', apiVersion: 'v1', metadata: { name, creationTimestamp: null as unknown as string } };
  if (Object.keys(data).length > 0) obj['data'] = data;
  if (type) obj['type'] = type;
  return obj;
}

function createSecretGeneric(_f: Factory, flags: Flags, args: string[]): Generated {
  const name = requireName(args, 'kubectl create secret generic');
  const data: Record<string, string> = {};
  for (const [k, v] of sources(flags)) data[k] = v.toString('base64');
  return { obj: secretObj(name, data, flags.str('type') || undefined), mapping: core('secrets', 'Secret'), failPrefix: 'failed to create secret ' };
}

function createSecretTLS(_f: Factory, flags: Flags, args: string[]): Generated {
  const name = requireName(args, 'kubectl create secret tls');
  if (!flags.str('cert') || !flags.str('key')) throw new CmdError('key and cert must be specified');
  const data = { 'tls.crt': readFileSync(flags.str('cert')).toString('base64'), 'tls.key': readFileSync(flags.str('key')).toString('base64') };
  return { obj: secretObj(name, data, 'kubernetes.io/tls'), mapping: core('secrets', 'Secret'), failPrefix: 'failed to create secret ' };
}

function createSecretDocker(_f: Factory, flags: Flags, args: string[]): Generated {
  const name = requireName(args, 'kubectl create secret docker-registry');
  const data: Record<string, string> = {};
  if (flags.list('from-file').length === 0) {
    const user = flags.str('docker-username');
    const pass = flags.str('docker-password');
    if (!user) throw new CmdError('required flag(s) "docker-password", "docker-username" not set');
    const server = flags.str('docker-server', 'https://index.docker.io/v1/');
    const entry: Record<string, string> = { username: user, password: pass };
    if (flags.str('docker-email')) entry['email'] = flags.str('docker-email');
    entry['auth'] = Buffer.from(`${user}:${pass}`).toString('base64');
    // Field order as upstream's DockerConfigEntry struct (username, password, email, auth).
    const json = `{"auths":{${JSON.stringify(server)}:${JSON.stringify(entry)}}}`;
    data['.dockerconfigjson'] = Buffer.from(json).toString('base64');
  } else for (const [k, v] of sources(flags)) data[k] = v.toString('base64');
  return { obj: secretObj(name, data, 'kubernetes.io/dockerconfigjson'), mapping: core('secrets', 'Secret'), failPrefix: 'failed to create secret ' };
}

function createNamespace(_f: Factory, _flags: Flags, args: string[]): Generated {
  const name = requireName(args, 'kubectl create namespace');
  return { obj: { kind: 'Namespace', apiVersion: 'v1', metadata: { name, creationTimestamp: null as unknown as string }, spec: {}, status: {} }, mapping: core('namespaces', 'Namespace', false), failPrefix: '' };
}

function createServiceAccount(_f: Factory, _flags: Flags, args: string[]): Generated {
  const name = requireName(args, 'kubectl create serviceaccount');
  return { obj: { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name, creationTimestamp: null as unknown as string } }, mapping: core('serviceaccounts', 'ServiceAccount'), failPrefix: '' };
}

function createDeployment(_f: Factory, flags: Flags, args: string[]): Generated {
  const name = requireName(args, 'kubectl create deployment');
  const images = flags.list('image');
  if (images.length === 0) throw new CmdError('required flag(s) "image" not set');
  const port = flags.int('port', -1);
  if (images.length > 1 && port >= 0) throw new CmdError('cannot specify multiple --image options and --port');
  const containers = images.map((image) => {
    const c: Record<string, unknown> = { name: containerName(image), image };
    if (port >= 0) c['ports'] = [{ containerPort: port }];
    c['resources'] = {};
    return c;
  });
  const labels = { app: name };
  const obj: KubeObject = {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name, creationTimestamp: null as unknown as string, labels },
    spec: {
      replicas: flags.int('replicas', 1),
      selector: { matchLabels: labels },
      template: { metadata: { creationTimestamp: null, labels }, spec: { containers } },
      strategy: {},
    },
    status: {},
  };
  return { obj, mapping: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true }, failPrefix: 'failed to create deployment: ' };
}

/** containerName derives a container name from an image as kubectl: last path segment, without tag or digest. */
function containerName(image: string): string {
  let n = image.split('/').pop()!;
  n = n.split('@')[0]!.split(':')[0]!;
  return n.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

function createJob(_f: Factory, flags: Flags, args: string[], afterDash: string[] | undefined): Generated {
  const name = requireName(args, 'kubectl create job');
  if (flags.str('from')) throw new CmdError('--from is not supported by k8ts kubectl');
  const image = flags.str('image');
  if (!image) throw new CmdError('--image must be specified');
  const c: Record<string, unknown> = { name, image };
  if (afterDash && afterDash.length > 0) c['command'] = afterDash;
  c['resources'] = {};
  return {
    obj: { kind: 'Job', apiVersion: 'batch/v1', metadata: { name, creationTimestamp: null as unknown as string }, spec: { template: { metadata: { creationTimestamp: null }, spec: { containers: [c], restartPolicy: 'Never' } } }, status: {} },
    mapping: { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true },
    failPrefix: 'failed to create job: ',
  };
}

function createService(type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName') {
  return (_f: Factory, flags: Flags, args: string[]): Generated => {
    const name = requireName(args, `kubectl create service ${type.toLowerCase()}`);
    const ports: Array<Record<string, unknown>> = [];
    for (const spec of flags.list('tcp')) {
      const [p, t] = spec.split(':');
      const port = Number(p);
      const target = t === undefined ? port : /^\d+$/.test(t) ? Number(t) : t;
      const entry: Record<string, unknown> = { name: t === undefined ? p : `${p}-${t}`, protocol: 'TCP', port, targetPort: target };
      if (type === 'NodePort' && flags.int('node-port', 0) > 0) entry['nodePort'] = flags.int('node-port', 0);
      ports.push(entry);
    }
    const spec: Record<string, unknown> = {};
    if (ports.length > 0) spec['ports'] = ports;
    if (type !== 'ExternalName') spec['selector'] = { app: name };
    if (flags.has('clusterip')) spec['clusterIP'] = flags.str('clusterip');
    spec['type'] = type;
    if (type === 'ExternalName') spec['externalName'] = flags.str('external-name');
    if (type === 'ClusterIP' && ports.length === 0 && flags.str('clusterip') !== 'None') throw new CmdError('at least one tcp port specifier must be provided');
    return {
      obj: { kind: 'Service', apiVersion: 'v1', metadata: { name, creationTimestamp: null as unknown as string, labels: { app: name } }, spec, status: { loadBalancer: {} } },
      mapping: core('services', 'Service'),
      failPrefix: `failed to create ${type} service: `,
    };
  };
}

const SOURCES: FlagSpecs = { 'from-literal': { type: 'array' }, 'from-file': { type: 'array' }, 'from-env-file': { type: 'array' }, 'append-hash': { type: 'bool' } };

const gen = (g: (f: Factory, flags: Flags, args: string[], afterDash: string[] | undefined) => Generated, flags: FlagSpecs = {}): Command => ({
  flags: { ...COMMON, ...flags },
  run: (f, fl, args, afterDash) => send(f, fl, g(f, fl, args, afterDash)),
});

const SERVICE_FLAGS: FlagSpecs = { tcp: { type: 'array' }, clusterip: { type: 'string' }, 'node-port': { type: 'int' }, 'external-name': { type: 'string' } };

export const CREATE_SUBCOMMANDS: Record<string, Command> = {
  configmap: gen(createConfigMap, SOURCES),
  cm: gen(createConfigMap, SOURCES),
  secret: {
    sub: {
      generic: gen(createSecretGeneric, { ...SOURCES, type: { type: 'string' } }),
      tls: gen(createSecretTLS, { cert: { type: 'string' }, key: { type: 'string' }, 'append-hash': { type: 'bool' } }),
      'docker-registry': gen(createSecretDocker, { 'docker-server': { type: 'string' }, 'docker-username': { type: 'string' }, 'docker-password': { type: 'string' }, 'docker-email': { type: 'string' }, 'from-file': { type: 'array' }, 'append-hash': { type: 'bool' } }),
    },
  },
  namespace: gen(createNamespace),
  ns: gen(createNamespace),
  serviceaccount: gen(createServiceAccount),
  sa: gen(createServiceAccount),
  deployment: gen(createDeployment, { image: { type: 'array' }, replicas: { type: 'int', short: 'r' }, port: { type: 'int' } }),
  deploy: gen(createDeployment, { image: { type: 'array' }, replicas: { type: 'int', short: 'r' }, port: { type: 'int' } }),
  job: gen(createJob, { image: { type: 'string' }, from: { type: 'string' } }),
  service: {
    sub: {
      clusterip: gen(createService('ClusterIP'), SERVICE_FLAGS),
      nodeport: gen(createService('NodePort'), SERVICE_FLAGS),
      loadbalancer: gen(createService('LoadBalancer'), SERVICE_FLAGS),
      externalname: gen(createService('ExternalName'), SERVICE_FLAGS),
    },
  },
  svc: { sub: {} },
};
CREATE_SUBCOMMANDS['svc'] = CREATE_SUBCOMMANDS['service']!;
