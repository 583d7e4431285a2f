import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, delta, histogramQuantile, histograms, parsePrometheusText, type Histogram } from './prometheus.js';

const h = (pairs: Array<[number, number]>): Histogram => ({ buckets: pairs.map(([le, c]) => ({ le, count: c })) });

test('histogramQuantile interpolates linearly within the bucket, as PromQL', () => {
  const cases: Array<{ name: string; q: number; h: Histogram; want: number }> = [
    // 100 observations: 50 in (0, 0.005], 40 in (0.005, 0.025], 10 in (0.025, 0.05].
    { name: 'median at the first bucket edge', q: 0.5, h: h([[0.005, 50], [0.025, 90], [0.05, 100], [Infinity, 100]]), want: 0.005 },
    { name: 'p99 inside the third bucket', q: 0.99, h: h([[0.005, 50], [0.025, 90], [0.05, 100], [Infinity, 100]]), want: 0.025 + 0.025 * 0.9 },
    { name: 'p25 in the first bucket, from 0', q: 0.25, h: h([[0.005, 50], [0.025, 90], [0.05, 100], [Infinity, 100]]), want: 0.0025 },
    { name: 'rank in +Inf answers the highest finite bound', q: 0.99, h: h([[0.005, 10], [0.025, 20], [Infinity, 100]]), want: 0.025 },
    { name: 'no observations', q: 0.99, h: h([[0.005, 0], [Infinity, 0]]), want: NaN },
    { name: 'no +Inf bucket', q: 0.99, h: h([[0.005, 3]]), want: NaN },
    { name: 'only the +Inf bucket', q: 0.5, h: h([[Infinity, 4]]), want: NaN },
    { name: 'NaN q', q: NaN, h: h([[0, 1], [Infinity, 4]]), want: NaN },
    { name: 'q below 0', q: -0.1, h: h([[0.005, 1], [Infinity, 4]]), want: -Infinity },
    { name: 'q above 1', q: 1.1, h: h([[0.005, 1], [Infinity, 4]]), want: Infinity },
    { name: 'q 1 with every observation finite: the last bucket holding them', q: 1, h: h([[0.005, 2], [0.025, 4], [0.05, 4], [Infinity, 4]]), want: 0.025 },
    { name: 'rank exactly at a bucket edge', q: 0.5, h: h([[0.1, 2], [0.2, 4], [Infinity, 4]]), want: 0.1 },
    { name: 'empty buckets below the rank are skipped', q: 0.5, h: h([[0.1, 0], [0.2, 0], [0.4, 10], [Infinity, 10]]), want: 0.3 },
    { name: 'every observation in +Inf', q: 0.5, h: h([[0.1, 0], [0.2, 0], [Infinity, 5]]), want: 0.2 },
    { name: 'a first bound at or below 0 answers itself', q: 0.1, h: h([[0, 3], [1, 10], [Infinity, 10]]), want: 0 },
    { name: 'a count below the one before it is raised to it (PromQL ensureMonotonic)', q: 0.75, h: h([[0.1, 5], [0.2, 3], [0.4, 8], [Infinity, 8]]), want: 0.2 + 0.2 / 3 },
  ];
  for (const c of cases) {
    const got = histogramQuantile(c.q, c.h);
    if (Number.isNaN(c.want)) assert.ok(Number.isNaN(got), c.name);
    else if (!Number.isFinite(c.want)) assert.equal(got, c.want, c.name);
    else assert.ok(Math.abs(got - c.want) < 1e-12, `${c.name}: got ${got}, want ${c.want}`);
  }
});

test('parse, sum by verb and subtract two scrapes of apiserver_request_duration_seconds', () => {
  const scrape = (n: number): string => `# HELP apiserver_request_duration_seconds x
# TYPE apiserver_request_duration_seconds histogram
apiserver_request_duration_seconds_bucket{verb="POST",dry_run="",group="",version="v1",resource="pods",subresource="",scope="resource",component="apiserver",le="0.005"} ${n}
apiserver_request_duration_seconds_bucket{verb="POST",dry_run="",group="",version="v1",resource="pods",subresource="",scope="resource",component="apiserver",le="+Inf"} ${2 * n}
apiserver_request_duration_seconds_bucket{verb="POST",dry_run="",group="apps",version="v1",resource="deployments",subresource="",scope="resource",component="apiserver",le="0.005"} 1
apiserver_request_duration_seconds_bucket{verb="POST",dry_run="",group="apps",version="v1",resource="deployments",subresource="",scope="resource",component="apiserver",le="+Inf"} 1
apiserver_request_duration_seconds_sum{verb="POST",dry_run="",group="",version="v1",resource="pods",subresource="",scope="resource",component="apiserver"} 1.5
apiserver_request_total{code="201",verb="POST",label_with_escapes="a\\"b\\\\c, d"} 7 1700000000000
`;
  const before = parsePrometheusText(scrape(1));
  const after = parsePrometheusText(scrape(5));
  assert.equal(after.length, 6);
  assert.deepEqual(after[5], { name: 'apiserver_request_total', labels: { code: '201', verb: 'POST', label_with_escapes: 'a"b\\c, d' }, value: 7 });
  const b = histograms(before, 'apiserver_request_duration_seconds', ['verb']);
  const a = histograms(after, 'apiserver_request_duration_seconds', ['verb']);
  const d = delta(a.get('POST')!, b.get('POST'));
  assert.deepEqual(d, h([[0.005, 4], [Infinity, 8]]));
  assert.equal(count(d), 8);
  const pods = histograms(after, 'apiserver_request_duration_seconds', ['verb', 'resource'], (l) => l['resource'] === 'pods');
  assert.deepEqual([...pods.keys()], ['POST pods']);
});
