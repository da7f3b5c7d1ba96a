// Overhead of observability on the cached-read path, all modes in one run:
//   off      METRICS_ENABLED=false, LOG_LEVEL=silent      (baseline)
//   on       the defaults: HTTP metrics + PgBouncer/PostgreSQL collectors + JSON logs at info
//            (a line per failed or slow request; fast successes are logged at debug)
//   debug    `on` with LOG_LEVEL=debug: a JSON line for every request
//   tracing  `on` plus OpenTelemetry spans exported over OTLP to a local sink
// Each mode is the real server (src/server.ts) pinned to CPU 0, loaded by autocannon pinned to
// CPU 1, on GET /api/blueprints?limit=20 served from the L1 cache (x-cache: HIT). All modes run
// and are loaded at the same time, so they share the same neighbours, the same CPU steal and the
// same thermal state (rounds run one after another on a shared machine differ more than the
// overhead measured). The figure is requests per CPU-second of each server
// process (from /proc/<pid>/stat): what it could sustain on a core of its own; the ratio to `off`
// is taken within each round, and the median ratio over rounds reported.
//
// Usage (stack up: npm run stack:up):  npx tsx tools/bench/observability.ts [--seconds 10] [--rounds 3]
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../tests/helpers/net.js';

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

type Mode = 'off' | 'on' | 'debug' | 'tracing';
const MODES: Mode[] = ['off', 'on', 'debug', 'tracing'];

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
    LOG_LEVEL: mode === 'off' ? 'silent' : mode === 'debug' ? 'debug' : 'info',
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

const db = `dharma_bench_obs_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${db}`);
const sink = await otlpSink();
const ratios: Record<Mode, number[]> = { off: [], on: [], debug: [], tracing: [] };
const perCpu: Record<Mode, number[]> = { off: [], on: [], debug: [], tracing: [] };
const servers: Partial<Record<Mode, Awaited<ReturnType<typeof startServer>>>> = {};
try {
  for (const mode of MODES) servers[mode] = await startServer(mode, db, sink.url);
  const token = await seed(servers.off!.url);
  const auth = { authorization: `Bearer ${token}` };
  for (const mode of MODES) {
    const { url } = servers[mode]!;
    await (await fetch(`${url}${PATH}`, { headers: auth })).arrayBuffer();
    const hit = await fetch(`${url}${PATH}`, { headers: auth });
    await hit.arrayBuffer();
    if (hit.headers.get('x-cache') !== 'HIT')
      throw new Error(`${mode}: expected a cache hit, got ${hit.headers.get('x-cache')}`);
  }
  // Warm-up (JIT, pools), all at once like the rounds.
  await Promise.all(MODES.map((m) => autocannon(`${servers[m]!.url}${PATH}`, token, 2)));
  for (let round = 1; round <= ROUNDS; round++) {
    const cpu0 = MODES.map((m) => servers[m]!.cpu());
    const runs = await Promise.all(MODES.map((m) => autocannon(`${servers[m]!.url}${PATH}`, token, SECONDS)));
    const line: string[] = [];
    MODES.forEach((mode, i) => {
      const r = runs[i]!;
      if (r.non2xx > 0) throw new Error(`${mode}: ${r.non2xx} failed requests`);
      perCpu[mode].push(r.total / (servers[mode]!.cpu() - cpu0[i]!));
    });
    for (const mode of MODES) {
      const v = perCpu[mode].at(-1)!;
      ratios[mode].push(v / perCpu.off.at(-1)!);
      line.push(`${mode} ${v.toFixed(0)} req/CPU-s`);
    }
    console.log(`round ${round}: ${line.join('  ')}`);
  }
} finally {
  await Promise.all(Object.values(servers).map((srv) => srv.stop()));
  sink.close();
  await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
}

console.log(
  `\ncached read GET ${PATH} (L1 hit), ${CONNECTIONS} connections per mode, all modes loaded at once, ` +
    `${SECONDS} s x ${ROUNDS} rounds, ${CORES} CPUs`,
);
console.log('mode      median req/CPU-s   median vs off (same round)');
for (const mode of MODES) {
  const pct = ((median(ratios[mode]) - 1) * 100).toFixed(1);
  console.log(
    `${mode.padEnd(9)} ${median(perCpu[mode]).toFixed(0).padStart(16)} ${mode === 'off' ? '' : `${pct} %`.padStart(12)}`,
  );
}
console.log(`OTLP export requests received in tracing mode: ${sink.posts()}`);
