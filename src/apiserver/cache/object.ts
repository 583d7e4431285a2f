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
 *   their own each) with repeated strings (node names, phases, label values) interned. Equal
 *   records are one shared object: the pods of one ReplicaSet have the same labels, and their
 *   fields differ mostly in metadata.name and metadata.namespace, which the entry already holds
 *   and so are left out of its record. At 150,000 pods that is hundreds of thousands of objects
 *   fewer for every major GC to mark.
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
  /** field returns the value of one selectable field, undefined when the object has none. */
  field(name: string): string | undefined;
}

const RV_OPEN = Buffer.from('"resourceVersion":"');

/**
 * Entry is a CachedObject over a stored value. In storage's canonical layout the value starts
 * with `head` (`{"apiVersion":…,"kind":…,"metadata":{`, one shared buffer per distinct head,
 * so serving never reads the value's own bytes) and the resourceVersion goes right after it;
 * `head` is undefined when the value had another layout and `value` already holds the served
 * bytes. `flags` says whether metadata has other fields (REST: a comma follows the
 * resourceVersion) and whether `own`, the selectable fields, leaves out metadata.name and
 * metadata.namespace because they are the entry's name and namespace (NAME, NAMESPACE).
 */
export class Entry implements CachedObject {
  constructor(
    readonly key: string,
    readonly namespace: string,
    readonly name: string,
    readonly rv: number,
    private readonly value: Buffer,
    private readonly head: Buffer | undefined,
    private readonly flags: number,
    readonly labels: Readonly<Record<string, string>>,
    private readonly own: Readonly<Record<string, string>>,
  ) {}

  field(name: string): string | undefined {
    if (Object.hasOwn(this.own, name)) return this.own[name];
    if (name === 'metadata.name' && this.flags & NAME) return this.name;
    if (name === 'metadata.namespace' && this.flags & NAMESPACE) return this.namespace;
    return undefined;
  }

  get bytes(): Buffer {
    const out = Buffer.allocUnsafe(this.servedLength);
    this.copyTo(out, 0);
    return out;
  }

  /** servedLength is the length of the served JSON. */
  get servedLength(): number {
    if (!this.head) return this.value.length;
    return this.value.length + RV_OPEN.length + String(this.rv).length + (this.flags & REST ? 2 : 1);
  }

  /** copyTo writes the served JSON into `out` at `offset` and returns the offset after it. */
  copyTo(out: Uint8Array, offset: number): number {
    const v = this.value;
    if (!this.head) {
      out.set(v, offset);
      return offset + v.length;
    }
    const o = this.writeHead(out, offset);
    const at = this.head.length;
    out.set(at === 0 ? v : v.subarray(at), o);
    return o + v.length - at;
  }

  /** writeHead writes the head with the resourceVersion (and its comma) and returns the end. */
  private writeHead(out: Uint8Array, offset: number): number {
    let o = offset;
    out.set(this.head!, o);
    o += this.head!.length;
    out.set(RV_OPEN, o);
    o += RV_OPEN.length;
    const rv = String(this.rv);
    for (let i = 0; i < rv.length; i++) out[o++] = rv.charCodeAt(i);
    out[o++] = 0x22; // "
    if (this.flags & REST) out[o++] = 0x2c; // ,
    return o;
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
    const value = this.head ? this.value : ownMemory(reserialized(stripResourceVersion(this.value), rv));
    return new Entry(this.key, this.namespace, this.name, rv, value, this.head, this.flags, this.labels, this.own);
  }
}

const REST = 1;
const NAME = 2;
const NAMESPACE = 4;

/**
 * entryOf builds the cache entry of a stored value at revision `rv`. `labels` and `fields` are
 * copied into shared records with interned strings, so the caller's parse can be dropped.
 */
