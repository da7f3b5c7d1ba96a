// A log-bucketed histogram: every value lands in a bucket whose width is a fixed fraction of
// its value, so percentiles are exact to that relative precision (1 % by default) whatever the
// range, in constant memory per distinct bucket. This is what HdrHistogram does with a few
// lines instead of a dependency the repo does not declare.

const LOWEST = 0.001; // ms: 1 µs; anything faster is recorded as 1 µs

/** A latency histogram in milliseconds with relative precision `precision`. */
export interface Histogram {
  record(ms: number): void;
  /** The value at percentile `p` (0–100); NaN when empty. */
  percentile(p: number): number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Adds every sample of `other` (same precision). */
  merge(other: Histogram): void;
  /** Bucket index → count (for merging). */
  readonly buckets: ReadonlyMap<number, number>;
}

/** Creates an empty histogram; `precision` 0.01 means ±1 % on every percentile. */
export function createHistogram(precision = 0.01): Histogram {
  const logBase = Math.log1p(precision);
  const buckets = new Map<number, number>();
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  const indexOf = (v: number) => (v <= LOWEST ? 0 : Math.ceil(Math.log(v / LOWEST) / logBase));
  // The geometric middle of a bucket: at most precision/2 away from any value in it.
  const valueOf = (i: number) => (i === 0 ? LOWEST : LOWEST * Math.exp((i - 0.5) * logBase));

  const h: Histogram = {
    record(ms) {
      if (!Number.isFinite(ms) || ms < 0) return;
      const i = indexOf(ms);
      buckets.set(i, (buckets.get(i) ?? 0) + 1);
      count += 1;
      sum += ms;
      if (ms < min) min = ms;
      if (ms > max) max = ms;
    },
    percentile(p) {
      if (count === 0) return NaN;
      if (p <= 0) return min;
      if (p >= 100) return max;
      const rank = Math.ceil((p / 100) * count);
      const keys = [...buckets.keys()].sort((a, b) => a - b);
      let seen = 0;
      for (const k of keys) {
        seen += buckets.get(k)!;
        if (seen >= rank) return Math.min(max, Math.max(min, valueOf(k)));
      }
      return max;
    },
    get count() {
      return count;
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
    get buckets() {
      return buckets;
    },
    merge(other) {
      for (const [k, n] of other.buckets) buckets.set(k, (buckets.get(k) ?? 0) + n);
      count += other.count;
      sum += other.sum;
      if (other.min < min) min = other.min;
      if (other.max > max) max = other.max;
    },
  };
  return h;
}
