/**
 * PatchSchema: what a strategic merge patch needs to know about a type, as upstream's
 * strategicpatch.LookupPatchMeta: for each field, its patch strategy and merge key, and the
 * schema to use below it.
 */

export interface PatchMeta {
  /** strategies as in `x-kubernetes-patch-strategy`, split on commas: `merge`, `retainKeys`, `replace`. */
  strategies: readonly string[];
  /** mergeKey is `x-kubernetes-patch-merge-key`; '' for primitive lists and non-list fields. */
  mergeKey: string;
}

export interface PatchSchema {
  /** name identifies the schema in error messages (upstream's LookupPatchMeta.Name()). */
  readonly name: string;
  /**
   * lookup returns the patch meta of field `key` and the schema below it: the field's type for
   * a map or struct field, the element type for a list field. A field the schema does not know
   * comes back with no strategies and an empty schema, so it is merged as plain JSON.
   */
  lookup(key: string): { schema: PatchSchema; meta: PatchMeta };
}

const NO_META: PatchMeta = { strategies: [], mergeKey: '' };

/** EMPTY_SCHEMA knows no fields: maps merge key by key, lists are replaced. */
export const EMPTY_SCHEMA: PatchSchema = {
  name: '',
  lookup: () => ({ schema: EMPTY_SCHEMA, meta: NO_META }),
};

/** A JSON schema node as in the OpenAPI definitions (only what the patch walk reads). */
export interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
}

/**
 * openAPIPatchSchema walks OpenAPI definitions (`#/definitions/<name>` or
 * `#/components/schemas/<name>` refs) for patch metadata, as upstream's PatchMetaFromOpenAPI.
 * Child schemas are memoised per node, so repeated patches of a kind stay cheap.
 */
export function openAPIPatchSchema(definitions: Readonly<Record<string, SchemaNode>>, root: SchemaNode, name = ''): PatchSchema {
  const cache = new Map<SchemaNode, PatchSchema>();
  const resolve = (n: SchemaNode | undefined): SchemaNode | undefined => {
    let cur = n;
    for (let depth = 0; cur && depth < 8; depth++) {
      if (cur.$ref) cur = definitions[cur.$ref.slice(cur.$ref.lastIndexOf('/') + 1)];
      else if (cur.allOf && cur.allOf.length === 1) cur = cur.allOf[0];
      else return cur;
    }
    return cur;
  };
  const refName = (n: SchemaNode): string => {
    const r = n.$ref ?? n.allOf?.[0]?.$ref ?? '';
    return r.slice(r.lastIndexOf('/') + 1);
  };
  const make = (node: SchemaNode | undefined, nodeName: string): PatchSchema => {
    if (!node) return EMPTY_SCHEMA;
    const hit = cache.get(node);
    if (hit) return hit;
    const children = new Map<string, { schema: PatchSchema; meta: PatchMeta }>();
    const s: PatchSchema = {
      name: nodeName,
      lookup(key) {
        let c = children.get(key);
        if (c) return c;
        const prop = node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
        if (!prop) return { schema: EMPTY_SCHEMA, meta: NO_META };
        const strategy = prop['x-kubernetes-patch-strategy'];
        const meta: PatchMeta = {
          strategies: strategy ? strategy.split(',') : [],
          mergeKey: prop['x-kubernetes-patch-merge-key'] ?? '',
        };
        let target = resolve(prop);
        let targetName = refName(prop);
        if (target?.type === 'array' && target.items) {
          targetName = refName(target.items);
          target = resolve(target.items);
        }
        c = { schema: make(target, targetName), meta };
        children.set(key, c);
        return c;
      },
    };
    cache.set(node, s);
    return s;
  };
  return make(resolve(root), name || refName(root));
}
