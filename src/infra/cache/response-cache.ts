import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createBreaker } from './breaker.js';
import { createBus } from './bus.js';
import { createLagMonitor } from './deadline.js';
import type { CacheEntry } from './entry.js';
import { compileGlob } from './glob.js';
import { createL1 } from './l1.js';
import { createRedisTier, type RedisTier } from './redis-tier.js';
import { createStats, hitRate, type Outcome } from './stats.js';

// Failed invalidations kept for replay; past this, replay removes every entry instead.
const MAX_PENDING = 1_000;
// Retry delays of a failed invalidation: prompt, whether or not the breaker opened.
const RETRY_MS = [5, 10, 25, 50, 100, 250];

export interface ResponseCacheOptions {
  l1MaxBytes: number;
  redis?: { url: string; commandTimeoutMs: number };
  registry: Registry;
  log: FastifyBaseLogger;
  /** The clock (epoch ms); tests pass a fake one to step over TTLs. */
  now?: () => number;
}

/** What a lookup started with; a store presents it to prove none of its tags was invalidated since. */
export interface Guard {
  /** L1's stamp when the lookup began. */
  since: number;
  /** Redis's clock read by the L2 lookup (no L2 store without it). */
  clock?: string;
}

/** A servable entry and how it was found. */
export interface Found {
  entry: CacheEntry;
  tier: 'l1' | 'l2';
  /** Past its TTL, inside its stale-while-revalidate window. */
  stale: boolean;
}

/** One handler run that concurrent misses on the same key wait for. */
export interface Flight {
  readonly done: Promise<CacheEntry | undefined>;
  /** Hands the leader's entry (or nothing) to its waiters; idempotent. */
  finish(entry: CacheEntry | undefined): void;
}

type Pending = { tenantId: string; tags: string[] } | 'everything';

/** The `cache:<tenant>:` namespace; `*` is every tenant (operators). */
export const namespace = (tenantId: string | '*') => (tenantId === '*' ? 'cache:' : `cache:${tenantId}:`);

/**
 * The two-tier response cache: L1 in-process LRU in front of Redis, Redis pub/sub as the
 * invalidation bus, per-tag guards against slow misses, single flight, stale-while-revalidate,
 * and a circuit breaker that turns the cache into BYPASS while Redis is at fault.
 */
