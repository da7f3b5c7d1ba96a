import fastJson from 'fast-json-stringify';
import type { Queryable } from '../../infra/db/types.js';
import { withBodies, type BodySource } from '../../lib/stored-bodies.js';
import { ENVIRONMENTS, PROJECT_STATUSES, ProjectSchema, type Project, type StatsSummary } from './schema.js';

// A project's response body as the routes' serializer writes it, stored with the row (`doc`) so
// reads pass it through (see migrations/005).
const serialize = fastJson(ProjectSchema);

/** The body a GET of `p` answers (ids as PostgreSQL prints a uuid: lower case); seeds write it with the row. */
export const projectDocument = (p: Project) =>
  serialize({ ...p, blueprintIds: p.blueprintIds.map((id) => id.toLowerCase()) });

interface Row {
  id: string;
  name: string;
  description: string;
  environment: Project['environment'];
  status: Project['status'];
  budget_monthly: number | null;
  owner: string;
  created_at: Date;
  updated_at: Date;
  blueprint_ids: string[] | null;
}

// Blueprint ids come back in the order the project lists them.
const SELECT = `SELECT p.id, p.name, p.description, p.environment, p.status, p.budget_monthly, p.owner,
  p.created_at, p.updated_at,
  ARRAY(SELECT pb.blueprint_id::text FROM project_blueprints pb WHERE pb.project_id = p.id ORDER BY pb.position) AS blueprint_ids
  FROM projects p`;

function toProject(r: Row): Project {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    environment: r.environment,
    status: r.status,
    blueprintIds: r.blueprint_ids ?? [],
    budgetMonthly: r.budget_monthly,
    owner: r.owner,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export interface ProjectFilter {
  status?: string;
  environment?: string;
}

/** All SQL about projects and their blueprint links; every statement is scoped by tenant_id. */
export function createProjectRepo(db: Queryable) {
  const bodies = (tenantId: string): BodySource => ({
    async build(ids) {
      const { rows } = await db.query<Row>(`${SELECT} WHERE p.tenant_id = $1 AND p.id = ANY($2::uuid[])`, [
        tenantId,
        ids,
      ]);
      return new Map(rows.map((r) => [r.id, serialize(toProject(r))]));
    },
    store: (id, doc) =>
      db.query('UPDATE projects SET doc = $3 WHERE tenant_id = $1 AND id = $2 AND doc IS NULL', [tenantId, id, doc]),
  });
  async function setBlueprints(q: Queryable, projectId: string, ids: string[]): Promise<void> {
    await q.query('DELETE FROM project_blueprints WHERE project_id = $1', [projectId]);
    if (ids.length === 0) return;
    await q.query(
      `INSERT INTO project_blueprints (project_id, blueprint_id, position)
       SELECT $1, b.id, b.ord FROM unnest($2::uuid[]) WITH ORDINALITY AS b(id, ord)`,
      [projectId, ids],
    );
  }

  return {
    /** A page of stored bodies, newest first (limit rows: ask one more to know there is a next page). */
    async listDocs(tenantId: string, f: ProjectFilter, limit: number, after: string | undefined) {
      const { rows } = await db.query<{ id: string; doc: string | null }>(
        `SELECT p.id, p.doc FROM projects p
         WHERE p.tenant_id = $1
           AND ($2::uuid IS NULL OR p.id < $2::uuid)
           AND ($3::text IS NULL OR p.status = $3)
           AND ($4::text IS NULL OR p.environment = $4)
         ORDER BY p.id DESC LIMIT $5`,
        [tenantId, after ?? null, f.status ?? null, f.environment ?? null, limit],
      );
      return withBodies(rows, bodies(tenantId));
    },

    /** One stored body. */
    async getDoc(tenantId: string, id: string): Promise<string | undefined> {
      const { rows } = await db.query<{ id: string; doc: string | null }>(
        'SELECT p.id, p.doc FROM projects p WHERE p.tenant_id = $1 AND p.id = $2',
        [tenantId, id],
      );
      return (await withBodies(rows, bodies(tenantId)))[0]?.doc;
    },

    async get(tenantId: string, id: string, q: Queryable = db, forUpdate = false): Promise<Project | undefined> {
      const { rows } = await q.query<Row>(
        `${SELECT} WHERE p.tenant_id = $1 AND p.id = $2${forUpdate ? ' FOR UPDATE OF p' : ''}`,
        [tenantId, id],
      );
      return rows[0] && toProject(rows[0]);
    },

    async insert(q: Queryable, tenantId: string, p: Project): Promise<void> {
      await q.query(
        `INSERT INTO projects (id, tenant_id, name, description, environment, status, budget_monthly, owner, created_at, updated_at, doc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          p.id,
          tenantId,
          p.name,
          p.description,
          p.environment,
          p.status,
          p.budgetMonthly,
          p.owner,
          p.createdAt,
          p.updatedAt,
          projectDocument(p),
        ],
      );
      await setBlueprints(q, p.id, p.blueprintIds);
    },

    /** Rewrites a project to `p`; its blueprint links only when `links` says they changed. */
    async update(q: Queryable, tenantId: string, p: Project, links: boolean): Promise<void> {
      await q.query(
        `UPDATE projects SET name = $3, description = $4, environment = $5, status = $6, budget_monthly = $7, updated_at = $8, doc = $9
         WHERE tenant_id = $1 AND id = $2`,
        [
          tenantId,
          p.id,
          p.name,
          p.description,
          p.environment,
          p.status,
          p.budgetMonthly,
          p.updatedAt,
          projectDocument(p),
        ],
      );
      if (links) await setBlueprints(q, p.id, p.blueprintIds);
    },

    /** Deletes a project; returns what the cache needs of it, or undefined when there was none. */
    async remove(tenantId: string, id: string): Promise<Pick<Project, 'id' | 'status' | 'environment'> | undefined> {
      const { rows } = await db.query<Pick<Project, 'id' | 'status' | 'environment'>>(
        'DELETE FROM projects WHERE tenant_id = $1 AND id = $2 RETURNING id, status, environment',
        [tenantId, id],
      );
      return rows[0];
    },

    /** One round trip for the whole summary; every enum value is present, zeros included. */
    async summary(tenantId: string): Promise<Omit<StatsSummary, 'estimatedMonthlyCost'>> {
      const filters = [
        ...PROJECT_STATUSES.map((s) => `count(*) FILTER (WHERE status = '${s}')::int AS "s_${s}"`),
        ...ENVIRONMENTS.map((e) => `count(*) FILTER (WHERE environment = '${e}')::int AS "e_${e}"`),
      ];
      const { rows } = await db.query<Record<string, number>>(
        `SELECT count(*)::int AS total, ${filters.join(', ')},
           (SELECT count(*)::int FROM blueprints WHERE tenant_id = $1) AS blueprints
         FROM projects WHERE tenant_id = $1`,
        [tenantId],
      );
      const r = rows[0]!;
      return {
        total: r.total!,
        byStatus: Object.fromEntries(PROJECT_STATUSES.map((s) => [s, r[`s_${s}`]!])) as StatsSummary['byStatus'],
        byEnvironment: Object.fromEntries(ENVIRONMENTS.map((e) => [e, r[`e_${e}`]!])) as StatsSummary['byEnvironment'],
        blueprints: r.blueprints!,
      };
    },
  };
}

export type ProjectRepo = ReturnType<typeof createProjectRepo>;
