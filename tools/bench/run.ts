// `npm run bench`: the side-by-side benchmarks of docs/perf/RESULTS.md, all in one run. The
// server under test is pinned to core 0, the load generator (wrk) to core 1; every comparison
// is medians of interleaved rounds; results and machine details go to docs/perf/.
//
//   npm run bench -- [--only 1,2,3,4,5,6,7,8,9,10] [--rounds 5] [--seconds 5] [--growth-rows 1000000]
//                    [--open-rate 5000] [--open-seconds 60] [--profile-scale 0.1]
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { loadavg as loadavgNow, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { compareTargets, expectResponse, type Measured } from './lib/compare.js';
import { ensureBenchDeps } from './lib/deps.js';
import { machineDetails } from './lib/machine.js';
import { freePort, startPinned, type Proc } from './lib/proc.js';
import { compare, writeReport, type MixRound, type Report } from './lib/report.js';
import {
  BOUNCER,
  build,
  DIRECT,
  freshDatabase,
  JWT_SECRET,
  LOAD_CORE,
  login,
  ROOT,
  SERVER_CORE,
  sql,
  startApp,
  startRedis,
} from './lib/setup.js';
import { ensureWrk, load } from './lib/wrk.js';
import { mixLua } from './lib/mix.js';
import { growBlueprints } from './lib/growth.js';

const exec = promisify(execFile);
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: '1,2,3,4,5,6,7,8,9,10' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    'growth-rows': { type: 'string', default: '1000000' },
    'open-rate': { type: 'string', default: '5000' },
    'open-seconds': { type: 'string', default: '60' },
    // Time scale of the stress profile (benchmark 10).
    'profile-scale': { type: 'string', default: '0.1' },
  },
});
const only = new Set(values.only.split(',').map(Number));
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const DB = 'dharma_bench';
const GROWTH_DB = 'dharma_bench_growth';
const LIST = '/api/blueprints?limit=20';

const report: Report = {
  startedAt: new Date().toISOString(),
  machine: machineDetails(),
  rounds,
  seconds,
  comparisons: [],
  notes: [],
};
// The machine may be shared: say how busy it was, since other processes compete for both cores.
const loadavg = () =>
  loadavgNow()
    .map((x) => x.toFixed(2))
    .join(' / ');
report.machine['load average at start (1/5/15 min)'] = loadavg();
if (loadavgNow()[0]! > 1) {
  report.notes.push(
    `**The machine was busy with other work when this run started (load average ${loadavg()} on ${report.machine.cpus}).** The pinned server and generator competed with other processes for both cores, so absolute figures are low and noisy; interleaved rounds keep each comparison's sides under similar conditions, but treat the ratios with care.`,
  );
}
const procs: Proc[] = [];
const started = async (p: Promise<Proc>) => {
  const proc = await p;
  procs.push(proc);
  return proc;
};

async function main() {
  const tool = ensureWrk(log);
  report.machine['load generator'] = tool;
  ensureBenchDeps(log);
  log('building dist/');
  await build();
  const redis = await startRedis();
  try {
    if ([1, 2, 3, 4, 5, 6, 8, 9, 10].some((n) => only.has(n))) {
      log(`seeding ${DB} (1,200 blueprints)`);
      await freshDatabase(DB, 300);
      const app = await started(startApp(DB, redis.url));
      const { token, tenantId } = await login(app.url);
      const auth = { authorization: `Bearer ${token}` };
      await expectResponse(`${app.url}${LIST}`, auth);
      const body = await expectResponse(`${app.url}${LIST}`, auth, 'HIT');
      if (only.has(1) || only.has(2) || only.has(3)) await cachedComparisons(app, auth, tenantId, body, redis.url);
      if (only.has(4)) await pgbouncerVsDirect(app, auth, redis.url);
      if (only.has(5)) for (const c of [1_000, 10_000]) await manyClients(app, auth, c);
      if (only.has(6)) await openLoop(app);
      if (only.has(8)) await mixClosedLoop(app);
      if (only.has(9)) await listVsPgbench(app, auth, tenantId);
      if (only.has(10)) for (const p of ['stress', 'spike'] as const) await profile(app, p);
    }
    if (only.has(7)) await growth(redis.url);
  } finally {
    for (const p of procs) await p.stop();
    redis.stop();
  }
  report.finishedAt = new Date().toISOString();
  report.machine['load average at end (1/5/15 min)'] = loadavg();
  const file = await writeReport(report, path.join(ROOT, 'docs', 'perf'));
  log(`wrote ${file}`);
}

