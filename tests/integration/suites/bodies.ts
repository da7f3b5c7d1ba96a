import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import fastJson from 'fast-json-stringify';
import { jsonbOrdered } from '../../../src/lib/jsonb.js';
import { pageReply } from '../../../src/lib/pagination.js';
import { BlueprintSchema } from '../../../src/modules/blueprints/schema.js';
import { ProjectSchema, StatsSummary } from '../../../src/modules/projects/schema.js';
import { bearer, blueprintBody, registerTenant } from '../../helpers/app.js';
import type { SuiteContext } from './context.js';

// What the routes answered before bodies were stored with their rows: the columns read back
// (JSONB parsed by the driver) and serialized by the response schema. The stored bodies must
// be these bytes.
const asBlueprint = fastJson(BlueprintSchema);
const asBlueprintPage = fastJson(pageReply(BlueprintSchema));
const asProject = fastJson(ProjectSchema);

type Row = Record<string, unknown> & { created_at: Date; updated_at: Date };

/** Awkward JSON: integer-like keys, keys of every length, unicode, escapes, numbers of every form. */
const tricky = {
  '10': 'ten',
  '2': 'two',
  b: { zz: 1, a: [1.5, -0, 1e21, 0.1, 12345678901234567000], ñ: 'ü', '😀': 'emoji' },
  aa: 'line\nbreak "quoted" \\ back\tslash \u0001',
  a: null,
  Z: true,
};

