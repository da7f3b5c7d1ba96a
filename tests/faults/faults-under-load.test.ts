import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import {
  startOwnPgBouncer,
  startOwnPostgres,
  startOwnRedisProcess,
  type OwnPgBouncer,
  type OwnPostgres,
  type OwnRedisProcess,
} from '../helpers/own-stack.js';
import { checkApi, Client, DEADLINE_MS, Load, Recorder, seeded, type Outcome } from './lib/load.js';
import { checkDatabase, type Model, type ProjectState, type Tracked } from './lib/model.js';
import { startServer, type ServerProcess } from './lib/server.js';
import { summarize } from './lib/summary.js';

// Faults injected into the real server process under a write-heavy load, on a PostgreSQL,
// PgBouncer and Redis this file starts on its own ports (never the shared ones). After each fault:
// the process is the same and answers, every request got 2xx or 503 + Retry-After within
// DEADLINE_MS, and the database holds exactly what was acknowledged (tests/faults/lib/model.ts).
// The figures are printed at the end and recorded in docs/perf/FAULTS.md.

const WORKERS = 8;
const SEED = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000);
// Short, so lock waits and dead connections resolve within a phase: the client gives up 2 s later.
const STATEMENT_TIMEOUT_MS = 2_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`faults under load (seed ${SEED})`, () => {
  let postgres: OwnPostgres;
  let bouncer: OwnPgBouncer;
  let redis: OwnRedisProcess;
  let server: ServerProcess;
  let env: Record<string, string>;
  let checker: pg.Client;
  let token: string;
  let tenantId: string;
  const prefix = `f${randomBytes(3).toString('hex')}-`;
  const rec = new Recorder();
  const model: Model = { blueprints: [], projects: [] };
  const rnd = seeded(SEED);
  let client: Client;
  let load: Load;
  const faults: string[] = [];
  let dbChecks = 0;

  before(async () => {
    postgres = await startOwnPostgres();
    bouncer = await startOwnPgBouncer(postgres.port);
    redis = await startOwnRedisProcess();
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'faults-secret-faults-secret-faults-secret-0123',
      DATABASE_URL: bouncer.appUrl,
      MIGRATIONS_DATABASE_URL: postgres.appUrl,
      PGBOUNCER_ADMIN_URL: bouncer.adminUrl,
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: '50',
      DB_POOL_MIN: '0',
      DB_POOL_MAX: '10',
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      SHUTDOWN_TIMEOUT_MS: '15000',
    };
    server = await startServer(env);
    const reg = await fetch(`${server.base}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `faults@${prefix}example.com`,
        password: 'faults-password-123',
        organization: 'Faults',
      }),
    });
    assert.equal(reg.status, 201, await reg.clone().text());
    const body = (await reg.json()) as { token: string; tenant: { id: string } };
    token = body.token;
    tenantId = body.tenant.id;
    client = new Client(server.base, token, rec);
    load = new Load(client, model, rec, prefix, rnd);
    checker = new pg.Client({ connectionString: postgres.superUrl() });
    checker.on('error', () => {}); // PostgreSQL restarts drop it; check() reconnects
    await checker.connect();
  });

  after(async () => {
    await load?.stop();
    const figures = summarize(rec, faults, dbChecks, model);
    process.stdout.write(`\n${figures}\n`);
    if (server && server.proc.exitCode === null) server.proc.kill('SIGKILL');
    await checker?.end().catch(() => {});
    await redis?.destroy();
    await bouncer?.destroy();
    await postgres?.destroy();
  });

  /** A fresh connection for the checks (a restart of PostgreSQL ends the previous one). */
  async function database(): Promise<pg.Client> {
    try {
      await checker.query('SELECT 1');
    } catch {
      checker = new pg.Client({ connectionString: postgres.superUrl() });
      checker.on('error', () => {});
      await checker.connect();
    }
    return checker;
  }

  /** Waits (bounded) until the server reports the database and the cache up again. */
  async function recovered(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      assert.equal(server.proc.exitCode, null, `the server exited:\n${server.output().slice(-3000)}`);
      const ready = await fetch(`${server.base}/health/ready`, { signal: AbortSignal.timeout(5_000) })
        .then((r) => r.json() as Promise<{ checks?: { database?: string; cache?: string } }>)
        .catch(() => undefined);
      if (ready?.checks?.database === 'up' && ready.checks.cache === 'up') return;
      assert.ok(Date.now() < deadline, `not recovered 30 s after the fault: ${JSON.stringify(ready)}`);
      await sleep(100);
    }
  }

  /** The checks every phase ends with: same live process, every answer allowed, the data exact. */
  async function verify(t: TestContext, phase: string, since: number): Promise<void> {
    const answers = rec.answers.filter((a) => a.phase === phase);
    const byOutcome = new Map<Outcome, number>();
    for (const a of answers) byOutcome.set(a.outcome, (byOutcome.get(a.outcome) ?? 0) + 1);
    t.diagnostic(
      `${phase}: ${answers.length} requests, ${[...byOutcome].map(([o, n]) => `${o}: ${n}`).join(', ')}; ` +
        `slowest ${Math.max(...answers.map((a) => a.ms)).toFixed(0)} ms`,
    );
    const violations = rec.violations.filter((v) => v.phase === phase);
    assert.deepEqual(violations.slice(0, 10), [], `${violations.length} answers outside the contract`);
    const writesAfter = answers.filter((a) => a.at > since && !a.op.startsWith('get') && !a.op.startsWith('list'));
    assert.ok(
      writesAfter.some((a) => typeof a.outcome === 'number' && a.outcome < 300),
      'writes succeed again after the fault',
    );
    dbChecks += 1;
    const db = await checkDatabase(await database(), tenantId, prefix, model);
    assert.deepEqual(db.slice(0, 10), [], `${db.length} database rows contradict the acknowledged writes`);
    const api = await checkApi(server.base, token, model);
    assert.deepEqual(api.slice(0, 10), [], `${api.length} entities read back differently through the API`);
  }

  /** Runs the load, injects the fault, waits for recovery, lets the load run on, then verifies. */
  async function underLoad(t: TestContext, phase: string, inject: () => Promise<void>): Promise<void> {
    rec.phase = phase;
    load.start(WORKERS);
    let since: number;
    try {
      await sleep(1_000);
      faults.push(phase);
      await inject();
      await recovered();
      since = performance.now();
      await sleep(1_500);
    } finally {
      // Stopped whatever happened: a later phase must not find this one's workers still writing.
      await load.stop();
    }
    assert.equal(server.proc.exitCode, null, `the server exited:\n${server.output().slice(-3000)}`);
    assert.ok(await server.alive(), 'the same server process still answers /health/live');
    await verify(t, phase, since);
  }

  it('PgBouncer restart (immediate shutdown, 1 s down)', (t) =>
    underLoad(t, 'pgbouncer restart', async () => {
      await bouncer.stop('SIGTERM');
      await sleep(1_000);
      await bouncer.start();
    }));

  it('PostgreSQL restart, fast shutdown (1 s down)', (t) =>
    underLoad(t, 'postgres fast restart', async () => {
      await postgres.stop('fast');
      await sleep(1_000);
      await postgres.start();
    }));

  it('PostgreSQL restart, immediate shutdown (crash recovery, 1 s down)', (t) =>
    underLoad(t, 'postgres immediate restart', async () => {
      await postgres.stop('immediate');
      await sleep(1_000);
      await postgres.start();
    }));

  it('Redis killed (SIGKILL, 2 s down, then a new empty Redis)', (t) =>
    underLoad(t, 'redis killed', async () => {
      await redis.kill();
      await sleep(2_000);
      await redis.start();
    }));

  it('Redis hung (SIGSTOP for 3 s, then SIGCONT)', (t) =>
    underLoad(t, 'redis hung', async () => {
      redis.freeze();
      await sleep(3_000);
      redis.resume();
    }));

  it('slow transactions holding the row locks of the rows the load writes (pg_sleep 4 s, twice the statement timeout)', (t) =>
    underLoad(t, 'slow lock holders', async () => {
      const holder = new pg.Client({ connectionString: postgres.superUrl() });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        // Projects before blueprints: the app's project writes lock a project, then (through the
        // links' foreign keys) its blueprints. The opposite order could deadlock with them.
        await holder.query('SELECT id FROM projects WHERE tenant_id = $1 FOR UPDATE', [tenantId]);
        await holder.query('SELECT id FROM blueprints WHERE tenant_id = $1 FOR UPDATE', [tenantId]);
        await holder.query('SELECT pg_sleep(4)');
        await holder.query('COMMIT');
      } finally {
        await holder.end();
      }
    }));

  it('SIGTERM mid-load: in-flight requests finish, new ones are refused or 503, exit 0, nothing acknowledged is lost', async (t) => {
    const phase = 'sigterm';
    rec.phase = phase;
    // One request provably in flight when SIGTERM arrives: a project PATCH waiting on a row lock.
    const drainKey = `${prefix}drain`;
    const blueprintId = model.blueprints.find((b) => b.linkable && b.id && b.acked !== 'absent')!.id!;
    const tracked: Tracked<ProjectState> = { key: drainKey, acked: 'absent' };
    model.projects.push(tracked);
    const created = await client.send('create project', 'POST', '/api/projects', {
      name: `${drainKey} r0`,
      description: drainKey,
      environment: 'dev',
      blueprintIds: [blueprintId],
    });
    assert.equal(created.outcome, 201);
    tracked.id = created.body!.id as string;
    tracked.acked = { name: `${drainKey} r0`, blueprintIds: [blueprintId] };
    rec.ackedWrites += 1;

    load.start(WORKERS);
    await sleep(1_000);
    const holder = new pg.Client({ connectionString: postgres.superUrl() });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM projects WHERE id = $1 FOR UPDATE', [tracked.id]);
    const next = { name: `${drainKey} r1`, blueprintIds: [blueprintId] };
    const inflight = client.send('patch project', 'PATCH', `/api/projects/${tracked.id}`, next);
    await sleep(300);
    faults.push(phase);
    rec.disconnectsAllowed = true;
    const sent = performance.now();
    server.proc.kill('SIGTERM');
    await sleep(500);
    await holder.query('COMMIT');
    await holder.end();
    const patched = await inflight;
    assert.equal(patched.outcome, 200, 'the request in flight at SIGTERM finished');
    tracked.acked = next;
    rec.ackedWrites += 1;
    assert.equal(await server.exited, 0, `exit code:\n${server.output().slice(-2000)}`);
    await load.stop();
    rec.disconnectsAllowed = false;

    const after = rec.answers.filter((a) => a.phase === phase && a.at > sent);
    const drained = after.filter((a) => typeof a.outcome === 'number' && a.outcome < 300).length;
    const turnedAway = after.filter(
      (a) => a.outcome === 503 || a.outcome === 'refused' || a.outcome === 'reset',
    ).length;
    t.diagnostic(`after SIGTERM: ${drained} answered 2xx (in flight), ${turnedAway} refused or 503`);
    assert.ok(turnedAway > 0, 'requests sent after SIGTERM were turned away');

    // A new process on the same database: everything acknowledged is there, nothing else.
    server = await startServer(env);
    client.base = server.base;
    await recovered();
    dbChecks += 1;
    const db = await checkDatabase(await database(), tenantId, prefix, model);
    assert.deepEqual(db.slice(0, 10), [], `${db.length} database rows contradict the acknowledged writes`);
    const api = await checkApi(server.base, token, model);
    assert.deepEqual(api.slice(0, 10), [], `${api.length} entities read back differently through the API`);
    const violations = rec.violations.filter((v) => v.phase === phase);
    assert.deepEqual(violations.slice(0, 10), [], `${violations.length} answers outside the contract`);
  });

  it('every request of the run got an answer within its deadline', () => {
    assert.ok(rec.answers.length > 0);
    const late = rec.answers.filter((a) => a.outcome === 'timeout' || a.ms > DEADLINE_MS);
    assert.equal(late.length, 0, `${late.length} requests without an answer within ${DEADLINE_MS} ms`);
    assert.ok(rec.ackedWrites > 0);
  });

  it('the durability checker catches a lost, a duplicated, a half-applied and a phantom row (mutations rolled back)', async () => {
    const db = await database();
    const present = <S>(list: Tracked<S>[]) =>
      list.filter((x) => x.pending === undefined && x.acked !== 'absent' && x.id !== undefined);
    const lost = present(model.blueprints).find((b) => !b.linkable)!;
    const skewed = present(model.blueprints).find((b) => b !== lost)!;
    const [unlinked, copied] = present(model.projects).filter(
      (p) => p.acked !== 'absent' && p.acked.blueprintIds.length,
    );
    assert.ok(lost && skewed && unlinked && copied, 'the run left entities to mutate');
    await db.query('BEGIN');
    try {
      await db.query('DELETE FROM blueprints WHERE id = $1', [lost.id]);
      await db.query(`UPDATE blueprints SET version = '9.9.0' WHERE id = $1`, [skewed.id]);
      await db.query('DELETE FROM project_blueprints WHERE project_id = $1', [unlinked.id]);
      await db.query(
        `INSERT INTO projects (id, tenant_id, name, description, environment, status, owner, created_at, updated_at)
         SELECT gen_random_uuid(), tenant_id, name, description, environment, status, owner, created_at, updated_at
         FROM projects WHERE id = $1`,
        [copied.id],
      );
      await db.query(
        `INSERT INTO blueprints (id, tenant_id, name, description, provider, region, version, status, parameters, resources, tags, created_by, created_at, updated_at)
         SELECT gen_random_uuid(), tenant_id, $2, description, provider, region, version, status, parameters, resources, tags, created_by, created_at, updated_at
         FROM blueprints WHERE id = $1`,
        [skewed.id, `${prefix}never-asked-for`],
      );
      const found = await checkDatabase(db, tenantId, prefix, model);
      const kinds = (entity: string) => found.filter((v) => v.entity === entity).map((v) => v.kind);
      assert.deepEqual(kinds(lost.key), ['lost']);
      assert.deepEqual(kinds(skewed.key), ['half-applied']);
      assert.deepEqual(kinds(unlinked.key), ['half-applied']);
      assert.ok(kinds(copied.key).includes('duplicated'));
      assert.deepEqual(kinds(`${prefix}never-asked-for`), ['phantom']);
    } finally {
      await db.query('ROLLBACK');
    }
    assert.deepEqual(await checkDatabase(db, tenantId, prefix, model), [], 'intact again after the rollback');
  });
});
