/**
 * parseWatchStream over bodies cut at every byte offset: events, multi-byte characters split
 * between chunks, blank lines, a last line without a newline, string chunks and malformed lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { parseWatchStream, withoutManagedFields } from './watch.js';

async function collect(chunks: Array<Buffer | string>, encoding?: BufferEncoding): Promise<unknown[]> {
  const body = Readable.from(chunks, { objectMode: false });
  if (encoding) body.setEncoding(encoding);
  const out: unknown[] = [];
  for await (const ev of parseWatchStream(body)) out.push(ev);
  return out;
}

const EVENTS = [
  { type: 'ADDED', object: { metadata: { name: 'é-ü-日本', resourceVersion: '1' } } },
  { type: 'MODIFIED', object: { metadata: { name: 'b', resourceVersion: '2', annotations: { note: 'line\\nbreak 🎉' } } } },
  { type: 'BOOKMARK', object: { metadata: { resourceVersion: '3' } } },
];

test('parseWatchStream yields every event however the body is cut', async () => {
  const text = `${JSON.stringify(EVENTS[0])}\n\n${JSON.stringify(EVENTS[1])}\r\n  \n${JSON.stringify(EVENTS[2])}`;
  const bytes = Buffer.from(text, 'utf8');
  for (const size of [1, 2, 3, 5, 64, bytes.length]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    assert.deepEqual(await collect(chunks), EVENTS, `chunks of ${size} bytes`);
  }
  assert.deepEqual(await collect([bytes], 'utf8'), EVENTS, 'string chunks (a body with an encoding set)');
});

test('parseWatchStream rejects lines that are not watch events', async () => {
  const cases = [
    { name: 'not JSON', line: '{"type":"ADDED",' },
    { name: 'no object', line: '{"type":"ADDED"}' },
    { name: 'type not a string', line: '{"type":1,"object":{}}' },
  ];
  for (const c of cases) await assert.rejects(collect([Buffer.from(`${JSON.stringify(EVENTS[0])}\n${c.line}\n`)]), /watch: malformed event/, c.name);
});

test('withoutManagedFields cuts object.metadata.managedFields only, leaving every other byte to JSON.parse', () => {
  const mf = [{ manager: 'kubelet', operation: 'Update', fieldsV1: { 'f:status': { 'k:{"type":"Ready"}': { '.': {} } } }, note: 'a "quoted" ] } [ { \\ value' }];
  const pod = (meta: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'MODIFIED', object: { apiVersion: 'v1', kind: 'Pod', ...extra, metadata: meta, spec: { nodeName: 'n' } } });
  const cases: Array<{ name: string; ev: Record<string, unknown>; cut: boolean; text?: string }> = [
    { name: 'in the middle of metadata', ev: pod({ name: 'a', labels: { x: 'y' }, managedFields: mf, uid: 'u' }), cut: true },
    { name: 'first member of metadata', ev: pod({ managedFields: mf, name: 'a' }), cut: true },
    { name: 'last member of metadata', ev: pod({ name: 'a', managedFields: mf }), cut: true },
    { name: 'only member of metadata', ev: pod({ managedFields: mf }), cut: true },
    { name: 'empty list', ev: pod({ name: 'a', managedFields: [] }), cut: true },
    { name: 'none', ev: pod({ name: 'a', annotations: { note: '"managedFields":[1]' } }), cut: false },
    { name: 'in a string only', ev: pod({ name: 'a', annotations: { 'last-applied': JSON.stringify({ metadata: { managedFields: [] } }) } }), cut: false },
    { name: 'a spec field of that name before metadata', ev: pod({ name: 'a', managedFields: mf }, { data: { managedFields: [1, 2] } }), cut: true },
    { name: 'template metadata is kept', ev: { type: 'ADDED', object: { kind: 'ReplicaSet', spec: { template: { metadata: { managedFields: mf } } }, metadata: { name: 'r' } } }, cut: false },
    { name: 'metadata not under object', ev: { type: 'BOOKMARK', metadata: { managedFields: mf }, object: { metadata: { resourceVersion: '5' } } }, cut: false },
    { name: 'whitespace around members', ev: {}, text: '{ "type" : "ADDED" , "object" : { "metadata" : { "name" : "a" , "managedFields" : [ {"m":1} ] , "uid" : "u" } } }', cut: true },
  ];
  for (const c of cases) {
    const line = c.text ?? JSON.stringify(c.ev);
    const want = JSON.parse(line) as { object: { metadata?: Record<string, unknown> } };
    if (c.cut) delete want.object.metadata!['managedFields'];
    const got = withoutManagedFields(line);
    assert.deepEqual(JSON.parse(got), want, c.name);
    if (!c.cut) assert.equal(got, line, `${c.name}: untouched`);
  }
  for (const broken of ['{"type":"ADDED","object":{"metadata":{"managedFields":[{"a":"b', '{"type":"ADDED","object":{"metadata":{"managedFields":"x"}}}', '{"type":"ADDED","object":{"metadata":{"na']) assert.equal(withoutManagedFields(broken), broken);
});

test('parseWatchStream with skipManagedFields yields the objects without them', async () => {
  const line = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', managedFields: [{ manager: 'm' }] } } });
  const out: unknown[] = [];
  for await (const ev of parseWatchStream(Readable.from([Buffer.from(`${line}\n`)], { objectMode: false }), { skipManagedFields: true })) out.push(ev);
  assert.deepEqual(out, [{ type: 'ADDED', object: { metadata: { name: 'a' } } }]);
});
