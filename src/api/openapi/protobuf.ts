/**
 * The swagger 2.0 document in gnostic's protobuf encoding (message openapi.v2.Document), which
 * is what client-go asks `/openapi/v2` for (Accept:
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): kubectl's v2 validation and
 * query-param checks read only this form. Vendor extensions travel as YAML text (JSON is YAML).
 *
 * A tiny hand-written protobuf writer: only the message fields the document uses.
 */

type JSONObject = Record<string, unknown>;

const utf8 = new TextEncoder();

/** Writer accumulates one protobuf message. */
class Writer {
  private readonly chunks: Uint8Array[] = [];
  length = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  private varint(n: number): void {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  string(field: number, s: unknown): this {
    if (typeof s !== 'string' || s === '') return this;
    const b = utf8.encode(s);
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  strings(field: number, list: unknown): this {
    if (Array.isArray(list)) for (const s of list) this.string(field, s);
    return this;
  }

  bool(field: number, b: unknown): this {
    if (b !== true) return this;
    this.tag(field, 0);
    this.varint(1);
    return this;
  }

  int(field: number, n: unknown): this {
    if (typeof n !== 'number' || n <= 0) return this;
    this.tag(field, 0);
    this.varint(n);
    return this;
  }

  double(field: number, n: unknown): this {
    if (typeof n !== 'number' || n === 0) return this;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, n, true);
    this.tag(field, 1);
    this.push(b);
    return this;
  }

  /** message writes a sub-message, even an empty one (presence matters for oneofs). */
  message(field: number, m: Writer): this {
    this.tag(field, 2);
    this.varint(m.length);
    for (const c of m.chunks) this.push(c);
    return this;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const obj = (v: unknown): JSONObject => (v && typeof v === 'object' && !Array.isArray(v) ? (v as JSONObject) : {});

/** anyYAML encodes openapi.v2.Any with its YAML text. */
const anyYAML = (v: unknown): Writer => new Writer().string(2, JSON.stringify(v) + '\n');

/** vendorExtensions writes each `x-` key as a NamedAny into field. */
function vendorExtensions(w: Writer, field: number, o: JSONObject): void {
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith('x-')) w.message(field, new Writer().string(1, k).message(2, anyYAML(v)));
  }
}

function schema(s: JSONObject): Writer {
  const w = new Writer()
    .string(1, s['$ref'])
    .string(2, s['format'])
    .string(3, s['title'])
    .string(4, s['description']);
  if (s['default'] !== undefined) w.message(5, anyYAML(s['default']));
  w.double(6, s['multipleOf']).double(7, s['maximum']).bool(8, s['exclusiveMaximum']).double(9, s['minimum']).bool(10, s['exclusiveMinimum']);
  w.int(11, s['maxLength']).int(12, s['minLength']).string(13, s['pattern']).int(14, s['maxItems']).int(15, s['minItems']).bool(16, s['uniqueItems']);
  w.strings(19, s['required']);
  if (Array.isArray(s['enum'])) for (const e of s['enum']) w.message(20, anyYAML(e));
  const ap = s['additionalProperties'];
  if (typeof ap === 'boolean') w.message(21, new Writer().bool(2, ap));
  else if (ap && typeof ap === 'object') w.message(21, new Writer().message(1, schema(obj(ap))));
  if (typeof s['type'] === 'string') w.message(22, new Writer().string(1, s['type']));
  if (s['items'] && typeof s['items'] === 'object') w.message(23, new Writer().message(1, schema(obj(s['items']))));
  if (Array.isArray(s['allOf'])) for (const a of s['allOf']) w.message(24, schema(obj(a)));
  if (s['properties']) {
    const props = new Writer();
    for (const [k, v] of Object.entries(obj(s['properties']))) props.message(1, new Writer().string(1, k).message(2, schema(obj(v))));
    w.message(25, props);
  }
  vendorExtensions(w, 31, s);
  return w;
}

function parameter(p: JSONObject): Writer {
  if (p['in'] === 'body') {
    const body = new Writer().string(1, p['description']).string(2, p['name']).string(3, p['in']).bool(4, p['required']).message(5, schema(obj(p['schema'])));
    return new Writer().message(1, new Writer().message(1, body));
  }
  const isPath = p['in'] === 'path';
  const sub = new Writer().bool(1, p['required']).string(2, p['in']).string(3, p['description']).string(4, p['name']);
  if (isPath) sub.string(5, p['type']).bool(19, p['uniqueItems']);
  else sub.string(6, p['type']).bool(20, p['uniqueItems']);
  const nonBody = new Writer().message(isPath ? 4 : 3, sub);
  return new Writer().message(1, new Writer().message(2, nonBody));
}

function operation(o: JSONObject): Writer {
  const w = new Writer().strings(1, o['tags']).string(2, o['summary']).string(3, o['description']).string(5, o['operationId']).strings(6, o['produces']).strings(7, o['consumes']);
  if (Array.isArray(o['parameters'])) for (const p of o['parameters']) w.message(8, parameter(obj(p)));
  const responses = new Writer();
  for (const [code, r] of Object.entries(obj(o['responses']))) {
    const rr = obj(r);
    const resp = new Writer().string(1, rr['description']);
    if (rr['schema']) resp.message(2, new Writer().message(1, schema(obj(rr['schema']))));
    responses.message(1, new Writer().string(1, code).message(2, new Writer().message(1, resp)));
  }
  w.message(9, responses);
  w.strings(10, o['schemes']);
  vendorExtensions(w, 13, o);
  return w;
}

const METHOD_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** swaggerToProtobuf encodes a swagger 2.0 document as openapi.v2.Document. */
export function swaggerToProtobuf(doc: JSONObject): Uint8Array {
  const w = new Writer().string(1, doc['swagger']);
  const info = obj(doc['info']);
  w.message(2, new Writer().string(1, info['title']).string(2, info['version']).string(3, info['description']));
  const paths = new Writer();
  for (const [path, item] of Object.entries(obj(doc['paths']))) {
    const it = obj(item);
    const pw = new Writer();
    for (const [m, f] of Object.entries(METHOD_FIELDS)) if (it[m]) pw.message(f, operation(obj(it[m])));
    if (Array.isArray(it['parameters'])) for (const p of it['parameters']) pw.message(9, parameter(obj(p)));
    paths.message(2, new Writer().string(1, path).message(2, pw));
  }
  w.message(8, paths);
  const defs = new Writer();
  for (const [name, s] of Object.entries(obj(doc['definitions']))) defs.message(1, new Writer().string(1, name).message(2, schema(obj(s))));
  w.message(9, defs);
  if (Array.isArray(doc['security'])) {
    for (const req of doc['security']) {
      const r = new Writer();
      for (const [name, scopes] of Object.entries(obj(req))) r.message(1, new Writer().string(1, name).message(2, new Writer().strings(1, scopes)));
      w.message(12, r);
    }
  }
  const secDefs = obj(doc['securityDefinitions']);
  if (Object.keys(secDefs).length) {
    const sd = new Writer();
    for (const [name, d] of Object.entries(secDefs)) {
      const dd = obj(d);
      const key = new Writer().string(1, dd['type']).string(2, dd['name']).string(3, dd['in']).string(4, dd['description']);
      sd.message(1, new Writer().string(1, name).message(2, new Writer().message(2, key)));
    }
    w.message(13, sd);
  }
  return w.bytes();
}
