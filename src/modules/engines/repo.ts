import type { Queryable } from '../../infra/db/types.js';
import type { BlueprintSpec } from '../../engines/index.js';
import type { Settings } from './schema.js';

/** SQL for guardrail settings and for the blueprints the projects' cost sum reads. */
export function createEngineRepo(db: Queryable) {
  return {
    async settings(tenantId: string): Promise<Settings | undefined> {
      const { rows } = await db.query<{ settings: Settings }>(
        'SELECT settings FROM guardrail_settings WHERE tenant_id = $1',
        [tenantId],
      );
      return rows[0]?.settings;
    },

    async saveSettings(tenantId: string, s: Settings): Promise<void> {
      await db.query(
        `INSERT INTO guardrail_settings (tenant_id, settings, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
        [tenantId, JSON.stringify(s)],
      );
    },

    /** Every (project, blueprint) link of the tenant with the blueprint's content, once per link. */
    async projectBlueprints(tenantId: string): Promise<(BlueprintSpec & { id: string; version: string })[]> {
      const { rows } = await db.query<BlueprintSpec & { id: string; version: string }>(
        `SELECT b.id, b.version, b.name, b.provider, b.region, b.parameters, b.resources, b.tags
         FROM projects p JOIN project_blueprints pb ON pb.project_id = p.id JOIN blueprints b ON b.id = pb.blueprint_id
         WHERE p.tenant_id = $1`,
        [tenantId],
      );
      return rows;
    },
  };
}

export type EngineRepo = ReturnType<typeof createEngineRepo>;
