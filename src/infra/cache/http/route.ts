import { createHash, randomBytes } from 'node:crypto';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  onResponseHookHandler,
  onSendHookHandler,
} from 'fastify';
import { etagListed } from '../../../lib/etag.js';
import type { CacheEntry } from '../entry.js';
import { namespace, type Flight, type Found, type Guard, type ResponseCache } from '../response-cache.js';
import type { FastHits } from './fast-hits.js';

/** A route's cache options, as a `cacheMiddleware({ ttl, key, condition })` takes them, plus the family and the tags invalidation needs. */
export interface CacheRouteOptions {
  family: 'blueprints' | 'projects' | 'stats' | 'iac' | 'cost';
  /** Seconds an entry stays fresh (default: REDIS_TTL_DEFAULT). */
  ttl?: number;
  /** The route key inside the family; default: the normalised query string. */
  key?: (req: FastifyRequest) => string;
  /** When false the request bypasses the cache (as `?cache=false` and `Cache-Control: no-cache` do). */
  condition?: (req: FastifyRequest) => boolean;
  /**
   * The entry's invalidation tags known before the handler runs (default: `<tenant>:<family>`); the
   * handler may add the tags of what it read with addCacheTags (a list page: its items).
   */
  tags?: (req: FastifyRequest, tenantId: string) => string[];
  /**
   * Tags whose invalidation stops a later miss from waiting for this one's handler run (default:
   * `tags`). A route whose handler adds tags names the family's write tag here: its flights only
   * take waiters until the next write to the family.
   */
  joinTags?: (req: FastifyRequest, tenantId: string) => string[];
  /**
   * Seconds past the TTL during which an entry is still served (`X-Cache: STALE`) while one
   * background request refreshes it. Safe: writes invalidate entries, stale or not.
   */
  swr?: number;
}

// Marks an internal request that refreshes an entry; unguessable, so clients cannot send it.
const REFRESH_HEADER = 'x-cache-refresh';
const REFRESH_SECRET = randomBytes(16).toString('hex');

/** True for the cache's own refresh requests (not clients': metrics do not count them). */
export const isInternalRefresh = (req: { headers: Record<string, unknown> }): boolean =>
  req.headers[REFRESH_HEADER] === REFRESH_SECRET;

interface CacheState {
  kind: 'hit' | 'miss' | 'bypass';
  key?: string;
  tenantId?: string;
  tags?: string[];
  guard?: Guard;
  flight?: Flight;
  /** A fresh hit the fast path may repeat. */
  fresh?: CacheEntry;
}

declare module 'fastify' {
  interface FastifyRequest {
    cacheState: CacheState | undefined;
  }
}

/** Adds tags to the entry a cached route's handler is producing (e.g. the items a list page shows). */
export function addCacheTags(req: FastifyRequest, tags: string[]): void {
  if (req.cacheState?.kind === 'miss') req.cacheState.tags!.push(...tags);
}

