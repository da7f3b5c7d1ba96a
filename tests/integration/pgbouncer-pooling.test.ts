import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, registerTenant, startTestApp, type TestApp } from '../helpers/app.js';
import pg from 'pg';
import { bouncerAdmin, directQuery, STACK } from '../helpers/stack.js';

const DEFAULT_POOL_SIZE = 25;
const APP_POOL_MAX = 60;

// Proves PgBouncer is in the path and pools: an app pool larger than default_pool_size,
// 300 concurrent database-bound requests, and PostgreSQL never sees more than 25 backends.
describe('PgBouncer transaction pooling', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    // Every request must reach the database however slow the machine is: admission control may make
    // them wait, never refuse them (its own test is admission.test.ts).
    t = await startTestApp('pgbouncer', { DB_POOL_MAX: String(APP_POOL_MAX), DB_QUEUE_TIMEOUT_MS: '30000' });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => t.close());

  it('runs in transaction mode with the configured limits', async () => {
    const config = new Map(
      (await bouncerAdmin<{ key: string; value: string }>('SHOW CONFIG')).map((r) => [r.key, r.value]),
    );
    assert.equal(config.get('pool_mode'), 'transaction');
    assert.equal(config.get('max_client_conn'), '1000');
    assert.equal(config.get('default_pool_size'), String(DEFAULT_POOL_SIZE));
    assert.equal(config.get('max_db_connections'), '100');
  });

  it('serves 300 concurrent requests with ≤ default_pool_size PostgreSQL backends', async (tc) => {
    const account = await registerTenant(t.app, 'PoolCo');
    const dbName = t.database!.name;
    let maxBackends = 0;
    let maxClients = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [backends] = await directQuery<{ n: number }>(
          `${STACK.directUrl}/postgres`,
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [dbName],
        );
        const clients = (await bouncerAdmin<{ database: string; application_name: string }>('SHOW CLIENTS')).filter(
          (c) => c.database === dbName && c.application_name === 'iac-dharma',
        );
        maxBackends = Math.max(maxBackends, backends!.n);
        maxClients = Math.max(maxClients, clients.length);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    // Keep every server connection of the pool busy for a moment, so the app's queries queue
    // inside PgBouncer and the app pool grows past default_pool_size: the case pooling is for.
    const saturators = Array.from(
      { length: DEFAULT_POOL_SIZE },
      () =>
        new pg.Client({
          connectionString: t.database!.bouncerUrl,
          application_name: 'saturator',
        }),
    );
    await Promise.all(saturators.map((c) => c.connect()));
    const sleeping = Promise.all(saturators.map((c) => c.query('SELECT pg_sleep(0.7)')));

    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        fetch(`${base}${i % 2 ? '/api/projects/stats/summary?cache=false' : '/api/blueprints?limit=5&cache=false'}`, {
          headers: bearer(account),
          signal: AbortSignal.timeout(30_000),
        }).then(async (r) => ({ status: r.status, cache: r.headers.get('x-cache'), body: await r.text() })),
      ),
    );
    await sleeping;
    await Promise.all(saturators.map((c) => c.end()));
    // (cache=false: every request must reach the database, not the response cache.)
    // One more sample after the burst: the app pool's idle connections are still open.
    await new Promise((r) => setTimeout(r, 50));
    sampling = false;
    await sampler;

    tc.diagnostic(`max PostgreSQL backends ${maxBackends}, max app client connections at PgBouncer ${maxClients}`);
    const failed = responses.filter((r) => r.status !== 200);
    assert.equal(failed.length, 0, `failures: ${JSON.stringify(failed.slice(0, 3))}`);
    assert.ok(
      responses.every((r) => r.cache === 'BYPASS'),
      'every request went to the database',
    );
    assert.ok(maxBackends >= 1, 'the requests reached PostgreSQL');
    assert.ok(maxBackends <= DEFAULT_POOL_SIZE, `PostgreSQL saw ${maxBackends} backends`);
    assert.ok(
      maxClients > DEFAULT_POOL_SIZE,
      `SHOW CLIENTS listed ${maxClients} app connections; more clients than servers proves pooling`,
    );
    assert.ok(t.db.poolStats().total > DEFAULT_POOL_SIZE, 'the app pool really opened more than 25 connections');

    const pools = await bouncerAdmin<{
      database: string;
      user: string;
      pool_mode: string;
    }>('SHOW POOLS');
    const pool = pools.find((p) => p.database === dbName);
    assert.equal(pool?.user, 'dharma_admin');
    assert.equal(pool?.pool_mode, 'transaction');
  });
});
