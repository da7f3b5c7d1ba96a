import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/infra/db/index.js';
import { blueprintDocument } from '../../src/modules/blueprints/repo.js';
import type { Blueprint } from '../../src/modules/blueprints/schema.js';
import { createTestDatabase, directQuery, type TestDatabase } from '../helpers/stack.js';

const run = promisify(execFile);

// `npm run seed` against real PostgreSQL through PgBouncer: the demo data set, idempotent.
describe('npm run seed', () => {
  let database: TestDatabase;
  const env = () => ({
    ...process.env,
    DATABASE_URL: database.bouncerUrl,
    MIGRATIONS_DATABASE_URL: database.directUrl,
    JWT_SECRET: 'seed-test-secret-seed-test-secret-0123456789',
  });
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database.drop());

  it('loads ≥1,000 blueprints and ≥200 projects over several tenants, then adds nothing on a second run', async () => {
    const first = await run('npx', ['tsx', 'scripts/seed.ts'], { env: env() });
    assert.match(first.stdout, /\+1200 blueprints, \+240 projects/);
    assert.match(first.stdout, /admin@acme\.example/);
    const [counts] = await directQuery<{ t: number; b: number; p: number; r: number }>(
      database.directUrl,
      `SELECT (SELECT count(*) FROM tenants)::int AS t, (SELECT count(*) FROM blueprints)::int AS b,
              (SELECT count(*) FROM projects)::int AS p, (SELECT count(DISTINCT resources::text) FROM blueprints)::int AS r`,
    );
    assert.ok(counts!.t >= 3 && counts!.b >= 1000 && counts!.p >= 200, JSON.stringify(counts));
    assert.ok(counts!.r > 50, 'blueprints have varied resources');
    // Every row carries the response body the routes pass through (the app would otherwise build
    // it from the columns on each read), equal to what serializing its columns gives.
    const [missing] = await directQuery<{ n: number }>(
      database.directUrl,
      'SELECT (SELECT count(*) FROM blueprints WHERE doc IS NULL) + (SELECT count(*) FROM projects WHERE doc IS NULL) AS n',
    );
    assert.equal(Number(missing!.n), 0);
    const rows = await directQuery<Record<string, unknown> & { doc: string }>(
      database.directUrl,
      `SELECT id, name, description, provider, region, version, status, parameters, resources, tags, created_by,
              created_at, updated_at, doc FROM blueprints ORDER BY random() LIMIT 20`,
    );
    for (const r of rows) {
      const fromColumns = blueprintDocument({
        id: r.id,
        name: r.name,
        description: r.description,
        provider: r.provider,
        region: r.region,
        version: r.version,
        status: r.status,
        parameters: r.parameters,
        resources: r.resources,
        tags: r.tags,
        createdAt: (r.created_at as Date).toISOString(),
        updatedAt: (r.updated_at as Date).toISOString(),
        createdBy: r.created_by,
      } as Blueprint);
      assert.equal(r.doc, fromColumns);
    }

    const second = await run('npx', ['tsx', 'scripts/seed.ts'], { env: env() });
    assert.match(second.stdout, /\+0 tenants, \+0 users, \+0 blueprints, \+0 projects/);
    assert.match(second.stdout, /admin@acme\.example/);
  });

  it('prints demo logins that work', async () => {
    const config = loadConfig({
      DATABASE_URL: database.bouncerUrl,
      MIGRATE: 'false',
      JWT_SECRET: 'x'.repeat(40),
      LOG_LEVEL: 'silent',
    });
    const db = await openDatabase(config.database, false);
    const app = await buildApp(config, { db, logger: false });
    try {
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'viewer@globex.example', password: 'DemoPassword-2026' },
      });
      assert.equal(login.statusCode, 200);
      const list = await app.inject({
        url: '/api/blueprints?limit=100',
        headers: { authorization: `Bearer ${login.json().token}` },
      });
      assert.equal(list.json().items.length, 100);
      assert.ok(list.json().nextCursor);
    } finally {
      await app.close();
      await db.close();
    }
  });
});
