/**
 * The swagger 2.0 document in gnostic's protobuf form (openapi.v2.Document), which older kubectl
 * (1.27) asks for exclusively (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`).
 * Field numbers follow google/gnostic's OpenAPIv2.proto. Covered: info, paths with their
 * operations and parameters, definitions (schemas with properties, items, refs,
 * additionalProperties) and vendor extensions (`x-kubernetes-*`, carried as YAML).
 */
import { stringify as yamlStringify } from 'yaml';

type J = Record<string, unknown>;

class Writer {
  private parts: Buffer[] = [];
  private varint(n: number): void {
    const bytes: number[] = [];
    let v = BigInt(n);
    if (v < 0n) v = BigInt.asUintN(64, v);
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      bytes.push(b);
    } while (v > 0n);
    this.parts.push(Buffer.from(bytes));
  }
  private tag(no: number, wire: number): void {
    this.varint((no << 3) | wire);
  }
  string(no: number, v: unknown): void {
    if (typeof v !== 'string' || v === '') return;
    this.bytes(no, Buffer.from(v, 'utf8'));
  }
  strings(no: number, v: unknown): void {
    if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') this.bytes(no, Buffer.from(s, 'utf8'));
  }
  bool(no: number, v: unknown): void {
    if (v !== true) return;
    this.tag(no, 0);
    this.varint(1);
  }
  int(no: number, v: unknown): void {
    if (typeof v !== 'number' || v === 0) return;
    this.tag(no, 0);
    this.varint(Math.trunc(v));
  }
  double(no: number, v: unknown): void {
    if (typeof v !== 'number' || v === 0) return;
    this.tag(no, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.parts.push(b);
  }
  bytes(no: number, b: Buffer): void {
    this.tag(no, 2);
    this.varint(b.length);
    this.parts.push(b);
  }
  message(no: number, build: (w: Writer) => void): void {
    const w = new Writer();
    build(w);
    this.bytes(no, w.finish());
  }
  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const isObj = (v: unknown): v is J => v !== null && typeof v === 'object' && !Array.isArray(v);

/** anyYaml writes an openapi.v2.Any carrying a value as YAML. */
function anyYaml(w: Writer, no: number, v: unknown): void {
  if (v === undefined) return;
  w.message(no, (a) => a.string(2, yamlStringify(v).replace(/\n$/, '')));
}

function vendorExtensions(w: Writer, no: number, o: J): void {
  for (const [k, v] of Object.entries(o)) {
    if (!k.startsWith('x-')) continue;
    w.message(no, (n) => {
      n.string(1, k);
      anyYaml(n, 2, v);
    });
  }
}

function schema(w: Writer, s: J): void {
  w.string(1, s.$ref);
  w.string(2, s.format);
  w.string(3, s.title);
  w.string(4, s.description);
  anyYaml(w, 5, s.default);
  w.double(6, s.multipleOf);
  w.double(7, s.maximum);
  w.bool(8, s.exclusiveMaximum);
  w.double(9, s.minimum);
  w.bool(10, s.exclusiveMinimum);
  w.int(11, s.maxLength);
  w.int(12, s.minLength);
  w.string(13, s.pattern);
  w.int(14, s.maxItems);
  w.int(15, s.minItems);
  w.bool(16, s.uniqueItems);
  w.int(17, s.maxProperties);
  w.int(18, s.minProperties);
  w.strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) anyYaml(w, 20, e);
  if (isObj(s.additionalProperties)) w.message(21, (a) => a.message(1, (x) => schema(x, s.additionalProperties as J)));
  else if (typeof s.additionalProperties === 'boolean') w.message(21, (a) => a.bool(2, s.additionalProperties));
  if (typeof s.type === 'string') w.message(22, (t) => t.strings(1, [s.type]));
  else if (Array.isArray(s.type)) w.message(22, (t) => t.strings(1, s.type));
  if (isObj(s.items)) w.message(23, (i) => i.message(1, (x) => schema(x, s.items as J)));
  else if (Array.isArray(s.items)) w.message(23, (i) => (s.items as J[]).forEach((it) => i.message(1, (x) => schema(x, it))));
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObj(a)) w.message(24, (x) => schema(x, a));
  if (isObj(s.properties)) {
    w.message(25, (p) => {
      for (const [name, v] of Object.entries(s.properties as J)) {
        if (!isObj(v)) continue;
        p.message(1, (n) => {
          n.string(1, name);
          n.message(2, (x) => schema(x, v));
        });
      }
    });
  }
  w.string(26, s.discriminator);
  w.bool(27, s.readOnly);
  vendorExtensions(w, 31, s);
}

/** parameter writes a ParametersItem: a JSON reference or a Parameter. */
function parameter(w: Writer, p: J): void {
  if (typeof p.$ref === 'string') {
    w.message(2, (r) => r.string(1, p.$ref));
    return;
  }
  w.message(1, (param) => parameterMsg(param, p));
}

