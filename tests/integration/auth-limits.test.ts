import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerTenant, startTestApp, type Account, type TestApp } from '../helpers/app.js';
import { startBlackHole, startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/stack.js';
import { eventually, listen, login, send } from './auth-http.js';

const WRONG = 'not the password at all';

// Low limits so each is cheap to reach; the defaults are checked in tests/unit/auth/config.test.ts.
const LIMITS = {
  // Redis must answer for counts to be shared: on a loaded machine 50 ms (the default) can pass and
  // send a count to the per-replica fallback, which is the degraded mode, not what these tests check.
  REDIS_COMMAND_TIMEOUT_MS: '1000',
  LOGIN_LIMIT_ACCOUNT_IP: '3/15m',
  LOGIN_LIMIT_ACCOUNT: '6/15m',
  LOGIN_LIMIT_IP: '10/1m',
  REGISTER_LIMIT_IP: '3/1h',
};

function assertLimited(res: { status: number; headers: Record<string, string>; body: string }, what: string) {
  assert.equal(res.status, 429, `${what}: ${res.status} ${res.body}`);
  assert.match(res.headers['retry-after'] ?? '', /^[1-9]\d*$/, `${what}: Retry-After`);
  assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
}

describe('login limits over real HTTP: shared by replicas through Redis, per forwarded client', () => {
  let redis: OwnRedis;
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let direct: TestApp;
  let baseA: string;
  let baseB: string;
  let baseDirect: string;
  const accounts: Pick<Account, 'email' | 'password'>[] = [];
  let next = 0;
  /** A registered account no other test has touched. */
  const fresh = () => accounts[next++]!;

  before(async () => {
    redis = await startOwnRedis();
    database = await createTestDatabase();
    // Two replicas behind a proxy on 127.0.0.1, sharing the database and Redis...
    const env = { ...LIMITS, REDIS_URL: redis.url, TRUST_PROXY: '127.0.0.1' };
    a = await startTestApp('pgbouncer', env, database);
    b = await startTestApp('pgbouncer', env, database);
    // ...and one that trusts no proxy (the default).
    direct = await startTestApp('pgbouncer', { ...LIMITS, REDIS_URL: redis.url }, database);
    [baseA, baseB, baseDirect] = await Promise.all([listen(a), listen(b), listen(direct)]);
    // Each from its own forwarded address: registrations are limited per address too.
    for (let i = 0; i < 10; i++) {
      const email = `limits${i}.${Date.now()}@x.example`;
      const password = 'correct horse battery staple';
      const res = await send(baseA, '/api/auth/register', {
        body: { email, password, organization: `Limits${i}` },
        headers: { 'x-forwarded-for': `10.254.0.${i}` },
      });
      assert.equal(res.status, 201, res.body);
      accounts.push({ email, password });
    }
    // The limits' Redis connections are up once a failure on each replica lands in Redis.
    for (const [i, base] of [baseA, baseB, baseDirect].entries()) {
      await eventually(async () => {
        await login(base, `probe${i}@nowhere.example`, WRONG, `10.255.0.${i}`);
        return (await redis.withClient((c) => c.keys('authlimit:account-ip:*'))).length > i;
      }, 5_000);
    }
  });
  after(async () => {
    await Promise.all([a.close(), b.close(), direct.close()]);
    await database.drop();
    await redis.stop();
  });

  it('counts failures of one account+address on every replica, and then refuses even the right password', async () => {
    const u = fresh();
    assert.equal((await login(baseA, u.email, WRONG, '10.0.0.1')).status, 401);
    assert.equal((await login(baseB, u.email, WRONG, '10.0.0.1')).status, 401);
    assert.equal((await login(baseA, u.email, WRONG, '10.0.0.1')).status, 401);
    assertLimited(await login(baseB, u.email, u.password, '10.0.0.1'), 'right password, limited pair');
    assertLimited(await login(baseA, u.email, u.password, '10.0.0.1'), 'the other replica');
    assert.equal((await login(baseB, u.email, u.password, '10.0.0.2')).status, 200, 'another client address');
  });

  it('successful logins never use a limit up', async () => {
    const u = fresh();
    for (let i = 0; i < 12; i++) {
      assert.equal((await login(i % 2 ? baseA : baseB, u.email, u.password, '10.0.1.1')).status, 200);
    }
    for (let i = 0; i < 3; i++) assert.equal((await login(baseA, u.email, WRONG, '10.0.1.1')).status, 401);
    assertLimited(await login(baseA, u.email, WRONG, '10.0.1.1'), 'the fourth failure');
  });

  it('concurrent guesses on two replicas never exceed the limit', async () => {
    const u = fresh();
    const all = await Promise.all(
      Array.from({ length: 24 }, (_, i) => login(i % 2 ? baseA : baseB, u.email, WRONG, '10.0.2.1')),
    );
    const counts = { 401: 0, 429: 0 } as Record<number, number>;
    for (const r of all) counts[r.status] = (counts[r.status] ?? 0) + 1;
    assert.deepEqual(counts, { 401: 3, 429: 21 }, 'exactly three passwords were checked');
  });

  it('a stranger cannot lock an account out of the address its owner logs in from', async () => {
    const u = fresh();
    assert.equal((await login(baseA, u.email, u.password, '192.0.2.10')).status, 200, 'the owner, once');
    // Two stranger addresses exhaust the account-wide limit (6 = 2 × 3).
    for (const ip of ['198.51.100.1', '198.51.100.2']) {
      for (let i = 0; i < 3; i++) assert.equal((await login(baseB, u.email, WRONG, ip)).status, 401);
    }
    assertLimited(await login(baseA, u.email, u.password, '203.0.113.50'), 'unknown address, account-wide limit');
    assert.equal((await login(baseB, u.email, u.password, '192.0.2.10')).status, 200, 'known address stays open');
  });

  it('behind a trusted proxy the per-address limit locks out one client, not everybody', async () => {
    for (let i = 0; i < 10; i++) {
      assert.equal((await login(baseA, `nobody${i}@x.example`, WRONG, '10.0.3.1')).status, 401);
    }
    const u = fresh();
    assertLimited(await login(baseB, u.email, u.password, '10.0.3.1'), 'the flooding client');
    assert.equal((await login(baseB, u.email, u.password, '10.0.3.2')).status, 200, 'everybody else');
    // Only the hop the proxy appended is believed: a client cannot pick its address.
    assertLimited(await login(baseA, u.email, u.password, '10.0.3.99, 10.0.3.1'), 'spoofed first entry');
  });

  it('without TRUST_PROXY the forwarded address is ignored: every client shares the proxy’s address', async () => {
    // Ten failures (the probe in before() was one) from ten different forwarded addresses.
    for (let i = 0; i < 10; i++) {
      const res = await login(baseDirect, `ghost${i}@x.example`, WRONG, `10.0.4.${i}`);
      if (res.status === 429) break;
      assert.equal(res.status, 401);
    }
    const u = fresh();
    assertLimited(await login(baseDirect, u.email, u.password, '10.0.4.200'), 'a different forwarded address');
    assert.equal((await login(baseA, u.email, u.password, '10.0.4.200')).status, 200, 'a replica that trusts it');
  });

  it('limits registrations per client address on every replica', async () => {
    const register = (base: string, ip: string, n: number) =>
      send(base, '/api/auth/register', {
        body: { email: `reg${n}.${Date.now()}@x.example`, password: 'a long enough password', organization: 'R' },
        headers: { 'x-forwarded-for': ip },
      });
    for (let n = 0; n < 3; n++) assert.equal((await register(n % 2 ? baseA : baseB, '10.0.5.1', n)).status, 201);
    assertLimited(await register(baseA, '10.0.5.1', 3), 'fourth registration');
    assertLimited(await register(baseB, '10.0.5.1', 4), 'fourth registration, other replica');
    assert.equal((await register(baseB, '10.0.5.2', 5)).status, 201);
  });

  it('while Redis is down every replica counts on its own, and no login waits on Redis', async () => {
    await redis.stop();
    try {
      const u = fresh();
      const started = Date.now();
      for (let i = 0; i < 3; i++) assert.equal((await login(baseA, u.email, WRONG, '10.0.6.1')).status, 401);
      assertLimited(await login(baseA, u.email, u.password, '10.0.6.1'), 'per-replica fallback');
      assert.equal((await login(baseB, u.email, u.password, '10.0.6.1')).status, 200, 'B counted nothing');
      assert.ok(Date.now() - started < 5_000, 'no login waited on the dead Redis');
    } finally {
      await redis.start();
    }
  });
});

describe('login limits with a Redis that accepts connections and never answers', () => {
  it('answers every login within a bound and still limits (in memory)', async () => {
    const hole = await startBlackHole();
    const t = await startTestApp('embedded', { REDIS_URL: hole.url, LOGIN_LIMIT_ACCOUNT_IP: '2/15m' });
    try {
      const base = await listen(t);
      const u = await registerTenant(t.app, 'HungRedis');
      const results = [];
      for (const password of [WRONG, WRONG, u.password]) results.push(await login(base, u.email, password));
      assert.deepEqual(
        results.map((r) => r.status),
        [401, 401, 429],
      );
      for (const r of results) assert.ok(r.ms < 3_000, `answered in ${r.ms} ms`);
    } finally {
      await t.close();
      await hole.close();
    }
  });

  it('with a hop count, the client is the address that many hops before the server', async () => {
    const t = await startTestApp('embedded', { TRUST_PROXY: '1', LOGIN_LIMIT_IP: '2/1m' });
    try {
      const base = await listen(t);
      const u = await registerTenant(t.app, 'Hops');
      assert.equal((await login(base, 'x1@x.example', WRONG, 'spoof-a, 10.7.0.1')).status, 401);
      assert.equal((await login(base, 'x2@x.example', WRONG, 'spoof-b, 10.7.0.1')).status, 401);
      assertLimited(await login(base, u.email, u.password, 'spoof-c, 10.7.0.1'), 'same last hop');
      assert.equal((await login(base, u.email, u.password, '10.7.0.1, 10.7.0.2')).status, 200, 'another last hop');
    } finally {
      await t.close();
    }
  });
});
