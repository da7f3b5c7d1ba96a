// Per-second buckets of a run, for the live progress line and the report's plots.
import { createHistogram, type Histogram } from './histogram.js';

/** One second of the run as the report plots it. */
export interface TimelinePoint {
  /** Seconds since the start of the run (bucket start). */
  t: number;
  vus: number;
  reqs: number;
  failures: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  cacheHits: number;
  cacheLookups: number;
  dropped: number;
}

interface Bucket {
  vus: number;
  reqs: number;
  failures: number;
  hist: Histogram;
  cacheHits: number;
  cacheLookups: number;
  dropped: number;
}

/** The run's timeline: record samples as they finish, read points at the end. */
export interface Timeline {
  request(ms: number, failed: boolean, cache?: boolean): void;
  vus(n: number): void;
  dropped(): void;
  /** The last `seconds` complete seconds merged: what the progress line shows. */
  recent(seconds: number): { reqs: number; failures: number; p95: number | null; seconds: number };
  points(): TimelinePoint[];
}

/** Starts a timeline whose t=0 is `start` (performance.now() milliseconds). */
export function createTimeline(start: number): Timeline {
  const buckets: Bucket[] = [];
  const at = (): Bucket => {
    const i = Math.max(0, Math.floor((performance.now() - start) / 1_000));
    for (let j = buckets.length; j <= i; j++) {
      buckets.push({
        vus: buckets[j - 1]?.vus ?? 0,
        reqs: 0,
        failures: 0,
        hist: createHistogram(),
        cacheHits: 0,
        cacheLookups: 0,
        dropped: 0,
      });
    }
    return buckets[i]!;
  };
  const round = (v: number) => (Number.isNaN(v) ? null : Math.round(v * 1000) / 1000);
  return {
    request(ms, failed, cache) {
      const b = at();
      b.reqs += 1;
      if (failed) b.failures += 1;
      b.hist.record(ms);
      if (cache !== undefined) {
        b.cacheLookups += 1;
        if (cache) b.cacheHits += 1;
      }
    },
    vus(n) {
      at().vus = n;
    },
    dropped() {
      at().dropped += 1;
    },
    recent(seconds) {
      at();
      const done = buckets.slice(Math.max(0, buckets.length - 1 - seconds), buckets.length - 1);
      const h = createHistogram();
      let reqs = 0;
      let failures = 0;
      for (const b of done) {
        h.merge(b.hist);
        reqs += b.reqs;
        failures += b.failures;
      }
      return { reqs, failures, p95: h.count ? h.percentile(95) : null, seconds: done.length };
    },
    points: () =>
      buckets.map((b, t) => ({
        t,
        vus: b.vus,
        reqs: b.reqs,
        failures: b.failures,
        p50: round(b.hist.percentile(50)),
        p95: round(b.hist.percentile(95)),
        p99: round(b.hist.percentile(99)),
        cacheHits: b.cacheHits,
        cacheLookups: b.cacheLookups,
        dropped: b.dropped,
      })),
  };
}
