/**
 * The remaining verbs: run, expose, set image/env, rollout, edit, auth can-i, cordon/uncordon,
 * drain, taint, logs, wait, events, top, autoscale.
 */
import { CP_FLAGS, runCp } from './cp.js';
import { formatRules, type RulesReviewStatus } from './rules.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { StatusError } from '../api/errors.js';
import { REVISION_ANNOTATION, parseRevision } from '../api/revision.js';
import type { KubeObject } from '../api/types.js';
import { Flags, type FlagSpecs } from './args.js';
import type { Command } from './commands.js';
import { collectionPath, groupResource, kindPrefix, objectPath, type Mapping } from './discovery.js';
import { CmdError, type Factory } from './factory.js';
import { DRY_RUN_FLAG, dryRunOf, jsonEqual, patchLib, printResult, statusLine } from './mutate.js';
import { OUTPUT_FLAGS, checkOutputFormat, stripManaged } from './output.js';
import { buildTargets, fetchObjects, type Target } from './resources.js';
import { tabwrite, toYAML } from './printers.js';
import { EXEC_FLAGS, runExec, runPortForward } from './streaming.js';
import { goTabwriter } from './tabwriter.js';

type Obj = Record<string, unknown>;
const nullTs = null as unknown as string;

async function getOne(f: Factory, t: Target): Promise<KubeObject> {
  return f.client().requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, t.namespace, t.name ?? '') });
}

async function patchObj(f: Factory, t: Target, name: string, patch: unknown, type: 'strategic' | 'merge', manager: string, dry: 'none' | 'client' | 'server' = 'none', sub?: string): Promise<KubeObject> {
  return f.client().requestJSON<KubeObject>({
    method: 'PATCH',
    path: objectPath(t.mapping, t.namespace, name, sub),
    contentType: type === 'strategic' ? 'application/strategic-merge-patch+json' : 'application/merge-patch+json',
    body: patch,
    query: { fieldManager: manager, ...(dry === 'server' ? { dryRun: 'All' } : {}) },
  });
}

/** targetsWithNames resolves args and fails as kubectl when a name is missing. */
async function namedTargets(f: Factory, flags: Flags, args: string[], verb: string): Promise<Target[]> {
  const { targets } = await buildTargets(f, args, { filenames: flags.list('filename'), verb });
  if (targets.length === 0) throw new CmdError(`required resource not specified`);
  for (const t of targets) if (t.name === undefined) throw new CmdError(`resource(s) were provided, but no name was specified`);
  return targets;
}

// ---- run ----

const RUN_FLAGS: FlagSpecs = {
  ...OUTPUT_FLAGS,
  ...DRY_RUN_FLAG,
  image: { type: 'string' },
  labels: { type: 'string', short: 'l' },
  env: { type: 'array' },
  port: { type: 'string' },
  restart: { type: 'string' },
  command: { type: 'bool' },
  'image-pull-policy': { type: 'string' },
  annotations: { type: 'array' },
  stdin: { type: 'bool', short: 'i' },
  tty: { type: 'bool', short: 't' },
  rm: { type: 'bool' },
  attach: { type: 'bool' },
  'service-account': { type: 'string' },
  'field-manager': { type: 'string' },
  expose: { type: 'bool' },
  overrides: { type: 'string' },
  privileged: { type: 'bool' },
  quiet: { type: 'bool', short: 'q' },
  'pod-running-timeout': { type: 'string' },
  'override-type': { type: 'string' },
};

