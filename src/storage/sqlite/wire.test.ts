import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeOps, encodeOps, type WriteOp } from './wire.js';

const cases: Array<{ name: string; ops: WriteOp[] }> = [
  { name: 'empty batch', ops: [] },
  { name: 'create with a lease', ops: [{ kind: 'create', key: '/a', value: Buffer.from('one'), lease: 1_700_000_123 }] },
  { name: 'update with an empty value', ops: [{ kind: 'update', key: '/a', value: Buffer.alloc(0), expected: 42, lease: 0 }] },
  { name: 'delete with and without an expected revision', ops: [{ kind: 'delete', key: '/a', expected: 7 }, { kind: 'delete', key: '/b' }] },
  { name: 'non-ASCII keys and binary values', ops: [{ kind: 'create', key: '/ns/ünïcødé/日本/🚀', value: Buffer.from([0, 255, 1, 254]), lease: 0 }] },
  {
    name: 'a value that is a view into a larger buffer',
    ops: [{ kind: 'create', key: '/v', value: Buffer.from('xxpayloadxx').subarray(2, 9), lease: 0 }],
  },
  {
    name: 'mixed batch keeps order',
    ops: Array.from({ length: 100 }, (_, i): WriteOp => (i % 3 === 0 ? { kind: 'delete', key: `/k${i}` } : { kind: 'update', key: `/k${i}`, value: Buffer.alloc(i, i), expected: i, lease: i })),
  },
];

for (const c of cases) {
  test(`wire: ${c.name} round-trips`, () => {
    const { buf, len } = encodeOps(c.ops);
    assert.ok(len <= buf.byteLength);
    const got = decodeOps(buf, len).map((op) => (op.kind === 'delete' ? op : { ...op, value: Buffer.from(op.value) }));
    const want = c.ops.map((op) => (op.kind === 'delete' ? op : { ...op, value: Buffer.from(op.value) }));
    assert.deepEqual(got, want);
  });
}
