import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { withDeadline, type LagMonitor } from './deadline.js';
import { decodeEntry, encodeEntry, type CacheEntry } from './entry.js';
import { CHANNEL } from './bus.js';
import { routePart, type Glob } from './glob.js';

// Redis layout (every key may be evicted: a missing key only ever causes a miss, never a stale read,
// so any maxmemory-policy is safe, allkeys-lru included):
//   cache:<tenant>:<family>:<route-key>  an entry: a guard line, a metadata line, then the body
//   cachetag:<tag>                        the tag's token, "<clock>:<random>", replaced by each invalidation
//   cacheclock                            a counter advanced by each invalidation (starts at TIME in µs)
// An entry's guard line lists the tokens its tags had when it was stored; a lookup serves it only
// while every one is unchanged, and a store is refused when one of its tags was invalidated (its
// token's clock is past the lookup's) or is missing (it may have been invalidated, then evicted).

const CLOCK = `
local function clock()
  local c = redis.call('GET', 'cacheclock')
  if not c then
    local t = redis.call('TIME')
    c = string.format('%d', tonumber(t[1]) * 1000000 + tonumber(t[2]))
    redis.call('SET', 'cacheclock', c)
  end
  return c
end
`;

// KEYS: entry, tag token keys of the request's known tags.  ARGV: random, tokenTtlMs, trustedFromClock
// Returns {entry or false, clock}. Creates missing tokens of the known tags (stamped now: a lookup
// in flight from before a lost invalidation still refuses to store).
const LOOKUP_LUA = `${CLOCK}
local c = clock()
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then redis.call('SET', KEYS[i], c .. ':' .. ARGV[1], 'PX', ARGV[2]) end
end
local raw = redis.call('GET', KEYS[1])
if raw then
  local nl = string.find(raw, '\\n', 1, true)
  local ok, g = false, nil
  if nl then ok, g = pcall(cjson.decode, string.sub(raw, 1, nl - 1)) end
  if not ok or type(g) ~= 'table' or tonumber(g.c) < tonumber(ARGV[3]) then
    raw = false
  else
    for i = 1, #g.t, 2 do
      if redis.call('GET', 'cachetag:' .. g.t[i]) ~= g.t[i + 1] then raw = false break end
    end
  end
  if not raw then redis.call('UNLINK', KEYS[1]) end
end
return {raw, c}`;

// KEYS: entry.  ARGV: lookupClock, entryTtlMs, tokenTtlMs, random, value, tag...   Returns 1 when stored.
const STORE_LUA = `${CLOCK}
local c0 = tonumber(ARGV[1])
local c = clock()
local guard = {}
local ok = true
for i = 6, #ARGV do
  local key = 'cachetag:' .. ARGV[i]
  local tok = redis.call('GET', key)
  if not tok then
    redis.call('SET', key, c .. ':' .. ARGV[4], 'PX', ARGV[3])
    ok = false
  elseif tonumber(string.sub(tok, 1, string.find(tok, ':', 1, true) - 1)) > c0 then
    ok = false
  elseif ok then
    guard[#guard + 1] = ARGV[i]
    guard[#guard + 1] = tok
    if redis.call('PTTL', key) < tonumber(ARGV[3]) then redis.call('PEXPIRE', key, ARGV[3]) end
  end
end
if not ok then return 0 end
redis.call('SET', KEYS[1], cjson.encode({c = c, t = guard}) .. '\\n' .. ARGV[5], 'PX', ARGV[2])
return 1`;

// KEYS: tag token keys.  ARGV: random, tokenTtlMs, channel ('' = none), message.
// Advances the clock, gives every tag a new token, announces it on the bus; returns the new clock.
const INVALIDATE_LUA = `${CLOCK}
clock()
local c = redis.call('INCR', 'cacheclock')
local tok = string.format('%d', c) .. ':' .. ARGV[1]
for i = 1, #KEYS do redis.call('SET', KEYS[i], tok, 'PX', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return string.format('%d', c)`;

interface ScriptedRedis extends Redis {
  cacheLookupBuffer(...args: (string | number)[]): Promise<[Buffer | null, Buffer]>;
  cacheStore(...args: (string | Buffer | number)[]): Promise<number>;
  cacheInvalidate(...args: (string | number)[]): Promise<string>;
}

export const tagKey = (tag: string) => `cachetag:${tag}`;

/** A token's life: past the longest-lived entry that may embed it. */
const TOKEN_TTL_MS = 24 * 3600_000;

/** Options of the Redis tier; every command is bounded so Redis can never hang a request. */
export interface RedisTierOptions {
  url: string;
  /** How long a command may go unanswered while this process is responsive. */
  commandTimeoutMs: number;
  lag: LagMonitor;
  onCommand?: (command: string, seconds: number) => void;
}