async function runRun(f: Factory, flags: Flags, args: string[], afterDash: string[] | undefined): Promise<number> {
  checkOutputFormat(flags.str('output'), undefined, flags);
  const name = args[0];
  if (!name) throw new CmdError('NAME is required for run');
  const image = flags.str('image');
  if (!image) throw new CmdError('--image is required');
  if (flags.bool('tty')) throw new CmdError('a terminal (-t) for run is not supported by k8ts kubectl');
  const attach = flags.bool('stdin') || flags.bool('attach');
  if (flags.bool('rm') && !attach) throw new CmdError('--rm should only be used for attached containers');
  const labels: Record<string, string> = {};
  if (flags.str('labels')) {
    for (const kv of flags.str('labels').split(',')) {
      const i = kv.indexOf('=');
      labels[kv.slice(0, i)] = kv.slice(i + 1);
    }
  } else labels['run'] = name;
  const c: Obj = { name, image };
  const extra = [...args.slice(1), ...(afterDash ?? [])];
  if (extra.length > 0) c[flags.bool('command') ? 'command' : 'args'] = extra;
  if (flags.str('port')) c['ports'] = [{ containerPort: Number(flags.str('port')) }];
  const env = flags.list('env');
  if (env.length > 0) c['env'] = env.map((e) => ({ name: e.slice(0, e.indexOf('=')), value: e.slice(e.indexOf('=') + 1) }));
  c['resources'] = {};
  if (flags.bool('stdin')) {
    // The kubelet wires a container's stdin only when its spec asks for it.
    c['stdin'] = true;
    c['stdinOnce'] = true;
  }
  if (flags.str('image-pull-policy')) c['imagePullPolicy'] = flags.str('image-pull-policy');
  const meta: Obj = { name, creationTimestamp: nullTs, labels };
  if (flags.list('annotations').length > 0) {
    meta['annotations'] = Object.fromEntries(flags.list('annotations').map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
  }
  const spec: Obj = { containers: [c], restartPolicy: flags.str('restart', 'Always'), dnsPolicy: 'ClusterFirst' };
  if (flags.str('service-account')) spec['serviceAccountName'] = flags.str('service-account');
  let pod: KubeObject = { kind: 'Pod', apiVersion: 'v1', metadata: meta, spec, status: {} };
  if (flags.str('overrides')) {
    // --override-type=merge (the default): a JSON merge patch over the generated object.
    let patch: unknown;
    try {
      patch = JSON.parse(flags.str('overrides'));
    } catch (e) {
      throw new CmdError(`error: ${(e as Error).message}`);
    }
    pod = mergePatch(pod, patch) as KubeObject;
  }
  const dry = dryRunOf(f, flags);
  if (attach && dry !== 'none') throw new CmdError("error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)\nSee 'kubectl run -h' for help and examples\n", 1, true);
  const m: Mapping = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', singular: 'pod', namespaced: true, shortNames: [], categories: [], verbs: [], preferred: true };
  if (dry !== 'client') {
    pod = await f.client().requestJSON<KubeObject>({ method: 'POST', path: collectionPath(m, f.namespace().namespace), body: pod, query: { fieldManager: flags.str('field-manager', 'kubectl-run'), ...(dry === 'server' ? { dryRun: 'All' } : {}) } });
  }
  if (attach && dry === 'none') return attachRun(f, flags, pod);
  printResult(f, flags, m, pod, 'created', dry, true);
  return 0;
}

/** mergePatch applies an RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Obj = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Obj) } : {};
  for (const [k, v] of Object.entries(patch as Obj)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * attachRun is `kubectl run -i/--attach`: wait for the pod to run, attach to it (stdin streamed
 * as it arrives), then for Never/OnFailure pods wait for the end and return the container's exit code;
 * --rm deletes the pod afterwards. A pod that finished before the attach has its logs printed.
 */
async function attachRun(f: Factory, flags: Flags, created: KubeObject): Promise<number> {
  const o = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
  const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
  const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
  const c = f.client();
  const ns = created.metadata?.namespace ?? f.namespace().namespace;
  const name = created.metadata?.name ?? '';
  const path = `/api/v1/namespaces/${ns}/pods/${name}`;
  const phaseOf = (p: KubeObject): string => str(o(p['status'])['phase']);
  const waitFor = async (done: (p: KubeObject) => boolean): Promise<KubeObject> => {
    const deadline = Date.now() + parseTimeout(flags.str('pod-running-timeout'), 60_000);
    for (;;) {
      const p = await c.requestJSON<KubeObject>({ method: 'GET', path });
      if (done(p) || Date.now() > deadline) return p;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const restart = str(o(created['spec'])['restartPolicy']);
  const container = str(arr(o(created['spec'])['containers'])[0]?.['name']);
  let pod = await waitFor((p) => ['Running', 'Succeeded', 'Failed'].includes(phaseOf(p)));
  if (phaseOf(pod) === 'Running') {
    // As `kubectl attach`: the prompt hint, then stdin streamed as it arrives.
    await runExec(f, flags, [name], undefined, 'attach');
  } else {
    f.io.out(await c.requestText({ method: 'GET', path: `${path}/log`, query: { container } }));
  }
  let code = 0;
  let failure: string | undefined;
  if (restart === 'Never' || restart === 'OnFailure') {
    pod = await waitFor((p) => phaseOf(p) === 'Succeeded' || (restart === 'Never' && phaseOf(p) === 'Failed'));
    const phase = phaseOf(pod);
    if (phase === 'Failed') {
      const term = o(o(arr(o(pod['status'])['containerStatuses'])[0]?.['state'])['terminated']);
      code = Number(term['exitCode'] ?? 0);
      if (code === 0) failure = `pod ${ns}/${name} failed with unknown exit code`;
      else failure = `pod ${ns}/${name} terminated (${str(term['reason'])})\n${str(term['message'])}`;
    } else if (phase !== 'Succeeded') failure = `pod ${ns}/${name} left in phase ${phase}`;
  }
  if (flags.bool('rm')) {
    await c.requestJSON({ method: 'DELETE', path });
    // kubectl waits for the pod to be gone before it reports the deletion.
    for (let i = 0; i < 150; i++) {
      try {
        await c.requestJSON({ method: 'GET', path });
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    f.io.out(`pod "${name}" deleted\n`);
  }
  if (failure !== undefined) {
    f.io.err(failure.endsWith('\n') ? failure : failure + '\n');
    return code || 1;
  }
  return 0;
}

// ---- expose ----

const EXPOSE_FLAGS: FlagSpecs = {
  ...OUTPUT_FLAGS,
  ...DRY_RUN_FLAG,
  port: { type: 'string' },
  'target-port': { type: 'string' },
  protocol: { type: 'string' },
  name: { type: 'string' },
  type: { type: 'string' },
  selector: { type: 'string' },
  labels: { type: 'string', short: 'l' },
  'external-ip': { type: 'string' },
  'cluster-ip': { type: 'string' },
  'session-affinity': { type: 'string' },
  'load-balancer-ip': { type: 'string' },
  filename: { type: 'array', short: 'f' },
  'field-manager': { type: 'string' },
  'override-type': { type: 'string' },
  overrides: { type: 'string' },
};

async function runExpose(f: Factory, flags: Flags, args: string[]): Promise<number> {
  checkOutputFormat(flags.str('output'), undefined, flags);
  const [t] = await namedTargets(f, flags, args, 'expose');
  const obj = await getOne(f, t!);
  const kind = t!.mapping.kind;
  let selector: Record<string, string> | undefined;
  const spec = (obj['spec'] ?? {}) as Obj;
  if (flags.str('selector')) selector = Object.fromEntries(flags.str('selector').split(',').map((kv) => kv.split('=') as [string, string]));
  else if (kind === 'Pod') selector = obj.metadata?.labels;
  else if (kind === 'Service' || kind === 'ReplicationController') selector = spec['selector'] as Record<string, string>;
  else {
    const sel = (spec['selector'] ?? {}) as Obj;
    if (sel['matchExpressions']) throw new CmdError(`couldn't convert expressions - "${JSON.stringify(sel)}", to map: operator "In" without a single value cannot be converted into the old label selector format`);
    selector = sel['matchLabels'] as Record<string, string>;
  }
  if (!selector || Object.keys(selector).length === 0) throw new CmdError(`couldn't retrieve selectors via --selector flag or introspection: the ${kind} has no selector`);
  let ports: Array<{ port: number; protocol: string }> = [];
  if (flags.str('port')) ports = [{ port: Number(flags.str('port')), protocol: flags.str('protocol', 'TCP') }];
  else {
    const containers = ((kind === 'Pod' ? spec : ((spec['template'] as Obj)?.['spec'] as Obj)) ?? {})['containers'] as Obj[] | undefined;
    for (const c of containers ?? []) for (const p of (c['ports'] as Obj[] | undefined) ?? []) ports.push({ port: Number(p['containerPort']), protocol: String(p['protocol'] ?? 'TCP') });
    if (kind === 'Service') ports = ((spec['ports'] as Obj[]) ?? []).map((p) => ({ port: Number(p['port']), protocol: String(p['protocol'] ?? 'TCP') }));
  }
  if (ports.length === 0) throw new CmdError(`couldn't find port via --port flag or introspection`);
  const tp = flags.str('target-port');
  const svcPorts = ports.map((p, i) => {
    const e: Obj = {};
    if (ports.length > 1) e['name'] = `port-${i + 1}`;
    e['protocol'] = p.protocol;
    e['port'] = p.port;
    e['targetPort'] = tp ? (/^\d+$/.test(tp) ? Number(tp) : tp) : p.port;
    return e;
  });
  const name = flags.str('name') || obj.metadata?.name || '';
  const labels = flags.str('labels') ? Object.fromEntries(flags.str('labels').split(',').map((kv) => kv.split('=') as [string, string])) : obj.metadata?.labels;
  const svcSpec: Obj = { ports: svcPorts, selector };
  if (flags.str('type')) svcSpec['type'] = flags.str('type');
  if (flags.str('cluster-ip')) svcSpec['clusterIP'] = flags.str('cluster-ip');
  if (flags.str('session-affinity')) svcSpec['sessionAffinity'] = flags.str('session-affinity');
  let svc: KubeObject = { kind: 'Service', apiVersion: 'v1', metadata: { name, creationTimestamp: nullTs, ...(labels ? { labels } : {}) }, spec: svcSpec, status: { loadBalancer: {} } };
  const dry = dryRunOf(f, flags);
  const m = { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true };
  if (dry !== 'client') {
    svc = await f.client().requestJSON<KubeObject>({ method: 'POST', path: collectionPath(m, t!.namespace), body: svc, query: { fieldManager: flags.str('field-manager', 'kubectl-expose'), ...(dry === 'server' ? { dryRun: 'All' } : {}) } });
  }
  printResult(f, flags, m, svc, 'exposed', dry, true);
  return 0;
}

// ---- set image / env ----

/** podSpecOf returns the pod spec inside a workload (or the pod itself), or undefined. */
function podSpecOf(obj: KubeObject): Obj | undefined {
  const spec = obj['spec'] as Obj | undefined;
  if (!spec) return undefined;
  if (obj.kind === 'Pod') return spec;
  if (obj.kind === 'CronJob') return (((spec['jobTemplate'] as Obj)?.['spec'] as Obj)?.['template'] as Obj)?.['spec'] as Obj;
  return (spec['template'] as Obj)?.['spec'] as Obj;
}

const SET_FLAGS: FlagSpecs = { ...OUTPUT_FLAGS, ...DRY_RUN_FLAG, all: { type: 'bool' }, selector: { type: 'string', short: 'l' }, filename: { type: 'array', short: 'f' }, local: { type: 'bool' }, containers: { type: 'string', short: 'c' }, env: { type: 'array', short: 'e' }, 'field-manager': { type: 'string' }, list: { type: 'bool' }, resolve: { type: 'bool' }, overwrite: { type: 'bool' }, from: { type: 'string' }, prefix: { type: 'string' }, keys: { type: 'array' }, 'all-namespaces': { type: 'bool', short: 'A' } };

async function runSet(f: Factory, flags: Flags, args: string[], what: 'image' | 'env'): Promise<number> {
  const isChange = (a: string): boolean => a.includes('=') || (what === 'env' && a.endsWith('-'));
  const resArgs = args.filter((a) => !isChange(a));
  const changes = [...args.filter(isChange), ...(what === 'env' ? flags.list('env') : [])];
  if (changes.length === 0) throw new CmdError(what === 'image' ? 'at least one image update is required' : 'at least one environment variable must be provided');
  const dry = dryRunOf(f, flags);
  const targets = await namedTargets(f, flags, resArgs, `set ${what}`);
  let failed = false;
  for (const t of targets) {
    const obj = await getOne(f, t);
    const modified = structuredClone(obj);
    const ps = podSpecOf(modified);
    if (!ps) throw new CmdError(`${kindPrefix(t.mapping)}/${t.name} has no pod template`);
    const containers = [...((ps['initContainers'] as Obj[]) ?? []), ...((ps['containers'] as Obj[]) ?? [])];
    if (what === 'image') {
      for (const ch of changes) {
        const i = ch.indexOf('=');
        const cname = ch.slice(0, i);
        const image = ch.slice(i + 1);
        const matched = containers.filter((c) => cname === '*' || c['name'] === cname);
        if (matched.length === 0) {
          f.io.err(`error: unable to find container named "${cname}"\n`);
          failed = true;
          continue;
        }
        for (const c of matched) c['image'] = image;
      }
    } else {
      const sel = flags.str('containers', '*');
      for (const c of (ps['containers'] as Obj[]) ?? []) {
        if (sel !== '*' && c['name'] !== sel) continue;
        let env = ((c['env'] as Obj[]) ?? []).slice();
        for (const ch of changes) {
          if (ch.endsWith('-') && !ch.includes('=')) env = env.filter((e) => e['name'] !== ch.slice(0, -1));
          else {
            const i = ch.indexOf('=');
            const name = ch.slice(0, i);
            const value = ch.slice(i + 1);
            const existing = env.find((e) => e['name'] === name);
            if (existing) {
              existing['value'] = value;
              delete existing['valueFrom'];
            } else env.push({ name, value });
          }
        }
        if (env.length > 0) c['env'] = env;
        else delete c['env'];
      }
    }
    const gvk = { group: t.mapping.group, version: t.mapping.version, kind: t.mapping.kind };
    const patch = (await patchLib()).createTwoWayMergePatch(obj, modified, gvk);
    let result = modified;
    if (Object.keys(patch).length > 0 && dry !== 'client') result = await patchObj(f, t, t.name!, patch, 'strategic', flags.str('field-manager', 'kubectl-set'), dry);
    printResult(f, flags, t.mapping, result, `${what} updated`, dry);
  }
  return failed ? 1 : 0;
}

// ---- rollout ----

const ROLLOUT_FLAGS: FlagSpecs = { ...OUTPUT_FLAGS, ...DRY_RUN_FLAG, filename: { type: 'array', short: 'f' }, selector: { type: 'string', short: 'l' }, revision: { type: 'int' }, watch: { type: 'bool', short: 'w' }, timeout: { type: 'string' }, 'to-revision': { type: 'int' }, 'field-manager': { type: 'string' } };

async function ownedReplicaSets(f: Factory, d: KubeObject): Promise<KubeObject[]> {
  const list = await f.client().requestJSON<{ items: KubeObject[] }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${d.metadata?.namespace}/replicasets` });
  return list.items.filter((rs) => (rs.metadata?.ownerReferences ?? []).some((r) => r.uid === d.metadata?.uid && r.controller));
}

/** revisionOf reads a Deployment or ReplicaSet revision as upstream's int64 (0 when missing or malformed). */
const revisionOf = (o: KubeObject): bigint => parseRevision(o.metadata?.annotations?.[REVISION_ANNOTATION]);
const byRevision = (a: KubeObject, b: KubeObject): number => (revisionOf(a) < revisionOf(b) ? -1 : revisionOf(a) > revisionOf(b) ? 1 : 0);

function parseTimeout(s: string, dflt: number): number {
  if (!s) return dflt;
  const m = /^(\d+)(ms|s|m|h)?$/.exec(s);
  if (!m) throw new CmdError(`invalid timeout value ${s}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : m[2] === 'h' ? n * 3_600_000 : n * 1000;
}

async function runRollout(f: Factory, flags: Flags, args: string[], sub: string): Promise<number> {
  const targets = await namedTargets(f, flags, args, `rollout ${sub}`);
  const dry = dryRunOf(f, flags);
  let failed = false;
  for (const t of targets) {
    const obj = await getOne(f, t);
    const spec = (obj['spec'] ?? {}) as Obj;
    const gr = groupResource(t.mapping);
    switch (sub) {
      case 'pause':
      case 'resume': {
        if (t.mapping.kind !== 'Deployment') throw new CmdError(`${kindPrefix(t.mapping)}/${t.name} is not supported by ${sub}`);
        const paused = spec['paused'] === true;
        if (sub === 'pause' && paused) {
          f.io.err(`error: ${gr} "${t.name}" is already paused\n`);
          failed = true;
          continue;
        }
        if (sub === 'resume' && !paused) {
          f.io.err(`error: ${gr} "${t.name}" is not paused\n`);
          failed = true;
          continue;
        }
        const r = dry === 'client' ? obj : await patchObj(f, t, t.name!, { spec: { paused: sub === 'pause' ? true : null } }, 'strategic', flags.str('field-manager', 'kubectl-rollout'), dry);
        printResult(f, flags, t.mapping, r, sub === 'pause' ? 'paused' : 'resumed', dry);
        break;
      }
      case 'restart': {
        if (spec['paused'] === true) {
          f.io.err(`error: ${kindPrefix(t.mapping)}/${t.name} is paused, run 'kubectl rollout resume ${kindPrefix(t.mapping)}/${t.name}' first\n`);
          failed = true;
          continue;
        }
        const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const r = dry === 'client' ? obj : await patchObj(f, t, t.name!, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } }, 'strategic', flags.str('field-manager', 'kubectl-rollout'), dry);
        printResult(f, flags, t.mapping, r, 'restarted', dry);
        break;
      }
      case 'history': {
        const rss = t.mapping.kind === 'Deployment' ? await ownedReplicaSets(f, obj) : [];
        f.io.out(`${kindPrefix(t.mapping)}/${t.name} \n`);
        if (rss.length === 0) {
          f.io.out('No rollout history found.\n');
          break;
        }
        const rev = flags.int('revision', 0);
        const sorted = rss.sort(byRevision);
        if (rev > 0) {
          const rs = sorted.find((r) => revisionOf(r) === BigInt(rev));
          if (!rs) throw new CmdError(`unable to find the specified revision`);
          f.io.out(`Pod Template:\n`);
          break;
        }
        const rows = [['REVISION', 'CHANGE-CAUSE'], ...sorted.map((r) => [String(revisionOf(r)), r.metadata?.annotations?.['kubernetes.io/change-cause'] ?? '<none>'])];
        f.io.out(goTabwriter(rows.map((r) => r.join('\t') + '\n').join(''), 0, 2) + '\n');
        break;
      }
      case 'undo': {
        if (t.mapping.kind !== 'Deployment') throw new CmdError(`no rollbacker has been implemented for ${t.mapping.kind}`);
        const rss = (await ownedReplicaSets(f, obj)).sort((a, b) => byRevision(b, a));
        const want = flags.int('to-revision', 0);
        const current = revisionOf(obj);
        const target = want > 0 ? rss.find((r) => revisionOf(r) === BigInt(want)) : rss.find((r) => revisionOf(r) !== current);
        if (!target) throw new CmdError(want > 0 ? `unable to find specified revision ${want} in history` : 'no rollout history found for deployment "' + t.name + '"');
        const tpl = structuredClone((target['spec'] as Obj)['template']) as Obj;
        const labels = ((tpl['metadata'] as Obj)?.['labels'] ?? {}) as Record<string, string>;
        delete labels['pod-template-hash'];
        const r = await f.client().requestJSON<KubeObject>({
          method: 'PATCH',
          path: objectPath(t.mapping, t.namespace, t.name!),
          contentType: 'application/json-patch+json',
          body: [{ op: 'replace', path: '/spec/template', value: tpl }],
          query: { fieldManager: 'kubectl-rollout', ...(dry === 'server' ? { dryRun: 'All' } : {}) },
        });
        printResult(f, flags, t.mapping, r, 'rolled back', dry);
        break;
      }
      case 'status': {
        const deadline = Date.now() + parseTimeout(flags.str('timeout'), 3_600_000);
        const watch = flags.bool('watch', true);
        let last = '';
        for (;;) {
          const d = await getOne(f, t);
          const s = (d['status'] ?? {}) as Obj;
          const sp = (d['spec'] ?? {}) as Obj;
          const want = Number(sp['replicas'] ?? 1);
          const updated = Number(s['updatedReplicas'] ?? 0);
          const replicas = Number(s['replicas'] ?? 0);
          const available = Number(s['availableReplicas'] ?? 0);
          let msg: string;
          let done = false;
          if (Number(d.metadata?.generation ?? 0) > Number(s['observedGeneration'] ?? 0)) msg = 'Waiting for deployment spec update to be observed...\n';
          else if (updated < want) msg = `Waiting for deployment "${t.name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...\n`;
          else if (replicas > updated) msg = `Waiting for deployment "${t.name}" rollout to finish: ${replicas - updated} old replicas are pending termination...\n`;
          else if (available < updated) msg = `Waiting for deployment "${t.name}" rollout to finish: ${available} of ${updated} updated replicas are available...\n`;
          else {
            msg = `deployment "${t.name}" successfully rolled out\n`;
            done = true;
          }
          if (msg !== last) f.io.out(msg);
          last = msg;
          if (done || !watch) break;
          if (Date.now() > deadline) throw new CmdError('timed out waiting for the condition');
          await new Promise((r) => setTimeout(r, 500));
        }
        break;
      }
      default:
        throw new CmdError(`unknown command "${sub}" for "kubectl rollout"`);
    }
  }
  return failed ? 1 : 0;
}

// ---- edit ----

const EDIT_HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

async function runEdit(f: Factory, flags: Flags, args: string[]): Promise<number> {
  const targets = await namedTargets(f, flags, args, 'edit');
  const editor = f.io.env['KUBE_EDITOR'] || f.io.env['EDITOR'] || 'vi';
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-edit-'));
  try {
    let failed = false;
    for (const t of targets) {
      const original = stripManaged(await getOne(f, t), flags);
      const fmt = flags.str('output') === 'json' ? 'json' : 'yaml';
      const file = join(dir, `${t.name}.${fmt}`);
      writeFileSync(file, EDIT_HEADER + (fmt === 'json' ? JSON.stringify(original, null, 4) + '\n' : toYAML(original)));
      const r = spawnSync('sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env: f.io.env });
      if (r.status !== 0) throw new CmdError(`there was a problem with the editor "${editor}"`);
      const text = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n');
      if (text.trim() === '') {
        f.io.err('Edit cancelled, no changes made.\n');
        continue;
      }
      const edited = parseYaml(text) as KubeObject;
      if (jsonEqual(edited, original)) {
        f.io.err('Edit cancelled, no changes made.\n');
        continue;
      }
      const gvk = { group: t.mapping.group, version: t.mapping.version, kind: t.mapping.kind };
      const patch = (await patchLib()).createTwoWayMergePatch(original, edited, gvk);
      try {
        const res = await patchObj(f, t, t.name!, patch, 'strategic', flags.str('field-manager', 'kubectl-edit'));
        printResult(f, flags, t.mapping, res, 'edited', 'none');
      } catch (err) {
        if (!(err instanceof StatusError)) throw err;
        f.io.err(statusLine(err) + '\n');
        failed = true;
      }
    }
    return failed ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- auth can-i ----

async function runCanI(f: Factory, flags: Flags, args: string[]): Promise<number> {
  if (flags.bool('list')) {
    if (args.length > 0) throw new CmdError('list option must be specified with no arguments');
    const review = await f.client().requestJSON<{ status?: RulesReviewStatus }>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      body: { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { namespace: flags.bool('all-namespaces') ? '' : f.namespace().namespace }, status: { resourceRules: null, nonResourceRules: null, incomplete: false } },
    });
    const status = review.status ?? {};
    if (status.incomplete) f.io.err(`warning: the list may be incomplete: ${status.evaluationError ?? ''}\n`);
    f.io.out(formatRules(status, flags.bool('no-headers')));
    return 0;
  }
  const [verb, res, sub] = args;
  if (!verb || !res) throw new CmdError('you must specify two arguments: verb resource or verb resource/resourceName.');
  const { namespace } = f.namespace();
  const attrs: Obj = {};
  if (res.startsWith('/')) {
    Object.assign(attrs, { nonResourceAttributes: { path: res, verb } });
  } else {
    const [type, name] = res.split('/');
    const d = await f.discovery();
    const m = type === '*' ? undefined : d.resolve(type!);
    const ra: Obj = { verb, resource: m ? m.resource : type };
    if (!flags.bool('all-namespaces')) ra['namespace'] = namespace;
    if (m?.group) ra['group'] = m.group;
    if (name) ra['name'] = name;
    if (flags.str('subresource') || sub) ra['subresource'] = flags.str('subresource') || sub;
    if (!m && type !== '*') f.io.err(`Warning: the server doesn't have a resource type '${type}'\n`);
    attrs['resourceAttributes'] = ra;
  }
  const review = await f.client().requestJSON<{ status?: { allowed?: boolean; reason?: string } }>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: attrs, status: { allowed: false } },
  });
  const allowed = review.status?.allowed === true;
  if (!flags.bool('quiet')) f.io.out(allowed ? 'yes\n' : review.status?.reason ? `no - ${review.status.reason}\n` : 'no\n');
  return allowed ? 0 : 1;
}

// ---- nodes ----

async function runCordon(f: Factory, flags: Flags, args: string[], unschedulable: boolean): Promise<number> {
  const dry = dryRunOf(f, flags);
  const d = await f.discovery();
  const m = d.resolve('nodes')!;
  const names = args.length > 0 ? args : (await fetchObjects(f, { mapping: m, namespace: undefined }, { labelSelector: flags.str('selector') || undefined })).map((n) => n.metadata?.name ?? '');
  for (const name of names) {
    const t: Target = { mapping: m, namespace: undefined, name };
    const node = await getOne(f, t);
    const cur = ((node['spec'] ?? {}) as Obj)['unschedulable'] === true;
    const verb = unschedulable ? 'cordoned' : 'uncordoned';
    if (cur === unschedulable) {
      f.io.out(`node/${name} already ${verb}\n`);
      continue;
    }
    if (dry !== 'client') await patchObj(f, t, name, { spec: { unschedulable: unschedulable ? true : null } }, 'strategic', 'kubectl-cordon', dry);
    f.io.out(`node/${name} ${verb}${dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : ''}\n`);
  }
  return 0;
}

async function runDrain(f: Factory, flags: Flags, args: string[]): Promise<number> {
  await runCordon(f, flags, args, true);
  const c = f.client();
  for (const name of args) {
    const pods = (await c.requestJSON<{ items: KubeObject[] }>({ method: 'GET', path: '/api/v1/pods', query: { fieldSelector: `spec.nodeName=${name}` } })).items;
    const daemon = pods.filter((p) => (p.metadata?.ownerReferences ?? []).some((r) => r.kind === 'DaemonSet'));
    if (daemon.length > 0 && !flags.bool('ignore-daemonsets')) {
      throw new CmdError(`unable to drain node "${name}" due to error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemon.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).join(', ')}, continuing command...`);
    }
    if (daemon.length > 0) f.io.err(`Warning: ignoring DaemonSet-managed Pods: ${daemon.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).join(', ')}\n`);
    const evict = pods.filter((p) => !daemon.includes(p) && !['Succeeded', 'Failed'].includes(String((p['status'] as Obj | undefined)?.['phase'])));
    for (const p of evict) {
      f.io.out(`evicting pod ${p.metadata?.namespace}/${p.metadata?.name}\n`);
      await c.requestJSON({ method: 'POST', path: `/api/v1/namespaces/${p.metadata?.namespace}/pods/${p.metadata?.name}/eviction`, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace } } });
    }
    for (const p of evict) f.io.out(`pod/${p.metadata?.name} evicted\n`);
    f.io.out(`node/${name} drained\n`);
  }
  return 0;
}

