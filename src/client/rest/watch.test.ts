/**
 * parseWatchStream over bodies cut at every byte offset: events, multi-byte characters split
 * between chunks, blank lines, a last line without a newline, string chunks and malformed lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { managedFieldsRange, parseWatchStream } from './watch.js';

/** withoutManagedFields is the event text `line` with the range managedFieldsRange finds cut out, or `line` itself. */
function withoutManagedFields(line: string): string {
  const b = Buffer.from(line, 'utf8');
  const cut = managedFieldsRange(b, 0, b.length);
  if (!cut) return line;
  return b.toString('utf8', 0, cut[0]) + b.toString('utf8', cut[1]);
}

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
  assert.deepEqual(await collect([bytes.subarray(0, 20), bytes.subarray(20)], 'latin1'), EVENTS, 'string chunks of another encoding: the body is UTF-8 whatever its decoder');
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

test('withoutManagedFields: escapes, key order, duplicates and values it does not cut', () => {
  const mf = '[{"manager":"m"}]';
  const cases: Array<{ name: string; line: string; cut: boolean }> = [
    { name: 'string ending in backslashes before it', line: `{"type":"ADDED","object":{"metadata":{"name":"a\\\\","managedFields":${mf},"uid":"u"}}}`, cut: true },
    { name: 'escaped quote and braces in a label before it', line: `{"type":"ADDED","object":{"metadata":{"labels":{"k":"\\"}{[\\""},"managedFields":${mf}}}}`, cut: true },
    { name: 'object before type', line: `{"object":{"kind":"Pod","metadata":{"managedFields":${mf},"name":"a"}},"type":"MODIFIED"}`, cut: true },
    { name: 'ERROR event Status', line: '{"type":"ERROR","object":{"kind":"Status","metadata":{},"status":"Failure","code":410}}', cut: false },
    { name: 'key spelled with an escape: left for the transform', line: `{"type":"ADDED","object":{"metadata":{"name":"a","managed\\u0046ields":${mf}}}}`, cut: false },
    { name: 'object key spelled with an escape', line: `{"type":"ADDED","obj\\u0065ct":{"metadata":{"managedFields":${mf}}}}`, cut: false },
    { name: 'null: left for the transform', line: '{"type":"ADDED","object":{"metadata":{"name":"a","managedFields":null}}}', cut: false },
    { name: 'an object value: left for the transform', line: '{"type":"ADDED","object":{"metadata":{"managedFields":{"a":[1]}}}}', cut: false },
    { name: 'duplicate metadata: the earlier one is not what parse keeps', line: `{"type":"ADDED","object":{"metadata":{"name":"a"},"metadata":{"managedFields":${mf},"name":"b"}}}`, cut: false },
    { name: 'tabs and newlines as whitespace', line: `{\t"type":"ADDED",\r\n"object"\n:\t{"metadata":\r{"name":"a"\t,\n"managedFields"\r:\t${mf}\n}}}`, cut: true },
  ];
  for (const c of cases) {
    const want = JSON.parse(c.line) as { object?: { metadata?: Record<string, unknown> } };
    const got = withoutManagedFields(c.line);
    if (c.cut) {
      delete want.object!.metadata!['managedFields'];
      assert.notEqual(got, c.line, `${c.name}: cut`);
    } else assert.equal(got, c.line, `${c.name}: untouched`);
    assert.deepEqual(JSON.parse(got), want, c.name);
  }
  // a duplicate key: the first is cut, and JSON.parse keeps the last as it would have
  const dup = `{"type":"ADDED","object":{"metadata":{"managedFields":[1],"name":"a","managedFields":${mf}}}}`;
  assert.deepEqual(JSON.parse(withoutManagedFields(dup)), JSON.parse(dup), 'duplicate key');
});