export function entryOf(key: string, namespace: string, name: string, rv: number, value: Buffer, labels: Record<string, string>, fields: Record<string, string>): Entry {
  const ns = intern(namespace);
  let flags = 0;
  if (Object.hasOwn(fields, 'metadata.name') && fields['metadata.name'] === name) flags |= NAME;
  if (ns !== '' && Object.hasOwn(fields, 'metadata.namespace') && fields['metadata.namespace'] === ns) flags |= NAMESPACE;
  const own = sharedRecord(fields, flags);
  const m = CANONICAL_START.exec(value.toString('latin1', 0, Math.min(value.length, 256)));
  if (m) return new Entry(key, ns, name, rv, ownMemory(value), sharedHead(m[0]), flags | (value[m[0].length] !== 0x7d ? REST : 0), sharedRecord(labels, 0), own);
  return new Entry(key, ns, name, rv, ownMemory(reserialized(value, rv)), undefined, flags, sharedRecord(labels, 0), own);
}

/** The layout encodeForStorage writes: apiVersion and kind (when set), then metadata. */
const CANONICAL_START = /^\{(?:"apiVersion":"[^"\\]*",)?(?:"kind":"[^"\\]*",)?"metadata":\{/;

/** heads holds one buffer per distinct head (a few per kind). */
const heads = new Map<string, Buffer>();

function sharedHead(text: string): Buffer {
  let b = heads.get(text);
  if (!b) {
    if (heads.size >= 4096) heads.clear();
    heads.set(text, (b = Buffer.from(text, 'latin1')));
  }
  return b;
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
 * sharedRecord returns the one record holding `r`'s entries (less metadata.name and
 * metadata.namespace when `flags` has NAME, NAMESPACE), in order, with values interned. Records
 * are shared: callers must not change them.
 */
function sharedRecord(r: Record<string, string>, flags: number): Readonly<Record<string, string>> {
  // The signature is unambiguous whatever the strings hold: each pair is led by both lengths.
  let sig = '';
  let n = 0;
  for (const k in r) {
    if (skipped(k, flags)) continue;
    const v = r[k]!;
    sig += k.length + ',' + v.length + ':' + k + v;
    n++;
  }
  if (n === 0) return EMPTY;
  const hit = records.get(sig);
  if (hit) return hit;
  const out = compact(r, n, flags);
  if (records.size >= RECORDS_MAX) records.clear();
  records.set(sig, out);
  return out;
}

function skipped(k: string, flags: number): boolean {
  return (k === 'metadata.name' && (flags & NAME) !== 0) || (k === 'metadata.namespace' && (flags & NAMESPACE) !== 0);
}

/**
 * records holds the shared record of each signature. It is bounded: when full it starts over,
 * which only costs later duplicates (records with a value unique to their object, as a pod's
 * IP, are never shared and pass through).
 */
const records = new Map<string, Readonly<Record<string, string>>>();
const RECORDS_MAX = 1 << 15;

/**
 * compact copies the `n` kept entries of a string record into a fresh object: records with the
 * same keys in the same order then share one hidden class, and values are interned. An object
 * built key by key from `{}` holds only its first four properties in itself and the rest in a
 * separate property array, a second heap object (a pod's selectable fields would have one). A
 * larger record is built by a constructor of its own key list instead: V8 sizes a constructor's
 * objects to the properties its first instances end up with, so they hold all of them in
 * themselves.
 */
function compact(r: Record<string, string>, n: number, flags: number): Readonly<Record<string, string>> {
  let out: Record<string, string>;
  if (n <= IN_OBJECT_OF_EMPTY_LITERAL) out = {};
  else {
    let keys = '';
    for (const k in r) if (!skipped(k, flags)) keys += k + '\0';
    let Shape = shapes.get(keys);
    if (!Shape) {
      if (shapes.size >= SHAPES_MAX) shapes.clear();
      shapes.set(keys, (Shape = recordShape()));
    }
    out = new Shape();
  }
  for (const k in r) if (!skipped(k, flags)) out[k] = intern(r[k]!);
  return out;
}

/** IN_OBJECT_OF_EMPTY_LITERAL: V8 gives `{}` room for this many properties in the object itself. */
const IN_OBJECT_OF_EMPTY_LITERAL = 4;
/** shapes: the constructor of each key list (keys joined by NUL) of the larger records. */
const shapes = new Map<string, new () => Record<string, string>>();
const SHAPES_MAX = 1024;

/** recordShape returns a new constructor of plain objects (Object.prototype, no own properties). */
function recordShape(): new () => Record<string, string> {
  const Shape = function () {} as unknown as new () => Record<string, string>;
  Shape.prototype = Object.prototype;
  return Shape;
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