/** Benchmarks 1–3: the cached list HIT against a bare server, Express + Redis, naive Fastify + Redis. */
async function cachedComparisons(
  app: Proc,
  auth: Record<string, string>,
  tenantId: string,
  body: Buffer,
  redisUrl: string,
) {
  const r = await fetch(`${app.url}${LIST}`, { headers: auth });
  // The bare server sends the very headers ours does (security headers included), but the
  // per-request ones it makes itself.
  const headers: Record<string, string> = {};
  const perRequest = ['date', 'x-request-id', 'connection', 'keep-alive', 'content-length'];
  r.headers.forEach((v, h) => {
    if (!perRequest.includes(h)) headers[h] = v;
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-'));
  await writeFile(path.join(dir, 'body'), body);
  await writeFile(path.join(dir, 'headers.json'), JSON.stringify(headers));
  const kv = new Redis(redisUrl);
  await kv.set(`cache:${tenantId}:${LIST}`, body.toString()); // the Express middleware's key (originalUrl)
  await kv.set(`naive:${tenantId}:blueprints:list?limit=20`, body.toString()); // the naive route's key
  kv.disconnect();
  const env = { REDIS_URL: redisUrl, JWT_SECRET };
  const tsx = ['node', '--import', 'tsx'];
  const bare = await started(
    startPinned(
      SERVER_CORE,
      [...tsx, 'tools/bench/servers/bare.ts'],
      { ...env, BODY_FILE: path.join(dir, 'body'), HEADERS_FILE: path.join(dir, 'headers.json') },
      await freePort(),
      '/',
    ),
  );
  const express = await started(
    startPinned(SERVER_CORE, [...tsx, 'tools/bench/servers/express-cache.ts'], env, await freePort()),
  );
  const naive = await started(
    startPinned(
      SERVER_CORE,
      [...tsx, 'tools/bench/servers/naive-fastify.ts'],
      { ...env, NAIVE_PREFIX: 'naive' },
      await freePort(),
    ),
  );
  const same = (u: string) => expectResponse(u, auth, 'HIT');
  const expressBody = await same(`${express.url}${LIST}`);
  if (JSON.stringify(JSON.parse(expressBody.toString())) !== JSON.stringify(JSON.parse(body.toString())))
    throw new Error('express body differs');
  await same(`${naive.url}${LIST}`);
  const targets = [
    { name: 'ours (cached HIT)', url: `${app.url}${LIST}`, headers: auth },
    { name: 'bare node:http, same bytes', url: `${bare.url}${LIST}`, headers: auth },
    { name: 'Express 5 + Redis cacheMiddleware (the usual pattern)', url: `${express.url}${LIST}`, headers: auth },
    { name: 'naive Fastify, one Redis GET per request', url: `${naive.url}${LIST}`, headers: auth },
  ];
  log(`benchmarks 1–3: GET ${LIST} (${body.length} bytes), 64 connections`);
  const m = await compareTargets(targets, { rounds, seconds, connections: 64 }, log);
  const [ours, bareM, expressM, naiveM] = m as [Measured, Measured, Measured, Measured];
  report.comparisons.push(
    compare(1, 'Cached GET /api/blueprints (HIT) vs a bare node:http server sending the same bytes', ours, bareM, 0.85),
    compare(2, 'Ours vs an Express 5 + Redis cacheMiddleware (hit)', ours, expressM, 5, '×'),
    compare(3, 'Ours vs a naive Fastify route doing one Redis GET per request', ours, naiveM, 2, '×'),
  );
  report.notes.push(
    `Benchmarks 1–3 body: ${body.length} bytes (20 blueprints). Ours, Express and naive Fastify verify the same HS256 token (ours with its own map of verified tokens, the other two with fast-jwt's token cache); the bare server never reads it.`,
  );
  for (const p of [bare, express, naive]) await p.stop();
}

/** Benchmark 4: uncached list through PgBouncer vs straight to PostgreSQL. */
async function pgbouncerVsDirect(app: Proc, auth: Record<string, string>, redisUrl: string) {
  const direct = await started(startApp(DB, redisUrl, 'direct'));
  const { token } = await login(direct.url);
  const path_ = `${LIST}&cache=false`;
  await expectResponse(`${app.url}${path_}`, auth, 'BYPASS');
  log('benchmark 4: uncached list, PgBouncer vs direct, 64 connections');
  const [b, d] = (await compareTargets(
    [
      { name: 'ours via PgBouncer (uncached)', url: `${app.url}${path_}`, headers: auth },
      {
        name: 'ours direct to PostgreSQL (uncached)',
        url: `${direct.url}${path_}`,
        headers: { authorization: `Bearer ${token}` },
      },
    ],
    { rounds, seconds, connections: 64 },
    log,
  )) as [Measured, Measured];
  report.comparisons.push(compare(4, 'Uncached list (?cache=false) through PgBouncer vs direct PostgreSQL', b, d, 0.9));
  await direct.stop();
}

/** Benchmark 5: many concurrent keep-alive clients; RSS and PostgreSQL backends sampled throughout. */
async function manyClients(app: Proc, auth: Record<string, string>, connections: number) {
  const ids = (
    await sql<{ id: string }>(
      DB,
      `SELECT b.id FROM blueprints b JOIN users u ON u.tenant_id = b.tenant_id WHERE u.email = 'load001@acme.example' LIMIT 50`,
    )
  ).map((x) => x.id);
  // 90 % cached reads, 10 % uncached lists that need the database (so the pool is exercised).
  const paths = [
    ...Array.from({ length: 4 }, () => LIST),
    ...ids.slice(0, 5).map((id) => `/api/blueprints/${id}`),
    `${LIST}&cache=false`,
  ];
  const watcher = new pg.Client({ connectionString: `${DIRECT}/postgres` });
  await watcher.connect();
  let maxBackends = 0;
  let maxRss = 0;
  const samples: number[] = [];
  const timer = setInterval(() => {
    maxRss = Math.max(maxRss, app.rssMiB());
    watcher
      .query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [DB])
      .then((r) => {
        samples.push(r.rows[0]!.n);
        maxBackends = Math.max(maxBackends, r.rows[0]!.n);
      })
      .catch(() => undefined);
  }, 250);
  log(`benchmark 5: ${connections} keep-alive connections for ${3 * seconds}s`);
  const res = await load({
    url: `${app.url}${LIST}`,
    connections,
    seconds: 3 * seconds,
    headers: auth,
    paths,
    core: LOAD_CORE,
    timeoutS: 10,
  });
  clearInterval(timer);
  await watcher.end();
  log(
    `  ${res.rps.toFixed(0)} req/s p99 ${res.p99.toFixed(1)} ms errors ${res.errors} rss max ${maxRss.toFixed(0)} MiB backends max ${maxBackends}`,
  );
  report.clients ??= [];
  report.clients.push({ connections, result: res, maxRssMiB: maxRss, maxBackends, backendSamples: samples.length });
}

/** Benchmark 6: the scenario mix, open loop, with the load-test runner pinned to the generator core. */
async function openLoop(app: Proc) {
  const rate = Number(values['open-rate']);
  const secs = Number(values['open-seconds']);
  const out = await mkdtemp(path.join(tmpdir(), 'bench-open-'));
  log(`benchmark 6: open loop ${rate} req/s of the scenario mix for ${secs}s (tools/load/run.ts on core ${LOAD_CORE})`);
  const args = [
    'tools/load/run.ts',
    'open',
    '--arrival-rate',
    String(rate),
    '--max-vus',
    '500',
    '--duration',
    `${secs}s`,
    '--base-url',
    app.url,
    '--no-progress',
    '--out',
    out,
  ];
  const script = `ulimit -n $(ulimit -Hn); exec taskset -c ${LOAD_CORE} node --import tsx "$@"`;
  const code = await exec('sh', ['-c', script, 'run', ...args], {
    cwd: ROOT,
    maxBuffer: 32 * 1024 * 1024,
    timeout: (secs + 180) * 1000,
  }).then(
    () => 0,
    (e: { code?: number }) => e.code ?? -1,
  );
  const file = (await readdir(out)).find((f) => f.endsWith('.json'));
  if (!file) throw new Error(`open-loop run wrote no result (exit ${code})`);
  const r = JSON.parse(await readFile(path.join(out, file), 'utf8')) as {
    metrics: Record<string, { values: Record<string, number> }>;
    durationS: number;
  };
  const v = (k: string, a: string) => r.metrics[k]?.values[a] ?? NaN;
  report.open = {
    rate,
    seconds: secs,
    achievedRps: v('http_reqs', 'count') / r.durationS,
    p50: v('http_req_duration', 'med'),
    p95: v('http_req_duration', 'p(95)'),
    p99: v('http_req_duration', 'p(99)'),
    errorRate: v('http_req_failed', 'rate'),
    cacheHitRate: v('cache_hit_rate', 'rate'),
    dropped: r.metrics.dropped_iterations?.values.count ?? 0,
    perScenario: Object.fromEntries(
      Object.keys(r.metrics)
        .filter((k) => k.startsWith('http_req_duration{'))
        .map((k) => [
          k.slice(27, -1),
          { p95: v(k, 'p(95)'), p99: v(k, 'p(99)'), hit: v(`cache_hit_rate{${k.slice(18)}`, 'rate') },
        ]),
    ),
    report: path.join(out, file.replace(/\.json$/, '.html')),
  };
}

/** Benchmark 8: the reference mix, closed loop, at 64 and 1,000 connections, beside create-only. */
async function mixClosedLoop(app: Proc) {
  const editors = await Promise.all(
    Array.from({ length: 64 }, (_, i) => login(app.url, `load${String(i + 1).padStart(3, '0')}@acme.example`)),
  );
  const admin = await login(app.url, 'admin@acme.example');
  const blueprints = await sql<{ id: string; provider: string }>(
    DB,
    'SELECT id, provider FROM blueprints WHERE tenant_id = $1 ORDER BY id',
    [admin.tenantId],
  );
  const data = { tokens: editors.map((e) => e.token), blueprints };
  const stats = async () =>
    (await (await fetch(`${app.url}/cache/stats`, { headers: { authorization: `Bearer ${admin.token}` } })).json()) as {
      hits: number;
      misses: number;
      stale: number;
      bypass: number;
    };
  const runs = [
    { name: 'create only (the 5 % no cache serves), 64 connections', connections: 64, lua: mixLua(data, true) },
    { name: 'the mix, 64 connections', connections: 64, lua: mixLua(data) },
    { name: 'the mix, 1,000 connections', connections: 1000, lua: mixLua(data) },
  ];
  const secs = 2 * seconds;
  const spec = (r: (typeof runs)[number], s: number) => ({
    url: `${app.url}/health/live`,
    connections: r.connections,
    seconds: s,
    lua: r.lua,
    core: LOAD_CORE,
    timeoutS: 10,
  });
  log(`benchmark 8: the mix closed loop (64 and 1,000 connections) and create-only, ${rounds} rounds of ${secs}s`);
  for (const r of runs) await load(spec(r, 2));
  const results = runs.map(() => [] as MixRound[]);
  for (let round = 0; round < Math.min(rounds, 3); round++) {
    for (const [i, r] of runs.entries()) {
      const before = await stats();
      const res = await load(spec(r, secs));
      const after = await stats();
      const served = after.hits - before.hits + (after.stale - before.stale);
      const missed = after.misses - before.misses;
      const m = {
        ...res,
        hitRate: served + missed > 0 ? served / (served + missed) : NaN,
        bypass: after.bypass - before.bypass,
      };
      results[i]!.push(m);
      log(
        `  round ${round + 1} ${r.name}: ${res.rps.toFixed(0)} req/s p99 ${res.p99.toFixed(1)} ms errors ${res.errors} hit ${(100 * m.hitRate).toFixed(1)} % bypass ${m.bypass}`,
      );
    }
  }
  report.mix = runs.map((r, i) => ({ name: r.name, connections: r.connections, rounds: results[i]! }));
}

/** Benchmark 9: the uncached list through PgBouncer beside pgbench running the same SQL through PgBouncer. */
async function listVsPgbench(app: Proc, auth: Record<string, string>, tenantId: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-pgbench-'));
  const file = path.join(dir, 'list.sql');
  // The list statement exactly as the app's repository sends it (no filters, first page of 20 + 1).
  await writeFile(
    file,
    `SELECT id, doc FROM blueprints WHERE tenant_id = '${tenantId}' AND (NULL::uuid IS NULL OR id < NULL::uuid) AND (NULL::text IS NULL OR provider = NULL) AND (NULL::text IS NULL OR status = NULL) AND (NULL::text IS NULL OR name ILIKE NULL OR description ILIKE NULL) ORDER BY id DESC LIMIT 21;\n`,
  );
  const pool = 25;
  const pgbench = async (secs: number) => {
    const { stdout } = await exec(
      'taskset',
      [
        '-c',
        String(LOAD_CORE),
        'pgbench',
        '-n',
        '-M',
        'extended',
        '-c',
        String(pool),
        '-j',
        '1',
        '-T',
        String(secs),
        '-f',
        file,
        `${BOUNCER}/${DB}`,
      ],
      { maxBuffer: 4 * 1024 * 1024 },
    );
    return Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  };
  const url = `${app.url}${LIST}&cache=false`;
  await expectResponse(url, auth, 'BYPASS');
  log(
    `benchmark 9: uncached list (app, 64 connections, DB_POOL_MAX ${pool}) vs pgbench (${pool} clients), ${rounds} rounds`,
  );
  await pgbench(2);
  await load({ url, connections: 64, seconds: 2, headers: auth, core: LOAD_CORE });
  const rows: { app: number; pgbench: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = await load({ url, connections: 64, seconds, headers: auth, core: LOAD_CORE });
    const p = await pgbench(seconds);
    rows.push({ app: a.rps, pgbench: p });
    log(`  round ${r + 1}: app ${a.rps.toFixed(0)} req/s (errors ${a.errors}), pgbench ${p.toFixed(0)} tps`);
  }
  report.pgbench = rows;
}

/** Benchmark 10: the stress and spike profiles (time-scaled), thresholds and summaries. */
async function profile(app: Proc, name: 'stress' | 'spike') {
  // The stress shape is 23 minutes (scaled down); the spike's 4 minutes run as they are: a jump to
  // 1,000 VUs compressed tenfold would be another test (1,000 logins in one second).
  const scale = name === 'stress' ? values['profile-scale'] : '1';
  const out = await mkdtemp(path.join(tmpdir(), `bench-${name}-`));
  log(`benchmark 10: ${name} profile, time scale ${scale}`);
  const args = ['tools/load/run.ts', name, '--time-scale', scale, '--base-url', app.url, '--no-progress', '--out', out];
  const script = `ulimit -n $(ulimit -Hn); exec taskset -c ${LOAD_CORE} node --import tsx "$@"`;
  const code = await exec('sh', ['-c', script, 'run', ...args], { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 }).then(
    () => 0,
    (e: { code?: number }) => e.code ?? -1,
  );
  const file = (await readdir(out)).find((f) => f.endsWith('.json'));
  if (!file) throw new Error(`${name} wrote no result (exit ${code})`);
  const r = JSON.parse(await readFile(path.join(out, file), 'utf8')) as {
    metrics: Record<string, { values: Record<string, number> }>;
    thresholds: { metric: string; expression: string; ok: boolean; actual?: number }[];
    durationS: number;
    passed: boolean;
  };
  const v = (k: string, a: string) => r.metrics[k]?.values[a] ?? NaN;
  report.profiles ??= [];
  report.profiles.push({
    name,
    scale: Number(scale),
    passed: r.passed,
    exitCode: code,
    durationS: r.durationS,
    rps: v('http_reqs', 'count') / r.durationS,
    p95: v('http_req_duration', 'p(95)'),
    p99: v('http_req_duration', 'p(99)'),
    errorRate: v('http_req_failed', 'rate'),
    hitRate: v('cache_hit_rate', 'rate'),
    failed: r.thresholds.filter((t) => !t.ok).map((t) => `${t.metric} ${t.expression}`),
  });
}

/** Benchmark 7: list and detail P50 (uncached) with 1k blueprints, then with growth-rows more. */
async function growth(redisUrl: string) {
  log(`benchmark 7: seeding ${GROWTH_DB} (1,000 blueprints)`);
  await freshDatabase(GROWTH_DB, 250);
  const app = await started(startApp(GROWTH_DB, redisUrl));
  const { token, tenantId } = await login(app.url);
  const auth = { authorization: `Bearer ${token}` };
  const measure = async (label: string) => {
    const ids = (
      await sql<{ id: string }>(
        GROWTH_DB,
        `SELECT id FROM blueprints WHERE tenant_id = $1 ORDER BY random() LIMIT 200`,
        [tenantId],
      )
    ).map((x) => x.id);
    const total = (await sql<{ n: number }>(GROWTH_DB, 'SELECT count(*)::int AS n FROM blueprints'))[0]!.n;
    const list = { name: `list (${label})`, url: `${app.url}${LIST}&cache=false`, headers: auth };
    const detail = {
      name: `detail (${label})`,
      url: `${app.url}${LIST}`,
      headers: auth,
      paths: ids.map((id) => `/api/blueprints/${id}?cache=false`),
    };
    const [l, d] = (await compareTargets(
      [list, detail],
      { rounds: Math.max(3, Math.ceil(rounds / 2)), seconds, connections: 4 },
      log,
    )) as [Measured, Measured];
    return { total, list: l, detail: d };
  };
  const small = await measure('1k');
  const rows = Number(values['growth-rows']);
  log(`  inserting ${rows} blueprints (generate_series over the direct connection)`);
  const insertSeconds = await growBlueprints(`${DIRECT}/${GROWTH_DB}`, tenantId, rows);
  log(`  inserted in ${insertSeconds.toFixed(0)} s`);
  const big = await measure(`${Math.round((rows + 1000) / 1000)}k`);
  report.growth = { small, big, insertSeconds, rows };
  await app.stop();
}

main().then(
  () => process.exit(0),
  async (err) => {
    log(`failed: ${err instanceof Error ? err.stack : String(err)}`);
    for (const p of procs) await p.stop().catch(() => undefined);
    process.exit(1);
  },
);
