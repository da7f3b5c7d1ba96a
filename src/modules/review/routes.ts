import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Cached } from '../../infra/cache/http/cached.js';
import { normalisedQuery } from '../../infra/cache/http/route.js';
import { principalOf } from '../auth/guard.js';
import { blueprintTag } from '../blueprints/cache-tags.js';
import { IdParams } from '../blueprints/schema.js';
import { DiffQuery, ReviewBody, ReviewReply } from './schema.js';
import { guardrailSettingsTag, type ReviewService } from './service.js';

const security = [{ bearer: [] }];
const idOf = (req: FastifyRequest) => (req.params as { id: string }).id.toLowerCase();

/** GET /api/blueprints/:id/diff and POST /api/review: thin adapters over the review service. */
export function reviewRoutes(app: FastifyInstance, reviews: ReviewService, cached: Cached): void {
  app.get<{ Params: { id: string }; Querystring: DiffQuery }>(
    '/api/blueprints/:id/diff',
    {
      config: { role: 'viewer' },
      // The default range (previous → current) moves with every save, and every diff shows the
      // tenant's guardrail settings: tagged with both, so a save, a delete or a settings change drops it.
      ...cached({
        family: 'blueprints',
        ttl: 300,
        key: (req) => `${idOf(req)}/diff?${normalisedQuery(req)}`,
        tags: (req, tenantId) => [blueprintTag(tenantId, idOf(req)), guardrailSettingsTag(tenantId)],
      }),
      schema: {
        tags: ['blueprints'],
        summary: 'Review a change between two saved versions (default: previous → current)',
        security,
        params: IdParams,
        querystring: DiffQuery,
        response: { 200: ReviewReply },
      },
    },
    async (req) => reviews.diff(principalOf(req), req.params.id, req.query),
  );

  app.post<{ Body: ReviewBody }>(
    '/api/review',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['review'],
        summary: 'Review an unsaved change: two inline blueprints (omit `from` for a new one)',
        security,
        body: ReviewBody,
        response: { 200: ReviewReply },
      },
    },
    async (req) => reviews.review(principalOf(req), req.body),
  );
}
