/**
 * The authorization matrix, generated from the OpenAPI document: every operation × {no token,
 * garbage, expired, alg none, wrong secret, other tenant, viewer, editor, admin} answers what the
 * contract says (401, then 400, then 403, then 404), and no answer ever carries another tenant's data.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createSigner } from 'fast-jwt';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { addUser, blueprintBody, registerTenant, startTestApp, type Account, type TestApp } from '../helpers/app.js';
import { routesOf, validArbitrary, type Document, type Route } from './openapi.js';

const SECRET = 'authz-matrix-secret-authz-matrix-secret-0123';
const PRINCIPALS = [
  'none',
  'garbage',
  'expired',
  'alg-none',
  'wrong-secret',
  'other-tenant',
  'viewer',
  'editor',
  'admin',
] as const;
type Who = (typeof PRINCIPALS)[number];
const ANONYMOUS = new Set<Who>(['none', 'garbage', 'expired', 'alg-none', 'wrong-secret']);
const RANK: Record<string, number> = { viewer: 0, editor: 1, admin: 2 };

// The roles the contract gives the routes it names (a route added later is checked against its own
// document only): a route whose declared role drifts from these fails here, not only in review.
const CONTRACT_ROLES: Record<string, string | undefined> = {
  'GET /health/live': undefined,
  'GET /health/ready': undefined,
  'POST /api/auth/register': undefined,
  'POST /api/auth/login': undefined,
  'POST /api/auth/refresh': undefined,
  'POST /api/auth/logout': undefined,
  'POST /api/users': 'admin',
  'GET /api/users': 'admin',
  'PATCH /api/users/{id}': 'admin',
  'DELETE /api/users/{id}': 'admin',
  'GET /api/blueprints': 'viewer',
  'GET /api/blueprints/{id}': 'viewer',
  'POST /api/blueprints': 'editor',
  'PUT /api/blueprints/{id}': 'editor',
  'DELETE /api/blueprints/{id}': 'admin',
  'GET /api/blueprints/{id}/versions': 'viewer',
  'GET /api/blueprints/{id}/versions/{version}': 'viewer',
  'POST /api/blueprints/{id}/versions/{version}/restore': 'editor',
  'GET /api/blueprints/{id}/diff': 'viewer',
  'POST /api/review': 'viewer',
  'GET /api/projects': 'viewer',
  'GET /api/projects/{id}': 'viewer',
  'GET /api/projects/stats/summary': 'viewer',
  'POST /api/projects': 'editor',
  'PATCH /api/projects/{id}': 'editor',
  'DELETE /api/projects/{id}': 'admin',
  'POST /api/iac/generate': 'viewer',
  'POST /api/cost/estimate': 'viewer',
  'POST /api/guardrails/evaluate': 'viewer',
  'GET /api/guardrails/rules': 'viewer',
  'GET /api/guardrails/settings': 'viewer',
  'PUT /api/guardrails/settings': 'admin',
  'GET /cache/stats': 'admin',
  'DELETE /cache/invalidate': 'admin',
  'DELETE /cache/clear': 'admin',
};

interface Req {
  method: string;
  url: string;
  body?: unknown;
  /** Tenant A's ids the request itself names (echoing them back is no leak). */
  names: string[];
  /** False when the route has no fixture here: its body was generated from the schema. */
  known: boolean;
}

