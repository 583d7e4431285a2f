/**
 * Pod status as upstream's kubelet generates it (kubelet_pods.go generateAPIPodStatus,
 * getPhase, convertToAPIContainerStatuses, and pkg/kubelet/status conditions): computed from
 * the spec, the runtime's container instances, probe results and the kubelet's last sync
 * errors. Pure: no I/O, so every rule is tested on its own.
 */
import { rfc3339 } from '../api/duration.js';
import { Quantity } from '../api/quantity.js';
import type { Container, ContainerState as ApiContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';

/** RuntimeContainer is one container instance as the runtime reports it (times in ms). */
export interface RuntimeContainer {
  name: string;
  id: string;
  state: 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  restartCount: number;
  image: string;
  imageRef: string;
  /** hash of the container spec it was created from (io.kubernetes.container.hash). */
  hash?: string;
}

/** SyncReason is a container's last start failure (upstream's reasonCache entry). */
export interface SyncReason {
  reason: string;
  message: string;
}

export interface PodStatusInput {
  pod: Pod;
  /** runtimeName prefixes container IDs: `process://<id>`. */
  runtimeName: string;
  /** sandboxReady: the sandbox exists with its network (PodReadyToStartContainers). */
  sandboxReady: boolean;
  podIPs: string[];
  hostIPs: string[];
  containers: RuntimeContainer[];
  reasons: ReadonlyMap<string, SyncReason>;
  ready(name: string, containerId: string): boolean;
  started(name: string, containerId: string): boolean;
  /** terminationMessage returns the message for an exited instance (file or log fallback). */
  terminationMessage?(name: string, containerId: string): string | undefined;
  /** podIsTerminal: the pod worker decided the pod is done (its containers will not restart). */
  podIsTerminal: boolean;
  /**
   * evicted: the kubelet itself failed the pod (upstream's PodSyncHandler.ShouldEvict, e.g. its
   * active deadline passed): the phase is Failed with this reason and message, whatever the
   * containers' states.
   */
  evicted?: SyncReason;
  now: number;
}


export const isRestartableInit = (c: Container): boolean => c.restartPolicy === 'Always';

/** latestByName returns each container name's newest and previous instances. */
export function instancesByName(list: RuntimeContainer[]): Map<string, RuntimeContainer[]> {
  const m = new Map<string, RuntimeContainer[]>();
  // Most pods run one instance per container: nothing to order.
  if (list.length === 1) return m.set(list[0]!.name, [list[0]!]);
  // Newest first; equal creation times (coarse clocks) fall back to the restart count.
  for (const c of [...list].sort((a, b) => b.createdAt - a.createdAt || b.restartCount - a.restartCount)) {
    const l = m.get(c.name) ?? [];
    l.push(c);
    m.set(c.name, l);
  }
  return m;
}

/** shouldContainerBeRestarted is upstream's kubecontainer.ShouldContainerBeRestarted. */
export function shouldContainerBeRestarted(container: Container, pod: Pod, latest: RuntimeContainer | undefined, isInit = false): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  if (!latest) return true;
  if (latest.state === 'CONTAINER_RUNNING') return false;
  if (latest.state === 'CONTAINER_UNKNOWN' || latest.state === 'CONTAINER_CREATED') return true;
  const policy = isInit && isRestartableInit(container) ? 'Always' : (pod.spec?.restartPolicy ?? 'Always');
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && latest.exitCode === 0) return false;
  return true;
}

/**
 * timestamp is rfc3339 (second precision) remembering the last two seconds it formatted: a
 * node's statuses in a burst carry the same few seconds (a container's start and `now` most
 * often, which alternate), and formatting a Date each time is not free.
 */
let stampSec = NaN;
let stamp = '';
let prevStampSec = NaN;
let prevStamp = '';
function timestamp(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec === stampSec) return stamp;
  if (sec === prevStampSec) return prevStamp;
  prevStampSec = stampSec;
  prevStamp = stamp;
  stampSec = sec;
  stamp = rfc3339(ms);
  return stamp;
}

