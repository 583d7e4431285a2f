/**
 * The apiserver's request metrics, as upstream's k8s.io/apiserver/pkg/endpoints/metrics:
 * apiserver_request_total, apiserver_request_duration_seconds (upstream's buckets),
 * apiserver_current_inflight_requests and apiserver_longrunning_requests, with upstream's
 * names, help texts and labels, in a Registry of their own per apiserver (several apiservers
 * share one process in tests).
 *
 * Which requests are recorded: resource requests that passed authentication and authorization
 * (upstream instruments the REST handlers, behind those filters), from the moment the apiserver
 * received them (so APF queueing is included, as upstream's requestReceivedTimestamp) until
 * the response has been handed whole to the connection ('prefinish', when `end()` ran: upstream
 * observes when the handler returns), or until the request closed if that never happened.
 * Not until 'finish' or 'close': on a TLS connection those wait for the write's completion
 * callback, which comes after the rest of the event loop's turn, long after the bytes left
 * (tens of ms under load). Watches and other long-running requests (log, exec, attach,
 * port-forward, proxy) are recorded when they end, as upstream's: their durations land in the
 * histogram as WATCH / CONNECT, which latency SLIs leave out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import type { RequestInfo } from '../requestinfo.js';
import { FastCounter, FastGauge, FastHistogram, type HistogramSeries, type ValueSeries } from './series.js';

/** REQUEST_DURATION_BUCKETS are upstream's apiserver_request_duration_seconds buckets (seconds). */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/** COMPONENT is the `component` label of the apiserver's own requests (upstream's APIServerComponent). */
export const COMPONENT = 'apiserver';

const APPLY_PATCH = 'application/apply-patch+yaml';
const CONNECT_SUBRESOURCES = new Set(['log', 'exec', 'portforward', 'attach', 'proxy']);
const VALID_VERBS = new Set(['APPLY', 'CONNECT', 'CREATE', 'DELETE', 'DELETECOLLECTION', 'GET', 'LIST', 'PATCH', 'POST', 'PROXY', 'PUT', 'UPDATE', 'WATCH', 'WATCHLIST']);
const READ_ONLY_VERBS = new Set(['get', 'list', 'watch']);

/** cleanScope is upstream's CleanScope: resource (a named object, or a create), namespace, cluster, or '' (non-resource). */
export function cleanScope(info: RequestInfo): string {
  if (info.name !== '' || info.verb === 'create') return 'resource';
  if (info.namespace !== '') return 'namespace';
  return info.isResourceRequest ? 'cluster' : '';
}

/**
 * reportedVerb is the `verb` label as upstream's MonitorRequest computes it: the HTTP method,
 * GET/HEAD becoming LIST unless one object is addressed, WATCH for watches (?watch=1 and the
 * legacy /watch/ paths), APPLY for server-side-apply patches, CONNECT for the log, exec,
 * attach, port-forward and proxy subresources; anything else is "other".
 */
export function reportedVerb(method: string, info: RequestInfo, contentType: string | undefined, scope: string = cleanScope(info)): string {
  let verb = method === 'GET' || method === 'HEAD' ? (scope !== 'resource' && scope !== '' ? 'LIST' : 'GET') : method;
  // requestInfo already tells watches apart, from the query and from /watch/ paths alike.
  if (info.verb === 'watch') return 'WATCH';
  if (verb === 'PATCH' && contentType !== undefined && (contentType === APPLY_PATCH || contentType.startsWith(`${APPLY_PATCH};`))) verb = 'APPLY';
  if (info.isResourceRequest && info.subresource !== '' && CONNECT_SUBRESOURCES.has(info.subresource)) verb = 'CONNECT';
  return VALID_VERBS.has(verb) ? verb : 'other';
}

/** cleanDryRun is the `dry_run` label: the distinct dryRun values sorted and joined by ',', "invalid" unless all are "All", '' without any. */
export function cleanDryRun(search: string, params: URLSearchParams): string {
  // Most requests have no dryRun: no parse then.
  if (!search.includes('dryRun')) return '';
  const values = params.getAll('dryRun');
  if (values.some((v) => v !== 'All')) return 'invalid';
  return values.length ? 'All' : '';
}

/** isLongRunning: watches, proxies and log/exec/attach/port-forward streams (upstream's long-running request check). */
export function isLongRunningRequest(info: RequestInfo): boolean {
  return info.isResourceRequest && (info.verb === 'watch' || info.verb === 'proxy' || CONNECT_SUBRESOURCES.has(info.subresource));
}

const DURATION_LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
const TOTAL_LABELS = [...DURATION_LABELS, 'code'] as const;
const LONG_RUNNING_LABELS = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;

