/**
 * The hostile-input catalogue against a real server process (src/server.ts on PgBouncer,
 * PostgreSQL and its own Redis): each entry must be answered (4xx unless it says otherwise, never
 * 5xx) within REQUEST_BOUND_MS while a concurrent /health/live keeps answering within
 * LIVE_BOUND_MS, and the process must not exit. The server is a child process so that an entry
 * which freezes its event loop can be detected, reported and killed instead of hanging the test.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { blueprintBody } from '../helpers/app.js';
import { API } from './catalogue-api.js';
import { HTTP_AND_AUTH, type Ctx, type Hostile, type Req } from './catalogue.js';
import { rawStatus } from './raw.js';
import { request, startServerProcess, type Answer, type ServerProcess } from './server.js';

/** No hostile request may take longer to answer (a bound proving no hang, not a performance target). */
const REQUEST_BOUND_MS = 15_000;
/** Liveness must answer within this while a hostile request is handled. */
const LIVE_BOUND_MS = 3_000;

const CATALOGUE: Hostile[] = [...HTTP_AND_AUTH, ...API];

interface Liveness {
  probes: number;
  worstMs: number;
  failures: string[];
}

// Polls /health/live on its own keep-alive connection until stopped.
function watchLiveness(port: number): { stop(): Promise<Liveness> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const seen: Liveness = { probes: 0, worstMs: 0, failures: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const a = await request(port, { path: '/health/live' }, LIVE_BOUND_MS, agent);
        if (a.status !== 200) seen.failures.push(`/health/live answered ${a.status}`);
      } catch (err) {
        seen.failures.push(`/health/live: ${(err as Error).message}`);
      }
      seen.probes += 1;
      seen.worstMs = Math.max(seen.worstMs, performance.now() - started);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      return seen;
    },
  };
}

async function send(port: number, req: Req): Promise<Answer> {
  if ('raw' in req) {
    const started = performance.now();
    const status = await rawStatus(port, req.raw, REQUEST_BOUND_MS);
    return { status, headers: {}, body: '', ms: performance.now() - started };
  }
  return request(port, req, REQUEST_BOUND_MS);
}

// What is wrong with an answer: a 5xx always; otherwise the entry's own rule, or "not a 4xx"; an
// answer from the application (it carries X-Request-Id) must be problem+json.
function complaints(h: Hostile, a: Answer): string[] {
  const out: string[] = [];
  if (a.status >= 500) out.push(`answered ${a.status}: ${a.body.slice(0, 300)}`);
  else if (h.expect) {
    const c = h.expect(a);
    if (c) out.push(c);
  } else if (a.status < 400 || a.status > 499) out.push(`expected a 4xx, got ${a.status}: ${a.body.slice(0, 300)}`);
  if (
    a.status >= 400 &&
    a.headers['x-request-id'] &&
    !/^application\/problem\+json/.test(String(a.headers['content-type']))
  )
    out.push(`a ${a.status} that is not problem+json: ${a.headers['content-type']}`);
  return out;
}

describe('hostile inputs against a real listener', () => {
  let server: ServerProcess;
  const ctx = {} as Ctx;
  const families = new Set(CATALOGUE.map((h) => h.family));

  before(async () => {
    server = await startServerProcess();
    ctx.port = server.port;
    const json = (method: string, path: string, body: unknown, token?: string) =>
      request(
        server.port,
        {
          method,
          path,
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
        },
        REQUEST_BOUND_MS,
      );
    const reg = await json('POST', '/api/auth/register', {
      email: `hostile.${Date.now()}@example.com`,
      password: 'correct horse battery staple',
      organization: 'Hostile',
    });
    assert.equal(reg.status, 201, reg.body);
    ctx.token = JSON.parse(reg.body).token;
    ctx.tenantId = JSON.parse(reg.body).tenant.id;
    ctx.call = (method, path, body) => json(method, path, body, ctx.token);
    const b = await ctx.call('POST', '/api/blueprints', blueprintBody());
    assert.equal(b.status, 201, b.body);
    ctx.blueprintId = JSON.parse(b.body).id;
    const p = await ctx.call('POST', '/api/projects', { name: 'target', environment: 'dev' });
    assert.equal(p.status, 201, p.body);
    ctx.projectId = JSON.parse(p.body).id;
  });
  const figures: { name: string; ms: number; liveMs: number }[] = [];
  after(async () => {
    const slowest = figures.reduce((a, b) => (b.ms > a.ms ? b : a), { name: '-', ms: 0, liveMs: 0 });
    const worstLive = figures.reduce((a, b) => (b.liveMs > a.liveMs ? b : a), { name: '-', ms: 0, liveMs: 0 });
    console.log(
      `hostile: ${figures.length} entries answered; slowest ${Math.round(slowest.ms)} ms (${slowest.name}); ` +
        `worst /health/live meanwhile ${Math.round(worstLive.liveMs)} ms (${worstLive.name})`,
    );
    await server?.close();
  });

  it('has at least 40 entries covering every route family', () => {
    assert.ok(CATALOGUE.length >= 40, `${CATALOGUE.length} entries`);
    assert.deepEqual([...families].sort(), [
      'auth',
      'blueprints',
      'cache',
      'engines',
      'health',
      'http',
      'projects',
      'users',
    ]);
    assert.equal(new Set(CATALOGUE.map((h) => h.name)).size, CATALOGUE.length, 'names are unique');
  });

  for (const h of CATALOGUE) {
    it(`${h.family}: ${h.name}${h.pending ? ` (fix pending: ${h.pending})` : ''}`, async () => {
      // An earlier entry may have frozen or killed the server: each entry gets a working one.
      if (!server.alive()) await server.restart();
      ctx.port = server.port;
      const crashesBefore = server.crashes;
      const req = await h.req(ctx);
      const live = watchLiveness(server.port);
      const problems: string[] = [];
      const answer = await send(server.port, req).catch((err: Error) => {
        problems.push(`no answer: ${err.message}`);
        return undefined;
      });
      const liveness = await live.stop();
      if (answer) {
        problems.push(...complaints(h, answer));
        figures.push({ name: h.name, ms: answer.ms, liveMs: liveness.worstMs });
      }
      if (liveness.failures.length > 0)
        problems.push(`liveness failed while handling it: ${liveness.failures.slice(0, 3).join('; ')}`);
      if (server.crashes > crashesBefore) problems.push(`the server process exited:\n${server.output()}`);
      if (problems.length === 0 && h.after) {
        const c = await h.after(ctx);
        if (c) problems.push(c);
      }
      // A frozen or poisoned server is replaced, so the entries after this one stand alone.
      if (problems.length > 0) await server.restart();
      assert.deepEqual(problems, [], `${h.name}: ${answer ? `${answer.status} in ${Math.round(answer.ms)} ms` : ''}`);
      assert.ok(liveness.probes > 0, 'liveness was probed while the request ran');
    });
  }
});
