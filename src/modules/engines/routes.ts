import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Cached } from '../../infra/cache/http/cached.js';
import { stableJson } from '../../lib/stable-json.js';
import { principalOf } from '../auth/guard.js';
import { blueprintTag } from '../blueprints/cache-tags.js';
import {
  EstimateBody,
  EstimateReply,
  EvaluateBody,
  EvaluateReply,
  GenerateBody,
  GenerateReply,
  RulesReply,
  Settings,
} from './schema.js';
import type { EngineService } from './service.js';

const security = [{ bearer: [] }];

/**
 * Content keys: a stored blueprint's results are keyed by its id (and tagged with it, so a write
 * to the blueprint drops them); an inline blueprint's by the hash of the whole body.
 */
function contentKey(req: FastifyRequest): string {
  const { blueprintId, ...rest } = req.body as { blueprintId?: string };
  const digest = createHash('sha256').update(stableJson(rest)).digest('base64url');
  return blueprintId ? `${blueprintId.toLowerCase()}:${digest}` : `inline:${digest}`;
}

function sourceTags(req: FastifyRequest, tenantId: string): string[] {
  const id = (req.body as { blueprintId?: string }).blueprintId;
  return id ? [blueprintTag(tenantId, id)] : [];
}

/** /api/iac/generate, /api/cost/estimate and /api/guardrails/*: thin adapters over the engines. */
export function engineRoutes(app: FastifyInstance, engines: EngineService, cached: Cached): void {
  app.post<{ Body: GenerateBody }>(
    '/api/iac/generate',
    {
      config: { role: 'viewer' },
      ...cached({ family: 'iac', ttl: 300, key: contentKey, tags: sourceTags }),
      schema: { tags: ['iac'], security, body: GenerateBody, response: { 200: GenerateReply } },
    },
    async (req) => engines.generate(principalOf(req), req.body),
  );

  app.post<{ Body: EstimateBody }>(
    '/api/cost/estimate',
    {
      config: { role: 'viewer' },
      ...cached({ family: 'cost', ttl: 300, key: contentKey, tags: sourceTags }),
      schema: { tags: ['cost'], security, body: EstimateBody, response: { 200: EstimateReply } },
    },
    async (req) => engines.estimate(principalOf(req), req.body),
  );

  app.post<{ Body: EvaluateBody }>(
    '/api/guardrails/evaluate',
    {
      config: { role: 'viewer' },
      schema: { tags: ['guardrails'], security, body: EvaluateBody, response: { 200: EvaluateReply } },
    },
    async (req) => engines.evaluate(principalOf(req), req.body),
  );

  app.get(
    '/api/guardrails/rules',
    { config: { role: 'viewer' }, schema: { tags: ['guardrails'], security, response: { 200: RulesReply } } },
    async () => engines.rules(),
  );

  app.get(
    '/api/guardrails/settings',
    { config: { role: 'viewer' }, schema: { tags: ['guardrails'], security, response: { 200: Settings } } },
    async (req) => engines.settings(principalOf(req)),
  );

  app.put<{ Body: Settings }>(
    '/api/guardrails/settings',
    {
      config: { role: 'admin' },
      schema: { tags: ['guardrails'], security, body: Settings, response: { 200: Settings } },
    },
    async (req) => engines.saveSettings(principalOf(req), req.body),
  );
}
