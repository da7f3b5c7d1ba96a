import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../../errors.js';
import { roleAtLeast, type Principal, type Role, type TokenService } from './tokens.js';

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
 * preHandler, after validation: SPEC order 401 → 400 → 403 → 404.
 */
export function registerAuthGuard(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest('principal', undefined);

  const authenticate = async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedError();
    request.principal = tokens.verifyAccess(match[1]);
  };
  const authorize =
    (need: Role) =>
    async (request: FastifyRequest): Promise<void> => {
      const have = principalOf(request).role;
      if (!roleAtLeast(have, need)) throw new ForbiddenError(`This action needs the ${need} role; you are ${have}`);
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
