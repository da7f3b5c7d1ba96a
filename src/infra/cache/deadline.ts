import { performance } from 'node:perf_hooks';

/** A Redis command that got no reply while this process was responsive enough to have read one. */
export class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`no reply from Redis within ${ms} ms`);
  }
}

/**
 * Samples the event loop's lag: how late a short repeating timer fires. A busy process reads
 * replies late; that must not be mistaken for a slow Redis.
 */
export function createLagMonitor(intervalMs = 5) {
  // Ring of (time sampled, lag) pairs, enough for a few seconds of history.
  const SIZE = 1024;
  const at = new Float64Array(SIZE);
  const lag = new Float64Array(SIZE);
  let n = 0;
  let expected = performance.now() + intervalMs;
  const timer = setInterval(() => {
    const now = performance.now();
    at[n % SIZE] = now;
    lag[n % SIZE] = Math.max(0, now - expected);
    n++;
    expected = now + intervalMs;
  }, intervalMs);
  timer.unref();
  return {
    /** The largest lag sampled since `since` (performance.now() time), including the one in progress. */
    maxSince(since: number): number {
      let max = Math.max(0, performance.now() - expected);
      for (let i = n - 1; i >= 0 && i >= n - SIZE; i--) {
        if (at[i % SIZE]! < since) break;
        if (lag[i % SIZE]! > max) max = lag[i % SIZE]!;
      }
      return max;
    },
    close: () => clearInterval(timer),
  };
}

export type LagMonitor = ReturnType<typeof createLagMonitor>;

/**
 * Resolves or rejects with `p`, or rejects with RedisTimeoutError once `ms` have passed during
 * which the event loop was responsive (its lag stayed under a quarter of `ms`) and a poll phase
 * has run since the deadline (so a reply already in the socket is read first). While the loop is
 * saturated the wait is extended, up to `maxMs` in all: a hung Redis is still detected on a busy
 * process, only later.
 */
export function withDeadline<T>(p: Promise<T>, ms: number, maxMs: number, lag: LagMonitor): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const start = performance.now();
    let windowStart = start;
    let settled = false;
    let timer: NodeJS.Timeout;
    const check = () => {
      if (settled) return;
      // setImmediate runs after the poll phase: replies that arrived while timers ran are read first.
      setImmediate(() => {
        if (settled) return;
        const now = performance.now();
        const busy = lag.maxSince(windowStart) > ms / 4;
        if (busy && now - start + ms <= maxMs) {
          windowStart = now;
          timer = setTimeout(check, ms);
          return;
        }
        settled = true;
        reject(new RedisTimeoutError(ms));
      });
    };
    timer = setTimeout(check, ms);
    p.then(
      (v) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
