/**
 * Parity of `auth can-i` (single checks and `--list`) for a user with RBAC rules on a secure
 * apiserver: real kubectl and `k8ts kubectl` run the same steps with the same kubeconfig.
 * Prints `parity (auth): N/M identical`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSecureApiServer, type SecureApiServer } from './helpers/secure.js';
import { kubectlPath, runCommand } from './helpers/kubectl.js';

const cli = join(import.meta.dirname, '..', '..', 'src', 'kubectl', 'cli.js');
const binary = kubectlPath();

const RBAC = `apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: dev, namespace: team}
rules:
- apiGroups: [""]
  resources: [pods, services]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [pods]
  verbs: [delete]
- apiGroups: ["", apps]
  resources: [configmaps, deployments/scale]
  verbs: [update, get]
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [one, two]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: dev}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader-urls}
rules:
- nonResourceURLs: [/metrics, /logs/*]
  verbs: [get]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader-urls}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader-urls}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
`;

describe('k8ts kubectl auth can-i parity', { skip: binary ? false : 'kubectl not installed' }, () => {
  let srv: SecureApiServer;
  let alice: string;
  before(async () => {
    srv = await startSecureApiServer();
    const r = await runCommand(binary!, ['apply', '-f', '-'], { env: { KUBECONFIG: srv.kubeconfig }, stdin: RBAC });
    assert.equal(r.code, 0, r.stderr);
    alice = await srv.userKubeconfig({ user: 'alice' });
  });
  after(async () => {
    await srv?.stop();
  });

  const steps: Array<{ name: string; args: string[] }> = [
    { name: '--list in the bound namespace', args: ['auth', 'can-i', '--list', '-n', 'team'] },
    { name: '--list elsewhere', args: ['auth', 'can-i', '--list', '-n', 'default'] },
    { name: '--list --no-headers', args: ['auth', 'can-i', '--list', '-n', 'team', '--no-headers'] },
    { name: '--list with arguments', args: ['auth', 'can-i', '--list', 'get', 'pods'] },
    { name: 'allowed', args: ['auth', 'can-i', 'list', 'pods', '-n', 'team'] },
    { name: 'denied', args: ['auth', 'can-i', 'create', 'pods', '-n', 'team'] },
    { name: 'named resource', args: ['auth', 'can-i', 'get', 'secrets/one', '-n', 'team'] },
    { name: 'non-resource URL', args: ['auth', 'can-i', 'get', '/metrics'] },
  ];

  test('auth can-i prints what kubectl prints', async () => {
    const differences: string[] = [];
    let identical = 0;
    for (const s of steps) {
      const ra = await runCommand(binary!, s.args, { env: { KUBECONFIG: alice } });
      const rb = await runCommand(process.execPath, [cli, ...s.args], { env: { KUBECONFIG: alice } });
      if (ra.code === rb.code && ra.stdout === rb.stdout && ra.stderr === rb.stderr) identical++;
      else differences.push(`--- ${s.name}\n[kubectl] ${JSON.stringify(ra)}\n[k8ts] ${JSON.stringify(rb)}`);
    }
    console.log(`parity (auth): ${identical}/${steps.length} identical`);
    assert.deepEqual(differences, [], differences.join('\n'));
  });
});
