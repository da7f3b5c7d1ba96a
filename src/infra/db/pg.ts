import pg from 'pg';
import { isConnectionLoss, mapDbError } from './errors.js';
import type { Db, Queryable, QueryResult } from './types.js';

// int8 (counts, sums) as JS numbers: every int8 we read is far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/** Options of the app-side pool; every default is the reason it is that value. */
export interface PgOptions {
  url: string;
  min: number;
  max: number;
  /** Server-side bound of one statement, and of a transaction left idle (SET LOCAL in every transaction). */
  statementTimeoutMs: number;
}

// The client-side bound waits this much longer than the server-side one, so a slow statement is
// normally cancelled by PostgreSQL itself (a clean error on a healthy connection); the client
// timer only fires when the server or the path to it has stopped answering.
const CLIENT_MARGIN_MS = 2_000;

/** One checked-out client with the error listener node-postgres leaves it without. */
interface Lease {
  run<R>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Back to the pool when healthy; destroyed when its connection failed or a statement timed out. */
  release(): void;
  /** After a failure inside a transaction: rolled back and reused when healthy, destroyed otherwise. */
  abandon(): Promise<void>;
}

/** A node-postgres pool, safe behind PgBouncer in transaction mode (no session state at all). */
export function createPgDb(opts: PgOptions): Db {
  const pool = new pg.Pool({
    connectionString: opts.url,
    min: opts.min,
    max: opts.max,
    // Idle connections to PgBouncer are cheap, but give them back eventually.
    idleTimeoutMillis: 30_000,
    // A pool that cannot connect within 5 s answers 503 instead of queueing forever.
    connectionTimeoutMillis: 5_000,
    // Client-side bound so a stuck server (or a PgBouncer waiting for one) never hangs a request.
    query_timeout: opts.statementTimeoutMs + CLIENT_MARGIN_MS,
    application_name: 'iac-dharma',
    keepAlive: true,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});

  // SET LOCAL: the only way to set a timeout under transaction pooling (a session SET would leak
  // to whichever client PgBouncer lends the server connection next, and startup options are
  // dropped by its ignore_startup_parameters). One simple-protocol round trip, as BEGIN was alone.
  // idle_in_transaction_session_timeout frees the row locks of a replica that froze mid-transaction.
  const begin =
    `BEGIN; SET LOCAL statement_timeout = ${opts.statementTimeoutMs};` +
    ` SET LOCAL idle_in_transaction_session_timeout = ${opts.statementTimeoutMs}`;

  async function checkout(): Promise<Lease> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw mapDbError(err);
    }
    // While checked out a client has no 'error' listener of the pool's: a connection lost between
    // two queries (PgBouncer or PostgreSQL restarting) would be an uncaught 'error' event and end
    // the process. Recorded here instead; the request in progress answers 503.
    let lost: unknown;
    let timedOut = false;
    const onError = (err: Error) => {
      lost ??= err;
    };
    client.on('error', onError);
    let done = false;
    const finish = (destroy: boolean) => {
      if (done) return;
      done = true;
      client.removeListener('error', onError);
      client.release(destroy || lost !== undefined);
    };
    // A statement the client stopped waiting for may still be running: its connection is
    // destroyed rather than handed to the next request. (A cancel request would be better, but
    // PgBouncer 1.18 does not forward it.) Inside a transaction SET LOCAL statement_timeout has the
    // server stop it first; outside one it runs until it ends, bounded by whatever blocks it.
    return {
      async run<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
        if (lost !== undefined || timedOut) throw mapDbError(lost ?? new Error('Query read timeout'));
        try {
          // Unnamed statements only: PgBouncer 1.18 in transaction mode cannot pool named ones.
          const res = await client.query(text, params as unknown[]);
          // A multi-statement simple query (BEGIN; SET LOCAL ...) answers one result per statement.
          const last = Array.isArray(res) ? (res.at(-1) as pg.QueryResult) : res;
          return { rows: last.rows as R[], rowCount: last.rowCount ?? 0 };
        } catch (err) {
          if (isClientTimeout(err)) timedOut = true;
          else if (isConnectionLoss(err)) lost ??= err;
          throw mapDbError(lost ?? err);
        }
      },
      release: () => finish(timedOut),
      async abandon() {
        if (done) return;
        if (lost !== undefined || timedOut) return finish(true);
        try {
          await client.query('ROLLBACK');
          finish(false);
        } catch {
          finish(true);
        }
      },
    };
  }

  const db: Db = {
    kind: 'postgres',
    async query(text, params) {
      const lease = await checkout();
      try {
        return await lease.run(text, params);
      } finally {
        // Outside a transaction there is nothing to roll back.
        lease.release();
      }
    },
    async tx(fn) {
      const lease = await checkout();
      const q: Queryable = { query: (text, params) => lease.run(text, params) };
      try {
        await lease.run(begin);
        const out = await fn(q);
        await lease.run('COMMIT');
        lease.release();
        return out;
      } catch (err) {
        await lease.abandon();
        throw err;
      }
    },
    async ping(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('database ping timed out')), timeoutMs);
      });
      try {
        await Promise.race([pool.query('SELECT 1'), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
  return db;
}

/** node-postgres's own query_timeout fired: the server has not answered (it may still be working). */
function isClientTimeout(err: unknown): boolean {
  const cause = (err as { cause?: unknown })?.cause ?? err;
  return (cause as { message?: string })?.message === 'Query read timeout';
}
