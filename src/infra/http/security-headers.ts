import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The API answers JSON only: nothing in a response may load, run, submit or be framed. /docs
 * replaces the policy on its own routes with one for the Swagger UI (see buildApp).
 */
export const API_HELMET: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
  },
  frameguard: { action: 'deny' },
};

/**
 * The headers helmet sets with `options`, computed once by running its middleware against a
 * recorder: helmet's policy is the same for every response, and @fastify/helmet would rebuild the
 * middleware (and allocate a promise) on every request, cached hits included.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err;
  });
  if (Object.keys(headers).length === 0) throw new Error('helmet set no headers: its middleware API changed');
  return headers;
}

/**
 * Security headers (helmet's) on every routed response, errors and 404s included, set before
 * any hook can answer. Repeated cache hits answered before routing replay the headers their
 * routed twin was sent with (infra/cache/http/fast-hits.ts), these among them.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions = API_HELMET): void {
  const headers = helmetHeaders(options);
  // Callback style: it runs on every request, so no promise per call.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
