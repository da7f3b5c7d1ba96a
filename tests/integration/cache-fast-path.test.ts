import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, mock } from 'node:test';
import {
  addUser,
  bearer,
  blueprintBody,
  registerTenant,
  startTestApp,
  waitForCache,
  type Account,
  type TestApp,
} from '../helpers/app.js';
import { parseMetrics, sampleValue } from '../helpers/observability.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';

// Repeated hits are answered in the server's request listener (src/infra/cache/http/fast-hits.ts), which
// app.inject() never reaches: these tests speak real HTTP to a listening app.
describe('cache hits answered before routing (real HTTP)', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let base: string;
  let clock = Date.now();
  const lines: Record<string, unknown>[] = [];
  before(async () => {
    redis = await startOwnRedis();
    t = await startTestApp('pgbouncer', { REDIS_URL: redis.url }, undefined, {
      now: () => clock,
      logger: { level: 'debug', stream: { write: (line: string) => lines.push(JSON.parse(line)) } },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    await waitForCache(t.app);
  });
  after(async () => {
    await t.close();
    await redis.stop();
  });

  // node:http, not fetch: fetch adds `Cache-Control: no-cache` to a request carrying If-None-Match.
  const get = (
    who: Pick<Account, 'token'> | undefined,
    path: string,
    headers: Record<string, string> = {},
    method = 'GET',
    agent?: Agent,
  ) =>
    new Promise<{ status: number; headers: Record<string, string>; body: string; reused: boolean }>(
      (resolve, reject) => {
        const req = request(
          `${base}${path}`,
          { method, headers: { ...(who && bearer(who)), ...headers }, timeout: 5_000, ...(agent && { agent }) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode!,
                headers: res.headers as Record<string, string>,
                body: Buffer.concat(chunks).toString('utf8'),
                reused: req.reusedSocket,
              }),
            );
          },
        );
        req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
        req.on('error', reject);
        req.end();
      },
    );
  const statsOf = async (admin: Account) => JSON.parse((await get(admin, '/cache/stats')).body);
  // The tenant's L1 hits answered before routing.
  const fastPathOf = async (admin: Account) => (await statsOf(admin)).tiers.l1.fastPath as number;
  const createBp = (who: Account, name: string) =>
    t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(who), payload: blueprintBody({ name }) });
  const withoutPerRequest = (h: Record<string, string>) => {
    const { 'x-request-id': _id, date: _date, connection: _c, 'keep-alive': _k, ...rest } = h;
    return rest;
  };

  it('repeats a routed HIT with the same status, headers and bytes, counted as an L1 hit', async () => {
    const a = await registerTenant(t.app, 'FastSame');
    await createBp(a, 'fast-same');
    const miss = await get(a, '/api/blueprints?limit=7');
    const routed = await get(a, '/api/blueprints?limit=7');
    const fast = await get(a, '/api/blueprints?limit=7', { 'x-request-id': 'fast-path-check-1' });
    assert.equal(miss.headers['x-cache'], 'MISS');
    assert.equal(routed.headers['x-cache'], 'HIT');
    assert.equal(fast.status, 200);
    assert.deepEqual(withoutPerRequest(fast.headers), withoutPerRequest(routed.headers));
    assert.equal(fast.body, miss.body);
    assert.equal(fast.headers['x-request-id'], 'fast-path-check-1', 'a valid request id is echoed');
    assert.match((await get(a, '/api/blueprints?limit=7')).headers['x-request-id']!, /^[0-9a-f-]{36}$/);
    const stats = await statsOf(a);
    assert.equal(stats.hits, 3);
    assert.equal(stats.misses, 1);
    assert.equal(stats.tiers.l1.hits, 3);
    assert.equal(stats.tiers.l1.fastPath, 2, 'the third and fourth requests never reached the router');
  });

  it('logs and measures a fast hit like a routed one', async () => {
    const a = await registerTenant(t.app, 'FastObserved');
    const scrape = async () => parseMetrics(await t.app.metrics.registry.metrics());
    const series = { method: 'GET', route: '/api/projects', status_code: '200' };
    const before = await scrape();
    for (let i = 0; i < 4; i++) await get(a, '/api/projects?limit=3', { 'x-request-id': `fast-observed-${i}` });
    const samples = await scrape();
    const delta = (name: string) =>
      (sampleValue(samples, name, series) ?? 0) - (sampleValue(before, name, series) ?? 0);
    assert.equal(delta('http_request_duration_seconds_count'), 4);
    assert.equal(delta('http_requests_total'), 4);
    const stats = await statsOf(a);
    assert.equal(stats.tiers.l1.fastPath, 2);
    const line = lines.find((l) => l.reqId === 'fast-observed-3');
    assert.ok(line, 'the fast hit has its request log line');
    assert.equal(line.msg, 'request completed');
    assert.equal(line.level, 20, 'a fast success is logged at debug');
    assert.equal(line.route, '/api/projects');
    assert.equal(line.url, '/api/projects?limit=3');
    assert.equal(line.statusCode, 200);
    assert.equal(typeof line.responseTime, 'number');
    assert.ok(!JSON.stringify(lines).includes(a.token), 'no token in any log line');
  });

  it('never repeats across principals, past a write, past the TTL, or over a client’s own cache headers', async () => {
    const a = await registerTenant(t.app, 'FastA');
    const viewer = await addUser(t.app, a, 'viewer');
    const b = await registerTenant(t.app, 'FastB');
    await createBp(a, 'only-in-a');
    const url = '/api/blueprints?limit=5';
    for (let i = 0; i < 3; i++) await get(a, url);
    assert.equal(await fastPathOf(a), 1);

    // Another tenant, the same URL: its own entry, never A's.
    const other = await get(b, url);
    assert.equal(other.headers['x-cache'], 'MISS');
    assert.ok(!other.body.includes('only-in-a'));
    // Another user of A, the same URL with an Origin, a HEAD: each goes through the router first.
    const before = await fastPathOf(a);
    assert.equal((await get(viewer, url)).headers['x-cache'], 'HIT');
    assert.equal((await get(a, url, { origin: 'https://ui.example' })).headers['x-cache'], 'HIT');
    assert.equal((await get(a, url, {}, 'HEAD')).status, 200);
    assert.equal(await fastPathOf(a), before, 'none of them was answered before routing');
    assert.equal((await get(viewer, url)).headers['x-cache'], 'HIT');
    assert.equal(await fastPathOf(a), before + 1, 'the viewer’s own repeat is');
    // No token, a bad token: the routed path's 401.
    assert.equal((await get(undefined, url)).status, 401);
    assert.equal((await get({ token: `${a.token}x` }, url)).status, 401);
    // The client's validators and cache directives are the routed path's business.
    const etag = (await get(a, url)).headers.etag!;
    assert.equal((await get(a, url, { 'if-none-match': etag })).status, 304);
    assert.equal((await get(a, url, { 'cache-control': 'no-cache' })).headers['x-cache'], 'BYPASS');

    // A write drops the entry and re-reads it: the next read is a routed HIT with the new state
    // (the remembered response is not the entry L1 holds now), and the one after is repeated.
    const fastBefore = await fastPathOf(a);
    assert.equal((await createBp(a, 'written-later')).statusCode, 201);
    const afterWrite = await get(a, url);
    assert.equal(afterWrite.headers['x-cache'], 'HIT');
    assert.ok(afterWrite.body.includes('written-later'));
    assert.equal(await fastPathOf(a), fastBefore, 'not repeated from before the write');
    assert.equal((await get(a, url)).body, afterWrite.body);
    assert.equal(await fastPathOf(a), fastBefore + 1);

    // Past the TTL the entry is stale: the routed path serves STALE and refreshes it.
    clock += 301_000;
    assert.equal((await get(a, url)).headers['x-cache'], 'STALE');
  });

  it('keep-alive connections: matched again after a write, never past the token’s expiry', async () => {
    const a = await registerTenant(t.app, 'FastConnection');
    const url = '/api/blueprints?limit=4';
    const x = new Agent({ keepAlive: true, maxSockets: 1 });
    const y = new Agent({ keepAlive: true, maxSockets: 1 });
    const on = (agent: Agent) => get(a, url, {}, 'GET', agent);
    try {
      for (let i = 0; i < 3; i++) await on(x);
      assert.equal(await fastPathOf(a), 1);
      // A write drops the entry (and re-reads it); connection Y's routed hit remembers the new one,
      // in the slot connection X last repeated: X's next request is answered before routing, with it.
      assert.equal((await createBp(a, 'conn-write')).statusCode, 201);
      assert.equal((await on(y)).headers['x-cache'], 'HIT');
      const again = await on(x);
      assert.ok(again.reused, 'on connection X');
      assert.ok(again.body.includes('conn-write'));
      assert.equal(await fastPathOf(a), 2, 'repeated before routing');

      // The wall clock past the token's expiry (a clock step, not time elapsed on the monotonic
      // clock): the same connection, the same strings, and the routed path's 401.
      const expMs = JSON.parse(Buffer.from(a.token.split('.')[1]!, 'base64url').toString()).exp * 1000;
      mock.timers.enable({ apis: ['Date'], now: expMs + 1_000 });
      let expired;
      try {
        expired = await on(x);
      } finally {
        mock.timers.reset();
      }
      assert.ok(expired.reused, 'on the connection that was answered with it');
      assert.equal(expired.status, 401);
      assert.equal(await fastPathOf(a), 2);
    } finally {
      x.destroy();
      y.destroy();
    }
  });

  it('a connection whose remembered response was forgotten (64 URLs later) looks it up again', async () => {
    const a = await registerTenant(t.app, 'FastForgotten');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const on = () => get(a, '/api/blueprints?limit=100', {}, 'GET', agent);
    try {
      for (let i = 0; i < 3; i++) await on();
      assert.equal(await fastPathOf(a), 1);
      // 64 other URLs remembered for the same user: the first one's slot is dropped.
      for (let n = 1; n <= 64; n++) for (let i = 0; i < 2; i++) await get(a, `/api/blueprints?limit=${n}`);
      assert.equal(await fastPathOf(a), 1);
      // A write replaces the entry; the routed hit is remembered in a new slot, which the
      // connection finds once its old one proved stale.
      assert.equal((await createBp(a, 'forgotten')).statusCode, 201);
      assert.equal((await on()).headers['x-cache'], 'MISS');
      assert.equal((await on()).headers['x-cache'], 'HIT');
      assert.equal((await on()).headers['x-cache'], 'HIT');
      const last = await on();
      assert.ok(last.reused);
      assert.ok(last.body.includes('forgotten'));
      assert.equal(await fastPathOf(a), 3, 'answered before routing again');
    } finally {
      agent.destroy();
    }
  });

  it('while Redis is down every request goes through the router (BYPASS), and fast hits resume after', async () => {
    const a = await registerTenant(t.app, 'FastRedis');
    const url = '/api/projects/stats/summary';
    for (let i = 0; i < 3; i++) await get(a, url);
    const fastBefore = await fastPathOf(a);
    assert.equal(fastBefore, 1);
    await redis.stop();
    const deadline = Date.now() + 5_000;
    while ((await get(undefined, '/health/ready')).body.includes('"cache":"up"') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    const during = await get(a, url);
    assert.equal(during.status, 200);
    assert.equal(during.headers['x-cache'], 'BYPASS');
    await redis.start();
    await waitForCache(t.app, 10_000);
    for (let i = 0; i < 3; i++) await get(a, url);
    const stats = await statsOf(a);
    assert.equal(stats.bypass, 1);
    assert.equal(stats.tiers.l1.fastPath, fastBefore + 1, 'L1 is rebuilt after the outage, then repeated');
  });
});
