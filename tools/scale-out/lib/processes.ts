// The processes of a scale-out run on this machine: a throw-away database (reached through the
// shared PgBouncer), a private Redis configured as the cache needs it, N API replicas
// (`node dist/server.js`) and nginx round-robin in front of them with the repository's proxy rules.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';

export const REPO = path.resolve(import.meta.dirname, '../../..');
/** deploy/nginx/iac-dharma-proxy.conf: the same proxy rules as the compose load balancer. */
export const PROXY_RULES = path.join(REPO, 'deploy/nginx/iac-dharma-proxy.conf');

/** A TCP port on loopback that nobody listens on right now. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it returns true; throws `what` after `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** A database of its own, `dharma_so_<hex>`: direct URL (migrations) and PgBouncer URL (the app). */
export interface Database {
  name: string;
  directUrl: string;
  bouncerUrl: string;
  drop(): Promise<void>;
}

/** Creates the database on the server of `directBase`/`bouncerBase` (URLs without a database name). */
export async function createDatabase(directBase: string, bouncerBase: string): Promise<Database> {
  const name = `dharma_so_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: `${directBase}/postgres` });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return {
    name,
    directUrl: `${directBase}/${name}`,
    bouncerUrl: `${bouncerBase}/${name}`,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A child process with its log file; stop() is SIGTERM then, after a bound, SIGKILL. */
export interface Proc {
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Every child still running; killed when the driver exits, however it exits. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

function startProc(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: string): Proc {
  const fd = openSync(log, 'a');
  const child = spawn(cmd, args, { cwd: REPO, env, stdio: ['ignore', fd, fd] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid!,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** redis-server on a free port, set up as a cache-only Redis must be (deploy/kubernetes/base/redis.conf). */
export async function startRedis(stateDir: string): Promise<Proc & { url: string; port: number }> {
  const port = await freePort();
  const p = startProc(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory',
      '256mb',
      '--maxmemory-policy',
      'allkeys-lru',
      '--dir',
      stateDir,
    ],
    process.env,
    path.join(stateDir, 'redis.log'),
  );
  await waitFor('redis-server', async () => (await redisCommand(port, 'PING')) === '+PONG', 10_000);
  return { ...p, url: `redis://127.0.0.1:${port}`, port };
}

/** Runs scripts/seed.ts against the database (migrations first, over the direct URL). */
export async function seed(db: Database, env: Record<string, string>, log: string): Promise<void> {
  const p = startProc(
    'npx',
    ['tsx', 'scripts/seed.ts'],
    { ...process.env, ...env, DATABASE_URL: db.bouncerUrl, MIGRATIONS_DATABASE_URL: db.directUrl },
    log,
  );
  const code = await new Promise<number | null>((r) => p.child.once('exit', r));
  if (code !== 0) throw new Error(`seeding failed (exit ${code}); see ${log}`);
}

/** One API replica: `node dist/server.js` on its own HTTP and metrics ports. */
export interface Replica extends Proc {
  index: number;
  port: number;
  url: string;
}

/** Starts replica `index` and waits until /health/ready answers 200. */
export async function startReplica(index: number, env: Record<string, string>, stateDir: string): Promise<Replica> {
  const port = await freePort();
  const metricsPort = await freePort();
  const p = startProc(
    'node',
    ['dist/server.js'],
    {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      // Each replica needs its own metrics listener on one host (the default port would collide).
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: '127.0.0.1',
    },
    path.join(stateDir, `api-${index}.log`),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `replica ${index} ready on ${url}`,
    async () => {
      if (p.child.exitCode !== null) throw new Error(`replica ${index} exited; see ${stateDir}/api-${index}.log`);
      return (await fetch(`${url}/health/ready`)).status === 200;
    },
    60_000,
  );
  return { ...p, index, port, url };
}

/** "redis unavailable" lines in the replicas' logs so far: how often a replica's cache breaker opened. */
export function breakerOpenings(stateDir: string, replicas: Replica[]): number {
  let n = 0;
  for (const r of replicas) {
    const file = path.join(stateDir, `api-${r.index}.log`);
    if (existsSync(file)) n += (readFileSync(file, 'utf8').match(/redis unavailable/g) ?? []).length;
  }
  return n;
}

/** nginx in front of the replicas: round-robin, keep-alive upstream, the repository's proxy rules. */
export interface Nginx {
  url: string;
  pid: number;
  /** Requests nginx saw fail on a replica (reset, refused, closed) so far: each was retried or failed. */
  upstreamErrors(): number;
  /** Points the upstream at these replicas (nginx -s reload). */
  setReplicas(replicas: Replica[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts nginx (Debian package) with its config, logs and temp files under `stateDir`. */
export async function startNginx(stateDir: string, replicas: Replica[]): Promise<Nginx> {
  const port = await freePort();
  const dir = path.join(stateDir, 'nginx');
  mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  chmodSync(path.join(dir, 'tmp'), 0o1777); // workers run as "nobody" when nginx starts as root
  const conf = path.join(dir, 'nginx.conf');
  const write = (rs: Replica[]) =>
    writeFileSync(
      conf,
      `# Generated by tools/scale-out (scripts/scale-out/run.sh); rules from ${path.relative(REPO, PROXY_RULES)}.
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${process.getuid?.() === 0 ? 'user nobody nogroup;' : ''}
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream iac_dharma_api {
${rs.map((r) => `    server 127.0.0.1:${r.port} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    include ${PROXY_RULES};
  }
}
`,
    );
  write(replicas);
  const p = startProc('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], process.env, path.join(dir, 'stderr.log'));
  const url = `http://127.0.0.1:${port}`;
  await waitFor('nginx', async () => (await fetch(`${url}/health/live`)).status === 200, 10_000);
  return {
    url,
    pid: p.pid,
    upstreamErrors() {
      const text = existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
      return (text.match(/\[error\].*(recv\(\) failed|connect\(\) failed|upstream prematurely closed)/g) ?? []).length;
    },
    async setReplicas(rs) {
      write(rs);
      await new Promise<void>((resolve, reject) => {
        const r = spawn('nginx', ['-p', dir, '-c', conf, '-s', 'reload'], { stdio: 'ignore' });
        r.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nginx reload exited ${code}`))));
      });
      // The old workers finish their requests and exit; new ones use the new upstream.
      await sleep(500);
    },
    stop: p.stop,
  };
}

/** Sends one inline command to a Redis (FLUSHALL of the run's own, private Redis). */
export function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    import('node:net').then(({ connect }) => {
      const s = connect(port, '127.0.0.1', () => s.write(`${command}\r\n`));
      s.once('data', (d) => {
        resolve(d.toString().trim());
        s.destroy();
      });
      s.once('error', reject);
    }, reject);
  });
}
