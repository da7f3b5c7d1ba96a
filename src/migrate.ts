// `npm run migrate`, and `node dist/migrate.js` in the image (the Kubernetes Job, the compose
// "migrate" service): applies pending migrations to the configured database and exits. PostgreSQL
// is migrated over MIGRATIONS_DATABASE_URL, a direct connection (the migration holds a session
// advisory lock, which PgBouncer's transaction pooling would not keep).
import { ConfigError, loadConfig } from './config.js';
import { migratePglite, migratePostgres } from './infra/db/migrate.js';
import { openOrExit } from './infra/db/open-or-exit.js';
import { openPglite } from './infra/db/pglite.js';

/** Applies what is pending; returns the names of the migrations applied. */
async function migrate(): Promise<string[]> {
  const config = loadConfig(process.env, { secrets: false });
  if (config.database.kind === 'postgres') return migratePostgres(config.database.migrationsUrl);
  const direct = process.env.MIGRATIONS_DATABASE_URL?.trim();
  if (direct) return migratePostgres(direct);
  if (config.env === 'production') {
    throw new ConfigError('MIGRATIONS_DATABASE_URL is required (a direct PostgreSQL connection, not PgBouncer)');
  }
  const embedded = await openOrExit(() => openPglite(config.database.kind === 'pglite' ? config.database.dataDir : ''));
  try {
    return await migratePglite(embedded.pglite);
  } finally {
    await embedded.close();
  }
}

migrate().then(
  (applied) => process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n'),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      err instanceof ConfigError ? `configuration error: ${message}\n` : `migration failed: ${message}\n`,
    );
    process.exit(1);
  },
);
