import type { Queryable } from '../../infra/db/types.js';
import { toBlueprint, type BlueprintRow } from './repo.js';
import type { Blueprint } from './schema.js';
import type { VersionSummary } from './versions-schema.js';

interface SummaryRow {
  row_id: string;
  version: string;
  name: string;
  status: Blueprint['status'];
  resource_count: number;
  saved_by: string;
  saved_at: Date;
  restored_from: string | null;
}

// A version as the blueprint read at that version (a blueprint row: its `updated_at` is when the
// version was saved). createdAt/createdBy belong to the blueprint, not to a version: read from it
// (a version never outlives its blueprint).
const SNAPSHOT = `SELECT v.blueprint_id AS id, v.name, v.description, v.provider, v.region, v.version, v.status,
         v.parameters, v.resources, v.tags, b.created_by, b.created_at, v.saved_at AS updated_at
  FROM blueprint_versions v JOIN blueprints b ON b.id = v.blueprint_id`;

/** All SQL about blueprint history; every statement is scoped by tenant_id. */
export function createVersionRepo(db: Queryable) {
  return {
    /**
     * Copies the blueprint's row, as the current transaction `q` just wrote it, into its history.
     * Copying in SQL (not from the response object) keeps the history equal to the stored row.
     */
    async record(
      q: Queryable,
      tenantId: string,
      blueprintId: string,
      v: { id: string; savedBy: string; restoredFrom?: string },
    ): Promise<void> {
      await q.query(
        `INSERT INTO blueprint_versions (id, tenant_id, blueprint_id, version, name, description, provider, region,
                                         status, parameters, resources, tags, saved_by, saved_at, restored_from)
         SELECT $3, tenant_id, id, version, name, description, provider, region,
                status, parameters, resources, tags, $4, updated_at, $5
         FROM blueprints WHERE tenant_id = $1 AND id = $2`,
        [tenantId, blueprintId, v.id, v.savedBy, v.restoredFrom ?? null],
      );
    },

    /** A page of the history, newest first; `after` is the row id the previous page ended on. */
    async list(
      tenantId: string,
      blueprintId: string,
      limit: number,
      after: string | undefined,
    ): Promise<(VersionSummary & { rowId: string })[]> {
      const { rows } = await db.query<SummaryRow>(
        `SELECT id AS row_id, version, name, status, jsonb_array_length(resources) AS resource_count,
                saved_by, saved_at, restored_from
         FROM blueprint_versions
         WHERE tenant_id = $1 AND blueprint_id = $2 AND ($3::uuid IS NULL OR id < $3::uuid)
         ORDER BY id DESC LIMIT $4`,
        [tenantId, blueprintId, after ?? null, limit],
      );
      return rows.map((r) => ({
        rowId: r.row_id,
        version: r.version,
        name: r.name,
        status: r.status,
        resourceCount: Number(r.resource_count),
        savedBy: r.saved_by,
        savedAt: r.saved_at.toISOString(),
        restoredFrom: r.restored_from,
      }));
    },

    /** One version as the blueprint read when it was saved. */
    async get(tenantId: string, blueprintId: string, version: string): Promise<Blueprint | undefined> {
      const { rows } = await db.query<BlueprintRow>(
        `${SNAPSHOT} WHERE v.tenant_id = $1 AND v.blueprint_id = $2 AND v.version = $3`,
        [tenantId, blueprintId, version],
      );
      return rows[0] && toBlueprint(rows[0]);
    },

    /** The newest version, or the one saved just before `before` when given. */
    async latest(tenantId: string, blueprintId: string, before?: string): Promise<Blueprint | undefined> {
      const { rows } = await db.query<BlueprintRow>(
        `${SNAPSHOT} WHERE v.tenant_id = $1 AND v.blueprint_id = $2
           AND ($3::text IS NULL OR v.id < (SELECT id FROM blueprint_versions
                                           WHERE tenant_id = $1 AND blueprint_id = $2 AND version = $3))
         ORDER BY v.id DESC LIMIT 1`,
        [tenantId, blueprintId, before ?? null],
      );
      return rows[0] && toBlueprint(rows[0]);
    },

    /** Whether the tenant has this blueprint (tells an empty page from a 404). */
    async blueprintExists(tenantId: string, blueprintId: string): Promise<boolean> {
      const { rows } = await db.query('SELECT 1 FROM blueprints WHERE tenant_id = $1 AND id = $2', [
        tenantId,
        blueprintId,
      ]);
      return rows.length > 0;
    },
  };
}

export type VersionRepo = ReturnType<typeof createVersionRepo>;
