import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * The logger of per-request `request completed` lines: the app's logger (same destination, level
 * and mixins) without redaction. The lines carry only fields chosen here (method, url, route,
 * status, duration, request id), never headers or bodies, and pino's redaction costs more than
 * serialising the line itself.
 */
export function accessLogger(log: FastifyBaseLogger): FastifyBaseLogger {
  return log.child({}, { redact: [] });
}

/**
 * The level of a finished request's line: errors (5xx) at error, requests slower than `slowMs` at
 * warn, other client errors (4xx) at info, and fast successes at debug: a line per successful
 * request costs a large share of a cached read (docs/OBSERVABILITY.md); metrics count those, and
 * `LOG_LEVEL=debug` logs every one of them.
 */
export function requestLevel(statusCode: number, ms: number, slowMs: number): 'error' | 'warn' | 'info' | 'debug' {
  if (statusCode >= 500) return 'error';
  if (ms >= slowMs) return 'warn';
  return statusCode >= 400 ? 'info' : 'debug';
}

/**
 * Fastify's per-request logging as one JSON line, written when the response is done (method,
 * url, route template, status, duration, request id) instead of the default "incoming request" +
 * "request completed" pair, at the level `requestLevel` picks. A request that failed with an
 * error is logged through the request's own (redacting) logger with the error attached.
 */
export class OneLineRequestLog extends LogController {
  #access: FastifyBaseLogger | undefined;

  constructor(private readonly slowMs: number) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // Flat fields: keys named `req`/`res` would run Fastify's request/response serializers again.
    const line = {
      method: request.method,
      url: request.url,
      route: request.routeOptions.url,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) return reply.log.error({ ...line, err: error }, 'request errored');
    const level = requestLevel(reply.statusCode, reply.elapsedTime, this.slowMs);
    (this.#access ??= accessLogger(request.server.log))[level]({ reqId: request.id, ...line }, 'request completed');
  }
}
