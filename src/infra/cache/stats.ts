/** Exact per-tenant counters of the response cache. */
export interface Counters {
  hits: number;
  misses: number;
  stale: number;
  bypass: number;
  evictions: number;
  /** `fastPath`: the L1 hits answered before routing (src/infra/http/fast-hits.ts). */
  l1: { hits: number; misses: number; fastPath: number };
  l2: { hits: number; misses: number };
}

export type Outcome = 'l1-hit' | 'l1-fast-hit' | 'l2-hit' | 'miss' | 'stale' | 'bypass';

const zero = (): Counters => ({
  hits: 0,
  misses: 0,
  stale: 0,
  bypass: 0,
  evictions: 0,
  l1: { hits: 0, misses: 0, fastPath: 0 },
  l2: { hits: 0, misses: 0 },
});

/** Counts outcomes per tenant; `total()` sums every tenant (the operator's view). */
export function createStats(l2Enabled: boolean) {
  const byTenant = new Map<string, Counters>();
  const of = (t: string) => {
    let c = byTenant.get(t);
    if (!c) byTenant.set(t, (c = zero()));
    return c;
  };
  return {
    record(tenantId: string, outcome: Outcome): void {
      const c = of(tenantId);
      switch (outcome) {
        case 'l1-hit':
        case 'l1-fast-hit':
          c.hits++;
          c.l1.hits++;
          if (outcome === 'l1-fast-hit') c.l1.fastPath++;
          break;
        case 'l2-hit':
          c.hits++;
          c.l1.misses++;
          c.l2.hits++;
          break;
        case 'miss':
          c.misses++;
          c.l1.misses++;
          if (l2Enabled) c.l2.misses++;
          break;
        case 'stale':
          c.stale++;
          break;
        case 'bypass':
          c.bypass++;
          break;
      }
    },
    evicted(tenantId: string): void {
      of(tenantId).evictions++;
    },
    tenant: (tenantId: string): Counters => structuredClone(byTenant.get(tenantId) ?? zero()),
    total(): Counters {
      const t = zero();
      for (const c of byTenant.values()) {
        t.hits += c.hits;
        t.misses += c.misses;
        t.stale += c.stale;
        t.bypass += c.bypass;
        t.evictions += c.evictions;
        t.l1.hits += c.l1.hits;
        t.l1.misses += c.l1.misses;
        t.l1.fastPath += c.l1.fastPath;
        t.l2.hits += c.l2.hits;
        t.l2.misses += c.l2.misses;
      }
      return t;
    },
  };
}

/** 100 × (hits + stale) / (hits + stale + misses), two decimals; bypasses count in neither. */
export function hitRate(c: Pick<Counters, 'hits' | 'stale' | 'misses'>): number {
  const served = c.hits + c.stale;
  const total = served + c.misses;
  return total === 0 ? 0 : Math.round((10_000 * served) / total) / 100;
}
