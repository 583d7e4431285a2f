/**
 * End-to-end: container log rotation as upstream's kubelet (`--container-log-max-size`,
 * `--container-log-max-files`), on `k8ts kubelet` with the process runtime, read with the real
 * kubectl: rotated files are named `0.log.<yyyymmdd-hhmmss>` (older ones gzip-compressed), a
 * container never spans more than max-files files, `kubectl logs` reads the current file,
 * `kubectl logs -f` carries on across a rotation, and `--previous` works after a restart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';
import { killGroupsUnder, startKubeletProcess, until, stopChild } from './helpers/wait.js';


if (!kubectlPath()) test('kubelet log rotation e2e', { skip: 'kubectl not installed' }, () => {});
else {
  let srv: TestApiServer;
  let k: Kubectl;
  let dir: string;
  let kubelet: ChildProcess | undefined;

  before(async () => {
    srv = await startTestApiServer({ advertiseAddress: '192.0.2.10' });
    k = new Kubectl(srv.kubeconfig);
    dir = mkdtempSync(join(tmpdir(), 'k8ts-logrotate-e2e-'));
    kubelet = await startKubeletProcess({
      kubeconfig: srv.kubeconfig,
      nodeName: 'rotate-node',
      rootDir: join(dir, 'root'),
      extra: ['--container-log-max-size', '2Ki', '--container-log-max-files', '4', '--container-log-monitor-interval', '200ms'],
    });
  });

  after(async () => {
    await k?.run(['delete', 'pods', '--all', '--wait=true', '--timeout=20s']).catch(() => undefined);
    await stopChild(kubelet);
    await srv?.stop();
    killGroupsUnder(join(dir, 'root'));
    rmSync(dir, { recursive: true, force: true });
  });

  test('logs rotate at max size into 0.log.<timestamp> (.gz for older ones), at most max-files files; logs, logs -f and --previous read on', async () => {
    await until('node Ready', async () => (/rotate-node\s+Ready/.test((await k.run(['get', 'nodes', '--no-headers'])).stdout) ? true : undefined));
    // ~210 bytes a line, 20 lines a second: a 2 KiB log rotates about once a second for 6 s.
    // Then a line over the max size forces one last rotation before `done`, so the file that is
    // current when the container exits surely holds `done` (else a rotation during the final
    // sleep could leave it empty, as upstream would too).
    const script = 'i=0; while [ $i -lt 120 ]; do printf "line %03d %0200d\\n" $i 0; i=$((i+1)); sleep 0.05; done; printf "filler %02100d\\n" 0; sleep 1; echo done; sleep 1; exit 1';
    // No scheduler runs here: the pod names its node.
    const created = await k.run(['run', 'chatty', '--image=busybox', '--restart=Always', '--overrides', '{"spec":{"nodeName":"rotate-node"}}', '--', 'sh', '-c', script]);
    assert.equal(created.code, 0, created.stderr);
    await until('running', async () => ((await k.run(['get', 'pod', 'chatty', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running' ? true : undefined));

    const follower = spawn('kubectl', ['--kubeconfig', srv.kubeconfig, 'logs', '-f', 'chatty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let followed = '';
    let followErr = '';
    follower.stdout!.on('data', (b: Buffer) => (followed += b.toString()));
    follower.stderr!.on('data', (b: Buffer) => (followErr += b.toString()));
    const uid = (await k.run(['get', 'pod', 'chatty', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const logDir = join(dir, 'root', 'logs', 'pods', `default_chatty_${uid}`, 'chatty');
    const files = (): string[] => (existsSync(logDir) ? readdirSync(logDir).sort() : []);
    let most = 0;
    try {
      await until('restarted once', async () => {
        most = Math.max(most, files().filter((f) => f.startsWith('0.log')).length);
        return (await k.run(['get', 'pod', 'chatty', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])).stdout === '1' ? true : undefined;
      }, 40_000);
      await until('follower saw the end', async () => (/^done$/m.test(followed) ? true : undefined), 10_000).catch((e: unknown) => {
        throw new Error(`${String(e)}; files ${files().join(' ')}; follower exit ${follower.exitCode}, stderr ${JSON.stringify(followErr)}, last lines ${JSON.stringify(followed.split('\n').slice(-3).map((l) => l.slice(0, 12)))}`);
      });
    } finally {
      follower.kill('SIGTERM');
    }
    // kubectl logs starts with the current file (earlier lines are in rotated files, as
    // upstream); from there on every line must arrive, in order, across the rotations.
    const seen = followed.split('\n').filter((l) => l.startsWith('line ')).map((l) => Number(l.slice(5, 8)));
    assert.ok(seen.length > 0, followed);
    assert.deepEqual(seen, Array.from({ length: 120 - seen[0]! }, (_, i) => seen[0]! + i), 'logs -f lost or repeated lines across rotations');

    const first = files().filter((f) => f.startsWith('0.log'));
    const rotated = first.filter((f) => f !== '0.log');
    assert.ok(rotated.length >= 2, `rotated files: ${first.join(' ')}`);
    for (const f of rotated) assert.match(f, /^0\.log\.\d{8}-\d{6}(\.gz)?$/);
    assert.ok(most <= 4 && first.length <= 4, `never more than --container-log-max-files files: ${most}`);
    const gz = rotated.filter((f) => f.endsWith('.gz'));
    assert.ok(gz.length >= 1, `older rotated files are compressed: ${first.join(' ')}`);
    assert.match(gunzipSync(readFileSync(join(logDir, gz[0]!))).toString(), /^\S+ stdout F line \d{3} 0+$/m, 'a compressed file holds CRI log lines');

    // The current file only, as upstream: the previous instance's last lines, not its first.
    const previous = await k.run(['logs', 'chatty', '--previous']);
    assert.equal(previous.code, 0, previous.stderr);
    assert.match(previous.stdout, /(^|\n)done\n$/);
    assert.doesNotMatch(previous.stdout, /^line 000 /m);
  });
}
