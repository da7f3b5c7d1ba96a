import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseConfig } from '../../config.js';
import { migratePglite, migratePostgres } from './migrate.js';
import { createPgDb } from './pg.js';
import { createPgliteDb, openPglite } from './pglite.js';
import type { Db } from './types.js';

export type { Db, Queryable } from './types.js';
export { DataDirBusyError } from './data-dir-lock.js';

/** Opens the configured database, applying pending migrations first unless `migrate` is false. */
export async function openDatabase(cfg: DatabaseConfig, migrate: boolean, log?: FastifyBaseLogger): Promise<Db> {
  if (cfg.kind === 'pglite') {
    const embedded = await openPglite(cfg.dataDir);
    if (migrate) {
      try {
        const applied = await migratePglite(embedded.pglite);
        if (applied.length) log?.info({ applied }, 'migrations applied');
      } catch (err) {
        await embedded.close();
        throw err;
      }
    }
    return createPgliteDb(embedded);
  }
  if (migrate) {
    const applied = await migratePostgres(cfg.migrationsUrl);
    if (applied.length) log?.info({ applied }, 'migrations applied');
  }
  return createPgDb({ url: cfg.url, min: cfg.poolMin, max: cfg.poolMax, statementTimeoutMs: cfg.statementTimeoutMs });
}

/** A human description of the backend without credentials, for the first log line. */
export function describeDatabase(cfg: DatabaseConfig): string {
  if (cfg.kind === 'pglite') return `embedded PostgreSQL (PGlite) in ${cfg.dataDir}`;
  const u = new URL(cfg.url);
  return `PostgreSQL at ${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)} (pool ${cfg.poolMin}-${cfg.poolMax})`;
}
