/**
 * The watch cache's entries: one object at one revision, held as cheaply for the garbage
 * collector as serving allows.
 *
 * - The JSON is storage's own value buffer, shared rather than copied (storage keeps the same
 *   bytes alive while they are current), with the resourceVersion spliced in only when the
 *   served bytes are built: a watch frame is built once per event, a GET or LIST item once per
 *   response. One 2 KiB copy and two heap objects less per cached object.
 * - Only what selectors need is parsed and kept: labels and the kind's selectable fields, copied
 *   into objects that share their hidden classes (field sets built by spreading get a map of
 *   their own each) with repeated strings (node names, phases, label values) interned.
 * - Everything else is parsed lazily by whoever needs the full object (Table, metadata, auth).
 */

/** CachedObject is one object at one revision, in the storage version. */
export interface CachedObject {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly rv: number;
  /**
   * bytes is the served JSON (resourceVersion included). Watch-cache entries build it on each
   * read, so read it once per response.
   */
  readonly bytes: Buffer;
  readonly labels: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, string>>;
}

const RV_OPEN = Buffer.from('"resourceVersion":"');

/**
 * Entry is a CachedObject over a stored value. `at` is the offset just inside the top-level
 * `"metadata":{` where the resourceVersion goes; -1 when the value was not in storage's
 * canonical layout and `value` already holds the served bytes.
 */
export class Entry implements CachedObject {
  constructor(
    readonly key: string,
    readonly namespace: string,
    readonly name: string,
    readonly rv: number,
    private readonly value: Buffer,
    private readonly at: number,
    readonly labels: Readonly<Record<string, string>>,
    readonly fields: Readonly<Record<string, string>>,
  ) {}

  get bytes(): Buffer {
    const out = Buffer.allocUnsafe(this.servedLength);
    this.copyTo(out, 0);
    return out;
  }

  /** servedLength is the length of the served JSON. */
  get servedLength(): number {
    const v = this.value;
    if (this.at < 0) return v.length;
    return v.length + RV_OPEN.length + String(this.rv).length + (v[this.at] === 0x7d ? 1 : 2);
  }

  /**
   * copyTo writes the served JSON into `out` at `offset` and returns the offset after it. Lists
   * build their whole body with it: no per-item buffer, only builtin copies.
   */
  copyTo(out: Uint8Array, offset: number): number {
    const v = this.value;
    if (this.at < 0) {
      out.set(v, offset);
      return offset + v.length;
    }
    const rv = String(this.rv);
    const insert = RV_OPEN.length + rv.length + (v[this.at] === 0x7d ? 1 : 2);
    // Copy the whole value past the insert, then move its head back in front of the gap.
    out.set(v, offset + insert);
    out.copyWithin(offset, offset + insert, offset + insert + this.at);
    let o = offset + this.at;
    out.set(RV_OPEN, o);
    o += RV_OPEN.length;
    for (let i = 0; i < rv.length; i++) out[o++] = rv.charCodeAt(i);
    out[o++] = 0x22; // "
    if (v[this.at] !== 0x7d) out[o++] = 0x2c; // ,
    return offset + v.length + insert;
  }

  /**
   * pieces returns the served JSON, preceded by `sep` when it is given, as [head, tail]: `head`
   * (the separator and the JSON up to and including the spliced-in resourceVersion) copied into
   * `arena` at `offset`, `tail` a view of the stored value. A large list is so written without
   * copying its items; `headLength` (+1 for a separator) sizes the arena.
   */
  get headLength(): number {
    return this.at < 0 ? 0 : this.servedLength - (this.value.length - this.at);
  }

  pieces(arena: Buffer, offset: number, sep?: number): [Buffer, Buffer] {
    const v = this.value;
    let o = offset;
    if (sep !== undefined) arena[o++] = sep;
    if (this.at < 0) return [arena.subarray(offset, o), v];
    // The head is a few dozen bytes: a loop beats a view plus a native copy.
    for (let i = 0; i < this.at; i++) arena[o++] = v[i]!;
    for (let i = 0; i < RV_OPEN.length; i++) arena[o++] = RV_OPEN[i]!;
    const rv = String(this.rv);
    for (let i = 0; i < rv.length; i++) arena[o++] = rv.charCodeAt(i);
    arena[o++] = 0x22; // "
    if (v[this.at] !== 0x7d) arena[o++] = 0x2c; // ,
    return [arena.subarray(offset, o), v.subarray(this.at)];
  }