function apiState(c: RuntimeContainer, containerID: string, message: string | undefined): ApiContainerState {
  switch (c.state) {
    case 'CONTAINER_RUNNING':
      return { running: { startedAt: timestamp(c.startedAt) } };
    case 'CONTAINER_EXITED':
      return {
        terminated: {
          exitCode: c.exitCode,
          reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
          ...(message ? { message } : {}),
          startedAt: c.startedAt ? timestamp(c.startedAt) : undefined,
          finishedAt: timestamp(c.finishedAt),
          containerID,
        },
      };
    default:
      return { waiting: {} };
  }
}

function containerStatuses(input: PodStatusInput, containers: Container[], isInit: boolean, byName: Map<string, RuntimeContainer[]>, old: ContainerStatus[] | undefined): ContainerStatus[] {
  const out: ContainerStatus[] = [];
  // Upstream: every container of a pod with init containers waits as PodInitializing.
  const defaultReason = input.pod.spec?.initContainers?.length ? 'PodInitializing' : 'ContainerCreating';
  for (const spec of containers) {
    const instances = byName.get(spec.name) ?? [];
    const oldStatus = old?.find((s) => s.name === spec.name);
    let status: ContainerStatus = {
      name: spec.name,
      image: spec.image ?? '',
      imageID: '',
      ready: false,
      restartCount: oldStatus?.restartCount ?? 0,
      started: false,
      state: { waiting: { reason: defaultReason } },
      lastState: oldStatus && !oldStatus.state?.terminated ? (oldStatus.lastState ?? {}) : {},
    };
    if (oldStatus?.state?.terminated && instances.length === 0) status = { ...oldStatus };
    const [latest, previous] = instances;
    if (latest) {
      const id = `${input.runtimeName}://${latest.id}`;
      const running = latest.state === 'CONTAINER_RUNNING';
      status = {
        name: spec.name,
        image: spec.image ?? latest.image,
        imageID: latest.imageRef,
        containerID: id,
        ready: running && input.started(spec.name, latest.id) && input.ready(spec.name, latest.id),
        restartCount: latest.restartCount,
        started: running && input.started(spec.name, latest.id),
        state: apiState(latest, id, latest.state === 'CONTAINER_EXITED' ? latest.message || input.terminationMessage?.(spec.name, latest.id) : undefined),
        lastState: previous ? apiState(previous, `${input.runtimeName}://${previous.id}`, previous.message || input.terminationMessage?.(spec.name, previous.id)) : {},
      };
      // Non-restartable init containers report ready once they completed successfully.
      if (isInit && !isRestartableInit(spec) && latest.state === 'CONTAINER_EXITED' && latest.exitCode === 0) status.ready = true;
    }
    if (isInit && !isRestartableInit(spec) && latest?.state === 'CONTAINER_EXITED' && latest.exitCode === 0) {
      out.push(status);
      continue;
    }
    // A container the next sync will (re)start shows why it is waiting, when the kubelet knows.
    const reason = input.reasons.get(spec.name);
    if (reason && shouldContainerBeRestarted(spec, input.pod, latest, isInit)) {
      if (status.state?.terminated) status.lastState = status.state;
      status.state = { waiting: { reason: reason.reason, ...(reason.message ? { message: reason.message } : {}) } };
    }
    out.push(status);
  }
  return out;
}

const goList = (names: string[]): string => `[${names.join(' ')}]`;

