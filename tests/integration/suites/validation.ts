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
          blueprintBody({ resources: [{ name: 'x', type: 'vm', properties: { deep: nested(20) } }] }),
          400,
          '/resources/0/properties',
        ],
        [
          'nesting past the body limit (refused while parsing, at the first level too deep)',
          blueprintBody({ resources: [{ name: 'x', type: 'vm', properties: { deep: nested(50) } }] }),
          400,
          `/resources/0/properties/deep${'/n'.repeat(28)}`,
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

    it('lists the allowed values of an enum and names a format, never its regular expression', async () => {
      const a = await registerTenant(ctx.t.app, 'Messages');
      const cases: [string, Record<string, unknown>, string, string][] = [
        [
          'enum in the query',
          { url: '/api/projects?environment=qa' },
          '/environment',
          'must be one of: dev, staging, prod',
        ],
        [
          'enum in the body',
          { method: 'POST', url: '/api/blueprints', payload: blueprintBody({ provider: 'oracle' }) },
          '/provider',
          'must be one of: aws, azure, gcp',
        ],
        ['uuid format', { url: '/api/blueprints/not-a-uuid' }, '/id', 'must be a UUID'],
        [
          'email format',
          { method: 'POST', url: '/api/users', payload: { email: 'nope', password: 'x'.repeat(12), role: 'viewer' } },
          '/email',
          'must be an email address',
        ],
        [
          'number or null',
          { method: 'POST', url: '/api/projects', payload: { name: 'p', environment: 'dev', budgetMonthly: 'lots' } },
          '/budgetMonthly',
          'must be number or null',
        ],
        [
          'a pattern described in words',
          { method: 'POST', url: '/api/blueprints', payload: blueprintBody({ region: 'US East' }) },
          '/region',
          'must be a region code: a lower-case letter, then 1 to 39 lower-case letters, digits or hyphens',
        ],
        [
          'a key too long',
          { method: 'POST', url: '/api/blueprints', payload: blueprintBody({ tags: { ['k'.repeat(129)]: 'v' } }) },
          `/tags/${'k'.repeat(129)}`,
          'key must NOT have more than 128 characters',
        ],
      ];
      for (const [name, req, path, message] of cases) {
        const res = await ctx.t.app.inject({ ...req, headers: bearer(a) } as never);
        assert.equal(res.statusCode, 400, `${name}: ${res.body}`);
        assert.deepEqual(problemOf(res).errors, [{ path, message }], name);
        assert.ok(!/[\^$]/.test(problemOf(res).detail), `${name}: no regular expression in ${problemOf(res).detail}`);
      }
    });

    it('refuses __proto__ and constructor keys by name, with their path, and pollutes nothing', async () => {
      const a = await registerTenant(ctx.t.app, 'Proto');
      const resources = '[{"name":"x","type":"vm","properties":{"nested":{"__proto__":{"polluted":true}}}}]';
      const cases: [string, string][] = [
        ['{"__proto__":{"polluted":true},"name":"x"}', '/__proto__'],
        ['{"constructor":{"prototype":{"polluted":true}}}', '/constructor'],
        [
          `{"name":"x","provider":"aws","region":"us-east-1","resources":${resources}}`,
          '/resources/0/properties/nested/__proto__',
        ],
      ];
      for (const [payload, path] of cases) {
        const res = await ctx.t.app.inject({
          method: 'POST',
          url: '/api/blueprints',
          headers: { ...bearer(a), 'content-type': 'application/json' },
          payload,
        });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(problemOf(res).errors?.[0]?.path, path);
        assert.match(problemOf(res).errors?.[0]?.message ?? '', /forbidden key \((__proto__|constructor)\)/);
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(await blueprintCount(a), 0);
    });

    it('answers a NUL or a lone surrogate in any string with a 400 naming the field, not a database 500', async () => {
      const a = await registerTenant(ctx.t.app, 'NulChar');
      const json = { 'content-type': 'application/json' };
      const cases: [string, Record<string, unknown>, string][] = [
        [
          'login email',
          { method: 'POST', url: '/api/auth/login', payload: { email: 'a\u0000@x.io', password: 'p' } },
          '/email',
        ],
        [
          'registration organization',
          {
            method: 'POST',
            url: '/api/auth/register',
            payload: { email: `nul${Date.now()}@x.io`, password: 'x'.repeat(12), organization: 'Org\u0000' },
          },
          '/organization',
        ],
        [
          'project name',
          { method: 'POST', url: '/api/projects', payload: { name: '\u0000', environment: 'dev' } },
          '/name',
        ],
        ['?q=', { url: '/api/blueprints?q=%00' }, '/q'],
        [
          'a tag value',
          { method: 'POST', url: '/api/blueprints', payload: blueprintBody({ tags: { Owner: 'o\u0000' } }) },
          '/tags/Owner',
        ],
        [
          'a key deep in properties',
          {
            method: 'POST',
            url: '/api/blueprints',
            payload: blueprintBody({ resources: [{ name: 'x', type: 'vm', properties: { a: [{ 'k\u0000': 1 }] } }] }),
          },
          '/resources/0/properties/a/0/k\u0000',
        ],
        [
          'a lone surrogate',
          {
            method: 'POST',
            url: '/api/projects',
            headers: json,
            payload: '{"name":"\\ud800","environment":"dev"}',
          },
          '/name',
        ],
      ];
      for (const [name, req, path] of cases) {
        const res = await ctx.t.app.inject({ ...req, headers: { ...bearer(a), ...(req.headers as object) } } as never);
        assert.equal(res.statusCode, 400, `${name}: ${res.body}`);
        assert.equal(problemOf(res).errors?.[0]?.path, path, name);
        assert.match(problemOf(res).errors?.[0]?.message ?? '', /NUL|surrogate/, name);
      }
      assert.equal(await blueprintCount(a), 0);
    });

    it('answers every body of a wrong media type or content coding with 415 problem+json', async () => {
      const a = await registerTenant(ctx.t.app, 'Media');
      const project = (
        await ctx.t.app.inject({
          method: 'POST',
          url: '/api/projects',
          headers: bearer(a),
          payload: { name: 'p', environment: 'dev' },
        })
      ).json().id as string;
      const body = JSON.stringify(blueprintBody());
      const cases: [string, string, Record<string, string>][] = [
        ['POST', '/api/blueprints', { 'content-type': 'text/plain' }],
        ['POST', '/api/blueprints', { 'content-type': 'application/x-www-form-urlencoded' }],
        ['POST', '/api/blueprints', { 'content-type': 'application/merge-patch+json' }],
        ['POST', '/api/blueprints', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
        ['PUT', `/api/blueprints/${project}`, { 'content-type': 'application/merge-patch+json' }],
        ['PATCH', `/api/projects/${project}`, { 'content-type': 'text/plain' }],
        ['POST', '/api/auth/login', { 'content-type': 'multipart/form-data; boundary=x' }],
        ['POST', '/api/iac/generate', { 'content-type': 'application/xml' }],
      ];
      for (const [method, url, headers] of cases) {
        const res = await ctx.t.app.inject({
          method: method as 'POST',
          url,
          headers: { ...bearer(a), ...headers },
          payload: body,
        });
        assert.equal(res.statusCode, 415, `${method} ${url} ${JSON.stringify(headers)}: ${res.body}`);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.equal(problemOf(res).type, 'https://iac-dharma.dev/problems/unsupported-media-type');
      }
      const patched = await ctx.t.app.inject({
        method: 'PATCH',
        url: `/api/projects/${project}`,
        headers: { ...bearer(a), 'content-type': 'application/merge-patch+json' },
        payload: '{"name":"renamed"}',
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().name, 'renamed');
    });

    it('keeps the error list bounded: a 1 MiB array of {} and 600 unknown query parameters', async () => {
      const a = await registerTenant(ctx.t.app, 'Bounded');
      const items = '{},'.repeat(340_000).slice(0, -1);
      const big = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/blueprints',
        headers: { ...bearer(a), 'content-type': 'application/json' },
        payload: `{"name":"x","provider":"aws","region":"us-east-1","resources":[${items}]}`,
      });
      assert.equal(big.statusCode, 400, big.body.slice(0, 300));
      assert.ok(big.body.length < 2_000, `a short answer, got ${big.body.length} bytes`);
      assert.equal(problemOf(big).errors?.[0]?.path, '/resources');
      const query = Array.from({ length: 600 }, (_, i) => `p${i}=1`).join('&');
      const many = await ctx.t.app.inject({ url: `/api/blueprints?${query}`, headers: bearer(a) });
      assert.equal(many.statusCode, 400);
      assert.equal(problemOf(many).errors?.length, 20);
      assert.equal(problemOf(many).errors?.[0]?.path, '/p0');
    });

    it('answers what the router refuses (bad percent-encoding, a 101-character id) as a 400 problem with the usual headers', async () => {
      const a = await registerTenant(ctx.t.app, 'Router');
      for (const url of ['/api/blueprints/%E0%A4%A', `/api/blueprints/${'f'.repeat(101)}`]) {
        const res = await ctx.t.app.inject({ url, headers: bearer(a) });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.equal(problemOf(res).type, 'https://iac-dharma.dev/problems/bad-request');
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.ok(res.headers['x-request-id'], 'x-request-id');
        assert.ok(res.headers['content-security-policy'], 'security headers');
      }
    });

    it('answers a known path with a wrong method with 405 and Allow', async () => {
      const res = await ctx.t.app.inject({ method: 'PATCH', url: '/api/blueprints' });
      assert.equal(res.statusCode, 405);
      assert.equal(problemOf(res).type, 'https://iac-dharma.dev/problems/method-not-allowed');
      assert.deepEqual(String(res.headers.allow).split(', ').sort(), ['GET', 'HEAD', 'POST']);
    });

    it('documents as required only what has no default', async () => {
      const doc = (await ctx.t.app.inject('/docs/json')).json();
      const create = doc.paths['/api/blueprints'].post.requestBody.content['application/json'].schema;
      assert.deepEqual([...create.required].sort(), ['name', 'provider', 'region', 'resources']);
      assert.deepEqual([...create.properties.resources.items.required].sort(), ['name', 'type']);
      const project = doc.paths['/api/projects'].post.requestBody.content['application/json'].schema;
      assert.deepEqual([...project.required].sort(), ['environment', 'name']);
      const limit = doc.paths['/api/blueprints'].get.parameters.find((p: { name: string }) => p.name === 'limit');
      assert.equal(limit.required, false);
      assert.equal(limit.schema.default, 20);
    });

    it('answers unknown routes with a 404 problem', async () => {
      const res = await ctx.t.app.inject('/api/nothing-here');
      assert.equal(res.statusCode, 404);
      assert.equal(problemOf(res).status, 404);
    });
  });
}
