import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { freePort } from './net.js';

// PostgreSQL, PgBouncer and Redis of a test's own, on free loopback ports in a temporary directory,
// so fault tests may restart, kill and freeze them without touching the shared stack.
// PostgreSQL and PgBouncer refuse to run as root: when the test runs as root they run as the
// unprivileged `postgres` user (Node's spawn sets uid/gid itself, so the pid we hold is the
// server's own and signals reach it directly, as `pg_ctl` would send them).

const REPO = resolve(import.meta.dirname, '../..');
const APP_USER = 'dharma_admin';
const APP_PASSWORD = 'dharma_pass_dev';
const APP_DB = 'iac_dharma';

/** The newest /usr/lib/postgresql/<version>/bin (Debian layout). */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server binaries under ${root} (apt-get install postgresql)`);
  return join(root, newest, 'bin');
}

/** uid/gid to run PostgreSQL and PgBouncer as: `postgres` when we are root, ourselves otherwise. */
function unprivileged(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

const children = new Set<ChildProcess>();
// A test process that dies without its after() hooks must not leave servers behind.
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Spawns a server with its output in dir/log; `asUser` false keeps our own uid (Redis runs as root). */
function launch(cmd: string, args: string[], dir: string, log: string, asUser = true): ChildProcess {
  const fd = openSync(join(dir, log), 'a');
  const user = asUser ? unprivileged() : undefined;
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', fd, fd], ...user });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

async function waitUntil(what: string, ok: () => Promise<boolean>, log: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${ms} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function canQuery(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

const tail = (file: string) => () => (existsSync(file) ? readFileSync(file, 'utf8').slice(-3000) : '(no log)');

/** How PostgreSQL stops: `pg_ctl stop -m smart|fast|immediate` sends SIGTERM, SIGINT, SIGQUIT. */
export type ShutdownMode = 'smart' | 'fast' | 'immediate';
const SHUTDOWN_SIGNAL = { smart: 'SIGTERM', fast: 'SIGINT', immediate: 'SIGQUIT' } as const;

/** A private PostgreSQL cluster with the app's role and database. */
export interface OwnPostgres {
  port: number;
  /** Superuser URL of `db` (default: the app database). */
  superUrl(db?: string): string;
  /** The app role's direct URL (migrations). */
  appUrl: string;
  pid(): number | undefined;
  start(): Promise<void>;
  stop(mode: ShutdownMode): Promise<void>;
  restart(mode: ShutdownMode): Promise<void>;
  destroy(): Promise<void>;
}

/** initdb in a temporary directory, then starts the server on a free port (trust on loopback). */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = postgresBinDir();
  const user = unprivileged();
  const dir = mkdtempSync(join(tmpdir(), 'dharma-own-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    {
      cwd: dir,
      stdio: 'ignore',
      ...user,
    },
  );
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const superUrl = (db = APP_DB) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const own: OwnPostgres = {
    port,
    superUrl,
    appUrl: `postgres://${APP_USER}:${APP_PASSWORD}@127.0.0.1:${port}/${APP_DB}`,
    pid: () => proc?.pid,
    async start() {
      proc = launch(
        join(bin, 'postgres'),
        ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=150'],
        dir,
        'postgres.log',
      );
      await waitUntil('PostgreSQL', () => canQuery(superUrl('postgres')), tail(join(dir, 'postgres.log')));
    },
    async stop(mode) {
      if (!proc) return;
      const p = proc;
      proc = undefined;
      p.kill(SHUTDOWN_SIGNAL[mode]);
      await exited(p);
    },
    async restart(mode) {
      await own.stop(mode);
      await own.start();
    },
    async destroy() {
      await own.stop('immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await own.start();
  const admin = new pg.Client({ connectionString: superUrl('postgres') });
  await admin.connect();
  await admin.query(`CREATE ROLE ${APP_USER} LOGIN CREATEDB PASSWORD '${APP_PASSWORD}'`);
  await admin.query(`CREATE DATABASE ${APP_DB} OWNER ${APP_USER}`);
  await admin.end();
  return own;
}

/** A private PgBouncer rendered from deploy/pgbouncer/pgbouncer.ini (transaction pooling, same limits). */
export interface OwnPgBouncer {
  port: number;
  /** The app's URL through PgBouncer. */
  appUrl: string;
  /** The admin console (`SHOW POOLS`...). */
  adminUrl: string;
  pid(): number | undefined;
  start(): Promise<void>;
  /** SIGINT: safe shutdown (waits for transactions); SIGTERM: immediate; SIGKILL: a crash. */
  stop(signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): Promise<void>;
  destroy(): Promise<void>;
}

/** Starts PgBouncer in front of `postgresPort`, as scripts/stack/up.sh renders the shared one. */
export async function startOwnPgBouncer(postgresPort: number): Promise<OwnPgBouncer> {
  const user = unprivileged();
  const dir = mkdtempSync(join(tmpdir(), 'dharma-own-bouncer-'));
  const port = await freePort();
  const ini = readFileSync(join(REPO, 'deploy/pgbouncer/pgbouncer.ini'), 'utf8')
    .replaceAll('@STATE_DIR@', dir)
    .replaceAll('@LISTEN_ADDR@', '127.0.0.1')
    .replaceAll('@LISTEN_PORT@', String(port))
    .replaceAll('@PG_HOST@', '127.0.0.1')
    .replaceAll('@PG_PORT@', String(postgresPort));
  if (/@[A-Z_]+@/.test(ini)) throw new Error('unreplaced placeholder in deploy/pgbouncer/pgbouncer.ini');
  writeFileSync(join(dir, 'pgbouncer.ini'), ini);
  writeFileSync(join(dir, 'userlist.txt'), readFileSync(join(REPO, 'deploy/pgbouncer/userlist.txt')));
  chmodSync(join(dir, 'userlist.txt'), 0o600);
  if (user) for (const f of ['', 'pgbouncer.ini', 'userlist.txt']) chownSync(join(dir, f), user.uid, user.gid);
  let proc: ChildProcess | undefined;
  const appUrl = `postgres://${APP_USER}:${APP_PASSWORD}@127.0.0.1:${port}/${APP_DB}`;
  const own: OwnPgBouncer = {
    port,
    appUrl,
    adminUrl: `postgres://${APP_USER}@127.0.0.1:${port}/pgbouncer`,
    pid: () => proc?.pid,
    async start() {
      proc = launch(
        'pgbouncer',
        [...(process.env.BOUNCER_VERBOSE ? ['-v', '-v'] : []), join(dir, 'pgbouncer.ini')],
        dir,
        'pgbouncer.out',
      );
      await waitUntil('PgBouncer', () => canQuery(appUrl), tail(join(dir, 'pgbouncer.log')));
    },
    async stop(signal) {
      if (!proc) return;
      const p = proc;
      proc = undefined;
      p.kill(signal);
      await exited(p);
    },
    async destroy() {
      await own.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await own.start();
  return own;
}

/** A private redis-server whose process the test may kill or freeze (SIGSTOP). */
export interface OwnRedisProcess {
  url: string;
  start(): Promise<void>;
  kill(): Promise<void>;
  /** SIGSTOP: the socket stays open and nothing is answered, until resume(). */
  freeze(): void;
  resume(): void;
  destroy(): Promise<void>;
}

/** Starts redis-server on a free port (nothing persisted). */
export async function startOwnRedisProcess(): Promise<OwnRedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'dharma-own-redis-'));
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const args = ['-h', '127.0.0.1', '-p', String(port), 'ping'];
      const p = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.on('close', () => resolve(out.trim() === 'PONG'));
    });
  const own: OwnRedisProcess = {
    url,
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      proc = launch('redis-server', args, dir, 'redis.log', false);
      await waitUntil('redis-server', answers, tail(join(dir, 'redis.log')));
    },
    async kill() {
      if (!proc) return;
      const p = proc;
      proc = undefined;
      p.kill('SIGKILL');
      await exited(p);
    },
    freeze: () => void proc?.kill('SIGSTOP'),
    resume: () => void proc?.kill('SIGCONT'),
    async destroy() {
      own.resume();
      await own.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await own.start();
  return own;
}
