// `npm run operator -- EMAIL [--revoke]`: grants (or revokes) the platform operator flag.
// Only this command can set it; the API never does.
import { loadConfig } from '../src/config.js';
import { openOrExit } from '../src/infra/db/open-or-exit.js';
import { openDatabase } from '../src/infra/db/index.js';
import { createIdentityRepo } from '../src/modules/auth/repo.js';

const args = process.argv.slice(2);
const email = args.find((a) => !a.startsWith('--'));
if (!email) {
  console.error('usage: npm run operator -- EMAIL [--revoke]');
  process.exit(2);
}
const revoke = args.includes('--revoke');
const config = loadConfig();
const db = await openOrExit(() => openDatabase(config.database, config.migrate));
const found = await createIdentityRepo(db).setOperator(email.toLowerCase(), !revoke);
await db.close();
if (!found) {
  console.error(`no user with email ${email}`);
  process.exit(1);
}
console.log(`${email} is ${revoke ? 'no longer' : 'now'} a platform operator`);
