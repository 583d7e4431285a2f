/**
 * The protobuf wire format, as far as Kubernetes' gogo-protobuf messages use it: varints,
 * length-delimited fields and the fixed 32/64-bit scalars. Malformed input is a 400.
 */
import { badRequest } from '../../api/errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/**
 * Reader walks one message's bytes: buf from pos up to end. A nested message is read by a
 * Reader over the same buf (sub), not through a Buffer view per message.
 */
export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}
  get done(): boolean {
    return this.pos >= this.end;
  }
  /** varint reads a base-128 varint as an unsigned 64-bit value. */
  varint(): bigint {
    // Most varints (tags, lengths, small ints) fit in 4 bytes: skip BigInt for those.
    let n = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= this.end) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      n |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return BigInt(n >>> 0);
    }
    let result = BigInt(n >>> 0);
    for (let shift = 28n; ; shift += 7n) {
      if (this.pos >= this.end || shift > 63n) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return BigInt.asUintN(64, result);
    }
  }
  /**
   * small reads a varint of at most 7 bytes (below 2^49) as a number without BigInt, the common
   * case; for a longer one (large or negative values) it leaves the position and answers -1.
   */
  small(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (pos >= end) throw badRequest('protobuf: truncated varint');
      const b = buf[pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return n;
      }
      mul *= 128;
    }
    return -1;
  }
  /** uint reads a varint that must be a non-negative safe integer (tags, lengths). */
  uint(): number {
    const n = this.small();
    if (n >= 0) return n;
    const v = this.varint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw badRequest('protobuf: length out of range');
    return Number(v);
  }
  /** tag reads a field key: [field number, wire type]. */
  tag(): [number, number] {
    const t = this.uint();
    return [Math.floor(t / 8), t & 7];
  }
  bytes(): Buffer {
    const n = this.uint();
    if (n < 0 || this.pos + n > this.end) throw badRequest('protobuf: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** sub reads a length-delimited field as a Reader over its bytes. */
  sub(): Reader {
    const n = this.uint();
    const start = this.pos;
    if (start + n > this.end) throw badRequest('protobuf: truncated field');
    this.pos += n;
    return new Reader(this.buf, start, this.pos);
  }
  /** text reads a length-delimited field as a string, without a Buffer view per value. */
  text(encoding: 'utf8' | 'base64'): string {
    const n = this.uint();
    const start = this.pos;
    if (this.pos + n > this.end) throw badRequest('protobuf: truncated field');
    this.pos += n;
    return this.buf.toString(encoding, start, this.pos);
  }
  fixed(size: 4 | 8): Buffer {
    if (this.pos + size > this.end) throw badRequest('protobuf: truncated field');
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
