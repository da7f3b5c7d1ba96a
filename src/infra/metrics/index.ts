import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { isInternalRefresh } from '../cache/http/route.js';
import { BoundHistogram } from './bound-histogram.js';
import { createMetricsListener, scrapeAuthorized, type MetricsListenerOptions } from './listener.js';
import type { Db } from '../db/types.js';
import { createPgBouncerCollector } from './pgbouncer.js';
import { createPostgresCollector } from './postgres.js';
import { startRefresher, type Collector, type Refresher } from './refresher.js';

/** The process's metrics registry, the instruments the HTTP layer records into, and the collector timer. */
export interface Metrics {
  registry: Registry;
  httpDuration: BoundHistogram<'method' | 'route' | 'status_code'>;
  refresher: Refresher;
  enabled: boolean;
  /** Database work refused by admission control, by reason (queue_full | timeout). */
  dbShed: Counter<'reason'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The metrics registry, and the /metrics listener (started by whoever starts the app's). */
    metrics: { registry: Registry; listen(): Promise<string | undefined>; url(): string | undefined };
  }
}

/** What the collectors need; PgBouncer's is enabled by its admin URL. */
export interface MetricsOptions {
  db: Db;
  log: FastifyBaseLogger;
  refreshMs: number;
  /** false: no per-request HTTP metrics and no collectors (benchmark baseline). */
  enabled: boolean;
  pgbouncerAdminUrl?: string;
  /** Labels of `app_info` (1): alerts tell "Redis down" from "no Redis configured" by it. */
  info: { version: string; redis: boolean };
  /** How many requests wait in the admission queue right now. */
  admissionWaiting?: () => number;
}

/**
 * Builds a registry with prom-client's defaults (process memory, event-loop lag, GC), the documented (docs/OBSERVABILITY.md)
 * HTTP and pool metrics, and starts the interval collectors (PgBouncer, PostgreSQL backends).
 */
export function createMetrics(opts: MetricsOptions): Metrics {
  const { db } = opts;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_code'] as const;
  const httpDuration = new BoundHistogram(
    'http_request_duration_seconds',
    'HTTP request latency by route template',
    labelNames,
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registry,
  );
  // The histogram's per-series counts, read at scrape time: one instrument updated per request.
  new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route template',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, count } of httpDuration.counts()) this.inc(labels, count);
    },
  });
  new Gauge({
    name: 'db_pool_connections',
    help: 'App-side database pool connections by state',
    labelNames: ['state'],
    registers: [registry],
    // Reads three in-memory counters of the pool: no I/O at scrape time.
    collect() {
      const s = db.poolStats();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  new Gauge({
    name: 'app_info',
    help: 'Constant 1 labelled with the version and the configured backends',
    labelNames: ['version', 'database', 'redis'],
    registers: [registry],
  }).set({ version: opts.info.version, database: db.kind, redis: String(opts.info.redis) }, 1);
  const dbShed = new Counter({
    name: 'db_admission_shed_total',
    help: 'Database work refused with 503 by admission control (queue_full: refused at once; timeout: waited too long)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'db_admission_waiting',
    help: 'Requests waiting in the admission queue for a database connection',
    registers: [registry],
    collect() {
      this.set(opts.admissionWaiting?.() ?? 0);
    },
  });
  const collectors: Collector[] = [];
  if (opts.enabled && opts.pgbouncerAdminUrl)
    collectors.push(createPgBouncerCollector(opts.pgbouncerAdminUrl, registry));
  // The embedded database has no other backends to count.
  if (opts.enabled && db.kind === 'postgres') collectors.push(createPostgresCollector(db, registry));
  const refresher = startRefresher(collectors, { intervalMs: opts.refreshMs, registry, log: opts.log });
  return { registry, httpDuration, refresher, enabled: opts.enabled, dbShed };
}

/**
 * Records every response under its route template (never the raw URL) and serves /metrics on its
 * own listener (`app.metrics.listen()`, called by server.ts after the API listens); with
 * METRICS_PORT=off and a METRICS_TOKEN, on the API port behind that token instead.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, where: MetricsListenerOptions): void {
  if (metrics.enabled) {
    app.addHook('onResponse', (request, reply, done) => {
      if (isInternalRefresh(request)) return done(); // the cache's own re-reads are not traffic
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
      };
      metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }
  const listener = createMetricsListener(metrics.registry, where);
  app.decorate('metrics', { registry: metrics.registry, listen: () => listener.listen(), url: () => listener.url() });
  app.addHook('onClose', async () => {
    metrics.refresher.stop();
    await listener.close();
  });
  if (where.port === 'off' && where.token !== undefined) {
    app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
      if (!scrapeAuthorized(req.headers.authorization, where.token))
        return reply.code(401).header('www-authenticate', 'Bearer').type('text/plain').send('unauthorized\n');
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
}
