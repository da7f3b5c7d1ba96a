// `npm run migrate`: applies pending migrations to the configured database and exits.
import { loadConfig } from '../src/config.js';
import { openOrExit } from './open-or-exit.js';
import { migratePglite, migratePostgres } from '../src/infra/db/migrate.js';
import { openPglite } from '../src/infra/db/pglite.js';

const config = loadConfig();
let applied: string[];
if (config.database.kind === 'pglite') {
  const dataDir = config.database.dataDir;
  const embedded = await openOrExit(() => openPglite(dataDir));
  try {
    applied = await migratePglite(embedded.pglite);
  } finally {
    await embedded.close();
  }
} else {
  applied = await migratePostgres(config.database.migrationsUrl);
}
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
