import { NotFoundError } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import { decodeCursor, encodeCursor } from '../../lib/pagination.js';
import type { Principal } from '../auth/tokens.js';
import type { Blueprint, BlueprintInput } from './schema.js';
import type { BlueprintService, VersionRecorder } from './service.js';
import type { VersionRepo } from './versions-repo.js';
import type { VersionSummary } from './versions-schema.js';

/** The writable fields of a stored blueprint: what a restore saves again. */
export function inputOf(b: Blueprint): BlueprintInput {
  const { name, description, provider, region, status, parameters, resources, tags } = b;
  return { name, description, provider, region, status, parameters, resources, tags };
}

/** What the blueprint service calls inside each save's transaction to keep the history. */
export function versionRecorder(repo: VersionRepo): VersionRecorder {
  return (q, p, blueprintId, meta) =>
    repo.record(q, p.tenantId, blueprintId, { id: newId(), savedBy: p.id, restoredFrom: meta.restoredFrom });
}

/** Blueprint history: list and read saved versions, restore one as a new version. */
export function createVersionService(repo: VersionRepo, blueprints: BlueprintService) {
  async function get(p: Principal, id: string, version: string): Promise<Blueprint> {
    const b = await repo.get(p.tenantId, id, version);
    if (!b) {
      // Tell "no such blueprint" from "no such version" without revealing another tenant's.
      if (!(await repo.blueprintExists(p.tenantId, id))) throw new NotFoundError('Blueprint');
      throw new NotFoundError(`Version ${version} of the blueprint`);
    }
    return b;
  }

  return {
    async list(
      p: Principal,
      id: string,
      limit: number,
      cursor: string | undefined,
    ): Promise<{ items: VersionSummary[]; nextCursor: string | null }> {
      const rows = await repo.list(p.tenantId, id, limit + 1, decodeCursor(cursor));
      if (rows.length === 0 && !(await repo.blueprintExists(p.tenantId, id))) throw new NotFoundError('Blueprint');
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(({ rowId: _, ...summary }) => summary),
        nextCursor: rows.length > limit && last ? encodeCursor(last.rowId) : null,
      };
    },

    get,

    /** The newest saved version, or the one saved just before `before`; undefined when there is none. */
    async latest(p: Principal, id: string, before?: string): Promise<Blueprint | undefined> {
      if (before !== undefined) await get(p, id, before);
      return repo.latest(p.tenantId, id, before);
    },

    /**
     * Saves an old version's content as a new version (a PUT of that content, If-Match included);
     * restoring content equal to the current one changes nothing, as an identical PUT does.
     */
    async restore(p: Principal, id: string, version: string, ifMatch: string | undefined): Promise<Blueprint> {
      const old = await get(p, id, version);
      return blueprints.replace(p, id, inputOf(old), ifMatch, { restoredFrom: version });
    },
  };
}

export type VersionService = ReturnType<typeof createVersionService>;
