#!/usr/bin/env node
/**
 * Generates src/apiserver/protobuf/schemas.generated.ts: the protobuf message table the apiserver
 * decodes `application/vnd.kubernetes.protobuf` request bodies with.
 *
 * Source: the kubectl binary embeds upstream's gogo-protobuf FileDescriptorProtos (gzipped, one
 * per generated.proto of k8s.io/api and k8s.io/apimachinery). We find every gzip member, gunzip
 * it, parse the descriptor wire format (a few fields of descriptor.proto, read by hand below) and
 * join each message with its OpenAPI definition (src/api/openapi/generated/definitions.json) for
 * the facts protobuf does not carry: which fields are `required` (no omitempty in Go), which are
 * JSON-inlined, and the group/version/kind each top-level message is served as.
 *
 * Usage: node scripts/gen-protobuf-schemas.mjs [path/to/kubectl] [--out file]
 * (default: the kubectl on PATH, writing src/apiserver/protobuf/schemas.generated.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outPath = outAt >= 0 ? args.splice(outAt, 2)[1] : undefined;
const kubectl = realpathSync(args[0] ?? execFileSync('sh', ['-c', 'command -v kubectl']).toString().trim());
let version = 'unknown';
try {
  version = JSON.parse(execFileSync(kubectl, ['version', '--client', '-o', 'json']).toString()).clientVersion.gitVersion;
} catch {
  // an unrunnable binary still has its descriptors
}
const bin = readFileSync(kubectl);

// --- descriptor wire format ---------------------------------------------------------------
function* fields(buf) {
  let pos = 0;
  const varint = () => {
    let r = 0n;
    let s = 0n;
    for (;;) {
      const b = buf[pos++];
      r |= BigInt(b & 0x7f) << s;
      if (!(b & 0x80)) return r;
      s += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) yield [no, varint()];
    else if (wire === 2) {
      const n = Number(varint());
      yield [no, buf.subarray(pos, pos + n)];
      pos += n;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`wire type ${wire}`);
  }
}
const str = (b) => Buffer.from(b).toString('utf8');

function parseField(buf) {
  const f = { name: '', number: 0, label: 1, type: 0, typeName: '', jsonName: '', opts: {} };
  for (const [no, v] of fields(buf)) {
    if (no === 1) f.name = str(v);
    else if (no === 3) f.number = Number(v);
    else if (no === 4) f.label = Number(v);
    else if (no === 5) f.type = Number(v);
    else if (no === 6) f.typeName = str(v).replace(/^\./, '');
    else if (no === 10) f.jsonName = str(v);
    else if (no === 8) {
      for (const [o, ov] of fields(v)) {
        if (o === 65001) f.opts.nullable = Number(ov) !== 0;
        else if (o === 65004) f.opts.customname = str(ov);
      }
    }
  }
  return f;
}

function parseMessage(buf, prefix, out) {
  const m = { name: '', fields: [], mapEntry: false };
  const nested = [];
  for (const [no, v] of fields(buf)) {
    if (no === 1) m.name = str(v);
    else if (no === 2) m.fields.push(parseField(v));
    else if (no === 3) nested.push(v);
    else if (no === 7) for (const [o, ov] of fields(v)) if (o === 7) m.mapEntry = Number(ov) !== 0;
  }
  m.full = `${prefix}.${m.name}`;
  out.set(m.full, m);
  for (const n of nested) parseMessage(n, m.full, out);
}

const files = new Map();
const messages = new Map();
const enums = new Set();
const magic = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]);
for (let at = bin.indexOf(magic); at >= 0; at = bin.indexOf(magic, at + 1)) {
  let raw;
  try {
    // The header has no optional fields (flags 0): 10 bytes. Raw inflate stops at the end of
    // this member, where gunzip would run on into the next embedded descriptor.
    raw = inflateRawSync(bin.subarray(at + 10), { finishFlush: 2 });
  } catch {
    continue;
  }
  let name = '';
  let pkg = '';
  try {
    for (const [no, v] of fields(raw)) {
      if (no === 1 && typeof v !== 'bigint') name = str(v);
      if (no === 2 && typeof v !== 'bigint') pkg = str(v);
    }
  } catch {
    continue;
  }
  if (!/^k8s\.io\/(api|apimachinery)\/.*generated\.proto$/.test(name) || files.has(name)) continue;
  files.set(name, pkg);
  for (const [no, v] of fields(raw)) {
    if (no === 4) parseMessage(v, pkg, messages);
    if (no === 5) for (const [eno, ev] of fields(v)) if (eno === 1) enums.add(`${pkg}.${str(ev)}`);
  }
}
if (files.size === 0) throw new Error(`no k8s.io generated.proto descriptors found in ${kubectl}`);

// --- OpenAPI join ---------------------------------------------------------------------------
const defs = JSON.parse(readFileSync(join(root, 'src/api/openapi/generated/definitions.json'), 'utf8')).definitions;
/** k8s.io.api.core.v1.Pod -> io.k8s.api.core.v1.Pod */
const defName = (full) => full.replace(/^k8s\.io\./, 'io.k8s.');
const norm = (s) => s.toLowerCase().replace(/[^a-z0-9]/g, '').replace(/^xkubernetes/, 'xkubernetes');

