import type { FastifyRequest } from 'fastify';
import type { Blueprint } from './schema.js';

/**
 * The blueprint family's cache tags, in one place for its routes (what an entry depends on) and
 * its writes (what a write can change). Every tag is prefixed with the tenant.
 *
 *   bp:<id>            the blueprint's own entries (detail, IaC, cost, history) and every list page
 *                      showing it or peeking at it (the row fetched past the page for nextCursor)
 *   bp:first:<p>:<s>   first pages (no cursor, no q) of lists filtered by provider p, status s (* = any)
 *   bp:first-q         first pages of lists filtered by q
 *   bp:p:<p> / bp:s:<s> / bp:q   every page of lists filtered by provider p / status s / any q
 *   bp:writes          any blueprint write: a list miss only waits for a flight begun after it
 *   stats              the projects' stats summary (it counts blueprints and sums their costs)
 *
 * With keyset pages (newest first), a creation changes only first pages of the filters it
 * matches; an update or deletion changes the pages holding (or peeking at) the item, plus, when it
 * moves the item in or out of a filter, that filter's pages — all of them, not only the first: an
 * old item joining a filter lands on whichever page its id falls in.
 */
export type BlueprintFilter = { provider?: string; status?: string; q?: string; cursor?: string };

const any = (v: string | undefined) => v ?? '*';

/** A route's `:id` as cache keys and tags spell it (ids are case-insensitive: lower case). */
export const idParam = (req: FastifyRequest): string => (req.params as { id: string }).id.toLowerCase();

/** The tag of one blueprint's entries. */
export const blueprintTag = (tenantId: string, id: string) => `${tenantId}:bp:${id.toLowerCase()}`;

/** The stats summary's tag (shared with projects). */
export const statsTag = (tenantId: string) => `${tenantId}:stats`;

/** The tags a list page depends on before its rows are known (its rows add blueprintTag each). */
export function listTags(tenantId: string, f: BlueprintFilter): string[] {
  const tags: string[] = [];
  if (f.cursor === undefined)
    tags.push(
      f.q === undefined ? `${tenantId}:bp:first:${any(f.provider)}:${any(f.status)}` : `${tenantId}:bp:first-q`,
    );
  if (f.provider !== undefined) tags.push(`${tenantId}:bp:p:${f.provider}`);
  if (f.status !== undefined) tags.push(`${tenantId}:bp:s:${f.status}`);
  if (f.q !== undefined) tags.push(`${tenantId}:bp:q`);
  return tags;
}

/** The join tag of list misses. */
export const writesTag = (tenantId: string) => `${tenantId}:bp:writes`;

/** The list-page tags of a request (for the route's `tags` option). */
export const listTagsOf = (req: FastifyRequest, tenantId: string) => listTags(tenantId, req.query as BlueprintFilter);

type Row = Pick<Blueprint, 'id' | 'provider' | 'status' | 'name' | 'description'>;

/** What a write changed: created (after only), updated (both), deleted (before only). */
export function writeTags(tenantId: string, before: Row | undefined, after: Row | undefined): string[] {
  const id = (before ?? after)!.id;
  const tags = [blueprintTag(tenantId, id), statsTag(tenantId), writesTag(tenantId)];
  if (!before && after) {
    for (const p of ['*', after.provider])
      for (const s of ['*', after.status]) tags.push(`${tenantId}:bp:first:${p}:${s}`);
    tags.push(`${tenantId}:bp:first-q`);
  }
  if (before && after) {
    if (before.provider !== after.provider)
      tags.push(`${tenantId}:bp:p:${before.provider}`, `${tenantId}:bp:p:${after.provider}`);
    if (before.status !== after.status)
      tags.push(`${tenantId}:bp:s:${before.status}`, `${tenantId}:bp:s:${after.status}`);
    if (before.name !== after.name || before.description !== after.description) tags.push(`${tenantId}:bp:q`);
  }
  return tags;
}