async function runTaint(f: Factory, flags: Flags, args: string[]): Promise<number> {
  const [type, ...rest] = args;
  if (!type) throw new CmdError('at least one taint update is required');
  const isTaint = (a: string): boolean => a.includes(':') || a.includes('=') || a.endsWith('-');
  const names = rest.filter((a) => !isTaint(a));
  const specs = rest.filter(isTaint);
  if (specs.length === 0) throw new CmdError('at least one taint update is required');
  const d = await f.discovery();
  const m = d.resolve(type.split('/')[0]!);
  if (!m || m.kind !== 'Node') throw new CmdError(`invalid resource type ${type}, only node types are supported`);
  const nodeNames = type.includes('/') ? [type.split('/')[1]!, ...names] : names;
  for (const name of nodeNames) {
    const t: Target = { mapping: m, namespace: undefined, name };
    const node = await getOne(f, t);
    let taints = ((((node['spec'] ?? {}) as Obj)['taints'] as Obj[]) ?? []).slice();
    let removed = false;
    for (const s of specs) {
      if (s.endsWith('-')) {
        const body = s.slice(0, -1);
        const [kv, effect] = body.split(':');
        const key = kv!.split('=')[0];
        const before = taints.length;
        taints = taints.filter((x) => !(x['key'] === key && (!effect || x['effect'] === effect)));
        if (taints.length === before) throw new CmdError(`taint ${JSON.stringify(body)} not found`);
        removed = true;
      } else {
        const [kv, effect] = s.split(':');
        const [key, value] = kv!.split('=');
        const exists = taints.find((x) => x['key'] === key && x['effect'] === effect);
        if (exists && !flags.bool('overwrite')) throw new CmdError(`node ${name} already has ${key} taint(s) with same effect(s) and --overwrite is false`);
        taints = taints.filter((x) => !(x['key'] === key && x['effect'] === effect));
        const taint: Obj = { key };
        if (value) taint['value'] = value;
        taint['effect'] = effect;
        taints.push(taint);
      }
    }
    await patchObj(f, t, name, { spec: { taints: taints.length > 0 ? taints : null } }, 'merge', 'kubectl-taint');
    f.io.out(`node/${name} ${removed && specs.every((s) => s.endsWith('-')) ? 'untainted' : 'tainted'}\n`);
  }
  return 0;
}

