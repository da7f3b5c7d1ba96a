// The scale-out measurement (scripts/scale-out/run.sh runs it after bringing up the stack and
// nginx): N API replicas behind nginx (round-robin, the repository's proxy rules), sharing
// PgBouncer and one Redis, on a throw-away database seeded by scripts/seed.ts.
//
//   full (default): the load-test mix (tools/load) through nginx with 1, 2, 3 replicas (throughput,
//                   latency, CPU per process), the cross-replica invalidation delay (idle and
//                   under load), and one replica SIGKILLed mid-load.
//   --short:        2 replicas, a few seconds: the invalidation reaches the other replica, and the
//                   kill loses no idempotent request and no acknowledged write (CI).
//
//   --replicas 1,2,3  --seconds 20  --warmup 5  --vus 48  --samples 100
//   --json FILE       results as JSON
//   --report FILE     rewrite the block between <!-- scale-out:begin --> and <!-- scale-out:end -->
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { killRun, throughputWindow, type KillRun, type LoadSettings, type Window } from './lib/measure.js';
import {
  createDatabase,
  REPO,
  redisCommand,
  seed,
  startNginx,
  startRedis,
  startReplica,
  type Database,
  type Nginx,
  type Replica,
} from './lib/processes.js';
import { login, measureInvalidation, missingWrites, percentile, type InvalidationRun } from './lib/probes.js';
import { markdown } from './lib/report.js';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean' },
    replicas: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    vus: { type: 'string' },
    samples: { type: 'string' },
    'redis-timeout-ms': { type: 'string' },
    json: { type: 'string' },
    report: { type: 'string' },
  },
});
const short = Boolean(values.short);
const counts = (values.replicas ?? (short ? '' : '1,2,3')).split(',').filter(Boolean).map(Number);
const seconds = Number(values.seconds ?? (short ? 6 : 20));
const warmup = Number(values.warmup ?? 5);
const vus = Number(values.vus ?? (short ? 16 : 48));
const samples = Number(values.samples ?? (short ? 10 : 100));
const killReplicas = short ? 2 : Math.max(2, ...counts);
const redisTimeoutMs = values['redis-timeout-ms'];
const USERS = short ? 20 : 100;
const PASSWORD = 'DemoPassword-2026';
const JWT_SECRET = 'scale-out-secret-scale-out-secret-0123456789';

/** Invalidation delays summarised: p50 / p99 / max in ms, stale reads, and whether all were seen. */
export interface InvalidationSummary {
  samples: number;
  /** Writes skipped: replica B answered BYPASS and cached nothing to invalidate. */
  notCached: number;
  /** Writes not seen by B within the bound while a replica's Redis breaker was open. */
  unseenBreakerOpen: number;
  seen: number;
  p50: number;
  p99: number;
  max: number;
  staleReads: number;
}
const summarise = ({ samples: xs, notCached }: InvalidationRun): InvalidationSummary => ({
  samples: xs.length,
  notCached,
  seen: xs.filter((x) => x.seen).length,
  unseenBreakerOpen: xs.filter((x) => !x.seen && x.breakerOpen).length,
  p50: percentile(
    xs.map((x) => x.ms),
    50,
  ),
  p99: percentile(
    xs.map((x) => x.ms),
    99,
  ),
  max: Math.max(...xs.map((x) => x.ms)),
  staleReads: xs.reduce((s, x) => s + x.staleReads, 0),
});

