import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { type PodStatusInput, type RuntimeContainer, generatePodStatus, qosClass, shouldContainerBeRestarted } from './status.js';

const T = Date.parse('2026-03-01T10:00:00Z');
let seq = 0;
const ctr = (name: string, state: RuntimeContainer['state'], extra: Partial<RuntimeContainer> = {}): RuntimeContainer => ({
  name,
  id: `${name}-${++seq}`,
  state,
  createdAt: T + seq,
  startedAt: state === 'CONTAINER_CREATED' ? 0 : T + 1000,
  finishedAt: state === 'CONTAINER_EXITED' ? T + 5000 : 0,
  exitCode: 0,
  reason: '',
  message: '',
  restartCount: 0,
  image: 'img',
  imageRef: 'img',
  ...extra,
});

function input(pod: Pod, containers: RuntimeContainer[], over: Partial<PodStatusInput> = {}): PodStatusInput {
  return {
    pod,
    runtimeName: 'process',
    sandboxReady: true,
    podIPs: ['10.0.0.7'],
    hostIPs: ['10.0.0.7'],
    containers,
    reasons: new Map(),
    ready: () => true,
    started: () => true,
    podIsTerminal: false,
    now: T + 10_000,
    ...over,
  };
}

const pod = (spec: Partial<Pod['spec']> = {}, status?: PodStatus): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { containers: [{ name: 'app', image: 'img' }], ...spec },
  status,
});

const cond = (s: PodStatus, type: string) => s.conditions?.find((c) => c.type === type);

