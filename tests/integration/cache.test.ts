import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  addUser,
  bearer,
  blueprintBody,
  problemOf,
  registerTenant,
  startTestApp,
  waitForCache,
  type Account,
  type TestApp,
} from '../helpers/app.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { directQuery } from '../helpers/stack.js';

// The response cache against a real Redis of its own (so key counts and command stats are exact).
describe('response cache (L1 + Redis)', () => {
  let redis: OwnRedis;
  let t: TestApp;
  before(async () => {
    redis = await startOwnRedis();
    await redis.withClient((c) => c.config('RESETSTAT'));
    t = await startTestApp('pgbouncer', { REDIS_URL: redis.url });
    await waitForCache(t.app);
  });
  after(async () => {
    await t.close();
    await redis.stop();
  });

  const get = (who: Account, url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url, headers: { ...bearer(who), ...headers } });
  const createBp = async (who: Account, over: Record<string, unknown> = {}) =>
    (
      await t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(who), payload: blueprintBody(over) })
    ).json();

  it('MISS then HIT with identical body and headers; 304 on a matching If-None-Match', async () => {
    const a = await registerTenant(t.app, 'CacheHit');
    await createBp(a);
    const miss = await get(a, '/api/blueprints?limit=5&provider=aws');
    const hit = await get(a, '/api/blueprints?provider=aws&limit=5');
    assert.equal(miss.headers['x-cache'], 'MISS');
    assert.equal(hit.headers['x-cache'], 'HIT', 'query order does not matter');
    assert.equal(hit.body, miss.body);
    for (const h of ['etag', 'content-type', 'cache-control']) assert.equal(hit.headers[h], miss.headers[h], h);
    assert.match(String(hit.headers.etag), /^"[^"]+"$/);
    assert.match(String(hit.headers['cache-control']), /^private, max-age=/);
    const notModified = await get(a, '/api/blueprints?limit=5&provider=aws', {
      'if-none-match': String(hit.headers.etag),
    });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, '');
    const bypass = await get(a, '/api/blueprints?limit=5&provider=aws&cache=false');
    assert.equal(bypass.headers['x-cache'], 'BYPASS');
    assert.equal(bypass.body, miss.body);
    const noCache = await get(a, '/api/blueprints?limit=5&provider=aws', { 'cache-control': 'no-cache' });
    assert.equal(noCache.headers['x-cache'], 'BYPASS');
  });

  it('keeps the detail route’s own ETag and caches every route the contract names', async () => {
    const a = await registerTenant(t.app, 'CacheRoutes');
    const bp = await createBp(a);
    const project = (
      await t.app.inject({
        method: 'POST',
        url: '/api/projects',
        headers: bearer(a),
        payload: { name: 'p', environment: 'dev' },
      })
    ).json();
    // A creation stores its own detail: the first read of it is already a hit.
    for (const url of [`/api/blueprints/${bp.id}`, `/api/projects/${project.id}`]) {
      assert.equal((await get(a, url)).headers['x-cache'], 'HIT', url);
    }
    for (const url of ['/api/projects', '/api/projects/stats/summary']) {
      assert.equal((await get(a, url)).headers['x-cache'], 'MISS', url);
      assert.equal((await get(a, url)).headers['x-cache'], 'HIT', url);
    }
    const detail = await get(a, `/api/blueprints/${bp.id}`);
    assert.equal(detail.headers.etag, `"${bp.id}@1.0.0"`);
  });

  it('never serves one tenant’s entry to another tenant or to an anonymous caller', async () => {
    const a = await registerTenant(t.app, 'CacheIsoA');
    const b = await registerTenant(t.app, 'CacheIsoB');
    const bp = await createBp(a, { name: 'tenant A secret' });
    await get(a, '/api/blueprints');
    assert.equal((await get(a, '/api/blueprints')).headers['x-cache'], 'HIT');
    const other = await get(b, '/api/blueprints');
    assert.equal(other.headers['x-cache'], 'MISS');
    assert.equal(other.json().items.length, 0);
    await get(a, `/api/blueprints/${bp.id}`);
    assert.equal((await get(b, `/api/blueprints/${bp.id}`)).statusCode, 404);
    const anonymous = await t.app.inject('/api/blueprints');
    assert.equal(anonymous.statusCode, 401);
    assert.ok(!anonymous.body.includes('tenant A secret'));
  });

  it('reads its own writes: create, update and delete are visible on the next read, every time', async () => {
    const a = await registerTenant(t.app, 'CacheRyw');
    for (let round = 0; round < 5; round++) {
      const bp = await createBp(a, { name: `round ${round}` });
      await get(a, '/api/blueprints');
      await get(a, `/api/blueprints/${bp.id}`);
      assert.ok((await get(a, '/api/blueprints')).json().items.some((x: { id: string }) => x.id === bp.id));
      const stats = (await get(a, '/api/projects/stats/summary')).json();
      assert.equal(stats.blueprints, round + 1);
      await t.app.inject({
        method: 'PUT',
        url: `/api/blueprints/${bp.id}`,
        headers: bearer(a),
        payload: blueprintBody({ name: `updated ${round}` }),
      });
      assert.equal((await get(a, `/api/blueprints/${bp.id}`)).json().name, `updated ${round}`);
      assert.equal((await get(a, '/api/blueprints')).json().items[0].name, `updated ${round}`);
      await t.app.inject({ method: 'DELETE', url: `/api/blueprints/${bp.id}`, headers: bearer(a) });
      assert.equal((await get(a, `/api/blueprints/${bp.id}`)).statusCode, 404);
      assert.ok(!(await get(a, '/api/blueprints')).json().items.some((x: { id: string }) => x.id === bp.id));
      assert.equal((await get(a, '/api/projects/stats/summary')).json().blueprints, round);
      await createBp(a, { name: `kept ${round}` });
    }
  });

  it('a write drops exactly what derives from it (lists, stats, that blueprint’s detail) and brings what was read up to date', async () => {
    const a = await registerTenant(t.app, 'CacheScope');
    const [x, y] = [await createBp(a, { name: 'x' }), await createBp(a, { name: 'y' })];
    for (const url of [
      `/api/blueprints/${x.id}`,
      `/api/blueprints/${y.id}`,
      '/api/blueprints',
      '/api/projects/stats/summary',
    ]) {
      await get(a, url);
      assert.equal((await get(a, url)).headers['x-cache'], 'HIT', url);
    }
    await t.app.inject({
      method: 'PUT',
      url: `/api/blueprints/${y.id}`,
      headers: bearer(a),
      payload: blueprintBody({ name: 'y2' }),
    });
    await createBp(a, { name: 'z' });
    assert.equal(
      (await get(a, `/api/blueprints/${x.id}`)).headers['x-cache'],
      'HIT',
      'x untouched by writes to y and z',
    );
    // The writes re-ran the reads they invalidated before answering: hits, with the new state.
    const yDetail = await get(a, `/api/blueprints/${y.id}`);
    assert.equal(yDetail.headers['x-cache'], 'HIT');
    assert.equal(yDetail.json().name, 'y2');
    const list = await get(a, '/api/blueprints');
    assert.equal(list.headers['x-cache'], 'HIT');
    assert.deepEqual(
      list.json().items.map((b: { name: string }) => b.name),
      ['z', 'y2', 'x'],
    );
    assert.equal((await get(a, '/api/projects/stats/summary')).json().blueprints, 3);
  });

  it('runs the handler once for 100 concurrent requests on a cold key', async () => {
    const a = await registerTenant(t.app, 'CacheFlight');
    await createBp(a);
    const listQueries = /FROM blueprints\s+WHERE tenant_id = \$1\s+AND \(\$2::uuid IS NULL/;
    const before = t.sqlCount(listQueries);
    const responses = await Promise.all(Array.from({ length: 100 }, () => get(a, '/api/blueprints?limit=7')));
    assert.equal(t.sqlCount(listQueries) - before, 1, 'one database query for 100 requests');
    assert.deepEqual(new Set(responses.map((r) => r.statusCode)), new Set([200]));
    assert.equal(new Set(responses.map((r) => r.body)).size, 1);
    assert.equal(responses.filter((r) => r.headers['x-cache'] === 'MISS').length, 1);
  });

  it('counts exactly: /cache/stats equals the hits, misses and bypasses produced', async () => {
    const a = await registerTenant(t.app, 'CacheStats');
    const viewer = await addUser(t.app, a, 'viewer');
    await createBp(a);
    await get(viewer, '/api/blueprints'); // miss
    await get(viewer, '/api/blueprints'); // hit
    await get(viewer, '/api/blueprints?limit=3'); // miss
    await get(viewer, '/api/blueprints?limit=3'); // hit
    await get(viewer, '/api/blueprints?limit=3'); // hit
    await get(viewer, '/api/blueprints?cache=false'); // bypass
    const stats = (await get(a, '/cache/stats')).json();
    assert.equal(stats.hits, 3);
    assert.equal(stats.misses, 2);
    assert.equal(stats.bypass, 1);
    assert.equal(stats.stale, 0);
    assert.equal(stats.hitRate, 60);
    assert.equal(stats.keys, 3, "three entries in Redis for this tenant: two pages and the creation's detail");
    await get(viewer, '/api/projects'); // miss: 3 hits / 3 misses... then one more hit
    await get(viewer, '/api/projects'); // hit
    await get(viewer, '/api/projects?limit=2'); // miss
    const again = (await get(a, '/cache/stats')).json();
    assert.equal(again.hits, 4);
    assert.equal(again.misses, 4);
    assert.equal(again.hitRate, 50);
    assert.equal(again.tiers.l1.hits, 4);
    await get(viewer, '/api/projects?limit=9'); // miss → 4/(4+5)
    assert.equal((await get(a, '/cache/stats')).json().hitRate, 44.44);
  });

  it('pattern invalidation removes exactly the matching keys of that tenant', async () => {
    const a = await registerTenant(t.app, 'CachePatA');
    const b = await registerTenant(t.app, 'CachePatB');
    await redis.withClient(async (client) => {
      for (const who of [a, b]) {
        await createBp(who);
        await get(who, '/api/blueprints');
        await get(who, '/api/blueprints?limit=2');
        await get(who, '/api/projects');
      }
      await new Promise((r) => setTimeout(r, 50)); // L2 stores are written behind the response
      const keysOf = async (tid: string) =>
        (await client.scan('0', 'MATCH', `cache:${tid}:*`, 'COUNT', 10000))[1].sort();
      // Two list pages, the projects list, and the detail each creation stored of itself.
      assert.equal((await keysOf(a.tenantId)).length, 4);
      const res = await t.app.inject({
        method: 'DELETE',
        url: '/cache/invalidate?pattern=blueprints:*',
        headers: bearer(a),
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { invalidated: 3 });
      assert.deepEqual(await keysOf(a.tenantId), [`cache:${a.tenantId}:projects:list?`]);
      assert.equal((await keysOf(b.tenantId)).length, 4, 'tenant B untouched');
      assert.equal((await get(a, '/api/blueprints')).headers['x-cache'], 'MISS');
      assert.equal((await get(a, '/api/projects')).headers['x-cache'], 'HIT');
      const cleared = await t.app.inject({ method: 'DELETE', url: '/cache/clear', headers: bearer(a) });
      assert.deepEqual(cleared.json(), { cleared: 2 });
      assert.equal((await keysOf(b.tenantId)).length, 4);
    });
  });

  it('rejects bad admin input and non-admin callers with 4xx problem+json', async () => {
    const a = await registerTenant(t.app, 'CacheAdmin');
    const editor = await addUser(t.app, a, 'editor');
    const bad = ['', 'x'.repeat(201), 'blue%0Aprints:*', 'tab%09*'];
    for (const pattern of bad) {
      const res = await t.app.inject({
        method: 'DELETE',
        url: `/cache/invalidate?pattern=${pattern}`,
        headers: bearer(a),
      });
      assert.equal(res.statusCode, 400, pattern);
      assert.equal(problemOf(res).errors?.[0]?.path, '/pattern');
    }
    assert.equal(
      (await t.app.inject({ method: 'DELETE', url: '/cache/invalidate', headers: bearer(a) })).statusCode,
      400,
    );
    assert.equal(
      (await t.app.inject({ method: 'DELETE', url: '/cache/invalidate?pattern=*', headers: bearer(editor) }))
        .statusCode,
      403,
    );
    assert.equal(
      (await t.app.inject({ method: 'DELETE', url: '/cache/clear', headers: bearer(editor) })).statusCode,
      403,
    );
    assert.equal((await get(editor, '/cache/stats')).statusCode, 403);
    assert.equal((await t.app.inject('/cache/stats')).statusCode, 401);
  });

  it('an operator, granted only by the CLI, administers every tenant’s entries', async () => {
    const a = await registerTenant(t.app, 'OpA');
    const b = await registerTenant(t.app, 'OpB');
    const op = await registerTenant(t.app, 'OpHome');
    for (const who of [a, b]) {
      await createBp(who);
      await get(who, '/api/blueprints');
      await get(who, '/api/blueprints');
    }
    const viaApi = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: bearer(op),
      payload: { email: 'sneaky@op.example', password: 'long enough pass', role: 'admin', isOperator: true },
    });
    assert.equal(viaApi.statusCode, 400, 'the API cannot grant the operator flag');
    const own = (await get(op, '/cache/stats')).json();
    assert.equal(own.hits, 0, 'before the grant: own tenant only');

    await promisify(execFile)('npx', ['tsx', 'scripts/operator.ts', op.email], {
      env: { ...process.env, DATABASE_URL: t.database!.bouncerUrl, MIGRATE: 'false', JWT_SECRET: 'x'.repeat(40) },
    });
    const all = (await get(op, '/cache/stats')).json();
    assert.ok(all.hits >= 2 && all.misses >= 2, JSON.stringify(all));
    await new Promise((r) => setTimeout(r, 50)); // L2 stores are written behind the response
    const cleared = await t.app.inject({
      method: 'DELETE',
      url: '/cache/invalidate?pattern=blueprints:*',
      headers: bearer(op),
    });
    assert.ok(cleared.json().invalidated >= 2);
    assert.equal((await get(a, '/api/blueprints')).headers['x-cache'], 'MISS');
    assert.equal((await get(b, '/api/blueprints')).headers['x-cache'], 'MISS');
  });

  it('serves STALE past the TTL while one background request refreshes it (fake clock)', async () => {
    let clock = Date.now();
    const own = await startTestApp('pgbouncer', { REDIS_URL: redis.url }, undefined, { now: () => clock });
    try {
      await waitForCache(own.app);
      const a = await registerTenant(own.app, 'Swr');
      const summary = () => own.app.inject({ url: '/api/projects/stats/summary', headers: bearer(a) });
      assert.equal((await summary()).headers['x-cache'], 'MISS');
      assert.equal((await summary()).headers['x-cache'], 'HIT');
      // A change the API did not make (so nothing invalidated the entry): only the TTL bounds it.
      await directQuery(
        own.database!.directUrl,
        `INSERT INTO projects (id, tenant_id, name, environment, status, owner, created_at, updated_at)
         VALUES ('01900000-0000-7000-8000-0000000000aa', $1, 'external', 'dev', 'active', $2, now(), now())`,
        [a.tenantId, a.userId],
      );
      clock += 61_000; // past the 60 s TTL, inside the 60 s stale window
      const stale = await summary();
      assert.equal(stale.headers['x-cache'], 'STALE');
      assert.equal(stale.json().total, 0, 'the stale entry is served at once');
      let refreshed = stale;
      for (let i = 0; i < 100 && refreshed.headers['x-cache'] !== 'HIT'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        refreshed = await summary();
      }
      assert.equal(refreshed.headers['x-cache'], 'HIT', 'refreshed in the background');
      assert.equal(refreshed.json().total, 1);
      clock += 121_000; // past TTL + stale window: a plain miss
      assert.equal((await summary()).headers['x-cache'], 'MISS');
      const stats = (await own.app.inject({ url: '/cache/stats', headers: bearer(a) })).json();
      assert.equal(stats.stale, 1);
      assert.equal(stats.misses, 2, 'the background refresh is not counted');
    } finally {
      await own.close();
    }
  });

  it('never sends KEYS to Redis (INFO commandstats)', async () => {
    const info = await redis.withClient((c) => c.info('commandstats'));
    assert.match(info, /cmdstat_scan:/, 'SCAN was used');
    assert.doesNotMatch(info, /cmdstat_keys:/);
  });
});
