import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { globToRegExp, type CacheEntry } from './entry.js';
import { createL1 } from './l1.js';
import { createRedisTier, type RedisTier } from './l2-redis.js';
import { createStats, hitRate, type Outcome } from './stats.js';

const CHANNEL = 'cache:invalidate';
const FAILURES_TO_OPEN = 3;
const PROBE_INTERVAL_MS = 250;
const MAX_PENDING = 1_000;

export interface ResponseCacheOptions {
  l1MaxBytes: number;
  redis?: { url: string; commandTimeoutMs: number };
  registry: Registry;
  log: FastifyBaseLogger;
  /** The clock (epoch ms); tests pass a fake one to step over TTLs. */
  now?: () => number;
}

/** What a lookup found, plus what a later store must present to prove nothing was invalidated meanwhile. */
export interface Lookup {
  entry?: CacheEntry;
  tier?: 'l1' | 'l2';
  /** The entry is past its TTL but inside its stale-while-revalidate window. */
  stale?: boolean;
  token: { epoch: number; gen: string | undefined };
}

type Pending = { tenantId: string; tags: string[] } | { glob: string };
type BusMessage = { from: string; tenantId?: string; tags?: string[]; glob?: string };

/** The `cache:<tenant>:` namespace; `*` is every tenant (operators). */
export const namespace = (tenantId: string | '*') => `cache:${tenantId}:`;

