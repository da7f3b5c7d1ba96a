import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { addUser, bearer, blueprintBody, problemOf, registerTenant, type Account } from '../../helpers/app.js';
import type { SuiteContext } from './context.js';

type Resource = { name: string; type: string; properties: Record<string, unknown>; count?: number };

/** Blueprint history: every save kept, read back as saved, restorable, tenant-scoped. */
export function versionSuite(ctx: SuiteContext): void {
  const inject = (opts: InjectOptions | string) => ctx.t.app.inject(opts);
  const create = async (who: Account, over: Record<string, unknown> = {}) => {
    const res = await inject({
      method: 'POST',
      url: '/api/blueprints',
      headers: bearer(who),
      payload: blueprintBody(over),
    });
    assert.equal(res.statusCode, 201, res.body);
    return res;
  };
  const put = (who: Account, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    inject({ method: 'PUT', url: `/api/blueprints/${id}`, headers: { ...bearer(who), ...headers }, payload: body });
  const allVersions = async (who: Account, id: string, limit: number) => {
    const seen: { version: string; restoredFrom: string | null; savedBy: string; resourceCount: number }[] = [];
    let cursor: string | null = null;
    do {
      const res = await inject({
        url: `/api/blueprints/${id}/versions?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        headers: bearer(who),
      });
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json();
      assert.ok(page.items.length <= limit);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return seen;
  };

  describe('blueprint history', () => {
    it('ten updates keep ten versions plus the first, each read back byte-identical to what its save returned', async () => {
      const a = await registerTenant(ctx.t.app, 'HistTen');
      const created = await create(a);
      const id = created.json().id;
      const saved = new Map<string, string>([['1.0.0', created.body]]);
      for (let i = 1; i <= 10; i++) {
        const resources = (blueprintBody().resources as Resource[]).map((r) =>
          r.name === 'web' ? { ...r, count: i + 1, properties: { ...r.properties, diskGb: 10 * i } } : r,
        );
        const res = await put(a, id, blueprintBody({ name: `rev ${i}`, resources }));
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().version, `1.${i}.0`);
        saved.set(`1.${i}.0`, res.body);
      }

      const viewer = await addUser(ctx.t.app, a, 'viewer');
      const listed = await allVersions(viewer, id, 4);
      assert.deepEqual(
        listed.map((v) => v.version),
        Array.from({ length: 11 }, (_, i) => `1.${10 - i}.0`),
        'newest first, every save kept',
      );
      assert.ok(listed.every((v) => v.savedBy === a.userId && v.restoredFrom === null && v.resourceCount === 3));

      for (const [version, body] of saved) {
        const res = await inject({ url: `/api/blueprints/${id}/versions/${version}`, headers: bearer(viewer) });
        assert.equal(res.statusCode, 200);
        assert.equal(res.body, body, `version ${version} reads back byte-identical`);
        assert.equal(res.headers.etag, `"${id}@${version}"`);
        const again = await inject({ url: `/api/blueprints/${id}/versions/${version}`, headers: bearer(viewer) });
        assert.equal(again.headers['x-cache'], 'HIT');
        assert.equal(again.body, body);
      }
      const current = await inject({ url: `/api/blueprints/${id}`, headers: bearer(a) });
      assert.equal(current.body, saved.get('1.10.0'), 'the newest version is the blueprint itself');
      const missing = await inject({ url: `/api/blueprints/${id}/versions/1.11.0`, headers: bearer(a) });
      assert.equal(missing.statusCode, 404);
      assert.match(problemOf(missing).detail, /Version 1\.11\.0/);
      const bad = await inject({ url: `/api/blueprints/${id}/versions/latest`, headers: bearer(a) });
      assert.equal(bad.statusCode, 400);
      assert.equal(problemOf(bad).errors?.[0]?.path, '/version');
    });

    it('an identical PUT writes no version; the list cached before a write is not served after it', async () => {
      const a = await registerTenant(ctx.t.app, 'HistNoop');
      const id = (await create(a)).json().id;
      const first = await inject({ url: `/api/blueprints/${id}/versions`, headers: bearer(a) });
      assert.equal(first.json().items.length, 1);
      assert.equal((await put(a, id, blueprintBody())).json().version, '1.0.0');
      const afterNoop = await inject({ url: `/api/blueprints/${id}/versions`, headers: bearer(a) });
      assert.equal(afterNoop.headers['x-cache'], 'HIT', 'a no-op invalidates nothing');
      assert.equal(afterNoop.json().items.length, 1);
      assert.equal((await put(a, id, blueprintBody({ name: 'changed' }))).json().version, '1.1.0');
      // The write dropped the list entry (and may have re-read it): never the page from before it.
      const afterWrite = await inject({ url: `/api/blueprints/${id}/versions`, headers: bearer(a) });
      assert.deepEqual(
        afterWrite.json().items.map((v: { version: string }) => v.version),
        ['1.1.0', '1.0.0'],
      );
    });

    it('restore saves the old content as a new version, honours If-Match and needs the editor role', async () => {
      const a = await registerTenant(ctx.t.app, 'HistRestore');
      const v1 = (await create(a)).json();
      const id = v1.id;
      await put(a, id, blueprintBody({ name: 'second', tags: { Environment: 'prod', Owner: 'x', CostCenter: 'y' } }));
      const v3 = (await put(a, id, blueprintBody({ name: 'third', status: 'published' }))).json();
      assert.equal(v3.version, '1.2.0');

      const viewer = await addUser(ctx.t.app, a, 'viewer');
      const denied = await inject({
        method: 'POST',
        url: `/api/blueprints/${id}/versions/1.0.0/restore`,
        headers: bearer(viewer),
      });
      assert.equal(denied.statusCode, 403);
      const stale = await inject({
        method: 'POST',
        url: `/api/blueprints/${id}/versions/1.0.0/restore`,
        headers: { ...bearer(a), 'if-match': `"${id}@1.1.0"` },
      });
      assert.equal(stale.statusCode, 412);

      const editor = await addUser(ctx.t.app, a, 'editor');
      const restored = await inject({
        method: 'POST',
        url: `/api/blueprints/${id}/versions/1.0.0/restore`,
        headers: { ...bearer(editor), 'if-match': `"${id}@1.2.0"` },
      });
      assert.equal(restored.statusCode, 200, restored.body);
      const r = restored.json();
      assert.equal(r.version, '1.3.0');
      assert.equal(restored.headers.etag, `"${id}@1.3.0"`);
      const content = (b: Record<string, unknown>) => {
        const { version: _v, updatedAt: _u, ...rest } = b;
        return rest;
      };
      assert.deepEqual(content(r), content(v1), 'equal to the old version but for version and save time');
      const stored = await inject({ url: `/api/blueprints/${id}/versions/1.3.0`, headers: bearer(a) });
      assert.equal(stored.body, restored.body);
      const detail = await inject({ url: `/api/blueprints/${id}`, headers: bearer(a) });
      assert.equal(detail.body, restored.body, 'the blueprint itself now reads as the restored content');

      const [newest] = await allVersions(a, id, 20);
      assert.deepEqual(
        { version: newest!.version, restoredFrom: newest!.restoredFrom, savedBy: newest!.savedBy },
        { version: '1.3.0', restoredFrom: '1.0.0', savedBy: editor.userId },
      );
      const again = await inject({
        method: 'POST',
        url: `/api/blueprints/${id}/versions/1.0.0/restore`,
        headers: bearer(a),
      });
      assert.equal(again.json().version, '1.3.0', 'restoring what is already current changes nothing');
      assert.equal((await allVersions(a, id, 20)).length, 4);
    });

    it('another tenant sees none of the history (404), and deleting the blueprint deletes it', async () => {
      const a = await registerTenant(ctx.t.app, 'HistOwner');
      const b = await registerTenant(ctx.t.app, 'HistOther');
      const id = (await create(a)).json().id;
      await put(a, id, blueprintBody({ name: 'v2' }));
      for (const url of [
        `/api/blueprints/${id}/versions`,
        `/api/blueprints/${id}/versions/1.0.0`,
        `/api/blueprints/${id}/versions/1.1.0`,
      ]) {
        assert.equal((await inject({ url, headers: bearer(a) })).statusCode, 200);
        const other = await inject({ url, headers: bearer(b) });
        assert.equal(other.statusCode, 404, url);
        assert.equal(problemOf(other).detail, 'Blueprint not found');
      }
      const steal = await inject({
        method: 'POST',
        url: `/api/blueprints/${id}/versions/1.0.0/restore`,
        headers: bearer(b),
      });
      assert.equal(steal.statusCode, 404);

      assert.equal(
        (await inject({ method: 'DELETE', url: `/api/blueprints/${id}`, headers: bearer(a) })).statusCode,
        204,
      );
      for (const url of [`/api/blueprints/${id}/versions`, `/api/blueprints/${id}/versions/1.0.0`]) {
        assert.equal((await inject({ url, headers: bearer(a) })).statusCode, 404, `${url} after delete`);
      }
      const { rows } = await ctx.t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM blueprint_versions WHERE blueprint_id = $1',
        [id],
      );
      assert.equal(rows[0]!.n, 0);
    });

    it('writes the version in the save’s transaction: a failed history write leaves the blueprint unchanged', async () => {
      const a = await registerTenant(ctx.t.app, 'HistAtomic');
      const id = (await create(a)).json().id;
      // A row squatting on the version the next save will produce makes the history insert fail.
      await ctx.t.db.query(
        `INSERT INTO blueprint_versions (id, tenant_id, blueprint_id, version, name, description, provider, region,
           status, parameters, resources, tags, saved_by, saved_at)
         SELECT gen_random_uuid(), tenant_id, id, '1.1.0', name, description, provider, region, status, parameters,
           resources, tags, created_by, now() FROM blueprints WHERE id = $1`,
        [id],
      );
      const res = await put(a, id, blueprintBody({ name: 'never saved' }));
      assert.ok(res.statusCode >= 400, `the save fails (${res.statusCode})`);
      const detail = await inject({ url: `/api/blueprints/${id}?cache=false`, headers: bearer(a) });
      assert.equal(detail.json().version, '1.0.0');
      assert.equal(detail.json().name, 'three-tier web');
    });

    it('pages validate their limit and cursor like every list', async () => {
      const a = await registerTenant(ctx.t.app, 'HistPages');
      const id = (await create(a)).json().id;
      const over = await inject({ url: `/api/blueprints/${id}/versions?limit=101`, headers: bearer(a) });
      assert.equal(over.statusCode, 400);
      assert.equal(problemOf(over).errors?.[0]?.path, '/limit');
      const junk = await inject({ url: `/api/blueprints/${id}/versions?cursor=nope`, headers: bearer(a) });
      assert.equal(junk.statusCode, 400);
      const unknown = await inject({ url: `/api/blueprints/${id}/versions?from=1.0.0`, headers: bearer(a) });
      assert.equal(unknown.statusCode, 400);
    });
  });
}