export function createResponseCache(opts: ResponseCacheOptions) {
  const replicaId = randomUUID();
  const now = opts.now ?? Date.now;
  const redisUp = new Gauge({
    name: 'cache_redis_up',
    help: '1 when the L2 tier (Redis) is in use',
    registers: [opts.registry],
  });
  const commandSeconds = new Histogram({
    name: 'redis_command_duration_seconds',
    help: 'Latency of the cache’s Redis commands',
    labelNames: ['command'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [opts.registry],
  });
  const evictions = new Counter({
    name: 'cache_evictions_total',
    help: 'L1 entries evicted by the size bound',
    registers: [opts.registry],
  });

  const lag = opts.redis ? createLagMonitor() : undefined;
  const redis: RedisTier | undefined =
    opts.redis &&
    createRedisTier({ ...opts.redis, lag: lag!, onCommand: (c, s) => commandSeconds.observe({ command: c }, s) });
  const stats = createStats(Boolean(redis));
  // Read from the exact counters at scrape time: nothing per request, and always equal to /cache/stats.
  new Counter({
    name: 'cache_requests_total',
    help: 'Cache lookups by tier and result',
    labelNames: ['tier', 'result'],
    registers: [opts.registry],
    collect() {
      const t = stats.total();
      this.reset();
      this.inc({ tier: 'l1', result: 'hit' }, t.l1.hits);
      this.inc({ tier: 'l1', result: 'miss' }, t.l1.misses);
      this.inc({ tier: 'l1', result: 'stale' }, t.stale);
      this.inc({ tier: 'l1', result: 'bypass' }, t.bypass);
      if (redis) {
        this.inc({ tier: 'l2', result: 'hit' }, t.l2.hits);
        this.inc({ tier: 'l2', result: 'miss' }, t.l2.misses);
      }
    },
  });
  const l1 = createL1(opts.l1MaxBytes, (e) => {
    stats.evicted(e.tenantId);
    evictions.inc();
  });
  let l2Entries = 0;
  new Gauge({
    name: 'cache_entries',
    help: 'Cache entries per tier (l2: counted by SCAN on the probe interval, never on scrape)',
    labelNames: ['tier'],
    registers: [opts.registry],
    collect() {
      this.set({ tier: 'l1' }, l1.count());
      if (redis) this.set({ tier: 'l2' }, l2Entries);
    },
  });

  const flights = new Map<string, Flight & { joinTags: string[]; since: number }>();
  const refreshing = new Set<string>();
  // Invalidations Redis has not confirmed, and their tags (an L2 entry carrying one is not trusted).
  let pending: Pending[] = [];
  const pendingTags = new Map<string, number>();
  let retryTimer: NodeJS.Timeout | undefined;
  let retryStep = 0;
  // L2 entries stored before this Redis clock value are not trusted (set on recovery).
  let trustedFrom = '0';

  const bus = redis
    ? createBus({
        sub: redis.sub,
        replicaId,
        onMessage(msg) {
          if (msg.tags) l1.invalidateTags(msg.tags);
          else if (msg.glob) void l1.removeMatching(msg.tenantId, compileGlob(msg.glob)).catch(() => {});
        },
        // Messages were lost: any entry may be stale, and so may any store in flight.
        onResync: () => l1.forgetAll(),
      })
    : undefined;

  const breaker = redis
    ? createBreaker({
        log: opts.log,
        connected: () => redis.ready(),
        ping: () => redis.ping(),
        async recover() {
          await replay();
          // Other replicas' invalidations may have failed while Redis was at fault: what L1 holds
          // and what L2 held before now may be stale until they replay them.
          l1.forgetAll();
          trustedFrom = await redis.tick();
        },
        async tick(probe) {
          // Every ~10 s: how many entries L2 holds, for the cache_entries gauge.
          if (probe % 40 === 0) l2Entries = await redis.count(namespace('*'));
        },
        onChange: (isUp) => redisUp.set(isUp ? 1 : 0),
      })
    : undefined;
  if (redis) {
    redisUp.set(0);
    redis.client.on('error', () => {}); // surfaced through status and the breaker
    redis.client.on('close', () => breaker!.open('connection closed'));
  }

  const available = (): boolean => !redis || (breaker!.isUp() && redis.ready() && bus!.healthy());

  function failed(err: unknown): void {
    breaker?.failure(err);
  }

  function addPending(p: Pending): void {
    if (p !== 'everything') for (const t of p.tags) pendingTags.set(t, (pendingTags.get(t) ?? 0) + 1);
    if (pending.length >= MAX_PENDING) {
      pending = ['everything'];
      pendingTags.clear();
      pendingTags.set('*', 1);
    } else pending.push(p);
    scheduleRetry();
  }

  const untrusted = (tags: readonly string[]) =>
    pendingTags.size > 0 && (pendingTags.has('*') || tags.some((t) => pendingTags.has(t)));

  async function apply(p: Pending): Promise<void> {
    if (p === 'everything') {
      await redis!.removeMatching(namespace('*'), compileGlob('*'));
      await redis!.tick();
    } else await redis!.invalidate(p.tags, bus!.tagsMessage(p.tenantId, p.tags));
  }

  let replaying: Promise<void> | undefined;
  /** Applies what is pending, oldest first; throws (keeping the rest) on the first failure. */
  function replay(): Promise<void> {
    replaying ??= replayPending().finally(() => (replaying = undefined));
    return replaying;
  }

  async function replayPending(): Promise<void> {
    while (pending.length) {
      const p = pending[0]!;
      await apply(p);
      pending.shift();
      if (p === 'everything') pendingTags.clear();
      else
        for (const t of p.tags) {
          const n = pendingTags.get(t)! - 1;
          if (n > 0) pendingTags.set(t, n);
          else pendingTags.delete(t);
        }
    }
  }

  function scheduleRetry(): void {
    if (retryTimer || !redis) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!redis.ready()) return scheduleRetry();
      replay().then(
        () => (retryStep = 0),
        () => {
          retryStep = Math.min(retryStep + 1, RETRY_MS.length - 1);
          scheduleRetry();
        },
      );
    }, RETRY_MS[retryStep]);
    retryTimer.unref();
  }

  /** Removes what a glob matches in a namespace, locally, in Redis and on the other replicas. */
  async function removeMatching(tenantId: string | '*', pattern: string): Promise<number> {
    const glob = compileGlob(pattern);
    const local = await l1.removeMatching(tenantId, glob);
    if (!redis || !available()) return local;
    try {
      const removed = await redis.removeMatching(namespace(tenantId), glob);
      await redis.publish(bus!.globMessage(tenantId, glob.source));
      breaker!.success();
      return removed;
    } catch (err) {
      failed(err);
      return local;
    }
  }

  return {
    replicaId,
    now,
    /** False while Redis is configured but at fault: callers then bypass the cache entirely. */
    available,
    health: (): 'up' | 'down' | 'disabled' => (!redis ? 'disabled' : available() ? 'up' : 'down'),
    record: (tenantId: string, outcome: Outcome): void => stats.record(tenantId, outcome),

    /** The L1 entry for key if it is fresh (the fast path's lookup); undefined otherwise. */
    fresh(key: string): CacheEntry | undefined {
      const t = now();
      const e = l1.get(key, t);
      return e !== undefined && e.expiresAt > t ? e : undefined;
    },

    /** The L1 tier alone, synchronously: the hot path of a hit does no promise work. */
    local(key: string): Found | undefined {
      const t = now();
      const e = l1.get(key, t);
      return e && { entry: e, tier: 'l1', stale: e.expiresAt <= t };
    },

    /** Starts a lookup that may end in a store. */
    begin: (): Guard => ({ since: l1.begin() }),

    /**
     * The L2 tier after an L1 miss: one round trip that returns the entry if it is still valid for
     * its tags, and Redis's clock for a later store (kept in `guard`). The entry goes to L1 unless
     * one of its tags was invalidated meanwhile.
     */
    async remote(key: string, tags: string[], guard: Guard): Promise<Found | undefined> {
      if (!redis || untrusted(tags)) return undefined;
      try {
        const { entry, clock } = await redis.lookup(key, tags, trustedFrom);
        breaker!.success();
        guard.clock = clock;
        const t = now();
        if (entry && entry.staleUntil > t && !untrusted(entry.tags)) {
          l1.set(entry, guard.since);
          return { entry, tier: 'l2', stale: entry.expiresAt <= t };
        }
      } catch (err) {
        failed(err);
      }
      return undefined;
    },

    /** The flight of a concurrent miss on key, if none of its tags was invalidated since it began. */
    join(key: string): Promise<CacheEntry | undefined> | undefined {
      const f = flights.get(key);
      if (!f) return undefined;
      if (l1.unchangedSince(f.joinTags, f.since)) return f.done;
      // A write since it began: a request arriving now must not get what it computes.
      flights.delete(key);
      return undefined;
    },

    /** Makes this miss the one handler run that later misses on key wait for. */
    lead(key: string, joinTags: string[], guard: Guard): Flight {
      let resolve!: (e: CacheEntry | undefined) => void;
      const flight = {
        done: new Promise<CacheEntry | undefined>((r) => (resolve = r)),
        joinTags,
        since: guard.since,
        finish(entry: CacheEntry | undefined) {
          if (flights.get(key) === flight) flights.delete(key);
          resolve(entry);
        },
      };
      flights.set(key, flight);
      return flight;
    },

    /** Stores a fresh entry in L1 and L2, unless one of its tags was invalidated since `guard` began. */
    store(entry: CacheEntry, guard: Guard): void {
      if (!l1.set(entry, guard.since)) return;
      if (!redis || guard.clock === undefined || !available()) return;
      redis.store(entry, guard.clock).then(
        () => breaker!.success(),
        (err) => failed(err),
      );
    },

    /** Runs `refresh` for key unless one is already running (stale-while-revalidate). */
    refreshOnce(key: string, refresh: () => Promise<unknown>): void {
      if (refreshing.has(key)) return;
      refreshing.add(key);
      refresh().finally(() => refreshing.delete(key));
    },

    /**
     * Drops every entry carrying one of `tags` on every replica, and refuses stores of them begun
     * before; resolves once Redis has it (or it is queued for a prompt retry). Returns the L1
     * entries it dropped, so the writer can bring the ones clients read back up to date.
     */
    async invalidate(tenantId: string, tags: string[]): Promise<CacheEntry[]> {
      const dropped = l1.invalidateTags(tags);
      if (!redis) return dropped;
      // Behind earlier failures (order matters), or Redis at fault: queued for the prompt retry.
      if (pending.length > 0 || !breaker!.isUp() || !redis.ready()) {
        addPending({ tenantId, tags });
        return dropped;
      }
      try {
        await redis.invalidate(tags, bus!.tagsMessage(tenantId, tags));
        breaker!.success();
      } catch (err) {
        addPending({ tenantId, tags });
        failed(err);
      }
      return dropped;
    },

    /** Admin pattern invalidation inside a namespace; returns the number of entries removed. */
    invalidatePattern: removeMatching,
    clear: (tenantId: string | '*') => removeMatching(tenantId, '*'),

    /** `/cache/stats` for one tenant, or all of them (operator). */
    async stats(tenantId: string | '*') {
      const c = tenantId === '*' ? stats.total() : stats.tenant(tenantId);
      const l1Entries = l1.count(tenantId === '*' ? undefined : tenantId);
      let l2Keys: number | null = null;
      if (redis && available()) {
        l2Keys = await redis.count(namespace(tenantId)).catch((err) => {
          failed(err);
          return null;
        });
      }
      return {
        hits: c.hits,
        misses: c.misses,
        hitRate: hitRate(c),
        keys: redis ? (l2Keys ?? 0) : l1Entries,
        stale: c.stale,
        bypass: c.bypass,
        evictions: c.evictions,
        tiers: {
          l1: { ...c.l1, entries: l1Entries, bytes: tenantId === '*' ? l1.bytes : undefined },
          l2: { ...c.l2, enabled: Boolean(redis), up: available() && Boolean(redis), keys: l2Keys },
        },
      };
    },

    async close(): Promise<void> {
      breaker?.close();
      lag?.close();
      clearTimeout(retryTimer);
      await redis?.close();
    },
  };
}

export type ResponseCache = ReturnType<typeof createResponseCache>;
