import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNodeStatus, microTime, nodeConditions, nodeLabels } from './node.js';

test('nodeConditions: upstream reasons and messages; lastTransitionTime kept while unchanged', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const first = nodeConditions(t0, undefined);
  assert.deepEqual(first.map((c) => [c.type, c.status, c.reason, c.message]), [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ]);
  const later = nodeConditions(t0 + 60_000, first, { memory: true });
  assert.equal(later[3]!.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(later[3]!.lastHeartbeatTime, '2026-01-01T00:01:00Z');
  assert.equal(later[0]!.status, 'True');
  assert.equal(later[0]!.reason, 'KubeletHasInsufficientMemory');
  assert.equal(later[0]!.message, 'kubelet has insufficient memory available');
  assert.equal(later[0]!.lastTransitionTime, '2026-01-01T00:01:00Z');
});

test('nodeLabels and buildNodeStatus: well-known labels, capacity overrides, reserved subtracted', () => {
  const cfg = { nodeName: 'n1', nodeIP: '10.0.0.2', kubeletPort: 10250, runtimeName: 'process', runtimeVersion: '0.1.0', labels: { 'node-role.kubernetes.io/control-plane': 'true' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, reserved: { cpu: '500m', memory: '1Gi' } };
  const l = nodeLabels(cfg);
  assert.equal(l['kubernetes.io/hostname'], 'n1');
  assert.equal(l['kubernetes.io/os'], 'linux');
  assert.match(l['kubernetes.io/arch']!, /^(amd64|arm64)$/);
  assert.equal(l['node-role.kubernetes.io/control-plane'], 'true');
  const st = buildNodeStatus(cfg, Date.parse('2026-01-01T00:00:00Z'), undefined);
  assert.equal(st.capacity!['cpu'], '4');
  assert.equal(st.allocatable!['cpu'], '3500m');
  assert.equal(st.allocatable!['memory'], '7Gi');
  assert.equal(st.nodeInfo!.containerRuntimeVersion, 'process://0.1.0');
  assert.deepEqual(st.addresses, [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'n1' }]);
  assert.equal(microTime(Date.parse('2026-01-01T00:00:00.123Z')), '2026-01-01T00:00:00.123000Z');
});
