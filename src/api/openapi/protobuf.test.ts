import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYAML } from 'yaml';
import { builtinResources } from '../resources.js';
import { openAPIV2, openAPIV2JSON, openAPIV2Protobuf } from './index.js';
import { swaggerToProtobuf, writeVarint } from './protobuf.js';

test('varint: boundary values encode as base-128 groups', () => {
  const cases: Array<{ name: string; n: number; bytes: number[] }> = [
    { name: 'zero', n: 0, bytes: [0x00] },
    { name: 'largest one-byte', n: 127, bytes: [0x7f] },
    { name: 'smallest two-byte', n: 128, bytes: [0x80, 0x01] },
    { name: 'largest two-byte', n: 16383, bytes: [0xff, 0x7f] },
    { name: 'smallest three-byte', n: 16384, bytes: [0x80, 0x80, 0x01] },
    { name: '2^31-1', n: 2 ** 31 - 1, bytes: [0xff, 0xff, 0xff, 0xff, 0x07] },
    { name: '2^32 (beyond 32-bit shifts)', n: 2 ** 32, bytes: [0x80, 0x80, 0x80, 0x80, 0x10] },
  ];
  for (const c of cases) {
    const buf = new Uint8Array(12).fill(0xee);
    const end = writeVarint(buf, 1, c.n);
    assert.equal(end, 1 + c.bytes.length, `${c.name}: length`);
    assert.deepEqual([...buf.subarray(0, end + 1)], [0xee, ...c.bytes, 0xee], `${c.name}: bytes, and nothing written around them`);
  }
});

/**
 * A decoder for the gnostic messages these tests look at, written from OpenAPIv2.proto: field
 * number to [name, type, repeated]. A field number the table does not know fails the test, so
 * a field written under the wrong number cannot pass unseen.
 */
