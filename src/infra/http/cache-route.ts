import { createHash, randomBytes } from 'node:crypto';
import type {
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  onSendHookHandler,
  onResponseHookHandler,
} from 'fastify';
import type { CacheEntry } from '../cache/entry.js';
import { namespace, type Lookup, type ResponseCache } from '../cache/response-cache.js';
import type { FastHits } from './fast-hits.js';

/** The design note's `cacheMiddleware({ ttl, key, condition })`, plus the family and tags SPEC §5 needs. */
export interface CacheRouteOptions {
  family: 'blueprints' | 'projects' | 'stats' | 'iac' | 'cost';
  /** Seconds an entry stays fresh (default: REDIS_TTL_DEFAULT). */
  ttl?: number;
  /** The route key inside the family; default: the normalised query string. */
  key?: (req: FastifyRequest) => string;
  /** When false the request bypasses the cache (as `?cache=false` and `Cache-Control: no-cache` do). */
  condition?: (req: FastifyRequest) => boolean;
  /**
   * The entry's invalidation tags. Default: the family's own, `<tenant>:<family>`, dropped by any
   * write to the family (right for lists). A detail entry names only what it is derived from
   * (`<tenant>:bp:<id>`), so writing one blueprint keeps every other blueprint's detail cached.
   */
  tags?: (req: FastifyRequest, tenantId: string) => string[];
  /**
   * Seconds past the TTL during which an entry is still served (`X-Cache: STALE`) while one
   * background request refreshes it. Safe: writes delete entries, stale or not.
   */
  swr?: number;
}

// Marks the internal request that refreshes a stale entry; unguessable, so clients cannot send it.
const REFRESH_HEADER = 'x-cache-refresh';
const REFRESH_SECRET = randomBytes(16).toString('hex');

interface CacheState {
  kind: 'hit' | 'miss' | 'bypass';
  key?: string;
  tenantId?: string;
  tags?: string[];
  token?: Lookup['token'];
  resolve?: (e: CacheEntry | undefined) => void;
  /** A fresh hit the fast path may repeat. */
  fresh?: CacheEntry;
}

declare module 'fastify' {
  interface FastifyRequest {
    cacheState: CacheState | undefined;
  }
}