const log = (m: string) => process.stderr.write(`[scale-out] ${m}\n`);
const need = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: source scripts/stack/env.sh first (scripts/scale-out/run.sh does)`);
  return v;
};
const base = (url: string) => {
  const u = new URL(url);
  u.pathname = '';
  return u.toString().replace(/\/$/, '');
};

async function main(): Promise<void> {
  const stateDir = path.join(REPO, '.stack', 'scale-out');
  mkdirSync(stateDir, { recursive: true });
  const adminUrl = need('PGBOUNCER_ADMIN_URL');
  const db: Database = await createDatabase(base(need('MIGRATIONS_DATABASE_URL')), base(need('DATABASE_URL')));
  const redis = await startRedis(stateDir);
  let replicas: Replica[] = [];
  let nginx: Nginx | undefined;
  const stopReplicas = async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    replicas = [];
  };
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: db.bouncerUrl,
    MIGRATIONS_DATABASE_URL: db.directUrl,
    MIGRATE: 'false',
    REDIS_URL: redis.url,
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    TRUST_PROXY: '1',
    ...(redisTimeoutMs ? { REDIS_COMMAND_TIMEOUT_MS: redisTimeoutMs } : {}),
  };
  /** Fresh replicas (cold L1) and an empty Redis, so every replica count starts alike. */
  const fresh = async (n: number) => {
    await stopReplicas();
    await redisCommand(redis.port, 'FLUSHALL');
    replicas = await Promise.all(Array.from({ length: n }, (_, i) => startReplica(i + 1, env, stateDir)));
    if (nginx) await nginx.setReplicas(replicas);
    else nginx = await startNginx(stateDir, replicas);
  };
  // Ctrl-C or a kill: stop what was started and drop the database before exiting.
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await stopReplicas();
      await nginx?.stop();
      await redis.stop();
      await db.drop();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }
  try {
    log(`database ${db.name}, redis ${redis.url}; seeding`);
    await seed(
      db,
      {
        JWT_SECRET,
        SEED_BLUEPRINTS_PER_TENANT: short ? '50' : '300',
        SEED_PROJECTS_PER_TENANT: short ? '5' : '60',
        SEED_LOAD_USERS: String(USERS),
      },
      path.join(stateDir, 'seed.log'),
    );
    const accounts = Array.from({ length: USERS }, (_, i) => `load${String(i + 1).padStart(3, '0')}@acme.example`);
    const settings = (url: string, s: number): LoadSettings => ({
      baseUrl: url,
      accounts,
      password: PASSWORD,
      vus,
      seconds: s,
      warmupSeconds: warmup,
    });

    const curve: Window[] = [];
    let underLoad: InvalidationSummary | undefined;
    for (const n of counts) {
      await fresh(n);
      log(`${n} replica(s) behind nginx: ${vus} VUs, ${warmup}s warm-up + ${seconds}s`);
      const probe =
        n >= 2 && n === Math.max(...counts)
          ? async () => {
              await new Promise((r) => setTimeout(r, warmup * 1000));
              const token = await login(replicas[0]!.url, accounts[0]!, PASSWORD);
              return measureInvalidation(
                replicas[0]!.url,
                replicas[1]!.url,
                token,
                await someBlueprint(replicas[0]!.url, token),
                Math.min(samples, 50),
                5_000,
                performance.now() + (seconds - 1) * 1000,
              );
            }
          : undefined;
      const { window, extra } = await throughputWindow(
        settings(nginx!.url, seconds),
        replicas,
        nginx!,
        db,
        adminUrl,
        stateDir,
        probe,
        redis.pid,
      );
      if (extra) underLoad = summarise(extra as InvalidationRun);
      curve.push(window);
      log(`  ${window.rps.toFixed(0)} req/s, p95 ${window.p95.toFixed(1)} ms, ${window.failed} failed`);
    }

    await fresh(Math.max(2, killReplicas));
    const token = await login(replicas[0]!.url, accounts[0]!, PASSWORD);
    log(`invalidation delay, idle: ${samples} writes through replica 1, reads from replica 2`);
    const idle = summarise(
      await measureInvalidation(
        replicas[0]!.url,
        replicas[1]!.url,
        token,
        await someBlueprint(replicas[0]!.url, token),
        samples,
        5_000,
        // Bounded in time too: every write B never shows costs the 5 s bound.
        performance.now() + 120_000,
      ),
    );
    log(`  p50 ${idle.p50.toFixed(2)} ms, p99 ${idle.p99.toFixed(2)} ms, ${idle.seen}/${idle.samples} seen`);

    log(`kill: ${replicas.length} replicas, SIGKILL replica 2 after ${seconds / 2}s of ${seconds}s`);
    const kill: KillRun = await killRun(settings(nginx!.url, seconds), replicas, replicas[1]!, nginx!);
    const missing = await missingWrites(db.directUrl, nginx!.url, token, kill.createdIds);
    log(
      `  ${kill.requests} requests, ${kill.failedIdempotent} idempotent failed, ${kill.acknowledgedWrites} writes acknowledged, ` +
        `${missing.inDatabase.length} missing in PostgreSQL, ${missing.viaApi.length} not served`,
    );

    const results = {
      machine: { cores: (await import('node:os')).availableParallelism(), node: process.version },
      at: new Date().toISOString(),
      mode: short ? 'short' : 'full',
      settings: { vus, seconds, warmup, samples, redisCommandTimeoutMs: Number(redisTimeoutMs ?? 50) },
      curve,
      invalidation: { idle, underLoad },
      kill: { ...kill, createdIds: undefined, missingInDatabase: missing.inDatabase, missingViaApi: missing.viaApi },
    };
    if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
    if (values.report) {
      const doc = readFileSync(values.report, 'utf8');
      const block = markdown(results);
      const re = /<!-- scale-out:begin -->[\s\S]*<!-- scale-out:end -->/;
      if (!re.test(doc)) throw new Error(`${values.report} has no scale-out:begin/end block`);
      // Formatted as the repository formats markdown (npm run check runs prettier --check).
      const text = doc.replace(re, `<!-- scale-out:begin -->\n${block}\n<!-- scale-out:end -->`);
      const prettier = await import('prettier');
      const options = { ...(await prettier.resolveConfig(values.report)), filepath: values.report };
      writeFileSync(values.report, await prettier.format(text, options));
    }
    process.stdout.write(`${markdown(results)}\n`);
  } finally {
    await cleanup();
  }
}

/** A blueprint of the caller's tenant to write to. */
async function someBlueprint(url: string, token: string): Promise<string> {
  const r = await fetch(`${url}/api/blueprints?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await r.json()) as { items: { id: string }[] };
  return body.items[0]!.id;
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`[scale-out] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
