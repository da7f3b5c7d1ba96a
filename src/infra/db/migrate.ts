import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import Postgrator from 'postgrator';

/** migrations/ at the repository root: three levels up from both src/infra/db and dist/infra/db. */
const MIGRATIONS_PATTERN = fileURLToPath(new URL('../../../migrations/*.sql', import.meta.url));

type Exec = (sql: string) => Promise<{ rows: Record<string, unknown>[] }>;

async function runPostgrator(database: string, execQuery: Exec): Promise<string[]> {
  const postgrator = new Postgrator({
    migrationPattern: MIGRATIONS_PATTERN,
    driver: 'pg',
    database,
    schemaTable: 'schemaversion',
    execQuery,
  });
  const applied = await postgrator.migrate();
  return applied.map((m) => m.name);
}

// Any fixed number; it serialises replicas that start at the same moment.
const MIGRATION_LOCK = 7_146_283_001;

/**
 * Applies pending migrations over a direct (non-PgBouncer) connection: the session advisory
 * lock it takes would not survive transaction pooling.
 */
export async function migratePostgres(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'iac-dharma-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const db = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
      return await runPostgrator(db, (sql) => client.query(sql));
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}

/** Applies the same migrations to the embedded database (multi-statement files via exec). */
export async function migratePglite(pglite: PGlite): Promise<string[]> {
  return runPostgrator('postgres', async (sql) => {
    const results = await pglite.exec(sql);
    return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
  });
}