/** What a lookup learnt: the entry (valid for its tags) and Redis's clock, which the store must present. */
export interface RemoteLookup {
  entry: CacheEntry | undefined;
  clock: string;
}

/** The Redis connection pair (commands + subscriber) of the L2 tier and the invalidation bus. */
export function createRedisTier(opts: RedisTierOptions) {
  const common = {
    // Fail fast instead of queueing while disconnected: the cache is optional, requests are not.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: (times: number) => Math.min(100 * times, 1_000),
  };
  // No ioredis commandTimeout: its timer fires late on a busy process and rejects replies that
  // already arrived. withDeadline judges a timeout against the event loop's own lag.
  const client = new Redis(opts.url, common) as ScriptedRedis;
  // The subscriber must queue its SUBSCRIBE until connected, and re-subscribes after reconnects.
  const sub = new Redis(opts.url, { ...common, enableOfflineQueue: true, autoResubscribe: true });
  client.defineCommand('cacheLookup', { lua: LOOKUP_LUA });
  client.defineCommand('cacheStore', { lua: STORE_LUA });
  client.defineCommand('cacheInvalidate', { lua: INVALIDATE_LUA });
  const random = () => randomBytes(6).toString('base64url');

  async function timed<T>(command: string, run: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    try {
      return await withDeadline(run(), opts.commandTimeoutMs, Math.max(1_000, 20 * opts.commandTimeoutMs), opts.lag);
    } finally {
      opts.onCommand?.(command, Number(process.hrtime.bigint() - start) / 1e9);
    }
  }

  async function scan(match: string, each: (keys: string[]) => Promise<void>): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await timed('scan', () => client.scan(cursor, 'MATCH', match, 'COUNT', 1000));
      cursor = next;
      if (keys.length) await each(keys);
    } while (cursor !== '0');
  }

  return {
    client,
    sub,
    ready: () => client.status === 'ready',

    /**
     * One round trip: the entry if every token it was stored with is unchanged and it was stored
     * at or after `trustedFrom` (a clock value), and the clock a later store must present.
     */
    async lookup(key: string, tags: string[], trustedFrom: string): Promise<RemoteLookup> {
      const keys = [key, ...tags.map(tagKey)];
      const [raw, clock] = await timed('lookup', () =>
        client.cacheLookupBuffer(keys.length, ...keys, random(), TOKEN_TTL_MS, trustedFrom),
      );
      const clockText = clock.toString();
      if (!raw) return { entry: undefined, clock: clockText };
      const nl = raw.indexOf(0x0a);
      return { entry: decodeEntry(key, raw.subarray(nl + 1)), clock: clockText };
    },

    /** Stores e unless one of its tags was invalidated since the lookup that read `clock`. */
    async store(e: CacheEntry, clock: string): Promise<boolean> {
      const ttl = Math.max(1, e.staleUntil - e.storedAt);
      const stored = await timed('store', () =>
        client.cacheStore(1, e.key, clock, ttl, TOKEN_TTL_MS, random(), encodeEntry(e), ...e.tags),
      );
      return stored === 1;
    },

    /** New tokens for `tags` (their entries stop being served) and the bus message, atomically. */
    invalidate: (tags: string[], message: string) =>
      timed('invalidate', () =>
        client.cacheInvalidate(tags.length, ...tags.map(tagKey), random(), TOKEN_TTL_MS, CHANNEL, message),
      ),

    /** Advances the clock: entries stored before the returned value can be told apart. */
    tick: () => timed('invalidate', () => client.cacheInvalidate(0, random(), TOKEN_TTL_MS, '', '')),

    /** SCANs a namespace (never KEYS) and UNLINKs the keys whose route part `glob` matches; the pattern never reaches Redis. */
    async removeMatching(namespace: string, glob: Glob): Promise<number> {
      let removed = 0;
      await scan(`${namespace}*`, async (keys) => {
        const hits = keys.filter((k) => glob.matches(routePart(k)));
        if (hits.length) removed += await timed('unlink', () => client.unlink(...hits));
      });
      return removed;
    },

    /** Counts the keys of a namespace with SCAN. */
    async count(namespace: string): Promise<number> {
      let n = 0;
      await scan(`${namespace}*`, async (keys) => {
        n += keys.length;
      });
      return n;
    },

    ping: () => timed('ping', () => client.ping()),
    publish: (message: string) => timed('publish', () => client.publish(CHANNEL, message)),

    async close(): Promise<void> {
      client.disconnect();
      sub.disconnect();
    },
  };
}

export type RedisTier = ReturnType<typeof createRedisTier>;
