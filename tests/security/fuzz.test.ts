/**
 * A property-based fuzzer generated from the OpenAPI document (GET /docs/json): for every
 * operation, valid and invalid path ids, queries and bodies (fast-check), sent to a real server
 * process. Every answer must be documented for its status, match its documented schema, never be
 * a 5xx, and come within a bound (no hang). At least 10,000 requests in all.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { blueprintBody } from '../helpers/app.js';
import { randomBlueprint } from '../unit/engines/arbitraries.js';
import {
  createResponseChecker,
  invalidArbitrary,
  NASTY_STRINGS,
  routesOf,
  validArbitrary,
  type Document,
  type Hints,
  type Route,
} from './openapi.js';
import { request, startServerProcess, type Answer, type ServerProcess } from './server.js';

/** The fewest requests the fuzzer sends in all. */
const MIN_REQUESTS = 10_000;
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? 380);
/** A request not answered within this is a hang (a bound, not a performance target). */
const HANG_MS = 10_000;
// Routes whose valid bodies cost an argon2 hash: mostly invalid bodies there, so the run stays short.
const COSTLY = new Set(['POST /api/auth/register', 'POST /api/auth/login', 'POST /api/users']);
const LANES = 3;

interface Fuzzed {
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

describe('OpenAPI-driven fuzzer', () => {
  let server: ServerProcess;
  let doc: Document;
  const agent = new http.Agent({ keepAlive: true, maxSockets: LANES });
  const pools = { blueprints: [] as string[], projects: [] as string[] };
  const tokens = { admin: '', viewer: '' };
  let adminEmail = '';
  const password = 'correct horse battery staple';
  let unique = 0;

  const send = (r: Fuzzed): Promise<Answer> => request(server.port, r, HANG_MS, agent);
  const json = (method: string, path: string, body: unknown, token = tokens.admin) =>
    send({
      method,
      path,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  before(async () => {
    server = await startServerProcess({ LOGIN_FAILURES_PER_ACCOUNT: '1000000' });
    adminEmail = `fuzz.${Date.now()}@example.com`;
    const reg = await json('POST', '/api/auth/register', { email: adminEmail, password, organization: 'Fuzz' });
    assert.equal(reg.status, 201, reg.body);
    tokens.admin = JSON.parse(reg.body).token;
    const viewer = await json('POST', '/api/users', { email: `v.${adminEmail}`, password, role: 'viewer' });
    assert.equal(viewer.status, 201, viewer.body);
    const login = await json('POST', '/api/auth/login', { email: `v.${adminEmail}`, password });
    tokens.viewer = JSON.parse(login.body).token;
    for (let i = 0; i < 5; i++) {
      pools.blueprints.push(JSON.parse((await json('POST', '/api/blueprints', blueprintBody())).body).id);
      pools.projects.push(
        JSON.parse((await json('POST', '/api/projects', { name: `p${i}`, environment: 'dev' })).body).id,
      );
    }
    doc = JSON.parse((await send({ method: 'GET', path: '/docs/json', headers: {} })).body);
  });
  after(async () => {
    agent.destroy();
    await server?.close();
  });

  const pick = (pool: string[]) => fc.nat().map((i) => pool[i % Math.max(1, pool.length)] ?? randomUUID());
  const validBlueprint = randomBlueprint(3).map(({ id: _id, version: _v, ...b }) => ({
    ...b,
    parameters: { type: 'object', properties: {} },
  }));

  function hints(): Hints {
    return {
      blueprintId: fc.oneof(pick(pools.blueprints), fc.uuid()),
      blueprintIds: fc.uniqueArray(pick(pools.blueprints), { maxLength: 3 }),
      blueprint: validBlueprint,
      email: fc.oneof(
        fc.constant(adminEmail),
        fc.nat().map(() => `fuzz${(unique += 1)}.${Date.now()}@example.com`),
        fc.emailAddress().filter((e) => e.length <= 254),
      ),
      password: fc.oneof(fc.constant(password), fc.string({ minLength: 12, maxLength: 40 })),
    };
  }

  // A request for `route`: valid or invalid path ids, query and body; mostly the admin's token.
  function requestArbitrary(route: Route): fc.Arbitrary<Fuzzed> {
    const costly = COSTLY.has(`${route.method} ${route.path}`);
    const valid = fc.nat(99).map((n) => n < (costly ? 8 : 55));
    const params = route.op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const query = params.filter((p) => p.in === 'query');
    const bodySchema = route.op.requestBody?.content['application/json']?.schema;
    const h = hints();
    const idFor = (name: string) =>
      name === 'id' && route.path.startsWith('/api/projects') ? pick(pools.projects) : pick(pools.blueprints);
    const isBlueprint = bodySchema?.properties?.resources && bodySchema.properties.provider;
    const validBody = bodySchema
      ? isBlueprint
        ? fc.oneof(validBlueprint, validArbitrary(doc, bodySchema, h))
        : validArbitrary(doc, bodySchema, h)
      : fc.constant(undefined);
    return fc
      .record({
        valid,
        ids: fc.tuple(...pathParams.map((p) => fc.oneof(idFor(p.name), fc.uuid()))),
        badIds: fc.tuple(...pathParams.map(() => fc.oneof(fc.string(), fc.constantFrom(...NASTY_STRINGS)))),
        query: fc.tuple(...query.map((p) => fc.option(validArbitrary(doc, p.schema, h), { nil: undefined }))),
        badQuery: fc.dictionary(
          fc.oneof(fc.constantFrom(...query.map((p) => p.name), 'x'), fc.string()),
          fc.oneof(fc.string(), fc.constantFrom(...NASTY_STRINGS)),
          { maxKeys: 3 },
        ),
        body: validBody,
        badBody: bodySchema ? invalidArbitrary(doc, bodySchema, h) : fc.constant(undefined),
        truncate: fc.nat(9),
        media: fc.constantFrom(
          'application/json',
          'application/json',
          'application/json',
          'text/plain',
          'application/merge-patch+json',
        ),
        who: fc.constantFrom('admin', 'admin', 'admin', 'admin', 'viewer', 'none', 'garbage'),
        // Conditional requests reach the cache's 304s (documented on the cached routes).
        ifNoneMatch: fc.constantFrom(undefined, undefined, undefined, '*', 'W/"stale"'),
      })
      .map((g) => {
        let path = route.path;
        pathParams.forEach((p, i) => {
          const id = g.valid ? g.ids[i]! : g.badIds[i]!;
          path = path.replace(`{${p.name}}`, encodeURIComponent(id.replace(/\p{Cs}/gu, '\ufffd') || '-'));
        });
        const qs = new URLSearchParams();
        query.forEach((p, i) => g.query[i] !== undefined && qs.append(p.name, String(g.query[i])));
        if (!g.valid) for (const [k, v] of Object.entries(g.badQuery)) qs.append(k, v);
        const headers: Record<string, string> = {};
        if (g.who === 'admin' || g.who === 'viewer') headers.authorization = `Bearer ${tokens[g.who]}`;
        if (g.who === 'garbage') headers.authorization = 'Bearer not.a.token';
        if (g.ifNoneMatch) headers['if-none-match'] = g.ifNoneMatch;
        let body: string | undefined;
        if (bodySchema) {
          body = JSON.stringify(g.valid ? g.body : g.badBody) ?? 'null';
          if (!g.valid && g.truncate === 0) body = body.slice(0, Math.floor(body.length / 2));
          const media = route.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
          headers['content-type'] = g.valid ? media : g.media;
        }
        return { method: route.method, path: `${path}${qs.size > 0 ? `?${qs}` : ''}`, headers, body };
      });
  }

  it('answers every generated request as documented: no 5xx, no hang, every body matching its schema', async () => {
    const check = createResponseChecker(doc);
    const routes = routesOf(doc);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    const fuzzRoute = async (route: Route, seed: number) => {
      const property = fc.asyncProperty(requestArbitrary(route), async (r) => {
        const a = await send(r).catch((err: Error) => {
          throw new Error(`${r.method} ${r.path}: ${err.message}`);
        });
        sent += 1;
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status === 201 && route.path === '/api/blueprints') pools.blueprints.push(JSON.parse(a.body).id);
        if (a.status === 201 && route.path === '/api/projects') pools.projects.push(JSON.parse(a.body).id);
        if (a.status >= 500)
          throw new Error(`${a.status} for ${r.method} ${r.path} ${r.body?.slice(0, 300)}: ${a.body.slice(0, 300)}`);
        const wrong = check(route, a);
        if (wrong) throw new Error(`${r.method} ${r.path} ${r.body?.slice(0, 300) ?? ''}: ${wrong}`);
      });
      await fc
        .assert(property, { numRuns: RUNS_PER_ROUTE, seed, endOnFailure: true })
        .catch((err: Error) =>
          failures.push(`${route.method} ${route.path}: ${err.message.split('\n').slice(0, 6).join(' | ')}`),
        );
    };
    const queue = routes.map((r, i) => [r, 0x5eed + i] as const);
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await fuzzRoute(...next);
      }),
    );
    const summary = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    console.log(`fuzzer: ${sent} requests over ${routes.length} operations; statuses ${summary}`);
    assert.deepEqual(failures, []);
    assert.ok(sent >= MIN_REQUESTS, `${sent} requests sent, at least ${MIN_REQUESTS} wanted`);
    assert.ok(
      [...statuses.keys()].some((s) => s < 300),
      'some requests succeeded',
    );
    assert.equal(server.crashes, 0, server.output());
  });
});
