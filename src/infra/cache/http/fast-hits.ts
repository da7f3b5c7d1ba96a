import { performance } from 'node:perf_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { Series } from '../../metrics/bound-histogram.js';
import type { CacheEntry } from '../entry.js';
import type { ResponseCache } from '../response-cache.js';

/** Who a bearer credential authenticates, as the routed path's auth guard decides it. */
export interface Authenticated {
  /** The verified token's claims object: the same object for the same token while it is cached. */
  principal: object;
  /** The token's expiry (epoch ms). */
  expMs: number;
}

/** What the fast path needs from the rest of the app; each piece is the one the routed path uses. */
export interface FastHitDeps {
  cache: ResponseCache;
  /**
   * The auth guard's own check of an `Authorization` header: the principal and the token's expiry,
   * or undefined where the routed path would answer 401.
   */
  authenticate: (authorization: string) => Authenticated | undefined;
  /**
   * Changes whenever access tokens are revoked (a user deleted or demoted: TokenService.revocationEpoch);
   * a connection's repeat matched before the change authenticates again.
   */
  revocationEpoch?: () => number;
  /** Fastify's genReqId: the caller's valid X-Request-Id, or a new one. */
  requestId: (req: IncomingMessage) => string;
  /** The HTTP histogram's series of a route's 200s (absent when metrics are off). */
  series?: (labels: RouteLabels) => Series;
  /** The access logger (infra/logging.ts) the routed path's `request completed` lines go to. */
  log: FastifyBaseLogger;
  /** The level of a 200 that took `ms` (infra/logging.ts requestLevel). */
  level: (ms: number) => 'error' | 'warn' | 'info' | 'debug';
}

export interface RouteLabels {
  method: string;
  route: string;
  status_code: number;
}

/**
 * A response the routed path gave this principal for this URL, replayable while its entry lives.
 * One object per slot for the slot's life: a newer hit updates it in place.
 */
interface Known {
  /**
   * The L1 entry it repeats, by key and store stamp: an entry L1 evicted or a write invalidated
   * is not kept alive by being remembered, and any other entry under the key is not it.
   */
  readonly key: string;
  seq: number;
  /** Where its duration is recorded (HTTP histogram), bound once. */
  series: Series | undefined;
  /** The access logger bound to this response's constant fields (serialised once, by pino). */
  log: FastifyBaseLogger;
  /**
   * The routed hit's headers as name, value, name, value… (Node's flat form, no key iteration),
   * without the per-request ones; the last value is `x-request-id`'s, set per request.
   */
  headers: string[];
}

/**
 * What a keep-alive connection last repeated: a client sending the same Authorization, URL and
 * Origin strings again (the usual case) is matched by comparing them, without hashing the token
 * and URL into the lookups again, for as long as the token is valid.
 */
interface Repeat {
  authorization: string;
  url: string;
  origin: string | undefined;
  /** The token's expiry (epoch ms), checked against the wall clock as the verifier does. */
  expMs: number;
  /** The revocation epoch it was verified in. */
  epoch: number | undefined;
  known: Known;
}

// Headers the routed path sets per request, never replayed.
const PER_REQUEST = new Set(['x-request-id', 'content-length', 'connection', 'date']);
// Bounds on what is remembered (each slot is a header array and a bound logger, ~1 KB): per
// principal, and in all; past either, that memory starts over (a connection's last repeat keeps
// its slot alive until the connection closes or moves on: at most one slot per open socket more).
const MAX_URLS_PER_PRINCIPAL = 64;
const MAX_SLOTS = 20_000;

/**
 * Fresh L1 hits answered before the framework: a cached GET the routed path served is remembered
 * per principal and exact URL (and Origin), with the headers it was sent with, and the next
 * identical request is answered from the raw `request` event while that same entry is fresh in L1
 * (same status, headers, bytes, counters, metrics and log line). Anything else goes through
 * Fastify, so this can only repeat what the routed path decided (docs/ARCHITECTURE.md).
 */
