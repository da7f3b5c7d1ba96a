// `npm run migrate`: applies pending migrations to the configured database and exits.
import { loadConfig } from '../src/config.js';
import { migratePglite, migratePostgres } from '../src/infra/db/migrate.js';
import { openPglite } from '../src/infra/db/pglite.js';

const config = loadConfig();
let applied: string[];
if (config.database.kind === 'pglite') {
  const pglite = await openPglite(config.database.dataDir);
  applied = await migratePglite(pglite);
  await pglite.close();
} else {
  applied = await migratePostgres(config.database.migrationsUrl);
}
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