/**
 * The two-tier response cache: L1 in-process LRU in front of Redis, Redis pub/sub as the
 * invalidation bus, and a circuit breaker that turns the whole cache into BYPASS while Redis
 * is unhealthy. Invalidations that could not reach Redis are replayed before L2 is trusted again.
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

  const redis: RedisTier | undefined =
    opts.redis && createRedisTier({ ...opts.redis, onCommand: (c, s) => commandSeconds.observe({ command: c }, s) });
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
  const epochs = new Map<string, number>();
  const inflight = new Map<string, Promise<CacheEntry | undefined>>();
  let up = false;
  let failures = 0;
  let resync = false;
  let trustAfter = 0;
  let pending: Pending[] = [];
  let probing = false;

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
  let probes = 0;

  const bump = (tenantId: string) => epochs.set(tenantId, (epochs.get(tenantId) ?? 0) + 1);

  function goDown(reason: string): void {
    if (!redis || !up) return;
    up = false;
    resync = true;
    redisUp.set(0);
    opts.log.warn({ reason }, 'redis unavailable: cache bypassed until it recovers');
  }

  function failed(err: unknown): void {
    failures += 1;
    if (failures >= FAILURES_TO_OPEN || !redis?.ready()) goDown(err instanceof Error ? err.message : String(err));
  }

  function queue(p: Pending): void {
    // An unbounded backlog is replaced by "everything": conservative and O(1) memory.
    pending = pending.length >= MAX_PENDING ? [{ glob: 'cache:*' }] : [...pending, p];
  }

  async function applyL2(p: Pending): Promise<number> {
    const removed = 'glob' in p ? await redis!.deleteMatching(p.glob) : await redis!.invalidateTags(p.tenantId, p.tags);
    const msg: BusMessage = { from: replicaId, ...p };
    await redis!.publish(CHANNEL, JSON.stringify(msg));
    return removed;
  }

  /** Half-open probe: PING, replay the backlog, forget L1 (bus messages may be lost), then trust L2. */
  async function probe(): Promise<void> {
    if (!redis || probing) return;
    probing = true;
    try {
      if (up) {
        if (!redis.ready()) return goDown('connection lost');
        await redis.ping();
        failures = 0;
        // Every ~10 s: how many entries L2 holds, for the cache_entries gauge.
        if (probes++ % 40 === 0) l2Entries = await redis.countMatching('cache:*');
        return;
      }
      if (!redis.ready()) return;
      await redis.ping();
      while (pending.length) {
        await applyL2(pending[0]!);
        pending = pending.slice(1);
      }
      if (resync) {
        l1.clear();
        for (const t of epochs.keys()) bump(t);
        trustAfter = now();
      }
      resync = false;
      failures = 0;
      up = true;
      redisUp.set(1);
      opts.log.info('redis available: cache L2 in use');
    } catch (err) {
      failed(err);
    } finally {
      probing = false;
    }
  }

  let timer: NodeJS.Timeout | undefined;
  if (redis) {
    redisUp.set(0);
    for (const conn of [redis.client, redis.sub]) {
      conn.on('error', () => {}); // surfaced through status and the breaker
      conn.on('close', () => goDown('connection closed'));
    }
    redis.sub.subscribe(CHANNEL).catch(() => {});
    redis.sub.on('message', (_channel: string, raw: string) => {
      let msg: BusMessage;
      try {
        msg = JSON.parse(raw) as BusMessage;
      } catch {
        return;
      }
      if (msg.from === replicaId) return;
      if (msg.glob) {
        l1.invalidateMatching(globToRegExp(msg.glob));
        for (const t of epochs.keys()) bump(t);
      } else if (msg.tenantId && msg.tags) {
        bump(msg.tenantId);
        l1.invalidateTags(msg.tags);
      }
    });
    timer = setInterval(() => void probe(), PROBE_INTERVAL_MS);
    timer.unref();
    void probe();
  }

  async function removeEverywhere(glob: string): Promise<number> {
    const local = l1.invalidateMatching(globToRegExp(glob)).length;
    for (const t of epochs.keys()) bump(t);
    if (!redis) return local;
    if (!up) {
      queue({ glob });
      return local;
    }
    try {
      return await applyL2({ glob });
    } catch (err) {
      queue({ glob });
      failed(err);
      return local;
    }
  }

  return {
    replicaId,
    now,
    /** False while Redis is configured but unhealthy: callers then bypass the cache entirely. */
    available: (): boolean => !redis || (up && redis.ready()),
    health: (): 'up' | 'down' | 'disabled' => (!redis ? 'disabled' : up ? 'up' : 'down'),
    inflight,
    /** Keys whose stale entry is being refreshed in the background. */
    refreshing: new Set<string>(),
    record: (tenantId: string, outcome: Outcome): void => stats.record(tenantId, outcome),

    /** The L1 entry for key if it is fresh (the fast path's lookup); undefined otherwise. */
    fresh(key: string): CacheEntry | undefined {
      const t = now();
      const e = l1.get(key, t);
      return e !== undefined && e.expiresAt > t ? e : undefined;
    },

    /** The L1 tier alone, synchronously: the hot path of a hit does no promise work. */
    local(tenantId: string, key: string): Lookup {
      const t = now();
      const token = { epoch: epochs.get(tenantId) ?? 0, gen: undefined as string | undefined };
      const hit = l1.get(key, t);
      return hit ? { entry: hit, tier: 'l1', stale: hit.expiresAt <= t, token } : { token };
    },

    /** The L2 tier after an L1 miss: one round trip for the entry and the tenant's generation. */
    async remote(tenantId: string, key: string, token: Lookup['token']): Promise<Lookup> {
      if (!redis) return { token };
      try {
        const { entry, gen } = await redis.lookup(key, tenantId);
        failures = 0;
        token.gen = gen;
        const t = now();
        if (entry && entry.storedAt >= trustAfter && entry.staleUntil > t) {
          if ((epochs.get(tenantId) ?? 0) === token.epoch) l1.set(entry);
          return { entry, tier: 'l2', stale: entry.expiresAt <= t, token };
        }
      } catch (err) {
        failed(err);
      }
      return { token };
    },

    /** Stores a fresh entry unless an invalidation of its tenant raced with the miss that produced it. */
    store(entry: CacheEntry, token: Lookup['token']): void {
      if ((epochs.get(entry.tenantId) ?? 0) !== token.epoch) return;
      l1.set(entry);
      if (!redis || !up || token.gen === undefined) return;
      redis.store(entry, token.gen).then(
        () => (failures = 0),
        (err) => failed(err),
      );
    },

    /** Drops every entry carrying one of `tags` on every replica; resolves once Redis has it (or it is queued). */
    async invalidateTags(tenantId: string, tags: string[]): Promise<void> {
      bump(tenantId);
      l1.invalidateTags(tags);
      if (!redis) return;
      if (!up) return queue({ tenantId, tags });
      try {
        await applyL2({ tenantId, tags });
      } catch (err) {
        queue({ tenantId, tags });
        failed(err);
      }
    },

    /** Admin pattern invalidation inside a namespace; returns the number of entries removed. */
    invalidatePattern: (tenantId: string | '*', pattern: string) =>
      removeEverywhere(`${namespace(tenantId)}${pattern}`),
    clear: (tenantId: string | '*') => removeEverywhere(`${namespace(tenantId)}*`),

    /** `/cache/stats` for one tenant, or all of them (operator). */
    async stats(tenantId: string | '*') {
      const c = tenantId === '*' ? stats.total() : stats.tenant(tenantId);
      const l1Entries = l1.count(tenantId === '*' ? undefined : tenantId);
      let l2Keys: number | null = null;
      if (redis && up) {
        l2Keys = await redis.countMatching(`${namespace(tenantId)}*`).catch((err) => {
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
          l2: { ...c.l2, enabled: Boolean(redis), up: Boolean(redis) && up, keys: l2Keys },
        },
      };
    },

    async close(): Promise<void> {
      clearInterval(timer);
      await redis?.close();
    },
  };
}

export type ResponseCache = ReturnType<typeof createResponseCache>;
