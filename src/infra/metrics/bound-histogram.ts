import type { Metric, MetricValueWithName, Registry } from 'prom-client';

/** One label set of a histogram, bound once: recording into it is a bucket search and three additions. */
export interface Series {
  observe(value: number): void;
}

interface State<L extends string> {
  labels: Record<L, string | number>;
  /** Per bucket (not cumulative), the last one for values above every bound (+Inf). */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram whose label sets can be bound once: prom-client's Histogram validates and
 * hashes the label set on every observe(), a measurable share of a cached hit (docs/OBSERVABILITY.md).
 * It registers in a prom-client Registry like any metric and is exported in prom-client's format.
 */
export class BoundHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #series = new Map<string, State<L> & Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series of `labels`, created on first use. */
  bind(labels: Record<L, string | number>): Series {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.#series.get(key);
    if (!s) {
      const { buckets } = this;
      const state: State<L> & Series = {
        labels: { ...labels },
        counts: new Array<number>(buckets.length + 1).fill(0),
        sum: 0,
        count: 0,
        observe(value: number) {
          let i = 0;
          while (i < buckets.length && value > buckets[i]!) i++;
          state.counts[i]! += 1;
          state.sum += value;
          state.count += 1;
        },
      };
      this.#series.set(key, (s = state));
    }
    return s;
  }

  observe(labels: Record<L, string | number>, value: number): void {
    this.bind(labels).observe(value);
  }

  /** prom-client's exposition shape: cumulative `_bucket` samples with `le`, then `_sum` and `_count`. */
  async get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: MetricValueWithName<string>[];
  }> {
    const values: MetricValueWithName<string>[] = [];
    for (const s of this.#series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...s.labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...s.labels }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  /** Each series' labels and observation count (what `http_requests_total` reports). */
  counts(): { labels: Record<L, string | number>; count: number }[] {
    return [...this.#series.values()].map((s) => ({ labels: s.labels, count: s.count }));
  }

  reset(): void {
    this.#series.clear();
  }
}
