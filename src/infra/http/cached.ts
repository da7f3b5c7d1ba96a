import type { FastifyRequest } from 'fastify';
import type { ResponseCache } from '../cache/response-cache.js';
import { cacheRoute, type CacheRouteOptions } from './cache-route.js';

/** Route-option fragment that makes a route cached: spread it into the route's options. */
export type Cached = (opts: CacheRouteOptions) => Record<string, unknown>;

/**
 * Binds the cache to a way of finding the caller's tenant. GET routes look up in onRequest
 * (before parsing and validation: a hit does no work); POST routes keyed by their body look
 * up in preHandler, after validation.
 */
export function createCached(
  cache: ResponseCache,
  tenantOf: (req: FastifyRequest) => string,
  defaultTtl: number,
): Cached {
  return (opts) => {
    const hooks = cacheRoute(cache, tenantOf, opts, defaultTtl);
    const stage = opts.family === 'iac' || opts.family === 'cost' ? 'preHandler' : 'onRequest';
    return { [stage]: hooks.lookup, onSend: hooks.store, onResponse: hooks.cleanup };
  };
}