  /** framed returns prefix + the served JSON + suffix in one new buffer. */
  framed(prefix: Buffer, suffix: Buffer): Buffer {
    const out = Buffer.allocUnsafe(prefix.length + this.servedLength + suffix.length);
    out.set(prefix, 0);
    out.set(suffix, this.copyTo(out, prefix.length));
    return out;
  }

  /** atRevision is the same object served at another revision (a delete's, as upstream). */
  atRevision(rv: number): Entry {
    const value = this.at < 0 ? ownMemory(reserialized(stripResourceVersion(this.value), rv)) : this.value;
    return new Entry(this.key, this.namespace, this.name, rv, value, this.at, this.labels, this.fields);
  }
}

/**
 * entryOf builds the cache entry of a stored value at revision `rv`. `labels` and `fields` are
 * copied into shared-shape objects with interned strings, so the caller's parse can be dropped.
 */
export function entryOf(key: string, namespace: string, name: string, rv: number, value: Buffer, labels: Record<string, string>, fields: Record<string, string>): Entry {
  const at = metadataStart(value);
  if (at > 0) return new Entry(key, namespace, name, rv, ownMemory(value), at, compact(labels), compact(fields));
  return new Entry(key, namespace, name, rv, ownMemory(reserialized(value, rv)), -1, compact(labels), compact(fields));
}

/** The layout encodeForStorage writes: apiVersion and kind (when set), then metadata. */
const CANONICAL_START = /^\{(?:"apiVersion":"[^"\\]*",)?(?:"kind":"[^"\\]*",)?"metadata":\{/;

/**
 * metadataStart returns the offset just inside the top-level `"metadata":{` of a value in the
 * canonical layout (where the resourceVersion is spliced in), or -1 for any other layout.
 */
function metadataStart(value: Buffer): number {
  const head = value.toString('latin1', 0, Math.min(value.length, 256));
  const m = CANONICAL_START.exec(head);
  return m ? m[0].length : -1;
}

/** reserialized is the served JSON of a value in another layout (written by another tool). */
function reserialized(value: Buffer, rv: number): Buffer {
  const obj = JSON.parse(value.toString('utf8')) as { metadata?: Record<string, unknown> };
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rv) };
  return Buffer.from(JSON.stringify(obj));
}

function stripResourceVersion(served: Buffer): Buffer {
  const obj = JSON.parse(served.toString('utf8')) as { metadata?: Record<string, unknown> };
  if (obj.metadata) delete obj.metadata.resourceVersion;
  return Buffer.from(JSON.stringify(obj));
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/**
 * compact copies a string record key by key into a fresh object: records with the same keys in
 * the same order then share one hidden class, and values are interned.
 */
function compact(r: Record<string, string>): Readonly<Record<string, string>> {
  let out: Record<string, string> | undefined;
  for (const k in r) {
    out ??= {};
    out[k] = intern(r[k]!);
  }
  return out ?? EMPTY;
}

/**
 * The intern table dedupes short strings repeated across objects (node names, phases, label
 * values). It is bounded: when full it starts over, which only costs later duplicates.
 */
const interned = new Map<string, string>();
const INTERN_MAX_LENGTH = 64;
const INTERN_MAX_ENTRIES = 1 << 16;

function intern(s: string): string {
  if (typeof s !== 'string' || s.length > INTERN_MAX_LENGTH) return s;
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size >= INTERN_MAX_ENTRIES) interned.clear();
  interned.set(s, s);
  return s;
}

/**
 * ownMemory returns bytes that keep only their own memory alive. A buffer that is a slice of a
 * larger allocation (Node's shared 8 KiB pool, a storage batch) would pin all of it for as long
 * as the cache keeps the slice: those are copied; a buffer of its own is shared.
 */
export function ownMemory(b: Buffer): Buffer {
  if (b.byteOffset === 0 && b.buffer.byteLength === b.length) return b;
  const own = Buffer.allocUnsafeSlow(b.length);
  b.copy(own);
  return own;
}
