import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { writeAtomically, validatePath } from './atomicwriter.js';
import { VolumeManager, VolumeError, containerMounts } from './volumes.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'k8ts-vol-'));
const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });

test('writeAtomically: ..data swap, user-visible symlinks, stale entries removed, no-op when unchanged', () => {
  const dir = tmp();
  try {
    assert.equal(writeAtomically(dir, new Map([['a', file('1')], ['sub/b', file('2', 0o600)]])), true);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
    assert.equal(readFileSync(join(dir, 'sub', 'b'), 'utf8'), '2');
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
    assert.equal(statSync(join(dir, 'sub', 'b')).mode & 0o777, 0o600);
    const first = readlinkSync(join(dir, '..data'));
    assert.match(first, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d{9}$/);
    assert.equal(writeAtomically(dir, new Map([['a', file('1')], ['sub/b', file('2', 0o600)]])), false, 'unchanged payload');
    assert.equal(readlinkSync(join(dir, '..data')), first);

    assert.equal(writeAtomically(dir, new Map([['a', file('changed')]])), true);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'changed');
    assert.equal(existsSync(join(dir, 'sub')), false, 'removed key disappears');
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('..2')).length, 1, 'old timestamped dir removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('validatePath rejects escapes', () => {
  for (const p of ['/abs', '../x', 'a/../b', '..hidden', '']) assert.throws(() => validatePath(p), /invalid path/, p);
  validatePath('ok/path');
});

const pod: Pod = {
  metadata: { name: 'p', namespace: 'default', uid: 'uid-1', labels: { app: 'web', tier: 'fe' }, annotations: { note: 'x' } },
  spec: {
    serviceAccountName: 'builder',
    containers: [{ name: 'app', resources: { limits: { memory: '128Mi' } } }],
    volumes: [
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'cfg-items', configMap: { name: 'cfg', items: [{ key: 'b', path: 'renamed/b.txt', mode: 0o400 }], defaultMode: 0o640 } },
      { name: 'creds', secret: { secretName: 'creds' } },
      { name: 'optional', secret: { secretName: 'absent', optional: true } },
      {
        name: 'info',
        downwardAPI: {
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
          ],
        },
      },
      {
        name: 'all-in-one',
        projected: {
          sources: [
            { configMap: { name: 'cfg', items: [{ key: 'a', path: 'a' }] } },
            { serviceAccountToken: { path: 'token', expirationSeconds: 3600, audience: 'api' } },
          ],
        },
      },
    ],
  },
};

function sources(calls: string[]) {
  let cm: ConfigMap = { metadata: { name: 'cfg' }, data: { a: 'A', b: 'B' }, binaryData: { bin: Buffer.from([0, 1, 2]).toString('base64') } };
  const secret: Secret = { metadata: { name: 'creds' }, data: { password: Buffer.from('pw').toString('base64') } };
  return {
    setConfigMap: (c: ConfigMap) => (cm = c),
    src: {
      getConfigMap: async (_ns: string, name: string) => (name === 'cfg' ? cm : undefined),
      getSecret: async (_ns: string, name: string) => (name === 'creds' ? secret : undefined),
      requestToken: async (r: { serviceAccountName: string; audiences: string[]; expirationSeconds: number }) => {
        calls.push(`${r.serviceAccountName}:${r.audiences.join(',')}:${r.expirationSeconds}`);
        return { token: `tok-${calls.length}`, expirationTimestamp: new Date(now + r.expirationSeconds * 1000).toISOString() };
      },
    },
  };
}
let now = Date.parse('2026-01-01T00:00:00Z');