const SCALARS = { 1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 6: 'fixed64', 7: 'fixed32', 8: 'bool', 9: 'string', 12: 'bytes', 13: 'uint32', 15: 'sfixed32', 16: 'sfixed64', 17: 'sint32', 18: 'sint64' };
const typeOf = (f) => (f.type === 11 ? f.typeName : f.type === 14 ? 'int32' : SCALARS[f.type]);

// Flags (bit set) of a generated field.
const REPEATED = 1;
const NON_NULLABLE = 2;
const MAP = 4;
const REQUIRED = 8;
const INLINE = 16;

const out = {};
const warnings = [];
for (const [full, m] of [...messages].sort(([a], [b]) => (a < b ? -1 : 1))) {
  if (m.mapEntry) continue;
  const def = defs[defName(full)];
  const props = def?.properties ?? {};
  const required = new Set(def?.required ?? []);
  const byNorm = new Map(Object.keys(props).map((p) => [norm(p), p]));
  const rows = [];
  for (const f of m.fields) {
    let flags = 0;
    let type = typeOf(f);
    if (f.type === 11 && messages.get(f.typeName)?.mapEntry) {
      const entry = messages.get(f.typeName);
      flags |= MAP;
      // The decoder and encoder read map keys as strings, as every Kubernetes map has them.
      const key = typeOf(entry.fields.find((x) => x.number === 1));
      if (key !== 'string') throw new Error(`${full}.${f.name}: map key type ${key} (only string keys are supported)`);
      type = typeOf(entry.fields.find((x) => x.number === 2));
    } else if (f.label === 3) flags |= REPEATED;
    if (f.opts.nullable === false) flags |= NON_NULLABLE;
    let json = f.name;
    if (def && !(json in props)) {
      const alt = byNorm.get(norm(json));
      if (alt) json = alt;
      // An embedded Go struct (`json:",inline"`): its Go field name is its type's name. Any other
      // field missing from the definition is newer than definitions.json and keeps its name.
      else if (f.type === 11 && f.label !== 3 && f.opts.customname === f.typeName.split('.').pop()) flags |= INLINE;
      else warnings.push(`${full}.${f.name}: no OpenAPI property`);
    }
    if (required.has(json)) flags |= REQUIRED;
    rows.push([f.number, json, type, flags]);
  }
  out[full] = rows;
}

// Named Go slice types (`type ExtraValue []string`) travel as a message with one repeated
// `items` field but are JSON arrays; they have no OpenAPI definition of their own.
const arrays = Object.keys(out).filter((full) => !defs[defName(full)] && out[full].length === 1 && out[full][0][1] === 'items' && out[full][0][3] & REPEATED);

// apiVersion/kind -> message, from the definitions' x-kubernetes-group-version-kind.
const kinds = {};
for (const full of Object.keys(out)) {
  for (const gvk of defs[defName(full)]?.['x-kubernetes-group-version-kind'] ?? []) {
    const av = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    kinds[`${av}/${gvk.kind}`] ??= full;
  }
}
// meta/v1 kinds are accepted under every group version (DeleteOptions on DELETE, ...): the
// decoder falls back to them by kind.

const header = `// Code generated by scripts/gen-protobuf-schemas.mjs. DO NOT EDIT.
// Source: the gogo-protobuf FileDescriptorProtos embedded in kubectl ${version}
// (${files.size} files: k8s.io/api/*/generated.proto and k8s.io/apimachinery/*/generated.proto),
// joined with src/api/openapi/generated/definitions.json for required/inline/json names.
//
// MESSAGES: proto full name -> fields as [number, jsonName, type, flags]. type is a
// scalar ('string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float',
// ...; enums are 'int32') or a message's full name; for maps it is the value type (keys are
// always strings). flags: 1 repeated, 2 non-nullable (gogoproto nullable=false: a non-pointer
// Go field), 4 map, 8 required in OpenAPI (no omitempty), 16 JSON-inlined embedded struct.
// KINDS: 'apiVersion/kind' -> message full name. ARRAYS: messages that are JSON arrays.
// Regenerate: node scripts/gen-protobuf-schemas.mjs [path/to/kubectl] (needs that binary).
`;
const body = `${header}
/* eslint-disable */
export type GeneratedField = readonly [number, string, string, number];

export const MESSAGES: Readonly<Record<string, readonly GeneratedField[]>> = ${JSON.stringify(out, null, 0).replace(/\],"/g, '],\n"')};

export const KINDS: Readonly<Record<string, string>> = ${JSON.stringify(kinds, null, 0).replace(/,"/g, ',\n"')};

export const ARRAYS: ReadonlySet<string> = new Set(${JSON.stringify(arrays)});
`;
const target = outPath ?? join(root, 'src/apiserver/protobuf/schemas.generated.ts');
writeFileSync(target, body);
console.log(`${target}: ${files.size} files, ${Object.keys(out).length} messages, ${Object.keys(kinds).length} kinds`);
for (const w of warnings) console.warn(`warning: ${w}`);