/** parameterMsg writes a Parameter (the body / non-body oneof). */
function parameterMsg(param: Writer, p: J): void {
  {
    if (p.in === 'body') {
      param.message(1, (b) => {
        b.string(1, p.description);
        b.string(2, p.name);
        b.string(3, p.in);
        b.bool(4, p.required);
        if (isObj(p.schema)) b.message(5, (x) => schema(x, p.schema as J));
        vendorExtensions(b, 6, p);
      });
      return;
    }
    param.message(2, (nb) => {
      if (p.in === 'query') {
        nb.message(3, (q) => {
          q.bool(1, p.required);
          q.string(2, p.in);
          q.string(3, p.description);
          q.string(4, p.name);
          q.bool(5, p.allowEmptyValue);
          q.string(6, p.type);
          q.string(7, p.format);
          q.bool(20, p.uniqueItems);
          vendorExtensions(q, 23, p);
        });
      } else if (p.in === 'path') {
        nb.message(4, (q) => {
          q.bool(1, p.required);
          q.string(2, p.in);
          q.string(3, p.description);
          q.string(4, p.name);
          q.string(5, p.type);
          q.string(6, p.format);
          q.bool(19, p.uniqueItems);
          vendorExtensions(q, 22, p);
        });
      } else if (p.in === 'header') {
        nb.message(1, (q) => {
          q.bool(1, p.required);
          q.string(2, p.in);
          q.string(3, p.description);
          q.string(4, p.name);
          q.string(5, p.type);
        });
      }
    });
  }
}

function operation(w: Writer, op: J): void {
  w.strings(1, op.tags);
  w.string(2, op.summary);
  w.string(3, op.description);
  w.string(5, op.operationId);
  w.strings(6, op.produces);
  w.strings(7, op.consumes);
  if (Array.isArray(op.parameters)) for (const p of op.parameters) if (isObj(p)) w.message(8, (x) => parameter(x, p));
  if (isObj(op.responses)) {
    w.message(9, (rs) => {
      for (const [code, r] of Object.entries(op.responses as J)) {
        if (!isObj(r)) continue;
        rs.message(1, (n) => {
          n.string(1, code);
          n.message(2, (rv) => {
            if (typeof r.$ref === 'string') rv.message(2, (j) => j.string(1, r.$ref));
            else {
              rv.message(1, (resp) => {
                resp.string(1, r.description);
                if (isObj(r.schema)) resp.message(2, (si) => si.message(1, (x) => schema(x, r.schema as J)));
              });
            }
          });
        });
      }
    });
  }
  w.strings(10, op.schemes);
  w.bool(11, op.deprecated);
  vendorExtensions(w, 13, op);
}

const OPS: Array<[string, number]> = [
  ['get', 2],
  ['put', 3],
  ['post', 4],
  ['delete', 5],
  ['options', 6],
  ['head', 7],
  ['patch', 8],
];

/** swaggerToProtobuf encodes a swagger 2.0 JSON document as openapi.v2.Document bytes. */
export function swaggerToProtobuf(doc: J): Buffer {
  const w = new Writer();
  w.string(1, doc.swagger);
  if (isObj(doc.info)) {
    const info = doc.info;
    w.message(2, (i) => {
      i.string(1, info.title);
      i.string(2, info.version);
      i.string(3, info.description);
    });
  }
  w.string(3, doc.host);
  w.string(4, doc.basePath);
  w.strings(5, doc.schemes);
  w.strings(6, doc.consumes);
  w.strings(7, doc.produces);
  if (isObj(doc.paths)) {
    w.message(8, (paths) => {
      for (const [path, item] of Object.entries(doc.paths as J)) {
        if (!isObj(item)) continue;
        paths.message(2, (n) => {
          n.string(1, path);
          n.message(2, (pi) => {
            pi.string(1, item.$ref);
            for (const [verb, no] of OPS) if (isObj(item[verb])) pi.message(no, (x) => operation(x, item[verb] as J));
            if (Array.isArray(item.parameters)) for (const p of item.parameters) if (isObj(p)) pi.message(9, (x) => parameter(x, p));
            vendorExtensions(pi, 10, item);
          });
        });
      }
    });
  }
  if (isObj(doc.definitions)) {
    w.message(9, (defs) => {
      for (const [name, s] of Object.entries(doc.definitions as J)) {
        if (!isObj(s)) continue;
        defs.message(1, (n) => {
          n.string(1, name);
          n.message(2, (x) => schema(x, s));
        });
      }
    });
  }
  if (isObj(doc.parameters)) {
    w.message(10, (ps) => {
      for (const [name, p] of Object.entries(doc.parameters as J)) {
        if (!isObj(p)) continue;
        ps.message(1, (n) => {
          n.string(1, name);
          n.message(2, (x) => parameterMsg(x, p));
        });
      }
    });
  }
  vendorExtensions(w, 16, doc);
  return w.finish();
}
