// Benchmark fixtures: a database of their own (seeded by scripts/seed.ts), a private Redis
// pinned to the server core, the built app, and an access token.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, startPinned, type Proc } from './proc.js';

const run = promisify(execFile);
export const ROOT = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');
export const DIRECT = process.env.BENCH_POSTGRES_URL ?? 'postgres://dharma_admin:dharma_pass_dev@127.0.0.1:5432';
export const BOUNCER = process.env.BENCH_PGBOUNCER_URL ?? 'postgres://dharma_admin:dharma_pass_dev@127.0.0.1:6432';
export const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/** Runs SQL on a database directly (not through PgBouncer). */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: string,
  text: string,
  params: unknown[] = [],
) {
  const c = new pg.Client({ connectionString: `${DIRECT}/${db}` });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** Drops and recreates `name`, then seeds it with `perTenant` blueprints per tenant (4 tenants). */
export async function freshDatabase(name: string, perTenant: number): Promise<void> {
  await sql('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await sql('postgres', `CREATE DATABASE ${name} OWNER dharma_admin`);
  await run('npx', ['tsx', 'scripts/seed.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: `${BOUNCER}/${name}`,
      MIGRATIONS_DATABASE_URL: `${DIRECT}/${name}`,
      SEED_BLUEPRINTS_PER_TENANT: String(perTenant),
      SEED_PROJECTS_PER_TENANT: '20',
      SEED_LOAD_USERS: '100',
      JWT_SECRET,
    },
  });
}

/** A redis-server on a free port, pinned to the server core, nothing persisted. */
export async function startRedis(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(
    'taskset',
    [
      '-c',
      String(SERVER_CORE),
      'redis-server',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    try {
      const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
      if (stdout.trim() === 'PONG') break;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

/** The built app (dist/server.js) on `database`, pinned to the server core. */
export async function startApp(
  database: string,
  redisUrl: string,
  via: 'pgbouncer' | 'direct' = 'pgbouncer',
): Promise<Proc> {
  const app = await startPinned(
    SERVER_CORE,
    ['node', 'dist/server.js'],
    {
      DATABASE_URL: `${via === 'pgbouncer' ? BOUNCER : DIRECT}/${database}`,
      MIGRATIONS_DATABASE_URL: `${DIRECT}/${database}`,
      REDIS_URL: redisUrl,
      JWT_SECRET,
      NODE_ENV: 'production',
      // Request logging off (warn) for every server compared: none of the others log either.
      LOG_LEVEL: 'warn',
      // A free port for /metrics: several apps run side by side.
      METRICS_PORT: '0',
    },
    await freePort(),
  );
  await waitForCache(app.url);
  return app;
}

/** Logs in as a seeded load user and returns the access token and tenant id. */
export async function login(url: string, email = 'load001@acme.example'): Promise<{ token: string; tenantId: string }> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'DemoPassword-2026' }),
  });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${await r.text()}`);
  const b = (await r.json()) as { token: string; user: { tenantId: string } };
  return { token: b.token, tenantId: b.user.tenantId };
}

/** Builds dist/ (the benchmarks run the compiled app, as production does). */
export async function build(): Promise<void> {
  await run('npm', ['run', 'build', '--silent'], { cwd: ROOT });
}

/** Resolves once /health/ready reports the Redis tier up (the cache's breaker starts open). */
export async function waitForCache(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await fetch(`${url}/health/ready`).catch(() => undefined);
    const body = r ? ((await r.json().catch(() => ({}))) as { checks?: { cache?: string } }) : {};
    if (body.checks?.cache === 'up') return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`${url}: the cache did not come up`);
}
