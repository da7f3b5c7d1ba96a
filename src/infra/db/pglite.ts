import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock.js';
import { mapDbError } from './errors.js';
import type { Db, Queryable, QueryResult } from './types.js';

type Runner = Pick<PGlite, 'query'>;

async function run<R>(q: Runner, text: string, params?: unknown[]): Promise<QueryResult<R>> {
  try {
    const res = await q.query<R>(text, params);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
  } catch (err) {
    throw mapDbError(err);
  }
}

/** The embedded database, held by this process alone until close(). */
export interface EmbeddedDatabase {
  pglite: PGlite;
  close(): Promise<void>;
}

/**
 * Opens the embedded PostgreSQL (PGlite); `memory://` keeps nothing on disk (tests). A directory
 * has one opener at a time: another process holding it is a DataDirBusyError naming it.
 */
export async function openPglite(dataDir: string): Promise<EmbeddedDatabase> {
  if (dataDir.startsWith('memory://')) {
    const pglite = new PGlite(dataDir);
    await pglite.waitReady;
    return { pglite, close: () => pglite.close() };
  }
  mkdirSync(dataDir, { recursive: true });
  const release = await lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    pglite = new PGlite(dataDir);
    await pglite.waitReady;
  } catch (err) {
    await release();
    throw err;
  }
  return {
    pglite,
    async close() {
      try {
        await pglite.close();
      } finally {
        await release();
      }
    },
  };
}

/** The embedded database behind the same Db interface; one connection, so DB_POOL_* is ignored. */
export function createPgliteDb({ pglite, close }: EmbeddedDatabase): Db {
  return {
    kind: 'pglite',
    query: (text, params) => run(pglite, text, params),
    tx: (fn) =>
      pglite.transaction(async (tx) => {
        const q: Queryable = { query: (text, params) => run(tx, text, params) };
        return fn(q);
      }),
    async ping() {
      await pglite.query('SELECT 1');
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    close,
  };
}
