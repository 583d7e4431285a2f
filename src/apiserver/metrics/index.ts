/**
 * The apiserver's Prometheus metrics (GET /metrics): upstream's request metrics in a Registry
 * per apiserver. ApiServerMetrics is what the server calls; the Fast* series classes let other
 * components keep hot-path metrics cheap the same way.
 */
export { ApiServerMetrics, cleanDryRun, cleanScope, COMPONENT, isLongRunningRequest, reportedVerb, REQUEST_DURATION_BUCKETS } from './metrics.js';
export { FastCounter, FastGauge, FastHistogram, HistogramSeries, ValueSeries, type FastMetricConfig } from './series.js';
