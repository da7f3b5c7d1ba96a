import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Cached } from '../../infra/cache/http/cached.js';
import { addCacheTags, warmCache } from '../../infra/cache/http/route.js';
import { sendJsonText } from '../../infra/http/json-text.js';
import { notModified, problemOf } from '../../infra/http/openapi.js';
import { CacheOnlyQuery, CacheQuery, listQuery, pageReply } from '../../lib/pagination.js';
import { principalOf } from '../auth/guard.js';
import { blueprintTag, idParam, listTagsOf, writesTag } from './cache-tags.js';
import { BlueprintInput, BlueprintListQuery, BlueprintSchema, IdParams } from './schema.js';
import { blueprintEtag, type BlueprintService } from './service.js';

const invalidBlueprint = problemOf(
  'unprocessable',
  'duplicate resource names, an invalid parameters schema or an unresolved ${param.x}',
);

/** /api/blueprints: thin adapters over the blueprint service. */
export function blueprintRoutes(app: FastifyInstance, blueprints: BlueprintService, cached: Cached): void {
  // Route types come from the TypeBox schemas (no hand-written generics).
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/blueprints',
    {
      config: { role: 'viewer' },
      ...cached({
        family: 'blueprints',
        ttl: 300,
        swr: 300,
        tags: listTagsOf,
        joinTags: (req, tenantId) => [...listTagsOf(req, tenantId), writesTag(tenantId)],
      }),
      schema: {
        tags: ['blueprints'],
        summary: "List the tenant's blueprints, newest first (drafts included)",
        querystring: listQuery({ ...BlueprintListQuery, ...CacheQuery }),
        response: { 200: pageReply(BlueprintSchema), ...notModified },
      },
    },
    async (req, reply) => {
      const { limit, cursor, ...filter } = req.query;
      const p = principalOf(req);
      const { body, ids } = await blueprints.list(p, filter, limit, cursor);
      addCacheTags(
        req,
        ids.map((id) => blueprintTag(p.tenantId, id)),
      );
      return sendJsonText(reply, body);
    },
  );

  api.get(
    '/api/blueprints/:id',
    {
      config: { role: 'viewer' },
      ...cached({
        family: 'blueprints',
        ttl: 300,
        swr: 300,
        key: idParam,
        tags: (req, tenantId) => [blueprintTag(tenantId, idParam(req))],
      }),
      schema: {
        tags: ['blueprints'],
        summary: 'Get a blueprint (with a strong ETag)',
        params: IdParams,
        querystring: CacheOnlyQuery,
        response: { 200: BlueprintSchema, ...notModified },
      },
    },
    async (req, reply) => {
      const b = await blueprints.getDoc(principalOf(req), req.params.id);
      return sendJsonText(reply.header('etag', blueprintEtag(b)), b.doc);
    },
  );

  api.post(
    '/api/blueprints',
    {
      config: { role: 'editor' },
      schema: {
        tags: ['blueprints'],
        summary: 'Create a blueprint (version 1.0.0)',
        body: BlueprintInput,
        response: { 201: BlueprintSchema, ...invalidBlueprint },
      },
    },
    async (req, reply) => {
      const b = await blueprints.create(principalOf(req), req.body);
      await warmCache(req, `/api/blueprints/${b.id}`);
      return reply.code(201).header('etag', blueprintEtag(b)).header('location', `/api/blueprints/${b.id}`).send(b);
    },
  );

  api.put(
    '/api/blueprints/:id',
    {
      config: { role: 'editor' },
      schema: {
        tags: ['blueprints'],
        summary: 'Replace a blueprint (a change bumps the minor version; If-Match optional)',
        params: IdParams,
        body: BlueprintInput,
        response: {
          200: BlueprintSchema,
          ...problemOf('precondition_failed', "If-Match does not match the blueprint's ETag"),
          ...invalidBlueprint,
        },
      },
    },
    async (req, reply) => {
      const b = await blueprints.replace(principalOf(req), req.params.id, req.body, req.headers['if-match']);
      return reply.header('etag', blueprintEtag(b)).send(b);
    },
  );

  api.delete(
    '/api/blueprints/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['blueprints'],
        summary: 'Delete a blueprint no project uses',
        params: IdParams,
        response: {
          204: Type.Null(),
          ...problemOf('conflict', 'projects still use the blueprint (listed in `projects`)'),
        },
      },
    },
    async (req, reply) => {
      await blueprints.remove(principalOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
