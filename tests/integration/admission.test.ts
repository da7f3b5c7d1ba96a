import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/infra/db/types.js';
import { bearer, blueprintBody, registerTenant, startTestApp, type Account, type TestApp } from '../helpers/app.js';

const POOL = 5;
const QUEUE = 4;
const DEADLINE_MS = 400;
// A correctness bound: a refused request is answered within its deadline, not after a client timeout.
const MARGIN_MS = 400;

/** Keeps the results of every statement that `match` picks until release (the statements are real). */
function createHold(match: (text: string, params: unknown[] | undefined) => boolean) {
  let on = false;
  let release: () => void = () => {};
  let released = Promise.resolve();
  let held = 0;
  return {
    start() {
      on = true;
      released = new Promise<void>((r) => (release = r));
    },
    stop() {
      on = false;
      release();
    },
    get held() {
      return held;
    },
    wrap(db: Db): Db {
      return {
        ...db,
        query: async <R>(text: string, params?: unknown[]) => {
          if (!on || !match(text, params)) return db.query<R>(text, params);
          const result = await db.query<R>(text, params);
          held++;
          await released;
          held--;
          return result;
        },
      };
    },
  };
}

// Admission control through real PgBouncer: the pool held by slow reads, a bounded queue behind it.
describe('admission control: a bounded queue with a deadline in front of the database', () => {
  let t: TestApp;
  let owner: Account;
  let slow: Account;
  const hold = createHold((text, params) => /FROM blueprints/.test(text) && params?.[0] === slow.tenantId);
  before(async () => {
    t = await startTestApp(
      'pgbouncer',
      { DB_POOL_MAX: String(POOL), DB_QUEUE_MAX: String(QUEUE), DB_QUEUE_TIMEOUT_MS: String(DEADLINE_MS) },
      undefined,
      { wrapDb: hold.wrap },
    );
    owner = await registerTenant(t.app, 'Admitted');
    slow = await registerTenant(t.app, 'Holder');
  });
  after(async () => {
    hold.stop();
    await t.close();
  });

  const timed = async (run: () => Promise<{ statusCode: number; headers: Record<string, unknown> }>) => {
    const start = performance.now();
    const res = await run();
    return { res, ms: performance.now() - start };
  };

  it('sheds uncached work and writes with a prompt 503 + Retry-After, keeps serving hits, applies no half write, recovers', async () => {
    const bp = (
      await t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(owner), payload: blueprintBody() })
    ).json();
    const hitUrl = `/api/blueprints/${bp.id}`;
    await t.app.inject({ url: hitUrl, headers: bearer(owner) });
    assert.equal((await t.app.inject({ url: hitUrl, headers: bearer(owner) })).headers['x-cache'], 'HIT');

    // Every pool connection held by a slow read, and the queue behind them full.
    hold.start();
    const holders = Array.from({ length: POOL }, () =>
      t.app.inject({ url: '/api/blueprints?cache=false', headers: bearer(slow) }),
    );
    while (hold.held < POOL) await new Promise((r) => setTimeout(r, 5));
    const queued = Array.from({ length: QUEUE }, () =>
      timed(() => t.app.inject({ url: '/api/projects?cache=false', headers: bearer(owner) })),
    );

    // Past the queue: refused at once.
    const over = await timed(() => t.app.inject({ url: '/api/blueprints?cache=false', headers: bearer(owner) }));
    assert.equal(over.res.statusCode, 503);
    assert.equal(over.res.headers['retry-after'], '1');
    assert.match(String(over.res.headers['content-type']), /application\/problem\+json/);
    assert.ok(over.ms < MARGIN_MS, `refused in ${over.ms} ms`);

    // Cached hits never wait for the database.
    const hit = await timed(() => t.app.inject({ url: hitUrl, headers: bearer(owner) }));
    assert.equal(hit.res.statusCode, 200);
    assert.equal(hit.res.headers['x-cache'], 'HIT');

    // Writes are refused before they start: nothing of them is applied.
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/blueprints',
      headers: bearer(owner),
      payload: blueprintBody({ name: 'shed write' }),
    });
    assert.equal(write.statusCode, 503);
    const update = await t.app.inject({
      method: 'PUT',
      url: hitUrl,
      headers: bearer(owner),
      payload: blueprintBody({ name: 'shed update' }),
    });
    assert.equal(update.statusCode, 503);

    // The queued ones waited no longer than the deadline.
    for (const q of await Promise.all(queued)) {
      assert.equal(q.res.statusCode, 503);
      assert.ok(q.ms >= DEADLINE_MS - 50 && q.ms < DEADLINE_MS + MARGIN_MS, `queued for ${q.ms} ms`);
    }

    // The pool frees: everything recovers, and the refused writes left nothing behind.
    hold.stop();
    for (const h of await Promise.all(holders)) assert.equal(h.statusCode, 200);
    const list = await t.app.inject({ url: '/api/blueprints?cache=false&limit=100', headers: bearer(owner) });
    assert.equal(list.statusCode, 200);
    const names = list.json().items.map((b: { name: string }) => b.name);
    assert.ok(!names.includes('shed write') && !names.includes('shed update'), names.join(', '));
    assert.equal(
      (await t.app.inject({ url: `${hitUrl}?cache=false`, headers: bearer(owner) })).json().version,
      '1.0.0',
      'the refused update did not bump the version',
    );
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/blueprints',
      headers: bearer(owner),
      payload: blueprintBody({ name: 'after recovery' }),
    });
    assert.equal(created.statusCode, 201);

    const metrics = await t.app.metrics.registry.getSingleMetric('db_admission_shed_total')!.get();
    const shed = Object.fromEntries(metrics.values.map((v) => [v.labels.reason, v.value]));
    assert.ok((shed.queue_full ?? 0) >= 3, JSON.stringify(shed));
    assert.equal(shed.timeout, QUEUE);
  });
});