type FieldType = 'string' | 'bool' | 'int' | 'double' | string;
const MESSAGES: Record<string, Record<number, [string, FieldType, boolean?]>> = {
  Document: { 1: ['swagger', 'string'], 2: ['info', 'Info'], 3: ['host', 'string'], 8: ['paths', 'Paths'], 9: ['definitions', 'Definitions'], 10: ['parameters', 'ParameterDefinitions'], 12: ['security', 'SecurityRequirement', true], 13: ['securityDefinitions', 'SecurityDefinitions'], 16: ['vendorExtension', 'NamedAny', true] },
  Info: { 1: ['title', 'string'], 2: ['version', 'string'] },
  Paths: { 1: ['vendorExtension', 'NamedAny', true], 2: ['path', 'NamedPathItem', true] },
  NamedPathItem: { 1: ['name', 'string'], 2: ['value', 'PathItem'] },
  PathItem: { 2: ['get', 'Operation'], 4: ['post', 'Operation'], 9: ['parameters', 'ParametersItem', true] },
  Operation: { 1: ['tags', 'string', true], 5: ['operationId', 'string'], 8: ['parameters', 'ParametersItem', true], 9: ['responses', 'Responses'], 11: ['deprecated', 'bool'], 13: ['vendorExtension', 'NamedAny', true] },
  ParametersItem: { 1: ['parameter', 'Parameter'], 2: ['jsonReference', 'JsonReference'] },
  ParameterDefinitions: { 1: ['additionalProperties', 'NamedParameter', true] },
  NamedParameter: { 1: ['name', 'string'], 2: ['value', 'Parameter'] },
  Parameter: { 1: ['bodyParameter', 'BodyParameter'], 2: ['nonBodyParameter', 'NonBodyParameter'] },
  BodyParameter: { 2: ['name', 'string'], 3: ['in', 'string'], 4: ['required', 'bool'], 5: ['schema', 'Schema'] },
  NonBodyParameter: { 1: ['headerParameterSubSchema', 'PathParameterSubSchema'], 3: ['queryParameterSubSchema', 'QueryParameterSubSchema'], 4: ['pathParameterSubSchema', 'PathParameterSubSchema'] },
  QueryParameterSubSchema: { 1: ['required', 'bool'], 2: ['in', 'string'], 4: ['name', 'string'], 5: ['allowEmptyValue', 'bool'], 6: ['type', 'string'], 7: ['format', 'string'], 8: ['items', 'PrimitivesItems'], 15: ['maxLength', 'int'], 20: ['uniqueItems', 'bool'], 21: ['enum', 'Any', true], 23: ['vendorExtension', 'NamedAny', true] },
  PathParameterSubSchema: { 1: ['required', 'bool'], 2: ['in', 'string'], 4: ['name', 'string'], 5: ['type', 'string'], 6: ['format', 'string'], 19: ['uniqueItems', 'bool'] },
  PrimitivesItems: { 1: ['type', 'string'], 16: ['enum', 'Any', true] },
  JsonReference: { 1: ['$ref', 'string'] },
  Responses: { 1: ['responseCode', 'NamedResponseValue', true], 2: ['vendorExtension', 'NamedAny', true] },
  NamedResponseValue: { 1: ['name', 'string'], 2: ['value', 'ResponseValue'] },
  ResponseValue: { 1: ['response', 'Response'], 2: ['jsonReference', 'JsonReference'] },
  Response: { 1: ['description', 'string'], 2: ['schema', 'SchemaItem'] },
  SchemaItem: { 1: ['schema', 'Schema'] },
  Definitions: { 1: ['additionalProperties', 'NamedSchema', true] },
  NamedSchema: { 1: ['name', 'string'], 2: ['value', 'Schema'] },
  // Schema: the fields the cases below use, from $ref (1) to vendorExtension (31).
  Schema: { 1: ['$ref', 'string'], 2: ['format', 'string'], 4: ['description', 'string'], 5: ['default', 'Any'], 7: ['maximum', 'double'], 11: ['maxLength', 'int'], 17: ['maxProperties', 'int'], 19: ['required', 'string', true], 20: ['enum', 'Any', true], 21: ['additionalProperties', 'AdditionalPropertiesItem'], 22: ['type', 'TypeItem'], 23: ['items', 'ItemsItem'], 25: ['properties', 'Properties'], 27: ['readOnly', 'bool'], 31: ['vendorExtension', 'NamedAny', true] },

  AdditionalPropertiesItem: { 1: ['schema', 'Schema'], 2: ['boolean', 'bool'] },
  TypeItem: { 1: ['value', 'string', true] },
  ItemsItem: { 1: ['schema', 'Schema', true] },
  Properties: { 1: ['additionalProperties', 'NamedSchema', true] },
  NamedAny: { 1: ['name', 'string'], 2: ['value', 'Any'] },
  Any: { 2: ['yaml', 'string'] },
  SecurityRequirement: { 1: ['additionalProperties', 'NamedStringArray', true] },
  NamedStringArray: { 1: ['name', 'string'], 2: ['value', 'StringArray'] },
  StringArray: { 1: ['value', 'string', true] },
  SecurityDefinitions: { 1: ['additionalProperties', 'NamedSecurityDefinitionsItem', true] },
  NamedSecurityDefinitionsItem: { 1: ['name', 'string'], 2: ['value', 'SecurityDefinitionsItem'] },
  SecurityDefinitionsItem: { 1: ['basicAuthenticationSecurity', 'BasicAuthenticationSecurity'], 2: ['apiKeySecurity', 'ApiKeySecurity'] },
  BasicAuthenticationSecurity: { 1: ['type', 'string'], 2: ['description', 'string'] },
  ApiKeySecurity: { 1: ['type', 'string'], 2: ['name', 'string'], 3: ['in', 'string'], 4: ['description', 'string'] },
};

type Decoded = { [k: string]: unknown };

/** readVarint reads the varint at pos: its value and the position after it. */
function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let n = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++]!;
    n += (b & 0x7f) * mul;
    if (b < 0x80) return [n, pos];
    mul *= 128;
  }
}

function decode(buf: Uint8Array, type: string, start = 0, end = buf.length): Decoded {
  const table = MESSAGES[type];
  assert.ok(table, `no table for ${type}`);
  const out: Decoded = {};
  for (const f of fields(buf, start, end)) {
    const spec = table[f.no];
    assert.ok(spec, `${type}: unexpected field ${f.no}`);
    const [name, ft, repeated] = spec;
    const wantWire = ft === 'bool' || ft === 'int' ? 0 : ft === 'double' ? 1 : 2;
    assert.equal(f.wire, wantWire, `${type}.${name} wire type`);
    let v: unknown;
    if (ft === 'bool') v = f.n === 1;
    else if (ft === 'int') v = f.n;
    else if (ft === 'double') v = new DataView(buf.buffer, buf.byteOffset + f.start, 8).getFloat64(0, true);
    else if (ft === 'string') v = new TextDecoder().decode(buf.subarray(f.start, f.end));
    else v = decode(buf, ft, f.start, f.end);
    if (repeated) ((out[name] ??= []) as unknown[]).push(v);
    else {
      assert.ok(!(name in out), `${type}.${name} written twice`);
      out[name] = v;
    }
  }
  return out;
}