/** Query parameters in a fixed order (the bypass switch excluded): `?b=1&a=2` and `?a=2&b=1` share an entry. */
export function normalisedQuery(req: FastifyRequest): string {
  const q = req.query as Record<string, unknown>;
  const keys = Object.keys(q)
    .filter((k) => k !== 'cache')
    .sort();
  return keys.map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(q[k]))}`).join('&');
}

function wantsBypass(req: FastifyRequest, opts: CacheRouteOptions): boolean {
  const q = req.query as { cache?: unknown } | undefined;
  if (q?.cache === 'false' || q?.cache === false) return true;
  if (/\bno-cache\b/i.test(req.headers['cache-control'] ?? '')) return true;
  return opts.condition ? !opts.condition(req) : false;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  return header !== undefined && header.split(',').some((t) => t.trim() === etag || t.trim() === '*');
}

const CACHE_CONTROL = 'private, max-age=0, must-revalidate';

/** Re-runs the request in the background (once per key) to replace a stale entry. */
function refresh(cache: ResponseCache, req: FastifyRequest, key: string): void {
  if (cache.refreshing.has(key)) return;
  cache.refreshing.add(key);
  const headers: Record<string, string> = { [REFRESH_HEADER]: REFRESH_SECRET };
  for (const h of ['authorization', 'content-type'] as const) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  req.server
    .inject({ method: req.method as 'GET', url: req.url, headers, payload: req.body as string | undefined })
    .catch((err: unknown) => req.log.warn({ err }, 'stale entry refresh failed'))
    .finally(() => cache.refreshing.delete(key));
}

function sendEntry(req: FastifyRequest, reply: FastifyReply, e: CacheEntry, label: 'HIT' | 'STALE'): FastifyReply {
  reply.header('x-cache', label).header('etag', e.etag).header('cache-control', CACHE_CONTROL);
  if (etagMatches(req.headers['if-none-match'], e.etag)) return reply.code(304).send();
  return reply.code(200).type(e.contentType).send(e.body);
}

/**
 * Route hooks for one cached route: `lookup` (an onRequest hook, or preHandler for POST routes
 * keyed by body) serves hits before any parsing or handler work; `store` (onSend) keeps the
 * serialized bytes of a 200 exactly once; `cleanup` (onResponse) releases coalesced waiters.
 */
export function cacheRoute(
  cache: ResponseCache,
  tenantOf: (req: FastifyRequest) => string,
  opts: CacheRouteOptions,
  defaultTtl = 300,
  fast?: FastHits,
) {
  // Only a route whose answer depends on nothing but the caller and the URL may be repeated.
  const repeatable = fast && !opts.condition ? fast : undefined;
  const ttlMs = (opts.ttl ?? defaultTtl) * 1000;
  const swrMs = (opts.swr ?? 0) * 1000;
  const routeKey = opts.key ?? ((req: FastifyRequest) => `list?${normalisedQuery(req)}`);

  const tagsOf = (req: FastifyRequest, tenantId: string) =>
    opts.tags ? opts.tags(req, tenantId) : [`${tenantId}:${opts.family}`];

  function keyOf(req: FastifyRequest, tenantId: string): string {
    return `${namespace(tenantId)}${opts.family}:${routeKey(req)}`;
  }

  function serve(req: FastifyRequest, reply: FastifyReply, tenantId: string, key: string, found: Lookup): FastifyReply {
    req.cacheState = { kind: 'hit', fresh: found.stale ? undefined : found.entry };
    if (found.stale) {
      cache.record(tenantId, 'stale');
      refresh(cache, req, key);
      return sendEntry(req, reply, found.entry!, 'STALE');
    }
    cache.record(tenantId, found.tier === 'l2' ? 'l2-hit' : 'l1-hit');
    return sendEntry(req, reply, found.entry!, 'HIT');
  }

  /** After an L1 miss: L2, then single flight, then the handler; resolves true once it replied. */
  async function slowPath(
    req: FastifyRequest,
    reply: FastifyReply,
    tenantId: string,
    key: string,
    token: Lookup['token'],
  ) {
    const found = await cache.remote(tenantId, key, token);
    if (found.entry) return (serve(req, reply, tenantId, key, found), true);
    // Single flight: a concurrent miss on the same key waits for the leader's entry.
    const leader = cache.inflight.get(key);
    if (leader) {
      const entry = await leader;
      if (entry) return (serve(req, reply, tenantId, key, { entry, tier: 'l1', token }), true);
    }
    let resolve!: (e: CacheEntry | undefined) => void;
    cache.inflight.set(key, new Promise((r) => (resolve = r)));
    const tags = tagsOf(req, tenantId);
    req.cacheState = { kind: 'miss', key, tenantId, tags, token: found.token, resolve };
    cache.record(tenantId, 'miss');
    return false;
  }

  // Callback style on purpose: an L1 hit is answered without allocating a single promise.
  const lookup: onRequestHookHandler = function (req, reply, done) {
    const tenantId = tenantOf(req);
    if (req.headers[REFRESH_HEADER] === REFRESH_SECRET) {
      // The background refresh of a stale entry: always run the handler, store, count nothing.
      const key = keyOf(req, tenantId);
      const tags = tagsOf(req, tenantId);
      const { token } = cache.local(tenantId, key);
      cache.remote(tenantId, key, token).then(() => {
        req.cacheState = { kind: 'miss', key, tenantId, tags, token };
        done();
      }, done);
      return;
    }
    if (!cache.available() || wantsBypass(req, opts)) {
      req.cacheState = { kind: 'bypass' };
      cache.record(tenantId, 'bypass');
      reply.header('x-cache', 'BYPASS');
      return done();
    }
    const key = keyOf(req, tenantId);
    const local = cache.local(tenantId, key);
    if (local.entry) {
      serve(req, reply, tenantId, key, local);
      return;
    }
    slowPath(req, reply, tenantId, key, local.token).then((replied) => (replied ? undefined : done()), done);
  };

  const store: onSendHookHandler = function (req, reply, payload, done) {
    done(null, storeMiss(req, reply, payload));
  };

  /** Keeps a 200's serialized bytes once; answers 304 when the client already has them. */
  function storeMiss(req: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    const s = req.cacheState;
    if (s?.fresh && repeatable) repeatable.remember(req, reply, s.fresh);
    if (!s || s.kind !== 'miss') return payload;
    reply.header('x-cache', 'MISS').header('cache-control', CACHE_CONTROL);
    if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      release(req, undefined);
      return payload;
    }
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const own = reply.getHeader('etag');
    const etag = typeof own === 'string' ? own : `"${createHash('sha1').update(body).digest('base64url')}"`;
    reply.header('etag', etag);
    const now = cache.now();
    const contentType = String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8');
    const entry: CacheEntry = {
      key: s.key!,
      tenantId: s.tenantId!,
      body,
      etag,
      contentType,
      storedAt: now,
      expiresAt: now + ttlMs,
      staleUntil: now + ttlMs + swrMs,
      tags: s.tags!,
    };
    cache.store(entry, s.token!);
    release(req, entry);
    if (etagMatches(req.headers['if-none-match'], etag)) {
      reply.code(304);
      return '';
    }
    return body;
  }

  function release(req: FastifyRequest, entry: CacheEntry | undefined): void {
    const s = req.cacheState;
    if (!s?.resolve) return;
    cache.inflight.delete(s.key!);
    s.resolve(entry);
    s.resolve = undefined;
  }

  const cleanup: onResponseHookHandler = function (req, _reply, done) {
    release(req, undefined);
    done();
  };

  return { lookup, store, cleanup };
}
