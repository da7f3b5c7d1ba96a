import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
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

/** Opens the embedded PostgreSQL (PGlite); `memory://` keeps nothing on disk (tests). */
export async function openPglite(dataDir: string): Promise<PGlite> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite(dataDir);
  await pglite.waitReady;
  return pglite;
}

/** The embedded database behind the same Db interface; one connection, so DB_POOL_* is ignored. */
export function createPgliteDb(pglite: PGlite): Db {
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
    close: () => pglite.close(),
  };
}
