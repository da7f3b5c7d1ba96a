import { NotFoundError, UnprocessableError } from '../../errors.js';
import type { Db, Queryable } from '../../infra/db/types.js';
import { newId } from '../../lib/ids.js';
import { decodeCursor, pageOfDocs } from '../../lib/pagination.js';
import type { Principal } from '../auth/tokens.js';
import type { BlueprintRepo } from '../blueprints/repo.js';
import { projectWriteTags } from './cache-tags.js';
import type { ProjectFilter, ProjectRepo } from './repo.js';
import type { Project, ProjectInput, ProjectPatch, StatsSummary } from './schema.js';

/** Told, before a write is acknowledged, the cache tags of what it changed (see cache-tags.ts). */
export type ProjectWriteListener = (writer: Principal, tags: string[]) => Promise<void>;

/** Sums the monthly cost of the tenant's projects' blueprints (null when no estimator is wired). */
export type ProjectCostEstimator = (tenantId: string) => Promise<number | null>;

/** Project use cases: tenant-scoped CRUD, merge-patch and the stats summary. */
export function createProjectService(
  db: Db,
  repo: ProjectRepo,
  blueprints: BlueprintRepo,
  onWrite: ProjectWriteListener = async () => {},
  estimateCost: ProjectCostEstimator = async () => null,
) {
  /** 422 naming every id that is not one of the tenant's blueprints. */
  async function assertOwnBlueprints(q: Queryable, tenantId: string, ids: string[]): Promise<void> {
    const found = await blueprints.existing(q, tenantId, ids);
    const errors = ids.flatMap((id, i) =>
      found.has(id.toLowerCase())
        ? []
        : [{ path: `/blueprintIds/${i}`, message: `${id} is not a blueprint of this tenant` }],
    );
    if (errors.length > 0)
      throw new UnprocessableError(`Unknown blueprint(s): ${errors.map((e) => e.path).join(', ')}`, errors);
  }

  return {
    async list(p: Principal, filter: ProjectFilter, limit: number, cursor: string | undefined) {
      return pageOfDocs(await repo.listDocs(p.tenantId, filter, limit + 1, decodeCursor(cursor)), limit);
    },

    /** The stored response body of one project. */
    async getDoc(p: Principal, id: string): Promise<string> {
      const doc = await repo.getDoc(p.tenantId, id);
      if (doc === undefined) throw new NotFoundError('Project');
      return doc;
    },

    async create(p: Principal, input: ProjectInput): Promise<Project> {
      const id = newId();
      const blueprintIds = input.blueprintIds ?? [];
      const created = await db.tx(async (q) => {
        await assertOwnBlueprints(q, p.tenantId, blueprintIds);
        const now = new Date().toISOString();
        await repo.insert(q, p.tenantId, {
          id,
          name: input.name,
          description: input.description,
          environment: input.environment,
          status: input.status ?? 'active',
          blueprintIds,
          budgetMonthly: input.budgetMonthly ?? null,
          owner: p.id,
          createdAt: now,
          updatedAt: now,
        });
        return (await repo.get(p.tenantId, id, q))!;
      });
      await onWrite(p, projectWriteTags(p.tenantId, undefined, created));
      return created;
    },

    /** RFC 7396 merge-patch: absent fields keep their value, `budgetMonthly: null` removes it. */
    async patch(p: Principal, id: string, patch: ProjectPatch): Promise<Project> {
      const { before, updated } = await db.tx(async (q) => {
        const current = await repo.get(p.tenantId, id, q, true);
        if (!current) throw new NotFoundError('Project');
        if (patch.blueprintIds) await assertOwnBlueprints(q, p.tenantId, patch.blueprintIds);
        // Absent fields keep their value (spreading only what the patch holds); null removes the budget.
        const next = { ...current, ...patch, updatedAt: new Date().toISOString() };
        await repo.update(q, p.tenantId, next, patch.blueprintIds !== undefined);
        return { before: current, updated: (await repo.get(p.tenantId, id, q))! };
      });
      await onWrite(p, projectWriteTags(p.tenantId, before, updated));
      return updated;
    },

    async remove(p: Principal, id: string): Promise<void> {
      const removed = await repo.remove(p.tenantId, id);
      if (!removed) throw new NotFoundError('Project');
      await onWrite(p, projectWriteTags(p.tenantId, removed, undefined));
    },

    async summary(p: Principal): Promise<StatsSummary> {
      const [counts, estimatedMonthlyCost] = await Promise.all([repo.summary(p.tenantId), estimateCost(p.tenantId)]);
      return { ...counts, estimatedMonthlyCost };
    },
  };
}

export type ProjectService = ReturnType<typeof createProjectService>;