test('generatePodStatus: phases, container states and conditions as upstream', () => {
  const cases: Array<{ name: string; in: PodStatusInput; phase: string; check?: (s: PodStatus) => void }> = [
    {
      name: 'nothing created yet',
      in: input(pod(), [], { sandboxReady: false, podIPs: [] }),
      phase: 'Pending',
      check: (s) => {
        assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'ContainerCreating' } });
        assert.equal(cond(s, 'PodReadyToStartContainers')!.status, 'False');
        assert.equal(cond(s, 'Ready')!.reason, 'ContainersNotReady');
        assert.equal(cond(s, 'Ready')!.message, 'containers with unready status: [app]');
        assert.equal(s.podIP, undefined);
      },
    },
    {
      name: 'running and ready',
      in: input(pod(), [ctr('app', 'CONTAINER_RUNNING')]),
      phase: 'Running',
      check: (s) => {
        const cs = s.containerStatuses![0]!;
        assert.equal(cs.ready, true);
        assert.equal(cs.started, true);
        assert.match(cs.containerID!, /^process:\/\/app-\d+$/);
        assert.deepEqual(cs.state, { running: { startedAt: '2026-03-01T10:00:01Z' } });
        assert.equal(cond(s, 'Ready')!.status, 'True');
        assert.equal(cond(s, 'ContainersReady')!.status, 'True');
        assert.equal(s.podIP, '10.0.0.7');
        assert.deepEqual(s.podIPs, [{ ip: '10.0.0.7' }]);
        assert.equal(s.qosClass, 'BestEffort');
        assert.deepEqual(s.conditions!.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
      },
    },
    {
      name: 'running, readiness failing',
      in: input(pod(), [ctr('app', 'CONTAINER_RUNNING')], { ready: () => false }),
      phase: 'Running',
      check: (s) => {
        assert.equal(s.containerStatuses![0]!.ready, false);
        assert.equal(cond(s, 'Ready')!.status, 'False');
      },
    },
    {
      name: 'completed with restartPolicy Never',
      in: input(pod({ restartPolicy: 'Never' }), [ctr('app', 'CONTAINER_EXITED', { reason: 'Completed' })]),
      phase: 'Succeeded',
      check: (s) => {
        assert.equal(s.containerStatuses![0]!.state!.terminated!.reason, 'Completed');
        assert.equal(cond(s, 'Ready')!.reason, 'PodCompleted');
        assert.equal(cond(s, 'Initialized')!.reason, 'PodCompleted');
      },
    },
    {
      name: 'failed with restartPolicy Never',
      in: input(pod({ restartPolicy: 'Never' }), [ctr('app', 'CONTAINER_EXITED', { exitCode: 2, reason: 'Error', message: 'bad config' })]),
      phase: 'Failed',
      check: (s) => {
        const t = s.containerStatuses![0]!.state!.terminated!;
        assert.equal(t.exitCode, 2);
        assert.equal(t.message, 'bad config');
        assert.equal(cond(s, 'Ready')!.reason, 'PodFailed');
      },
    },
    {
      name: 'crash looping under restartPolicy Always',
      in: input(pod(), [ctr('app', 'CONTAINER_EXITED', { exitCode: 1, restartCount: 2 }), ctr('app', 'CONTAINER_EXITED', { exitCode: 1, restartCount: 3 })], {
        reasons: new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_default(u)' }]]),
      }),
      phase: 'Running',
      check: (s) => {
        const cs = s.containerStatuses![0]!;
        assert.equal(cs.state!.waiting!.reason, 'CrashLoopBackOff');
        assert.match(cs.state!.waiting!.message!, /back-off 40s/);
        assert.equal(cs.lastState!.terminated!.exitCode, 1);
        assert.equal(cs.restartCount, 3);
        assert.equal(cs.ready, false);
      },
    },
    {
      name: 'OnFailure with a successful exit does not restart',
      in: input(pod({ restartPolicy: 'OnFailure' }), [ctr('app', 'CONTAINER_EXITED')], { reasons: new Map([['app', { reason: 'CrashLoopBackOff', message: '' }]]) }),
      phase: 'Succeeded',
    },
    {
      name: 'configuration error before the first start',
      in: input(pod(), [], { reasons: new Map([['app', { reason: 'CreateContainerConfigError', message: 'configmap "cfg" not found' }]]) }),
      phase: 'Pending',
      check: (s) => assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'CreateContainerConfigError', message: 'configmap "cfg" not found' } }),
    },
    {
      name: 'init container running',
      in: input(pod({ initContainers: [{ name: 'init', image: 'i' }] }), [ctr('init', 'CONTAINER_RUNNING')]),
      phase: 'Pending',
      check: (s) => {
        assert.equal(cond(s, 'Initialized')!.status, 'False');
        assert.equal(cond(s, 'Initialized')!.message, 'containers with incomplete status: [init]');
        assert.equal(s.containerStatuses![0]!.state!.waiting!.reason, 'PodInitializing');
        assert.equal(s.initContainerStatuses![0]!.state!.running !== undefined, true);
      },
    },
    {
      name: 'init container failed, restartPolicy Never',
      in: input(pod({ restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'i' }] }), [ctr('init', 'CONTAINER_EXITED', { exitCode: 1 })]),
      phase: 'Failed',
    },
    {
      name: 'init done, sidecar started, app running',
      in: input(pod({ initContainers: [{ name: 'init', image: 'i' }, { name: 'proxy', image: 'p', restartPolicy: 'Always' }] }), [
        ctr('init', 'CONTAINER_EXITED'),
        ctr('proxy', 'CONTAINER_RUNNING'),
        ctr('app', 'CONTAINER_RUNNING'),
      ]),
      phase: 'Running',
      check: (s) => {
        assert.equal(cond(s, 'Initialized')!.status, 'True');
        assert.equal(s.initContainerStatuses![0]!.ready, true);
        assert.equal(s.initContainerStatuses![1]!.started, true);
      },
    },
    {
      name: 'sidecar not started yet keeps the pod Pending',
      in: input(pod({ initContainers: [{ name: 'proxy', image: 'p', restartPolicy: 'Always' }] }), [ctr('proxy', 'CONTAINER_RUNNING')], { started: (n) => n !== 'proxy' }),
      phase: 'Pending',
    },
    {
      name: 'terminal pod whose Always containers were stopped',
      in: input(pod(), [ctr('app', 'CONTAINER_EXITED', { exitCode: 143 })], { podIsTerminal: true }),
      phase: 'Failed',
    },
    {
      name: 'readiness gate missing',
      in: input(pod({ readinessGates: [{ conditionType: 'example.com/lb' }] }), [ctr('app', 'CONTAINER_RUNNING')]),
      phase: 'Running',
      check: (s) => {
        assert.equal(cond(s, 'Ready')!.reason, 'ReadinessGatesNotReady');
        assert.equal(cond(s, 'ContainersReady')!.status, 'True');
      },
    },
  ];
  for (const c of cases) {
    const s = generatePodStatus(c.in);
    assert.equal(s.phase, c.phase, c.name);
    c.check?.(s);
  }
});

