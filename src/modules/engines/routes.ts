import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Cached } from '../../infra/cache/http/cached.js';
import { notModified, problemOf } from '../../infra/http/openapi.js';
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

// Engine requests name a stored blueprint (404 when it is not the tenant's) or carry one inline.
const engineProblems = {
  ...problemOf('not_found', "blueprintId is not one of the tenant's blueprints"),
  ...problemOf('unprocessable', 'the blueprint or its parameters cannot be processed (errors[] names the field)'),
};

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
  // Route types come from the TypeBox schemas (no hand-written generics).
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/api/iac/generate',
    {
      config: { role: 'viewer' },
      ...cached({ family: 'iac', ttl: 300, key: contentKey, tags: sourceTags }),
      schema: {
        tags: ['iac'],
        summary: 'Generate Terraform or CloudFormation from a blueprint',
        body: GenerateBody,
        response: { 200: GenerateReply, ...notModified, ...engineProblems },
      },
    },
    async (req) => engines.generate(principalOf(req), req.body),
  );

  api.post(
    '/api/cost/estimate',
    {
      config: { role: 'viewer' },
      ...cached({ family: 'cost', ttl: 300, key: contentKey, tags: sourceTags }),
      schema: {
        tags: ['cost'],
        summary: "Estimate a blueprint's hourly and monthly cost",
        body: EstimateBody,
        response: { 200: EstimateReply, ...notModified, ...engineProblems },
      },
    },
    async (req) => engines.estimate(principalOf(req), req.body),
  );

  api.post(
    '/api/guardrails/evaluate',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['guardrails'],
        summary: "Evaluate a blueprint against the guardrail rules and the tenant's settings",
        body: EvaluateBody,
        response: { 200: EvaluateReply, ...engineProblems },
      },
    },
    async (req) => engines.evaluate(principalOf(req), req.body),
  );

  api.get(
    '/api/guardrails/rules',
    {
      config: { role: 'viewer' },
      schema: { tags: ['guardrails'], summary: 'List the guardrail rules', response: { 200: RulesReply } },
    },
    async () => engines.rules(),
  );

  api.get(
    '/api/guardrails/settings',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['guardrails'],
        summary: "Get the tenant's guardrail settings",
        response: { 200: Settings },
      },
    },
    async (req) => engines.settings(principalOf(req)),
  );

  api.put(
    '/api/guardrails/settings',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['guardrails'],
        summary: "Replace the tenant's guardrail settings",
        body: Settings,
        response: { 200: Settings },
      },
    },
    async (req) => engines.saveSettings(principalOf(req), req.body),
  );
}
