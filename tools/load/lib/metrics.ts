// k6's four metric types (Trend, Rate, Counter, Gauge) with one tag, `scenario`: every sample
// is recorded into the metric itself and into its sub-metric `name{scenario:<name>}`, so
// thresholds can be global or per scenario exactly as in k6.
import { createHistogram, type Histogram } from './histogram.js';

export type MetricKind = 'trend' | 'rate' | 'counter' | 'gauge';

/** The aggregated values of one metric, named as k6's end-of-test summary names them. */
export type MetricValues = Record<string, number>;

export interface MetricSummary {
  kind: MetricKind;
  values: MetricValues;
}

interface Sink {
  kind: MetricKind;
  hist?: Histogram;
  passes: number;
  fails: number;
  count: number;
  value: number;
  min: number;
  max: number;
}

/** Percentiles reported for every trend (thresholds may ask for any other). */
export const TREND_PERCENTILES = [50, 90, 95, 99, 99.9];

/** The metric registry of one run. */
export interface Registry {
  trend(name: string, ms: number, scenario?: string): void;
  rate(name: string, ok: boolean, scenario?: string): void;
  counter(name: string, n?: number, scenario?: string): void;
  gauge(name: string, v: number): void;
  /** Histogram of a trend (or sub-metric), for percentiles a summary does not list. */
  histogram(key: string): Histogram | undefined;
  /** Every metric and sub-metric with its values; `seconds` turns counters into rates. */
  summarize(seconds: number): Record<string, MetricSummary>;
}

/** Creates an empty registry. */
export function createRegistry(): Registry {
  const sinks = new Map<string, Sink>();
  const sink = (key: string, kind: MetricKind): Sink => {
    let s = sinks.get(key);
    if (!s) {
      s = { kind, passes: 0, fails: 0, count: 0, value: 0, min: Infinity, max: -Infinity };
      if (kind === 'trend') s.hist = createHistogram();
      sinks.set(key, s);
    }
    return s;
  };
  const both = (name: string, kind: MetricKind, scenario: string | undefined, f: (s: Sink) => void) => {
    f(sink(name, kind));
    if (scenario) f(sink(`${name}{scenario:${scenario}}`, kind));
  };

  return {
    trend: (name, ms, scenario) => both(name, 'trend', scenario, (s) => s.hist!.record(ms)),
    rate: (name, ok, scenario) =>
      both(name, 'rate', scenario, (s) => {
        if (ok) s.passes += 1;
        else s.fails += 1;
      }),
    counter: (name, n = 1, scenario) => both(name, 'counter', scenario, (s) => (s.count += n)),
    gauge(name, v) {
      const s = sink(name, 'gauge');
      s.value = v;
      s.min = Math.min(s.min, v);
      s.max = Math.max(s.max, v);
    },
    histogram: (key) => sinks.get(key)?.hist,
    summarize(seconds) {
      const out: Record<string, MetricSummary> = {};
      for (const [key, s] of [...sinks].sort(([a], [b]) => a.localeCompare(b))) {
        out[key] = { kind: s.kind, values: valuesOf(s, seconds) };
      }
      return out;
    },
  };
}

function valuesOf(s: Sink, seconds: number): MetricValues {
  switch (s.kind) {
    case 'trend': {
      const h = s.hist!;
      const v: MetricValues = {
        count: h.count,
        avg: h.count ? h.sum / h.count : NaN,
        min: h.count ? h.min : NaN,
        med: h.percentile(50),
        max: h.count ? h.max : NaN,
      };
      for (const p of TREND_PERCENTILES) v[`p(${p})`] = h.percentile(p);
      return v;
    }
    case 'rate': {
      const total = s.passes + s.fails;
      return { rate: total ? s.passes / total : NaN, passes: s.passes, fails: s.fails, count: total };
    }
    case 'counter':
      return { count: s.count, rate: seconds > 0 ? s.count / seconds : NaN };
    case 'gauge':
      return { value: s.value, min: s.min, max: s.max };
  }
}
