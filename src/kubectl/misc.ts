/** Informational commands: version, api-versions, api-resources, cluster-info, config. */
import { writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { existsSync, readFileSync } from 'node:fs';
import type { Kubeconfig } from '../client/rest/index.js';
import { Flags } from './args.js';
import { CmdError, type Factory } from './factory.js';
import { goJSON, tabwrite, toYAML } from './printers.js';
import { printObjects } from './output.js';

/** CLIENT_GIT_VERSION is what `kubectl version` reports for this client. */
export const CLIENT_GIT_VERSION = 'v1.32.0+k8ts';

export async function runVersion(f: Factory, flags: Flags): Promise<number> {
  const fmt = flags.str('output');
  const client = {
    buildDate: '2026-01-01T00:00:00Z',
    compiler: 'tsc',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    gitVersion: CLIENT_GIT_VERSION,
    goVersion: `node${process.versions.node}`,
    major: '1',
    minor: '32',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
  let server: Record<string, unknown> | undefined;
  let serverErr: unknown;
  if (!flags.bool('client')) {
    try {
      server = await f.client().requestJSON<Record<string, unknown>>({ method: 'GET', path: '/version' });
    } catch (err) {
      serverErr = err;
    }
  }
  const doc: Record<string, unknown> = { clientVersion: client };
  if (server) doc['serverVersion'] = server;
  if (fmt === 'json') f.io.out(goJSON(doc, 2) + '\n');
  else if (fmt === 'yaml') f.io.out(toYAML(doc));
  else if (fmt !== '') throw new CmdError(`--output must be 'yaml' or 'json'`);
  else {
    f.io.out(`Client Version: ${client.gitVersion}\n`);
    if (server) f.io.out(`Server Version: ${String(server['gitVersion'])}\n`);
  }
  if (serverErr) throw serverErr;
  return 0;
}

export async function runApiVersions(f: Factory): Promise<number> {
  const d = await f.discovery();
  f.io.out([...new Set(d.groupVersions)].sort().map((v) => v + '\n').join(''));
  return 0;
}

export async function runApiResources(f: Factory, flags: Flags): Promise<number> {
  const d = await f.discovery();
  const fmt = flags.str('output');
  if (fmt !== '' && fmt !== 'wide' && fmt !== 'name') throw new CmdError(`--output ${fmt} is not available`);
  let rows = d.mappings.filter((m) => m.preferred);
  if (flags.has('namespaced')) rows = rows.filter((m) => m.namespaced === flags.bool('namespaced'));
  if (flags.str('api-group') !== '' || flags.has('api-group')) rows = rows.filter((m) => m.group === flags.str('api-group'));
  const verbs = flags.list('verbs');
  if (verbs.length > 0) rows = rows.filter((m) => verbs.every((v) => m.verbs.includes(v)));
  if (flags.list('categories').length > 0) rows = rows.filter((m) => flags.list('categories').every((c) => m.categories.includes(c)));
  // Groups keep discovery order; resources sort by name within a group.
  const groupOrder = new Map<string, number>();
  for (const m of d.mappings) if (!groupOrder.has(m.group)) groupOrder.set(m.group, groupOrder.size);
  const sortBy = flags.str('sort-by');
  rows = [...rows].sort((a, b) => {
    if (sortBy === 'name') return a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0;
    if (sortBy === 'kind') return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
    return (groupOrder.get(a.group)! - groupOrder.get(b.group)!) || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0);
  });
  if (fmt === 'name') {
    f.io.out(rows.map((m) => (m.group ? `${m.resource}.${m.group}` : m.resource) + '\n').join(''));
    return 0;
  }
  const table: string[][] = [];
  const wide = fmt === 'wide';
  if (!flags.bool('no-headers')) table.push(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])]);
  for (const m of rows) {
    const r = [m.resource, m.shortNames.join(','), m.group ? `${m.group}/${m.version}` : m.version, String(m.namespaced), m.kind];
    if (wide) r.push([...m.verbs].sort().join(','), m.categories.join(','));
    table.push(r);
  }
  f.io.out(tabwrite(table));
  return 0;
}

