import { isDeepStrictEqual } from 'node:util';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../errors.js';
import type { Db, Queryable } from '../../infra/db/types.js';
import { newId } from '../../lib/ids.js';
import { etagListed } from '../../lib/etag.js';
import { decodeCursor, pageOfDocs } from '../../lib/pagination.js';
import type { Principal } from '../auth/tokens.js';
import { writeTags } from './cache-tags.js';
import { checkBlueprint } from './checks.js';
import type { BlueprintDoc, BlueprintFilter, BlueprintRepo } from './repo.js';
import type { Blueprint, BlueprintInput } from './schema.js';

/** The strong ETag of a blueprint: it changes exactly when its version does. */
export function blueprintEtag(b: Pick<Blueprint, 'id' | 'version'>): string {
  return `"${b.id}@${b.version}"`;
}

/** 1.4.2 → 1.5.0: every content change is a minor bump. */
function bumpMinor(version: string): string {
  const [major = 1, minor = 0] = version.split('.').map(Number);
  return `${major}.${minor + 1}.0`;
}

const EDITABLE = ['name', 'description', 'provider', 'region', 'status', 'parameters', 'resources', 'tags'] as const;

/** Told, before a write is acknowledged, the cache tags of what it changed (see cache-tags.ts). */
export type BlueprintWriteListener = (writer: Principal, tags: string[]) => Promise<void>;

/** Writes the version a save produced into the history, inside the save's transaction `q`. */
export type VersionRecorder = (
  q: Queryable,
  p: Principal,
  blueprintId: string,
  meta: { restoredFrom?: string },
) => Promise<void>;

/** Blueprint use cases: tenant-scoped CRUD with version bumps and optimistic concurrency. */
export function createBlueprintService(
  db: Db,
  repo: BlueprintRepo,
  onWrite: BlueprintWriteListener = async () => {},
  recordVersion: VersionRecorder = async () => {},
) {
  return {
    async list(p: Principal, filter: BlueprintFilter, limit: number, cursor: string | undefined) {
      const rows = await repo.listDocs(p.tenantId, filter, limit + 1, decodeCursor(cursor));
      return pageOfDocs(rows, limit);
    },

    /** The stored response body of one blueprint and its version (for the ETag). */
    async getDoc(p: Principal, id: string): Promise<BlueprintDoc> {
      const b = await repo.getDoc(p.tenantId, id);
      if (!b) throw new NotFoundError('Blueprint');
      return b;
    },

    async create(p: Principal, input: BlueprintInput): Promise<Blueprint> {
      checkBlueprint(input);
      const created = await db.tx(async (q) => {
        const b = await repo.insert(
          p.tenantId,
          { ...input, id: newId(), version: '1.0.0', createdBy: p.id, now: new Date() },
          q,
        );
        await recordVersion(q, p, b.id, {});
        return b;
      });
      await onWrite(p, writeTags(p.tenantId, undefined, created));
      return created;
    },

    /**
     * Replaces the editable fields; identical content changes nothing, anything else bumps the
     * minor version (`meta.restoredFrom` marks a restore in the history).
     */
    async replace(
      p: Principal,
      id: string,
      input: BlueprintInput,
      ifMatch: string | undefined,
      meta: { restoredFrom?: string } = {},
    ): Promise<Blueprint> {
      checkBlueprint(input);
      const next = { ...input, status: input.status ?? 'draft' };
      const { blueprint, before } = await db.tx(async (q) => {
        const current = await repo.get(p.tenantId, id, q, true);
        if (!current) throw new NotFoundError('Blueprint');
        if (ifMatch !== undefined && !etagListed(ifMatch, blueprintEtag(current), 'strong')) {
          throw new PreconditionFailedError(`If-Match does not match the current ETag ${blueprintEtag(current)}`);
        }
        if (EDITABLE.every((k) => isDeepStrictEqual(current[k], next[k])))
          return { blueprint: current, before: undefined };
        const updated = await repo.update(q, p.tenantId, current, {
          ...next,
          version: bumpMinor(current.version),
          now: new Date(),
        });
        await recordVersion(q, p, id, meta);
        return { blueprint: updated, before: current };
      });
      if (before) await onWrite(p, writeTags(p.tenantId, before, blueprint));
      return blueprint;
    },

    async remove(p: Principal, id: string): Promise<void> {
      const removed = await db.tx(async (q) => {
        const current = await repo.get(p.tenantId, id, q, true);
        if (!current) throw new NotFoundError('Blueprint');
        const projects = await repo.usedBy(q, p.tenantId, id);
        if (projects.length > 0) {
          throw new ConflictError(
            `The blueprint is used by ${projects.length} project(s): ${projects.map((x) => x.name).join(', ')}`,
            undefined,
            { projects },
          );
        }
        await repo.remove(q, p.tenantId, id);
        return current;
      });
      await onWrite(p, writeTags(p.tenantId, removed, undefined));
    },
  };
}

export type BlueprintService = ReturnType<typeof createBlueprintService>;
