import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Cached } from '../../infra/cache/http/cached.js';
import { normalisedQuery } from '../../infra/cache/http/route.js';
import { notModified, problemOf } from '../../infra/http/openapi.js';
import { principalOf } from '../auth/guard.js';
import { blueprintTag, idParam } from '../blueprints/cache-tags.js';
import { IdParams } from '../blueprints/schema.js';
import { DiffQuery, ReviewBody, ReviewReply } from './schema.js';
import { guardrailSettingsTag, type ReviewService } from './service.js';

const unprocessable = problemOf('unprocessable', 'a blueprint the engines cannot process (errors[] names the field)');

/** GET /api/blueprints/:id/diff and POST /api/review: thin adapters over the review service. */
export function reviewRoutes(app: FastifyInstance, reviews: ReviewService, cached: Cached): void {
  // Route types come from the TypeBox schemas (no hand-written generics).
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/blueprints/:id/diff',
    {
      config: { role: 'viewer' },
      // The default range (previous → current) moves with every save, and every diff shows the
      // tenant's guardrail settings: tagged with both, so a save, a delete or a settings change drops it.
      ...cached({
        family: 'blueprints',
        ttl: 300,
        key: (req) => `${idParam(req)}/diff?${normalisedQuery(req)}`,
        tags: (req, tenantId) => [blueprintTag(tenantId, idParam(req)), guardrailSettingsTag(tenantId)],
      }),
      schema: {
        tags: ['blueprints'],
        summary: 'Review a change between two saved versions (default: previous → current)',
        params: IdParams,
        querystring: DiffQuery,
        response: { 200: ReviewReply, ...notModified, ...unprocessable },
      },
    },
    async (req) => reviews.diff(principalOf(req), req.params.id, req.query),
  );

  api.post(
    '/api/review',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['review'],
        summary: 'Review an unsaved change: two inline blueprints (omit `from` for a new one)',
        body: ReviewBody,
        response: { 200: ReviewReply, ...unprocessable },
      },
    },
    async (req) => reviews.review(principalOf(req), req.body),
  );
}
