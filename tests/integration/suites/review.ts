import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { addUser, bearer, blueprintBody, problemOf, registerTenant, type Account } from '../../helpers/app.js';
import type { SuiteContext } from './context.js';

type Resource = { name: string; type: string; properties: Record<string, unknown>; count?: number };
const cents = (x: number) => Math.round(x * 100) / 100;

/** A blueprint body plus one resource. */
export function withResource(extra: Resource, over: Record<string, unknown> = {}): Record<string, unknown> {
  const body = blueprintBody(over);
  return { ...body, resources: [...(body.resources as Resource[]), extra] };
}

/** The VM the review tests add: three public instances of a t3.medium. */
export const API_VMS: Resource = {
  name: 'api',
  type: 'vm',
  count: 3,
  properties: { size: 't3.medium', image: 'ubuntu-22.04', subnet: 'web-subnet', publicIp: true },
};

/** Blueprint diffs between saved versions, and reviews of unsaved changes. */
export function reviewSuite(ctx: SuiteContext): void {
  const inject = (opts: InjectOptions | string) => ctx.t.app.inject(opts);
  const create = async (who: Account, body = blueprintBody()) => {
    const res = await inject({ method: 'POST', url: '/api/blueprints', headers: bearer(who), payload: body });
    assert.equal(res.statusCode, 201, res.body);
    return res.json();
  };
  const put = async (who: Account, id: string, body: Record<string, unknown>) => {
    const res = await inject({ method: 'PUT', url: `/api/blueprints/${id}`, headers: bearer(who), payload: body });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  describe('change review', () => {
    it('a saved change adding a count: 3 VM: the resource, three instances to the cent, newly failing guardrails', async () => {
      const a = await registerTenant(ctx.t.app, 'ReviewVm');
      const bp = await create(a);
      await put(a, bp.id, withResource(API_VMS));
      const viewer = await addUser(ctx.t.app, a, 'viewer');

      const res = await inject({ url: `/api/blueprints/${bp.id}/diff`, headers: bearer(viewer) });
      assert.equal(res.statusCode, 200, res.body);
      const d = res.json();
      assert.deepEqual([d.fromVersion, d.toVersion], ['1.0.0', '1.1.0']);
      assert.deepEqual(d.resources, { added: [{ name: 'api', type: 'vm', count: 3 }], removed: [], changed: [] });
      assert.deepEqual(d.blueprint, []);

      // AWS us-east-1 on demand, 730 h a month: t3.medium $0.0416/h plus a public IPv4 address $0.005/h,
      // plus the image's 8 GB gp3 root disk at $0.08 per GB-month.
      const perInstance = cents(cents(0.0416 * 730) + cents(0.005 * 730) + cents(8 * 0.08));
      assert.deepEqual(
        d.cost.diff.resources.map((r: { name: string; monthlyCost: number }) => [r.name, r.monthlyCost]),
        [0, 1, 2].map((i) => [`aws_instance.api[${i}]`, perInstance]),
      );
      assert.equal(d.cost.diffTotalMonthlyCost, 103.98);
      assert.equal(d.cost.diffTotalMonthlyCost, cents(3 * perInstance));
      assert.equal(d.cost.totalMonthlyCost, cents(d.cost.pastTotalMonthlyCost + 3 * perInstance));
      assert.equal(d.summary.diffTotalMonthlyCost, 103.98);

      assert.deepEqual(
        d.guardrails.newlyFailing.map((g: { ruleId: string; resource: string; after: string }) => [
          g.ruleId,
          g.resource,
          g.after,
        ]),
        [0, 1, 2].map((i) => ['vm-public-ip', `aws_instance.api[${i}]`, 'failed']),
      );
      assert.deepEqual(d.guardrails.newlyPassing, []);
      const tf = d.files.find((f: { format: string }) => f.format === 'terraform');
      assert.match(tf.patch, /^--- a\/main\.tf\n\+\+\+ b\/main\.tf$/m);
      assert.match(tf.patch, /^\+resource "aws_instance" "api" \{$/m);
      assert.ok(
        d.files.some((f: { format: string; files: unknown[] }) => f.format === 'cloudformation' && f.files.length),
      );

      // The same range given explicitly, and reversed: the negated figures.
      const explicit = await inject({ url: `/api/blueprints/${bp.id}/diff?from=1.0.0&to=1.1.0`, headers: bearer(a) });
      assert.deepEqual(explicit.json(), d);
      const back = (
        await inject({ url: `/api/blueprints/${bp.id}/diff?from=1.1.0&to=1.0.0`, headers: bearer(a) })
      ).json();
      assert.equal(back.cost.diffTotalMonthlyCost, -103.98);
      assert.deepEqual(back.resources.removed, [{ name: 'api', type: 'vm', count: 3 }]);
      assert.equal(back.guardrails.newlyPassing.length, 3);
    });

    it('a no-op update gives an empty diff; a first version diffs against nothing', async () => {
      const a = await registerTenant(ctx.t.app, 'ReviewNoop');
      const bp = await create(a);
      const first = (await inject({ url: `/api/blueprints/${bp.id}/diff`, headers: bearer(a) })).json();
      assert.deepEqual([first.fromVersion, first.toVersion, first.summary.changed], [null, '1.0.0', true]);
      assert.equal(first.resources.added.length, 3);
      assert.equal(first.cost.pastTotalMonthlyCost, 0);

      assert.equal((await put(a, bp.id, blueprintBody())).version, '1.0.0');
      const same = await inject({ url: `/api/blueprints/${bp.id}/diff?from=1.0.0&to=1.0.0`, headers: bearer(a) });
      const s = same.json();
      assert.equal(s.summary.changed, false);
      assert.deepEqual(s.resources, { added: [], removed: [], changed: [] });
      assert.deepEqual(s.blueprint, []);
      assert.ok(s.files.every((f: { files: unknown[]; patch: string }) => f.files.length === 0 && f.patch === ''));
      assert.deepEqual([s.cost.diffTotalMonthlyCost, s.cost.diff.resources], [0, []]);
      assert.deepEqual([s.guardrails.newlyFailing, s.guardrails.newlyPassing], [[], []]);

      const inline = await inject({
        method: 'POST',
        url: '/api/review',
        headers: bearer(a),
        payload: { from: blueprintBody(), to: blueprintBody() },
      });
      assert.equal(inline.statusCode, 200, inline.body);
      assert.deepEqual(inline.json(), { ...s, fromVersion: null, toVersion: null });
    });

    it('POST /api/review of an unsaved change equals the diff of the same change once saved', async () => {
      const a = await registerTenant(ctx.t.app, 'ReviewInline');
      const changed = withResource(API_VMS, { region: 'us-east-1', tags: { Environment: 'prod', Owner: 'p' } });
      const inline = await inject({
        method: 'POST',
        url: '/api/review',
        headers: bearer(a),
        payload: { from: blueprintBody(), to: changed },
      });
      assert.equal(inline.statusCode, 200, inline.body);
      const r = inline.json();
      assert.deepEqual(
        r.blueprint.map((c: { op: string; path: string }) => [c.op, c.path]),
        [
          ['remove', '/tags/CostCenter'],
          ['replace', '/tags/Environment'],
          ['replace', '/tags/Owner'],
        ],
      );
      assert.ok(r.guardrails.newlyFailing.some((g: { ruleId: string }) => g.ruleId === 'required-tags'));
      assert.equal(r.summary.passed, false, 'a soft guardrail (required tags) now fails');

      const bp = await create(a);
      await put(a, bp.id, changed);
      const saved = (await inject({ url: `/api/blueprints/${bp.id}/diff`, headers: bearer(a) })).json();
      // Everything but the line-level patches, which follow each side's key order (a stored
      // blueprint's objects come back in jsonb's key order, so its code lists tags in that order).
      const { files: savedFiles, ...savedRest } = saved;
      const { files: inlineFiles, ...inlineRest } = r;
      assert.deepEqual({ ...savedRest, fromVersion: null, toVersion: null }, inlineRest);
      const paths = (fs: { format: string; files: { path: string }[] }[]) =>
        fs.map((f) => [f.format, f.files.map((x) => x.path)]);
      assert.deepEqual(paths(savedFiles), paths(inlineFiles));

      const fresh = await inject({ method: 'POST', url: '/api/review', headers: bearer(a), payload: { to: changed } });
      assert.equal(fresh.json().resources.added.length, 4, 'without `from`, a new blueprint: all added');
    });

    it('a change of the guardrail settings drops the cached diff', async () => {
      const a = await registerTenant(ctx.t.app, 'ReviewSettings');
      const bp = await create(a);
      await put(a, bp.id, withResource(API_VMS));
      const url = `/api/blueprints/${bp.id}/diff`;
      assert.equal((await inject({ url, headers: bearer(a) })).headers['x-cache'], 'MISS');
      const hit = await inject({ url, headers: bearer(a) });
      assert.equal(hit.headers['x-cache'], 'HIT');
      assert.ok(!hit.json().guardrails.newlyFailing.some((g: { ruleId: string }) => g.ruleId === 'allowed-sizes'));

      const settings = await inject({
        method: 'PUT',
        url: '/api/guardrails/settings',
        headers: bearer(a),
        payload: { allowedRegions: [], allowedSizes: ['t3.micro'], requiredTags: [] },
      });
      assert.equal(settings.statusCode, 200, settings.body);
      const after = await inject({ url, headers: bearer(a) });
      assert.equal(after.headers['x-cache'], 'MISS');
      assert.deepEqual(
        after
          .json()
          .guardrails.newlyFailing.filter((g: { ruleId: string }) => g.ruleId === 'allowed-sizes')
          .map((g: { resource: string }) => g.resource),
        [0, 1, 2].map((i) => `aws_instance.api[${i}]`),
      );
    });

    it('answers bad input with 400/422 naming the field, and another tenant with 404', async () => {
      const a = await registerTenant(ctx.t.app, 'ReviewErrors');
      const b = await registerTenant(ctx.t.app, 'ReviewOther');
      const bp = await create(a);
      const bad = await inject({
        method: 'POST',
        url: '/api/review',
        headers: bearer(a),
        payload: { from: blueprintBody(), to: blueprintBody({ provider: 'ibm' }) },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(problemOf(bad).errors?.[0]?.path, '/to/provider');
      const sku = await inject({
        method: 'POST',
        url: '/api/review',
        headers: bearer(a),
        payload: {
          from: blueprintBody(),
          to: withResource({ ...API_VMS, properties: { ...API_VMS.properties, size: 'x9.huge' } }),
        },
      });
      assert.equal(sku.statusCode, 422, sku.body);
      assert.match(problemOf(sku).errors?.[0]?.path ?? '', /^\/to\/resources\/3\/properties\/size$/);
      const unknownField = await inject({
        method: 'POST',
        url: '/api/review',
        headers: bearer(a),
        payload: { from: blueprintBody(), to: blueprintBody(), extra: 1 },
      });
      assert.equal(unknownField.statusCode, 400);

      const noVersion = await inject({ url: `/api/blueprints/${bp.id}/diff?from=1.9.0`, headers: bearer(a) });
      assert.equal(noVersion.statusCode, 404);
      const badVersion = await inject({ url: `/api/blueprints/${bp.id}/diff?to=v2`, headers: bearer(a) });
      assert.equal(badVersion.statusCode, 400);
      assert.equal(problemOf(badVersion).errors?.[0]?.path, '/to');
      const other = await inject({ url: `/api/blueprints/${bp.id}/diff`, headers: bearer(b) });
      assert.equal(other.statusCode, 404);
      const anonymous = await inject({ method: 'POST', url: '/api/review', payload: { to: blueprintBody() } });
      assert.equal(anonymous.statusCode, 401);
    });
  });
}
