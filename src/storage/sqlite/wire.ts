/**
 * The wire format between the store (main thread) and the writer: a batch of writes travels as
 * one ArrayBuffer (transferred, so values are copied once, into it, and never structured-cloned
 * again), and the writer answers a whole group commit with one Float64Array of per-write
 * metadata. Keys, values and prevKv never travel back: the store still has the ops it sent and
 * its live index holds the state before each write.
 */
import type { StorageErrorCode } from '../interface.js';

export type WriteOp =
  | { kind: 'create'; key: string; value: Uint8Array; lease: number }
  | { kind: 'update'; key: string; value: Uint8Array; expected: number; lease: number }
  | { kind: 'delete'; key: string; expected?: number };

/** Per op: kind (u8), expected (f64, -1 when absent), lease (f64), key bytes (u32), value bytes (u32). */
const HDR = 1 + 8 + 8 + 4 + 4;
const KIND = { create: 0, update: 1, delete: 2 } as const;
const KINDS = ['create', 'update', 'delete'] as const;

/**
 * encodeOps packs ops into a fresh (transferable) ArrayBuffer; `len` is the number of bytes
 * used, which may be less than the buffer's size.
 */
export function encodeOps(ops: readonly WriteOp[]): { buf: ArrayBuffer; len: number } {
  let size = 0;
  for (const op of ops) size += HDR + op.key.length * 3 + (op.kind === 'delete' ? 0 : op.value.byteLength);
  const b = Buffer.allocUnsafeSlow(size);
  let o = 0;
  for (const op of ops) {
    b[o] = KIND[op.kind];
    const expected = op.kind === 'create' ? -1 : (op.expected ?? -1);
    b.writeDoubleLE(expected, o + 1);
    b.writeDoubleLE(op.kind === 'delete' ? 0 : op.lease, o + 9);
    const keyLen = b.write(op.key, o + HDR, 'utf8');
    b.writeUInt32LE(keyLen, o + 17);
    let valueLen = 0;
    if (op.kind !== 'delete') {
      valueLen = op.value.byteLength;
      b.set(op.value, o + HDR + keyLen);
    }
    b.writeUInt32LE(valueLen, o + 21);
    o += HDR + keyLen + valueLen;
  }
  return { buf: b.buffer, len: o };
}

/** decodeOps reads the ops encodeOps packed; values are views into buf, not copies. */
export function decodeOps(buf: ArrayBuffer, len: number): WriteOp[] {
  const b = Buffer.from(buf, 0, len);
  const ops: WriteOp[] = [];
  let o = 0;
  while (o < len) {
    const kind = KINDS[b[o]!]!;
    const expected = b.readDoubleLE(o + 1);
    const lease = b.readDoubleLE(o + 9);
    const keyLen = b.readUInt32LE(o + 17);
    const valueLen = b.readUInt32LE(o + 21);
    const ks = o + HDR;
    const key = b.toString('utf8', ks, ks + keyLen);
    const vs = ks + keyLen;
    o = vs + valueLen;
    if (kind === 'create') ops.push({ kind, key, value: b.subarray(vs, o), lease });
    else if (kind === 'update') ops.push({ kind, key, value: b.subarray(vs, o), expected, lease });
    else ops.push(expected < 0 ? { kind, key } : { kind, key, expected });
  }
  return ops;
}

/**
 * Results of one group commit, one slot per op in commit order. A committed op has
 * modRevision > 0; a refused one has 0 and an entry in `fails`.
 */
export const SLOT = 4;
export const MOD = 0;
export const CREATE = 1;
export const VERSION = 2;
export const LEASE = 3;

/** Failure of op number `i` of the batch; the store fills `current` from its live index. */
export interface OpFailure {
  i: number;
  code: StorageErrorCode;
  message: string;
}
