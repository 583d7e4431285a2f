/**
 * The writing verbs: create -f, apply (client-side, last-applied three-way merge), replace,
 * delete, patch, label, annotate, scale. Messages, dry-run suffixes and errors as kubectl.
 */
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { Flags, type FlagSpecs } from './args.js';
import { collectionPath, kindPrefix, objectPath, type Mapping } from './discovery.js';
import { CmdError, type Factory } from './factory.js';
import { OUTPUT_FLAGS, checkOutputFormat, printObjects } from './output.js';
import { buildTargets, fetchObjects, type Target } from './resources.js';
import { goJSON } from './printers.js';

/** patchLib loads src/api/patch on first use: its OpenAPI definitions are large, and most verbs never compute a patch. */
export const patchLib = (): Promise<typeof import('../api/patch/index.js')> => import('../api/patch/index.js');

/** jsonEqual compares two JSON values structurally. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export const DRY_RUN_FLAG: FlagSpecs = { 'dry-run': { type: 'string', noOptDefVal: 'unchanged' } };

export type DryRun = 'none' | 'client' | 'server';

/** klogLine formats a klog line as kubectl writes warnings: `W1122 07:05:37.099516    8731 file:line] msg`. */
export function klogLine(severity: string, where: string, msg: string, now = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const ts = `${p(now.getMonth() + 1)}${p(now.getDate())} ${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}.${p(now.getMilliseconds() * 1000, 6)}`;
  return `${severity}${ts} ${String(process.pid).padStart(7)} ${where}] ${msg}\n`;
}

