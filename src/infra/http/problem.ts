import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, PROBLEM_BASE, type ErrorCode, type FieldError } from '../../errors.js';
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

function problem(code: ErrorCode, detail: string, errors?: FieldError[]): Problem {
  const { status, title } = ERROR_CODES[code];
  return { type: PROBLEM_BASE + code.replace(/_/g, '-'), title, status, detail, ...(errors ? { errors } : {}) };
}

// Fastify's own 4xx codes (body parsing, content types) mapped onto ours.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
};

function toProblem(err: FastifyError): Problem | undefined {
  if (err instanceof AppError) return { ...problem(err.code, err.detail, err.errors), ...err.extensions };
  if (err.validation) {
    const where = err.validationContext ?? 'request';
    const errors = toFieldErrors(err.validation as never);
    const first = errors[0];
    return problem('validation', `Invalid ${where}${first ? `: ${first.path} ${first.message}` : ''}`, errors);
  }
  const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (mapped) return problem(mapped, mapped === 'bad_request' ? 'The body is not valid JSON' : err.message);
  // JSON.parse failures surface as SyntaxError with statusCode 400.
  if (err.statusCode === 400) return problem('bad_request', 'The body is not valid JSON');
  if (err.statusCode === 413) return problem('payload_too_large', 'The body exceeds 1 MiB');
  if (err.statusCode === 415) return problem('unsupported_media_type', err.message);
  return undefined;
}

function send(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
}

/** Registers the one error handler and the 404 handler; unexpected errors are logged and answered opaquely. */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const body = toProblem(err);
    if (body) {
      if (err instanceof AppError && err.headers) reply.headers(err.headers);
      if (body.status >= 500)
        request.log.warn({ err: { code: body.type, message: err.message } }, 'dependency failure');
      return send(reply, { ...body, instance: request.url.split('?')[0] });
    }
    request.log.error({ err }, 'unhandled error');
    return send(reply, { ...problem('internal', 'An unexpected error occurred'), instance: request.url.split('?')[0] });
  });
  app.setNotFoundHandler((request, reply) =>
    send(reply, problem('not_found', `No route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
