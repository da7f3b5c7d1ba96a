import { ServiceUnavailableError } from '../../errors.js';
import type { Db, Queryable } from './types.js';

/** Bounds of the admission queue in front of the database. */
export interface AdmissionOptions {
  /** Statements or transactions running at once: the pool's size (more would wait inside the pool). */
  permits: number;
  /** Requests waiting for a permit at most; one more is refused at once. */
  queueMax: number;
  /** How long one may wait for a permit before it is refused. */
  timeoutMs: number;
  /** Called for each refusal. */
  onShed?: (reason: 'queue_full' | 'timeout') => void;
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
  done: boolean;
}

// Overload is answered at once: a prompt 503 with Retry-After beats a client's timeout.
const busy = () => new ServiceUnavailableError('The database is busy; retry shortly');

/**
 * Admission control: every statement and every transaction takes one of `permits` before it
 * reaches the pool; the rest wait in a bounded FIFO queue for at most `timeoutMs`, then get a 503
 * with Retry-After. A transaction is admitted once, before its first statement, so a write is
 * refused before it starts and never cut off half-way. The health check's ping is not admitted.
 */
export function withAdmission(db: Db, opts: AdmissionOptions) {
  let free = opts.permits;
  const queue: Waiter[] = [];
  let head = 0;
  let waiting = 0;

  function release(): void {
    while (head < queue.length) {
      const w = queue[head++]!;
      if (head > 1024 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      if (w.done) continue;
      w.done = true;
      waiting--;
      clearTimeout(w.timer);
      w.grant(); // the permit passes straight to the next waiter
      return;
    }
    free++;
  }

  function acquire(): Promise<void> | undefined {
    if (free > 0) {
      free--;
      return undefined;
    }
    if (waiting >= opts.queueMax) {
      opts.onShed?.('queue_full');
      return Promise.reject(busy());
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        grant: resolve,
        done: false,
        timer: setTimeout(() => {
          if (w.done) return;
          w.done = true;
          waiting--;
          opts.onShed?.('timeout');
          reject(busy());
        }, opts.timeoutMs),
      };
      waiting++;
      queue.push(w);
    });
  }

  async function admitted<T>(run: () => Promise<T>): Promise<T> {
    const wait = acquire();
    if (wait) await wait;
    try {
      return await run();
    } finally {
      release();
    }
  }

  const admittedDb: Db = {
    ...db,
    query: <R>(text: string, params?: unknown[]) => admitted(() => db.query<R>(text, params)),
    tx: <T>(fn: (q: Queryable) => Promise<T>) => admitted(() => db.tx(fn)),
  };
  return {
    db: admittedDb,
    /** Waiting for a permit right now. */
    waiting: (): number => waiting,
  };
}
