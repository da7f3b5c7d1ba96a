// One load window of the load-test mix (tools/load) through nginx, with the CPU each process used and
// PgBouncer's view of the pool, and the replica-kill run.
import pg from 'pg';
import { runLoad, type RunResult } from '../../load/lib/engine.js';
import type { Options } from '../../load/lib/types.js';
import { childrenOf, machineBusySeconds, pidsByName, startCpuWindow, type CpuGroup } from './cpu.js';
import { breakerOpenings, type Database, type Nginx, type Replica } from './processes.js';
import { recordingMix } from './probes.js';

/** What one throughput window produced. */
export interface Window {
  replicas: number;
  vus: number;
  /** Requests per second over the steady part (after the warm-up). */
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  failed: number;
  requests: number;
  cacheHitRate: number;
  /** Cores used on average over the steady part, per process group. */
  cpu: Record<string, number>;
  /** Times a replica's Redis breaker opened during the window (the cache bypassed until it recovers). */
  breakerOpenings: number;
  /** PgBouncer's SHOW POOLS for the run's database, mid-window. */
  pool: { cl_active: number; cl_waiting: number; sv_active: number; sv_idle: number; maxwait_ms: number } | undefined;
}

export interface LoadSettings {
  baseUrl: string;
  accounts: string[];
  password: string;
  vus: number;
  seconds: number;
  warmupSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function options(vus: number, seconds: number, created: string[]): Options {
  return {
    scenarios: recordingMix(created),
    executor: { executor: 'constant-vus', vus, duration: `${seconds}s` },
    thresholds: {},
    thinkTime: [0, 0],
  };
}

/** Pids of the PostgreSQL backends serving the run's database (PgBouncer's server connections). */
async function backendPids(db: Database): Promise<number[]> {
  const c = new pg.Client({ connectionString: db.directUrl });
  await c.connect();
  try {
    const rows = (
      await c.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [db.name],
      )
    ).rows;
    return rows.map((r) => r.pid);
  } finally {
    await c.end();
  }
}

/** SHOW POOLS through the admin console (simple protocol), the row of the run's database. */
async function showPool(adminUrl: string, database: string): Promise<Window['pool']> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const rows = (await c.query({ text: 'SHOW POOLS', rowMode: 'array' })) as unknown as {
      fields: { name: string }[];
      rows: unknown[][];
    };
    const names = rows.fields.map((f) => f.name);
    const row = rows.rows
      .map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])))
      .find((r) => r.database === database);
    if (!row) return undefined;
    const n = (k: string) => Number(row[k] ?? 0);
    return {
      cl_active: n('cl_active'),
      cl_waiting: n('cl_waiting'),
      sv_active: n('sv_active'),
      sv_idle: n('sv_idle'),
      maxwait_ms: n('maxwait') * 1000 + n('maxwait_us') / 1000,
    };
  } finally {
    await c.end();
  }
}

