/**
 * A read-only reader of bbolt files (etcd's backend, and what etcd's snapshot API streams), just
 * enough to walk the buckets of a consistent snapshot. Layout per go.etcd.io/bbolt: meta pages 0
 * and 1, then branch/leaf pages of 16-byte elements; buckets are nested B+trees, small ones
 * stored inline in their parent's leaf value.
 */
const MAGIC = 0xed0cdaed;
const PAGE_HEADER = 16;
const BRANCH = 0x01;
const LEAF = 0x02;
const BUCKET_LEAF = 0x01;

export class BboltReader {
  private readonly pageSize: number;
  private readonly root: bigint;

  constructor(private readonly buf: Buffer) {
    const metas = [0, 1].map((i) => this.meta(i === 0 ? 0 : this.guessPageSize() * i)).filter((m) => m !== undefined);
    if (metas.length === 0) throw new Error('not a bbolt database (no valid meta page)');
    const best = metas.sort((a, b) => Number(b!.txid - a!.txid))[0]!;
    this.pageSize = best.pageSize;
    this.root = best.root;
  }

  private guessPageSize(): number {
    return this.buf.length >= 32 ? this.buf.readUInt32LE(PAGE_HEADER + 8) : 4096;
  }

  private meta(off: number): { pageSize: number; root: bigint; txid: bigint } | undefined {
    if (off + PAGE_HEADER + 64 > this.buf.length) return undefined;
    const m = off + PAGE_HEADER;
    if (this.buf.readUInt32LE(m) !== MAGIC) return undefined;
    return { pageSize: this.buf.readUInt32LE(m + 8), root: this.buf.readBigUInt64LE(m + 16), txid: this.buf.readBigUInt64LE(m + 48) };
  }

  /** bucket returns the named top-level bucket's entries visitor, or undefined if absent. */
  bucket(name: string): ((visit: (k: Buffer, v: Buffer) => void) => void) | undefined {
    let found: Buffer | undefined;
    this.walk({ pgid: this.root }, (k, v, isBucket) => {
      if (isBucket && k.toString('latin1') === name) found = v;
    });
    if (!found) return undefined;
    const header = found;
    return (visit) => {
      const root = header.readBigUInt64LE(0);
      if (root === 0n) this.walk({ inline: header.subarray(16) }, (k, v, isBucket) => !isBucket && visit(k, v));
      else this.walk({ pgid: root }, (k, v, isBucket) => !isBucket && visit(k, v));
    };
  }

  private walk(at: { pgid?: bigint; inline?: Buffer }, visit: (k: Buffer, v: Buffer, isBucket: boolean) => void): void {
    const page = at.inline ?? this.buf.subarray(Number(at.pgid!) * this.pageSize);
    const flags = page.readUInt16LE(8);
    const count = page.readUInt16LE(10);
    for (let i = 0; i < count; i++) {
      const e = PAGE_HEADER + i * 16;
      if (flags & BRANCH) {
        this.walk({ pgid: page.readBigUInt64LE(e + 8) }, visit);
      } else if (flags & LEAF) {
        const eflags = page.readUInt32LE(e);
        const pos = page.readUInt32LE(e + 4);
        const ksize = page.readUInt32LE(e + 8);
        const vsize = page.readUInt32LE(e + 12);
        const k = page.subarray(e + pos, e + pos + ksize);
        const v = page.subarray(e + pos + ksize, e + pos + ksize + vsize);
        visit(k, v, (eflags & BUCKET_LEAF) !== 0);
      } else {
        throw new Error(`bbolt: unexpected page flags 0x${flags.toString(16)}`);
      }
    }
  }
}

/** isBbolt tells whether buf starts with a bbolt meta page. */
export function isBbolt(buf: Buffer): boolean {
  return buf.length >= PAGE_HEADER + 4 && buf.readUInt32LE(PAGE_HEADER) === MAGIC;
}

/** protobuf decoding of the few etcd messages a snapshot holds (varints and bytes only). */
export function decodeProto(buf: Buffer): Map<number, Array<bigint | Buffer>> {
  const fields = new Map<number, Array<bigint | Buffer>>();
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const tag = Number(varint());
    const field = tag >> 3;
    const wire = tag & 7;
    let val: bigint | Buffer;
    if (wire === 0) val = varint();
    else if (wire === 2) {
      const len = Number(varint());
      val = buf.subarray(i, i + len);
      i += len;
    } else if (wire === 1) {
      val = buf.readBigUInt64LE(i);
      i += 8;
    } else if (wire === 5) {
      val = BigInt(buf.readUInt32LE(i));
      i += 4;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
    const list = fields.get(field) ?? [];
    list.push(val);
    fields.set(field, list);
  }
  return fields;
}