/** A label tuple (all labels but code): its series, looked up once per request by one string key. */
interface Tuple {
  values: readonly string[];
  duration: HistogramSeries;
  /** total by status code. */
  codes: Map<number, ValueSeries>;
  /** kind is the inflight request kind (0 readOnly, 1 mutating), or -1 for long-running requests. */
  kind: number;
  longRunning: ValueSeries | undefined;
}

/** ApiServerMetrics holds one apiserver's request metrics and renders them for GET /metrics. */
export class ApiServerMetrics {
  /** registry holds the metrics; render it with `registry.metrics()`. */
  readonly registry = new Registry();
  private readonly total: FastCounter;
  private readonly duration: FastHistogram;
  private readonly longRunning: FastGauge;
  private readonly tuples = new Map<string, Tuple>();
  // In-flight non-long-running requests by kind, and the most seen since the last scrape.
  private readonly inflight = [0, 0];
  private readonly watermark = [0, 0];

  constructor() {
    const registry = this.registry;
    this.total = new FastCounter({ registry, name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.', labelNames: TOTAL_LABELS });
    this.duration = new FastHistogram({ registry, name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.', labelNames: DURATION_LABELS, buckets: REQUEST_DURATION_BUCKETS });
    const inflight = new FastGauge({ registry, name: 'apiserver_current_inflight_requests', help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.', labelNames: ['request_kind'] }, () => {
      // Upstream reports the maximum of the last second; here, of the time since the last scrape.
      readOnly.value = this.watermark[0]!;
      mutating.value = this.watermark[1]!;
      this.watermark[0] = this.inflight[0]!;
      this.watermark[1] = this.inflight[1]!;
    });
    const readOnly = inflight.series('readOnly', ['readOnly']);
    const mutating = inflight.series('mutating', ['mutating']);
    this.longRunning = new FastGauge({ registry, name: 'apiserver_longrunning_requests', help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.', labelNames: LONG_RUNNING_LABELS });
  }

  /** contentType of `render()`'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** render is the /metrics body. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * begin records the resource request `info` (already authorized; `startMs` is
   * performance.now() when it arrived): counted in flight now, and in the totals and the
   * histogram when `res` is handed whole to the connection or closes, with its status code then. A request whose client left before
   * this call (its 'close' already emitted) is not recorded: nothing would end its count.
   */
  begin(req: IncomingMessage, res: ServerResponse, info: RequestInfo, url: Pick<URL, 'search' | 'searchParams'>, startMs: number): void {
    if (res.closed) return;
    const method = req.method ?? 'GET';
    const scope = cleanScope(info);
    const verb = reportedVerb(method, info, req.headers['content-type'], scope);
    const dryRun = cleanDryRun(url.search, url.searchParams);
    const key = `${verb} ${dryRun} ${info.apiGroup} ${info.apiVersion} ${info.resource} ${info.subresource} ${scope}`;
    let t = this.tuples.get(key);
    if (!t) this.tuples.set(key, (t = this.tuple(key, info, verb, dryRun, scope)));
    const tuple = t;
    if (tuple.longRunning) tuple.longRunning.value++;
    else {
      const n = ++this.inflight[tuple.kind]!;
      if (n > this.watermark[tuple.kind]!) this.watermark[tuple.kind] = n;
    }
    // Whichever comes first observes; it removes the other, so each request is observed once.
    const observe = (): void => {
      res.off('prefinish', observe);
      res.off('close', observe);
      if (tuple.longRunning) tuple.longRunning.value--;
      else this.inflight[tuple.kind]!--;
      tuple.duration.observe((performance.now() - startMs) / 1000);
      const code = res.statusCode;
      let c = tuple.codes.get(code);
      if (!c) tuple.codes.set(code, (c = this.total.series(`${key} ${code}`, [...tuple.values, String(code)])));
      c.value++;
    };
    res.once('prefinish', observe);
    res.once('close', observe);
  }

  private tuple(key: string, info: RequestInfo, verb: string, dryRun: string, scope: string): Tuple {
    const values = [verb, dryRun, info.apiGroup, info.apiVersion, info.resource, info.subresource, scope, COMPONENT];
    const longRunning = isLongRunningRequest(info);
    return {
      values,
      duration: this.duration.series(key, values),
      codes: new Map(),
      kind: READ_ONLY_VERBS.has(info.verb) ? 0 : 1,
      longRunning: longRunning ? this.longRunning.series(key, [verb, info.apiGroup, info.apiVersion, info.resource, info.subresource, scope, COMPONENT]) : undefined,
    };
  }

  /** serve answers GET /metrics (authorization is the caller's: upstream's non-resource URL rules). */
  async serve(res: ServerResponse): Promise<void> {
    const body = Buffer.from(await this.render());
    res.writeHead(200, { 'Content-Type': this.contentType, 'Content-Length': body.length });
    res.end(body);
  }
}
