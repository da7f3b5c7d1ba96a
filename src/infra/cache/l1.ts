import { entrySize, type CacheEntry } from './entry.js';

/**
 * The in-process tier: an LRU bounded by bytes (Map insertion order is the recency order),
 * with a tag index so an invalidation touches only the entries it names.
 */
export function createL1(maxBytes: number, onEvict: (e: CacheEntry) => void) {
  const entries = new Map<string, CacheEntry>();
  const byTag = new Map<string, Set<string>>();
  let bytes = 0;
  let stored = 0;
  // The most recently used key: touching it again would not change the order.
  let mru: string | undefined;

  function remove(key: string): boolean {
    const e = entries.get(key);
    if (!e) return false;
    entries.delete(key);
    bytes -= entrySize(e);
    for (const t of e.tags) {
      const set = byTag.get(t);
      set?.delete(key);
      if (set?.size === 0) byTag.delete(t);
    }
    return true;
  }

  return {
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

    set(e: CacheEntry): void {
      const size = entrySize(e);
      if (size > maxBytes) return;
      remove(e.key);
      e.seq = ++stored;
      entries.set(e.key, e);
      mru = e.key;
      bytes += size;
      for (const t of e.tags) {
        let set = byTag.get(t);
        if (!set) byTag.set(t, (set = new Set()));
        set.add(e.key);
      }
      for (const [oldest, victim] of entries) {
        if (bytes <= maxBytes) break;
        remove(oldest);
        onEvict(victim);
      }
    },

    /** Drops every entry carrying one of tags; returns their keys. */
    invalidateTags(tags: string[]): string[] {
      const keys = tags.flatMap((t) => [...(byTag.get(t) ?? [])]);
      for (const k of keys) remove(k);
      return keys;
    },

    /** Drops every entry whose key matches; returns their keys. */
    invalidateMatching(match: RegExp): string[] {
      const keys = [...entries.keys()].filter((k) => match.test(k));
      for (const k of keys) remove(k);
      return keys;
    },

    /** Counts entries, optionally of one tenant. */
    count(tenantId?: string): number {
      if (tenantId === undefined) return entries.size;
      let n = 0;
      for (const e of entries.values()) if (e.tenantId === tenantId) n++;
      return n;
    },

    clear(): void {
      entries.clear();
      byTag.clear();
      bytes = 0;
    },

    get bytes(): number {
      return bytes;
    },
  };
}

export type L1 = ReturnType<typeof createL1>;
