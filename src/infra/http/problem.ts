import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  ERROR_CODES,
  MAX_FIELD_ERRORS,
  PROBLEM_BASE,
  type ErrorCode,
  type FieldError,
} from '../../errors.js';
import { unsupportedMediaDetail } from './body-parser.js';
import { API_HELMET, helmetHeaders } from './security-headers.js';
import { toFieldErrors } from './validation.js';

/** The RFC 9457 body every error response carries. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** The longest `detail`, error `path` or `message` a problem carries (a 1 MiB key is not echoed whole). */
const MAX_TEXT = 4096;
/** `instance` is the request path, which Node bounds with the request line (16 KiB). */
const MAX_INSTANCE = 16_384;

const clip = (text: string, max = MAX_TEXT) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The JSON Schema of Problem, as the OpenAPI document and the error serializer know it. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri', maxLength: 200, description: `${PROBLEM_BASE}<code>, see docs/ERRORS.md` }),
    title: Type.String({ maxLength: 200 }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String({ maxLength: MAX_TEXT }),
    instance: Type.Optional(Type.String({ maxLength: MAX_INSTANCE, description: 'the request path' })),
    errors: Type.Optional(
      Type.Array(
        Type.Object(
          {
            path: Type.String({ maxLength: MAX_TEXT, description: 'JSON Pointer into the body or query' }),
            message: Type.String({ maxLength: MAX_TEXT }),
          },
          { additionalProperties: false },
        ),
        { maxItems: MAX_FIELD_ERRORS },
      ),
    ),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

function problem(code: ErrorCode, detail: string, errors?: FieldError[]): Problem {
  const { status, title } = ERROR_CODES[code];
  const listed = errors?.slice(0, MAX_FIELD_ERRORS).map((e) => ({ path: clip(e.path), message: clip(e.message) }));
  return {
    type: PROBLEM_BASE + code.replace(/_/g, '-'),
    title,
    status,
    detail: clip(detail),
    ...(listed ? { errors: listed } : {}),
  };
}

// Fastify's own 4xx codes (body parsing, content types) mapped onto ours.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
};

function toProblem(err: FastifyError, request: FastifyRequest): Problem | undefined {
  if (err instanceof AppError) return { ...problem(err.code, err.detail, err.errors), ...err.extensions };
  if (err.validation) {
    const where = err.validationContext ?? 'request';
    const errors = toFieldErrors(err.validation as never);
    const first = errors[0];
    return problem('validation', `Invalid ${where}${first ? `: ${first.path} ${first.message}` : ''}`, errors);
  }
  const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (mapped === 'unsupported_media_type')
    return problem(mapped, unsupportedMediaDetail(request.headers['content-type']));
  if (mapped === 'payload_too_large') return problem(mapped, 'The body exceeds 1 MiB');
  if (mapped) return problem(mapped, err.message);
  if (err.statusCode === 400) return problem('bad_request', err.message);
  if (err.statusCode === 413) return problem('payload_too_large', 'The body exceeds 1 MiB');
  if (err.statusCode === 415)
    return problem('unsupported_media_type', unsupportedMediaDetail(request.headers['content-type']));
  return undefined;
}

function send(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
}

const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;

// Helmet's headers, for the answers no hook runs for (computed on first use).
let securityHeaders: Record<string, string> | undefined;

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route or hook runs (a path that
 * is not valid percent-encoding, a path parameter over 100 characters) as a 400 problem.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const detail =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A path segment is longer than 100 characters'
      : 'The path is not valid percent-encoding';
  // No hook runs for these: the headers every routed answer gets are set here.
  reply.headers((securityHeaders ??= helmetHeaders(API_HELMET))).header('x-request-id', request.id);
  void send(reply, { ...problem('bad_request', detail), instance: clip(pathOf(request), MAX_INSTANCE) });
}

/**
 * Registers the one error handler and the 404 handler (405 with `Allow` when the path exists
 * under other methods); unexpected errors are logged and answered opaquely.
 */
export function registerProblemHandlers(app: FastifyInstance): void {
  // Route paths as patterns (`:id` → one segment), to tell a wrong method (405) from no route (404).
  const routes: { re: RegExp; method: string }[] = [];
  app.addHook('onRoute', (route) => {
    const source = route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+');
    for (const method of [route.method].flat()) routes.push({ re: new RegExp(`^${source}$`), method });
  });

  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const body = toProblem(err, request);
    if (body) {
      if (err instanceof AppError && err.headers) reply.headers(err.headers);
      if (body.status >= 500)
        request.log.warn({ err: { code: body.type, message: err.message } }, 'dependency failure');
      return send(reply, { ...body, instance: clip(pathOf(request), MAX_INSTANCE) });
    }
    request.log.error({ err }, 'unhandled error');
    return send(reply, {
      ...problem('internal', 'An unexpected error occurred'),
      instance: clip(pathOf(request), MAX_INSTANCE),
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request);
    const allowed = [...new Set(routes.filter((r) => r.re.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return send(reply, problem('method_not_allowed', `${request.method} is not allowed on ${path}`));
    }
    return send(reply, problem('not_found', `No route ${request.method} ${path}`));
  });
}
