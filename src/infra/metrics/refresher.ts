import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';

/** One source of gauges that needs I/O (an admin console, a catalog query): run on a timer. */
export interface Collector {
  name: string;
  refresh(): Promise<void>;
  close?(): Promise<void>;
}

/** The timer that refreshes every collector; scrapes only read what it last stored. */
export interface Refresher {
  /** Runs every collector once now (tests, and the first refresh at start-up). */
  refreshNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs each collector every `intervalMs`, one run at a time, never on the request path. A failing
 * collector is logged (when it starts and stops failing, not on every tick) and counted in
 * `metrics_collector_errors_total`; its gauges keep their last values and /metrics keeps working.
 */
export function startRefresher(
  collectors: Collector[],
  opts: { intervalMs: number; registry: Registry; log: FastifyBaseLogger },
): Refresher {
  const errors = new Counter({
    name: 'metrics_collector_errors_total',
    help: 'Failed refreshes of a metrics collector',
    labelNames: ['collector'],
    registers: [opts.registry],
  });
  const up = new Gauge({
    name: 'metrics_collector_up',
    help: '1 when the last refresh of a metrics collector succeeded',
    labelNames: ['collector'],
    registers: [opts.registry],
  });
  const failing = new Set<string>();
  for (const c of collectors) errors.inc({ collector: c.name }, 0);

  async function runOne(c: Collector): Promise<void> {
    try {
      await c.refresh();
      up.set({ collector: c.name }, 1);
      if (failing.delete(c.name)) opts.log.info({ collector: c.name }, 'metrics collector recovered');
    } catch (err) {
      errors.inc({ collector: c.name });
      up.set({ collector: c.name }, 0);
      if (!failing.has(c.name)) {
        failing.add(c.name);
        opts.log.warn({ collector: c.name, err }, 'metrics collector failed; keeping its last values');
      }
    }
  }

  // One run per collector at a time, each on its own: a collector stuck on a slow query (the
  // PostgreSQL one waits in PgBouncer's queue when the pool is exhausted) never holds up the others.
  const running = new Map<Collector, Promise<void>>();
  const start = (c: Collector): Promise<void> => {
    let run = running.get(c);
    if (!run) {
      run = runOne(c).finally(() => running.delete(c));
      running.set(c, run);
    }
    return run;
  };
  const refreshNow = async (): Promise<void> => {
    await Promise.all(collectors.map(start));
  };

  let timer: NodeJS.Timeout | undefined;
  if (collectors.length > 0) {
    timer = setInterval(() => void refreshNow(), opts.intervalMs);
    timer.unref();
    void refreshNow();
  }
  return {
    refreshNow,
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await Promise.all(running.values());
      await Promise.all(collectors.map((c) => c.close?.()));
    },
  };
}
