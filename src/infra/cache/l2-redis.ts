import { Redis } from 'ioredis';
import { decodeEntry, encodeEntry, type CacheEntry } from './entry.js';

// Stores only when no invalidation of the tenant happened since the miss began (its generation
// is unchanged), so a slow miss can never write back data older than an acknowledged write.
// KEYS: entry, gen, tag...   ARGV: value, ttlMs, expectedGen
const STORE_LUA = `
local g = redis.call('GET', KEYS[2]) or '0'
if g ~= ARGV[3] then return 0 end
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < 2 * ttl then redis.call('PEXPIRE', KEYS[i], 2 * ttl) end
end
return 1`;

// Bumps the tenant generation, then removes every member of the given tag sets.
// KEYS: gen, tag...   returns the number of entries removed.
const INVALIDATE_LUA = `
redis.call('INCR', KEYS[1])
local removed = 0
for i = 2, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 500 do
    removed = removed + redis.call('UNLINK', unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('DEL', KEYS[i])
end
return removed`;

interface ScriptedRedis extends Redis {
  cacheStore(...args: (string | Buffer | number)[]): Promise<number>;
  cacheInvalidate(...args: string[]): Promise<number>;
}

export const genKey = (tenantId: string) => `cachegen:${tenantId}`;
export const tagKey = (tag: string) => `cachetag:${tag}`;

/** Options of the Redis tier; every value is bounded so Redis can never hang a request. */
export interface RedisTierOptions {
  url: string;
  commandTimeoutMs: number;
  onCommand?: (command: string, seconds: number) => void;
}

/** The Redis connection pair (commands + subscriber) of the L2 tier and invalidation bus. */
export function createRedisTier(opts: RedisTierOptions) {
  const common = {
    // Fail fast instead of queueing while disconnected: the cache is optional, requests are not.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: (times: number) => Math.min(100 * times, 1_000),
  };
  const client = new Redis(opts.url, { ...common, commandTimeout: opts.commandTimeoutMs }) as ScriptedRedis;
  // The subscriber must queue its SUBSCRIBE until connected, and re-subscribes after reconnects.
  const sub = new Redis(opts.url, { ...common, enableOfflineQueue: true, autoResubscribe: true });
  client.defineCommand('cacheStore', { lua: STORE_LUA });
  client.defineCommand('cacheInvalidate', { lua: INVALIDATE_LUA });

  async function timed<T>(command: string, run: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    try {
      return await run();
    } finally {
      opts.onCommand?.(command, Number(process.hrtime.bigint() - start) / 1e9);
    }
  }

  return {
    client,
    sub,
    ready: () => client.status === 'ready' && sub.status === 'ready',

    /** One round trip: the entry (if any) and the tenant's generation for a later conditional store. */
    async lookup(key: string, tenantId: string): Promise<{ entry: CacheEntry | undefined; gen: string }> {
      const [[, raw], [, gen]] = (await timed('get', () =>
        client.pipeline().getBuffer(key).get(genKey(tenantId)).exec(),
      )) as [[Error | null, Buffer | null], [Error | null, string | null]];
      return { entry: raw ? decodeEntry(key, raw) : undefined, gen: gen ?? '0' };
    },

    async store(e: CacheEntry, gen: string): Promise<boolean> {
      const ttl = Math.max(1, e.staleUntil - e.storedAt);
      const keys = [e.key, genKey(e.tenantId), ...e.tags.map(tagKey)];
      const stored = await timed('store', () => client.cacheStore(keys.length, ...keys, encodeEntry(e), ttl, gen));
      return stored === 1;
    },

    async invalidateTags(tenantId: string, tags: string[]): Promise<number> {
      const keys = [genKey(tenantId), ...tags.map(tagKey)];
      return timed('invalidate', () => client.cacheInvalidate(String(keys.length), ...keys));
    },

    /** SCAN (never KEYS) for a glob, UNLINKing what it finds; returns how many were removed. */
    async deleteMatching(glob: string): Promise<number> {
      let cursor = '0';
      let removed = 0;
      do {
        const [next, keys] = await timed('scan', () => client.scan(cursor, 'MATCH', glob, 'COUNT', 1000));
        cursor = next;
        if (keys.length) removed += await timed('unlink', () => client.unlink(...keys));
      } while (cursor !== '0');
      return removed;
    },

    /** Counts keys matching a glob with SCAN. */
    async countMatching(glob: string): Promise<number> {
      let cursor = '0';
      let n = 0;
      do {
        const [next, keys] = await timed('scan', () => client.scan(cursor, 'MATCH', glob, 'COUNT', 1000));
        cursor = next;
        n += keys.length;
      } while (cursor !== '0');
      return n;
    },

    async evictedKeys(): Promise<number> {
      const info = await timed('info', () => client.info('stats'));
      return Number(/evicted_keys:(\d+)/.exec(info)?.[1] ?? 0);
    },

    ping: () => timed('ping', () => client.ping()),
    publish: (channel: string, message: string) => timed('publish', () => client.publish(channel, message)),

    async close(): Promise<void> {
      client.disconnect();
      sub.disconnect();
    },
  };
}

export type RedisTier = ReturnType<typeof createRedisTier>;