test('VolumeManager sets up every local volume kind; updates swap in; tokens rotate at 80% of their lifetime', async () => {
  const podDir = tmp();
  const calls: string[] = [];
  const s = sources(calls);
  const vm = new VolumeManager(s.src, () => now);
  try {
    const paths = await vm.setUp(pod, podDir);
    assert.equal(paths.get('scratch'), join(podDir, 'volumes', 'kubernetes.io~empty-dir', 'scratch'));
    const cfg = paths.get('cfg')!;
    assert.equal(cfg, join(podDir, 'volumes', 'kubernetes.io~configmap', 'cfg'));
    assert.equal(readFileSync(join(cfg, 'a'), 'utf8'), 'A');
    assert.deepEqual([...readFileSync(join(cfg, 'bin'))], [0, 1, 2]);
    const items = paths.get('cfg-items')!;
    assert.deepEqual(readdirSync(items).filter((n) => !n.startsWith('..')), ['renamed']);
    assert.equal(readFileSync(join(items, 'renamed/b.txt'), 'utf8'), 'B');
    assert.equal(statSync(join(items, 'renamed/b.txt')).mode & 0o777, 0o400);
    assert.equal(readFileSync(join(paths.get('creds')!, 'password'), 'utf8'), 'pw');
    assert.deepEqual(readdirSync(paths.get('optional')!).filter((n) => !n.startsWith('..')), []);
    const info = paths.get('info')!;
    assert.equal(readFileSync(join(info, 'labels'), 'utf8'), 'app="web"\ntier="fe"');
    assert.equal(readFileSync(join(info, 'name'), 'utf8'), 'p');
    assert.equal(readFileSync(join(info, 'mem'), 'utf8'), '128');
    const proj = paths.get('all-in-one')!;
    assert.equal(readFileSync(join(proj, 'a'), 'utf8'), 'A');
    assert.equal(readFileSync(join(proj, 'token'), 'utf8'), 'tok-1');
    assert.deepEqual(calls, ['builder:api:3600']);

    s.setConfigMap({ metadata: { name: 'cfg' }, data: { a: 'A2', b: 'B' } });
    now += 2000 * 1000; // 56% of the token's life: reused
    await vm.setUp(pod, podDir);
    assert.equal(readFileSync(join(cfg, 'a'), 'utf8'), 'A2');
    assert.equal(existsSync(join(cfg, 'bin')), false);
    assert.equal(readFileSync(join(proj, 'token'), 'utf8'), 'tok-1');
    now += 1000 * 1000; // 83%: rotated
    await vm.setUp(pod, podDir);
    assert.equal(readFileSync(join(proj, 'token'), 'utf8'), 'tok-2');

    const mounts = containerMounts(
      { name: 'app', volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }, { name: 'scratch', mountPath: '/data', subPath: 'x' }] },
      paths,
      join(podDir, 'term'),
    );
    assert.deepEqual(mounts, [
      { containerPath: '/etc/cfg', hostPath: cfg, readonly: true },
      { containerPath: '/data', hostPath: join(paths.get('scratch')!, 'x'), readonly: false },
      { containerPath: '/dev/termination-log', hostPath: join(podDir, 'term') },
    ]);
  } finally {
    rmSync(podDir, { recursive: true, force: true });
  }
});

test('VolumeManager: missing sources fail with upstream-style messages', async () => {
  const podDir = tmp();
  const s = sources([]);
  const vm = new VolumeManager(s.src);
  try {
    const cases: Array<[string, Pod['spec'], RegExp]> = [
      ['configmap', { containers: [], volumes: [{ name: 'v', configMap: { name: 'nope' } }] }, /MountVolume.SetUp failed for volume "v" : configmap "nope" not found/],
      ['secret', { containers: [], volumes: [{ name: 'v', secret: { secretName: 'nope' } }] }, /secret "nope" not found/],
      ['key', { containers: [], volumes: [{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'zz', path: 'z' }] } }] }, /configmap references non-existent config key: zz/],
      ['hostPath type', { containers: [], volumes: [{ name: 'v', hostPath: { path: join(podDir, 'nope'), type: 'Directory' } }] }, /is not a directory/],
    ];
    for (const [name, spec, re] of cases) {
      await assert.rejects(vm.setUp({ metadata: { namespace: 'default', uid: 'u' }, spec }, podDir), (e: unknown) => e instanceof VolumeError && re.test(e.message), name);
    }
  } finally {
    rmSync(podDir, { recursive: true, force: true });
  }
});
