import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigFiles } from './factory.js';

test('kubeconfigFiles follows kubectl, then falls back to the k8ts server admin kubeconfig', (t) => {
  const home = mkdtempSync(join(tmpdir(), 'kubectl-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const data = join(home, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'kubeconfig.yaml'), 'apiVersion: v1\n');
  const env = { HOME: home };
  assert.deepEqual(kubeconfigFiles('/explicit', env), { paths: ['/explicit'], explicit: true }, '--kubeconfig wins');
  assert.deepEqual(kubeconfigFiles(undefined, { ...env, KUBECONFIG: '/a:/b' }), { paths: ['/a', '/b'], explicit: false }, 'KUBECONFIG is used even when its files are missing');
  assert.deepEqual(kubeconfigFiles(undefined, env, data), { paths: [join(data, 'kubeconfig.yaml')], explicit: true }, 'no ~/.kube/config: the data dir admin kubeconfig');
  assert.deepEqual(kubeconfigFiles(undefined, { ...env, K8TS_DATA_DIR: data }), { paths: [join(data, 'kubeconfig.yaml')], explicit: true });
  mkdirSync(join(home, '.kube'));
  writeFileSync(join(home, '.kube', 'config'), 'apiVersion: v1\n');
  assert.deepEqual(kubeconfigFiles(undefined, env, data), { paths: [join(home, '.kube', 'config')], explicit: false }, '~/.kube/config wins over the data dir');
});
