/**
 * The apiserver's Prometheus metrics (GET /metrics): upstream's request metrics in a Registry
 * per apiserver. ApiServerMetrics is what the server calls; the label helpers follow upstream's
 * MonitorRequest. (series.ts's Fast* classes, prom-client metrics updated without label
 * hashing, stay internal until another component needs them.)
 */
export { ApiServerMetrics, cleanScope, isLongRunningRequest, reportedVerb, REQUEST_DURATION_BUCKETS } from './metrics.js';
/** Diagnostic per-request tracing (K8TS_APISERVER_TRACE=FILE); every call is a no-op when it is unset. */
export { stamp, traceRequest, tracedStorage, tracing, withRequest, type TraceStage } from './trace.js';