/** Runs the mix for warm-up + measurement seconds and reports the steady part. */
export async function throughputWindow(
  s: LoadSettings,
  replicas: Replica[],
  nginx: Nginx,
  db: Database,
  adminUrl: string,
  stateDir: string,
  during?: () => Promise<unknown>,
  redisPid?: number,
): Promise<{ window: Window; result: RunResult; extra: unknown }> {
  const openingsBefore = breakerOpenings(stateDir, replicas);
  const created: string[] = [];
  const total = s.warmupSeconds + s.seconds;
  let stopCpu: (() => Record<string, number>) | undefined;
  let busy0 = 0;
  let cpu: Record<string, number> = {};
  let pool: Window['pool'];
  const sampling = (async () => {
    await sleep(s.warmupSeconds * 1000);
    const backends = await backendPids(db);
    const groups: CpuGroup[] = [
      ...replicas.map((r) => ({ name: `api-${r.index}`, pids: () => [r.pid] })),
      { name: 'nginx', pids: () => [nginx.pid, ...childrenOf(nginx.pid)] },
      { name: 'pgbouncer', pids: () => pidsByName('pgbouncer') },
      { name: 'postgres', pids: () => backends },
      ...(redisPid ? [{ name: 'redis', pids: () => [redisPid] }] : []),
      { name: 'load generator', pids: () => [process.pid] },
    ];
    busy0 = machineBusySeconds();
    const t0 = performance.now();
    stopCpu = startCpuWindow(groups);
    await sleep((s.seconds * 1000) / 2);
    pool = await showPool(adminUrl, db.name).catch(() => undefined);
    await sleep((s.seconds * 1000) / 2 - 700);
    cpu = stopCpu();
    cpu['machine (all processes)'] = (machineBusySeconds() - busy0) / ((performance.now() - t0) / 1000);
  })();
  // Settled here, awaited after the load: a failing probe must not become an unhandled rejection.
  const extraP = (during ? during() : Promise.resolve(undefined)).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const result = await runLoad(options(s.vus, total, created), {
    baseUrl: s.baseUrl,
    accounts: s.accounts,
    password: s.password,
    progress: false,
    name: `scale-out x${replicas.length}`,
  });
  await sampling;
  const settled = await extraP;
  if ('error' in settled) throw settled.error;
  const extra = settled.value;
  const steady = result.timeline.filter((p) => p.t >= s.warmupSeconds && p.t < total - 1);
  const m = result.metrics;
  const d = m.http_req_duration!.values;
  return {
    window: {
      replicas: replicas.length,
      vus: s.vus,
      rps: steady.reduce((sum, p) => sum + p.reqs, 0) / Math.max(1, steady.length),
      p50: d.med!,
      p95: d['p(95)']!,
      p99: d['p(99)']!,
      // http_req_failed is a k6 rate of "failed": its passes are the failures.
      failed: m.http_req_failed?.values.passes ?? 0,
      requests: m.http_reqs?.values.count ?? 0,
      cacheHitRate: m.cache_hit_rate?.values.rate ?? NaN,
      breakerOpenings: breakerOpenings(stateDir, replicas) - openingsBefore,
      cpu,
      pool,
    },
    result,
    extra,
  };
}

/** The scenarios whose requests nginx may resend to another replica (GETs, and the two pure POSTs). */
export const IDEMPOTENT = ['health', 'blueprint_list', 'blueprint_detail', 'iac_generation', 'cost_estimate'];

/** What the replica-kill run found. */
export interface KillRun {
  replicas: number;
  killedAfterSeconds: number;
  requests: number;
  failedIdempotent: number;
  failedByScenario: Record<string, number>;
  /** Blueprint creations answered 201 (acknowledged) / not answered 201 (in flight at the kill, say). */
  acknowledgedWrites: number;
  unacknowledgedWrites: number;
  /** Upstream failures nginx logged during the run (requests cut by the kill, then retried or failed). */
  upstreamErrors: number;
  createdIds: string[];
}

/** Runs the mix through nginx and SIGKILLs `victim` halfway. */
export async function killRun(s: LoadSettings, replicas: Replica[], victim: Replica, nginx: Nginx): Promise<KillRun> {
  const created: string[] = [];
  const errorsBefore = nginx.upstreamErrors();
  const killAt = s.seconds / 2;
  const killer = sleep(killAt * 1000).then(() => victim.child.kill('SIGKILL'));
  const result = await runLoad(options(s.vus, s.seconds, created), {
    baseUrl: s.baseUrl,
    accounts: s.accounts,
    password: s.password,
    progress: false,
    name: 'scale-out kill',
  });
  await killer;
  const m = result.metrics;
  // http_req_failed is a k6 rate of "failed": its passes are the failures.
  const fails = (scenario: string) => m[`http_req_failed{scenario:${scenario}}`]?.values.passes ?? 0;
  const failedByScenario = Object.fromEntries(
    [...IDEMPOTENT, 'blueprint_creation', 'auth'].map((sc) => [sc, fails(sc)]),
  );
  return {
    replicas: replicas.length,
    killedAfterSeconds: killAt,
    requests: m.http_reqs?.values.count ?? 0,
    failedIdempotent: IDEMPOTENT.reduce((sum, sc) => sum + fails(sc), 0),
    failedByScenario,
    acknowledgedWrites: created.length,
    unacknowledgedWrites: fails('blueprint_creation'),
    upstreamErrors: nginx.upstreamErrors() - errorsBefore,
    createdIds: created,
  };
}
