/**
 * Encryption at rest through a running apiserver: the raw storage value (read directly through
 * src/storage) is ciphertext with upstream's prefix, reads decrypt, kubectl sees plain data,
 * and keys rotate by re-writing (reads try every key, writes use the first).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage } from '../../storage/index.js';
import { startApiServer, type RunningApiServer } from '../server.js';
import { kubeconfigYAML } from '../testing.js';
import { aescbc, aesgcm, identity, PrefixTransformers, secretbox } from './index.js';
import { kubectl } from '../../../test/e2e/helpers/kubectl.js';

const KEY1 = Buffer.alloc(32, 1).toString('base64');
const KEY2 = Buffer.alloc(32, 2).toString('base64');

function config(providers: string): string {
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
${providers}`;
}
const cbc1 = `  - aescbc:\n      keys:\n      - name: key1\n        secret: ${KEY1}\n`;
const gcm2 = `  - aesgcm:\n      keys:\n      - name: key2\n        secret: ${KEY2}\n`;
const box3 = `  - secretbox:\n      keys:\n      - name: key3\n        secret: ${Buffer.alloc(32, 3).toString('base64')}\n`;

describe('encryption at rest', () => {
  let dir: string;
  let storage: Storage;
  let server: RunningApiServer | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-encryption-'));
    storage = await openStorage('sqlite::memory:');
  });
  after(async () => {
    await server?.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function restart(providers: string): Promise<RunningApiServer> {
    await server?.close();
    const path = join(dir, 'encryption.yaml');
    writeFileSync(path, config(providers));
    server = await startApiServer({ storage, port: 0, bindAddress: '127.0.0.1', encryptionProviderConfig: path });
    return server;
  }
  const raw = async (key: string): Promise<Buffer> => (await storage.get(key)).kv!.value;
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const r = await fetch(server!.url + path, { method, headers: { 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  }

  test('transformers round-trip and refuse tampering', () => {
    const key = '/registry/secrets/default/x';
    const cases = [
      { name: 'aescbc', t: aescbc('k', Buffer.alloc(16, 7)) },
      { name: 'aesgcm', t: aesgcm('k', Buffer.alloc(24, 7)) },
      { name: 'secretbox', t: secretbox('k', Buffer.alloc(32, 7)) },
      { name: 'identity', t: identity },
    ];
    for (const c of cases) {
      const stored = c.t.toStorage(Buffer.from('hello'), key);
      assert.equal(c.t.fromStorage(stored, key).toString(), 'hello', c.name);
    }
    const gcm = aesgcm('k', Buffer.alloc(32, 7));
    // The storage key is authenticated: a value moved to another key does not decrypt.
    assert.throws(() => gcm.fromStorage(gcm.toStorage(Buffer.from('hello'), key), '/registry/secrets/default/y'));
    assert.throws(() => new PrefixTransformers([gcm]).fromStorage(Buffer.from('plain'), key), /no matching prefix found/);
    // secretbox: prefix, 24-byte nonce, then the 16-byte Poly1305 tag and the ciphertext, as upstream.
    const box = secretbox('k', Buffer.alloc(32, 7));
    const sealed = box.toStorage(Buffer.from('hello'), key);
    assert.equal(sealed.length, 'k8s:enc:secretbox:v1:k:'.length + 24 + 16 + 5);
    assert.ok(sealed.toString('latin1').startsWith('k8s:enc:secretbox:v1:k:'));
    sealed[sealed.length - 1]! ^= 1;
    assert.throws(() => box.fromStorage(sealed, key), /output array was not large enough/);
    assert.throws(() => secretbox('k', Buffer.alloc(16, 7)), /secretbox keys must be 32 bytes/);
  });

  test('secrets are ciphertext in storage and plain through the API and kubectl', async () => {
    await restart(cbc1);
    const res = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'hunter2' } });
    assert.equal(res.status, 201);
    const value = await raw('/registry/secrets/default/db');
    assert.ok(value.toString('latin1').startsWith('k8s:enc:aescbc:v1:key1:'), value.subarray(0, 30).toString());
    assert.ok(!value.includes('hunter2') && !value.includes(Buffer.from('hunter2').toString('base64')));
    assert.equal(((await call('GET', '/api/v1/namespaces/default/secrets/db')).body.data as Record<string, string>).password, Buffer.from('hunter2').toString('base64'));
    // Other resources stay plain.
    assert.equal((await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } })).status, 201);
    assert.equal((await raw('/registry/configmaps/default/cm')).subarray(0, 1).toString(), '{');
    const kc = join(dir, 'kubeconfig');
    writeFileSync(kc, kubeconfigYAML(server!.url));
    const got = await kubectl(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}'], { kubeconfig: kc });
    assert.equal(got.code, 0, got.stderr);
    assert.equal(Buffer.from(got.stdout, 'base64').toString(), 'hunter2');
  });

  test('rotation: a new first key writes, the old key still reads, re-writing moves data to the new key', async () => {
    await restart(gcm2 + cbc1);
    const old = await call('GET', '/api/v1/namespaces/default/secrets/db');
    assert.equal(old.status, 200, 'the old key still decrypts');
    assert.ok((await raw('/registry/secrets/default/db')).toString('latin1').startsWith('k8s:enc:aescbc:v1:key1:'));
    const replaced = await call('PUT', '/api/v1/namespaces/default/secrets/db', { ...old.body, metadata: { ...(old.body.metadata as object), annotations: { rotated: 'yes' } } });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.ok((await raw('/registry/secrets/default/db')).toString('latin1').startsWith('k8s:enc:aesgcm:v1:key2:'));
    // With the old key gone, the re-written secret still reads.
    await restart(gcm2);
    const after = await call('GET', '/api/v1/namespaces/default/secrets/db');
    assert.equal(after.status, 200);
    assert.equal((after.body.data as Record<string, string>).password, Buffer.from('hunter2').toString('base64'));
    // Rotating on to secretbox works the same way.
    await restart(box3 + gcm2);
    const again = await call('GET', '/api/v1/namespaces/default/secrets/db');
    assert.equal((await call('PUT', '/api/v1/namespaces/default/secrets/db', again.body)).status, 200);
    assert.ok((await raw('/registry/secrets/default/db')).toString('latin1').startsWith('k8s:enc:secretbox:v1:key3:'));
    await restart(box3);
    assert.equal(((await call('GET', '/api/v1/namespaces/default/secrets/db')).body.data as Record<string, string>).password, Buffer.from('hunter2').toString('base64'));
  });
});
