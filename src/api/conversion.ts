/**
 * Conversion between the versions of a kind that share storage, as upstream's conversion
 * functions: autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler and core/v1 Event <->
 * events.k8s.io/v1 Event. Pure functions returning new objects.
 */
import type { KubeObject } from './types.js';

type Obj = Record<string, unknown>;

const CPU_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';

/** convertObject converts obj to apiVersion (same kind); unknown pairs are returned unchanged. */
export function convertObject(obj: KubeObject, apiVersion: string): KubeObject {
  if (obj.apiVersion === apiVersion) return obj;
  const from = obj.apiVersion ?? '';
  if (obj.kind === 'HorizontalPodAutoscaler') {
    if (from === 'autoscaling/v2' && apiVersion === 'autoscaling/v1') return hpaV2toV1(obj);
    if (from === 'autoscaling/v1' && apiVersion === 'autoscaling/v2') return hpaV1toV2(obj);
  }
  if (obj.kind === 'Event') {
    if (from === 'v1' && apiVersion === 'events.k8s.io/v1') return eventCoreToEvents(obj);
    if (from === 'events.k8s.io/v1' && apiVersion === 'v1') return eventEventsToCore(obj);
  }
  return { ...obj, apiVersion };
}

function set(o: Obj, k: string, v: unknown): void {
  if (v !== undefined) o[k] = v;
}

function hpaV2toV1(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Obj;
  const status = obj.status as Obj | undefined;
  const out: KubeObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: obj.metadata ?? {} };
  const s: Obj = {};
  set(s, 'scaleTargetRef', spec.scaleTargetRef);
  set(s, 'minReplicas', spec.minReplicas);
  set(s, 'maxReplicas', spec.maxReplicas);
  for (const m of (spec.metrics ?? []) as Obj[]) {
    const r = m.resource as Obj | undefined;
    if (m.type === 'Resource' && r?.name === 'cpu' && (r.target as Obj | undefined)?.type === 'Utilization') {
      set(s, 'targetCPUUtilizationPercentage', (r.target as Obj).averageUtilization);
    }
  }
  out.spec = s;
  if (status) {
    const st: Obj = {};
    set(st, 'observedGeneration', status.observedGeneration);
    set(st, 'lastScaleTime', status.lastScaleTime);
    st.currentReplicas = status.currentReplicas ?? 0;
    st.desiredReplicas = status.desiredReplicas ?? 0;
    for (const m of (status.currentMetrics ?? []) as Obj[]) {
      const r = m.resource as Obj | undefined;
      if (m.type === 'Resource' && r?.name === 'cpu') set(st, 'currentCPUUtilizationPercentage', (r.current as Obj | undefined)?.averageUtilization);
    }
    out.status = st;
  }
  return out;
}

function hpaV1toV2(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Obj;
  const status = obj.status as Obj | undefined;
  const meta = { ...(obj.metadata ?? {}) };
  if (meta.annotations?.[CPU_ANNOTATION]) {
    const { [CPU_ANNOTATION]: _dropped, ...rest } = meta.annotations;
    void _dropped;
    meta.annotations = rest;
  }
  const out: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta };
  const s: Obj = {};
  set(s, 'scaleTargetRef', spec.scaleTargetRef);
  set(s, 'minReplicas', spec.minReplicas);
  set(s, 'maxReplicas', spec.maxReplicas);
  if (spec.targetCPUUtilizationPercentage !== undefined) {
    s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }];
  }
  out.spec = s;
  if (status) {
    const st: Obj = {};
    set(st, 'observedGeneration', status.observedGeneration);
    set(st, 'lastScaleTime', status.lastScaleTime);
    set(st, 'currentReplicas', status.currentReplicas);
    set(st, 'desiredReplicas', status.desiredReplicas);
    if (status.currentCPUUtilizationPercentage !== undefined) {
      st.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }];
    }
    out.status = st;
  }
  return out;
}

function eventCoreToEvents(obj: KubeObject): KubeObject {
  const o = obj as Obj;
  const out: Obj = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: obj.metadata ?? {} };
  set(out, 'eventTime', o.eventTime ?? null);
  set(out, 'series', o.series);
  set(out, 'reportingController', o.reportingComponent);
  set(out, 'reportingInstance', o.reportingInstance);
  set(out, 'action', o.action);
  set(out, 'reason', o.reason);
  set(out, 'regarding', o.involvedObject);
  set(out, 'related', o.related);
  set(out, 'note', o.message);
  set(out, 'type', o.type);
  set(out, 'deprecatedSource', o.source);
  set(out, 'deprecatedFirstTimestamp', o.firstTimestamp);
  set(out, 'deprecatedLastTimestamp', o.lastTimestamp);
  set(out, 'deprecatedCount', o.count);
  return out as KubeObject;
}

function eventEventsToCore(obj: KubeObject): KubeObject {
  const o = obj as Obj;
  const out: Obj = { apiVersion: 'v1', kind: 'Event', metadata: obj.metadata ?? {} };
  set(out, 'involvedObject', o.regarding ?? {});
  set(out, 'related', o.related);
  set(out, 'message', o.note);
  set(out, 'reason', o.reason);
  set(out, 'type', o.type);
  set(out, 'action', o.action);
  set(out, 'eventTime', o.eventTime);
  set(out, 'series', o.series);
  set(out, 'reportingComponent', o.reportingController ?? '');
  set(out, 'reportingInstance', o.reportingInstance ?? '');
  set(out, 'source', o.deprecatedSource ?? {});
  set(out, 'firstTimestamp', o.deprecatedFirstTimestamp ?? null);
  set(out, 'lastTimestamp', o.deprecatedLastTimestamp ?? null);
  set(out, 'count', o.deprecatedCount);
  return out as KubeObject;
}
