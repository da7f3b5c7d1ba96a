// Overhead of observability on the cached-read path, all modes in one run, interleaved:
//   off      METRICS_ENABLED=false, LOG_LEVEL=silent      (baseline)
//   on       HTTP metrics + PgBouncer/PostgreSQL collectors + JSON request logs (info)
//   tracing  `on` plus OpenTelemetry spans exported over OTLP to a local sink
// Each mode is the real server (src/server.ts) pinned to CPU 0, loaded by autocannon pinned to
// CPU 1, on GET /api/blueprints?limit=20 served from the L1 cache (x-cache: HIT).
// Two figures per run: wall-clock req/s, and req per CPU-second of the server process (from
// /proc/<pid>/stat): the second is what the server could sustain on a core of its own, and stays
// meaningful on a shared machine where other processes steal the cores.
//
// Usage (stack up: npm run stack:up):  npx tsx bench/observability.ts [--seconds 10] [--rounds 3]
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../tests/helpers/net.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '..');
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('seconds', 10);
const ROUNDS = arg('rounds', 3);
const CONNECTIONS = arg('connections', 50);
const DIRECT = process.env.TEST_POSTGRES_URL ?? 'postgres://dharma_admin:dharma_pass_dev@127.0.0.1:5432';
const BOUNCER = process.env.TEST_PGBOUNCER_URL ?? 'postgres://dharma_admin:dharma_pass_dev@127.0.0.1:6432';
const ADMIN = process.env.PGBOUNCER_ADMIN_URL ?? 'postgres://dharma_admin@127.0.0.1:6432/pgbouncer';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CORES = (await run('nproc')).stdout.trim();
const pin = (core: number) => (Number(CORES) > 1 ? ['taskset', '-c', String(core)] : []);

type Mode = 'off' | 'on' | 'tracing';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: `${DIRECT}/postgres` });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}

/** The OTLP sink for the tracing mode: accepts and counts, like a collector that keeps up. */
async function otlpSink(): Promise<{ url: string; posts: () => number; close(): void }> {
  let posts = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts: () => posts,
    close: () => server.close(),
  };
}