test('generatePodStatus keeps lastTransitionTime and startTime across syncs', () => {
  const first = generatePodStatus(input(pod(), [ctr('app', 'CONTAINER_RUNNING')], { now: T }));
  const second = generatePodStatus(input(pod({}, first), [ctr('app', 'CONTAINER_RUNNING')], { now: T + 60_000, ready: () => true }));
  assert.equal(cond(second, 'Ready')!.lastTransitionTime, cond(first, 'Ready')!.lastTransitionTime);
  assert.equal(second.startTime, first.startTime);
  const third = generatePodStatus(input(pod({}, second), [ctr('app', 'CONTAINER_RUNNING')], { now: T + 120_000, ready: () => false }));
  assert.equal(cond(third, 'Ready')!.lastTransitionTime, '2026-03-01T10:02:00Z');
});

test('qosClass as upstream', () => {
  const c = (resources: object) => ({ name: 'c', resources });
  const cases: Array<[string, object[], string]> = [
    ['none', [{}], 'BestEffort'],
    ['equal limits', [{ limits: { cpu: '1', memory: '1Gi' } }], 'Guaranteed'],
    ['equal in other units', [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } }], 'Guaranteed'],
    ['requests only', [{ requests: { cpu: '100m' } }], 'Burstable'],
    ['one guaranteed, one not', [{ limits: { cpu: '1', memory: '1Gi' } }, {}], 'Burstable'],
  ];
  for (const [name, rs, want] of cases) assert.equal(qosClass({ spec: { containers: rs.map(c) } }), want, name);
});

test('shouldContainerBeRestarted as upstream', () => {
  const p = (restartPolicy: string, deleted = false): Pod => ({ metadata: deleted ? { deletionTimestamp: 'x' } : {}, spec: { restartPolicy, containers: [] } });
  const spec = { name: 'app' };
  assert.equal(shouldContainerBeRestarted(spec, p('Never'), undefined), true, 'never started');
  assert.equal(shouldContainerBeRestarted(spec, p('Always'), ctr('app', 'CONTAINER_RUNNING')), false);
  assert.equal(shouldContainerBeRestarted(spec, p('Never'), ctr('app', 'CONTAINER_EXITED', { exitCode: 1 })), false);
  assert.equal(shouldContainerBeRestarted(spec, p('OnFailure'), ctr('app', 'CONTAINER_EXITED')), false);
  assert.equal(shouldContainerBeRestarted(spec, p('OnFailure'), ctr('app', 'CONTAINER_EXITED', { exitCode: 1 })), true);
  assert.equal(shouldContainerBeRestarted(spec, p('Always', true), ctr('app', 'CONTAINER_EXITED')), false, 'deleted pods never restart');
  assert.equal(shouldContainerBeRestarted({ name: 's', restartPolicy: 'Always' }, p('Never'), ctr('s', 'CONTAINER_EXITED'), true), true, 'sidecars always restart');
});

test('generatePodStatus: an eviction by the kubelet and an earlier terminal phase win over the containers\' states', () => {
  const deadline = { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };
  const cases: Array<{ name: string; in: PodStatusInput; phase: string; reason?: string; message?: string }> = [
    { name: 'evicted while its container still runs', in: input(pod(), [ctr('app', 'CONTAINER_RUNNING')], { evicted: deadline }), phase: 'Failed', ...deadline },
    { name: 'evicted before any container was created', in: input(pod(), [], { evicted: deadline, podIsTerminal: true }), phase: 'Failed', ...deadline },
    { name: 'evicted after its container exited 0', in: input(pod({ restartPolicy: 'Never' }), [ctr('app', 'CONTAINER_EXITED')], { evicted: deadline, podIsTerminal: true }), phase: 'Failed', ...deadline },
    {
      name: 'reported Failed before, containers gone from the runtime since',
      in: input(pod({}, { phase: 'Failed', reason: 'DeadlineExceeded', message: 'gone' }), [], { podIsTerminal: true, sandboxReady: false }),
      phase: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'gone',
    },
    { name: 'reported Succeeded before, now nothing to say', in: input(pod({}, { phase: 'Succeeded' }), [], { podIsTerminal: true }), phase: 'Succeeded' },
    { name: 'not terminal before: the containers decide', in: input(pod({}, { phase: 'Running', reason: 'Old' }), [ctr('app', 'CONTAINER_RUNNING')]), phase: 'Running' },
  ];
  for (const c of cases) {
    const s = generatePodStatus(c.in);
    assert.equal(s.phase, c.phase, c.name);
    assert.equal(s.reason, c.reason, c.name);
    assert.equal(s.message, c.message, c.name);
    if (c.phase === 'Failed') assert.equal(cond(s, 'Ready')!.reason, 'PodFailed', c.name);
  }
});
