/**
 * parseWatchStream over bodies cut at every byte offset: events, multi-byte characters split
 * between chunks, blank lines, a last line without a newline, string chunks and malformed lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { parseWatchStream } from './watch.js';

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
