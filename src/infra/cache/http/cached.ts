import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ResponseCache } from '../response-cache.js';
import type { FastHits } from './fast-hits.js';
import { cacheRoute, refreshRequest, type CacheRouteOptions } from './route.js';

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

// Entries a write brings back up to date, at most.
const MAX_REFRESH = 4;

/** Invalidates what a write of `writer`'s changed, before the write is acknowledged. */
export type CacheInvalidator<P extends { tenantId: string }> = (writer: P, tags: string[]) => Promise<void>;

/**
 * The write side: drops every entry carrying one of the write's tags (on every replica), then
 * re-runs, as `writer`, the GETs whose dropped entries were being read (a few, in parallel), so
 * the next readers hit the new state instead of each missing: a write leaves no miss behind.
 * `authorization` makes a bearer header for the writer (the refresh runs through the auth guard).
 */
export function createCacheInvalidator<P extends { tenantId: string }>(
  app: FastifyInstance,
  cache: ResponseCache,
  authorization: (writer: P) => string,
): CacheInvalidator<P> {
  return async (writer, tags) => {
    const dropped = await cache.invalidate(writer.tenantId, tags);
    if (!cache.available()) return;
    const now = cache.now();
    const reread = dropped.filter((e) => e.path !== undefined && e.expiresAt > now).slice(-MAX_REFRESH);
    if (reread.length === 0) return;
    const auth = authorization(writer);
    await Promise.all(
      reread.map((e) =>
        refreshRequest(app, { method: 'GET', url: e.path! }, auth).catch((err: unknown) =>
          app.log.warn({ err }, 'refresh after write failed'),
        ),
      ),
    );
  };
}