/** User + system CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function startServer(
  mode: Mode,
  db: string,
  sink: string,
): Promise<{ url: string; cpu(): number; stop(): Promise<void> }> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: `${BOUNCER}/${db}`,
    MIGRATIONS_DATABASE_URL: `${DIRECT}/${db}`,
    REDIS_URL: REDIS,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    METRICS_ENABLED: mode === 'off' ? 'false' : 'true',
    LOG_LEVEL: mode === 'off' ? 'silent' : 'info',
    ...(mode === 'off' ? {} : { PGBOUNCER_ADMIN_URL: ADMIN }),
    ...(mode === 'tracing' ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink } : {}),
  };
  // Logs go to /dev/null: what is measured is producing them (serialising, writing), not a reader.
  const [cmd, ...args] = [...pin(0), process.execPath, '--import', 'tsx', 'src/server.ts'];
  const proc = spawn(cmd!, args, { cwd: REPO, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/health/ready`).then(
      async (r) => r.ok && (await r.json()).checks?.cache === 'up',
      () => false,
    );
    if (ok) break;
    if (proc.exitCode !== null || i > 600) throw new Error(`server (${mode}) did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    cpu: () => cpuSeconds(proc.pid!),
    stop: () =>
      new Promise((r) => {
        proc.once('exit', () => r());
        proc.kill('SIGTERM');
      }),
  };
}

async function autocannon(
  url: string,
  token: string,
  seconds: number,
): Promise<{ rps: number; total: number; p50: number; p99: number; non2xx: number }> {
  const bin = path.join(REPO, 'node_modules', '.bin', 'autocannon');
  const [cmd, ...args] = [
    ...pin(1),
    bin,
    '-j',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
    '-H',
    `authorization=Bearer ${token}`,
    url,
  ];
  const { stdout } = await run(cmd!, args, { maxBuffer: 16 * 1024 * 1024 });
  const j = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  return {
    rps: j.requests.average,
    total: j.requests.total,
    p50: j.latency.p50,
    p99: j.latency.p99,
    non2xx: j.non2xx + j.errors,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const PATH = '/api/blueprints?limit=20';

/** Registers a tenant with 20 blueprints (once) and returns its token. */
async function seed(url: string): Promise<string> {
  const reg = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'bench@obs.example',
      password: 'correct horse battery staple',
      organization: 'Bench',
    }),
  });
  const { token } = (await reg.json()) as { token: string };
  for (let i = 0; i < 20; i++) {
    await fetch(`${url}/api/blueprints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        name: `bench ${i}`,
        provider: 'aws',
        region: 'us-east-1',
        resources: [{ name: 'vpc', type: 'network', properties: { cidr: '10.0.0.0/16' } }],
      }),
    });
  }
  return token;
}

interface Run {
  rps: number;
  perCpuSecond: number;
  p50: number;
  p99: number;
}

const db = `dharma_bench_obs_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${db}`);
const sink = await otlpSink();
const results: Record<Mode, Run[]> = { off: [], on: [], tracing: [] };
try {
  let token = '';
  for (let round = 1; round <= ROUNDS; round++) {
    // Rotate the order each round so drift (neighbours, thermal) favours no mode.
    const modes = (['off', 'on', 'tracing'] as Mode[]).map((_, i, a) => a[(i + round - 1) % a.length]!);
    for (const mode of modes) {
      const server = await startServer(mode, db, sink.url);
      try {
        token ||= await seed(server.url);
        const auth = { authorization: `Bearer ${token}` };
        await (await fetch(`${server.url}${PATH}`, { headers: auth })).arrayBuffer();
        const hit = await fetch(`${server.url}${PATH}`, { headers: auth });
        await hit.arrayBuffer();
        if (hit.headers.get('x-cache') !== 'HIT')
          throw new Error(`expected a cache hit, got ${hit.headers.get('x-cache')}`);
        await autocannon(`${server.url}${PATH}`, token, 2); // warm-up (JIT, pools)
        const cpu0 = server.cpu();
        const r = await autocannon(`${server.url}${PATH}`, token, SECONDS);
        const cpu = server.cpu() - cpu0;
        if (r.non2xx > 0) throw new Error(`${mode}: ${r.non2xx} failed requests`);
        const result = { rps: r.rps, perCpuSecond: r.total / cpu, p50: r.p50, p99: r.p99 };
        results[mode].push(result);
        console.log(
          `round ${round} ${mode.padEnd(8)} ${r.rps.toFixed(0).padStart(6)} req/s  ` +
            `${result.perCpuSecond.toFixed(0).padStart(6)} req/CPU-s  p50 ${r.p50} ms  p99 ${r.p99} ms`,
        );
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  sink.close();
  await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
}

console.log(
  `\ncached read GET ${PATH} (L1 hit), ${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS} rounds, ${CORES} CPUs`,
);
console.log('mode      median req/s   vs off   median req/CPU-s   vs off');
const base = { rps: median(results.off.map((r) => r.rps)), cpu: median(results.off.map((r) => r.perCpuSecond)) };
const pct = (v: number, b: number) => `${(((v - b) / b) * 100).toFixed(1)} %`;
for (const mode of ['off', 'on', 'tracing'] as Mode[]) {
  const rps = median(results[mode].map((r) => r.rps));
  const cpu = median(results[mode].map((r) => r.perCpuSecond));
  console.log(
    `${mode.padEnd(9)} ${rps.toFixed(0).padStart(12)} ${(mode === 'off' ? '' : pct(rps, base.rps)).padStart(8)}` +
      ` ${cpu.toFixed(0).padStart(18)} ${(mode === 'off' ? '' : pct(cpu, base.cpu)).padStart(8)}`,
  );
}
console.log(`OTLP export requests received in tracing mode: ${sink.posts()}`);
