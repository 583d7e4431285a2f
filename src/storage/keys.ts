/** Key-range helpers shared by backends. */

/** MAX_VALUE_BYTES is the largest value accepted (etcd's default request limit is 1.5 MiB). */
export const MAX_VALUE_BYTES = 1.5 * 1024 * 1024;

/**
 * prefixEnd is the smallest byte string greater than every key starting with prefix (etcd's
 * GetPrefixRangeEnd); for the empty prefix it is "\0", which etcd reads as "to the end".
 */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix, 'utf8');
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]! += 1;
      return end;
    }
  }
  return Buffer.from([0]);
}

/**
 * prefixSuccessor is the smallest JS string greater than every string starting with prefix
 * (UTF-16 order), or undefined when there is none (empty prefix).
 */
export function prefixSuccessor(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return undefined;
}
