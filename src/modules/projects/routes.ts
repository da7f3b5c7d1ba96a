import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Cached } from '../../infra/cache/http/cached.js';
import { addCacheTags, warmCache } from '../../infra/cache/http/route.js';
import { sendJsonText } from '../../infra/http/json-text.js';
import { notModified, problemOf } from '../../infra/http/openapi.js';
import { CacheOnlyQuery, CacheQuery, listQuery, pageReply } from '../../lib/pagination.js';
import { principalOf } from '../auth/guard.js';
import { IdParams } from '../blueprints/schema.js';
import { idParam, statsTag } from '../blueprints/cache-tags.js';
import { projectListTagsOf, projectTag, projectWritesTag } from './cache-tags.js';
import { ProjectInput, ProjectListQuery, ProjectPatch, ProjectSchema, StatsSummary } from './schema.js';
import type { ProjectService } from './service.js';

const foreignBlueprints = problemOf('unprocessable', "blueprintIds that are not the tenant's (listed in errors)");

/** /api/projects: thin adapters over the project service. */
export function projectRoutes(app: FastifyInstance, projects: ProjectService, cached: Cached): void {
  // Route types come from the TypeBox schemas (no hand-written generics).
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/projects',
    {
      config: { role: 'viewer' },
      ...cached({
        family: 'projects',
        ttl: 180,
        swr: 180,
        tags: projectListTagsOf,
        joinTags: (req, tenantId) => [...projectListTagsOf(req, tenantId), projectWritesTag(tenantId)],
      }),
      schema: {
        tags: ['projects'],
        summary: "List the tenant's projects, newest first",
        querystring: listQuery({ ...ProjectListQuery, ...CacheQuery }),
        response: { 200: pageReply(ProjectSchema), ...notModified },
      },
    },
    async (req, reply) => {
      const { limit, cursor, ...filter } = req.query;
      const p = principalOf(req);
      const { body, ids } = await projects.list(p, filter, limit, cursor);
      addCacheTags(
        req,
        ids.map((id) => projectTag(p.tenantId, id)),
      );
      return sendJsonText(reply, body);
    },
  );

  // Registered before /:id for readability; find-my-way prefers the static segment anyway.
  api.get(
    '/api/projects/stats/summary',
    {
      config: { role: 'viewer' },
      ...cached({
        family: 'stats',
        ttl: 60,
        swr: 60,
        key: () => 'summary',
        tags: (_req, tenantId) => [statsTag(tenantId)],
      }),
      schema: {
        tags: ['projects'],
        summary: "Counts of the tenant's projects by status and environment, and their monthly cost",
        querystring: CacheOnlyQuery,
        response: { 200: StatsSummary, ...notModified },
      },
    },
    async (req) => projects.summary(principalOf(req)),
  );

  api.get(
    '/api/projects/:id',
    {
      config: { role: 'viewer' },
      ...cached({
        family: 'projects',
        ttl: 180,
        swr: 180,
        key: idParam,
        tags: (req, tenantId) => [projectTag(tenantId, idParam(req))],
      }),
      schema: {
        tags: ['projects'],
        summary: 'Get a project',
        params: IdParams,
        querystring: CacheOnlyQuery,
        response: { 200: ProjectSchema, ...notModified },
      },
    },
    async (req, reply) => sendJsonText(reply, await projects.getDoc(principalOf(req), req.params.id)),
  );

  api.post(
    '/api/projects',
    {
      config: { role: 'editor' },
      schema: {
        tags: ['projects'],
        summary: 'Create a project',
        body: ProjectInput,
        response: { 201: ProjectSchema, ...foreignBlueprints },
      },
    },
    async (req, reply) => {
      const project = await projects.create(principalOf(req), req.body);
      await warmCache(req, `/api/projects/${project.id}`);
      return reply.code(201).header('location', `/api/projects/${project.id}`).send(project);
    },
  );

  api.patch(
    '/api/projects/:id',
    {
      config: { role: 'editor' },
      schema: {
        tags: ['projects'],
        summary: 'Change a project (JSON merge patch: absent = unchanged, null = removed)',
        params: IdParams,
        body: ProjectPatch,
        response: { 200: ProjectSchema, ...foreignBlueprints },
      },
    },
    async (req) => projects.patch(principalOf(req), req.params.id, req.body),
  );

  api.delete(
    '/api/projects/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['projects'],
        summary: 'Delete a project',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await projects.remove(principalOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
