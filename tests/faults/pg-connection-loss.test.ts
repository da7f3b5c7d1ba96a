import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { AppError } from '../../src/errors.js';
import { createPgDb } from '../../src/infra/db/pg.js';
import type { Db } from '../../src/infra/db/types.js';
import { startOwnPgBouncer, startOwnPostgres, type OwnPgBouncer, type OwnPostgres } from '../helpers/own-stack.js';

const STATEMENT_TIMEOUT_MS = 400;
// The client-side bound is the statement timeout plus 2 s (src/infra/db/pg.ts), plus a second of
// slack for a loaded machine. A bound proving no hang, not a performance figure.
const CLIENT_BOUND_MS = STATEMENT_TIMEOUT_MS + 2_000 + 1_000;

/** Resolves with the error `p` rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    return err as AppError;
  }
  assert.fail('expected a rejection');
}

function assert503(err: AppError): void {
  assert.ok(err instanceof AppError, `an AppError, got ${String(err)}`);
  assert.equal(err.status, 503, err.message);
  assert.equal(err.headers?.['retry-after'], '1');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The app's pool against a PostgreSQL and PgBouncer this file starts, restarts and kills itself.
describe('the PostgreSQL pool survives connection loss (own PostgreSQL + PgBouncer)', () => {
  let postgres: OwnPostgres;
  let bouncer: OwnPgBouncer;
  let db: Db;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  before(async () => {
    postgres = await startOwnPostgres();
    bouncer = await startOwnPgBouncer(postgres.port);
    db = createPgDb({ url: bouncer.appUrl, min: 0, max: 4, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
    await db.query('CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL)');
    await db.query('INSERT INTO items SELECT g, 0 FROM generate_series(1, 10) g');
    // Node's test runner reports an uncaught exception as a failure of whatever test is running;
    // recording them as well lets each test assert that none happened.
    process.on('uncaughtException', onUncaught);
  });
  after(async () => {
    process.off('uncaughtException', onUncaught);
    await db.close();
    await bouncer.destroy();
    await postgres.destroy();
  });

  it('PgBouncer dies while a transaction holds a client between two queries: 503 for that request, no crash, the pool recovers', async () => {
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    let held!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    const tx = db.tx(async (q) => {
      await q.query('UPDATE items SET v = v + 1 WHERE id = 1');
      held();
      await paused; // the connection dies here, while no query is running on it
      await q.query('UPDATE items SET v = v + 1 WHERE id = 2');
    });
    await holding;
    await bouncer.stop('SIGTERM');
    await sleep(200); // the client's socket closes and node-postgres emits 'error' on it
    resume();
    assert503(await rejection(tx));
    // While PgBouncer is down every statement is a 503, never a hang.
    assert503(await rejection(db.query('SELECT 1')));
    await bouncer.start();
    const { rows } = await db.query<{ v: number }>('SELECT v FROM items WHERE id IN (1, 2) ORDER BY id');
    assert.deepEqual(
      rows.map((r) => r.v),
      [0, 0],
      'the interrupted transaction was rolled back as a whole',
    );
    await db.tx((q) => q.query('UPDATE items SET v = v + 1 WHERE id = 3'));
    assert.equal(uncaught.length, 0, String(uncaught[0]));
    assert.ok(db.poolStats().total <= 4);
  });

  it('PostgreSQL restarts (fast, then immediate) under running transactions: 503s, then the pool recovers', async () => {
    for (const mode of ['fast', 'immediate'] as const) {
      const running = Promise.allSettled(
        Array.from({ length: 4 }, (_, i) =>
          db.tx(async (q) => {
            await q.query('UPDATE items SET v = v + 1 WHERE id = $1', [4 + i]);
            await q.query('SELECT pg_sleep(0.3)');
          }),
        ),
      );
      await sleep(100);
      await postgres.restart(mode);
      const outcomes = await running;
      for (const o of outcomes) if (o.status === 'rejected') assert503(o.reason as AppError);
      assert.ok(
        outcomes.some((o) => o.status === 'rejected'),
        `${mode}: the restart interrupted transactions`,
      );
      // PgBouncer reconnects to the new server; a few statements may still meet a dead server
      // connection first, each a 503, never a hang or a crash.
      let ok = false;
      for (let i = 0; i < 50 && !ok; i++) {
        try {
          await db.tx((q) => q.query('SELECT 1'));
          ok = true;
        } catch (err) {
          assert503(err as AppError);
          await sleep(100);
        }
      }
      assert.ok(ok, `${mode}: the pool recovered`);
    }
    assert.equal(uncaught.length, 0, String(uncaught[0]));
  });

  it('a statement in a transaction is stopped by the server after the statement timeout (SET LOCAL), with no session state left behind', async () => {
    const start = performance.now();
    assert503(await rejection(db.tx((q) => q.query('SELECT pg_sleep(5)'))));
    const ms = performance.now() - start;
    assert.ok(ms < CLIENT_BOUND_MS, `stopped after ${ms.toFixed(0)} ms`);
    // The timeout was transaction-local: the same pooled connection runs a long statement outside one.
    const plain = await db.query<{ statement_timeout: string }>('SHOW statement_timeout');
    assert.equal(plain.rows[0]!.statement_timeout, '0', 'no session state left behind for the next PgBouncer client');
  });

  it('a statement outside a transaction waiting on a row lock is bounded client-side, and its connection is not reused', async () => {
    const holder = new pg.Client({ connectionString: postgres.appUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM items WHERE id = 9 FOR UPDATE');
      const start = performance.now();
      assert503(await rejection(db.query('UPDATE items SET v = 100 WHERE id = 9')));
      const ms = performance.now() - start;
      assert.ok(ms < CLIENT_BOUND_MS, `answered after ${ms.toFixed(0)} ms`);
      // The lock is still held and the UPDATE may still be waiting on the server; the next
      // statements get other connections and answer at once.
      for (let i = 0; i < 8; i++) assert.equal((await db.query('SELECT 1 AS one')).rows.length, 1);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    assert.equal(uncaught.length, 0, String(uncaught[0]));
  });
});
