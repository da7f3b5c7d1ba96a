import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/infra/db/types.js';
import {
  bearer,
  blueprintBody,
  registerTenant,
  startTestApp,
  waitForCache,
  type Account,
  type TestApp,
} from '../helpers/app.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/stack.js';

const COMMAND_TIMEOUT_MS = 50;

/** Holds back the result of a statement a test picks until it releases it (the statement itself is real). */
function createGate() {
  let match: ((text: string, params: unknown[] | undefined) => boolean) | undefined;
  let release: () => void = () => {};
  let held = Promise.resolve();
  let reached: () => void = () => {};
  let arrived = Promise.resolve();
  return {
    /** Holds the next statements `m` matches; resolves `arrived` when the first one is held. */
    hold(m: (text: string, params: unknown[] | undefined) => boolean) {
      match = m;
      held = new Promise<void>((r) => (release = r));
      arrived = new Promise<void>((r) => (reached = r));
    },
    /** Resolves once the held statement ran; fails (instead of hanging) if none ever does. */
    get arrived() {
      let timer: NodeJS.Timeout;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the held statement never ran')), 10_000);
      });
      return Promise.race([arrived, late]).finally(() => clearTimeout(timer));
    },
    open() {
      match = undefined;
      release();
    },
    wrap(db: Db): Db {
      return {
        ...db,
        query: async <R>(text: string, params?: unknown[]) => {
          if (!match?.(text, params)) return db.query<R>(text, params);
          match = undefined; // one statement only
          // It runs now (it reads the state as of now); its rows reach the caller on release.
          const result = await db.query<R>(text, params);
          reached();
          await held;
          return result;
        },
      };
    },
  };
}

