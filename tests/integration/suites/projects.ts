import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addUser, bearer, blueprintBody, problemOf, registerTenant, type Account } from '../../helpers/app.js';
import type { SuiteContext } from './context.js';

/** Project CRUD, merge-patch, the stats summary, roles and tenant isolation. */
export function projectSuite(ctx: SuiteContext): void {
  const newBlueprint = async (who: Account) =>
    (
      await ctx.t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(who), payload: blueprintBody() })
    ).json().id as string;
  const createProject = (who: Account, payload: Record<string, unknown>) =>
    ctx.t.app.inject({ method: 'POST', url: '/api/projects', headers: bearer(who), payload });

  describe('projects', () => {
    it('create, detail, merge-patch (null removes the budget) and delete', async () => {
      const a = await registerTenant(ctx.t.app, 'PrjCrud');
      const editor = await addUser(ctx.t.app, a, 'editor');
      const [b1, b2] = [await newBlueprint(a), await newBlueprint(a)];
      const created = await createProject(editor, {
        name: 'Payments',
        environment: 'staging',
        blueprintIds: [b2, b1],
        budgetMonthly: 1500.5,
      });
      assert.equal(created.statusCode, 201);
      const p = created.json();
      assert.deepEqual(p.blueprintIds, [b2, b1], 'order kept');
      assert.equal(p.status, 'active');
      assert.equal(p.owner, editor.userId);
      assert.equal(p.budgetMonthly, 1500.5);
      assert.deepEqual((await ctx.t.app.inject({ url: `/api/projects/${p.id}`, headers: bearer(a) })).json(), p);

      const patched = await ctx.t.app.inject({
        method: 'PATCH',
        url: `/api/projects/${p.id}`,
        headers: { ...bearer(editor), 'content-type': 'application/merge-patch+json' },
        payload: JSON.stringify({ status: 'on_hold', budgetMonthly: null }),
      });
      assert.equal(patched.statusCode, 200);
      const after = patched.json();
      assert.equal(after.status, 'on_hold');
      assert.equal(after.budgetMonthly, null);
      assert.equal(after.name, 'Payments', 'absent fields unchanged');
      assert.deepEqual(after.blueprintIds, [b2, b1]);
      assert.ok(after.updatedAt >= p.updatedAt);

      const nullName = await ctx.t.app.inject({
        method: 'PATCH',
        url: `/api/projects/${p.id}`,
        headers: bearer(editor),
        payload: { name: null },
      });
      assert.equal(nullName.statusCode, 400);
      assert.equal(
        (await ctx.t.app.inject({ method: 'DELETE', url: `/api/projects/${p.id}`, headers: bearer(editor) }))
          .statusCode,
        403,
      );
      assert.equal(
        (await ctx.t.app.inject({ method: 'DELETE', url: `/api/projects/${p.id}`, headers: bearer(a) })).statusCode,
        204,
      );
      assert.equal((await ctx.t.app.inject({ url: `/api/projects/${p.id}`, headers: bearer(a) })).statusCode, 404);
    });

    it('lists with filters and pagination; viewers read but cannot write', async () => {
      const a = await registerTenant(ctx.t.app, 'PrjList');
      const viewer = await addUser(ctx.t.app, a, 'viewer');
      const made: string[] = [];
      for (const [environment, status] of [
        ['dev', 'active'],
        ['prod', 'active'],
        ['prod', 'archived'],
      ] as const) {
        made.push((await createProject(a, { name: `${environment}-${status}`, environment, status })).json().id);
      }
      const prod = (await ctx.t.app.inject({ url: '/api/projects?environment=prod', headers: bearer(viewer) })).json();
      assert.deepEqual(
        prod.items.map((p: { id: string }) => p.id),
        [made[2], made[1]],
      );
      const active = (
        await ctx.t.app.inject({ url: '/api/projects?status=active&limit=1', headers: bearer(viewer) })
      ).json();
      assert.deepEqual(
        active.items.map((p: { id: string }) => p.id),
        [made[1]],
      );
      const next = (
        await ctx.t.app.inject({
          url: `/api/projects?status=active&limit=1&cursor=${active.nextCursor}`,
          headers: bearer(viewer),
        })
      ).json();
      assert.deepEqual(
        next.items.map((p: { id: string }) => p.id),
        [made[0]],
      );
      assert.equal(next.nextCursor, null);
      assert.equal((await createProject(viewer, { name: 'nope', environment: 'dev' })).statusCode, 403);
      const patch = await ctx.t.app.inject({
        method: 'PATCH',
        url: `/api/projects/${made[0]}`,
        headers: bearer(viewer),
        payload: { name: 'x' },
      });
      assert.equal(patch.statusCode, 403);
    });

    it('stats summary counts every enum value, zeros included', async () => {
      const a = await registerTenant(ctx.t.app, 'PrjStats');
      await newBlueprint(a);
      await newBlueprint(a);
      await createProject(a, { name: 'one', environment: 'dev' });
      await createProject(a, { name: 'two', environment: 'dev', status: 'completed' });
      const res = await ctx.t.app.inject({ url: '/api/projects/stats/summary', headers: bearer(a) });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {
        total: 2,
        byStatus: { active: 1, on_hold: 0, completed: 1, archived: 0 },
        byEnvironment: { dev: 2, staging: 0, prod: 0 },
        blueprints: 2,
        estimatedMonthlyCost: 0,
      });
      const other = (
        await ctx.t.app.inject({
          url: '/api/projects/stats/summary',
          headers: bearer(await registerTenant(ctx.t.app, 'PrjStats2')),
        })
      ).json();
      assert.equal(other.total, 0);
      assert.equal(other.blueprints, 0);
    });

    it('refuses blueprintIds of another tenant with 422 naming them', async () => {
      const a = await registerTenant(ctx.t.app, 'PrjRefA');
      const b = await registerTenant(ctx.t.app, 'PrjRefB');
      const mine = await newBlueprint(b);
      const theirs = await newBlueprint(a);
      const res = await createProject(b, { name: 'x', environment: 'dev', blueprintIds: [mine, theirs] });
      assert.equal(res.statusCode, 422);
      assert.deepEqual(
        problemOf(res).errors?.map((e) => e.path),
        ['/blueprintIds/1'],
      );
      const list = (await ctx.t.app.inject({ url: '/api/projects', headers: bearer(b) })).json();
      assert.equal(list.items.length, 0, 'nothing written');
    });

    it('isolates tenants: B cannot read, list, patch or delete A’s project (404)', async () => {
      const a = await registerTenant(ctx.t.app, 'PrjIsoA');
      const b = await registerTenant(ctx.t.app, 'PrjIsoB');
      const p = (await createProject(a, { name: 'secret', environment: 'prod' })).json();
      assert.equal((await ctx.t.app.inject({ url: `/api/projects/${p.id}`, headers: bearer(b) })).statusCode, 404);
      assert.equal((await ctx.t.app.inject({ url: '/api/projects', headers: bearer(b) })).json().items.length, 0);
      const patch = await ctx.t.app.inject({
        method: 'PATCH',
        url: `/api/projects/${p.id}`,
        headers: bearer(b),
        payload: { name: 'pwned' },
      });
      assert.equal(patch.statusCode, 404);
      assert.equal(
        (await ctx.t.app.inject({ method: 'DELETE', url: `/api/projects/${p.id}`, headers: bearer(b) })).statusCode,
        404,
      );
      assert.equal(
        (await ctx.t.app.inject({ url: `/api/projects/${p.id}`, headers: bearer(a) })).json().name,
        'secret',
      );
    });
  });
}
