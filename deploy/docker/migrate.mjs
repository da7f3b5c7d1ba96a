// `node dist/migrate.mjs` inside the image: what `npm run migrate` (scripts/migrate.ts) does for
// PostgreSQL, without TypeScript tooling at run time. The Dockerfile copies this file into dist/,
// next to the compiled migration module. Needs MIGRATIONS_DATABASE_URL: a DIRECT connection to
// PostgreSQL (the migration holds a session advisory lock, which PgBouncer's transaction pooling
// would not keep).
import process from 'node:process';
import { migratePostgres } from './infra/db/migrate.js';

const url = process.env.MIGRATIONS_DATABASE_URL;
if (!url) {
  process.stderr.write('configuration error: MIGRATIONS_DATABASE_URL is required (direct PostgreSQL, not PgBouncer)\n');
  process.exit(1);
}
try {
  const applied = await migratePostgres(url);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
} catch (err) {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
