import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/stack.js';
import { freePort } from '../helpers/net.js';

interface Started {
  proc: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs src/server.ts as `npm start` would (minus the build), with only the given environment. */
function runServer(env: Record<string, string>): Omit<Started, 'base'> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    // METRICS_PORT 0: a free port for /metrics (other servers may hold 9464).
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, output: () => out, exited };
}

async function startServer(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const s = runServer({ ...env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${base}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { ...s, base };
    await new Promise((r) => setTimeout(r, 100));
  }
  s.proc.kill('SIGKILL');
  throw new Error(`server did not start:\n${s.output()}`);
}

describe('server start-up, configuration and shutdown', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database.drop());

  it('stops on a bad variable with one line naming it', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ NODE_ENV: 'production', DATABASE_URL: database.bouncerUrl }, 'JWT_SECRET'],
      [{ DB_POOL_MAX: 'lots', DATABASE_URL: database.bouncerUrl }, 'DB_POOL_MAX'],
      [{ DATABASE_URL: 'mysql://nope' }, 'DATABASE_URL'],
      [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
      [{ PORT: '70000' }, 'PORT'],
    ];
    const runs = cases.map(([env]) =>
      runServer({ JWT_SECRET: env.NODE_ENV === 'production' ? '' : 'x'.repeat(40), ...env }),
    );
    for (const [i, [, name]] of cases.entries()) {
      const s = runs[i]!;
      assert.equal(await s.exited, 1, name);
      const lines = s.output().trim().split('\n');
      assert.equal(lines.length, 1, s.output());
      assert.match(lines[0]!, new RegExp(`^configuration error: ${name}\\b`));
    }
  });

  it('runs on embedded PostgreSQL with nothing configured, and says so first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dharma-pglite-'));
    try {
      const s = await startServer({ PGLITE_DIR: dir });
      const first = JSON.parse(s.output().split('\n')[0]!);
      assert.match(first.msg, /embedded PostgreSQL \(PGlite\)/);
      assert.match(first.msg, /L1 only/);
      const ready = await (await fetch(`${s.base}/health/ready`)).json();
      assert.deepEqual(ready, { status: 'ready', checks: { database: 'up', cache: 'disabled' } });
      s.proc.kill('SIGTERM');
      assert.equal(await s.exited, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on SIGTERM drains in-flight requests, then exits 0', async () => {
    const s = await startServer({
      DATABASE_URL: database.bouncerUrl,
      MIGRATIONS_DATABASE_URL: database.directUrl,
      JWT_SECRET: 'x'.repeat(40),
      DB_POOL_MIN: '0',
      DB_POOL_MAX: '5',
    });
    // Hold every PgBouncer server connection of this database so the requests below are
    // provably in flight (queued in PgBouncer) when SIGTERM arrives.
    const holders = Array.from({ length: 25 }, () => new pg.Client({ connectionString: database.bouncerUrl }));
    await Promise.all(holders.map((c) => c.connect()));
    const sleeping = Promise.all(holders.map((c) => c.query('SELECT pg_sleep(1)')));
    await new Promise((r) => setTimeout(r, 100));
    const inflight = Array.from({ length: 20 }, () => fetch(`${s.base}/health/ready`).then((r) => r.status));
    await new Promise((r) => setTimeout(r, 200));
    s.proc.kill('SIGTERM');
    const statuses = await Promise.all(inflight);
    assert.deepEqual(new Set(statuses), new Set([200]), 'every in-flight request completed');
    assert.equal(await s.exited, 0, s.output().trim().split('\n').slice(-4).join('\n'));
    await sleeping;
    await Promise.all(holders.map((c) => c.end()));
    const refused = await fetch(`${s.base}/health/live`).then(
      () => false,
      () => true,
    );
    assert.ok(refused, 'no longer accepting connections');
  });
});