/** Query parameters in a fixed order (the bypass switch excluded): `?b=1&a=2` and `?a=2&b=1` share an entry. */
export function normalisedQuery(req: FastifyRequest): string {
  const q = req.query as Record<string, unknown>;
  const keys = Object.keys(q)
    .filter((k) => k !== 'cache')
    .sort();
  return keys.map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(q[k]))}`).join('&');
}

/**
 * `?cache=false`, a route's condition, or `Cache-Control: no-cache` without `If-None-Match`. A
 * conditional request asks to validate what the client holds, and fetch() adds `no-cache` to every
 * one: it is answered through the cache (entries are never older than an acknowledged write).
 */
function wantsBypass(req: FastifyRequest, opts: CacheRouteOptions): boolean {
  const q = req.query as { cache?: unknown } | undefined;
  if (q?.cache === 'false' || q?.cache === false) return true;
  const cc = req.headers['cache-control'];
  if (cc !== undefined && req.headers['if-none-match'] === undefined && /\bno-cache\b/i.test(cc)) return true;
  return opts.condition ? !opts.condition(req) : false;
}

const CACHE_CONTROL = 'private, max-age=0, must-revalidate';

// A waiter gives up on a leader this slow (a leader whose client went away may never store) and
// runs the handler itself: longer than any statement may take (DB_STATEMENT_TIMEOUT_MS' default).
const WAIT_FOR_LEADER_MS = 15_000;

/** The leader's entry, or undefined once it has taken WAIT_FOR_LEADER_MS. */
function waitFor(leader: Promise<CacheEntry | undefined>): Promise<CacheEntry | undefined> {
  let timer: NodeJS.Timeout;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, WAIT_FOR_LEADER_MS, undefined)));
  return Promise.race([leader, late]).finally(() => clearTimeout(timer));
}

/** A request to re-run as an internal refresh: the handler runs and its result is stored. */
export interface RefreshTarget {
  method: string;
  url: string;
  body?: unknown;
  contentType?: string;
}

/** Re-runs `target` inside `server` with the caller's `authorization`, as a refresh (never served from cache). */
export function refreshRequest(server: FastifyInstance, target: RefreshTarget, authorization: string) {
  const headers: Record<string, string> = { [REFRESH_HEADER]: REFRESH_SECRET, authorization };
  if (target.contentType) headers['content-type'] = target.contentType;
  return server.inject({
    method: target.method as 'GET',
    url: target.url,
    headers,
    payload: target.body as string | undefined,
  });
}

/**
 * Brings a cached GET up to date on behalf of a write that has just made it (a creation's own
 * detail), so the reader that follows hits; best effort, never fails the write.
 */
export async function warmCache(req: FastifyRequest, url: string): Promise<void> {
  const authorization = req.headers.authorization;
  if (authorization === undefined) return;
  await refreshRequest(req.server, { method: 'GET', url }, authorization).catch((err: unknown) =>
    req.log.warn({ err }, 'cache warm-up after a write failed'),
  );
}

function sendEntry(req: FastifyRequest, reply: FastifyReply, e: CacheEntry, label: 'HIT' | 'STALE'): FastifyReply {
  reply.header('x-cache', label).header('etag', e.etag).header('cache-control', CACHE_CONTROL);
  if (etagListed(req.headers['if-none-match'], e.etag, 'weak')) return reply.code(304).send();
  return reply.code(200).type(e.contentType).send(e.body);
}

/**
 * Route hooks for one cached route: `lookup` (an onRequest hook, or preHandler for POST routes
 * keyed by body) serves hits before any parsing or handler work; `store` (onSend) keeps the
 * serialized bytes of a 200 exactly once and answers conditional requests; `cleanup` (onResponse)
 * releases coalesced waiters.
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
  const joinTagsOf = opts.joinTags ?? tagsOf;
  const keyOf = (req: FastifyRequest, tenantId: string) => `${namespace(tenantId)}${opts.family}:${routeKey(req)}`;

  function serve(req: FastifyRequest, reply: FastifyReply, tenantId: string, key: string, found: Found): FastifyReply {
    req.cacheState = { kind: 'hit', fresh: found.stale ? undefined : found.entry };
    if (found.stale) {
      cache.record(tenantId, 'stale');
      const authorization = req.headers.authorization ?? '';
      cache.refreshOnce(key, () =>
        refreshRequest(
          req.server,
          { method: req.method, url: req.url, body: req.body, contentType: req.headers['content-type'] },
          authorization,
        ).catch((err: unknown) => req.log.warn({ err }, 'stale entry refresh failed')),
      );
      return sendEntry(req, reply, found.entry, 'STALE');
    }
    cache.record(tenantId, found.tier === 'l2' ? 'l2-hit' : 'l1-hit');
    return sendEntry(req, reply, found.entry, 'HIT');
  }

  function miss(req: FastifyRequest, tenantId: string, key: string, guard: Guard, flight?: Flight): void {
    req.cacheState = { kind: 'miss', key, tenantId, tags: tagsOf(req, tenantId), guard, flight };
  }

  /** After an L1 miss: L2, then single flight, then the handler; resolves true once it replied. */
  async function slowPath(req: FastifyRequest, reply: FastifyReply, tenantId: string, key: string): Promise<boolean> {
    const guard = cache.begin();
    const found = await cache.remote(key, tagsOf(req, tenantId), guard);
    if (found) return (serve(req, reply, tenantId, key, found), true);
    // Single flight: a concurrent miss on the same key waits for the leader's entry.
    const leader = cache.join(key);
    if (leader) {
      const entry = await waitFor(leader);
      if (entry) return (serve(req, reply, tenantId, key, { entry, tier: 'l1', stale: false }), true);
    }
    // A leader may have finished (and stored into L1) while this request waited on L2.
    const late = cache.local(key);
    if (late && !late.stale) return (serve(req, reply, tenantId, key, late), true);
    miss(req, tenantId, key, guard, cache.lead(key, joinTagsOf(req, tenantId), guard));
    cache.record(tenantId, 'miss');
    return false;
  }

  // Callback style on purpose: an L1 hit is answered without allocating a single promise.
  const lookup: onRequestHookHandler = function (req, reply, done) {
    const tenantId = tenantOf(req);
    if (isInternalRefresh(req)) {
      // An internal refresh: always run the handler and store (with a Redis clock), count nothing;
      // misses arriving meanwhile wait for it rather than query again. Not while the cache is off.
      if (!cache.available()) {
        req.cacheState = { kind: 'bypass' };
        return done();
      }
      const key = keyOf(req, tenantId);
      const guard = cache.begin();
      cache.remote(key, [], guard).then(() => {
        const flight = cache.join(key) ? undefined : cache.lead(key, joinTagsOf(req, tenantId), guard);
        miss(req, tenantId, key, guard, flight);
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
    const local = cache.local(key);
    if (local) {
      serve(req, reply, tenantId, key, local);
      return;
    }
    slowPath(req, reply, tenantId, key).then((replied) => (replied ? undefined : done()), done);
  };

  const store: onSendHookHandler = function (req, reply, payload, done) {
    done(null, storeMiss(req, reply, payload));
  };

  /** Keeps a 200's serialized bytes once; answers 304 when the client already has them (BYPASS too). */
  function storeMiss(req: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    const s = req.cacheState;
    if (s?.fresh && repeatable) repeatable.remember(req, reply, s.fresh);
    if (!s || s.kind === 'hit') return payload;
    if (s.kind === 'miss') reply.header('x-cache', 'MISS');
    reply.header('cache-control', CACHE_CONTROL);
    if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      s.flight?.finish(undefined);
      return payload;
    }
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const own = reply.getHeader('etag');
    const etag = typeof own === 'string' ? own : `"${createHash('sha1').update(body).digest('base64url')}"`;
    reply.header('etag', etag);
    if (s.kind === 'miss') {
      const now = cache.now();
      const entry: CacheEntry = {
        key: s.key!,
        tenantId: s.tenantId!,
        body,
        etag,
        contentType: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'),
        path: req.method === 'GET' ? req.url : undefined,
        storedAt: now,
        expiresAt: now + ttlMs,
        staleUntil: now + ttlMs + swrMs,
        tags: [...new Set(s.tags)],
      };
      cache.store(entry, s.guard!);
      s.flight?.finish(entry);
    }
    if (etagListed(req.headers['if-none-match'], etag, 'weak')) {
      reply.code(304);
      return '';
    }
    return body;
  }

  const cleanup: onResponseHookHandler = function (req, _reply, done) {
    req.cacheState?.flight?.finish(undefined);
    done();
  };

  return { lookup, store, cleanup };
}
