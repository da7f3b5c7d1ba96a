import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { addUser, bearer, blueprintBody, registerTenant, startTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, directQuery, type TestDatabase } from '../helpers/stack.js';
import { eventually, listen, login, send } from './auth-http.js';

// Revocation must reach every replica through the database alone: no REDIS_URL here.
describe('deleting or demoting a user revokes its access tokens on every replica (two replicas, no Redis)', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let baseA: string;
  let baseB: string;
  const agents: Agent[] = [];
  /** A keep-alive connection of its own: repeated hits on it take the fast path's shortest way. */
  const connection = () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return agent;
  };

  before(async () => {
    database = await createTestDatabase();
    a = await startTestApp('pgbouncer', {}, database);
    b = await startTestApp('pgbouncer', {}, database);
    [baseA, baseB] = await Promise.all([listen(a), listen(b)]);
  });
  after(async () => {
    for (const agent of agents) agent.destroy();
    await Promise.all([a.close(), b.close()]);
    await database.drop();
  });

  const fastPathOn = async (base: string, admin: { token: string }) =>
    JSON.parse((await send(base, '/cache/stats', { headers: bearer(admin) })).body).tiers.l1.fastPath as number;

  it('a deleted user’s token fails on the other replica within seconds, also on a connection the fast path serves', async () => {
    const admin = await registerTenant(a.app, 'Revoke');
    await a.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(admin), payload: blueprintBody() });
    const editor = await addUser(a.app, admin, 'editor');
    const agent = connection();
    const read = () => send(baseB, '/api/blueprints?limit=5', { headers: bearer(editor), agent });
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((await read()).headers['x-cache']);
    assert.deepEqual(seen, ['MISS', 'HIT', 'HIT', 'HIT']);
    assert.ok((await fastPathOn(baseB, admin)) >= 2, 'B answers the repeats before routing');

    const removed = await send(baseA, `/api/users/${editor.userId}`, { method: 'DELETE', headers: bearer(admin) });
    assert.equal(removed.status, 204);
    assert.equal((await send(baseA, '/api/blueprints?limit=5', { headers: bearer(editor) })).status, 401, 'A at once');
    const took = await eventually(async () => (await read()).status === 401, 5_000, 20);
    const refused = await read();
    assert.equal(refused.status, 401);
    assert.match(JSON.parse(refused.body).detail, /revoked/);
    assert.equal((await send(baseB, '/api/projects', { headers: bearer(editor) })).status, 401, 'any route');
    assert.equal((await login(baseB, editor.email, editor.password)).status, 401, 'no login');
    const refresh = await send(baseB, '/api/auth/refresh', { body: { refreshToken: editor.refreshToken } });
    assert.equal(refresh.status, 401, 'no refresh');
    assert.equal((await read()).status, 401, 'still refused');
    console.log(`# deleted user's token refused on the other replica after ${took} ms`);
  });

  it('a demoted admin’s token fails on the other replica; a new login carries the new role', async () => {
    const owner = await registerTenant(a.app, 'Demote');
    const second = await addUser(a.app, owner, 'admin');
    const agent = connection();
    const users = () => send(baseB, '/api/users', { headers: bearer(second), agent });
    assert.equal((await users()).status, 200);

    const patched = await send(baseA, `/api/users/${second.userId}`, {
      method: 'PATCH',
      headers: bearer(owner),
      body: { role: 'viewer' },
    });
    assert.equal(patched.status, 200, patched.body);
    assert.equal(JSON.parse(patched.body).role, 'viewer');
    await eventually(async () => (await users()).status === 401, 5_000, 20);
    assert.equal(
      (await send(baseB, '/api/blueprints', { headers: bearer(second) })).status,
      401,
      'old token: no route',
    );

    const again = await login(baseB, second.email, second.password);
    assert.equal(again.status, 200);
    const fresh = { token: JSON.parse(again.body).token as string };
    assert.equal(JSON.parse(again.body).user.role, 'viewer');
    assert.equal((await send(baseB, '/api/users', { headers: bearer(fresh) })).status, 403);
    assert.equal((await send(baseA, '/api/blueprints', { headers: bearer(fresh) })).status, 200);
    const refreshed = await send(baseA, '/api/auth/refresh', { body: { refreshToken: second.refreshToken } });
    assert.equal(refreshed.status, 200);
    const claims = JSON.parse(Buffer.from(JSON.parse(refreshed.body).token.split('.')[1], 'base64url').toString());
    assert.equal(claims.role, 'viewer', 'a refreshed token states the role held now');

    // Promoted back: tokens stating up to the new role work again.
    const promoted = await send(baseB, `/api/users/${second.userId}`, {
      method: 'PATCH',
      headers: bearer(owner),
      body: { role: 'admin' },
    });
    assert.equal(promoted.status, 200);
    await eventually(async () => (await send(baseA, '/api/users', { headers: bearer(second) })).status === 200, 5_000);
  });

  it('never leaves a tenant without an admin (409), even when two admins demote each other at once', async () => {
    const solo = await registerTenant(a.app, 'Solo');
    const self = (method: string, body?: unknown) =>
      send(baseA, `/api/users/${solo.userId}`, { method, headers: bearer(solo), body });
    for (const res of [await self('PATCH', { role: 'editor' }), await self('DELETE')]) {
      assert.equal(res.status, 409, res.body);
      assert.match(JSON.parse(res.body).detail, /at least one admin/);
    }
    for (let round = 0; round < 4; round++) {
      const x = await registerTenant(a.app, `Pair${round}`);
      const y = await addUser(a.app, x, 'admin');
      const [r1, r2] = await Promise.all([
        send(baseA, `/api/users/${y.userId}`, { method: 'PATCH', headers: bearer(x), body: { role: 'editor' } }),
        send(baseB, `/api/users/${x.userId}`, {
          method: round % 2 ? 'DELETE' : 'PATCH',
          headers: bearer(y),
          body: round % 2 ? undefined : { role: 'editor' },
        }),
      ]);
      const statuses = [r1.status, r2.status];
      assert.equal(statuses.filter((s) => s === 200 || s === 204).length, 1, `one change wins: ${statuses}`);
      assert.ok(
        statuses.every((s) => [200, 204, 401, 409].includes(s)),
        `${statuses}`,
      );
      const admins = await directQuery<{ n: number }>(
        database.directUrl,
        "SELECT count(*)::int AS n FROM users WHERE tenant_id = $1 AND role = 'admin'",
        [x.tenantId],
      );
      assert.equal(admins[0]!.n, 1);
    }
  });

  it('404 for another tenant’s or an unknown user, 403 below admin, 400 naming the field', async () => {
    const mine = await registerTenant(a.app, 'Mine');
    const theirs = await registerTenant(a.app, 'Theirs');
    const viewer = await addUser(a.app, mine, 'viewer');
    const call = (who: { token: string }, id: string, method: string, body?: unknown) =>
      a.app.inject({
        method: method as 'PATCH',
        url: `/api/users/${id}`,
        headers: bearer(who),
        payload: body as object,
      });
    for (const method of ['PATCH', 'DELETE']) {
      const body = method === 'PATCH' ? { role: 'viewer' } : undefined;
      assert.equal((await call(mine, theirs.userId, method, body)).statusCode, 404);
      assert.equal((await call(mine, '01900000-0000-7000-8000-000000000000', method, body)).statusCode, 404);
      assert.equal((await call(viewer, mine.userId, method, body)).statusCode, 403);
      const noId = await call(mine, 'not-a-uuid', method, body);
      assert.equal(noId.statusCode, 400);
      assert.equal(noId.json().errors[0].path, '/id');
    }
    for (const body of [{ role: 'operator' }, {}, { role: 'viewer', email: 'x@y.io' }]) {
      const res = await call(mine, viewer.userId, 'PATCH', body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
    }
    const bad = await call(mine, viewer.userId, 'PATCH', { role: 'operator' });
    assert.equal(bad.json().errors[0].path, '/role');
    // Another tenant's admin removed nothing.
    assert.equal((await a.app.inject({ url: '/api/users', headers: bearer(theirs) })).json().items.length, 1);
  });

  it('documents both routes in OpenAPI', async () => {
    const doc = (await a.app.inject('/docs/json')).json();
    const path = doc.paths['/api/users/{id}'];
    assert.ok(path?.patch?.summary && path?.delete?.summary);
    assert.ok(path.patch.responses['200']);
    assert.ok(path.delete.responses['204']);
  });
});
