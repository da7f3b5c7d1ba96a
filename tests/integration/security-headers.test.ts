import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { bearer, blueprintBody, registerTenant, startTestApp, waitForCache, type TestApp } from '../helpers/app.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { listen, send, type HttpResult } from './auth-http.js';

const ORIGIN = 'https://app.example.com';
const EXPOSED = ['etag', 'location', 'retry-after', 'x-request-id', 'x-cache'];

/** The security headers every API response carries (helmet's, with the API's strict policy). */
function assertSecure(res: HttpResult, what: string): void {
  const h = res.headers;
  assert.equal(
    h['content-security-policy'],
    "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
    `${what}: CSP`,
  );
  assert.equal(h['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.match(h['strict-transport-security'] ?? '', /^max-age=\d+/, `${what}: HSTS`);
  assert.equal(h['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
  assert.equal(h['cross-origin-opener-policy'], 'same-origin', `${what}: COOP`);
  assert.equal(h['cross-origin-resource-policy'], 'same-origin', `${what}: CORP`);
  assert.equal(h['x-powered-by'], undefined, `${what}: X-Powered-By`);
}

/** CORS headers for an allowed origin, with every header a browser script must be able to read. */
function assertCors(res: HttpResult, what: string): void {
  assert.equal(res.headers['access-control-allow-origin'], ORIGIN, `${what}: allow-origin`);
  const exposed = (res.headers['access-control-expose-headers'] ?? '').split(',').map((s) => s.trim().toLowerCase());
  for (const name of EXPOSED) assert.ok(exposed.includes(name), `${what}: exposes ${name} (${exposed})`);
}

// Real HTTP: repeated cache hits are answered before routing, where app.inject() never reaches.
describe('security headers and CORS on every response, fast-path hits included', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let base: string;
  before(async () => {
    redis = await startOwnRedis();
    t = await startTestApp('pgbouncer', { REDIS_URL: redis.url, CORS_ORIGINS: `${ORIGIN},https://admin.example.com` });
    base = await listen(t);
    await waitForCache(t.app);
  });
  after(async () => {
    await t.close();
    await redis.stop();
  });

  it('on successes, errors, 404s and every cache outcome, a hit answered before routing included', async () => {
    const admin = await registerTenant(t.app, 'Headers');
    await t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(admin), payload: blueprintBody() });
    const withOrigin = { origin: ORIGIN };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const fastPath = async () =>
        JSON.parse((await send(base, '/cache/stats', { headers: bearer(admin) })).body).tiers.l1.fastPath as number;
      const before = await fastPath();
      const get = () => send(base, '/api/blueprints?limit=3', { headers: { ...bearer(admin), ...withOrigin }, agent });
      const [miss, routedHit, fastHit, fastAgain] = [await get(), await get(), await get(), await get()];
      assert.deepEqual(
        [miss, routedHit, fastHit, fastAgain].map((r) => r.headers['x-cache']),
        ['MISS', 'HIT', 'HIT', 'HIT'],
      );
      assert.equal((await fastPath()) - before, 2, 'the last two were answered before routing');
      const created = await send(base, '/api/projects', {
        headers: { ...bearer(admin), ...withOrigin },
        body: { name: 'p', environment: 'dev' },
      });
      assert.equal(created.status, 201, created.body);
      const cases: [string, HttpResult][] = [
        ['cache MISS', miss],
        ['routed HIT', routedHit],
        ['fast-path HIT', fastHit],
        ['fast-path HIT on a kept-alive connection', fastAgain],
        ['201 with Location', created],
        ['health', await send(base, '/health/live', { headers: withOrigin })],
        ['401', await send(base, '/api/blueprints', { headers: withOrigin })],
        ['404', await send(base, '/nope', { headers: withOrigin })],
        [
          '400 bad JSON',
          await send(base, '/api/auth/login', {
            method: 'POST',
            headers: { ...withOrigin, 'content-type': 'application/json' },
            body: undefined,
          }),
        ],
        [
          'login 401',
          await send(base, '/api/auth/login', { headers: withOrigin, body: { email: 'a@b.c', password: 'x' } }),
        ],
      ];
      assert.deepEqual(
        cases.map(([, res]) => res.status),
        [200, 200, 200, 200, 201, 200, 401, 404, 400, 401],
      );
      for (const [what, res] of cases) {
        assertSecure(res, what);
        assertCors(res, what);
      }
      assert.match(created.headers.location ?? '', /^\/api\/projects\//);
    } finally {
      agent.destroy();
    }
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      send(base, '/api/blueprints', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const ok = await preflight(ORIGIN);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers['access-control-allow-origin'], ORIGIN);
    assert.match(ok.headers['access-control-allow-headers'] ?? '', /authorization/i);
    const other = await preflight('https://evil.example');
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    const plain = await send(base, '/health/live', { headers: { origin: 'https://evil.example' } });
    assert.equal(plain.headers['access-control-allow-origin'], undefined);
    assertSecure(plain, 'disallowed origin');
  });

  it('gives /docs a policy under which the Swagger UI loads: its own scripts and styles, the spec from itself', async () => {
    let page = await send(base, '/docs');
    if (page.status >= 300 && page.status < 400)
      page = await send(base, new URL(page.headers.location!, `${base}/docs`).pathname);
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] ?? '', /text\/html/);
    const csp = page.headers['content-security-policy'] ?? '';
    const directive = (name: string) =>
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .find((d) => d[0] === name)
        ?.slice(1) ?? [];
    assert.ok(directive('default-src').includes("'self'"), `the UI fetches the spec from its own origin: ${csp}`);
    assert.ok(directive('script-src').includes("'self'"), csp);
    assert.ok(!directive('script-src').includes("'unsafe-inline'"), 'no inline scripts allowed');
    assert.ok(directive('style-src').includes("'self'"), csp);
    assert.ok(directive('img-src').includes('data:'), csp);
    assert.ok(!csp.includes('upgrade-insecure-requests'), 'plain-http servers keep working');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    // Every script the page loads is a same-origin file (no inline script), and each is served.
    const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 2);
    for (const [, attrs, inline] of scripts) {
      const src = /src="([^"]+)"/.exec(attrs!)?.[1];
      assert.ok(src && !/^[a-z]+:|^\/\//i.test(src), `same-origin script: ${attrs}`);
      assert.equal(inline!.trim(), '');
      const file = await send(base, new URL(src, `${base}/docs/`).pathname);
      assert.equal(file.status, 200, src);
      assert.ok(file.headers['content-security-policy'], `${src} has a policy too`);
    }
    const spec = await send(base, '/docs/json');
    assert.equal(spec.status, 200);
  });
});