// The cache's consistency under races, load and Redis faults: real PgBouncer, a Redis of its own.
describe('cache consistency: per-tag guards, exact list invalidation, load, conditional requests', () => {
  let redis: OwnRedis;
  let database: TestDatabase;
  let t: TestApp;
  let owner: Account;
  const gate = createGate();
  before(async () => {
    redis = await startOwnRedis();
    database = await createTestDatabase();
    t = await startTestApp(
      'pgbouncer',
      { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) },
      database,
      { wrapDb: gate.wrap },
    );
    await waitForCache(t.app);
    owner = await registerTenant(t.app, 'Consistency');
  });
  after(async () => {
    gate.open();
    await t.close();
    await database.drop();
    await redis.stop();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url, headers: { ...bearer(owner), ...headers } });
  const create = async (over: Record<string, unknown> = {}) =>
    (
      await t.app.inject({
        method: 'POST',
        url: '/api/blueprints',
        headers: bearer(owner),
        payload: blueprintBody(over),
      })
    ).json();

  // A creation caches its own detail; these tests need the detail's next read to be a miss.
  const forget = () => t.app.inject({ method: 'DELETE', url: '/cache/clear', headers: bearer(owner) });

  it('a write to X during a slow miss of Y does not refuse storing Y (guards are per tag)', async () => {
    const [x, y] = [await create({ name: 'x' }), await create({ name: 'y' })];
    await forget();
    gate.hold((text, params) => /FROM blueprints/.test(text) && params?.includes(y.id) === true);
    const slowY = get(`/api/blueprints/${y.id}`);
    await gate.arrived;
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/blueprints/${x.id}`,
      headers: bearer(owner),
      payload: blueprintBody({ name: 'x2' }),
    });
    assert.equal(put.statusCode, 200);
    gate.open();
    assert.equal((await slowY).headers['x-cache'], 'MISS');
    await new Promise((r) => setTimeout(r, 20)); // the L2 store is written behind the response
    const again = await get(`/api/blueprints/${y.id}`);
    assert.equal(again.headers['x-cache'], 'HIT', 'Y was stored although X was written meanwhile');
  });

  it('a slow miss of X is not stored when X is written meanwhile', async () => {
    const x = await create({ name: 'before' });
    await forget();
    gate.hold((text, params) => /FROM blueprints/.test(text) && params?.includes(x.id) === true);
    const slowX = get(`/api/blueprints/${x.id}`);
    await gate.arrived;
    await t.app.inject({
      method: 'PUT',
      url: `/api/blueprints/${x.id}`,
      headers: bearer(owner),
      payload: blueprintBody({ name: 'after' }),
    });
    gate.open();
    assert.equal((await slowX).json().name, 'before', 'the slow read began before the write');
    await new Promise((r) => setTimeout(r, 20));
    const next = await get(`/api/blueprints/${x.id}`);
    assert.equal(next.json().name, 'after', 'its pre-write result was never stored');
  });

  it('after a create, a page-2 read stays a HIT; first pages and stats show the new state', async () => {
    const a = await registerTenant(t.app, 'Pages');
    const as = (url: string) => t.app.inject({ url, headers: bearer(a) });
    for (let i = 0; i < 5; i++)
      await t.app.inject({
        method: 'POST',
        url: '/api/blueprints',
        headers: bearer(a),
        payload: blueprintBody({ name: `old ${i}` }),
      });
    const first = await as('/api/blueprints?limit=2');
    const page2Url = `/api/blueprints?limit=2&cursor=${first.json().nextCursor}`;
    const awsFirst = await as('/api/blueprints?limit=2&provider=aws');
    const stats = await as('/api/projects/stats/summary');
    const page2 = await as(page2Url);
    assert.equal((await as(page2Url)).headers['x-cache'], 'HIT');

    const created = await t.app.inject({
      method: 'POST',
      url: '/api/blueprints',
      headers: bearer(a),
      payload: blueprintBody({ name: 'newest' }),
    });
    assert.equal(created.statusCode, 201);

    const page2After = await as(page2Url);
    assert.equal(page2After.headers['x-cache'], 'HIT', 'page 2 cannot change with a creation');
    assert.equal(page2After.body, page2.body);
    for (const [url, old] of [
      ['/api/blueprints?limit=2', first],
      ['/api/blueprints?limit=2&provider=aws', awsFirst],
    ] as const) {
      const now = await as(url);
      assert.notEqual(now.headers.etag, old.headers.etag, `${url}: not the pre-write entry`);
      assert.equal(now.json().items[0].name, 'newest', url);
    }
    const statsAfter = await as('/api/projects/stats/summary');
    assert.notEqual(statsAfter.headers.etag, stats.headers.etag);
    assert.equal(statsAfter.json().blueprints, 6);
    // An update that changes no filter membership touches only the pages showing the item.
    const firstNow = await as('/api/blueprints?limit=2');
    const shown = firstNow.json().items[1];
    await t.app.inject({
      method: 'PUT',
      url: `/api/blueprints/${shown.id}`,
      headers: bearer(a),
      payload: blueprintBody({ name: shown.name, description: shown.description, tags: { changed: 'yes' } }),
    });
    assert.equal((await as(page2Url)).body, page2.body, 'page 2 does not show it');
    assert.deepEqual((await as('/api/blueprints?limit=2')).json().items[1].tags, { changed: 'yes' });
  });

  it('a request arriving after an acknowledged write never joins a miss begun before it', async () => {
    const a = await registerTenant(t.app, 'Coalesce');
    const as = (url: string) => t.app.inject({ url, headers: bearer(a) });
    await t.app.inject({
      method: 'POST',
      url: '/api/blueprints',
      headers: bearer(a),
      payload: blueprintBody({ name: 'first' }),
    });
    gate.hold((text, params) => /FROM blueprints/.test(text) && params?.[0] === a.tenantId);
    const leader = as('/api/blueprints?limit=7');
    await gate.arrived;
    const early = as('/api/blueprints?limit=7'); // joins the leader: it arrived before the write
    await new Promise((r) => setImmediate(r));
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/blueprints',
      headers: bearer(a),
      payload: blueprintBody({ name: 'second' }),
    });
    assert.equal(created.statusCode, 201);
    const late = as('/api/blueprints?limit=7');
    gate.open();
    const names = (r: { json(): { items: { name: string }[] } }) => r.json().items.map((i) => i.name);
    assert.deepEqual(names(await leader), ['first']);
    assert.deepEqual(names(await early), ['first']);
    assert.deepEqual(names(await late), ['second', 'first'], 'the late request saw the write');
    assert.deepEqual(names(await as('/api/blueprints?limit=7')), ['second', 'first']);
  });

  it('ids are case-insensitive: an upper-case write is seen by a lower-case read', async () => {
    const bp = await create({ name: 'lower' });
    const lower = `/api/blueprints/${bp.id}`;
    const upper = `/api/blueprints/${String(bp.id).toUpperCase()}`;
    await get(lower);
    assert.equal((await get(lower)).headers['x-cache'], 'HIT');
    assert.equal((await get(upper)).headers['x-cache'], 'HIT', 'one entry for both spellings');
    const put = await t.app.inject({
      method: 'PUT',
      url: upper,
      headers: bearer(owner),
      payload: blueprintBody({ name: 'upper wrote' }),
    });
    assert.equal(put.statusCode, 200);
    assert.equal((await get(lower)).json().name, 'upper wrote');
    assert.equal((await get(upper)).json().name, 'upper wrote');
  });

  it('fetch() with If-None-Match gets 304 on HIT, MISS and BYPASS', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const bp = await create({ name: 'conditional' });
    await forget();
    const url = `${base}/api/blueprints/${bp.id}`;
    const fetchIt = (u: string, etag: string) =>
      fetch(u, { headers: { ...bearer(owner), 'if-none-match': etag } }).then(async (r) => ({
        status: r.status,
        cache: r.headers.get('x-cache'),
        body: await r.text(),
      }));
    // The ETag learnt without touching the cache; the entry is not cached yet: a MISS.
    const bypassed = await fetch(`${url}?cache=false`, { headers: bearer(owner) });
    const etag = bypassed.headers.get('etag')!;
    assert.equal(bypassed.headers.get('x-cache'), 'BYPASS');
    assert.deepEqual(await fetchIt(url, etag), { status: 304, cache: 'MISS', body: '' });
    assert.deepEqual(await fetchIt(url, etag), { status: 304, cache: 'HIT', body: '' });
    assert.deepEqual(await fetchIt(`${url}?cache=false`, etag), { status: 304, cache: 'BYPASS', body: '' });
    assert.deepEqual(await fetchIt(url, `W/${etag}`), { status: 304, cache: 'HIT', body: '' }, 'weak comparison');
    // A list's ETag is made from its bytes, on BYPASS too.
    const list = await fetch(`${base}/api/blueprints?cache=false`, { headers: bearer(owner) });
    const listTag = list.headers.get('etag')!;
    assert.match(listTag, /^"[^"]+"$/);
    assert.equal((await fetchIt(`${base}/api/blueprints?cache=false`, listTag)).status, 304);
    assert.equal((await fetchIt(`${base}/api/blueprints`, listTag)).status, 304);
    assert.equal((await fetchIt(url, '"stale"')).status, 200);
  });

  it('a saturated event loop with a healthy Redis never bypasses; a SIGSTOPped Redis does, and recovers', async () => {
    const url = '/api/blueprints?limit=3';
    await get(url);
    // CPU-bound work inside the process, in 120 ms slices (more than twice the command timeout),
    // while requests that need Redis keep arriving.
    let busy = true;
    const hog = (async () => {
      while (busy) {
        const until = performance.now() + 120;
        while (performance.now() < until);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const seen = new Set<string>();
    const until = performance.now() + 3_000;
    let n = 0;
    while (performance.now() < until) {
      // Misses through L2 (a new key each time) and writes that invalidate through Redis.
      const res = await get(`/api/blueprints?limit=${1 + (n++ % 100)}&provider=gcp`);
      seen.add(String(res.headers['x-cache']));
      if (n % 10 === 0) await create({ name: `busy ${n}` });
      await new Promise((r) => setTimeout(r, 1));
    }
    busy = false;
    await hog;
    assert.ok(!seen.has('BYPASS'), `X-Cache seen: ${[...seen].join(', ')}`);
    assert.equal((await t.app.inject('/health/ready')).json().checks.cache, 'up', 'the breaker stayed closed');

    redis.signal('SIGSTOP');
    try {
      let bypassAfter: number | undefined;
      const stoppedAt = performance.now();
      while (bypassAfter === undefined && performance.now() - stoppedAt < 3_000) {
        const start = performance.now();
        const res = await get(`/api/blueprints?limit=${1 + (n++ % 100)}&provider=azure`);
        assert.equal(res.statusCode, 200);
        // A correctness bound: no request waits on a hung Redis past its timeout (plus a margin).
        assert.ok(performance.now() - start < COMMAND_TIMEOUT_MS + 450, `${performance.now() - start} ms`);
        if (res.headers['x-cache'] === 'BYPASS') bypassAfter = performance.now() - stoppedAt;
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.ok(bypassAfter !== undefined, 'BYPASS while Redis is stopped');
    } finally {
      redis.signal('SIGCONT');
    }
    await waitForCache(t.app);
    await get(url);
    assert.equal((await get(url)).headers['x-cache'], 'HIT', 'recovered by itself');
  });
});

describe('cache consistency across replicas when Redis is slow during an invalidation', () => {
  let redis: OwnRedis;
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    redis = await startOwnRedis();
    database = await createTestDatabase();
    const env = { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) };
    a = await startTestApp('pgbouncer', env, database);
    b = await startTestApp('pgbouncer', { ...env, MIGRATE: 'false' }, database);
    await Promise.all([waitForCache(a.app), waitForCache(b.app)]);
  });
  after(async () => {
    await a.close();
    await b.close();
    await database.drop();
    await redis.stop();
  });

  it('the other replica stops serving the old entry within a bounded delay, measured', async (tc) => {
    const owner = await registerTenant(a.app, 'SlowBus');
    const bp = (
      await a.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(owner), payload: blueprintBody() })
    ).json();
    const url = `/api/blueprints/${bp.id}`;
    const readB = () => b.app.inject({ url, headers: bearer(owner) });
    for (let i = 0; i < 5 && (await readB()).headers['x-cache'] !== 'HIT'; i++);
    assert.equal((await readB()).headers['x-cache'], 'HIT');
    const PAUSE_MS = 300;
    const delays: number[] = [];
    for (let round = 1; round <= 3; round++) {
      const name = `slow ${round}`;
      await redis.pause(PAUSE_MS);
      const put = await a.app.inject({ method: 'PUT', url, headers: bearer(owner), payload: blueprintBody({ name }) });
      assert.equal(put.statusCode, 200, 'the write is acknowledged while Redis is slow');
      const acked = performance.now();
      let seen = '';
      while (seen !== name) {
        assert.ok(performance.now() - acked < PAUSE_MS + 2_000, `B still serves "${seen}"`);
        await new Promise((r) => setTimeout(r, 2));
        seen = (await readB()).json().name;
      }
      delays.push(performance.now() - acked);
      await waitForCache(a.app);
      await waitForCache(b.app);
    }
    tc.diagnostic(
      `delay until B serves the write, Redis paused ${PAUSE_MS} ms (ms): ${delays.map((d) => d.toFixed(1)).join(', ')}`,
    );
  });
});
