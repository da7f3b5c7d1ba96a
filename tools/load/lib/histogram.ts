// Latency histograms for the load runner, on HdrHistogram (hdr-histogram-js): values recorded in
// microseconds with 3 significant digits, percentiles exact to that precision at any range.
import * as hdr from 'hdr-histogram-js';

/** A latency histogram in milliseconds. */
export interface Histogram {
  record(ms: number): void;
  /** The value at percentile `p` (0–100); NaN when empty. */
  percentile(p: number): number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Adds every sample of `other`. */
  merge(other: Histogram): void;
}

// The HdrHistogram behind each of our histograms (merge adds one into another).
const inner = new WeakMap<Histogram, hdr.Histogram>();

/** Creates an empty histogram. */
export function createHistogram(): Histogram {
  const h = hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, autoResize: true });
  // HdrHistogram keeps counts per bucket, not the exact sum and extremes: kept beside it.
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  const self: Histogram = {
    record(ms) {
      if (!Number.isFinite(ms) || ms < 0) return;
      h.recordValue(Math.max(1, Math.round(ms * 1000)));
      sum += ms;
      if (ms < min) min = ms;
      if (ms > max) max = ms;
    },
    percentile(p) {
      if (h.totalCount === 0) return NaN;
      if (p <= 0) return min;
      if (p >= 100) return max;
      return Math.min(max, Math.max(min, h.getValueAtPercentile(p) / 1000));
    },
    get count() {
      return h.totalCount;
    },
    get sum() {
      return sum;
    },
    get min() {
      return min;
    },
    get max() {
      return max;
    },
    merge(other) {
      if (other.count === 0) return;
      h.add(inner.get(other)!);
      sum += other.sum;
      if (other.min < min) min = other.min;
      if (other.max > max) max = other.max;
    },
  };
  inner.set(self, h);
  return self;
}
