import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSigner } from 'fast-jwt';
import { addUser, bearer, problemOf, registerTenant } from '../../helpers/app.js';
import type { SuiteContext } from './context.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Health, registration, login limits, refresh rotation, users and token checks. */
export function authSuite(ctx: SuiteContext): void {
  describe('health', () => {
    it('live answers ok with an uptime in seconds', async () => {
      const res = await ctx.t.app.inject('/health/live');
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().status, 'ok');
      assert.equal(typeof res.json().uptime, 'number');
    });
    it('ready reports the database up', async () => {
      const res = await ctx.t.app.inject('/health/ready');
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().checks.database, 'up');
    });
    it('echoes a sane X-Request-Id and replaces an insane one', async () => {
      const ok = await ctx.t.app.inject({ url: '/health/live', headers: { 'x-request-id': 'req-123.abc' } });
      assert.equal(ok.headers['x-request-id'], 'req-123.abc');
      const bad = await ctx.t.app.inject({ url: '/health/live', headers: { 'x-request-id': 'has spaces <script>' } });
      assert.match(String(bad.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });
    it('serves the OpenAPI document generated from the route schemas', async () => {
      const res = await ctx.t.app.inject('/docs/json');
      assert.equal(res.statusCode, 200);
      const paths = Object.keys(res.json().paths);
      for (const p of ['/api/blueprints', '/api/blueprints/{id}', '/api/projects/stats/summary', '/api/auth/login']) {
        assert.ok(paths.includes(p), `${p} documented`);
      }
    });
  });

  describe('auth', () => {
    it('register creates a tenant and its admin with UUIDv7 ids and ms timestamps', async () => {
      const email = `Owner.${Date.now()}@Example.com`;
      const res = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        payload: { email, password: 'twelve chars!', organization: 'Ünïcødé Org ☁️' },
      });
      assert.equal(res.statusCode, 201);
      const body = res.json();
      assert.match(body.user.id, UUID_V7);
      assert.match(body.tenant.id, UUID_V7);
      assert.match(body.user.createdAt, ISO_MS);
      assert.equal(body.user.email, email.toLowerCase());
      assert.equal(body.user.role, 'admin');
      assert.equal(body.tenant.name, 'Ünïcødé Org ☁️');
      assert.equal(body.expiresIn, 900);
      const again = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        payload: { email: email.toUpperCase(), password: 'twelve chars!', organization: 'Other' },
      });
      assert.equal(again.statusCode, 409);
      assert.equal(problemOf(again).errors?.[0]?.path, '/email');
    });

    it('register rejects short and over-long passwords naming /password', async () => {
      for (const password of ['short', 'x'.repeat(129)]) {
        const res = await ctx.t.app.inject({
          method: 'POST',
          url: '/api/auth/register',
          payload: { email: 'p@x.io', password, organization: 'O' },
        });
        assert.equal(res.statusCode, 400);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.deepEqual(
          problemOf(res).errors?.map((e) => e.path),
          ['/password'],
        );
      }
    });

    it('login returns tokens; bad password and unknown email get the same 401', async () => {
      const a = await registerTenant(ctx.t.app, 'LoginCo');
      const ok = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: a.email, password: a.password },
      });
      assert.equal(ok.statusCode, 200);
      assert.deepEqual(Object.keys(ok.json()).sort(), ['expiresIn', 'refreshToken', 'token', 'user']);
      assert.equal(ok.json().user.tenantId, a.tenantId);
      const bad = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: a.email, password: 'wrong password!!' },
      });
      const unknown = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'nobody@nowhere.example', password: 'wrong password!!' },
      });
      assert.equal(bad.statusCode, 401);
      assert.equal(unknown.statusCode, 401);
      assert.equal(problemOf(bad).detail, problemOf(unknown).detail);
    });

    it('a NUL character in the login email is an unknown account (401), not a database error', async () => {
      const res = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'admin\u0000@acme.example', password: 'whatever password' },
      });
      assert.equal(res.statusCode, 401);
      assert.equal(problemOf(res).detail, 'Invalid email or password');
    });

    it('rate-limits failed logins per account with Retry-After, but never successful ones', async () => {
      const a = await registerTenant(ctx.t.app, 'LimitCo');
      const login = (password: string) =>
        ctx.t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: a.email, password } });
      for (let i = 0; i < 10; i++) assert.equal((await login(a.password)).statusCode, 200);
      for (let i = 0; i < 3; i++) assert.equal((await login('not the password')).statusCode, 401);
      const limited = await login(a.password);
      assert.equal(limited.statusCode, 429);
      assert.ok(Number(limited.headers['retry-after']) > 0);
    });

    it('refresh rotates; reusing a spent token revokes the family', async () => {
      const a = await registerTenant(ctx.t.app, 'RefreshCo');
      const refresh = (refreshToken: string) =>
        ctx.t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
      const first = await refresh(a.refreshToken);
      assert.equal(first.statusCode, 200);
      const next = first.json().refreshToken;
      assert.notEqual(next, a.refreshToken);
      const me = await ctx.t.app.inject({
        url: '/api/blueprints',
        headers: { authorization: `Bearer ${first.json().token}` },
      });
      assert.equal(me.statusCode, 200);
      assert.equal((await refresh(a.refreshToken)).statusCode, 401, 'spent token refused');
      assert.equal((await refresh(next)).statusCode, 401, 'family revoked after reuse');
      assert.equal((await refresh('garbage-token')).statusCode, 401);
    });

    it('logout revokes the presented refresh token', async () => {
      const a = await registerTenant(ctx.t.app, 'LogoutCo');
      const out = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        payload: { refreshToken: a.refreshToken },
      });
      assert.equal(out.statusCode, 204);
      const res = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/auth/refresh',
        payload: { refreshToken: a.refreshToken },
      });
      assert.equal(res.statusCode, 401);
    });

    it('rejects missing, malformed, foreign-signed and expired tokens with 401', async () => {
      const a = await registerTenant(ctx.t.app, 'TokenCo');
      const foreign = createSigner({ key: 'another-secret-another-secret-0123456789' })({
        sub: a.userId,
        tid: a.tenantId,
        role: 'admin',
      });
      const expired = createSigner({
        key: 'test-secret-test-secret-test-secret-0123456789',
        expiresIn: 1000,
        clockTimestamp: Date.now() - 3_600_000,
      })({
        sub: a.userId,
        tid: a.tenantId,
        role: 'admin',
      });
      for (const authorization of [
        undefined,
        'Bearer',
        'Basic abc',
        'Bearer not.a.jwt',
        `Bearer ${foreign}`,
        `Bearer ${expired}`,
      ]) {
        const res = await ctx.t.app.inject({ url: '/api/blueprints', headers: authorization ? { authorization } : {} });
        assert.equal(res.statusCode, 401, String(authorization));
        assert.equal(problemOf(res).status, 401);
      }
    });
  });

  describe('every protected route', () => {
    it('answers 401 problem+json without a token, before validating anything', async () => {
      const id = '01900000-0000-7000-8000-000000000000';
      const routes: [string, string][] = [
        ['GET', '/api/users'],
        ['POST', '/api/users'],
        ['PATCH', `/api/users/${id}`],
        ['DELETE', `/api/users/${id}`],
        ['GET', '/api/blueprints'],
        ['POST', '/api/blueprints'],
        ['GET', `/api/blueprints/${id}`],
        ['PUT', `/api/blueprints/${id}`],
        ['DELETE', `/api/blueprints/${id}`],
        ['GET', '/api/projects'],
        ['POST', '/api/projects'],
        ['GET', '/api/projects/stats/summary'],
        ['GET', `/api/projects/${id}`],
        ['PATCH', `/api/projects/${id}`],
        ['DELETE', `/api/projects/${id}`],
        ['POST', '/api/iac/generate'],
        ['POST', '/api/cost/estimate'],
        ['POST', '/api/guardrails/evaluate'],
        ['GET', '/api/guardrails/rules'],
        ['GET', '/api/guardrails/settings'],
        ['PUT', '/api/guardrails/settings'],
        ['GET', '/cache/stats'],
        ['DELETE', '/cache/invalidate?pattern=*'],
        ['DELETE', '/cache/clear'],
      ];
      for (const [method, url] of routes) {
        const res = await ctx.t.app.inject({
          method: method as 'GET',
          url,
          payload: method === 'GET' || method === 'DELETE' ? undefined : { junk: true },
        });
        assert.equal(res.statusCode, 401, `${method} ${url}`);
        assert.equal(res.headers['www-authenticate'], 'Bearer');
        assert.equal(problemOf(res).type, 'https://iac-dharma.dev/problems/unauthorized');
      }
    });
  });

  describe('users', () => {
    it('an admin adds users; only admins may; lists stay inside the tenant', async () => {
      const a = await registerTenant(ctx.t.app, 'UsersA');
      const b = await registerTenant(ctx.t.app, 'UsersB');
      const editor = await addUser(ctx.t.app, a, 'editor');
      const viewer = await addUser(ctx.t.app, a, 'viewer');
      for (const who of [editor, viewer]) {
        const res = await ctx.t.app.inject({
          method: 'POST',
          url: '/api/users',
          headers: bearer(who),
          payload: { email: 'x@y.io', password: 'long enough pass', role: 'admin' },
        });
        assert.equal(res.statusCode, 403);
        assert.equal((await ctx.t.app.inject({ url: '/api/users', headers: bearer(who) })).statusCode, 403);
      }
      const listA = (await ctx.t.app.inject({ url: '/api/users', headers: bearer(a) })).json();
      assert.deepEqual(
        new Set(listA.items.map((u: { id: string }) => u.id)),
        new Set([a.userId, editor.userId, viewer.userId]),
      );
      const listB = (await ctx.t.app.inject({ url: '/api/users', headers: bearer(b) })).json();
      assert.deepEqual(
        listB.items.map((u: { id: string }) => u.id),
        [b.userId],
      );
      const dup = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: bearer(b),
        payload: { email: editor.email, password: 'long enough pass', role: 'viewer' },
      });
      assert.equal(dup.statusCode, 409, 'emails are unique across the platform');
      const badRole = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: bearer(a),
        payload: { email: 'r@y.io', password: 'long enough pass', role: 'operator' },
      });
      assert.equal(badRole.statusCode, 400);
      assert.equal(problemOf(badRole).errors?.[0]?.path, '/role');
    });
  });
}