export async function runClusterInfo(f: Factory, args: string[]): Promise<number> {
  if (args[0] === 'dump') throw new CmdError('cluster-info dump is not supported by k8ts kubectl');
  const host = f.config().host;
  // Fails as kubectl does when the server is unreachable.
  await f.client().requestJSON({ method: 'GET', path: '/api' });
  const [green, yellow, reset] = f.io.outIsTerminal ? ['\x1b[0;32m', '\x1b[0;33m', '\x1b[0m'] : ['', '', ''];
  f.io.out(`${green}Kubernetes control plane${reset} is running at ${yellow}${host}${reset}\n`);
  f.io.out(`\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`);
  return 0;
}

// ---- config ----

/** configFile is the file `kubectl config` writes: --kubeconfig, else the first KUBECONFIG entry that exists. */
function configFile(f: Factory): string {
  const { paths } = f.kubeconfigPaths();
  return paths.find((p) => existsSync(p)) ?? paths[0]!;
}

function readRaw(path: string): Record<string, unknown> {
  if (!existsSync(path)) return { apiVersion: 'v1', kind: 'Config', clusters: [], contexts: [], users: [], preferences: {} };
  return (parseYaml(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
}

function writeRaw(path: string, doc: Record<string, unknown>): void {
  writeFileSync(path, toYAML(doc), { mode: 0o600 });
}

const REDACTED = 'REDACTED';
const DATA_OMITTED = 'DATA+OMITTED';

export async function runConfig(f: Factory, flags: Flags, sub: string, args: string[]): Promise<number> {
  switch (sub) {
    case 'view': {
      const kc = f.rawConfig();
      let doc = structuredClone(kc) as Kubeconfig & Record<string, unknown>;
      if (flags.bool('minify')) {
        const ctxName = flags.str('context') || kc['current-context'];
        const ctx = kc.contexts.find((c) => c.name === ctxName);
        if (!ctx) throw new CmdError(`current-context must exist in order to minify`);
        doc = {
          ...doc,
          'current-context': ctxName,
          contexts: [ctx],
          clusters: kc.clusters.filter((c) => c.name === ctx.context.cluster),
          users: kc.users.filter((u) => u.name === ctx.context.user),
        };
      }
      if (!flags.bool('raw')) {
        for (const c of doc.clusters) if (c.cluster['certificate-authority-data']) c.cluster['certificate-authority-data'] = DATA_OMITTED;
        for (const u of doc.users) {
          if (u.user['client-certificate-data']) u.user['client-certificate-data'] = DATA_OMITTED;
          if (u.user['client-key-data']) u.user['client-key-data'] = DATA_OMITTED;
          if (u.user.token) u.user.token = REDACTED;
          if (u.user.password) u.user.password = REDACTED;
        }
      }
      const byName = <T extends { name: string }>(l: T[]): T[] => [...l].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      doc.clusters = byName(doc.clusters);
      doc.contexts = byName(doc.contexts);
      doc.users = byName(doc.users);
      const out: Record<string, unknown> = {
        apiVersion: 'v1',
        clusters: doc.clusters.map((c) => ({ cluster: c.cluster, name: c.name })),
        contexts: doc.contexts.map((c) => ({ context: c.context, name: c.name })),
        'current-context': doc['current-context'] ?? '',
        kind: 'Config',
        preferences: doc.preferences ?? {},
        users: doc.users.map((u) => ({ name: u.name, user: u.user })),
      };
      if (out['clusters'] && (out['clusters'] as unknown[]).length === 0) out['clusters'] = null;
      if ((out['contexts'] as unknown[]).length === 0) out['contexts'] = null;
      if ((out['users'] as unknown[]).length === 0) out['users'] = null;
      const fmt = flags.str('output', 'yaml');
      if (fmt === 'yaml') f.io.out(toYAML(out));
      else if (fmt === 'json') f.io.out(goJSON(out, 4) + '\n');
      else printObjects(f.io.out, fmt, [out], true, flags, () => ({ group: '', kind: 'Config' }));
      return 0;
    }
    case 'current-context': {
      const cur = f.rawConfig()['current-context'];
      if (!cur) throw new CmdError('current-context is not set');
      f.io.out(cur + '\n');
      return 0;
    }
    case 'get-contexts': {
      const kc = f.rawConfig();
      let ctxs = kc.contexts;
      if (args.length > 0) {
        const missing = args.filter((a) => !ctxs.some((c) => c.name === a));
        if (missing.length > 0) throw new CmdError(`context ${missing[0]} not found`);
        ctxs = ctxs.filter((c) => args.includes(c.name));
      }
      ctxs = [...ctxs].sort((a, b) => (a.name < b.name ? -1 : 1));
      if (flags.str('output') === 'name') {
        f.io.out(ctxs.map((c) => c.name + '\n').join(''));
        return 0;
      }
      const rows: string[][] = flags.bool('no-headers') ? [] : [['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE']];
      for (const c of ctxs) rows.push([c.name === kc['current-context'] ? '*' : '', c.name, c.context.cluster ?? '', c.context.user ?? '', c.context.namespace ?? '']);
      f.io.out(tabwrite(rows));
      return 0;
    }
    case 'get-clusters': {
      f.io.out('NAME\n' + f.rawConfig().clusters.map((c) => c.name + '\n').join(''));
      return 0;
    }
    case 'get-users': {
      f.io.out('NAME\n' + f.rawConfig().users.map((c) => c.name + '\n').join(''));
      return 0;
    }
    case 'use-context':
    case 'use': {
      const name = args[0];
      if (!name) throw new CmdError('Unexpected args: []');
      const kc = f.rawConfig();
      if (!kc.contexts.some((c) => c.name === name)) throw new CmdError(`no context exists with the name: "${name}"`);
      const path = configFile(f);
      const doc = readRaw(path);
      doc['current-context'] = name;
      writeRaw(path, doc);
      f.io.out(`Switched to context "${name}".\n`);
      return 0;
    }
    case 'set-context': {
      const current = flags.bool('current');
      const name = current ? f.rawConfig()['current-context'] : args[0];
      if (!name) throw new CmdError('you must specify a non-empty context name or --current');
      const path = configFile(f);
      const doc = readRaw(path);
      const contexts = (doc['contexts'] as Array<{ name: string; context: Record<string, string> }> | null) ?? [];
      let entry = contexts.find((c) => c.name === name);
      const exists = entry !== undefined;
      if (!entry) {
        entry = { name, context: {} };
        contexts.push(entry);
      }
      for (const k of ['cluster', 'user', 'namespace'] as const) if (flags.has(k)) entry.context[k] = flags.str(k);
      doc['contexts'] = contexts;
      writeRaw(path, doc);
      f.io.out(exists ? `Context "${name}" modified.\n` : `Context "${name}" created.\n`);
      return 0;
    }
    case 'delete-context': {
      const name = args[0] ?? '';
      const path = configFile(f);
      const doc = readRaw(path);
      const contexts = (doc['contexts'] as Array<{ name: string }> | null) ?? [];
      if (!contexts.some((c) => c.name === name)) throw new CmdError(`cannot delete context ${name}, not in ${path}`);
      doc['contexts'] = contexts.filter((c) => c.name !== name);
      writeRaw(path, doc);
      f.io.out(`deleted context ${name} from ${path}\n`);
      return 0;
    }
    case 'set-cluster':
    case 'set-credentials': {
      const name = args[0];
      if (!name) throw new CmdError('you must specify a non-empty name');
      const path = configFile(f);
      const doc = readRaw(path);
      const key = sub === 'set-cluster' ? 'clusters' : 'users';
      const inner = sub === 'set-cluster' ? 'cluster' : 'user';
      const list = (doc[key] as Array<Record<string, unknown>> | null) ?? [];
      let entry = list.find((c) => c['name'] === name);
      const exists = entry !== undefined;
      if (!entry) {
        entry = { name, [inner]: {} };
        list.push(entry);
      }
      const body = entry[inner] as Record<string, unknown>;
      const fields = sub === 'set-cluster' ? ['server', 'certificate-authority', 'insecure-skip-tls-verify', 'tls-server-name'] : ['token', 'username', 'password', 'client-certificate', 'client-key'];
      for (const k of fields) if (flags.has(k)) body[k] = k === 'insecure-skip-tls-verify' ? flags.bool(k) : flags.str(k);
      doc[key] = list;
      writeRaw(path, doc);
      f.io.out(sub === 'set-cluster' ? `Cluster "${name}" ${exists ? 'set' : 'set'}.\n` : `User "${name}" set.\n`);
      return 0;
    }
    default:
      throw new CmdError(`unknown command "${sub}" for "kubectl config"`);
  }
}
