import { entrySize, type CacheEntry } from './entry.js';
import { routePart, type Glob } from './glob.js';

// Past this many remembered invalidation stamps the oldest are folded into one floor.
const MAX_STAMPS = 100_000;
// Keys matched per turn of the event loop by a pattern invalidation.
const MATCH_SLICE = 2_000;

/**
 * The in-process tier: an LRU bounded by bytes (Map insertion order is the recency order), with
 * tag and tenant indexes so an invalidation touches only the entries it names, and per-tag
 * guards: each invalidation stamps its tags with a new value of a local clock, and a store is
 * refused when one of the entry's tags was stamped after the lookup began (`begin()`), so a slow
 * miss never writes back data older than a write acknowledged meanwhile, and a write to one
 * resource never refuses another's.
 */
export function createL1(maxBytes: number, onEvict: (e: CacheEntry) => void) {
  const entries = new Map<string, CacheEntry>();
  const byTag = new Map<string, Set<string>>();
  const byTenant = new Map<string, Set<string>>();
  let bytes = 0;
  let stored = 0;
  // The most recently used key: touching it again would not change the order.
  let mru: string | undefined;
  // Guards: tag → clock value of its last invalidation; tags dropped from the map count as `floor`.
  let clock = 0;
  let floor = 0;
  const stamps = new Map<string, number>();

  const index = (map: Map<string, Set<string>>, name: string, key: string) => {
    let set = map.get(name);
    if (!set) map.set(name, (set = new Set()));
    set.add(key);
  };
  const unindex = (map: Map<string, Set<string>>, name: string, key: string) => {
    const set = map.get(name);
    set?.delete(key);
    if (set?.size === 0) map.delete(name);
  };

  function remove(key: string): CacheEntry | undefined {
    const e = entries.get(key);
    if (!e) return undefined;
    entries.delete(key);
    bytes -= entrySize(e);
    for (const t of e.tags) unindex(byTag, t, key);
    unindex(byTenant, e.tenantId, key);
    if (mru === key) mru = undefined;
    return e;
  }

  function stamp(tags: Iterable<string>, value: number): void {
    for (const t of tags) {
      stamps.delete(t); // re-inserted last: the map stays ordered by stamp
      stamps.set(t, value);
    }
    for (const [oldest, s] of stamps) {
      if (stamps.size <= MAX_STAMPS) break;
      floor = Math.max(floor, s);
      stamps.delete(oldest);
    }
  }

  /** True when none of `tags` was invalidated after `since` (a value of begin()). */
  const unchangedSince = (tags: readonly string[], since: number) =>
    tags.every((t) => (stamps.get(t) ?? floor) <= since);

  return {
    /** The stamp a lookup starts with; present it to set() and unchangedSince(). */
    begin: (): number => clock,
    unchangedSince,

    /** The entry for key while it may be served (fresh or stale), refreshing its recency. */
    get(key: string, now: number): CacheEntry | undefined {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.staleUntil <= now) {
        remove(key);
        return undefined;
      }
      if (key !== mru) {
        entries.delete(key);
        entries.set(key, e);
        mru = key;
      }
      return e;
    },

    /** Stores e unless one of its tags was invalidated since `since`; false when refused. */
    set(e: CacheEntry, since: number): boolean {
      const size = entrySize(e);
      if (size > maxBytes || !unchangedSince(e.tags, since)) return false;
      remove(e.key);
      e.seq = ++stored;
      entries.set(e.key, e);
      mru = e.key;
      bytes += size;
      for (const t of e.tags) index(byTag, t, e.key);
      index(byTenant, e.tenantId, e.key);
      for (const [oldest, victim] of entries) {
        if (bytes <= maxBytes) break;
        remove(oldest);
        onEvict(victim);
      }
      return true;
    },

    /** Stamps tags (refusing stores begun before) and drops every entry carrying one; returns those. */
    invalidateTags(tags: string[]): CacheEntry[] {
      stamp(tags, ++clock);
      const dropped: CacheEntry[] = [];
      for (const t of tags) {
        for (const k of [...(byTag.get(t) ?? [])]) {
          const e = remove(k);
          if (e) dropped.push(e);
        }
      }
      return dropped;
    },

    /** Drops the entries of a tenant (or all: '*') whose `<family>:<route-key>` matches, a slice per event-loop turn. */
    async removeMatching(tenantId: string | '*', glob: Glob): Promise<number> {
      const keys = [...(tenantId === '*' ? entries.keys() : (byTenant.get(tenantId) ?? []))];
      let removed = 0;
      for (let i = 0; i < keys.length; i += MATCH_SLICE) {
        if (i > 0) await new Promise((r) => setImmediate(r));
        for (const k of keys.slice(i, i + MATCH_SLICE)) if (glob.matches(routePart(k)) && remove(k)) removed++;
      }
      return removed;
    },

    /** Forgets every entry and refuses every store begun before (invalidations may have been missed). */
    forgetAll(): void {
      entries.clear();
      byTag.clear();
      byTenant.clear();
      bytes = 0;
      mru = undefined;
      stamps.clear();
      floor = ++clock;
    },

    /** Counts entries, optionally of one tenant. */
    count: (tenantId?: string): number => (tenantId === undefined ? entries.size : (byTenant.get(tenantId)?.size ?? 0)),

    /** The bytes held. */
    get bytes(): number {
      return bytes;
    },
  };
}

export type L1 = ReturnType<typeof createL1>;