// ---- logs ----

const LOGS_FLAGS: FlagSpecs = {
  container: { type: 'string', short: 'c' },
  follow: { type: 'bool', short: 'f' },
  previous: { type: 'bool', short: 'p' },
  tail: { type: 'int' },
  timestamps: { type: 'bool' },
  'since-time': { type: 'string' },
  since: { type: 'string' },
  'limit-bytes': { type: 'int' },
  'all-containers': { type: 'bool' },
  selector: { type: 'string', short: 'l' },
  prefix: { type: 'bool' },
  'pod-running-timeout': { type: 'string' },
  'ignore-errors': { type: 'bool' },
  'max-log-requests': { type: 'int' },
  'insecure-skip-tls-verify-backend': { type: 'bool' },
};

async function runLogs(f: Factory, flags: Flags, args: string[]): Promise<number> {
  const { namespace } = f.namespace();
  const c = f.client();
  let pods: KubeObject[];
  if (flags.str('selector')) {
    pods = (await c.requestJSON<{ items: KubeObject[] }>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods`, query: { labelSelector: flags.str('selector') } })).items;
  } else {
    const arg = args[0];
    if (!arg) throw new CmdError("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples", 1);
    if (arg.includes('/')) {
      const [t] = await namedTargets(f, flags, [arg], 'logs');
      const obj = await getOne(f, t!);
      if (t!.mapping.kind === 'Pod') pods = [obj];
      else {
        const sel = ((((obj['spec'] ?? {}) as Obj)['selector'] ?? {}) as Obj)['matchLabels'] as Record<string, string> | undefined;
        const ls = Object.entries(sel ?? ((obj['spec'] as Obj)?.['selector'] as Record<string, string>) ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
        const all = (await c.requestJSON<{ items: KubeObject[] }>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods`, query: { labelSelector: ls } })).items;
        if (all.length === 0) throw new CmdError(`timed out waiting for the condition`);
        pods = [all.sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)))[0]!];
      }
    } else pods = [await c.requestJSON<KubeObject>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods/${arg}` })];
    if (args[1] && !flags.str('container')) flags.parsed.flags.set('container', [args[1]]);
  }
  for (const pod of pods) {
    const containers = (((pod['spec'] ?? {}) as Obj)['containers'] as Obj[]) ?? [];
    let names: string[];
    if (flags.bool('all-containers')) names = containers.map((x) => String(x['name']));
    else if (flags.str('container')) names = [flags.str('container')];
    else {
      const dflt = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
      if (containers.length > 1 && !dflt) f.io.err(`Defaulted container "${String(containers[0]!['name'])}" out of: ${containers.map((x) => String(x['name'])).join(', ')}\n`);
      names = [dflt ?? String(containers[0]?.['name'] ?? '')];
    }
    const known = ['containers', 'initContainers', 'ephemeralContainers'].flatMap((k) => (((pod['spec'] ?? {}) as Obj)[k] as Obj[] | undefined) ?? []).map((x) => String(x['name']));
    for (const cn of names) if (!known.includes(cn)) throw new CmdError(`container ${cn} is not valid for pod ${pod.metadata?.name}`);
    for (const cn of names) {
      const query = {
        container: cn,
        follow: flags.bool('follow') ? 'true' : undefined,
        previous: flags.bool('previous') ? 'true' : undefined,
        timestamps: flags.bool('timestamps') ? 'true' : undefined,
        tailLines: flags.has('tail') && flags.int('tail', -1) >= 0 ? flags.int('tail', -1) : undefined,
        limitBytes: flags.has('limit-bytes') ? flags.int('limit-bytes', 0) : undefined,
        sinceSeconds: flags.str('since') ? Math.ceil(parseTimeout(flags.str('since'), 0) / 1000) : undefined,
        sinceTime: flags.str('since-time') || undefined,
      };
      const path = `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/log`;
      const prefix = flags.bool('prefix') ? `[pod/${pod.metadata?.name}/${cn}] ` : '';
      const body = await c.stream({ path, query });
      let pending = '';
      for await (const chunk of body) {
        const s = pending + (typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'));
        if (!prefix) {
          f.io.out(s);
          continue;
        }
        const lines = s.split('\n');
        pending = lines.pop() ?? '';
        for (const l of lines) f.io.out(prefix + l + '\n');
      }
      if (pending) f.io.out(prefix + pending);
    }
  }
  return 0;
}

// ---- wait ----

async function runWait(f: Factory, flags: Flags, args: string[]): Promise<number> {
  const cond = flags.str('for');
  if (!cond) throw new CmdError('--for must be specified');
  const { targets } = await buildTargets(f, args, { filenames: flags.list('filename'), allNamespaces: flags.bool('all-namespaces'), verb: 'wait' });
  const deadline = Date.now() + parseTimeout(flags.str('timeout'), 30_000);
  const items: Array<{ t: Target; name: string; ns: string | undefined }> = [];
  for (const t of targets) {
    if (t.name !== undefined) items.push({ t, name: t.name, ns: t.namespace });
    else for (const o of await fetchObjects(f, t, { labelSelector: flags.str('selector') || undefined })) items.push({ t, name: o.metadata?.name ?? '', ns: o.metadata?.namespace });
  }
  if (items.length === 0) throw new CmdError('no matching resources found');
  const seen = new Set<(typeof items)[number]>();
  for (const it of items) {
    for (;;) {
      let obj: KubeObject | undefined;
      try {
        obj = await f.client().requestJSON<KubeObject>({ method: 'GET', path: objectPath(it.t.mapping, it.ns, it.name) });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
      let met = false;
      if (cond === 'delete' && obj === undefined && !seen.has(it)) break; // never existed: kubectl prints nothing
      if (obj) seen.add(it);
      if (cond === 'delete') met = obj === undefined;
      else if (!obj) {
        if (cond.startsWith('condition=') || cond.startsWith('jsonpath=')) throw new StatusError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: `${groupResource(it.t.mapping)} "${it.name}" not found` });
      } else if (cond.startsWith('condition=')) {
        const spec = cond.slice('condition='.length);
        const [ctype, want = 'true'] = spec.split('=');
        const conds = ((((obj['status'] ?? {}) as Obj)['conditions']) as Obj[]) ?? [];
        met = conds.some((c) => String(c['type']).toLowerCase() === ctype!.toLowerCase() && String(c['status']).toLowerCase() === want.toLowerCase());
      } else if (cond.startsWith('jsonpath=')) {
        const spec = cond.slice('jsonpath='.length);
        const i = spec.lastIndexOf('=');
        const path = i > 0 ? spec.slice(0, i) : spec;
        const want = i > 0 ? spec.slice(i + 1) : undefined;
        const { jsonpathTemplate } = await import('./printers.js');
        const got = jsonpathTemplate(path.startsWith('{') ? path : `{${path}}`, obj);
        met = want === undefined ? got !== '' : got === want;
      } else if (cond.startsWith('create')) met = true;
      else throw new CmdError(`unrecognized condition: "${cond}"`);
      if (met) {
        f.io.out(`${kindPrefix(it.t.mapping)}/${it.name} condition met\n`);
        break;
      }
      if (Date.now() > deadline) {
        throw new CmdError(`timed out waiting for the condition on ${it.t.mapping.resource}/${it.name}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return 0;
}

