/**
 * Value transformers of upstream's encryption at rest (apiserver/pkg/storage/value), byte for
 * byte, so data written here can be read by kube-apiserver and back:
 * - aescbc:  `k8s:enc:aescbc:v1:<key>:` + 16-byte IV + AES-CBC ciphertext with PKCS#7 padding
 * - aesgcm:  `k8s:enc:aesgcm:v1:<key>:` + 12-byte nonce + AES-GCM ciphertext + 16-byte tag, the
 *            storage key as additional authenticated data
 * - secretbox: `k8s:enc:secretbox:v1:<key>:` + 24-byte nonce + NaCl secretbox (XSalsa20-Poly1305,
 *            the 16-byte tag first), through tweetnacl since Node's crypto lacks the cipher
 * - identity: the plain value, no prefix
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';

/** Transformer turns stored bytes into plain bytes and back; `key` is the storage key. */
export interface Transformer {
  /** prefix marks values this transformer wrote ('' for identity, which reads anything). */
  readonly prefix: Buffer;
  toStorage(plain: Buffer, key: string): Buffer;
  /** fromStorage decodes a value that starts with `prefix` (the prefix included). */
  fromStorage(stored: Buffer, key: string): Buffer;
}

function aesName(key: Buffer, mode: 'cbc' | 'gcm'): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new Error(`invalid key size ${key.length}: must be 16, 24 or 32 bytes`);
  return `aes-${key.length * 8}-${mode}`;
}

export function aescbc(name: string, key: Buffer): Transformer {
  const algo = aesName(key, 'cbc');
  const prefix = Buffer.from(`k8s:enc:aescbc:v1:${name}:`);
  return {
    prefix,
    toStorage(plain) {
      const iv = randomBytes(16);
      const c = createCipheriv(algo, key, iv);
      return Buffer.concat([prefix, iv, c.update(plain), c.final()]);
    },
    fromStorage(stored) {
      const body = stored.subarray(prefix.length);
      if (body.length < 16 || (body.length - 16) % 16 !== 0) throw new Error('the stored data is not a multiple of the block size');
      const d = createDecipheriv(algo, key, body.subarray(0, 16));
      return Buffer.concat([d.update(body.subarray(16)), d.final()]);
    },
  };
}

export function aesgcm(name: string, key: Buffer): Transformer {
  const algo = aesName(key, 'gcm');
  const prefix = Buffer.from(`k8s:enc:aesgcm:v1:${name}:`);
  return {
    prefix,
    toStorage(plain, storageKey) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algo, key, nonce) as import('node:crypto').CipherGCM;
      c.setAAD(Buffer.from(storageKey));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([prefix, nonce, body, c.getAuthTag()]);
    },
    fromStorage(stored, storageKey) {
      const body = stored.subarray(prefix.length);
      if (body.length < 12 + 16) throw new Error('the stored data was shorter than the required size');
      const d = createDecipheriv(algo, key, body.subarray(0, 12)) as import('node:crypto').DecipherGCM;
      d.setAAD(Buffer.from(storageKey));
      d.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]);
    },
  };
}

export function secretbox(name: string, key: Buffer): Transformer {
  if (key.length !== nacl.secretbox.keyLength) throw new Error(`invalid key size ${key.length}: secretbox keys must be ${nacl.secretbox.keyLength} bytes`);
  const prefix = Buffer.from(`k8s:enc:secretbox:v1:${name}:`);
  const nonceSize = nacl.secretbox.nonceLength;
  return {
    prefix,
    toStorage(plain) {
      const nonce = randomBytes(nonceSize);
      return Buffer.concat([prefix, nonce, nacl.secretbox(plain, nonce, key)]);
    },
    fromStorage(stored) {
      const body = stored.subarray(prefix.length);
      if (body.length < nonceSize + nacl.secretbox.overheadLength) throw new Error('the stored data was shorter than the required size');
      const opened = nacl.secretbox.open(body.subarray(nonceSize), body.subarray(0, nonceSize), key);
      // Upstream's message for a failed open (wrong key or tampered data).
      if (!opened) throw new Error('output array was not large enough for encryption');
      return Buffer.from(opened.buffer, opened.byteOffset, opened.byteLength);
    },
  };
}

export const identity: Transformer = {
  prefix: Buffer.alloc(0),
  toStorage: (plain) => plain,
  fromStorage: (stored) => stored,
};

/**
 * PrefixTransformers is upstream's prefix transformer over a provider list: writes use the
 * first, reads use the first whose prefix the value carries (identity matches anything).
 */
export class PrefixTransformers {
  constructor(private readonly list: readonly Transformer[]) {
    if (!list.length) throw new Error('no providers');
  }

  toStorage(plain: Buffer, key: string): Buffer {
    return this.list[0]!.toStorage(plain, key);
  }

  fromStorage(stored: Buffer, key: string): Buffer {
    for (const t of this.list) {
      if (stored.subarray(0, t.prefix.length).equals(t.prefix)) return t.fromStorage(stored, key);
    }
    throw new Error(`no matching prefix found`);
  }

  /**
   * stale tells whether a stored value was not written by the first (writing) provider, so an
   * update must re-write it even when nothing changed: that is how `kubectl replace` of every
   * secret rotates keys upstream. Identity first: stale when the value is still encrypted.
   */
  stale(stored: Buffer): boolean {
    const first = this.list[0]!;
    if (first.prefix.length === 0) return stored.subarray(0, ENCRYPTED.length).equals(ENCRYPTED);
    return !stored.subarray(0, first.prefix.length).equals(first.prefix);
  }
}

const ENCRYPTED = Buffer.from('k8s:enc:');
