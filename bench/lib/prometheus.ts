/**
 * Reading an apiserver's GET /metrics as ClusterLoader2's APIResponsivenessPrometheus does, without
 * a Prometheus: parse the text exposition format, subtract two scrapes, and estimate quantiles
 * from histogram buckets by linear interpolation within the bucket (PromQL's histogram_quantile).
 * Works on k8ts's and on upstream kube-apiserver's /metrics alike.
 */

/** A Sample is one line of the text format: name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const unescape = (s: string): string => s.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/** parsePrometheusText parses the Prometheus text exposition format (comments skipped; timestamps ignored). */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const labels: Record<string, string> = {};
    let rest: string;
    let name: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      let i = brace + 1;
      // label="value" pairs, values with \" \\ \n escapes.
      for (;;) {
        while (line[i] === ' ' || line[i] === ',') i++;
        if (line[i] === '}') break;
        const eq = line.indexOf('=', i);
        if (eq < 0 || line[eq + 1] !== '"') throw new Error(`bad metrics line: ${line}`);
        const key = line.slice(i, eq).trim();
        let j = eq + 2;
        while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
        labels[key] = unescape(line.slice(eq + 2, j));
        i = j + 1;
      }
      rest = line.slice(i + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const v = rest.split(/\s+/)[0]!;
    out.push({ name, labels, value: v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v) });
  }
  return out;
}

/** A Histogram is one aggregated histogram: cumulative counts per upper bound (le), ascending, the last +Inf. */
export interface Histogram {
  buckets: Array<{ le: number; count: number }>;
}

/**
 * histograms sums the `<name>_bucket` series of samples by the labels `by` (as PromQL's
 * `sum by (by..., le)`), keeping only series that `filter` accepts; keys are the `by` label
 * values joined with ' '.
 */
export function histograms(samples: readonly Sample[], name: string, by: readonly string[], filter: (labels: Record<string, string>) => boolean = () => true): Map<string, Histogram> {
  const sums = new Map<string, Map<number, number>>();
  const bucket = `${name}_bucket`;
  for (const s of samples) {
    if (s.name !== bucket || !filter(s.labels)) continue;
    const key = by.map((l) => s.labels[l] ?? '').join(' ');
    const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
    let m = sums.get(key);
    if (!m) sums.set(key, (m = new Map()));
    m.set(le, (m.get(le) ?? 0) + s.value);
  }
  const out = new Map<string, Histogram>();
  for (const [k, m] of sums) out.set(k, { buckets: [...m].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le) });
  return out;
}

/** delta is `after - before` bucket by bucket (the increase over a window); buckets missing before count from 0. */
export function delta(after: Histogram, before: Histogram | undefined): Histogram {
  const prev = new Map((before?.buckets ?? []).map((b) => [b.le, b.count]));
  return { buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (prev.get(b.le) ?? 0) })) };
}

/** count is the number of observations in h (its +Inf bucket). */
export function count(h: Histogram): number {
  return h.buckets.length ? h.buckets[h.buckets.length - 1]!.count : 0;
}

/**
 * histogramQuantile is PromQL's histogram_quantile(q, h): the rank q·count is found in its
 * bucket and interpolated linearly between the bucket's bounds (the first bucket's lower bound
 * is 0); a rank in the +Inf bucket answers the highest finite bound. NaN without observations,
 * for a NaN q, or without a +Inf bucket; -Inf/+Inf for q outside [0, 1]. Buckets ascend by le.
 */
export function histogramQuantile(q: number, h: Histogram): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (h.buckets.length < 2 || h.buckets[h.buckets.length - 1]!.le !== Infinity) return NaN;
  // as PromQL: a count below the one before it (a counter reset inside the window) is raised to it
  let max = -Infinity;
  const b = h.buckets.map(({ le, count }) => ({ le, count: (max = Math.max(max, count)) }));
  const total = b[b.length - 1]!.count;
  if (total <= 0) return NaN;
  const rank = q * total;
  let i = 0;
  while (i < b.length - 1 && b[i]!.count < rank) i++;
  if (i === b.length - 1) return b[b.length - 2]!.le;
  if (i === 0 && b[0]!.le <= 0) return b[0]!.le;
  const lower = i === 0 ? 0 : b[i - 1]!.le;
  const below = i === 0 ? 0 : b[i - 1]!.count;
  const inBucket = b[i]!.count - below;
  return lower + (b[i]!.le - lower) * ((rank - below) / inBucket);
}
