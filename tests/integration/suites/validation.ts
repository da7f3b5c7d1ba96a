import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearer, blueprintBody, problemOf, registerTenant, type Account } from '../../helpers/app.js';
import type { SuiteContext } from './context.js';

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
}

/** Bad input: every rejection is a 4xx problem+json naming the field, and writes nothing. */
export function validationSuite(ctx: SuiteContext): void {
  const blueprintCount = async (a: Account) =>
    (await ctx.t.app.inject({ url: '/api/projects/stats/summary', headers: bearer(a) })).json().blueprints as number;

  describe('bad input', () => {
    it('rejects each malformed blueprint with 4xx problem+json naming the field, writing nothing', async () => {
      const a = await registerTenant(ctx.t.app, 'BadInput');
      const cases: [string, string | Record<string, unknown>, number, string | undefined][] = [
        ['malformed JSON', '{"name": "x",', 400, undefined],
        ['JSON that is not an object', '[1,2,3]', 400, undefined],
        ['wrong type', blueprintBody({ name: 42 }), 400, '/name'],
        ['unknown field', blueprintBody({ owner: 'me' }), 400, '/owner'],
        ['empty name', blueprintBody({ name: '' }), 400, '/name'],
        ['name over 200 chars', blueprintBody({ name: 'n'.repeat(201) }), 400, '/name'],
        ['huge description', blueprintBody({ description: 'd'.repeat(100_000) }), 400, '/description'],
        ['unknown provider', blueprintBody({ provider: 'oracle' }), 400, '/provider'],
        [
          'unknown resource type',
          blueprintBody({ resources: [{ name: 'x', type: 'mainframe', properties: {} }] }),
          400,
          '/resources/0/type',
        ],
        [
          'bad resource name',
          blueprintBody({ resources: [{ name: 'Bad Name', type: 'vm', properties: {} }] }),
          400,
          '/resources/0/name',
        ],
        [
          'count over 100',
          blueprintBody({ resources: [{ name: 'x', type: 'vm', properties: {}, count: 1_000_000_000 }] }),
          400,
          '/resources/0/count',
        ],
        ['no resources', blueprintBody({ resources: [] }), 400, '/resources'],
        [
          'deep nesting',
          blueprintBody({ resources: [{ name: 'x', type: 'vm', properties: { deep: nested(50) } }] }),
          400,
          '/resources/0/properties',
        ],
        ['tags not strings', blueprintBody({ tags: { Owner: 7 } }), 400, '/tags/Owner'],
      ];
      for (const [name, payload, status, path] of cases) {
        const res = await ctx.t.app.inject({
          method: 'POST',
          url: '/api/blueprints',
          headers: { ...bearer(a), 'content-type': 'application/json' },
          payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
        });
        assert.equal(res.statusCode, status, `${name}: ${res.body.slice(0, 300)}`);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/, name);
        const p = problemOf(res);
        assert.equal(p.status, status, name);
        assert.match(p.type, /^https:\/\/iac-dharma\.dev\/problems\//, name);
        assert.ok(!res.body.includes('    at '), `${name}: no stack trace`);
        if (path)
          assert.ok(
            p.errors?.some((e) => e.path === path),
            `${name}: expected ${path} in ${JSON.stringify(p.errors)}`,
          );
      }
      assert.equal(await blueprintCount(a), 0, 'nothing written on a rejected request');
    });

    it('answers a 2 MiB body with 413 and unsupported media with 415', async () => {
      const a = await registerTenant(ctx.t.app, 'BigBody');
      const big = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/blueprints',
        headers: { ...bearer(a), 'content-type': 'application/json' },
        payload: JSON.stringify(blueprintBody({ description: 'x'.repeat(2 * 1024 * 1024) })),
      });
      assert.equal(big.statusCode, 413);
      assert.equal(problemOf(big).status, 413);
      const xml = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/blueprints',
        headers: { ...bearer(a), 'content-type': 'application/xml' },
        payload: '<x/>',
      });
      assert.equal(xml.statusCode, 415);
      assert.equal(await blueprintCount(a), 0);
    });

    it('rejects non-UUID ids, bad limits, unknown query parameters and cursor garbage with 400', async () => {
      const a = await registerTenant(ctx.t.app, 'BadQuery');
      const urls: [string, string][] = [
        ['/api/blueprints/not-a-uuid', '/id'],
        ["/api/blueprints/1' OR '1'='1", '/id'],
        ['/api/projects/123', '/id'],
        ['/api/blueprints?limit=0', '/limit'],
        ['/api/blueprints?limit=101', '/limit'],
        ['/api/blueprints?limit=ten', '/limit'],
        ['/api/blueprints?sort=name', '/sort'],
        ['/api/blueprints?cursor=%00%01garbage', '/cursor'],
        ['/api/blueprints?cursor=dGhpcyBpcyBub3QgYSBjdXJzb3I', '/cursor'],
        ['/api/projects?cursor=!!!', '/cursor'],
        ['/api/projects?environment=qa', '/environment'],
        ['/api/projects/stats/summary?x=1', '/x'],
      ];
      for (const [url, path] of urls) {
        const res = await ctx.t.app.inject({ url, headers: bearer(a) });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.ok(
          problemOf(res).errors?.some((e) => e.path === path),
          `${url}: ${res.body}`,
        );
      }
    });

    it('stores SQL-looking and unicode strings verbatim', async () => {
      const a = await registerTenant(ctx.t.app, 'Verbatim');
      const sql = "x'); DROP TABLE blueprints; --";
      const uni = 'Инфраструктура 基础设施 🚀 e\u0301';
      const res = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/blueprints',
        headers: bearer(a),
        payload: blueprintBody({
          name: sql,
          description: uni,
          tags: { Owner: "o'brien", Environment: 'dev', CostCenter: '1; SELECT 1' },
        }),
      });
      assert.equal(res.statusCode, 201);
      const got = (await ctx.t.app.inject({ url: `/api/blueprints/${res.json().id}`, headers: bearer(a) })).json();
      assert.equal(got.name, sql);
      assert.equal(got.description, uni);
      assert.equal(got.tags.Owner, "o'brien");
      const found = (
        await ctx.t.app.inject({ url: `/api/blueprints?q=${encodeURIComponent('DROP TABLE')}`, headers: bearer(a) })
      ).json();
      assert.equal(found.items.length, 1);
      const project = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/projects',
        headers: bearer(a),
        payload: { name: sql, description: uni, environment: 'dev' },
      });
      assert.equal(project.json().name, sql);
      assert.equal(await blueprintCount(a), 1, 'the table is still there');
    });

    it('answers unknown routes with a 404 problem', async () => {
      const res = await ctx.t.app.inject('/api/nothing-here');
      assert.equal(res.statusCode, 404);
      assert.equal(problemOf(res).status, 404);
    });
  });
}
