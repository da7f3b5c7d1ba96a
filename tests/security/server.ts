import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/net.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/stack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The JWT secret of the server under test (the authorization matrix forges tokens with it). */
export const SECRET = 'security-secret-security-secret-0123456789';

/** A real server process (src/server.ts) on PgBouncer, PostgreSQL and a private Redis. */
export interface ServerProcess {
  readonly port: number;
  /** Exits seen so far that this helper did not cause (a crash). */
  readonly crashes: number;
  /** The last lines the process wrote (for a failure message). */
  output(): string;
  /** True while the process runs. */
  alive(): boolean;
  /** Kills the process (a frozen event loop cannot be asked) and starts a new one on the same stores. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** One HTTP answer, or why there was none within the deadline. */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** A request through `agent` to the server; rejects after `timeoutMs` (a hang). */
export function request(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
  timeoutMs: number,
  agent?: http.Agent,
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function waitForLive(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('the server exited while starting');
    const ok = await request(port, { path: '/health/live' }, 1_000).then(
      (a) => a.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not come up');
}

/** Starts src/server.ts on its own database and Redis; `env` adds to its environment. */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const database: TestDatabase = await createTestDatabase();
  const redis: OwnRedis = await startOwnRedis();
  let child: ChildProcess | undefined;
  let port = 0;
  let crashes = 0;
  let expectedExit = false;
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };

  async function start(): Promise<void> {
    port = await freePort();
    expectedExit = false;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      // A clean environment: only what the server needs (no DATABASE_URL leaking from the shell).
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        JWT_SECRET: SECRET,
        DATABASE_URL: database.bouncerUrl,
        MIGRATIONS_DATABASE_URL: database.directUrl,
        DB_POOL_MIN: '0',
        REDIS_URL: redis.url,
        LOG_LEVEL: 'warn',
        // Metrics on a port of its own: several servers (and other test files) run at once.
        METRICS_PORT: String(await freePort()),
        LOGIN_FAILURES_PER_IP: '1000000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('exit', () => {
      if (!expectedExit) crashes += 1;
    });
    await waitForLive(port, child, 60_000);
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    expectedExit = true;
    await new Promise((r) => {
      c.once('exit', r);
      c.kill('SIGKILL');
    });
  }

  try {
    await start();
  } catch (err) {
    await stop();
    await redis.stop();
    await database.drop();
    throw new Error(`${(err as Error).message}:\n${lines.join('\n')}`, { cause: err });
  }
  return {
    get port() {
      return port;
    },
    get crashes() {
      return crashes;
    },
    output: () => lines.join('\n'),
    alive: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      await redis.stop();
      await database.drop();
    },
  };
}
