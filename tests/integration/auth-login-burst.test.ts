import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import argon2 from 'argon2';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { hashPassword } from '../../src/modules/auth/passwords.js';
import { bearer, blueprintBody, registerTenant, startTestApp, waitForCache, type TestApp } from '../helpers/app.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { directQuery } from '../helpers/stack.js';
import { listen, login, send, type HttpResult } from './auth-http.js';

const USERS = 500;
const PASSWORD = 'burst password 2026';

const pct = (xs: number[], p: number) =>
  [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

/** Runs `probe` every `everyMs` until stop() and collects how long each took (ms). */
function sampler(probe: () => Promise<unknown>, everyMs: number) {
  const ms: number[] = [];
  const failures: unknown[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        await probe();
      } catch (err) {
        failures.push(err);
      }
      ms.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    ms,
    failures,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

// 500 users log in at once from one address (a load test's start) through real HTTP, PgBouncer
// and Redis, while a cached read and libuv thread-pool work (file and DNS) are measured alongside.
describe(`${USERS} concurrent logins from one address`, () => {
  let redis: OwnRedis;
  const apps: TestApp[] = [];
  // A spy on argon2 (the server runs in this process): how many checks ran at once.
  const lib = argon2 as unknown as { verify: (...args: unknown[]) => Promise<boolean> };
  const realVerify = lib.verify;
  let inFlight = 0;
  let maxInFlight = 0;
  before(async () => {
    redis = await startOwnRedis();
    lib.verify = async (...args) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await realVerify(...args);
      } finally {
        inFlight -= 1;
      }
    };
  });
  after(async () => {
    lib.verify = realVerify;
    for (const t of apps) await t.close();
    await redis.stop();
  });

  async function burst(env: Record<string, string>) {
    maxInFlight = 0;
    const t = await startTestApp('pgbouncer', { REDIS_URL: redis.url, ...env });
    apps.push(t);
    const base = await listen(t);
    await waitForCache(t.app);
    const admin = await registerTenant(t.app, 'Burst');
    const hash = await hashPassword(PASSWORD);
    await directQuery(
      t.database!.directUrl,
      `INSERT INTO users (id, tenant_id, email, password_hash, role)
       SELECT gen_random_uuid(), $1, 'burst' || n || '@burst.example', $2, 'viewer' FROM generate_series(1, $3) n`,
      [admin.tenantId, hash, USERS],
    );
    await t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(admin), payload: blueprintBody() });
    const reader = new Agent({ keepAlive: true, maxSockets: 1 });
    const cachedGet = async () => {
      const r = await send(base, '/api/blueprints?limit=5', {
        headers: bearer(admin),
        agent: reader,
        timeoutMs: 30_000,
      });
      if (r.status !== 200 || r.headers['x-cache'] !== 'HIT')
        throw new Error(`cached GET: ${r.status} ${r.headers['x-cache']}`);
    };
    await send(base, '/api/blueprints?limit=5', { headers: bearer(admin), agent: reader });
    await cachedGet();

    const crowd = new Agent({ keepAlive: false, maxSockets: Infinity });
    const reads = sampler(cachedGet, 50);
    const pool = sampler(() => Promise.all([readFile('package.json'), lookup('localhost')]), 50);
    const t0 = performance.now();
    const results: HttpResult[] = await Promise.all(
      Array.from({ length: USERS }, (_, i) =>
        send(base, '/api/auth/login', {
          body: { email: `burst${i + 1}@burst.example`, password: PASSWORD },
          agent: crowd,
          timeoutMs: 60_000,
        }),
      ),
    );
    const tookMs = performance.now() - t0;
    await Promise.all([reads.stop(), pool.stop()]);
    reader.destroy();
    crowd.destroy();
    const ipCount = await redis.withClient((c) => c.get('authlimit:ip:127.0.0.1'));
    return { results, tookMs, reads, pool, ipCount, base, maxInFlight };
  }

  function check(run: Awaited<ReturnType<typeof burst>>, label: string) {
    const by: Record<number, number> = {};
    for (const r of run.results) by[r.status] = (by[r.status] ?? 0) + 1;
    console.log(
      `# ${label}: ${JSON.stringify(by)} in ${Math.round(run.tookMs)} ms; cached GET during it: n=${run.reads.ms.length}` +
        ` p50 ${pct(run.reads.ms, 0.5).toFixed(1)} ms max ${Math.max(...run.reads.ms).toFixed(1)} ms;` +
        ` thread-pool work (file + DNS) max ${Math.max(...run.pool.ms).toFixed(1)} ms;` +
        ` argon2 checks at once: ${run.maxInFlight}`,
    );
    for (const r of run.results) {
      assert.ok(r.status === 200 || r.status === 503, `login answered ${r.status}: ${r.body}`);
      if (r.status === 503) {
        assert.match(r.headers['retry-after'] ?? '', /^[1-9]\d*$/);
        assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
      } else {
        assert.equal(typeof JSON.parse(r.body).token, 'string');
      }
    }
    assert.ok((by[200] ?? 0) > 0, 'some logins succeeded');
    assert.deepEqual(run.reads.failures, [], 'every cached GET was a 200 HIT');
    assert.ok(run.reads.ms.length >= 3, 'cached GETs were measured during the burst');
    // Correctness bounds (a stall would show as seconds), not performance thresholds.
    assert.ok(Math.max(...run.reads.ms) < 2_000, 'no cached GET stalled behind the logins');
    // Hashing never takes every libuv thread: at most `concurrency` checks at once, below the pool size.
    const { concurrency } = loadConfig({ JWT_SECRET: 'x'.repeat(40), PGLITE_DIR: 'memory://' }).auth.hashing;
    assert.ok(run.maxInFlight >= 1 && run.maxInFlight <= concurrency, `${run.maxInFlight} checks at once`);
    assert.ok(concurrency < Number(process.env.UV_THREADPOOL_SIZE ?? 4));
    assert.ok(Math.max(...run.pool.ms) < 10_000, 'file and DNS work never waited behind the queue of logins');
    assert.ok(run.ipCount === null || Number(run.ipCount) === 0, `only in-flight checks hold counts (${run.ipCount})`);
  }

  it('with the default deadline: every login 200 or 503 + Retry-After, no 429, reads never stall', async () => {
    check(await burst({}), 'default deadline');
  });

  it('with a 1 s deadline the overflow is shed promptly with 503 + Retry-After', async () => {
    const run = await burst({ PASSWORD_HASH_WAIT_MS: '1000' });
    check(run, '1 s deadline');
    const shed = run.results.filter((r) => r.status === 503);
    assert.ok(shed.length > 0, 'some were shed');
    for (const r of shed) assert.ok(r.ms < 10_000, `a shed login answered after ${r.ms} ms`);
    // The gate drains: a login afterwards succeeds.
    assert.equal((await login(run.base, 'burst1@burst.example', PASSWORD)).status, 200);
  });
});
