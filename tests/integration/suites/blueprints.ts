import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addUser, bearer, blueprintBody, problemOf, registerTenant, type Account } from '../../helpers/app.js';
import type { SuiteContext } from './context.js';

/** Blueprint CRUD, versions, ETags, pagination, roles and tenant isolation. */
export function blueprintSuite(ctx: SuiteContext): void {
  const create = (who: Account, over: Record<string, unknown> = {}) =>
    ctx.t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(who), payload: blueprintBody(over) });

  describe('blueprints', () => {
    it('create → detail with a strong ETag → identical PUT is a no-op → changed PUT bumps the minor version', async () => {
      const a = await registerTenant(ctx.t.app, 'BpCrud');
      const created = await create(a);
      assert.equal(created.statusCode, 201);
      const bp = created.json();
      assert.equal(bp.version, '1.0.0');
      assert.equal(bp.status, 'draft');
      assert.equal(bp.createdBy, a.userId);
      assert.equal(created.headers.location, `/api/blueprints/${bp.id}`);

      const detail = await ctx.t.app.inject({ url: `/api/blueprints/${bp.id}`, headers: bearer(a) });
      assert.equal(detail.statusCode, 200);
      assert.deepEqual(detail.json(), bp);
      const etag = String(detail.headers.etag);
      assert.match(etag, /^"[^"]+"$/, 'strong ETag');

      const same = await ctx.t.app.inject({
        method: 'PUT',
        url: `/api/blueprints/${bp.id}`,
        headers: bearer(a),
        payload: blueprintBody(),
      });
      assert.equal(same.statusCode, 200);
      assert.equal(same.json().version, '1.0.0');
      assert.equal(same.json().updatedAt, bp.updatedAt);
      assert.equal(same.headers.etag, etag);

      const changed = await ctx.t.app.inject({
        method: 'PUT',
        url: `/api/blueprints/${bp.id}`,
        headers: { ...bearer(a), 'if-match': etag },
        payload: blueprintBody({ name: 'renamed', status: 'published' }),
      });
      assert.equal(changed.statusCode, 200);
      assert.equal(changed.json().version, '1.1.0');
      assert.equal(changed.json().status, 'published');
      assert.notEqual(changed.headers.etag, etag);

      const stale = await ctx.t.app.inject({
        method: 'PUT',
        url: `/api/blueprints/${bp.id}`,
        headers: { ...bearer(a), 'if-match': etag },
        payload: blueprintBody({ name: 'lost update' }),
      });
      assert.equal(stale.statusCode, 412);
      const lww = await ctx.t.app.inject({
        method: 'PUT',
        url: `/api/blueprints/${bp.id}`,
        headers: bearer(a),
        payload: blueprintBody({ name: 'last writer' }),
      });
      assert.equal(lww.json().version, '1.2.0');
      const after = (await ctx.t.app.inject({ url: `/api/blueprints/${bp.id}`, headers: bearer(a) })).json();
      assert.equal(after.name, 'last writer');
    });

    it('lists newest first with keyset pagination and filters, viewers see drafts', async () => {
      const a = await registerTenant(ctx.t.app, 'BpList');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await create(a, {
          name: `Stack ${i} 100%_off`,
          provider: i % 2 ? 'gcp' : 'aws',
          region: i % 2 ? 'us-central1' : 'us-east-1',
          // The fixture's size parameter defaults to an AWS size: GCP needs one of its own.
          parameters: {
            type: 'object',
            properties: { size: { type: 'string', default: i % 2 ? 'e2-micro' : 't3.micro' } },
          },
        });
        assert.equal(res.statusCode, 201, res.body);
        ids.push(res.json().id);
      }
      const viewer = await addUser(ctx.t.app, a, 'viewer');
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/api/blueprints?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await ctx.t.app.inject({ url, headers: bearer(viewer) })).json();
        seen.push(...page.items.map((b: { id: string }) => b.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...ids].reverse());

      const gcp = (await ctx.t.app.inject({ url: '/api/blueprints?provider=gcp', headers: bearer(a) })).json();
      assert.deepEqual(
        gcp.items.map((b: { id: string }) => b.id),
        [ids[3], ids[1]],
      );
      const q = (await ctx.t.app.inject({ url: '/api/blueprints?q=STACK%202', headers: bearer(a) })).json();
      assert.deepEqual(
        q.items.map((b: { id: string }) => b.id),
        [ids[2]],
      );
      const literal = (await ctx.t.app.inject({ url: '/api/blueprints?q=0%25_o', headers: bearer(a) })).json();
      assert.equal(literal.items.length, 5, '% and _ in q are literal characters');
      const none = (await ctx.t.app.inject({ url: '/api/blueprints?q=_%25x', headers: bearer(a) })).json();
      assert.equal(none.items.length, 0);
      const drafts = (await ctx.t.app.inject({ url: '/api/blueprints?status=draft', headers: bearer(viewer) })).json();
      assert.equal(drafts.items.length, 5);
    });

    it('enforces roles: viewer cannot write, editor cannot delete, 403 comes before 404', async () => {
      const a = await registerTenant(ctx.t.app, 'BpRoles');
      const editor = await addUser(ctx.t.app, a, 'editor');
      const viewer = await addUser(ctx.t.app, a, 'viewer');
      assert.equal((await create(viewer)).statusCode, 403);
      const bp = (await create(editor)).json();
      assert.equal(bp.createdBy, editor.userId);
      const put = await ctx.t.app.inject({
        method: 'PUT',
        url: `/api/blueprints/${bp.id}`,
        headers: bearer(viewer),
        payload: blueprintBody(),
      });
      assert.equal(put.statusCode, 403);
      assert.equal(
        (await ctx.t.app.inject({ method: 'DELETE', url: `/api/blueprints/${bp.id}`, headers: bearer(editor) }))
          .statusCode,
        403,
      );
      const missing = '01900000-0000-7000-8000-000000000000';
      assert.equal(
        (await ctx.t.app.inject({ method: 'DELETE', url: `/api/blueprints/${missing}`, headers: bearer(viewer) }))
          .statusCode,
        403,
      );
      assert.equal(
        (await ctx.t.app.inject({ method: 'DELETE', url: `/api/blueprints/${missing}`, headers: bearer(a) }))
          .statusCode,
        404,
      );
      assert.equal(
        (await ctx.t.app.inject({ method: 'DELETE', url: `/api/blueprints/${bp.id}`, headers: bearer(a) })).statusCode,
        204,
      );
      assert.equal((await ctx.t.app.inject({ url: `/api/blueprints/${bp.id}`, headers: bearer(a) })).statusCode, 404);
    });

    it('checks run in the order 401, 400, 403', async () => {
      const a = await registerTenant(ctx.t.app, 'BpOrder');
      const viewer = await addUser(ctx.t.app, a, 'viewer');
      const bad = { name: '' };
      assert.equal((await ctx.t.app.inject({ method: 'POST', url: '/api/blueprints', payload: bad })).statusCode, 401);
      assert.equal(
        (await ctx.t.app.inject({ method: 'POST', url: '/api/blueprints', headers: bearer(viewer), payload: bad }))
          .statusCode,
        400,
      );
      assert.equal((await create(viewer)).statusCode, 403);
    });

    it('isolates tenants: B cannot read, list, update or delete A’s blueprint (404, not 403)', async () => {
      const a = await registerTenant(ctx.t.app, 'IsoA');
      const b = await registerTenant(ctx.t.app, 'IsoB');
      const bp = (await create(a)).json();
      assert.equal((await ctx.t.app.inject({ url: `/api/blueprints/${bp.id}`, headers: bearer(b) })).statusCode, 404);
      const list = (await ctx.t.app.inject({ url: '/api/blueprints', headers: bearer(b) })).json();
      assert.equal(list.items.length, 0);
      const put = await ctx.t.app.inject({
        method: 'PUT',
        url: `/api/blueprints/${bp.id}`,
        headers: bearer(b),
        payload: blueprintBody({ name: 'hijack' }),
      });
      assert.equal(put.statusCode, 404);
      assert.equal(
        (await ctx.t.app.inject({ method: 'DELETE', url: `/api/blueprints/${bp.id}`, headers: bearer(b) })).statusCode,
        404,
      );
      const still = (await ctx.t.app.inject({ url: `/api/blueprints/${bp.id}`, headers: bearer(a) })).json();
      assert.equal(still.name, bp.name);
      assert.equal(still.version, '1.0.0');
    });

    it('refuses to delete a blueprint a project uses, naming the project', async () => {
      const a = await registerTenant(ctx.t.app, 'BpInUse');
      const bp = (await create(a)).json();
      const project = (
        await ctx.t.app.inject({
          method: 'POST',
          url: '/api/projects',
          headers: bearer(a),
          payload: { name: 'Checkout', environment: 'prod', blueprintIds: [bp.id] },
        })
      ).json();
      const del = await ctx.t.app.inject({ method: 'DELETE', url: `/api/blueprints/${bp.id}`, headers: bearer(a) });
      assert.equal(del.statusCode, 409);
      assert.match(problemOf(del).detail, /Checkout/);
      assert.deepEqual(del.json().projects, [{ id: project.id, name: 'Checkout' }]);
      await ctx.t.app.inject({
        method: 'PATCH',
        url: `/api/projects/${project.id}`,
        headers: bearer(a),
        payload: { blueprintIds: [] },
      });
      assert.equal(
        (await ctx.t.app.inject({ method: 'DELETE', url: `/api/blueprints/${bp.id}`, headers: bearer(a) })).statusCode,
        204,
      );
    });

    it('answers semantic problems with 422 naming the field', async () => {
      const a = await registerTenant(ctx.t.app, 'Bp422');
      const dup = await create(a, {
        resources: [
          { name: 'x', type: 'vm', properties: {} },
          { name: 'x', type: 'disk', properties: {} },
        ],
      });
      assert.equal(dup.statusCode, 422);
      assert.equal(problemOf(dup).errors?.[0]?.path, '/resources/1/name');
      const unresolved = await create(a, {
        resources: [{ name: 'web', type: 'vm', properties: { size: '${param.nope}' } }],
      });
      assert.equal(unresolved.statusCode, 422);
      assert.equal(problemOf(unresolved).errors?.[0]?.path, '/resources/0/properties/size');
      const remote = await create(a, {
        parameters: { type: 'object', properties: { x: { $ref: 'https://evil.example/schema.json' } } },
      });
      assert.equal(remote.statusCode, 422);
      assert.equal(problemOf(remote).errors?.[0]?.path, '/parameters/properties/x/$ref');
      const invalidSchema = await create(a, {
        parameters: { type: 'object', properties: { x: { type: 'no-such-type' } } },
      });
      assert.equal(invalidSchema.statusCode, 422);
    });
  });
}
