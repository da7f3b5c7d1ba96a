import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import YAML from 'yaml';
import { buildApp, loggerOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/infra/db/index.js';
import { bearer, blueprintBody, registerTenant, startTestApp, waitForCache, type TestApp } from '../helpers/app.js';
import {
  ensurePrometheusTools,
  parseMetrics,
  promqlMetricNames,
  promtool,
  psqlRows,
  REPO,
  sampleValue,
  startOtlpReceiver,
  startPrometheus,
  startServerProcess,
  type OtlpReceiver,
  type OtlpSpan,
  type ServerProcess,
} from '../helpers/observability.js';
import { createTestDatabase, STACK, type TestDatabase } from '../helpers/stack.js';

const REFRESH_MS = 200;
const JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';
// prom-client's own defaults that promtool's lint flags (gauges named *_total); not ours to rename.
const PROM_CLIENT_LINT = /^nodejs_active_(handles|requests|resources)_total /;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('observability: /metrics, collectors, Prometheus, Grafana, tracing, logs', () => {
  let t: TestApp;
  let base: string;
  let scrape: () => Promise<string>;

  before(async () => {
    ensurePrometheusTools();
    t = await startTestApp('pgbouncer', {
      PGBOUNCER_ADMIN_URL: STACK.bouncerAdminUrl,
      METRICS_REFRESH_MS: String(REFRESH_MS),
      REDIS_URL: STACK.redisUrl,
      DB_POOL_MAX: '10',
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await t.app.metrics.listen();
    await waitForCache(t.app);
    scrape = async () => (await fetch(t.app.metrics.url()!)).text();
  });
  after(() => t.close());

  it('labels HTTP metrics with the route template, never the raw URL', async () => {
    const admin = await registerTenant(t.app, 'MetricsCo');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/blueprints',
      headers: bearer(admin),
      payload: blueprintBody(),
    });
    const id = created.json().id as string;
    for (let i = 0; i < 3; i++) await fetch(`${base}/api/blueprints/${id}`, { headers: bearer(admin) });
    await fetch(`${base}/no/such/path/${id}`);
    const samples = parseMetrics(await scrape());
    assert.equal(
      sampleValue(samples, 'http_requests_total', { method: 'GET', route: '/api/blueprints/:id', status_code: '200' }),
      3,
    );
    assert.equal(sampleValue(samples, 'http_requests_total', { route: 'unmatched', status_code: '404' }), 1);
    const http = samples.filter((s) => s.name.startsWith('http_'));
    assert.ok(http.length > 0);
    assert.ok(
      http.every((s) => !s.labels.route?.includes(id)),
      'no raw URL (with an id) in any route label',
    );
  });

  it('promtool check metrics finds nothing on the project’s own metrics', async () => {
    const { output } = await promtool(['check', 'metrics'], await scrape());
    const findings = output
      .split('\n')
      .filter((l) => l.trim() !== '')
      .filter((l) => !PROM_CLIENT_LINT.test(l));
    assert.deepEqual(findings, [], output);
    // promtool did parse it: a malformed exposition is reported as an error.
    const broken = await promtool(['check', 'metrics'], 'http_requests_total{ 1\n');
    assert.notEqual(broken.code, 0);
  });

  it('promtool accepts the shipped config and rules, and unit-tests every alert', async () => {
    const config = await promtool(['check', 'config', 'deploy/prometheus/prometheus.yml']);
    assert.equal(config.code, 0, config.output);
    const rules = await promtool(['check', 'rules', 'deploy/prometheus/alerts.yml']);
    assert.equal(rules.code, 0, rules.output);
    const tests = await promtool(['test', 'rules', 'deploy/prometheus/alerts.test.yml']);
    assert.equal(tests.code, 0, tests.output);
    assert.match(tests.output, /SUCCESS/);

    const alerts = alertRules().map((r) => r.alert);
    const tested = new Set(
      (
        YAML.parse(readFileSync(join(REPO, 'deploy/prometheus/alerts.test.yml'), 'utf8')) as {
          tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
        }
      ).tests.flatMap((x) => x.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)),
    );
    for (const a of alerts) assert.ok(tested.has(a), `alert ${a} has a firing unit test`);
    for (const required of [
      'HttpLatencyP95High',
      'HttpLatencyP99High',
      'HttpErrorRateHigh',
      'CacheHitRateLow',
      'PgBouncerClientsWaiting',
      'DatabaseConnectionsHigh',
      'RedisDown',
    ]) {
      assert.ok(alerts.includes(required), required);
    }
  });

  it('PgBouncer gauges match `psql -c "SHOW POOLS"` within one refresh interval', async () => {
    const db = t.database!;
    // Hold every server connection of the pool in a transaction and queue one more client:
    // clients waiting, servers active, maxwait growing.
    const holders = Array.from({ length: 25 }, () => new pg.Client({ connectionString: db.bouncerUrl }));
    const waiter = new pg.Client({ connectionString: db.bouncerUrl });
    await Promise.all([...holders, waiter].map((c) => c.connect()));
    try {
      await Promise.all(holders.map((c) => c.query('BEGIN').then(() => c.query('SELECT 1'))));
      const waiting = waiter.query('SELECT 1').catch((err: Error) => err);
      const poolRow = async () =>
        (await psqlRows(STACK.bouncerAdminUrl, 'SHOW POOLS')).find((r) => r.database === db.name);
      // (The PostgreSQL collector's own query through the app pool queues there too.)
      await until('a waiting client in SHOW POOLS', async () =>
        Number((await poolRow())?.cl_waiting) >= 1 ? true : undefined,
      );
      await sleep(2 * REFRESH_MS + 100);

      const before = (await poolRow())!;
      const samples = parseMetrics(await scrape());
      const afterRow = (await poolRow())!;
      const labels = { database: db.name, user: before.user! };
      for (const [state, col] of [
        ['active', 'cl_active'],
        ['waiting', 'cl_waiting'],
      ] as const) {
        assert.equal(sampleValue(samples, 'pgbouncer_pool_clients', { ...labels, state }), Number(before[col]), col);
      }
      for (const [state, col] of [
        ['active', 'sv_active'],
        ['idle', 'sv_idle'],
        ['used', 'sv_used'],
      ] as const) {
        assert.equal(sampleValue(samples, 'pgbouncer_pool_servers', { ...labels, state }), Number(before[col]), col);
      }
      const wait = (r: Record<string, string>) => Number(r.maxwait) + Number(r.maxwait_us) / 1e6;
      const maxwait = sampleValue(samples, 'pgbouncer_pool_maxwait_seconds', labels)!;
      assert.ok(maxwait > 0, 'a client has been waiting');
      assert.ok(
        maxwait >= wait(before) - REFRESH_MS / 1000 - 0.05 && maxwait <= wait(afterRow) + 0.05,
        `maxwait ${maxwait} vs SHOW POOLS ${wait(before)}..${wait(afterRow)}`,
      );
      assert.ok((sampleValue(samples, 'pgbouncer_stats_queries_total', { database: db.name }) ?? 0) > 0);

      // Release the pool: the gauge follows within one interval (plus scheduling slack).
      await Promise.all(holders.map((c) => c.query('COMMIT')));
      assert.ok(!((await waiting) instanceof Error));
      const released = Date.now();
      await until('pgbouncer_pool_clients waiting = 0', async () =>
        sampleValue(parseMetrics(await scrape()), 'pgbouncer_pool_clients', { ...labels, state: 'waiting' }) === 0
          ? true
          : undefined,
      );
      const lag = Date.now() - released;
      assert.ok(lag <= REFRESH_MS + 250, `gauge caught up after ${lag} ms (interval ${REFRESH_MS} ms)`);
    } finally {
      await Promise.all([...holders, waiter].map((c) => c.end().catch(() => {})));
    }
    const backends = sampleValue(parseMetrics(await scrape()), 'postgres_backends', { database: db.name });
    assert.ok((backends ?? 0) >= 1, 'postgres_backends counts the test database');
  });

  it('cache counters match an operator’s /cache/stats', async () => {
    const admin = await registerTenant(t.app, 'CacheCountCo');
    await t.db.query('UPDATE users SET is_operator = true WHERE id = $1', [admin.userId]);
    for (let i = 0; i < 5; i++) await fetch(`${base}/api/blueprints?limit=3`, { headers: bearer(admin) });
    await fetch(`${base}/api/projects?cache=false`, { headers: bearer(admin) });
    const samples = parseMetrics(await scrape());
    const stats = (await (await fetch(`${base}/cache/stats`, { headers: bearer(admin) })).json()) as {
      stale: number;
      bypass: number;
      evictions: number;
      tiers: { l1: { hits: number; misses: number }; l2: { hits: number; misses: number } };
    };
    const c = (tier: string, result: string) => sampleValue(samples, 'cache_requests_total', { tier, result }) ?? 0;
    assert.ok(stats.tiers.l1.hits >= 4, 'hits were made');
    assert.deepEqual(
      {
        l1: { hits: c('l1', 'hit'), misses: c('l1', 'miss') },
        l2: { hits: c('l2', 'hit'), misses: c('l2', 'miss') },
        stale: c('l1', 'stale'),
        bypass: c('l1', 'bypass'),
        evictions: sampleValue(samples, 'cache_evictions_total') ?? 0,
      },
      {
        l1: { hits: stats.tiers.l1.hits, misses: stats.tiers.l1.misses },
        l2: { hits: stats.tiers.l2.hits, misses: stats.tiers.l2.misses },
        stale: stats.stale,
        bypass: stats.bypass,
        evictions: stats.evictions,
      },
    );
  });

  it('a real Prometheus scrapes the app; every dashboard and alert expression evaluates, with data', async () => {
    const port = new URL(t.app.metrics.url()!).port;
    const shipped = YAML.parse(readFileSync(join(REPO, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      global: Record<string, unknown>;
      rule_files: string[];
      scrape_configs: Record<string, unknown>[];
    };
    const job = shipped.scrape_configs.find((s) => s.job_name === 'iac-dharma')!;
    delete job.dns_sd_configs;
    Object.assign(job, {
      scrape_interval: '1s',
      scrape_timeout: '1s',
      static_configs: [{ targets: [`127.0.0.1:${port}`] }],
    });
    const config = {
      ...shipped,
      global: { ...shipped.global, scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: shipped.rule_files.map((f) => join(REPO, 'deploy/prometheus', f)),
      scrape_configs: [job],
    };
    const prom = await startPrometheus(YAML.stringify(config));
    const admin = await registerTenant(t.app, 'PromCo');
    let traffic = true;
    const load = (async () => {
      for (let i = 0; traffic; i++) {
        await Promise.all([
          fetch(`${base}/api/blueprints?limit=${1 + (i % 3)}`, { headers: bearer(admin) }),
          fetch(`${base}/api/projects`, { headers: bearer(admin) }),
          fetch(`${base}/api/blueprints/not-a-uuid`, { headers: bearer(admin) }),
        ]);
        await sleep(20);
      }
    })();
    try {
      await until(
        'target up',
        async () => {
          const res = await prom.api<{ data: { activeTargets: { labels: { job: string }; health: string }[] } }>(
            '/api/v1/targets',
          );
          return res.data.activeTargets.some((x) => x.labels.job === 'iac-dharma' && x.health === 'up')
            ? true
            : undefined;
        },
        15_000,
      );
      // Enough samples for rate() windows and a few rule evaluations.
      await until(
        'five scrapes',
        async () => {
          const r = await prom.query('count_over_time(up{job="iac-dharma"}[1m]) >= 5');
          return r.data?.result.length ? true : undefined;
        },
        15_000,
      );
      const up = await prom.query('up{job="iac-dharma"}');
      assert.equal((up.data!.result[0] as { value: [number, string] }).value[1], '1');

      const expressions = [
        ...dashboardExpressions().map((e) => ({
          from: `dashboard: ${e.title}`,
          expr: e.expr.replaceAll('$__rate_interval', '1m'),
        })),
        ...alertRules().map((r) => ({ from: `alert: ${r.alert}`, expr: r.expr })),
      ];
      assert.ok(expressions.length >= 30, `${expressions.length} expressions`);
      const metricNames = new Set<string>();
      for (const { from, expr } of expressions) {
        const r = await prom.query(expr);
        assert.equal(r.status, 'success', `${from}: ${expr}: ${r.error}`);
        for (const n of promqlMetricNames(expr)) metricNames.add(n);
      }
      for (const name of metricNames) {
        const r = await prom.query(`count({__name__="${name}"})`);
        assert.ok((r.data?.result.length ?? 0) > 0, `metric ${name} has data in Prometheus`);
      }
      for (const expected of ['pgbouncer_pool_clients', 'postgres_backends', 'nodejs_eventloop_lag_p99_seconds']) {
        assert.ok(metricNames.has(expected), `${expected} is on the dashboard or in an alert`);
      }

      const rules = await until(
        'rules evaluated',
        async () => {
          const res = await prom.api<{
            data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
          }>('/api/v1/rules');
          const all = res.data.groups.flatMap((g) => g.rules);
          return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
        },
        10_000,
      );
      for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
      assert.equal(rules.length, alertRules().length);
    } finally {
      traffic = false;
      await load;
      await prom.stop();
    }
  });

  it('a failing collector is logged and counted; /metrics keeps answering', async () => {
    const lines: string[] = [];
    const config = loadConfig({
      ...sameDatabase(t),
      PGBOUNCER_ADMIN_URL: 'postgres://nobody@127.0.0.1:1/pgbouncer',
      METRICS_REFRESH_MS: '100',
    });
    const db = await openDatabase(config.database, false);
    const app = await buildApp(config, { db, logger: { level: 'info', stream: lineStream(lines) } });
    try {
      await app.ready();
      await sleep(350);
      const samples = parseMetrics(await app.metrics.registry.metrics());
      assert.ok((sampleValue(samples, 'metrics_collector_errors_total', { collector: 'pgbouncer' }) ?? 0) >= 2);
      assert.equal(sampleValue(samples, 'metrics_collector_up', { collector: 'pgbouncer' }), 0);
      const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.collector === 'pgbouncer');
      assert.equal(warned.length, 1, 'logged once when it starts failing, not on every tick');
    } finally {
      await app.close();
      await db.close();
    }
  });

  it('at info, a line per failed or slow request and none per fast success; debug logs every request', async () => {
    const linesAt = async (level: string, slowMs: string) => {
      const lines: string[] = [];
      const config = loadConfig({ ...sameDatabase(t), LOG_SLOW_MS: slowMs });
      const db = await openDatabase(config.database, false);
      const app = await buildApp(config, {
        db,
        logger: { ...(loggerOptions(level) as object), stream: lineStream(lines) },
      });
      try {
        for (const [url, id] of [
          ['/health/live', 'ok-1'],
          ['/api/nothing-here', 'missing-1'],
        ]) {
          await app.inject({ url, headers: { 'x-request-id': id } });
        }
      } finally {
        await app.close();
        await db.close();
      }
      return lines
        .map((l) => JSON.parse(l) as { reqId?: string; level: number; msg: string; statusCode?: number })
        .filter((l) => l.msg === 'request completed')
        .map((l) => `${l.reqId} ${l.level} ${l.statusCode}`);
    };
    assert.deepEqual(await linesAt('info', '500'), ['missing-1 30 404']);
    assert.deepEqual(await linesAt('debug', '500'), ['ok-1 20 200', 'missing-1 30 404']);
    assert.deepEqual(await linesAt('info', '0'), ['ok-1 40 200', 'missing-1 40 404'], 'slow requests at warn');
  });

  it('log lines carry the request id; a login’s log never holds the password or the tokens', async () => {
    const lines: string[] = [];
    const config = loadConfig(sameDatabase(t));
    const db = await openDatabase(config.database, false);
    const app = await buildApp(config, {
      db,
      logger: { ...(loggerOptions('trace') as object), stream: lineStream(lines) },
    });
    try {
      const account = await registerTenant(app, 'LogCo');
      lines.length = 0;
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'x-request-id': 'login-req-1' },
        payload: { email: account.email, password: account.password },
      });
      assert.equal(login.statusCode, 200);
      const { token, refreshToken } = login.json() as { token: string; refreshToken: string };
      const refresh = await app.inject({
        method: 'POST',
        url: '/api/auth/refresh',
        headers: { 'x-request-id': 'refresh-req-1', authorization: `Bearer ${token}` },
        payload: { refreshToken },
      });
      assert.equal(refresh.statusCode, 200);
      const failed = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'x-request-id': 'login-req-2' },
        payload: { email: account.email, password: `${account.password}-wrong` },
      });
      assert.equal(failed.statusCode, 401);

      const parsed = lines.map((l) => JSON.parse(l) as { reqId?: string });
      for (const id of ['login-req-1', 'refresh-req-1', 'login-req-2']) {
        assert.ok(
          parsed.some((l) => l.reqId === id),
          `a log line of ${id}`,
        );
      }
      const all = lines.join('\n');
      const newTokens = refresh.json() as { token: string; refreshToken: string };
      for (const secret of [account.password, token, refreshToken, newTokens.token, newTokens.refreshToken]) {
        assert.ok(!all.includes(secret), 'a secret reached the log');
      }
    } finally {
      await app.close();
      await db.close();
    }
  });

  describe('tracing', () => {
    const databases: TestDatabase[] = [];
    let on: { receiver: OtlpReceiver; server: ServerProcess };
    let off: { receiver: OtlpReceiver; server: ServerProcess };
    // Two API processes (module patching needs a fresh one), started side by side to save time.
    before(async () => {
      const start = async (extra: (receiver: string) => Record<string, string>) => {
        const database = await createTestDatabase();
        databases.push(database);
        const receiver = await startOtlpReceiver();
        const server = await startServerProcess({
          DATABASE_URL: database.bouncerUrl,
          MIGRATIONS_DATABASE_URL: database.directUrl,
          DB_POOL_MIN: '0',
          REDIS_URL: STACK.redisUrl,
          JWT_SECRET,
          LOG_LEVEL: 'debug', // successful requests are logged at debug
          ...extra(receiver.url),
        });
        return { receiver, server };
      };
      [on, off] = await Promise.all([
        start((url) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_BSP_SCHEDULE_DELAY: '100' })),
        // Only the standard per-signal variable: the SDK would honour it, our config does not.
        start((url) => ({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/v1/traces` })),
      ]);
    });
    after(async () => {
      for (const x of [on, off]) {
        await x?.server.stop();
        await x?.receiver.close();
      }
      await Promise.all(databases.map((d) => d.drop()));
    });

    async function tracedRequest(url: string, requestId: string): Promise<void> {
      await until('cache up', async () => {
        const r = await fetch(`${url}/health/ready`);
        return ((await r.json()) as { checks?: { cache?: string } }).checks?.cache === 'up' ? true : undefined;
      });
      const reg = await fetch(`${url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `${requestId}@trace.example`,
          password: 'correct horse battery staple',
          organization: 'TraceCo',
        }),
      });
      const { token } = (await reg.json()) as { token: string };
      const res = await fetch(`${url}/api/blueprints?limit=5`, {
        headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-cache'), 'MISS', 'the request reads SQL and Redis');
    }

    it('exports HTTP → SQL → Redis spans of one request, correctly parented; its logs carry the trace id', async () => {
      const { receiver, server } = on;
      await tracedRequest(server.url, 'trace-req-1');
      const root = await until('the HTTP server span', async () =>
        receiver.spans.find((s) => s.kind === 2 && s.name === 'GET /api/blueprints'),
      );
      const trace = await until('SQL and Redis spans', async () => {
        const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
        return spans.some((s) => s.scope.includes('pg')) && spans.some((s) => s.scope.includes('ioredis'))
          ? spans
          : undefined;
      });
      assert.ok(!root.parentSpanId, 'the HTTP span is the root');
      assert.equal(root.attributes['http.route'], '/api/blueprints');
      const byId = new Map(trace.map((s) => [s.spanId, s]));
      const rootOf = (s: OtlpSpan): OtlpSpan => (s.parentSpanId ? rootOf(byId.get(s.parentSpanId)!) : s);
      for (const s of trace) assert.equal(rootOf(s).spanId, root.spanId, `${s.name} descends from the HTTP span`);
      const sql = trace.filter((s) => s.scope.includes('pg') && s.name.startsWith('pg.query'));
      assert.ok(
        sql.some((s) => String(s.attributes['db.query.text']).includes('blueprints')),
        'the blueprint SELECT is traced',
      );
      const redis = trace.filter((s) => s.scope.includes('ioredis'));
      assert.ok(redis.length >= 1);
      for (const s of [...sql, ...redis]) assert.equal(s.kind, 3, `${s.name} is a client span`);

      // stdout is written in 4 KiB batches or every 250 ms.
      const mine = await until('its log lines', async () => {
        const logs = server.lines
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { reqId?: string; trace_id?: string });
        const found = logs.filter((l) => l.reqId === 'trace-req-1');
        return found.length > 0 ? found : undefined;
      });
      for (const l of mine) assert.equal(l.trace_id, root.traceId, 'log line carries the trace id');
    });

    it('exports nothing and loads no OpenTelemetry SDK when tracing is off', async () => {
      const { receiver, server } = off;
      await tracedRequest(server.url, 'untraced-req-1');
      await sleep(500);
      assert.equal(receiver.requests, 0);
      assert.ok(!server.lines.some((l) => l.includes('"trace_id"')));
      // In this process the app was built many times above with tracing off.
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      assert.deepEqual(
        loaded.filter((m) => /@opentelemetry[\\/](sdk-|instrumentation|exporter)/.test(m)),
        [],
      );
    });
  });
});

/** Environment of a second app on the test app's (already migrated) database. */
function sameDatabase(t: TestApp): Record<string, string> {
  return { NODE_ENV: 'test', JWT_SECRET, DATABASE_URL: t.database!.bouncerUrl, DB_POOL_MIN: '0', MIGRATE: 'false' };
}

function lineStream(lines: string[]): Writable {
  return new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
}

function alertRules(): { alert: string; expr: string }[] {
  const doc = YAML.parse(readFileSync(join(REPO, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return doc.groups.flatMap((g) => g.rules);
}

function dashboardExpressions(): { title: string; expr: string }[] {
  const dash = JSON.parse(
    readFileSync(join(REPO, 'deploy/grafana/dashboards/iac-dharma-performance.json'), 'utf8'),
  ) as { panels: { title: string; type: string; targets?: { expr: string }[] }[] };
  return dash.panels.flatMap((p) => (p.targets ?? []).map((x) => ({ title: p.title, expr: x.expr })));
}
