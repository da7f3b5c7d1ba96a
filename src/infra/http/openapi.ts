import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../../errors.js';
import { JSON_TYPE, MERGE_PATCH_TYPE } from './body-parser.js';
import { ProblemSchema } from './problem.js';

/** The role a route needs, as the OpenAPI document states it (operation extension `x-role`). */
export const ROLE_EXTENSION = 'x-role';

declare module 'fastify' {
  interface FastifySchema {
    /** The role the document names, when it is not `config.role` (a check made in the handler). */
    [ROLE_EXTENSION]?: 'viewer' | 'editor' | 'admin';
  }
}

// A response's description when its route gives none: the status's reason phrase.
const describe = (status: string) => STATUS_CODES[status] ?? (status === '2xx' ? 'Success' : `Status ${status}`);
const PROBLEM_REF = { $ref: `${ProblemSchema.$id}#` };
const ROLE_RANK: Record<string, number> = { viewer: 0, editor: 1, admin: 2 };

interface RouteSchema {
  hide?: boolean;
  body?: unknown;
  response?: Record<string, unknown>;
  security?: unknown;
  [key: string]: unknown;
}

function problemResponse(code: ErrorCode, when: string) {
  const { status, title } = ERROR_CODES[code];
  return [
    status,
    { description: `${title}: ${when}`, content: { 'application/problem+json': { schema: PROBLEM_REF } } },
  ] as const;
}

// The problem responses every route of this shape can give; a route adds its own (409, 412,
// 422, 429) in its schema, and those are kept.
function problemsOf(route: RouteOptions, schema: RouteSchema): (readonly [number, unknown])[] {
  const role = (schema[ROLE_EXTENSION] as string | undefined) ?? route.config?.role;
  const out = [problemResponse('validation', 'the query, path or body violates its schema')];
  if (schema.body) {
    out.push(problemResponse('payload_too_large', 'the body exceeds 1 MiB'));
    out.push(problemResponse('unsupported_media_type', 'the body is not JSON'));
  }
  if (role) out.push(problemResponse('unauthorized', 'no valid bearer token'));
  if (role && (ROLE_RANK[role] ?? 0) > 0) out.push(problemResponse('forbidden', `the route needs the ${role} role`));
  if (route.url.includes(':')) out.push(problemResponse('not_found', 'no such resource in your tenant'));
  out.push(problemResponse('internal', 'a bug, logged with the request id'));
  out.push(problemResponse('service_unavailable', 'a dependency (the database) is unavailable'));
  return out;
}

/**
 * Completes each route's schema for the document, so every route (a new one too) documents every
 * answer: the role it needs and the bearer scheme, PATCH's merge-patch media type, a description
 * for each success, and its problem+json error responses.
 */
function documentRoute(route: RouteOptions): void {
  const schema = (route.schema ??= {}) as RouteSchema;
  if (schema.hide) return;
  const role = route.config?.role;
  if (role) {
    schema[ROLE_EXTENSION] ??= role;
    schema.security ??= [{ bearer: [] }];
  }
  if (schema.body && [route.method].flat().includes('PATCH')) {
    const body = schema.body;
    schema.body = { content: { [MERGE_PATCH_TYPE]: { schema: body }, [JSON_TYPE]: { schema: body } } };
  }
  const response = (schema.response ??= {});
  for (const [status, s] of Object.entries(response) as [string, Record<string, unknown>][]) {
    // @fastify/swagger reads a response's description from this key and leaves the schema alone.
    if (s.description === undefined) response[status] = { ...s, 'x-response-description': describe(status) };
  }
  for (const [status, problem] of problemsOf(route, schema)) response[status] ??= problem;
}

/** Serves the OpenAPI 3.1 document at /docs/json (UI at /docs), completed by documentRoute. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  app.addSchema(ProblemSchema);
  app.addHook('onRoute', documentRoute);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'IAC Dharma API',
        version,
        description: 'Blueprints, projects, IaC generation, cost and guardrails',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    // Shared schemas keep their $id as their component name (#/components/schemas/Problem).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // The UI's own policy (its scripts and styles by hash) replaces the API's on /docs routes; without
  // upgrade-insecure-requests, which would send the UI's requests to https on a plain-http server.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (csp) => csp.replace(/\s*upgrade-insecure-requests;?/, ''),
  });
}

/** A route-specific problem response for `response` in a route schema (409, 412, 422, 429…). */
export function problemOf(code: ErrorCode, when: string): Record<number, unknown> {
  const [status, response] = problemResponse(code, when);
  return { [status]: response };
}

/** The 304 of a cached route, answered when If-None-Match lists the entry's current ETag. */
export const notModified = {
  304: { type: 'null', description: 'Not Modified: If-None-Match lists the current ETag' },
} as const;
