/**
 * The resource builder: turns `TYPE[,TYPE] [NAME...]`, `TYPE/NAME ...` and `-f` manifests into
 * the requests a command makes, as kubectl's resource.Builder, and fetches them.
 */
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { CmdError, readManifests, type Factory } from './factory.js';
import { collectionPath, objectPath, type Mapping } from './discovery.js';

export interface Target {
  mapping: Mapping;
  /** namespace is undefined for cluster-scoped resources and for all namespaces. */
  namespace: string | undefined;
  /** name is undefined for a list request. */
  name?: string;
  /** obj is the manifest when the target came from `-f`. */
  obj?: KubeObject;
  /** source is the manifest file (`STDIN` for `-f -`). */
  source?: string;
}

export interface BuildOptions {
  filenames?: string[];
  recursive?: boolean;
  allNamespaces?: boolean;
  /** requireNames: the verb cannot work on a whole collection without a selector or --all. */
  verb?: string;
}

/** resolveTypes maps `pods,svc` / `all` to mappings, failing as kubectl on unknown types. */
export async function resolveTypes(f: Factory, types: string): Promise<Mapping[]> {
  const d = await f.discovery();
  const out: Mapping[] = [];
  for (const t of types.split(',')) {
    if (t === '') continue;
    const m = d.resolve(t);
    if (m) {
      out.push(m);
      continue;
    }
    const cat = d.category(t.toLowerCase());
    if (cat) {
      out.push(...cat);
      continue;
    }
    throw new CmdError(`the server doesn't have a resource type "${t}"`);
  }
  return out;
}

/** buildTargets resolves positional arguments (or -f) into targets. */
export async function buildTargets(f: Factory, args: readonly string[], o: BuildOptions = {}): Promise<{ targets: Target[]; singleItem: boolean }> {
  const { namespace, explicit } = f.namespace();
  const nsFor = (m: Mapping): string | undefined => (m.namespaced && !o.allNamespaces ? namespace : undefined);
  if (o.filenames && o.filenames.length > 0) {
    if (args.length > 0) throw new CmdError('Unexpected args: [' + args.join(' ') + ']\nSee \'kubectl ' + (o.verb ?? 'get') + " -h' for help and examples");
    const d = await f.discovery();
    const manifests = await readManifests(f.io, o.filenames, o.recursive);
    const targets: Target[] = [];
    for (const { obj, source } of manifests) {
      const m = d.forKind(String(obj.apiVersion ?? ''), String(obj.kind ?? ''));
      if (!m) {
        throw new CmdError(`resource mapping not found for name: "${obj.metadata?.name ?? ''}" namespace: "${obj.metadata?.namespace ?? ''}" from "${source}": no matches for kind "${String(obj.kind)}" in version "${String(obj.apiVersion)}"\nensure CRDs are installed first`);
      }
      let ns: string | undefined;
      if (m.namespaced) {
        const objNs = obj.metadata?.namespace;
        if (objNs && explicit && objNs !== namespace) {
          throw new CmdError(`the namespace from the provided object "${objNs}" does not match the namespace "${namespace}". You must pass '--namespace=${objNs}' to perform this operation.`);
        }
        ns = objNs || namespace;
      }
      targets.push({ mapping: m, namespace: ns, name: obj.metadata?.name ?? '', obj, source });
    }
    return { targets, singleItem: targets.length === 1 };
  }
  if (args.length === 0) return { targets: [], singleItem: false };
  if (args.some((a) => a.includes('/'))) {
    const targets: Target[] = [];
    for (const a of args) {
      const i = a.indexOf('/');
      if (i < 0) {
        throw new CmdError(
          "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
        );
      }
      const [m] = await resolveTypes(f, a.slice(0, i));
      const name = a.slice(i + 1);
      if (name === '') throw new CmdError(`arguments in resource/name form must have a single resource and name`);
      targets.push({ mapping: m!, namespace: nsFor(m!), name });
    }
    return { targets, singleItem: targets.length === 1 };
  }
  const [types, ...names] = args;
  const mappings = await resolveTypes(f, types!);
  if (names.length === 0) return { targets: mappings.map((m) => ({ mapping: m, namespace: nsFor(m) })), singleItem: false };
  if (mappings.length > 1 && names.length > 0 && types!.split(',').length > 1) {
    // kubectl allows `get pods,svc a b`: each type with each name.
  }
  const targets: Target[] = [];
  for (const m of mappings) for (const n of names) targets.push({ mapping: m, namespace: nsFor(m), name: n });
  return { targets, singleItem: targets.length === 1 };
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
}

/** fetchObjects GETs a target: the object, or the list's items (with apiVersion and kind set). */
export async function fetchObjects(f: Factory, t: Target, q: ListQuery = {}): Promise<KubeObject[]> {
  const c = f.client();
  const apiVersion = t.mapping.group ? `${t.mapping.group}/${t.mapping.version}` : t.mapping.version;
  if (t.name !== undefined) {
    const obj = await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, t.namespace, t.name) });
    return [obj];
  }
  const list = await c.requestJSON<{ items: KubeObject[] }>({
    method: 'GET',
    path: collectionPath(t.mapping, t.namespace),
    query: { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector },
  });
  return list.items.map((i) => ({ apiVersion, kind: t.mapping.kind, ...i }));
}

/** isNotFound reports a 404 StatusError. */
export const isNotFound = (err: unknown): boolean => err instanceof StatusError && err.code === 404;
