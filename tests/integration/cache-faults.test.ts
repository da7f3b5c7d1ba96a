import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  bearer,
  blueprintBody,
  registerTenant,
  startTestApp,
  waitForCache,
  type Account,
  type TestApp,
} from '../helpers/app.js';
import { startBlackHole, startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/stack.js';

const COMMAND_TIMEOUT_MS = 50;
// A correctness bound, not a performance threshold: proves no request waits on a dead Redis.
const BOUND_MS = COMMAND_TIMEOUT_MS + 450;

// inject() never touches the network, so a loop of cache hits would starve the event loop of
// the I/O (pub/sub messages) and timers (the breaker's probe) a real server interleaves.
const yieldToEventLoop = () => new Promise((r) => setImmediate(r));

async function timed(t: TestApp, url: string, who: Account) {
  await yieldToEventLoop();
  const start = performance.now();
  const res = await t.app.inject({ url, headers: bearer(who) });
  return { res, ms: performance.now() - start };
}

// Two replicas sharing one PostgreSQL (through PgBouncer) and one Redis that the tests stop,
// pause and restart.
describe('response cache under Redis faults and across replicas', () => {
  let redis: OwnRedis;
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let owner: Account;
  before(async () => {
    redis = await startOwnRedis();
    database = await createTestDatabase();
    const env = { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) };
    a = await startTestApp('pgbouncer', env, database);
    b = await startTestApp('pgbouncer', { ...env, MIGRATE: 'false' }, database);
    await Promise.all([waitForCache(a.app), waitForCache(b.app)]);
    owner = await registerTenant(a.app, 'Faults');
  });
  after(async () => {
    await a.close();
    await b.close();
    await database.drop();
    await redis.stop();
  });

  it('another replica stops serving an updated entry within a bounded, measured delay', async (tc) => {
    const bp = (
      await a.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(owner), payload: blueprintBody() })
    ).json();
    const url = `/api/blueprints/${bp.id}`;
    // The first read may race the create's own invalidation message and not be stored.
    let cached = false;
    for (let i = 0; i < 5 && !cached; i++) cached = (await timed(b, url, owner)).res.headers['x-cache'] === 'HIT';
    assert.ok(cached, 'B serves the blueprint from cache');
    const delays: number[] = [];
    for (let round = 1; round <= 5; round++) {
      const name = `replicated ${round}`;
      const put = await a.app.inject({ method: 'PUT', url, headers: bearer(owner), payload: blueprintBody({ name }) });
      assert.equal(put.statusCode, 200);
      const acked = performance.now();
      let seen = '';
      while (seen !== name) {
        assert.ok(performance.now() - acked < 2_000, 'replica B converged within 2 s');
        await yieldToEventLoop();
        seen = (await b.app.inject({ url, headers: bearer(owner) })).json().name;
      }
      delays.push(performance.now() - acked);
      // The read that first saw the new version may have raced the bus message (then it is not
      // stored); one more read at most, and B serves the new version from cache again.
      await timed(b, url, owner);
      const { res: again } = await timed(b, url, owner);
      assert.equal(again.headers['x-cache'], 'HIT', 'B caches again');
      assert.equal(again.json().name, name);
    }
    tc.diagnostic(`pub/sub invalidation delay to replica B (ms): ${delays.map((d) => d.toFixed(2)).join(', ')}`);
  });

  it('keeps serving uncached while Redis is down, recovers by itself, and never reads a pre-outage version', async () => {
    const bp = (
      await a.app.inject({
        method: 'POST',
        url: '/api/blueprints',
        headers: bearer(owner),
        payload: blueprintBody({ name: 'before outage' }),
      })
    ).json();
    const url = `/api/blueprints/${bp.id}`;
    for (const app of [a, b]) {
      await timed(app, url, owner);
      assert.equal((await timed(app, url, owner)).res.headers['x-cache'], 'HIT');
    }
    await redis.stop();
    const during: { status: number; ms: number; cache: unknown }[] = [];
    const until = performance.now() + 1_000;
    while (performance.now() < until) {
      for (const app of [a, b]) {
        for (const u of [url, '/api/blueprints', '/api/projects/stats/summary']) {
          const { res, ms } = await timed(app, u, owner);
          during.push({ status: res.statusCode, ms, cache: res.headers['x-cache'] });
        }
      }
    }
    assert.deepEqual(new Set(during.map((d) => d.status)), new Set([200]), 'no request failed');
    assert.ok(Math.max(...during.map((d) => d.ms)) < BOUND_MS, `slowest ${Math.max(...during.map((d) => d.ms))} ms`);
    assert.equal(during.at(-1)!.cache, 'BYPASS');
    const ready = await a.app.inject('/health/ready');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'degraded', checks: { database: 'up', cache: 'down' } });

    const put = await a.app.inject({
      method: 'PUT',
      url,
      headers: bearer(owner),
      payload: blueprintBody({ name: 'during outage' }),
    });
    assert.equal(put.statusCode, 200, 'writes are acknowledged during the outage');

    await redis.start();
    await Promise.all([waitForCache(a.app), waitForCache(b.app)]);
    for (const app of [a, b, a, b]) {
      const { res } = await timed(app, url, owner);
      assert.equal(res.json().name, 'during outage');
      assert.equal((await timed(app, '/api/blueprints', owner)).res.json().items[0].name, 'during outage');
    }
    assert.equal((await timed(a, url, owner)).res.headers['x-cache'], 'HIT', 'cache back in use');
  });

  it('a Redis that stops answering (paused, data kept) bypasses within the timeout, and the write made meanwhile wins after recovery', async () => {
    const bp = (
      await a.app.inject({
        method: 'POST',
        url: '/api/blueprints',
        headers: bearer(owner),
        payload: blueprintBody({ name: 'v1' }),
      })
    ).json();
    const url = `/api/blueprints/${bp.id}`;
    for (const app of [a, b]) {
      await timed(app, url, owner);
      assert.equal((await timed(app, url, owner)).res.headers['x-cache'], 'HIT');
    }
    await redis.pause(3_000);
    const durations: number[] = [];
    let bypassed = false;
    const until = performance.now() + 1_500;
    while (performance.now() < until) {
      const { res, ms } = await timed(a, '/api/blueprints?limit=3', owner);
      assert.equal(res.statusCode, 200);
      durations.push(ms);
      bypassed ||= res.headers['x-cache'] === 'BYPASS';
      await new Promise((r) => setTimeout(r, 5)); // inject() alone never lets timers (the probe) run
    }
    assert.ok(bypassed, 'the breaker opened');
    assert.ok(Math.max(...durations) < BOUND_MS, `slowest ${Math.max(...durations)} ms`);
    const put = await a.app.inject({
      method: 'PUT',
      url,
      headers: bearer(owner),
      payload: blueprintBody({ name: 'v2' }),
    });
    assert.equal(put.statusCode, 200);
    // Recovery: Redis still holds v1 entries; the queued invalidation (and B's distrust of
    // pre-outage entries) must keep every read at v2.
    const deadline = performance.now() + 5_000;
    let recovered = false;
    for (let afterRecovery = 5; afterRecovery > 0 && performance.now() < deadline;) {
      for (const app of [a, b]) {
        const { res } = await timed(app, url, owner);
        assert.equal(
          res.json().name,
          'v2',
          `${app === a ? 'A' : 'B'} read ${res.json().name} with X-Cache ${res.headers['x-cache']}`,
        );
        recovered ||= res.headers['x-cache'] === 'HIT';
      }
      if (recovered) afterRecovery -= 1;
      else await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(recovered, 'served from cache again after recovery');
  });

  it('a Redis that accepts connections but never answers: every request succeeds uncached, quickly', async () => {
    const hole = await startBlackHole();
    const t = await startTestApp(
      'pgbouncer',
      { REDIS_URL: hole.url, REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), MIGRATE: 'false' },
      database,
    );
    try {
      const me = await registerTenant(t.app, 'BlackHole');
      for (let i = 0; i < 20; i++) {
        const { res, ms } = await timed(t, '/api/blueprints', me);
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['x-cache'], 'BYPASS');
        assert.ok(ms < BOUND_MS, `${ms} ms`);
      }
      const ready = (await t.app.inject('/health/ready')).json();
      assert.equal(ready.status, 'degraded');
    } finally {
      await t.close();
      await hole.close();
    }
  });
});
