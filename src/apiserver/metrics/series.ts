/**
 * prom-client metrics whose labelled series are created once per label tuple and then updated
 * without hashing: prom-client's own `labels(...).observe()` hashes the label object on every
 * call (~1 µs for 8 labels), too much for the apiserver's hot path. Each Fast* class is a real
 * prom-client metric (registered in a Registry, rendered by it); only the storage of its values
 * is ours, read back through `get()` at scrape time.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

type Labels = Record<string, string>;

/** SeriesTable holds one metric's series by key (any string unique per label tuple), each made once. */
class SeriesTable<S> {
  readonly all = new Map<string, S>();
  constructor(
    private readonly names: readonly string[],
    private readonly make: (labels: Labels) => S,
  ) {}

  /** get returns the series of key, made with the labels named by `values` on first use. */
  get(key: string, values: readonly string[]): S {
    let s = this.all.get(key);
    if (!s) {
      const labels: Labels = {};
      for (let i = 0; i < this.names.length; i++) labels[this.names[i]!] = values[i] ?? '';
      this.all.set(key, (s = this.make(labels)));
    }
    return s;
  }

  /** values are ValueSeries as prom-client's get() lists them. */
  values(this: SeriesTable<ValueSeries>): Array<{ labels: Labels; value: number }> {
    return [...this.all.values()].map((s) => ({ labels: s.labels, value: s.value }));
  }
}

/** HistogramSeries is one label tuple of a FastHistogram: non-cumulative bucket counts, sum and count. */
export class HistogramSeries {
  /** counts[i] counts observations in (bounds[i-1], bounds[i]]; above the last bound only `count` grows (+Inf). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(v: number): void {
    const b = this.bounds;
    // Linear: almost every apiserver request lands in the first bucket or two.
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    if (i < b.length) this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

/** ValueSeries is one label tuple of a FastCounter or FastGauge. */
export class ValueSeries {
  value = 0;
  constructor(readonly labels: Labels) {}
}

export interface FastMetricConfig {
  name: string;
  help: string;
  labelNames: readonly string[];
  registry: Registry;
}

/** FastHistogram: a prom-client Histogram whose series are HistogramSeries handed out by `series`. */
export class FastHistogram extends Histogram<string> {
  private readonly table: SeriesTable<HistogramSeries>;
  private readonly bounds: readonly number[];
  private readonly metricName: string;
  // An unregistered, never-observed twin whose get() supplies name, help, type and aggregator:
  // this class's own super.get() would come back to the getForPromString below.
  private readonly header: Histogram<string>;

  constructor(cfg: FastMetricConfig & { buckets: readonly number[] }) {
    super({ name: cfg.name, help: cfg.help, labelNames: cfg.labelNames, buckets: [...cfg.buckets], registers: [cfg.registry] });
    this.header = new Histogram({ name: cfg.name, help: cfg.help, labelNames: cfg.labelNames, buckets: [...cfg.buckets], registers: [] });
    this.metricName = cfg.name;
    const bounds = (this.bounds = [...cfg.buckets].sort((a, b) => a - b));
    this.table = new SeriesTable(cfg.labelNames, (labels) => new HistogramSeries(labels, bounds));
  }

  /** series returns the series of key (any string unique per label tuple), created with values on first use. */
  series(key: string, values: readonly string[]): HistogramSeries {
    return this.table.get(key, values);
  }

  /** getForPromString is what prom-client's Registry renders a histogram from (not in its typings). */
  getForPromString(): ReturnType<Histogram<string>['get']> {
    return this.get();
  }

  override async get(): ReturnType<Histogram<string>['get']> {
    const base = await this.header.get();
    const values: Awaited<ReturnType<Histogram<string>['get']>>['values'] = [];
    const bucket = `${this.metricName}_bucket`;
    for (const s of this.table.all.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.counts[i]!;
        values.push({ metricName: bucket, labels: { ...s.labels, le: this.bounds[i]! }, value: acc });
      }
      values.push({ metricName: bucket, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      values.push({ metricName: `${this.metricName}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.metricName}_count`, labels: s.labels, value: s.count });
    }
    return { ...base, values };
  }
}

/** FastCounter: a prom-client Counter whose series are ValueSeries (add to `value`). */
export class FastCounter extends Counter<string> {
  private readonly table: SeriesTable<ValueSeries>;

  constructor(cfg: FastMetricConfig) {
    super({ name: cfg.name, help: cfg.help, labelNames: cfg.labelNames, registers: [cfg.registry] });
    this.table = new SeriesTable(cfg.labelNames, (labels) => new ValueSeries(labels));
  }

  series(key: string, values: readonly string[]): ValueSeries {
    return this.table.get(key, values);
  }

  override async get(): ReturnType<Counter<string>['get']> {
    return { ...(await super.get()), values: this.table.values() };
  }
}

/** FastGauge: a prom-client Gauge whose series are ValueSeries (set `value`); refresh runs before each scrape. */
export class FastGauge extends Gauge<string> {
  private readonly table: SeriesTable<ValueSeries>;

  constructor(
    cfg: FastMetricConfig,
    private readonly refresh?: () => void,
  ) {
    super({ name: cfg.name, help: cfg.help, labelNames: cfg.labelNames, registers: [cfg.registry] });
    this.table = new SeriesTable(cfg.labelNames, (labels) => new ValueSeries(labels));
  }

  series(key: string, values: readonly string[]): ValueSeries {
    return this.table.get(key, values);
  }

  override async get(): ReturnType<Gauge<string>['get']> {
    this.refresh?.();
    return { ...(await super.get()), values: this.table.values() };
  }
}
