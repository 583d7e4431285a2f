/**
 * The swagger 2.0 document in gnostic's protobuf encoding (message openapi.v2.Document of
 * google/gnostic's OpenAPIv2.proto), which is what client-go asks `/openapi/v2` for (Accept:
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): kubectl's v2 validation,
 * `explain` and query-param checks (kubectl 1.27 uses nothing else) read only this form.
 *
 * Upstream builds it with gnostic's ParseDocument over the JSON document, so every swagger
 * field has a place; this writer covers all of them except FileSchema (a response schema of
 * `type: file`, which Kubernetes never serves). Vendor extensions, defaults, enums and examples
 * travel as openapi.v2.Any text that kubectl reads with gopkg.in/yaml.v2 (YAML 1.1).
 */

type JSONObject = Record<string, unknown>;

/**
 * writeVarint writes n as a base-128 varint into buf at `at` and returns the position after it.
 * n must be a non-negative safe integer: tags, lengths and the schema's counts (maxLength,
 * minItems, ...) all are, so plain number arithmetic suffices; division rather than `>>>` keeps
 * values of 2^32 and above right.
 */
export function writeVarint(buf: Uint8Array, at: number, n: number): number {
  while (n > 0x7f) {
    buf[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

function varintLength(n: number): number {
  let len = 1;
  while (n > 0x7f) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Arena holds the bytes of one document being encoded, in the order they were produced. */
class Arena {
  buf: Buffer;
  len = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** room makes space for n more bytes. */
  room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/**
 * arena is the one swaggerToProtobuf is filling. Encoding is synchronous, so the Writers of one
 * call share it without passing it around.
 */
let arena = new Arena(0);

/**
 * Writer is one protobuf message being built. Its bytes live in the arena: the Writer keeps
 * ranges of it and the nested messages in order, so a sub-message joins its parent by reference
 * and every byte is copied once, into the result. (A nested message is complete before its tag
 * and length can be written, hence ranges rather than one contiguous run.)
 */
class Writer {
  private readonly arena = arena;
  /** ranges holds [start, end) pairs of arena bytes; a start of -1 means children[end]. */
  private readonly ranges: number[] = [];
  private readonly children: Writer[] = [];
  /** length is the encoded size of everything written so far. */
  length = 0;

  /** mark records arena bytes [start, end), extending the last range when they follow it. */
  private mark(start: number, end: number): void {
    const r = this.ranges;
    if (r.length > 0 && r[r.length - 1] === start && r[r.length - 2]! >= 0) r[r.length - 1] = end;
    else r.push(start, end);
    this.length += end - start;
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  private varint(n: number): void {
    const a = this.arena;
    a.room(10);
    const start = a.len;
    a.len = writeVarint(a.buf, start, n);
    this.mark(start, a.len);
  }

  /** string writes a non-empty string (proto3 leaves the empty string out). */
  string(field: number, s: unknown): this {
    if (typeof s !== 'string' || s === '') return this;
    const a = this.arena;
    a.room(15 + s.length * 3);
    const start = a.len;
    const at = writeVarint(a.buf, start, field * 8 + 2);
    // Guess the length prefix's size from the UTF-16 length (right for ASCII); move the
    // bytes in the rare case the UTF-8 length needs a longer prefix.
    const guess = varintLength(s.length);
    const n = a.buf.write(s, at + guess, 'utf8');
    const size = varintLength(n);
    if (size !== guess) a.buf.copy(a.buf, at + size, at + guess, at + guess + n);
    a.len = writeVarint(a.buf, at, n) + n;
    this.mark(start, a.len);
    return this;
  }

  strings(field: number, list: unknown): this {
    if (Array.isArray(list)) for (const s of list) this.string(field, s);
    return this;
  }

  /** bool writes true only, unless always is set: a oneof member is written even when false. */
  bool(field: number, b: unknown, always = false): this {
    if (typeof b !== 'boolean' || (!b && !always)) return this;
    this.key(field, 0);
    this.varint(b ? 1 : 0);
    return this;
  }

  /**
   * int writes an int64 count. Swagger requires these (maxLength, minItems, ...) to be
   * non-negative integers; anything else is left out rather than encoded as a 10-byte negative.
   */
  int(field: number, n: unknown): this {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) return this;
    this.key(field, 0);
    this.varint(n);
    return this;
  }

  double(field: number, n: unknown): this {
    if (typeof n !== 'number' || n === 0) return this;
    this.key(field, 1);
    const a = this.arena;
    a.room(8);
    const start = a.len;
    a.len = a.buf.writeDoubleLE(n, start);
    this.mark(start, a.len);
    return this;
  }

  /** message writes a sub-message, even an empty one (presence matters for oneofs). */
  message(field: number, m: Writer): this {
    this.key(field, 2);
    this.varint(m.length);
    this.ranges.push(-1, this.children.length);
    this.children.push(m);
    this.length += m.length;
    return this;
  }

  /** any writes v as an openapi.v2.Any, when v is present. */
  any(field: number, v: unknown): this {
    return v === undefined ? this : this.message(field, anyOf(v));
  }

  /** extensions writes each `x-` key of o as a NamedAny. */
  extensions(field: number, o: JSONObject): this {
    for (const [k, v] of Object.entries(o)) if (k.startsWith('x-') && v !== undefined) this.message(field, named(k, anyOf(v)));
    return this;
  }

  /** copyTo copies the message's bytes into out at `at` and returns the position after them. */
  copyTo(out: Buffer, at: number): number {
    const r = this.ranges;
    const buf = this.arena.buf;
    for (let i = 0; i < r.length; i += 2) {
      if (r[i]! < 0) at = this.children[r[i + 1]!]!.copyTo(out, at);
      else at += buf.copy(out, at, r[i]!, r[i + 1]!);
    }
    return at;
  }
}

const isObj = (v: unknown): v is JSONObject => v !== null && typeof v === 'object' && !Array.isArray(v);
const obj = (v: unknown): JSONObject => (isObj(v) ? v : {});

/**
 * anyOf is an openapi.v2.Any carrying v as JSON text and a newline. JSON is YAML, and it reads
 * back the same under YAML 1.1, which kubectl's yaml.v2 decodes these with. Upstream's text
 * differs in form, not in the values kubectl reads: gnostic's compiler.Marshal clears the
 * parsed node's styles, so yaml.v3 writes block YAML (`- group: ""` / `  kind: Pod` ...) and
 * leaves strings such as `on` or `y` unquoted, which yaml.v2 would read as true. No extension,
 * default or enum of the served document is such a string.
 */
function anyOf(v: unknown): Writer {
  return new Writer().string(2, JSON.stringify(v) + '\n');
}

/** named is a Named* entry: the map key and its value message. */
function named(name: string, value: Writer): Writer {
  return new Writer().string(1, name).message(2, value);
}

/** namedMap writes each entry of a JSON map as a Named* message, skipping `x-` keys when asked. */
function namedMap(w: Writer, field: number, o: unknown, value: (v: JSONObject) => Writer, skipExtensions = false): void {
  for (const [k, v] of Object.entries(obj(o))) {
    if (skipExtensions && k.startsWith('x-')) continue;
    if (isObj(v)) w.message(field, named(k, value(v)));
  }
}

function externalDocs(d: JSONObject): Writer {
  return new Writer().string(1, d['description']).string(2, d['url']).extensions(3, d);
}

/** jsonReference is the `{$ref}` alternative of a oneof (ParametersItem, ResponseValue). */
function jsonReference(o: JSONObject): Writer {
  return new Writer().string(1, o['$ref']).string(2, o['description']);
}

function schema(s: JSONObject): Writer {
  const w = new Writer().string(1, s['$ref']).string(2, s['format']).string(3, s['title']).string(4, s['description']).any(5, s['default']);
  w.double(6, s['multipleOf']).double(7, s['maximum']).bool(8, s['exclusiveMaximum']).double(9, s['minimum']).bool(10, s['exclusiveMinimum']);
  w.int(11, s['maxLength']).int(12, s['minLength']).string(13, s['pattern']).int(14, s['maxItems']).int(15, s['minItems']).bool(16, s['uniqueItems']);
  w.int(17, s['maxProperties']).int(18, s['minProperties']).strings(19, s['required']);
  if (Array.isArray(s['enum'])) for (const e of s['enum']) w.any(20, e);
  const ap = s['additionalProperties'];
  if (typeof ap === 'boolean') w.message(21, new Writer().bool(2, ap, true));
  else if (isObj(ap)) w.message(21, new Writer().message(1, schema(ap)));
  const type = s['type'];
  if (typeof type === 'string' || Array.isArray(type)) w.message(22, new Writer().strings(1, Array.isArray(type) ? type : [type]));
  const items = s['items'];
  if (isObj(items)) w.message(23, new Writer().message(1, schema(items)));
  else if (Array.isArray(items)) {
    const list = new Writer();
    for (const it of items) if (isObj(it)) list.message(1, schema(it));
    w.message(23, list);
  }
  if (Array.isArray(s['allOf'])) for (const a of s['allOf']) if (isObj(a)) w.message(24, schema(a));
  if (isObj(s['properties'])) {
    const props = new Writer();
    namedMap(props, 1, s['properties'], schema);
    w.message(25, props);
  }
  w.string(26, s['discriminator']).bool(27, s['readOnly']);
  const xml = s['xml'];
  if (isObj(xml)) w.message(28, new Writer().string(1, xml['name']).string(2, xml['namespace']).string(3, xml['prefix']).bool(4, xml['attribute']).bool(5, xml['wrapped']).extensions(6, xml));
  if (isObj(s['externalDocs'])) w.message(29, externalDocs(s['externalDocs']));
  return w.any(30, s['example']).extensions(31, s);
}

/**
 * primitive writes the validation fields that the non-body parameter sub-schemas, their items
 * (PrimitivesItems) and response headers share, in the same order in each message: `type` at
 * field base, then format, items, collectionFormat, default, ..., enum, multipleOf.
 */
function primitive(w: Writer, base: number, p: JSONObject): Writer {
  w.string(base, p['type']).string(base + 1, p['format']);
  if (isObj(p['items'])) w.message(base + 2, primitiveItems(p['items']));
  w.string(base + 3, p['collectionFormat']).any(base + 4, p['default']);
  w.double(base + 5, p['maximum']).bool(base + 6, p['exclusiveMaximum']).double(base + 7, p['minimum']).bool(base + 8, p['exclusiveMinimum']);
  w.int(base + 9, p['maxLength']).int(base + 10, p['minLength']).string(base + 11, p['pattern']).int(base + 12, p['maxItems']).int(base + 13, p['minItems']);
  w.bool(base + 14, p['uniqueItems']);
  if (Array.isArray(p['enum'])) for (const e of p['enum']) w.any(base + 15, e);
  return w.double(base + 16, p['multipleOf']);
}

function primitiveItems(p: JSONObject): Writer {
  return primitive(new Writer(), 1, p).extensions(18, p);
}

/** NonBodyParameter's oneof field per location; path and header share one layout, query and formData another. */
const NON_BODY: Record<string, number> = { header: 1, formData: 2, query: 3, path: 4 };

/** parameter writes an openapi.v2.Parameter: the body or one of the non-body sub-schemas. */
function parameter(p: JSONObject): Writer {
  if (p['in'] === 'body') {
    const body = new Writer().string(1, p['description']).string(2, p['name']).string(3, p['in']).bool(4, p['required']);
    if (isObj(p['schema'])) body.message(5, schema(p['schema']));
    return new Writer().message(1, body.extensions(6, p));
  }
  const which = NON_BODY[String(p['in'])];
  if (which === undefined) return new Writer();
  const sub = new Writer().bool(1, p['required']).string(2, p['in']).string(3, p['description']).string(4, p['name']);
  // query and formData have allowEmptyValue at 5, which shifts every later field by one.
  const shifted = which === 2 || which === 3;
  if (shifted) sub.bool(5, p['allowEmptyValue']);
  primitive(sub, shifted ? 6 : 5, p).extensions(shifted ? 23 : 22, p);
  return new Writer().message(2, new Writer().message(which, sub));
}

/** parametersItem writes a ParametersItem: a `$ref` to a shared parameter, or one in place. */
function parametersItem(p: JSONObject): Writer {
  return typeof p['$ref'] === 'string' ? new Writer().message(2, jsonReference(p)) : new Writer().message(1, parameter(p));
}

function response(r: JSONObject): Writer {
  const w = new Writer().string(1, r['description']);
  if (isObj(r['schema'])) w.message(2, new Writer().message(1, schema(r['schema'])));
  if (isObj(r['headers'])) {
    const headers = new Writer();
    namedMap(headers, 1, r['headers'], (h) => primitive(new Writer(), 1, h).string(18, h['description']).extensions(19, h));
    w.message(3, headers);
  }
  if (isObj(r['examples'])) {
    const examples = new Writer();
    for (const [k, v] of Object.entries(r['examples'])) if (v !== undefined) examples.message(1, named(k, anyOf(v)));
    w.message(4, examples);
  }
  return w.extensions(5, r);
}

function securityRequirement(req: unknown): Writer {
  const w = new Writer();
  for (const [name, scopes] of Object.entries(obj(req))) w.message(1, named(name, new Writer().strings(1, scopes)));
  return w;
}

function operation(o: JSONObject): Writer {
  const w = new Writer().strings(1, o['tags']).string(2, o['summary']).string(3, o['description']);
  if (isObj(o['externalDocs'])) w.message(4, externalDocs(o['externalDocs']));
  w.string(5, o['operationId']).strings(6, o['produces']).strings(7, o['consumes']);
  if (Array.isArray(o['parameters'])) for (const p of o['parameters']) if (isObj(p)) w.message(8, parametersItem(p));
  if (isObj(o['responses'])) {
    const responses = new Writer();
    namedMap(responses, 1, o['responses'], (r) => (typeof r['$ref'] === 'string' ? new Writer().message(2, jsonReference(r)) : new Writer().message(1, response(r))), true);
    w.message(9, responses.extensions(2, o['responses']));
  }
  w.strings(10, o['schemes']).bool(11, o['deprecated']);
  if (Array.isArray(o['security'])) for (const req of o['security']) w.message(12, securityRequirement(req));
  return w.extensions(13, o);
}

const METHOD_FIELDS: ReadonlyArray<[string, number]> = [
  ['get', 2],
  ['put', 3],
  ['post', 4],
  ['delete', 5],
  ['options', 6],
  ['head', 7],
  ['patch', 8],
];

function pathItem(it: JSONObject): Writer {
  const w = new Writer().string(1, it['$ref']);
  for (const [m, f] of METHOD_FIELDS) if (isObj(it[m])) w.message(f, operation(it[m]));
  if (Array.isArray(it['parameters'])) for (const p of it['parameters']) if (isObj(p)) w.message(9, parametersItem(p));
  return w.extensions(10, it);
}

/** securityDefinition writes a SecurityDefinitionsItem, whose oneof member follows type and (for oauth2) flow. */
function securityDefinition(d: JSONObject): Writer {
  const w = new Writer();
  if (d['type'] === 'basic') return w.message(1, new Writer().string(1, d['type']).string(2, d['description']).extensions(3, d));
  if (d['type'] === 'apiKey') return w.message(2, new Writer().string(1, d['type']).string(2, d['name']).string(3, d['in']).string(4, d['description']).extensions(5, d));
  if (d['type'] !== 'oauth2') return w;
  const m = new Writer().string(1, d['type']).string(2, d['flow']);
  if (isObj(d['scopes'])) {
    const scopes = new Writer();
    for (const [k, v] of Object.entries(d['scopes'])) scopes.message(1, new Writer().string(1, k).string(2, v));
    m.message(3, scopes);
  }
  switch (d['flow']) {
    case 'implicit':
      return w.message(3, m.string(4, d['authorizationUrl']).string(5, d['description']).extensions(6, d));
    case 'password':
      return w.message(4, m.string(4, d['tokenUrl']).string(5, d['description']).extensions(6, d));
    case 'application':
      return w.message(5, m.string(4, d['tokenUrl']).string(5, d['description']).extensions(6, d));
    case 'accessCode':
      return w.message(6, m.string(4, d['authorizationUrl']).string(5, d['tokenUrl']).string(6, d['description']).extensions(7, d));
  }
  return w;
}

function info(i: JSONObject): Writer {
  const w = new Writer().string(1, i['title']).string(2, i['version']).string(3, i['description']).string(4, i['termsOfService']);
  const c = i['contact'];
  if (isObj(c)) w.message(5, new Writer().string(1, c['name']).string(2, c['url']).string(3, c['email']).extensions(4, c));
  const l = i['license'];
  if (isObj(l)) w.message(6, new Writer().string(1, l['name']).string(2, l['url']).extensions(3, l));
  return w.extensions(7, i);
}

/**
 * swaggerToProtobuf encodes a swagger 2.0 JSON document as openapi.v2.Document bytes. Fields
 * are written in field-number order and maps in the document's key order, so the same document
 * always gives the same bytes. Values of the wrong JSON type are left out, not thrown on.
 */
export function swaggerToProtobuf(doc: JSONObject): Buffer {
  arena = new Arena(1 << 16);
  try {
    const w = document(doc);
    const out = Buffer.allocUnsafe(w.length);
    w.copyTo(out, 0);
    return out;
  } finally {
    // Let the arena go with the call rather than keep megabytes alive between documents.
    arena = new Arena(0);
  }
}

function document(doc: JSONObject): Writer {
  const w = new Writer().string(1, doc['swagger']);
  if (isObj(doc['info'])) w.message(2, info(doc['info']));
  w.string(3, doc['host']).string(4, doc['basePath']).strings(5, doc['schemes']).strings(6, doc['consumes']).strings(7, doc['produces']);
  if (isObj(doc['paths'])) {
    const paths = new Writer().extensions(1, doc['paths']);
    namedMap(paths, 2, doc['paths'], pathItem, true);
    w.message(8, paths);
  }
  if (isObj(doc['definitions'])) {
    const defs = new Writer();
    namedMap(defs, 1, doc['definitions'], schema);
    w.message(9, defs);
  }
  if (isObj(doc['parameters'])) {
    const params = new Writer();
    namedMap(params, 1, doc['parameters'], parameter);
    w.message(10, params);
  }
  if (isObj(doc['responses'])) {
    const responses = new Writer();
    namedMap(responses, 1, doc['responses'], response);
    w.message(11, responses);
  }
  if (Array.isArray(doc['security'])) for (const req of doc['security']) w.message(12, securityRequirement(req));
  if (isObj(doc['securityDefinitions'])) {
    const defs = new Writer();
    namedMap(defs, 1, doc['securityDefinitions'], securityDefinition);
    w.message(13, defs);
  }
  if (Array.isArray(doc['tags'])) {
    for (const t of doc['tags']) {
      if (!isObj(t)) continue;
      const tag = new Writer().string(1, t['name']).string(2, t['description']);
      if (isObj(t['externalDocs'])) tag.message(3, externalDocs(t['externalDocs']));
      w.message(14, tag.extensions(4, t));
    }
  }
  if (isObj(doc['externalDocs'])) w.message(15, externalDocs(doc['externalDocs']));
  return w.extensions(16, doc);
}