/** getPhase is upstream's getPhase, rule for rule. */
export function getPhase(pod: Pod, init: ContainerStatus[], regular: ContainerStatus[], podIsTerminal: boolean): PodStatus['phase'] {
  const spec = pod.spec!;
  const find = (list: ContainerStatus[], name: string) => list.find((s) => s.name === name);
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    if (isRestartableInit(c)) continue;
    const s = find(init, c.name);
    if (!s) {
      pendingInitialization++;
      continue;
    }
    if (s.state?.running) pendingInitialization++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else pendingInitialization++;
    } else pendingInitialization++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    if (!isRestartableInit(c)) continue;
    const s = find(init, c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state?.running) {
      if (!s.started) pendingInitialization++;
      running++;
    } else if (s.state?.terminated) {
      // terminated sidecars do not count towards the phase
    } else if (s.state?.waiting) {
      if (!s.lastState?.terminated) {
        pendingInitialization++;
        waiting++;
      }
    } else {
      pendingInitialization++;
      unknown++;
    }
  }
  for (const c of spec.containers) {
    const s = find(regular, c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const restartPolicy = spec.restartPolicy ?? 'Always';
  if (failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';
  const anyRegularStarted = regular.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
  if ((pendingInitialization > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal && !isStaticPod(pod)) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

export const isStaticPod = (pod: Pod): boolean => {
  const src = pod.metadata?.annotations?.['kubernetes.io/config.source'];
  return src !== undefined && src !== 'api';
};

type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** qosClass is upstream's GetPodQOS (cpu and memory only). */
export function qosClass(pod: Pod): QOSClass {
  let anyRequest = false;
  let guaranteed = true;
  const visit = (list: Container[] | undefined): void => {
    for (const c of list ?? []) {
      const limits = c.resources?.limits as Record<string, string> | undefined;
      const requests = c.resources?.requests as Record<string, string> | undefined;
      for (const r of QOS_RESOURCES) {
        const lim = limits?.[r];
        // A limit without a request defaults the request (upstream's defaulting).
        const req = requests?.[r] ?? lim;
        if ((req !== undefined && !isZero(req)) || (lim !== undefined && !isZero(lim))) anyRequest = true;
        if (lim === undefined || req === undefined || !sameQuantity(req, lim)) guaranteed = false;
      }
    }
  };
  visit(pod.spec?.initContainers);
  visit(pod.spec?.containers);
  if (!anyRequest) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const QOS_RESOURCES = ['cpu', 'memory'] as const;

// Quantity.parse remembers each quantity text it parsed, so isZero costs a map lookup.
const isZero = (q: string): boolean => Quantity.parse(String(q)).isZero();
const sameQuantity = (a: string, b: string): boolean => a === b || Quantity.parse(String(a)).cmp(Quantity.parse(String(b))) === 0;

/** KubeletCondition is one of the conditions the kubelet owns, before its times are stamped. */
interface KubeletCondition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
}

function condition(type: string, ok: boolean, reason?: string, message?: string): KubeletCondition {
  const c: KubeletCondition = { type, status: ok ? 'True' : 'False' };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** generatePodStatus builds the status the kubelet patches through pods/status. */
export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod } = input;
  const old = pod.status ?? {};
  const byName = instancesByName(input.containers);
  const init = containerStatuses(input, pod.spec?.initContainers ?? [], true, byName, old.initContainerStatuses);
  const regular = containerStatuses(input, pod.spec?.containers ?? [], false, byName, old.containerStatuses).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let phase = getPhase(pod, init, regular, input.podIsTerminal);
  // As upstream's generateAPIPodStatus: a pod already reported terminal never leaves that phase
  // (its containers may be gone from the runtime since), and an eviction by the kubelet fails it.
  if (phase !== 'Failed' && phase !== 'Succeeded' && (old.phase === 'Failed' || old.phase === 'Succeeded')) phase = old.phase;
  if (input.evicted) phase = 'Failed';

  // Initialized
  let initialized: KubeletCondition;
  {
    const incomplete: string[] = [];
    for (const c of pod.spec?.initContainers ?? []) {
      const s = init.find((x) => x.name === c.name)!;
      if (isRestartableInit(c)) {
        if (!s.started) incomplete.push(c.name);
      } else if (!s.state?.terminated || s.state.terminated.exitCode !== 0) incomplete.push(c.name);
    }
    const anyRegularStarted = regular.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
    if (phase === 'Succeeded') initialized = condition('Initialized', true, 'PodCompleted');
    else if (anyRegularStarted || incomplete.length === 0) initialized = condition('Initialized', true);
    else initialized = condition('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: ${goList(incomplete)}`);
  }
  // ContainersReady and Ready
  const unready: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) if (isRestartableInit(c) && !init.find((s) => s.name === c.name)?.ready) unready.push(c.name);
  for (const c of pod.spec?.containers ?? []) if (!regular.find((s) => s.name === c.name)?.ready) unready.push(c.name);
  let containersReady: KubeletCondition;
  let ready: KubeletCondition;
  if (phase === 'Succeeded' || phase === 'Failed') {
    const reason = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
    containersReady = condition('ContainersReady', false, reason);
    ready = condition('Ready', false, reason);
  } else if (unready.length > 0) {
    const msg = `containers with unready status: ${goList(unready)}`;
    containersReady = condition('ContainersReady', false, 'ContainersNotReady', msg);
    ready = condition('Ready', false, 'ContainersNotReady', msg);
  } else {
    containersReady = condition('ContainersReady', true);
    ready = condition('Ready', true);
    const gateMsgs: string[] = [];
    for (const g of pod.spec?.readinessGates ?? []) {
      const c = old.conditions?.find((x) => x.type === g.conditionType);
      if (!c) gateMsgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
      else if (c.status !== 'True') gateMsgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
    }
    if (gateMsgs.length) ready = condition('Ready', false, 'ReadinessGatesNotReady', gateMsgs.join(', '));
  }
  // The kubelet's four conditions first (keeping lastTransitionTime when a condition's status
  // did not change), then PodScheduled, then the conditions owned by others (readiness gates,
  // DisruptionTarget) in the order the API has them.
  const oldConditions = old.conditions ?? [];
  const conditions: PodCondition[] = [];
  for (const c of [condition('PodReadyToStartContainers', input.sandboxReady), initialized, ready, containersReady]) {
    const prev = oldConditions.find((x) => x.type === c.type);
    const stamped = c as KubeletCondition & { lastProbeTime: null; lastTransitionTime: string | undefined };
    stamped.lastProbeTime = null;
    stamped.lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : timestamp(input.now);
    conditions.push(stamped as unknown as PodCondition);
  }
  let scheduled = false;
  for (const c of oldConditions) {
    if (c.type !== 'PodScheduled') continue;
    conditions.push(c);
    scheduled = true;
  }
  if (!scheduled) conditions.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp(input.now), lastProbeTime: null } as unknown as PodCondition);
  for (const c of oldConditions) if (!KUBELET_CONDITIONS.has(c.type) && c.type !== 'PodScheduled') conditions.push(c);

  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIPs[0],
    hostIPs: input.hostIPs.map((ip) => ({ ip })),
    startTime: old.startTime ?? timestamp(input.now),
    qosClass: qosClass(pod),
    containerStatuses: regular,
  };
  if (input.podIPs.length) {
    status.podIP = input.podIPs[0];
    status.podIPs = input.podIPs.map((ip) => ({ ip }));
  } else if (old.podIP) {
    status.podIP = old.podIP;
    status.podIPs = old.podIPs;
  }
  if (pod.spec?.initContainers?.length) status.initContainerStatuses = init;
  if (old.nominatedNodeName) status.nominatedNodeName = old.nominatedNodeName;
  if (old.message && (phase === 'Failed' || phase === 'Succeeded')) status.message = old.message;
  if (old.reason && (phase === 'Failed' || phase === 'Succeeded')) status.reason = old.reason;
  if (input.evicted) {
    status.reason = input.evicted.reason;
    status.message = input.evicted.message;
  }
  return status;
}

/** KUBELET_CONDITIONS are the pod conditions this kubelet owns (and rewrites on every status). */
const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);
