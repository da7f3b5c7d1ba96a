import type { FastifyRequest } from 'fastify';
import type { ResponseCache } from '../cache/response-cache.js';
import { cacheRoute, type CacheRouteOptions } from './cache-route.js';
import type { FastHits } from './fast-hits.js';

/** Route-option fragment that makes a route cached: spread it into the route's options. */
export type Cached = (opts: CacheRouteOptions) => Record<string, unknown>;

/**
 * Binds the cache to a way of finding the caller's tenant. GET routes look up in onRequest
 * (before parsing and validation: a hit does no work); POST routes keyed by their body look
 * up in preHandler, after validation. `fast`, when given, repeats GET hits before routing.
 * Hits are answered before the role check (preHandler), so a cached route must be one every role
 * of the tenant may read (`viewer`); its key is scoped by tenant, never by role.
 */
export function createCached(
  cache: ResponseCache,
  tenantOf: (req: FastifyRequest) => string,
  defaultTtl: number,
  fast?: FastHits,
): Cached {
  return (opts) => {
    const byBody = opts.family === 'iac' || opts.family === 'cost';
    // Hits keyed by the body cannot be repeated from the URL: no fast path for them.
    const hooks = cacheRoute(cache, tenantOf, opts, defaultTtl, byBody ? undefined : fast);
    const stage = byBody ? 'preHandler' : 'onRequest';
    return { [stage]: hooks.lookup, onSend: hooks.store, onResponse: hooks.cleanup };
  };
}
