import type { FastifyRequest } from 'fastify';
import { statsTag } from '../blueprints/cache-tags.js';
import type { Project } from './schema.js';

/**
 * The project family's cache tags, in one place for its routes and its writes (the same scheme as
 * the blueprints' in ../blueprints/cache-tags.ts): `project:<id>` on the project's detail and on
 * every list page showing or peeking at it; `project:first:<status>:<env>` on first pages;
 * `project:s:<status>` / `project:e:<env>` on every page of a filtered list; `project:writes` is
 * the join tag of list misses; `stats` the summary.
 */
export type ProjectFilter = { status?: string; environment?: string; cursor?: string };

const any = (v: string | undefined) => v ?? '*';

/** The tag of one project's entries. */
export const projectTag = (tenantId: string, id: string) => `${tenantId}:project:${id.toLowerCase()}`;

/** The join tag of list misses. */
export const projectWritesTag = (tenantId: string) => `${tenantId}:project:writes`;

/** The tags a list page depends on before its rows are known (its rows add projectTag each). */
export function projectListTags(tenantId: string, f: ProjectFilter): string[] {
  const tags: string[] = [];
  if (f.cursor === undefined) tags.push(`${tenantId}:project:first:${any(f.status)}:${any(f.environment)}`);
  if (f.status !== undefined) tags.push(`${tenantId}:project:s:${f.status}`);
  if (f.environment !== undefined) tags.push(`${tenantId}:project:e:${f.environment}`);
  return tags;
}

/** The list-page tags of a request (for the route's `tags` option). */
export const projectListTagsOf = (req: FastifyRequest, tenantId: string) =>
  projectListTags(tenantId, req.query as ProjectFilter);

type Row = Pick<Project, 'id' | 'status' | 'environment'>;

/** What a write changed: created (after only), updated (both), deleted (before only). */
export function projectWriteTags(tenantId: string, before: Row | undefined, after: Row | undefined): string[] {
  const id = (before ?? after)!.id;
  const tags = [projectTag(tenantId, id), statsTag(tenantId), projectWritesTag(tenantId)];
  if (!before && after) {
    for (const s of ['*', after.status])
      for (const e of ['*', after.environment]) tags.push(`${tenantId}:project:first:${s}:${e}`);
  }
  if (before && after) {
    if (before.status !== after.status)
      tags.push(`${tenantId}:project:s:${before.status}`, `${tenantId}:project:s:${after.status}`);
    if (before.environment !== after.environment)
      tags.push(`${tenantId}:project:e:${before.environment}`, `${tenantId}:project:e:${after.environment}`);
  }
  return tags;
}