test('withoutManagedFields on random events parses as JSON.parse then delete', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    // xorshift32: every bit varies, so small moduli are not stuck in a short cycle
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const KEYS = ['metadata', 'managedFields', 'object', 'spec', 'name', 'a"b', 'c\\', '{', '[]'];
  const STRS = ['', 'x', '"', '\\', '\\"', '{"managedFields":[', ']}', ',', 'é日\u{1F600}', '\n\t', ':'];
  const value = (d: number): unknown => {
    const k = rnd(d > 3 ? 4 : 7);
    if (k === 0) return STRS[rnd(STRS.length)];
    if (k === 1) return rnd(3) === 0 ? null : rnd(1000) - 500;
    if (k === 2) return rnd(2) === 0;
    if (k === 3) return rnd(4) === 0 ? 1.5e-7 : 'v';
    if (k === 4) return Array.from({ length: rnd(4) }, () => value(d + 1));
    return obj(d + 1);
  };
  const obj = (d: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (let n = rnd(5); n > 0; n--) o[KEYS[rnd(KEYS.length)]!] = value(d);
    return o;
  };
  const ws = (): string => [' ', '', '', '\t', '\n', '\r\n  '][rnd(6)]!;
  // JSON.stringify with random whitespace between tokens
  const ser = (v: unknown): string => {
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => `${ser(x)}${ws()}`).join(`,${ws()}`)}]`;
    if (v && typeof v === 'object') return `{${ws()}${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}${ws()}:${ws()}${ser(x)}${ws()}`).join(`,${ws()}`)}}`;
    return JSON.stringify(v);
  };
  let cut = 0;
  for (let i = 0; i < 3000; i++) {
    const meta = obj(3);
    if (rnd(3) > 0) meta['managedFields'] = Array.from({ length: rnd(3) }, () => obj(4));
    const o = obj(2);
    if (rnd(8) > 0) o['metadata'] = meta;
    const ev: Record<string, unknown> = { type: 'MODIFIED', ...obj(1) };
    if (rnd(8) > 0) ev['object'] = o;
    const line = `${ws()}${ser(ev)}${ws()}`;
    const want = JSON.parse(line) as { object?: { metadata?: Record<string, unknown> } };
    const m = want.object?.metadata;
    const cuttable = typeof m === 'object' && m !== null && !Array.isArray(m) && Array.isArray(m['managedFields']);
    if (cuttable) delete m['managedFields'];
    const got = withoutManagedFields(line);
    assert.equal(got !== line, cuttable, `cut iff there is a managedFields list: ${line}`);
    assert.deepEqual(JSON.parse(got), want, line);
    if (cuttable) cut++;
  }
  assert.ok(cut > 1000, `exercised the cut (${cut} times)`);
});

test('parseWatchStream with skipManagedFields yields the objects without them', async () => {
  const line = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', managedFields: [{ manager: 'm' }] } } });
  const out: unknown[] = [];
  for await (const ev of parseWatchStream(Readable.from([Buffer.from(`${line}\n`)], { objectMode: false }), { skipManagedFields: true })) out.push(ev);
  assert.deepEqual(out, [{ type: 'ADDED', object: { metadata: { name: 'a' } } }]);
});

test('parseWatchStream with skipManagedFields: lines cut across chunks, and lines larger than the shared scratch buffer', async () => {
  const mf = [{ manager: 'kubelet', fieldsV1: { 'f:status': { 'k:{"type":"Ready"}': {} } } }];
  const cases = [
    { name: 'small', pad: 0 },
    { name: 'beyond the initial scratch buffer', pad: 100_000 },
    { name: 'beyond the scratch buffer bound', pad: 1_500_000 },
  ];
  for (const c of cases) {
    const events = [0, 1, 2].map((i) => ({ type: 'MODIFIED', object: { metadata: { name: `p${i}-é`, managedFields: mf, uid: 'u' }, data: { pad: 'x'.repeat(c.pad) } } }));
    const bytes = Buffer.from(`${events.map((e) => JSON.stringify(e)).join('\n')}\n`, 'utf8');
    const want = events.map((e) => ({ type: e.type, object: { metadata: { name: e.object.metadata.name, uid: 'u' }, data: e.object.data } }));
    for (const size of c.pad ? [65_536, bytes.length] : [1, 7, 64, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const out: unknown[] = [];
      for await (const ev of parseWatchStream(Readable.from(chunks, { objectMode: false }), { skipManagedFields: true })) out.push(ev);
      assert.deepEqual(out, want, `${c.name}, chunks of ${size} bytes`);
    }
  }
});

test('parseWatchStream with skipManagedFields reads nothing past a line: a cut line ending in managedFields after a longer one', async () => {
  // The first line fills the shared scratch buffer with commas; the second, cut as well, ends
  // right after its managedFields array, where a stale comma would widen the cut by a byte.
  const long = JSON.stringify({ type: 'ADDED', object: { data: { pad: ','.repeat(200) }, metadata: { name: 'a' } } });
  const broken = '{"type":"ADDED","object":{"metadata":{"managedFields":[]';
  const bytes = Buffer.from(`${long}\n${broken}\n`);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 5) chunks.push(bytes.subarray(i, i + 5));
  const out: unknown[] = [];
  await assert.rejects(
    (async () => {
      for await (const ev of parseWatchStream(Readable.from(chunks, { objectMode: false }), { skipManagedFields: true })) out.push(ev);
    })(),
    (err: Error) => err.message === 'watch: malformed event: {"type":"ADDED","object":{"metadata":{',
  );
  assert.equal(out.length, 1);
});
