/**
 * The error-code registry (documented as a table in docs/ERRORS.md). Every error the API answers
 * with is one of these codes, rendered as RFC 9457 problem+json by infra/http/problem.ts.
 */
export const ERROR_CODES = {
  validation: { status: 400, title: 'Request validation failed' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Insufficient role' },
  not_found: { status: 404, title: 'Resource not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  not_acceptable: { status: 406, title: 'Not acceptable' },
  conflict: { status: 409, title: 'Conflict' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  unprocessable: { status: 422, title: 'Semantically invalid request' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'Dependency unavailable' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base URI of the problem `type`s; each code's page is `${PROBLEM_BASE}<code>`. */
export const PROBLEM_BASE = 'https://iac-dharma.dev/problems/';

/** The most `errors[]` entries one problem reports (a bounded answer to an unbounded mistake). */
export const MAX_FIELD_ERRORS = 20;

/** One failing field: `path` is a JSON Pointer into the request (`/resources/0/type`). */
export interface FieldError {
  path: string;
  message: string;
}

/** An error the API answers with on purpose; anything else is an opaque 500. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    /** RFC 9457 extension members added to the problem body. */
    readonly extensions?: Record<string, unknown>,
  ) {
    super(detail);
    this.status = ERROR_CODES[code].status;
  }
}

/** 400: the request does not match its schema. */
export class ValidationError extends AppError {
  constructor(detail: string, errors?: FieldError[]) {
    super('validation', detail, errors);
  }
}

/** 401: no token, a bad token, or bad credentials. */
export class UnauthorizedError extends AppError {
  constructor(detail = 'A valid bearer token is required') {
    super('unauthorized', detail, undefined, { 'www-authenticate': 'Bearer' });
  }
}

/** 403: authenticated, but the role is too low. */
export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super('forbidden', detail);
  }
}

/** 404: missing, or belonging to another tenant (never distinguished). */
export class NotFoundError extends AppError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

/** 409: a uniqueness or reference conflict. */
export class ConflictError extends AppError {
  constructor(detail: string, errors?: FieldError[], extensions?: Record<string, unknown>) {
    super('conflict', detail, errors, undefined, extensions);
  }
}

/** 412: `If-Match` does not match the current representation. */
export class PreconditionFailedError extends AppError {
  constructor(detail: string) {
    super('precondition_failed', detail);
  }
}

/** 422: well-formed but semantically invalid. */
export class UnprocessableError extends AppError {
  constructor(detail: string, errors?: FieldError[]) {
    super('unprocessable', detail, errors);
  }
}

/** 429: with the number of seconds to wait. */
export class RateLimitedError extends AppError {
  constructor(detail: string, retryAfterSeconds: number) {
    super('rate_limited', detail, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

/** 503: a dependency (the database) is unreachable. */
export class ServiceUnavailableError extends AppError {
  constructor(detail: string) {
    super('service_unavailable', detail, undefined, { 'retry-after': '1' });
  }
}
