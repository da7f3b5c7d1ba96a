import { performance } from 'node:perf_hooks';
import { AppError } from '../../errors.js';

/** Bounds of the gate; see AuthConfig['hashing']. */
export interface HashGateOptions {
  concurrency: number;
  maxQueue: number;
  maxWaitMs: number;
}

interface Waiter {
  grant(): void;
  timer: NodeJS.Timeout;
}

// What a slot is first assumed to take (ms), until real ones are measured: argon2id at OWASP's
// minimum takes tens of ms on a server core.
const FIRST_GUESS_MS = 50;
const RETRY_AFTER_MAX_S = 60;

/**
 * At most `concurrency` password hashes at a time (argon2 computes on libuv's thread pool, so
 * more would only queue there, out of sight, and starve file system and DNS work). Callers wait
 * in a bounded FIFO queue; one that cannot start within `maxWaitMs` gets a 503 with Retry-After,
 * at once when the queue is full or the expected wait (from measured slot times) is already
 * longer, otherwise when its deadline passes. Nobody waits longer than the deadline.
 */
export function createHashGate(opts: HashGateOptions) {
  let running = 0;
  // Insertion-ordered: the first value is the longest waiter; a timed-out one leaves in O(1).
  const waiting = new Set<Waiter>();
  let slotMs = FIRST_GUESS_MS;

  /** How long a newcomer would wait: everybody ahead of it, `concurrency` at a time. */
  const expectedWaitMs = () => ((waiting.size + 1) * slotMs) / opts.concurrency;
  const busy = (detail: string) => {
    const seconds = Math.min(RETRY_AFTER_MAX_S, Math.max(1, Math.ceil(expectedWaitMs() / 1000)));
    return new AppError('service_unavailable', detail, undefined, { 'retry-after': String(seconds) });
  };

  function acquire(): Promise<void> | undefined {
    if (running < opts.concurrency) {
      running += 1;
      return undefined;
    }
    if (waiting.size >= opts.maxQueue || expectedWaitMs() > opts.maxWaitMs) {
      return Promise.reject(busy('Too many password checks in progress; try again shortly'));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant() {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          waiting.delete(waiter);
          reject(busy('Timed out waiting for a password check; try again shortly'));
        }, opts.maxWaitMs),
      };
      waiting.add(waiter);
    });
  }

  function release(): void {
    const next = waiting.values().next();
    if (next.done) {
      running -= 1;
      return;
    }
    // The slot passes straight to the longest waiter: `running` stays the same.
    waiting.delete(next.value);
    next.value.grant();
  }

  return {
    /** Runs fn in a slot (waiting for one first); throws a 503 AppError when none frees in time. */
    async run<T>(fn: () => Promise<T>): Promise<T> {
      await acquire();
      const started = performance.now();
      try {
        return await fn();
      } finally {
        // A moving average: adapts to the machine and its load within a few dozen slots.
        slotMs = 0.9 * slotMs + 0.1 * (performance.now() - started);
        release();
      }
    },
    /** Slots in use and callers waiting (for tests and metrics). */
    stats: () => ({ running, waiting: waiting.size }),
  };
}

export type HashGate = ReturnType<typeof createHashGate>;
