import type { FastifyInstance, FastifyRequest, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../../errors.js';
import { bearerToken, roleAtLeast, type Principal, type Role, type TokenService, type Verified } from './tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Minimum role for the route; absent means public. */
    role?: Role;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

/** The authenticated caller of a route that declared `config.role`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}

/**
 * Authentication in onRequest (401 before the body is even parsed) and the role check in
 * preHandler, after validation: the contract's order 401 → 400 → 403 → 404 (docs/API.md §1).
 */
export function registerAuthGuard(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest('principal', undefined);

  // Callback-style hooks: they run on every authenticated request, so no promise per call.
  const authenticate: onRequestHookHandler = (request, _reply, done) => {
    const header = request.headers.authorization;
    const token = header === undefined ? undefined : bearerToken(header);
    if (token === undefined) return done(new UnauthorizedError());
    try {
      request.principal = tokens.verifyAccess(token);
    } catch (err) {
      return done(err as Error);
    }
    done();
  };
  const authorize =
    (need: Role): preHandlerHookHandler =>
    (request, _reply, done) => {
      const have = principalOf(request).role;
      if (!roleAtLeast(have, need))
        return done(new ForbiddenError(`This action needs the ${need} role; you are ${have}`));
      done();
    };

  // Attached per route, so public routes (health, metrics) pay for no hook at all.
  app.addHook('onRoute', (route) => {
    const need = route.config?.role;
    if (!need) return;
    route.onRequest = [authenticate, ...toArray(route.onRequest)];
    route.preHandler = [authorize(need), ...toArray(route.preHandler)];
  });
}

function toArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * The guard's check of an `Authorization` header as a plain function, for the cache's fast path:
 * the verified principal and the token's expiry, or undefined where the guard answers 401.
 */
export function headerAuthenticator(tokens: TokenService): (authorization: string) => Verified | undefined {
  return (authorization) => {
    const token = bearerToken(authorization);
    if (token === undefined) return undefined;
    try {
      return tokens.verifyAccessUntil(token);
    } catch {
      return undefined;
    }
  };
}
