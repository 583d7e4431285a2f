/**
 * PodSecurity admission end to end with real kubectl: namespace labels pick the level;
 * enforce refuses with upstream's `violates PodSecurity` message, warn makes kubectl print
 * upstream's `Warning: would violate PodSecurity` line, workloads are only warned.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { DEFAULT_ADMISSION_PLUGINS, evaluatePodSecurity } from '../../src/apiserver/admission/index.js';
import { kubectl } from './helpers/kubectl.js';

describe('PodSecurity', () => {
  let srv: TestApiServer;
  const k = (args: string[], stdin?: string) => kubectl(args, { kubeconfig: srv.kubeconfig, ...(stdin ? { stdin } : {}) });

  before(async () => {
    srv = await startTestApiServer({ enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS });
    for (const [ns, labels] of [
      ['strict', { 'pod-security.kubernetes.io/enforce': 'restricted' }],
      ['warned', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }],
    ] as const) {
      const r = await fetch(`${srv.url}/api/v1/namespaces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } }) });
      assert.equal(r.status, 201);
      const sa = await fetch(`${srv.url}/api/v1/namespaces/${ns}/serviceaccounts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }) });
      assert.equal(sa.status, 201);
    }
  });
  after(async () => {
    await srv?.stop();
  });

  const RESTRICTED_PLAIN =
    'allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

  test('enforce=restricted refuses a plain pod with upstream\'s message', async () => {
    const r = await k(['run', 'web', '-n', 'strict', '--image=nginx']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), `Error from server (Forbidden): pods "web" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED_PLAIN}`);
  });

  test('enforce=restricted admits a pod that meets the standard', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: good
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: web
    image: nginx
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: ["ALL"]
`;
    const r = await k(['apply', '-n', 'strict', '-f', '-'], pod);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });

  test('warn=restricted over enforce=baseline: kubectl prints the warning and the pod is created', async () => {
    const r = await k(['run', 'web', '-n', 'warned', '--image=nginx']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.trim(), `Warning: would violate PodSecurity "restricted:latest": ${RESTRICTED_PLAIN}`);
    assert.equal(r.stdout.trim(), 'pod/web created');
  });

  test('enforce=baseline refuses host namespaces, hostPort and privileged', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: root
spec:
  hostNetwork: true
  containers:
  - name: web
    image: nginx
    ports:
    - containerPort: 80
      hostPort: 80
    securityContext:
      privileged: true
`;
    const r = await k(['apply', '-n', 'warned', '-f', '-'], pod);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "root" is forbidden: violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\), hostPort \(container "web" uses hostPort 80\), privileged \(container "web" must not set securityContext.privileged=true\)/);
  });

  test('a Deployment is warned about, not refused', async () => {
    const r = await k(['create', 'deployment', 'web', '-n', 'strict', '--image=nginx']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps/web created');
    assert.match(r.stderr, /^Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "nginx"/);
  });

  const cases: Array<{ name: string; spec: Record<string, unknown>; level: 'baseline' | 'restricted'; want: string[] }> = [
    { name: 'privileged level allows anything', level: 'baseline', spec: { containers: [{ name: 'c', image: 'x' }] }, want: [] },
    { name: 'added capability', level: 'baseline', spec: { containers: [{ name: 'c', image: 'x', securityContext: { capabilities: { add: ['NET_ADMIN', 'CHOWN'] } } }] }, want: ['non-default capabilities (container "c" must not include "NET_ADMIN" in securityContext.capabilities.add)'] },
    { name: 'hostPath volume', level: 'baseline', spec: { containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'root', hostPath: { path: '/' } }] }, want: ['hostPath volumes (volume "root")'] },
    { name: 'unsafe sysctl', level: 'baseline', spec: { containers: [{ name: 'c', image: 'x' }], securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }, want: ['forbidden sysctls (kernel.msgmax)'] },
    { name: 'Unconfined seccomp', level: 'baseline', spec: { containers: [{ name: 'c', image: 'x' }], securityContext: { seccompProfile: { type: 'Unconfined' } } }, want: ['seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")'] },
    {
      name: 'restricted volume types and runAsUser=0 for two containers',
      level: 'restricted',
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: ['a', 'b'].map((n) => ({ name: n, image: 'x', securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } })),
        volumes: [{ name: 'h', hostPath: { path: '/' } }],
      },
      want: ['hostPath volumes (volume "h")', 'restricted volume types (volume "h" uses restricted volume type "hostPath")', 'runAsUser=0 (containers "a", "b" must not set runAsUser=0)'],
    },
  ];
  for (const c of cases) {
    test(`checks: ${c.name}`, () => {
      assert.deepEqual(evaluatePodSecurity(c.name.startsWith('privileged') ? 'privileged' : c.level, {}, c.spec as never), c.want);
    });
  }
});
