// `npm run seed`: loads the demo data set into whichever database is configured (embedded
// PGlite by default). Idempotent: ids come from a fixed random seed and every insert is
// ON CONFLICT DO NOTHING, so a second run adds nothing and prints the same logins.
import { loadConfig } from '../src/config.js';
import { openOrExit } from '../src/infra/db/open-or-exit.js';
import { openDatabase } from '../src/infra/db/index.js';
import type { Queryable } from '../src/infra/db/types.js';
import { hashPassword } from '../src/modules/auth/passwords.js';
import { blueprintDocument } from '../src/modules/blueprints/repo.js';
import type { Blueprint } from '../src/modules/blueprints/schema.js';
import { projectDocument } from '../src/modules/projects/repo.js';
import { createRandom, makeBlueprint, seededId } from './seed/generate.js';

const SEED = 20_241_205;
export const DEMO_PASSWORD = 'DemoPassword-2026';
const TENANTS = ['Acme Corp', 'Globex', 'Initech', 'Umbrella'];
const BLUEPRINTS_PER_TENANT = Number(process.env.SEED_BLUEPRINTS_PER_TENANT ?? 300);
const PROJECTS_PER_TENANT = Number(process.env.SEED_PROJECTS_PER_TENANT ?? 60);
const LOAD_USERS = Number(process.env.SEED_LOAD_USERS ?? 100);
const BATCH = 250;

const rnd = createRandom(SEED);
let serial = 0;
const nextId = () => seededId(rnd, serial++);

async function insertBatch(
  q: Queryable,
  table: string,
  columns: string,
  rows: Record<string, unknown>[],
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const { rowCount } = await q.query(
      `INSERT INTO ${table} SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${columns}) ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows.slice(i, i + BATCH))],
    );
    inserted += rowCount;
  }
  return inserted;
}

const config = loadConfig();
const db = await openOrExit(() => openDatabase(config.database, config.migrate));
const passwordHash = await hashPassword(DEMO_PASSWORD);
const now = new Date().toISOString();
const logins: string[] = [];
const counts = { tenants: 0, users: 0, blueprints: 0, projects: 0 };

for (const [t, name] of TENANTS.entries()) {
  const slug = name.toLowerCase().split(' ')[0]!;
  const tenantId = nextId();
  counts.tenants += await insertBatch(db, 'tenants', 'id uuid, name text, created_at timestamptz', [
    { id: tenantId, name, created_at: now },
  ]);

  const users = ['admin', 'editor', 'viewer'].map((role) => ({ id: nextId(), email: `${role}@${slug}.example`, role }));
  if (t === 0)
    for (let i = 1; i <= LOAD_USERS; i++)
      users.push({ id: nextId(), email: `load${String(i).padStart(3, '0')}@${slug}.example`, role: 'editor' });
  counts.users += await insertBatch(
    db,
    'users',
    'id uuid, tenant_id uuid, email text, password_hash text, role text, is_operator boolean, created_at timestamptz',
    users.map((u) => ({ ...u, tenant_id: tenantId, password_hash: passwordHash, is_operator: false, created_at: now })),
  );
  logins.push(...users.slice(0, 3).map((u) => `  ${u.email.padEnd(24)} ${u.role.padEnd(7)} ${name}`));
  const adminId = users[0]!.id;

  const blueprints = Array.from({ length: BLUEPRINTS_PER_TENANT }, (_, n) => {
    const b = makeBlueprint(rnd, n + 1);
    const id = nextId();
    // The response body the routes pass through, written with the row (as the app's writes do).
    // (The generator's resource types are the catalogue's, typed as plain strings.)
    const doc = blueprintDocument({
      id,
      ...b,
      version: '1.0.0',
      createdAt: now,
      updatedAt: now,
      createdBy: adminId,
    } as Blueprint);
    return {
      id,
      tenant_id: tenantId,
      ...b,
      version: '1.0.0',
      created_by: adminId,
      created_at: now,
      updated_at: now,
      doc,
    };
  });
  counts.blueprints += await insertBatch(
    db,
    'blueprints',
    'id uuid, tenant_id uuid, name text, description text, provider text, region text, version text, status text, parameters jsonb, resources jsonb, tags jsonb, created_by uuid, created_at timestamptz, updated_at timestamptz, doc text',
    blueprints,
  );

  const links: Record<string, unknown>[] = [];
  const projects = Array.from({ length: PROJECTS_PER_TENANT }, (_, n) => {
    const id = nextId();
    const used = new Set(Array.from({ length: rnd.int(0, 4) }, () => rnd.pick(blueprints).id));
    [...used].forEach((blueprint_id, position) => links.push({ project_id: id, blueprint_id, position }));
    const project = {
      id,
      name: `${name} project ${n + 1}`,
      description: 'Demo project',
      environment: rnd.pick(['dev', 'staging', 'prod'] as const),
      status: rnd.pick(['active', 'active', 'active', 'on_hold', 'completed', 'archived'] as const),
      blueprintIds: [...used],
      budgetMonthly: rnd.next() < 0.6 ? rnd.int(5, 200) * 100 : null,
      owner: adminId,
      createdAt: now,
      updatedAt: now,
    };
    return {
      id,
      tenant_id: tenantId,
      name: project.name,
      description: project.description,
      environment: project.environment,
      status: project.status,
      budget_monthly: project.budgetMonthly,
      owner: adminId,
      created_at: now,
      updated_at: now,
      doc: projectDocument(project),
    };
  });
  counts.projects += await insertBatch(
    db,
    'projects',
    'id uuid, tenant_id uuid, name text, description text, environment text, status text, budget_monthly float8, owner uuid, created_at timestamptz, updated_at timestamptz, doc text',
    projects,
  );
  await insertBatch(db, 'project_blueprints', 'project_id uuid, blueprint_id uuid, position int', links);
}
// Bulk-inserted blueprints get their first history entry as the API's saves would (migration 003).
await db.query('SELECT backfill_blueprint_versions()');
await db.close();

console.log(
  `seeded ${config.database.kind}: +${counts.tenants} tenants, +${counts.users} users, +${counts.blueprints} blueprints, +${counts.projects} projects` +
    (counts.blueprints === 0 ? ' (already seeded: nothing to add)' : ''),
);
console.log(`\nDemo logins (password for all: ${DEMO_PASSWORD}):`);
console.log(logins.join('\n'));
console.log(`  load001..load${String(LOAD_USERS).padStart(3, '0')}@acme.example (editor, Acme Corp) for load tests`);
