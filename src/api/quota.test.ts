import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { missingComputeResources, prettyPrint, quotaCoversPod, toList, usageOf } from './quota.js';

const pod = (spec: Partial<NonNullable<Pod['spec']>>): Pod => ({ spec: { containers: [{ name: 'c' }], ...spec } });

test('usageOf: pods charge counts, requests (also as bare names) and limits; init containers take the max', () => {
  const p = pod({
    containers: [
      { name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m' } } },
      { name: 'b', resources: { requests: { cpu: '300m' } } },
    ],
    initContainers: [{ name: 'i', resources: { requests: { cpu: '1' } } }],
  });
  assert.deepEqual(toList(usageOf('', 'pods', p)), { 'count/pods': '1', cpu: '1', 'limits.cpu': '200m', memory: '64Mi', pods: '1', 'requests.cpu': '1', 'requests.memory': '64Mi' });
  assert.deepEqual(toList(usageOf('', 'pods', { ...p, status: { phase: 'Succeeded' } })), {}, 'terminal pods use nothing');
  assert.deepEqual(toList(usageOf('apps', 'deployments', {})), { 'count/deployments.apps': '1' });
  assert.deepEqual(toList(usageOf('', 'services', { spec: { type: 'NodePort', ports: [{}, {}] } })), { 'count/services': '1', services: '1', 'services.nodeports': '2' });
});

test('missingComputeResources: upstream wording', () => {
  assert.equal(missingComputeResources(pod({ containers: [{ name: 'a' }, { name: 'b', resources: { limits: { memory: '1Gi' } } }] }), ['limits.memory', 'requests.cpu', 'pods']), 'must specify limits.memory for: a; requests.cpu for: a,b');
  assert.equal(missingComputeResources(pod({}), ['pods']), undefined);
});

test('quotaCoversPod: scopes and scopeSelector', () => {
  const q = (spec: ResourceQuota['spec']): ResourceQuota => ({ spec });
  const cases: Array<{ name: string; quota: ResourceQuota; pod: Pod; want: boolean }> = [
    { name: 'BestEffort covers a pod without resources', quota: q({ scopes: ['BestEffort'] }), pod: pod({}), want: true },
    { name: 'NotBestEffort skips it', quota: q({ scopes: ['NotBestEffort'] }), pod: pod({}), want: false },
    { name: 'Terminating needs activeDeadlineSeconds', quota: q({ scopes: ['Terminating'] }), pod: pod({ activeDeadlineSeconds: 10 }), want: true },
    { name: 'PriorityClass In', quota: q({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }), pod: pod({ priorityClassName: 'high' }), want: true },
    { name: 'PriorityClass In, other class', quota: q({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }), pod: pod({ priorityClassName: 'low' }), want: false },
    { name: 'PriorityClass DoesNotExist', quota: q({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'DoesNotExist' }] } }), pod: pod({}), want: true },
  ];
  for (const c of cases) assert.equal(quotaCoversPod(c.quota, c.pod), c.want, c.name);
});

test('prettyPrint sorts names', () => {
  assert.equal(prettyPrint(usageOf('', 'configmaps', {})), 'configmaps=1,count/configmaps=1');
});