export function createFastHits(deps: FastHitDeps) {
  const { cache, log } = deps;
  let byPrincipal = new WeakMap<object, Map<string, Known>>();
  const lastOn = new WeakMap<Socket, Repeat>();
  let slots = 0;
  let open = true;

  const slotOf = (url: string, origin: string | undefined) => (origin === undefined ? url : `${url}\n${origin}`);

  return {
    /** Remembers a fresh hit the routed path is sending (from the route's onSend hook). */
    remember(req: FastifyRequest, reply: FastifyReply, entry: CacheEntry): void {
      const principal = req.principal;
      if (!principal || req.method !== 'GET' || reply.statusCode !== 200 || entry.seq === undefined) return;
      if (slots >= MAX_SLOTS) {
        byPrincipal = new WeakMap();
        slots = 0;
      }
      let urls = byPrincipal.get(principal);
      if (!urls) byPrincipal.set(principal, (urls = new Map()));
      const slot = slotOf(req.url, req.headers.origin);
      const previous = urls.get(slot);
      if (previous?.seq === entry.seq) return;
      const headers: string[] = [];
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value === undefined || PER_REQUEST.has(name)) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.push(name, String(v));
      }
      headers.push('content-length', String(entry.body.length), 'x-request-id', '');
      if (previous) {
        // Same principal and URL: same cache key, route, series and log fields. A connection
        // repeating this slot holds this object and sees the new entry.
        previous.seq = entry.seq;
        previous.headers = headers;
        return;
      }
      if (urls.size >= MAX_URLS_PER_PRINCIPAL) {
        slots -= urls.size;
        urls.clear();
      }
      slots += 1;
      const route = req.routeOptions.url ?? 'unmatched';
      urls.set(slot, {
        key: entry.key,
        seq: entry.seq,
        series: deps.series?.({ method: 'GET', route, status_code: 200 }),
        log: log.child({ method: 'GET', url: req.url, route, statusCode: 200 }),
        headers,
      });
    },

    /** Answers `req` if it repeats a remembered hit whose entry is still fresh in L1; false otherwise. */
    handle(req: IncomingMessage, res: ServerResponse): boolean {
      if (!open || req.method !== 'GET') return false;
      try {
        return answer(req, res);
      } catch (err) {
        // Never a crash from here: before the answer went out the routed path takes the request.
        try {
          log.error({ err }, 'fast path failed');
        } catch {
          // the logger is gone: the process is exiting
        }
        return res.headersSent;
      }
    },

    /** Stops answering (the server is closing: Fastify's 503 and connection handling take over). */
    close(): void {
      open = false;
    },
  };

  /** The fast path proper: false as soon as the request is not a remembered, still-fresh hit. */
  function answer(req: IncomingMessage, res: ServerResponse): boolean {
    const started = performance.now();
    const h = req.headers;
    if (h.authorization === undefined || h['if-none-match'] !== undefined || h['cache-control'] !== undefined)
      return false;
    const known = knownFor(req, h.authorization, h.origin);
    if (known === undefined || !cache.available()) return false;
    const entry = cache.fresh(known.key);
    if (entry === undefined || entry.seq !== known.seq) {
      // The routed path answers and remembers anew, possibly in another slot (after a reset):
      // the connection looks it up again next time.
      lastOn.delete(req.socket);
      return false;
    }
    cache.record(entry.tenantId, 'l1-fast-hit');
    const id = deps.requestId(req);
    // Node serialises the headers inside writeHead: the array is free again right after.
    known.headers[known.headers.length - 1] = id;
    res.writeHead(200, known.headers);
    res.end(entry.body);
    const ms = performance.now() - started;
    known.series?.observe(ms / 1000);
    // A disabled level is a no-op function in pino: nothing is serialised.
    known.log[deps.level(ms)]({ reqId: id, responseTime: ms }, 'request completed');
    return true;
  }

  /** The remembered response for this request's principal and URL, if any. */
  function knownFor(req: IncomingMessage, authorization: string, origin: string | undefined): Known | undefined {
    const url = req.url!;
    const last = lastOn.get(req.socket);
    if (
      last !== undefined &&
      last.authorization === authorization &&
      last.url === url &&
      last.origin === origin &&
      last.expMs > Date.now() &&
      last.epoch === deps.revocationEpoch?.()
    )
      return last.known;
    // The auth guard's own check: a token it would refuse (the routed path's 401) never leads to a
    // remembered principal.
    const verified = deps.authenticate(authorization);
    if (verified === undefined) return undefined;
    const known = byPrincipal.get(verified.principal)?.get(slotOf(url, origin));
    const epoch = deps.revocationEpoch?.();
    if (known !== undefined)
      lastOn.set(req.socket, { authorization, url, origin, expMs: verified.expMs, epoch, known });
    return known;
  }
}

export type FastHits = ReturnType<typeof createFastHits>;
