import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, blueprintBody, registerTenant, startTestApp, type TestApp } from '../helpers/app.js';

// Migration 003's backfill: blueprints saved before history existed (or bulk-loaded by the seed)
// get their current version as the first history entry, once, ordered before later saves.
for (const backend of ['embedded', 'pgbouncer'] as const) {
  describe(`history backfill (${backend})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend);
    });
    after(() => t.close());

    it('adds the current version of a blueprint without history, once, before its later versions', async () => {
      const a = await registerTenant(t.app, 'Backfill');
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/blueprints',
        headers: bearer(a),
        payload: blueprintBody(),
      });
      const bp = created.json();
      // As a blueprint written before migration 003 (or by `npm run seed`): no history row.
      await t.db.query('DELETE FROM blueprint_versions WHERE blueprint_id = $1', [bp.id]);
      const empty = await t.app.inject({ url: `/api/blueprints/${bp.id}/versions?cache=false`, headers: bearer(a) });
      assert.deepEqual(empty.json().items, []);

      const { rows } = await t.db.query<{ n: number }>('SELECT backfill_blueprint_versions() AS n');
      assert.ok(rows[0]!.n >= 1);
      const again = await t.db.query<{ n: number }>('SELECT backfill_blueprint_versions() AS n');
      assert.equal(again.rows[0]!.n, 0, 'idempotent');

      const v1 = await t.app.inject({ url: `/api/blueprints/${bp.id}/versions/1.0.0`, headers: bearer(a) });
      assert.equal(v1.statusCode, 200);
      assert.equal(v1.body, created.body, 'the backfilled version reads as the blueprint did');

      await t.app.inject({
        method: 'PUT',
        url: `/api/blueprints/${bp.id}`,
        headers: bearer(a),
        payload: blueprintBody({ name: 'after backfill' }),
      });
      const list = await t.app.inject({ url: `/api/blueprints/${bp.id}/versions`, headers: bearer(a) });
      assert.deepEqual(
        list.json().items.map((v: { version: string; savedBy: string }) => [v.version, v.savedBy]),
        [
          ['1.1.0', a.userId],
          ['1.0.0', a.userId],
        ],
      );
    });
  });
}
