/**
 * The protobuf wire format, as far as Kubernetes' gogo-protobuf messages use it: varints,
 * length-delimited fields and the fixed 32/64-bit scalars. Malformed input is a 400.
 */
import { badRequest } from '../../api/errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/** Reader walks one message's bytes. */
export class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  /** varint reads a base-128 varint as an unsigned 64-bit value. */
  varint(): bigint {
    // Most varints (tags, lengths, small ints) fit in 4 bytes: skip BigInt for those.
    let n = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= this.buf.length) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      n |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return BigInt(n >>> 0);
    }
    let result = BigInt(n >>> 0);
    for (let shift = 28n; ; shift += 7n) {
      if (this.pos >= this.buf.length || shift > 63n) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return BigInt.asUintN(64, result);
    }
  }
  /** tag reads a field key: [field number, wire type]. */
  tag(): [number, number] {
    const t = Number(this.varint());
    return [t >>> 3, t & 7];
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    if (n < 0 || this.pos + n > this.buf.length) throw badRequest('protobuf: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  fixed(size: 4 | 8): Buffer {
    if (this.pos + size > this.buf.length) throw badRequest('protobuf: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }
  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_FIXED64) this.fixed(8);
    else if (wire === WIRE_BYTES) this.bytes();
    else if (wire === WIRE_FIXED32) this.fixed(4);
    else throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }
}

/** Writer accumulates one message's bytes. */
export class Writer {
  private readonly chunks: Buffer[] = [];

  varint(v: bigint | number): this {
    let n = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    while (n > 0x7fn) {
      out.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    out.push(Number(n));
    this.chunks.push(Buffer.from(out));
    return this;
  }
  tag(no: number, wire: number): this {
    return this.varint(no * 8 + wire);
  }
  bytes(no: number, b: Buffer): this {
    this.tag(no, WIRE_BYTES).varint(b.length);
    this.chunks.push(b);
    return this;
  }
  raw(b: Buffer): this {
    this.chunks.push(b);
    return this;
  }
  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