test('swaggerToProtobuf: table of swagger fragments and their gnostic messages', () => {
  const cases: Array<{ name: string; doc: Record<string, unknown>; want: Decoded }> = [
    {
      name: 'security and securityDefinitions (BearerToken as kube-apiserver declares it)',
      doc: {
        security: [{ BearerToken: [] }],
        securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' }, Basic: { type: 'basic' } },
      },
      want: {
        security: [{ additionalProperties: [{ name: 'BearerToken', value: {} }] }],
        securityDefinitions: {
          additionalProperties: [
            { name: 'BearerToken', value: { apiKeySecurity: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' } } },
            { name: 'Basic', value: { basicAuthenticationSecurity: { type: 'basic' } } },
          ],
        },
      },
    },
    {
      name: 'schema: oneof false is written, type and items lists, counts, refs and extensions',
      doc: {
        definitions: {
          A: {
            additionalProperties: false,
            type: ['string', 'null'],
            items: [{ $ref: '#/definitions/B' }, { type: 'integer', format: 'int32' }],
            maxLength: 2 ** 31 - 1,
            maxProperties: 3,
            maximum: 1.5,
            readOnly: true,
            required: ['x'],
            'x-kubernetes-list-map-keys': ['on', 'y'],
          },
          B: { properties: { m: { additionalProperties: { type: 'string' } } }, default: { a: 1 }, enum: ['on', 2] },
        },
      },
      want: {
        definitions: {
          additionalProperties: [
            {
              name: 'A',
              value: {
                maximum: 1.5,
                maxLength: 2 ** 31 - 1,
                maxProperties: 3,
                required: ['x'],
                additionalProperties: { boolean: false },
                type: { value: ['string', 'null'] },
                items: { schema: [{ $ref: '#/definitions/B' }, { format: 'int32', type: { value: ['integer'] } }] },
                readOnly: true,
                vendorExtension: [{ name: 'x-kubernetes-list-map-keys', value: { yaml: '["on","y"]\n' } }],
              },
            },
            {
              name: 'B',
              value: {
                default: { yaml: '{"a":1}\n' },
                enum: [{ yaml: '"on"\n' }, { yaml: '2\n' }],
                properties: { additionalProperties: [{ name: 'm', value: { additionalProperties: { schema: { type: { value: ['string'] } } } } }] },
              },
            },
          ],
        },
      },
    },
    {
      name: 'parameters: body, query (allowEmptyValue shifts the layout), path, header, $ref; doc-level parameters',
      doc: {
        paths: {
          '/p/{name}': {
            post: {
              parameters: [
                { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/X' } },
                { name: 'q', in: 'query', type: 'array', items: { type: 'string', enum: ['a'] }, allowEmptyValue: true, maxLength: 5, uniqueItems: true, 'x-e': 1 },
                { $ref: '#/parameters/shared' },
              ],
              responses: { '200': { description: 'OK', schema: { type: 'string' } }, default: { $ref: '#/responses/E' }, 'x-r': 'v' },
              deprecated: true,
            },
            parameters: [
              { name: 'name', in: 'path', required: true, type: 'string', format: 'f', uniqueItems: true },
              { name: 'h', in: 'header', type: 'string' },
            ],
          },
          'x-paths': true,
        },
        parameters: { shared: { name: 'pretty', in: 'query', type: 'string' } },
      },
      want: {
        paths: {
          vendorExtension: [{ name: 'x-paths', value: { yaml: 'true\n' } }],
          path: [
            {
              name: '/p/{name}',
              value: {
                post: {
                  parameters: [
                    { parameter: { bodyParameter: { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/X' } } } },
                    {
                      parameter: {
                        nonBodyParameter: {
                          queryParameterSubSchema: {
                            in: 'query',
                            name: 'q',
                            allowEmptyValue: true,
                            type: 'array',
                            items: { type: 'string', enum: [{ yaml: '"a"\n' }] },
                            maxLength: 5,
                            uniqueItems: true,
                            vendorExtension: [{ name: 'x-e', value: { yaml: '1\n' } }],
                          },
                        },
                      },
                    },
                    { jsonReference: { $ref: '#/parameters/shared' } },
                  ],
                  responses: {
                    responseCode: [
                      { name: '200', value: { response: { description: 'OK', schema: { schema: { type: { value: ['string'] } } } } } },
                      { name: 'default', value: { jsonReference: { $ref: '#/responses/E' } } },
                    ],
                    vendorExtension: [{ name: 'x-r', value: { yaml: '"v"\n' } }],
                  },
                  deprecated: true,
                },
                parameters: [
                  { parameter: { nonBodyParameter: { pathParameterSubSchema: { required: true, in: 'path', name: 'name', type: 'string', format: 'f', uniqueItems: true } } } },
                  { parameter: { nonBodyParameter: { headerParameterSubSchema: { in: 'header', name: 'h', type: 'string' } } } },
                ],
              },
            },
          ],
        },
        parameters: { additionalProperties: [{ name: 'shared', value: { nonBodyParameter: { queryParameterSubSchema: { in: 'query', name: 'pretty', type: 'string' } } } }] },
      },
    },
  ];
  for (const c of cases) assert.deepEqual(decode(swaggerToProtobuf(c.doc), 'Document'), c.want, c.name);
});

test('strings: the length prefix follows the UTF-8 length, not the UTF-16 one', () => {
  const cases: Array<{ name: string; text: string }> = [
    { name: 'ASCII, one-byte prefix', text: 'a'.repeat(127) },
    { name: 'ASCII, two-byte prefix', text: 'a'.repeat(128) },
    { name: '100 UTF-16 units, 200 UTF-8 bytes (prefix grows)', text: 'é'.repeat(100) },
    { name: 'astral characters', text: '😀'.repeat(40) + 'x' },
    { name: 'long multi-byte, three-byte prefix', text: '€'.repeat(6000) },
  ];
  for (const c of cases) {
    const pb = swaggerToProtobuf({ definitions: { D: { description: c.text, format: 'after' } } });
    assert.deepEqual(decode(pb, 'Document'), { definitions: { additionalProperties: [{ name: 'D', value: { description: c.text, format: 'after' } }] } }, c.name);
  }
});

test('vendor extensions read back the same under YAML 1.1, as kubectl (gopkg.in/yaml.v2) reads them', () => {
  const values: unknown[] = ['on', 'yes', 'y', 'off', 'No', '2001-12-14', '1_000', ['on', 'x'], { group: '', version: 'v1', kind: 'Pod' }, 'atomic'];
  for (const v of values) {
    const pb = swaggerToProtobuf({ 'x-v': v });
    const yaml = (decode(pb, 'Document')['vendorExtension'] as Array<{ value: { yaml: string } }>)[0]!.value.yaml;
    assert.deepEqual(parseYAML(yaml, { version: '1.1' }), v, JSON.stringify(v));
    assert.deepEqual(parseYAML(yaml), v, JSON.stringify(v));
  }
});

test('served document: every definition and path is there, with security; same bytes from the JSON form', () => {
  const pb = openAPIV2Protobuf(builtinResources);
  const doc = openAPIV2(builtinResources) as { definitions: object; paths: object };
  // The full document uses fields the decoder's table leaves out, so only its outline is read.
  const top = outline(pb);
  assert.equal(top.get(1), 1, 'swagger');
  assert.equal(top.get(8), 1, 'paths');
  assert.equal(top.get(9), 1, 'definitions');
  assert.equal(top.get(12), 1, 'security');
  assert.equal(top.get(13), 1, 'securityDefinitions');
  assert.equal(countEntries(pb, 9, 1), Object.keys(doc.definitions).length);
  assert.equal(countEntries(pb, 8, 2), Object.keys(doc.paths).length);
  // The apiserver used to encode the document parsed back from its JSON bytes: no difference.
  assert.deepEqual(swaggerToProtobuf(JSON.parse(openAPIV2JSON(builtinResources)) as Record<string, unknown>), pb);
});

interface Field {
  no: number;
  wire: number;
  /** n is a varint field's value. */
  n: number;
  /** start and end delimit a fixed64 or length-delimited field's bytes. */
  start: number;
  end: number;
}

/** fields lists one message's top-level fields, failing on a truncated or overrunning one. */
function fields(buf: Uint8Array, start = 0, end = buf.length): Field[] {
  const out: Field[] = [];
  let pos = start;
  while (pos < end) {
    const [key, afterKey] = readVarint(buf, pos);
    const f: Field = { no: Math.floor(key / 8), wire: key % 8, n: 0, start: afterKey, end: afterKey };
    if (f.wire === 0) [f.n, f.end] = readVarint(buf, afterKey);
    else if (f.wire === 1) f.end = afterKey + 8;
    else if (f.wire === 2) {
      const [len, afterLen] = readVarint(buf, afterKey);
      f.start = afterLen;
      f.end = afterLen + len;
    } else assert.fail(`wire type ${f.wire}`);
    pos = f.end;
    out.push(f);
  }
  assert.equal(pos, end, 'message overran its length');
  return out;
}

function outline(buf: Uint8Array): Map<number, number> {
  const m = new Map<number, number>();
  for (const f of fields(buf)) m.set(f.no, (m.get(f.no) ?? 0) + 1);
  return m;
}

/** countEntries counts the `entry` fields inside the document's top-level field `field`. */
function countEntries(buf: Uint8Array, field: number, entry: number): number {
  const f = fields(buf).find((x) => x.no === field)!;
  return fields(buf, f.start, f.end).filter((x) => x.no === entry).length;
}