// ---- events ----

async function runEvents(f: Factory, flags: Flags): Promise<number> {
  const { namespace } = f.namespace();
  const all = flags.bool('all-namespaces');
  const list = await f.client().requestJSON<{ items: Obj[] }>({ method: 'GET', path: all ? '/api/v1/events' : `/api/v1/namespaces/${namespace}/events` });
  const types = flags.list('types');
  const items = list.items.filter((e) => types.length === 0 || types.includes(String(e['type'])));
  if (items.length === 0) {
    f.io.err(all ? 'No events found.\n' : `No events found in ${namespace} namespace.\n`);
    return 0;
  }
  const ts = (e: Obj): number => Date.parse(String(e['lastTimestamp'] ?? e['eventTime'] ?? (e['metadata'] as Obj)?.['creationTimestamp'] ?? ''));
  items.sort((a, b) => ts(a) - ts(b));
  const now = Date.now();
  const rows: string[][] = [[...(all ? ['NAMESPACE'] : []), 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']];
  for (const e of items) {
    const io = (e['involvedObject'] ?? {}) as Obj;
    const secs = Math.max(0, Math.floor((now - ts(e)) / 1000));
    const age = secs < 120 ? `${secs}s` : secs < 3600 ? `${Math.floor(secs / 60)}m` : `${Math.floor(secs / 3600)}h`;
    rows.push([...(all ? [String((e['metadata'] as Obj)?.['namespace'] ?? '')] : []), age, String(e['type'] ?? ''), String(e['reason'] ?? ''), `${String(io['kind'] ?? '').toLowerCase()}/${String(io['name'] ?? '')}`, String(e['message'] ?? '').trim()]);
  }
  f.io.out(tabwrite(rows));
  return 0;
}

// ---- autoscale ----

async function runAutoscale(f: Factory, flags: Flags, args: string[]): Promise<number> {
  checkOutputFormat(flags.str('output'), undefined, flags);
  const targets = await namedTargets(f, flags, args, 'autoscale');
  const dry = dryRunOf(f, flags);
  for (const t of targets) {
    if (!flags.has('max')) throw new CmdError('--max=MAXPODS is required and must be at least 1, max: -1');
    const name = flags.str('name') || t.name!;
    const spec: Obj = {
      scaleTargetRef: { kind: t.mapping.kind, name: t.name, apiVersion: t.mapping.group ? `${t.mapping.group}/${t.mapping.version}` : t.mapping.version },
      ...(flags.has('min') ? { minReplicas: flags.int('min', 1) } : {}),
      maxReplicas: flags.int('max', 0),
    };
    if (flags.has('cpu-percent') && flags.int('cpu-percent', -1) >= 0) {
      spec['metrics'] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: flags.int('cpu-percent', 80) } } }];
    }
    let hpa: KubeObject = { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', metadata: { name, creationTimestamp: nullTs }, spec, status: { currentMetrics: null, desiredReplicas: 0 } };
    const m = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true };
    if (dry !== 'client') hpa = await f.client().requestJSON<KubeObject>({ method: 'POST', path: collectionPath(m, t.namespace), body: hpa, query: { fieldManager: 'kubectl-autoscale', ...(dry === 'server' ? { dryRun: 'All' } : {}) } });
    printResult(f, flags, m, hpa, 'autoscaled', dry, true);
  }
  return 0;
}

