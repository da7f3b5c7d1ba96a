import type { FastifyBaseLogger } from 'fastify';

/** Consecutive Redis faults that open the breaker. */
const FAILURES_TO_OPEN = 3;
/** How often the breaker probes Redis (closed: liveness; open: recovery). */
export const PROBE_INTERVAL_MS = 250;

export interface BreakerOptions {
  log: FastifyBaseLogger;
  /** Redis's connection is usable right now. */
  connected(): boolean;
  /** One round trip to Redis (PING), bounded. */
  ping(): Promise<unknown>;
  /**
   * Runs before the breaker closes again after being open: replay what could not be written and
   * forget what may have gone stale meanwhile. A throw keeps it open.
   */
  recover(): Promise<void>;
  /** Liveness work done on some probes while closed (e.g. counting L2 keys). */
  tick?(probe: number): Promise<void>;
  onChange(up: boolean): void;
}

/**
 * The circuit breaker in front of Redis. It counts only Redis's own faults (a lost connection, an
 * error reply, no reply while this process was responsive: see deadline.ts), so a saturated
 * process never switches its cache off; after FAILURES_TO_OPEN of them in a row, or a lost
 * connection, it opens (every cached route answers BYPASS) and a probe closes it once Redis
 * answers and recovery has run.
 */
export function createBreaker(opts: BreakerOptions) {
  let up = false;
  let failures = 0;
  let probing = false;
  let probes = 0;

  function open(reason: string): void {
    if (!up) return;
    up = false;
    opts.onChange(false);
    opts.log.warn({ reason }, 'redis unavailable: cache bypassed until it recovers');
  }

  async function probe(): Promise<void> {
    if (probing) return;
    probing = true;
    try {
      if (up) {
        if (!opts.connected()) return open('connection lost');
        await opts.ping();
        failures = 0;
        await opts.tick?.(probes++);
        return;
      }
      if (!opts.connected()) return;
      await opts.ping();
      await opts.recover();
      failures = 0;
      up = true;
      opts.onChange(true);
      opts.log.info('redis available: cache L2 in use');
    } catch (err) {
      failure(err);
    } finally {
      probing = false;
    }
  }

  function failure(err: unknown): void {
    failures += 1;
    if (failures >= FAILURES_TO_OPEN || !opts.connected()) open(err instanceof Error ? err.message : String(err));
  }

  const timer = setInterval(() => void probe(), PROBE_INTERVAL_MS);
  timer.unref();
  void probe();

  return {
    /** True while the breaker is closed. */
    isUp: (): boolean => up,
    /** A command Redis answered. */
    success(): void {
      failures = 0;
    },
    /** A command Redis failed (see deadline.ts for what counts). */
    failure,
    /** Opens at once (the connection closed). */
    open,
    close: () => clearInterval(timer),
  };
}

export type Breaker = ReturnType<typeof createBreaker>;
