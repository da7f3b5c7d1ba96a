/**
 * Fixed-window counters of failed logins, per key (account or IP). In-process: each replica
 * counts its own failures, so N replicas allow up to N× the limit; see docs/ARCHITECTURE.md.
 */
export interface FailureLimiter {
  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfter(key: string): number;
  /** Counts one failure against `key`. */
  fail(key: string): void;
}

/** A limiter allowing `limit` failures per `windowMs`; `now` is injectable for tests. */
export function createFailureLimiter(limit: number, windowMs: number, now: () => number = Date.now): FailureLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  // Bound memory under a flood of distinct keys: drop expired windows when the map grows.
  const sweep = () => {
    if (windows.size < 50_000) return;
    const t = now();
    for (const [k, w] of windows) if (t - w.start >= windowMs) windows.delete(k);
  };
  return {
    retryAfter(key) {
      const w = windows.get(key);
      if (!w) return 0;
      const elapsed = now() - w.start;
      if (elapsed >= windowMs) {
        windows.delete(key);
        return 0;
      }
      return w.count >= limit ? Math.ceil((windowMs - elapsed) / 1000) : 0;
    },
    fail(key) {
      const t = now();
      const w = windows.get(key);
      if (!w || t - w.start >= windowMs) {
        sweep();
        windows.set(key, { start: t, count: 1 });
      } else {
        w.count += 1;
      }
    },
  };
}
