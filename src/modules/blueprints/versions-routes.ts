import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Cached } from '../../infra/cache/http/cached.js';
import { normalisedQuery } from '../../infra/cache/http/route.js';
import { notModified, problemOf } from '../../infra/http/openapi.js';
import { CacheOnlyQuery, CacheQuery, listQuery, pageReply } from '../../lib/pagination.js';
import { principalOf } from '../auth/guard.js';
import { blueprintTag, idParam } from './cache-tags.js';
import { BlueprintSchema, IdParams } from './schema.js';
import { blueprintEtag } from './service.js';
import { VersionParams, VersionSummary } from './versions-schema.js';
import type { VersionService } from './versions-service.js';

const tags = ['blueprints'];

/** A saved version never changes: its entry lives a day (a delete of the blueprint drops it). */
const VERSION_TTL = 86_400;

type Params = { id: string; version: string };

/**
 * Every history entry is tagged with its blueprint's own tag, as the detail route is: a write to
 * the blueprint drops its version list (which grew), and a delete drops the versions too.
 */
const tagsOf = (req: FastifyRequest, tenantId: string) => [blueprintTag(tenantId, idParam(req))];

/** /api/blueprints/:id/versions: a blueprint's history, and restoring an old version. */
export function versionRoutes(app: FastifyInstance, versions: VersionService, cached: Cached): void {
  // Route types come from the TypeBox schemas (no hand-written generics).
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/blueprints/:id/versions',
    {
      config: { role: 'viewer' },
      ...cached({
        family: 'blueprints',
        ttl: 300,
        key: (req) => `${idParam(req)}/versions?${normalisedQuery(req)}`,
        tags: tagsOf,
      }),
      schema: {
        tags,
        summary: "A blueprint's saved versions, newest first (keyset pages)",
        params: IdParams,
        querystring: listQuery(CacheQuery),
        response: { 200: pageReply(VersionSummary), ...notModified },
      },
    },
    async (req) => versions.list(principalOf(req), req.params.id, req.query.limit, req.query.cursor),
  );

  api.get(
    '/api/blueprints/:id/versions/:version',
    {
      config: { role: 'viewer' },
      ...cached({
        family: 'blueprints',
        ttl: VERSION_TTL,
        key: (req) => `${idParam(req)}@${(req.params as Params).version}`,
        tags: tagsOf,
      }),
      schema: {
        tags,
        summary: 'One saved version: the blueprint exactly as it read at that version',
        params: VersionParams,
        querystring: CacheOnlyQuery,
        response: { 200: BlueprintSchema, ...notModified },
      },
    },
    async (req, reply) => {
      const b = await versions.get(principalOf(req), req.params.id, req.params.version);
      return reply.header('etag', blueprintEtag(b)).send(b);
    },
  );

  api.post(
    '/api/blueprints/:id/versions/:version/restore',
    {
      config: { role: 'editor' },
      schema: {
        tags,
        summary: "Saves an old version's content as a new version (If-Match as for PUT)",
        params: VersionParams,
        response: {
          200: BlueprintSchema,
          ...problemOf('precondition_failed', "If-Match does not match the blueprint's ETag"),
          ...problemOf('unprocessable', 'the old version no longer saves as a valid blueprint'),
        },
      },
    },
    async (req, reply) => {
      const b = await versions.restore(principalOf(req), req.params.id, req.params.version, req.headers['if-match']);
      return reply.header('etag', blueprintEtag(b)).send(b);
    },
  );
}