describe('authorization matrix from the OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  const acct = {} as Record<'a' | 'aEditor' | 'aViewer' | 'b', Account>;
  const marker = { a: `tenant-a-${randomBytes(6).toString('hex')}`, b: `tenant-b-${randomBytes(6).toString('hex')}` };
  const secrets = { a: new Set<string>(), b: new Set<string>() };
  let unique = 0;

  const inject = (method: string, url: string, body?: unknown, authorization?: string) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(body === undefined
          ? {}
          : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const created = async (tenant: 'a' | 'b', url: string, body: unknown) => {
    const res = await inject('POST', url, body, `Bearer ${(tenant === 'a' ? acct.a : acct.b).token}`);
    assert.equal(res.statusCode, 201, `${url}: ${res.body}`);
    const id = res.json().id as string;
    secrets[tenant].add(id);
    return id;
  };
  const newBlueprint = (tenant: 'a' | 'b' = 'a') =>
    created(tenant, '/api/blueprints', blueprintBody({ name: `${marker[tenant]} bp` }));
  const newProject = (tenant: 'a' | 'b' = 'a') =>
    created(tenant, '/api/projects', { name: `${marker[tenant]} p`, environment: 'dev' });
  const newUser = async () => {
    const email = `u${(unique += 1)}.${Date.now()}@matrix.example`;
    return created('a', '/api/users', { email, password: 'correct horse battery staple', role: 'editor' });
  };
  const foreign = { blueprint: '', project: '', user: '' };

  before(async () => {
    t = await startTestApp('pgbouncer', { JWT_SECRET: SECRET, LOGIN_FAILURES_PER_IP: '100000' });
    acct.a = await registerTenant(t.app, 'Alpha');
    acct.aEditor = await addUser(t.app, acct.a, 'editor');
    acct.aViewer = await addUser(t.app, acct.a, 'viewer');
    acct.b = await registerTenant(t.app, 'Beta');
    for (const a of [acct.a, acct.aEditor, acct.aViewer]) secrets.a.add(a.userId);
    secrets.a.add(acct.a.tenantId);
    secrets.b.add(acct.b.userId).add(acct.b.tenantId);
    await newBlueprint('a');
    foreign.blueprint = await newBlueprint('b');
    foreign.project = await newProject('b');
    foreign.user = acct.b.userId;
    doc = (await t.app.inject('/docs/json')).json();
  });
  after(() => t?.close());

  function authorization(who: Who): string | undefined {
    const claims = { sub: acct.a.userId, tid: acct.a.tenantId, role: 'admin' };
    switch (who) {
      case 'none':
        return undefined;
      case 'garbage':
        return 'Bearer garbage';
      case 'expired': {
        const now = Math.floor(Date.now() / 1000);
        return `Bearer ${createSigner({ key: SECRET })({ ...claims, iat: now - 3_600, exp: now - 60 })}`;
      }
      case 'alg-none': {
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, exp: 4_102_444_800 })}.`;
      }
      case 'wrong-secret':
        return `Bearer ${createSigner({ key: 'wrong-secret-wrong-secret-wrong-secret-0123' })(claims)}`;
      case 'other-tenant':
        return `Bearer ${acct.b.token}`;
      case 'viewer':
        return `Bearer ${acct.aViewer.token}`;
      case 'editor':
        return `Bearer ${acct.aEditor.token}`;
      case 'admin':
        return `Bearer ${acct.a.token}`;
    }
  }

  // A request that tenant A's admin may make, on fresh resources of A (deletes consume them).
  async function fixture(route: Route): Promise<Req> {
    const key = `${route.method} ${route.path}`;
    const email = () => `m${(unique += 1)}.${Date.now()}@matrix.example`;
    const password = 'correct horse battery staple';
    const freshRefresh = async () => (await registerTenant(t.app, 'Refresh')).refreshToken;
    const withId = (prefix: string) => route.path.includes('{id}') && route.path.startsWith(prefix);
    const id = withId('/api/blueprints')
      ? await newBlueprint()
      : withId('/api/projects')
        ? await newProject()
        : withId('/api/users')
          ? await newUser()
          : '';
    // Every blueprint starts at 1.0.0, so that version always exists.
    const url = route.path.replace('{id}', id).replace('{version}', '1.0.0');
    const known = (body?: unknown, u = url): Req => ({
      method: route.method,
      url: u,
      body,
      names: id ? [id] : [],
      known: true,
    });
    switch (key) {
      case 'POST /api/auth/register':
        return known({ email: email(), password, organization: 'Matrix' });
      case 'POST /api/auth/login':
        return known({ email: acct.aViewer.email, password: acct.aViewer.password });
      case 'POST /api/auth/refresh':
      case 'POST /api/auth/logout':
        return known({ refreshToken: await freshRefresh() });
      case 'POST /api/users':
        return known({ email: email(), password, role: 'viewer' });
      case 'POST /api/blueprints':
      case 'PUT /api/blueprints/{id}':
        return known(blueprintBody({ name: 'matrix written' }));
      case 'POST /api/projects': {
        const blueprintId = await newBlueprint();
        return {
          ...known({ name: 'matrix written', environment: 'dev', blueprintIds: [blueprintId] }),
          names: [blueprintId],
        };
      }
      case 'PATCH /api/projects/{id}':
        return known({ name: 'matrix patched' });
      case 'POST /api/iac/generate':
      case 'POST /api/cost/estimate':
      case 'POST /api/guardrails/evaluate': {
        const blueprintId = await newBlueprint();
        const body = key.includes('generate') ? { blueprintId, format: 'terraform' } : { blueprintId };
        return { ...known(body), names: [blueprintId] };
      }
      case 'PATCH /api/users/{id}':
        return known({ role: 'viewer' });
      case 'POST /api/review':
        return known({ from: blueprintBody(), to: blueprintBody({ description: 'changed' }) });
      case 'PUT /api/guardrails/settings':
        return known({ allowedRegions: [], allowedSizes: [], requiredTags: ['Environment'] });
      case 'DELETE /cache/invalidate':
        return known(undefined, `${url}?pattern=blueprints:*`);
    }
    if (!route.op.requestBody && !route.op.parameters?.some((p) => p.in === 'query' && p.required)) return known();
    // A route this file has no fixture for: a schema-valid body and required query.
    const sample = <T>(arb: fc.Arbitrary<T>) => fc.sample(arb, { numRuns: 1, seed: 7 })[0]!;
    const body =
      route.op.requestBody && sample(validArbitrary(doc, route.op.requestBody.content['application/json']!.schema));
    const qs = new URLSearchParams();
    for (const p of route.op.parameters ?? [])
      if (p.in === 'query' && p.required) qs.set(p.name, String(sample(validArbitrary(doc, p.schema))));
    return { ...known(body, qs.size > 0 ? `${url}?${qs}` : url), known: false };
  }

  const secured = (r: Route) => Boolean(r.op.security?.length);
  const successes = (r: Route) => Object.keys(r.op.responses).filter((s) => s.startsWith('2'));
  const isSuccess = (r: Route, status: number) => successes(r).some((s) => s === String(status) || s === '2XX');

  // Tenant `other`'s ids or names found in an answer, other than those the request itself named.
  const leaks = (res: LightMyRequestResponse, other: 'a' | 'b', named: string[]) =>
    [...secrets[other], marker[other]].filter((s) => !named.includes(s) && res.body.includes(s));

  it("documents the contract's role for every route the contract names", () => {
    const documented = new Map(routesOf(doc).map((r) => [`${r.method} ${r.path}`, r.op['x-role']]));
    for (const [route, role] of Object.entries(CONTRACT_ROLES)) {
      assert.ok(documented.has(route), `${route} is documented`);
      assert.equal(documented.get(route), role, `${route} needs ${role ?? 'no token'}`);
    }
  });

  it('every operation × principal answers as the contract says and never leaks another tenant', async () => {
    const rows: string[] = [];
    let cells = 0;
    const routes = routesOf(doc);
    assert.ok(routes.length >= 25, `${routes.length} operations documented`);
    for (const route of routes) {
      const need = route.op['x-role'];
      if (secured(route)) assert.ok(need, `${route.method} ${route.path} is secured but names no role`);
      for (const who of PRINCIPALS) {
        const req = await fixture(route);
        const res = await inject(req.method, req.url, req.body, authorization(who));
        cells += 1;
        const cell = `${route.method} ${route.path} as ${who}: ${res.statusCode}`;
        let expected: string;
        let ok: boolean;
        if (!secured(route)) {
          expected = `2xx (public: the token is ignored)`;
          ok = isSuccess(route, res.statusCode);
        } else if (ANONYMOUS.has(who)) {
          expected = '401 with WWW-Authenticate';
          ok = res.statusCode === 401 && res.headers['www-authenticate'] === 'Bearer';
        } else if (who === 'other-tenant') {
          expected = req.names.length > 0 ? (route.path.includes('{') ? '404' : '404 or 422') : '2xx';
          ok =
            req.names.length > 0
              ? route.path.includes('{')
                ? res.statusCode === 404
                : [404, 422].includes(res.statusCode)
              : isSuccess(route, res.statusCode);
        } else if (RANK[who]! < RANK[need!]!) {
          expected = '403';
          ok = res.statusCode === 403;
        } else {
          expected = req.known ? '2xx' : 'neither 401 nor 403 (no fixture)';
          ok = req.known
            ? isSuccess(route, res.statusCode)
            : ![401, 403].includes(res.statusCode) && res.statusCode < 500;
        }
        if (!ok) rows.push(`${cell}, expected ${expected}: ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 400 && !/^application\/problem\+json/.test(String(res.headers['content-type'])))
          rows.push(`${cell} is not problem+json`);
        // A public route answers for the credentials in its body, whoever's token comes along.
        const other = who === 'other-tenant' ? 'a' : 'b';
        const leaked = secured(route) ? leaks(res, other, who === 'other-tenant' ? req.names : []) : [];
        if (leaked.length > 0) rows.push(`${cell} carries tenant ${other.toUpperCase()}'s ${leaked.join(', ')}`);
      }
    }
    assert.deepEqual(rows, []);
    assert.ok(cells >= routes.length * PRINCIPALS.length, `${cells} cells checked`);
  });

  it('checks in the contract order: 401 before 400, 400 before 403, 403 before 404, 400 before 404', async () => {
    const rows: string[] = [];
    for (const route of routesOf(doc).filter(secured)) {
      const need = RANK[route.op['x-role']!]!;
      const req = await fixture(route);
      const bogus = `${req.url}${req.url.includes('?') ? '&' : '?'}bogus=1`;
      const check = async (label: string, who: Who, url: string, want: number) => {
        const res = await inject(req.method, url, req.body, authorization(who));
        if (res.statusCode !== want)
          rows.push(`${route.method} ${route.path} ${label}: ${res.statusCode}, expected ${want}`);
      };
      await check('garbage token and an unknown query parameter', 'garbage', bogus, 401);
      if (need > 0) await check('viewer and an unknown query parameter', 'viewer', bogus, 400);
      if (route.path.includes('{id}')) {
        const theirs = route.path.startsWith('/api/projects')
          ? foreign.project
          : route.path.startsWith('/api/users')
            ? foreign.user
            : foreign.blueprint;
        const at = (id: string) => route.path.replace('{id}', id).replace('{version}', '1.0.0');
        if (need > 0) await check("viewer on another tenant's id", 'viewer', at(theirs), 403);
        await check('admin with an id that is not a UUID', 'admin', at('not-a-uuid'), 400);
        await check("admin on another tenant's id", 'admin', at(theirs), 404);
      }
    }
    assert.deepEqual(rows, []);
  });
});
