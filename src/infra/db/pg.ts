import pg from 'pg';
import { mapDbError } from './errors.js';
import type { Db, Queryable, QueryResult } from './types.js';

// int8 (counts, sums) as JS numbers: every int8 we read is far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/** Options of the app-side pool; every default is the reason it is that value. */
export interface PgOptions {
  url: string;
  min: number;
  max: number;
}

async function run<R>(q: { query: pg.Pool['query'] }, text: string, params?: unknown[]): Promise<QueryResult<R>> {
  try {
    // Unnamed statements only: PgBouncer 1.18 in transaction mode cannot pool named ones.
    const res = await q.query(text, params as unknown[]);
    return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
  } catch (err) {
    throw mapDbError(err);
  }
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
    // Client-side bound so a stuck server never hangs a request.
    query_timeout: 15_000,
    application_name: 'iac-dharma',
    keepAlive: true,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});

  const db: Db = {
    kind: 'postgres',
    query: (text, params) => run(pool, text, params),
    async tx(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw mapDbError(err);
      }
      const q: Queryable = { query: (text, params) => run(client, text, params) };
      try {
        await client.query('BEGIN');
        const out = await fn(q);
        await client.query('COMMIT');
        client.release();
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        client.release(true);
        throw mapDbError(err);
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