const NODE_FLAGS: FlagSpecs = { ...DRY_RUN_FLAG, selector: { type: 'string', short: 'l' }, 'ignore-daemonsets': { type: 'bool' }, 'delete-emptydir-data': { type: 'bool' }, force: { type: 'bool' }, 'grace-period': { type: 'int' }, timeout: { type: 'string' }, 'disable-eviction': { type: 'bool' }, 'pod-selector': { type: 'string' }, 'skip-wait-for-delete-timeout': { type: 'int' }, 'chunk-size': { type: 'int' } };


export const MORE_COMMANDS: Record<string, Command> = {
  run: { flags: RUN_FLAGS, run: runRun },
  expose: { flags: EXPOSE_FLAGS, run: (f, flags, args) => runExpose(f, flags, args) },
  set: {
    sub: {
      image: { flags: SET_FLAGS, run: (f, flags, args) => runSet(f, flags, args, 'image') },
      env: { flags: SET_FLAGS, run: (f, flags, args) => runSet(f, flags, args, 'env') },
    },
  },
  rollout: { sub: Object.fromEntries(['status', 'history', 'undo', 'restart', 'pause', 'resume'].map((s) => [s, { flags: ROLLOUT_FLAGS, run: (f: Factory, flags: Flags, args: string[]) => runRollout(f, flags, args, s) } satisfies Command])) },
  edit: { flags: { ...OUTPUT_FLAGS, filename: { type: 'array', short: 'f' }, 'field-manager': { type: 'string' }, 'save-config': { type: 'bool' }, validate: { type: 'string', noOptDefVal: 'strict' }, 'windows-line-endings': { type: 'bool' }, 'output-patch': { type: 'bool' }, subresource: { type: 'string' } }, run: (f, flags, args) => runEdit(f, flags, args) },
  auth: { sub: { 'can-i': { flags: { 'all-namespaces': { type: 'bool', short: 'A' }, quiet: { type: 'bool', short: 'q' }, subresource: { type: 'string' }, list: { type: 'bool' }, 'no-headers': { type: 'bool' } }, run: (f, flags, args) => runCanI(f, flags, args) } } },
  cordon: { flags: NODE_FLAGS, run: (f, flags, args) => runCordon(f, flags, args, true) },
  uncordon: { flags: NODE_FLAGS, run: (f, flags, args) => runCordon(f, flags, args, false) },
  drain: { flags: NODE_FLAGS, run: (f, flags, args) => runDrain(f, flags, args) },
  taint: { flags: { ...DRY_RUN_FLAG, overwrite: { type: 'bool' }, all: { type: 'bool' }, selector: { type: 'string', short: 'l' }, output: { type: 'string', short: 'o' } }, run: (f, flags, args) => runTaint(f, flags, args) },
  logs: { flags: LOGS_FLAGS, run: (f, flags, args) => runLogs(f, flags, args) },
  wait: { flags: { for: { type: 'string' }, timeout: { type: 'string' }, 'all-namespaces': { type: 'bool', short: 'A' }, selector: { type: 'string', short: 'l' }, filename: { type: 'array', short: 'f' }, all: { type: 'bool' }, output: { type: 'string', short: 'o' }, 'field-selector': { type: 'string' }, local: { type: 'bool' } }, run: (f, flags, args) => runWait(f, flags, args) },
  events: { flags: { 'all-namespaces': { type: 'bool', short: 'A' }, types: { type: 'array' }, for: { type: 'string' }, watch: { type: 'bool', short: 'w' }, output: { type: 'string', short: 'o' }, 'no-headers': { type: 'bool' }, 'chunk-size': { type: 'int' } }, run: (f, flags) => runEvents(f, flags) },
  top: {
    sub: Object.fromEntries(
      ['node', 'nodes', 'no', 'pod', 'pods', 'po'].map((s) => [
        s,
        {
          flags: { 'all-namespaces': { type: 'bool', short: 'A' }, selector: { type: 'string', short: 'l' }, containers: { type: 'bool' }, 'no-headers': { type: 'bool' }, 'sort-by': { type: 'string' }, 'use-protocol-buffers': { type: 'bool' }, 'show-capacity': { type: 'bool' }, 'sum': { type: 'bool' } },
          run: async () => {
            throw new CmdError('Metrics API not available');
          },
        } satisfies Command,
      ]),
    ),
  },
  autoscale: { flags: { ...OUTPUT_FLAGS, ...DRY_RUN_FLAG, min: { type: 'int' }, max: { type: 'int' }, 'cpu-percent': { type: 'int' }, name: { type: 'string' }, filename: { type: 'array', short: 'f' } }, run: (f, flags, args) => runAutoscale(f, flags, args) },
  exec: { flags: EXEC_FLAGS, run: (f, flags, args, afterDash) => runExec(f, flags, args, afterDash, 'exec') },
  attach: { flags: EXEC_FLAGS, run: (f, flags, args) => runExec(f, flags, args, undefined, 'attach') },
  'port-forward': { flags: { address: { type: 'array' }, 'pod-running-timeout': { type: 'string' } }, run: (f, flags, args) => runPortForward(f, flags, args) },
  cp: { flags: CP_FLAGS, run: (f, flags, args) => runCp(f, flags, args) },
};