export function dryRunOf(f: Factory, flags: Flags): DryRun {
  const v = flags.str('dry-run', 'none');
  if (v === 'unchanged') {
    f.io.err(klogLine('W', 'helpers.go:702', '--dry-run is deprecated and can be replaced with --dry-run=client.'));
    return 'client';
  }
  if (v === 'client' || v === 'server' || v === 'none') return v;
  throw new CmdError(`Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
}

export const dryRunSuffix = (d: DryRun): string => (d === 'client' ? ' (dry run)' : d === 'server' ? ' (server dry run)' : '');
const dryQuery = (d: DryRun): Record<string, string> => (d === 'server' ? { dryRun: 'All' } : {});

const apiVersionOf = (m: Mapping): string => (m.group ? `${m.group}/${m.version}` : m.version);

/** fieldManager is kubectl's default manager name for each verb. */
const MANAGER: Record<string, string> = { create: 'kubectl-create', apply: 'kubectl-client-side-apply', replace: 'kubectl-replace', patch: 'kubectl-patch', label: 'kubectl-label', annotate: 'kubectl-annotate', scale: 'kubectl-scale', edit: 'kubectl-edit' };

/** statusLine formats a StatusError as kubectl's StandardErrorMessage. */
export function statusLine(err: StatusError, prefix = ''): string {
  if (err.reason === 'Invalid' && err.status.details?.causes && err.status.details.causes.length > 0) {
    const d = err.status.details;
    const head = d.kind || d.name ? `The ${d.kind ?? ''} "${d.name ?? ''}" is invalid` : 'The request is invalid';
    const causes = d.causes!.map((c) => `${c.field}: ${c.message}`);
    // The source prefix lives in the message, which kubectl does not print for Invalid.
    if (causes.length === 1) return `${head}: ${causes[0]}`;
    return `${head}: \n${causes.map((c) => `* ${c}`).join('\n')}`;
  }
  if (err.reason === 'Unauthorized') return `error: You must be logged in to the server (${err.message})`;
  return err.reason ? `Error from server (${err.reason}): ${prefix}${err.message}` : `Error from server: ${prefix}${err.message}`;
}

export const CREATE_FLAGS: FlagSpecs = {
  ...OUTPUT_FLAGS,
  ...DRY_RUN_FLAG,
  filename: { type: 'array', short: 'f' },
  recursive: { type: 'bool', short: 'R' },
  'save-config': { type: 'bool' },
  validate: { type: 'string', noOptDefVal: 'strict' },
  'field-manager': { type: 'string' },
  edit: { type: 'bool' },
  raw: { type: 'string' },
  selector: { type: 'string', short: 'l' },
  'windows-line-endings': { type: 'bool' },
  kustomize: { type: 'string', short: 'k' },
};

/**
 * ResultPrinter prints what create -f / apply / replace wrote: messages and `-o name` at once,
 * structured formats at the end (one object, or a List with empty metadata as kubectl).
 */
class ResultPrinter {
  private readonly objs: Array<{ m: Pick<Mapping, 'group' | 'kind'>; obj: KubeObject }> = [];
  constructor(
    private readonly f: Factory,
    private readonly flags: Flags,
  ) {}

  add(m: Pick<Mapping, 'group' | 'kind'>, obj: KubeObject, verb: string, dry: DryRun): void {
    const fmt = this.flags.str('output');
    if (fmt && fmt !== 'wide' && fmt !== 'name') this.objs.push({ m, obj });
    else printResult(this.f, this.flags, m, obj, verb, dry);
  }

  flush(): void {
    if (this.objs.length === 0) return;
    const byObj = new Map(this.objs.map((x) => [x.obj, x.m]));
    printObjects(this.f.io.out, this.flags.str('output'), this.objs.map((x) => x.obj), this.objs.length === 1, this.flags, (o) => byObj.get(o)!, false, {});
  }
}

/** printResult prints a written object: `-o` format, or `kind/name <verb>`. */
export function printResult(f: Factory, flags: Flags, m: Pick<Mapping, 'group' | 'kind'>, obj: KubeObject, verb: string, dry: DryRun, typed = false): void {
  const fmt = flags.str('output');
  if (fmt && fmt !== 'wide') {
    if (fmt === 'name') f.io.out(`${kindPrefix(m)}/${obj.metadata?.name ?? ''}\n`);
    else printObjects(f.io.out, fmt, [obj], true, flags, () => m, typed);
    return;
  }
  f.io.out(`${kindPrefix(m)}/${obj.metadata?.name ?? ''} ${verb}${dryRunSuffix(dry)}\n`);
}

function fieldValidation(flags: Flags): Record<string, string> {
  const v = flags.str('validate', 'strict');
  const map: Record<string, string> = { strict: 'Strict', true: 'Strict', warn: 'Warn', ignore: 'Ignore', false: 'Ignore' };
  return { fieldValidation: map[v] ?? 'Strict' };
}

/** withNamespace returns obj with the target's namespace set (what kubectl sends). */
function prepared(t: Target): KubeObject {
  const obj = structuredClone(t.obj!);
  if (t.mapping.namespaced && t.namespace) obj.metadata = { ...(obj.metadata ?? {}), namespace: t.namespace };
  return obj;
}

export async function runCreateFromFiles(f: Factory, flags: Flags, args: string[]): Promise<number> {
  checkOutputFormat(flags.str('output'), undefined, flags);
  const filenames = flags.list('filename');
  if (filenames.length === 0) {
    throw new CmdError('must specify one of -f and -k\n\n' + CREATE_USAGE, 1, false);
  }
  const dry = dryRunOf(f, flags);
  const { targets } = await buildTargets(f, args, { filenames, recursive: flags.bool('recursive'), verb: 'create' });
  const results = new ResultPrinter(f, flags);
  let failed = false;
  for (const t of targets) {
    let obj = prepared(t);
    if (flags.bool('save-config')) obj = withLastApplied(obj);
    try {
      if (dry !== 'client') {
        obj = await f.client().requestJSON<KubeObject>({
          method: 'POST',
          path: collectionPath(t.mapping, t.namespace),
          body: obj,
          query: { ...dryQuery(dry), fieldManager: flags.str('field-manager', MANAGER['create']), ...fieldValidation(flags) },
        });
      }
      results.add(t.mapping, obj, 'created', dry);
    } catch (err) {
      if (!(err instanceof StatusError)) throw err;
      f.io.err(statusLine(err, `error when creating "${sourceOf(t)}": `) + '\n');
      failed = true;
    }
  }
  results.flush();
  return failed ? 1 : 0;
}

const CREATE_USAGE = '';

/** SourcedError carries a server error with the `error when <verb> "<file>": ` prefix kubectl adds. */
class SourcedError extends Error {
  constructor(
    readonly status: StatusError,
    readonly prefix: string,
  ) {
    super(status.message, { cause: status });
  }
}

function sourceOf(t: Target): string {
  return t.source ?? 'STDIN';
}

/** withLastApplied sets the last-applied annotation as kubectl's GetModifiedConfiguration. */
export function withLastApplied(obj: KubeObject): KubeObject {
  const o = structuredClone(obj);
  const annotations = { ...(o.metadata?.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  o.metadata = { ...(o.metadata ?? {}), annotations };
  const text = goJSON(o) + '\n';
  o.metadata.annotations = { ...annotations, [LAST_APPLIED]: text };
  return o;
}

export const APPLY_FLAGS: FlagSpecs = {
  ...CREATE_FLAGS,
  force: { type: 'bool' },
  'server-side': { type: 'bool' },
  'force-conflicts': { type: 'bool' },
  overwrite: { type: 'bool' },
  prune: { type: 'bool' },
  all: { type: 'bool' },
  wait: { type: 'bool' },
  timeout: { type: 'string' },
  'grace-period': { type: 'int' },
  cascade: { type: 'string', noOptDefVal: 'background' },
  'openapi-patch': { type: 'bool' },
};

export async function runApply(f: Factory, flags: Flags, args: string[]): Promise<number> {
  checkOutputFormat(flags.str('output'), undefined, flags);
  const filenames = flags.list('filename');
  if (filenames.length === 0) throw new CmdError('error: must specify one of -f and -k', 1, true);
  const dry = dryRunOf(f, flags);
  const { targets } = await buildTargets(f, args, { filenames, recursive: flags.bool('recursive'), verb: 'apply' });
  const c = f.client();
  const results = new ResultPrinter(f, flags);
  let failed = false;
  for (const t of targets) {
    const name = t.name ?? '';
    const modified = withLastApplied(prepared(t));
    const serverSide = flags.bool('server-side');
    try {
      if (serverSide) {
        const obj = await c.requestJSON<KubeObject>({
          method: 'PATCH',
          path: objectPath(t.mapping, t.namespace, name),
          contentType: 'application/apply-patch+yaml',
          body: JSON.stringify(prepared(t)),
          query: { ...dryQuery(dry), fieldManager: flags.str('field-manager', 'kubectl'), force: flags.bool('force-conflicts') ? 'true' : undefined, ...fieldValidation(flags) },
        });
        results.add(t.mapping, obj, 'serverside-applied', dry);
        continue;
      }
      let current: KubeObject | undefined;
      try {
        current = await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, t.namespace, name) });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
      if (!current) {
        let obj = modified;
        if (dry !== 'client') {
          obj = await c.requestJSON<KubeObject>({
            method: 'POST',
            path: collectionPath(t.mapping, t.namespace),
            body: modified,
            query: { ...dryQuery(dry), fieldManager: flags.str('field-manager', MANAGER['apply']), ...fieldValidation(flags) },
          }).catch((err: unknown) => {
            throw err instanceof StatusError ? new SourcedError(err, `error when creating "${sourceOf(t)}": `) : err;
          });
        }
        results.add(t.mapping, obj, 'created', dry);
        continue;
      }
      const lastText = current.metadata?.annotations?.[LAST_APPLIED];
      if (lastText === undefined) {
        f.io.err(
          `Warning: resource ${t.mapping.resource}/${name} is missing the ${LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`,
        );
      }
      const original = lastText ? (JSON.parse(lastText) as KubeObject) : undefined;
      const gvk = { group: t.mapping.group, version: t.mapping.version, kind: t.mapping.kind };
      const { EMPTY_SCHEMA, createThreeWayMergePatch, patchSchemaForKind } = await patchLib();
      const builtin = patchSchemaForKind(gvk) !== EMPTY_SCHEMA;
      const patch = createThreeWayMergePatch(original, modified, current, gvk);
      if (Object.keys(patch).length === 0) {
        results.add(t.mapping, current, 'unchanged', dry);
        continue;
      }
      let obj = current;
      if (dry !== 'client') {
        obj = await c.requestJSON<KubeObject>({
          method: 'PATCH',
          path: objectPath(t.mapping, t.namespace, name),
          contentType: builtin ? 'application/strategic-merge-patch+json' : 'application/merge-patch+json',
          body: patch,
          query: { ...dryQuery(dry), fieldManager: flags.str('field-manager', MANAGER['apply']), ...fieldValidation(flags) },
        });
      }
      results.add(t.mapping, obj, 'configured', dry);
    } catch (err) {
      if (err instanceof SourcedError) f.io.err(statusLine(err.status, err.prefix) + '\n');
      else if (err instanceof StatusError) f.io.err(statusLine(err, `error when patching "${sourceOf(t)}": `) + '\n');
      else throw err;
      failed = true;
    }
  }
  results.flush();
  return failed ? 1 : 0;
}

export const REPLACE_FLAGS: FlagSpecs = { ...CREATE_FLAGS, force: { type: 'bool' }, cascade: { type: 'string', noOptDefVal: 'background' }, 'grace-period': { type: 'int' }, timeout: { type: 'string' }, wait: { type: 'bool' }, subresource: { type: 'string' } };

export async function runReplace(f: Factory, flags: Flags, args: string[]): Promise<number> {
  checkOutputFormat(flags.str('output'), undefined, flags);
  const filenames = flags.list('filename');
  if (filenames.length === 0) throw new CmdError('must specify --filename to replace');
  const dry = dryRunOf(f, flags);
  const { targets } = await buildTargets(f, args, { filenames, verb: 'replace' });
  const c = f.client();
  const results = new ResultPrinter(f, flags);
  let failed = false;
  for (const t of targets) {
    let obj = prepared(t);
    if (flags.bool('save-config')) obj = withLastApplied(obj);
    try {
      if (dry !== 'client') {
        if (!obj.metadata?.resourceVersion) {
          const cur = await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, t.namespace, t.name ?? '') });
          obj.metadata = { ...obj.metadata, resourceVersion: cur.metadata?.resourceVersion };
        }
        obj = await c.requestJSON<KubeObject>({ method: 'PUT', path: objectPath(t.mapping, t.namespace, t.name ?? ''), body: obj, query: { ...dryQuery(dry), fieldManager: flags.str('field-manager', MANAGER['replace']), ...fieldValidation(flags) } });
      }
      results.add(t.mapping, obj, 'replaced', dry);
    } catch (err) {
      if (!(err instanceof StatusError)) throw err;
      f.io.err(statusLine(err, `error when replacing "${sourceOf(t)}": `) + '\n');
      failed = true;
    }
  }
  results.flush();
  return failed ? 1 : 0;
}

export const DELETE_FLAGS: FlagSpecs = {
  ...DRY_RUN_FLAG,
  output: { type: 'string', short: 'o' },
  filename: { type: 'array', short: 'f' },
  recursive: { type: 'bool', short: 'R' },
  selector: { type: 'string', short: 'l' },
  'field-selector': { type: 'string' },
  all: { type: 'bool' },
  'all-namespaces': { type: 'bool', short: 'A' },
  'ignore-not-found': { type: 'bool' },
  cascade: { type: 'string', noOptDefVal: 'background' },
  'grace-period': { type: 'int' },
  now: { type: 'bool' },
  force: { type: 'bool' },
  wait: { type: 'bool' },
  timeout: { type: 'string' },
  interactive: { type: 'bool', short: 'i' },
  raw: { type: 'string' },
  kustomize: { type: 'string', short: 'k' },
};

export async function runDelete(f: Factory, flags: Flags, args: string[]): Promise<number> {
  const dry = dryRunOf(f, flags);
  const filenames = flags.list('filename');
  const allNamespaces = flags.bool('all-namespaces');
  const { targets } = await buildTargets(f, args, { filenames, recursive: flags.bool('recursive'), allNamespaces, verb: 'delete' });
  if (targets.length === 0) {
    throw new CmdError('You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   \'-f rsrc.yaml\'\n   \'--filename=rsrc.json\'\n   \'<resource> <name>\'\n   \'<resource>\'');
  }
  const selector = flags.str('selector');
  const fieldSelector = flags.str('field-selector');
  if (targets.some((t) => t.name === undefined) && !selector && !fieldSelector && !flags.bool('all')) {
    throw new CmdError(`resource(s) were provided, but no name was specified`);
  }
  const cascade = flags.str('cascade', 'background');
  const propagation = cascade === 'orphan' ? 'Orphan' : cascade === 'foreground' ? 'Foreground' : 'Background';
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: propagation };
  if (flags.has('grace-period') && flags.int('grace-period', -1) >= 0) body['gracePeriodSeconds'] = flags.int('grace-period', -1);
  if (flags.bool('now')) body['gracePeriodSeconds'] = 1;
  if (flags.bool('force') && flags.int('grace-period', -1) === 0) {
    f.io.err('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
  }
  if (dry === 'server') body['dryRun'] = ['All'];
  const c = f.client();
  const errors: string[] = [];
  const deleted: Array<{ t: Target; name: string; uid?: string }> = [];
  let found = 0;
  const { namespace } = f.namespace();
  for (const t of targets) {
    let names: Array<{ name: string; namespace: string | undefined }>;
    if (t.name !== undefined) names = [{ name: t.name, namespace: t.namespace }];
    else {
      const objs = await fetchObjects(f, t, { labelSelector: selector || undefined, fieldSelector: fieldSelector || undefined });
      names = objs.map((o) => ({ name: o.metadata?.name ?? '', namespace: o.metadata?.namespace }));
    }
    for (const n of names) {
      try {
        let uid: string | undefined;
        if (dry === 'client') {
          await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, n.namespace, n.name) });
        } else {
          const res = await c.requestJSON<KubeObject>({ method: 'DELETE', path: objectPath(t.mapping, n.namespace, n.name), body });
          uid = res?.metadata?.uid;
        }
        found++;
        if (flags.str('output') === 'name') f.io.out(`${kindPrefix(t.mapping)}/${n.name}\n`);
        else f.io.out(`${kindPrefix(t.mapping)} "${n.name}" deleted${dryRunSuffix(dry)}\n`);
        deleted.push({ t, name: n.name, ...(uid ? { uid } : {}) });
      } catch (err) {
        if (err instanceof StatusError) {
          if (err.code === 404 && flags.bool('ignore-not-found')) continue;
          errors.push(statusLine(err));
        } else throw err;
      }
    }
  }
  if (found === 0 && errors.length === 0 && targets.every((t) => t.name === undefined)) {
    const nsd = targets.some((t) => t.mapping.namespaced) && !allNamespaces ? namespace : undefined;
    f.io.out(nsd ? `No resources found\n` : 'No resources found\n');
  }
  if (dry === 'none' && flags.bool('wait', true) && propagation !== 'Orphan') {
    const deadline = Date.now() + 30_000;
    for (const d of deleted) {
      for (;;) {
        try {
          const o = await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(d.t.mapping, d.t.namespace, d.name) });
          if (d.uid && o.metadata?.uid !== d.uid) break;
        } catch {
          break;
        }
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  for (const e of errors) f.io.err(e + '\n');
  return errors.length > 0 ? 1 : 0;
}

export const PATCH_FLAGS: FlagSpecs = {
  ...OUTPUT_FLAGS,
  ...DRY_RUN_FLAG,
  patch: { type: 'string', short: 'p' },
  'patch-file': { type: 'string' },
  type: { type: 'string' },
  filename: { type: 'array', short: 'f' },
  recursive: { type: 'bool', short: 'R' },
  local: { type: 'bool' },
  'field-manager': { type: 'string' },
  subresource: { type: 'string' },
  kustomize: { type: 'string', short: 'k' },
};

export async function runPatch(f: Factory, flags: Flags, args: string[]): Promise<number> {
  const dry = dryRunOf(f, flags);
  let patchText = flags.str('patch');
  if (flags.str('patch-file')) patchText = (await import('node:fs')).readFileSync(flags.str('patch-file'), 'utf8');
  if (!patchText) throw new CmdError('must specify -p to patch');
  const type = flags.str('type', 'strategic');
  const contentTypes: Record<string, string> = { json: 'application/json-patch+json', merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json' };
  const ct = contentTypes[type];
  if (!ct) throw new CmdError(`--type must be one of [json merge strategic], not "${type}"`);
  let body: unknown;
  try {
    body = JSON.parse(patchText);
  } catch {
    const { parse } = await import('yaml');
    body = parse(patchText);
  }
  const { targets } = await buildTargets(f, args, { filenames: flags.list('filename'), verb: 'patch' });
  const c = f.client();
  let failed = false;
  for (const t of targets) {
    if (t.name === undefined) throw new CmdError(`resource(s) were provided, but no name was specified`);
    try {
      const before = await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, t.namespace, t.name, flags.str('subresource') || undefined) });
      const after = await c.requestJSON<KubeObject>({
        method: 'PATCH',
        path: objectPath(t.mapping, t.namespace, t.name, flags.str('subresource') || undefined),
        contentType: ct,
        body,
        query: { ...(dry !== 'none' ? { dryRun: 'All' } : {}), fieldManager: flags.str('field-manager', MANAGER['patch']) },
      });
      const changed = !jsonEqual(before, after);
      printResult(f, flags, t.mapping, after, changed ? 'patched' : 'patched (no change)', dry);
    } catch (err) {
      if (!(err instanceof StatusError)) throw err;
      f.io.err(statusLine(err) + '\n');
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

export const META_FLAGS: FlagSpecs = {
  ...OUTPUT_FLAGS,
  ...DRY_RUN_FLAG,
  overwrite: { type: 'bool' },
  all: { type: 'bool' },
  'all-namespaces': { type: 'bool', short: 'A' },
  selector: { type: 'string', short: 'l' },
  'field-selector': { type: 'string' },
  filename: { type: 'array', short: 'f' },
  recursive: { type: 'bool', short: 'R' },
  'resource-version': { type: 'string' },
  local: { type: 'bool' },
  list: { type: 'bool' },
  'field-manager': { type: 'string' },
  kustomize: { type: 'string', short: 'k' },
};

/** runLabelOrAnnotate implements `kubectl label` and `kubectl annotate`. */
export async function runLabelOrAnnotate(f: Factory, flags: Flags, args: string[], which: 'labels' | 'annotations'): Promise<number> {
  const dry = dryRunOf(f, flags);
  const isChange = (a: string): boolean => a.includes('=') || (a.endsWith('-') && !a.includes('/')) || /^[^/]+-$/.test(a);
  const resArgs: string[] = [];
  const changes: string[] = [];
  for (const a of args) {
    if (changes.length > 0 || (resArgs.length > 0 && isChange(a) && (a.includes('=') || a.endsWith('-')))) changes.push(a);
    else resArgs.push(a);
  }
  const list = flags.bool('list');
  if (changes.length === 0 && !list) {
    throw new CmdError(`at least one ${which === 'labels' ? 'label' : 'annotation'} update is required`);
  }
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const ch of changes) {
    if (ch.endsWith('-') && !ch.includes('=')) remove.push(ch.slice(0, -1));
    else {
      const i = ch.indexOf('=');
      set[ch.slice(0, i)] = ch.slice(i + 1);
    }
  }
  const { targets } = await buildTargets(f, resArgs, { filenames: flags.list('filename'), allNamespaces: flags.bool('all-namespaces'), verb: which === 'labels' ? 'label' : 'annotate' });
  const c = f.client();
  let failed = false;
  const items: Array<{ t: Target; obj: KubeObject }> = [];
  for (const t of targets) {
    if (t.name === undefined) {
      if (!flags.str('selector') && !flags.bool('all') && !flags.str('field-selector')) throw new CmdError('resource(s) were provided, but no name was specified');
      for (const obj of await fetchObjects(f, t, { labelSelector: flags.str('selector') || undefined, fieldSelector: flags.str('field-selector') || undefined })) items.push({ t, obj });
    } else {
      try {
        items.push({ t, obj: await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, t.namespace, t.name) }) });
      } catch (err) {
        if (!(err instanceof StatusError)) throw err;
        f.io.err(statusLine(err) + '\n');
        failed = true;
      }
    }
  }
  for (const { t, obj } of items) {
    const old = obj.metadata?.[which] as Record<string, string> | undefined;
    const next: Record<string, string> = { ...(old ?? {}) };
    if (!flags.bool('overwrite')) {
      for (const [k, v] of Object.entries(set)) {
        if (old && k in old && old[k] !== v) {
          throw new CmdError(`'${k}' already has a value (${old[k]}), and --overwrite is false`);
        }
      }
    }
    for (const k of remove) {
      if (!(k in next)) f.io.out(`${which === 'labels' ? 'label' : 'annotation'} "${k}" not found.\n`);
      delete next[k];
    }
    Object.assign(next, set);
    const name = obj.metadata?.name ?? '';
    const ns = t.mapping.namespaced ? obj.metadata?.namespace : undefined;
    // kubectl compares the whole object: an absent map and an empty one differ.
    const changed = old === undefined ? true : !jsonEqual(old, next);
    const patch: Record<string, unknown> = {};
    const meta: Record<string, unknown> = {};
    for (const k of remove) meta[k] = null;
    for (const [k, v] of Object.entries(set)) if (!old || old[k] !== v) meta[k] = v;
    for (const k of remove) if (!old || !(k in old)) delete meta[k];
    patch['metadata'] = { [which]: meta };
    if (list) {
      // --list shows the labels as changed locally and writes nothing. kubectl ranges over the map (Go's random order); a header unless one object was named.
      const one = targets.length === 1 && targets[0]!.name !== undefined;
      if (!one) f.io.out(`Listing ${which} for ${t.mapping.kind}.${t.mapping.group}/${name}:\n`);
      for (const [k, v] of Object.entries(next)) f.io.out(`${one ? '' : ' '}${k}=${v}\n`);
      continue;
    }
    let result = obj;
    try {
      if (Object.keys(meta).length > 0 && dry !== 'client') {
        result = await c.requestJSON<KubeObject>({
          method: 'PATCH',
          path: objectPath(t.mapping, ns, name),
          contentType: 'application/merge-patch+json',
          body: patch,
          query: { ...(dry === 'server' ? { dryRun: 'All' } : {}), fieldManager: flags.str('field-manager', MANAGER[which === 'labels' ? 'label' : 'annotate']) },
        });
      }
    } catch (err) {
      if (!(err instanceof StatusError)) throw err;
      f.io.err(statusLine(err) + '\n');
      failed = true;
      continue;
    }
    let verb: string;
    if (which === 'annotations') verb = 'annotated';
    else if (!changed) verb = 'not labeled';
    else if (Object.keys(next).length < Object.keys(old ?? {}).length) verb = 'unlabeled';
    else verb = 'labeled';
    printResult(f, flags, t.mapping, result, verb, dry);
  }
  return failed ? 1 : 0;
}

export const SCALE_FLAGS: FlagSpecs = {
  ...OUTPUT_FLAGS,
  ...DRY_RUN_FLAG,
  replicas: { type: 'int' },
  'current-replicas': { type: 'int' },
  'resource-version': { type: 'string' },
  all: { type: 'bool' },
  selector: { type: 'string', short: 'l' },
  filename: { type: 'array', short: 'f' },
  recursive: { type: 'bool', short: 'R' },
  timeout: { type: 'string' },
  kustomize: { type: 'string', short: 'k' },
};

export async function runScale(f: Factory, flags: Flags, args: string[]): Promise<number> {
  if (!flags.has('replicas')) throw new CmdError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  const replicas = flags.int('replicas', 0);
  if (replicas < 0) throw new CmdError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  const dry = dryRunOf(f, flags);
  const { targets } = await buildTargets(f, args, { filenames: flags.list('filename'), verb: 'scale' });
  const c = f.client();
  let failed = false;
  for (const t of targets) {
    const names = t.name !== undefined ? [t.name] : (await fetchObjects(f, t, { labelSelector: flags.str('selector') || undefined })).map((o) => o.metadata?.name ?? '');
    for (const name of names) {
      try {
        let obj: KubeObject;
        if (dry === 'client') obj = await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, t.namespace, name) });
        else {
          if (flags.has('current-replicas')) {
            const cur = await c.requestJSON<{ spec?: { replicas?: number } }>({ method: 'GET', path: objectPath(t.mapping, t.namespace, name, 'scale') });
            if ((cur.spec?.replicas ?? 0) !== flags.int('current-replicas', -1)) {
              throw new CmdError(`Expected replicas to be ${flags.int('current-replicas', -1)}, was ${cur.spec?.replicas ?? 0}`);
            }
          }
          await c.requestJSON<KubeObject>({
            method: 'PATCH',
            path: objectPath(t.mapping, t.namespace, name, 'scale'),
            contentType: 'application/merge-patch+json',
            body: { spec: { replicas } },
            query: { ...(dry === 'server' ? { dryRun: 'All' } : {}), fieldManager: MANAGER['scale'] },
          });
          obj = { metadata: { name } };
        }
        if (flags.str('output')) printResult(f, flags, t.mapping, await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, t.namespace, name) }), 'scaled', dry);
        else printResult(f, flags, t.mapping, obj, 'scaled', dry);
      } catch (err) {
        if (!(err instanceof StatusError)) throw err;
        f.io.err(statusLine(err) + '\n');
        failed = true;
      }
    }
  }
  return failed ? 1 : 0;
}

export { apiVersionOf };