/** Stored response bodies are byte for byte what serializing the row's columns gives. */
export function bodiesSuite(ctx: SuiteContext): void {
  describe('response bodies stored with their rows', () => {
    const blueprintRow = async (id: string) => {
      const { rows } = await ctx.t.db.query<Row>(
        `SELECT id, name, description, provider, region, version, status, parameters, resources, tags,
                created_by, created_at, updated_at FROM blueprints WHERE id = $1`,
        [id],
      );
      const r = rows[0]!;
      return {
        id: r.id,
        name: r.name,
        description: r.description,
        provider: r.provider,
        region: r.region,
        version: r.version,
        status: r.status,
        parameters: r.parameters,
        resources: r.resources,
        tags: r.tags,
        createdAt: r.created_at.toISOString(),
        updatedAt: r.updated_at.toISOString(),
        createdBy: r.created_by,
      };
    };

    it('uncached list, detail and stats answer the bytes the columns serialize to', async () => {
      const a = await registerTenant(ctx.t.app, 'Bodies');
      const get = (url: string) => ctx.t.app.inject({ url, headers: bearer(a) });
      const body = blueprintBody({
        name: 'Ünïcödé "name" \u2028',
        parameters: {
          type: 'object',
          properties: { size: { type: 'string', default: 't3.micro' } },
          'x-notes': tricky,
        },
        tags: { '10': 'x', '9': 'y', Owner: 'o', a: 'ü' },
      });
      const first = (
        await ctx.t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(a), payload: body })
      ).json();
      const put = await ctx.t.app.inject({
        method: 'PUT',
        url: `/api/blueprints/${first.id}`,
        headers: bearer(a),
        payload: { ...body, description: 'updated', tags: { zz: '1', '7': '2' } },
      });
      assert.equal(put.statusCode, 200, put.body);
      const second = (
        await ctx.t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(a), payload: blueprintBody() })
      ).json();

      for (const id of [first.id, second.id]) {
        const detail = await get(`/api/blueprints/${id}?cache=false`);
        assert.equal(detail.body, asBlueprint(await blueprintRow(id)), `detail of ${id}`);
      }
      const list = await get('/api/blueprints?cache=false&limit=1');
      const rows = [await blueprintRow(second.id)];
      assert.equal(
        list.body,
        asBlueprintPage({ items: rows, nextCursor: list.json().nextCursor }),
        'a page with a next cursor',
      );
      const all = await get('/api/blueprints?cache=false');
      assert.equal(
        all.body,
        asBlueprintPage({ items: [await blueprintRow(second.id), await blueprintRow(first.id)], nextCursor: null }),
      );

      const project = (
        await ctx.t.app.inject({
          method: 'POST',
          url: '/api/projects',
          headers: bearer(a),
          payload: {
            name: 'p "1"',
            environment: 'dev',
            blueprintIds: [String(first.id).toUpperCase()],
            budgetMonthly: 12.5,
          },
        })
      ).json();
      await ctx.t.app.inject({
        method: 'PATCH',
        url: `/api/projects/${project.id}`,
        headers: { ...bearer(a), 'content-type': 'application/merge-patch+json' },
        payload: JSON.stringify({ budgetMonthly: null, status: 'on_hold' }),
      });
      const projectDetail = await get(`/api/projects/${project.id}?cache=false`);
      const { rows: p } = await ctx.t.db.query<Row>(
        `SELECT id, name, description, environment, status, budget_monthly, owner, created_at, updated_at,
           ARRAY(SELECT blueprint_id::text FROM project_blueprints WHERE project_id = $1 ORDER BY position) AS ids
         FROM projects WHERE id = $1`,
        [project.id],
      );
      const r = p[0]!;
      assert.equal(
        projectDetail.body,
        asProject({
          id: r.id,
          name: r.name,
          description: r.description,
          environment: r.environment,
          status: r.status,
          blueprintIds: r.ids,
          budgetMonthly: r.budget_monthly,
          owner: r.owner,
          createdAt: r.created_at.toISOString(),
          updatedAt: r.updated_at.toISOString(),
        }),
      );
      const stats = await get('/api/projects/stats/summary?cache=false');
      assert.equal(stats.body, fastJson(StatsSummary)(stats.json()));
    });

    it('a row written before bodies were stored is answered from its columns, identically', async () => {
      const a = await registerTenant(ctx.t.app, 'Legacy');
      const bp = (
        await ctx.t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(a), payload: blueprintBody() })
      ).json();
      const stored = (await ctx.t.app.inject({ url: `/api/blueprints/${bp.id}?cache=false`, headers: bearer(a) })).body;
      await ctx.t.db.query('UPDATE blueprints SET doc = NULL WHERE id = $1', [bp.id]);
      const legacy = await ctx.t.app.inject({ url: `/api/blueprints/${bp.id}?cache=false`, headers: bearer(a) });
      assert.equal(legacy.body, stored);
      const page = await ctx.t.app.inject({ url: '/api/blueprints?cache=false', headers: bearer(a) });
      assert.equal(page.json().items[0].id, bp.id);
      // The body built from the columns was written back once: later reads pass it through.
      let written: string | null = null;
      for (let i = 0; i < 50 && written === null; i++) {
        await new Promise((r) => setTimeout(r, 10));
        written = (await ctx.t.db.query<{ doc: string | null }>('SELECT doc FROM blueprints WHERE id = $1', [bp.id]))
          .rows[0]!.doc;
      }
      assert.equal(written, legacy.body);
    });

    it('jsonbOrdered predicts the key order of a jsonb round trip (property)', async () => {
      const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
      const noNul = fc
        .string({ unit: 'binary', maxLength: 12 })
        .filter((s) => !s.includes('\u0000') && !LONE_SURROGATE.test(s));
      const json = fc.letrec((tie) => ({
        value: fc.oneof(
          { depthSize: 'small' },
          fc.constant(null),
          fc.boolean(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.integer(),
          noNul,
          fc.array(tie('value'), { maxLength: 4 }),
          fc.dictionary(fc.oneof(noNul, fc.nat().map(String)), tie('value'), { maxKeys: 6 }),
        ),
      })).value;
      await fc.assert(
        fc.asyncProperty(fc.dictionary(noNul, json, { maxKeys: 8 }), async (value) => {
          const input = JSON.parse(JSON.stringify(value)) as unknown; // what a request body parses to
          const { rows } = await ctx.t.db.query<{ v: unknown }>('SELECT $1::jsonb AS v', [JSON.stringify(input)]);
          assert.equal(JSON.stringify(jsonbOrdered(input)), JSON.stringify(rows[0]!.v));
        }),
        { numRuns: 150 },
      );
    });
  });
}
