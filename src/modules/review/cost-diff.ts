import { isDeepStrictEqual } from 'node:util';
import type { CostComponent, CostEstimate, CostResource } from '../../engines/index.js';

type Component = CostResource['costComponents'][number];

/** A component's change: every figure is new minus past (null when either side is unpriced). */
export type CostComponentDiff = Omit<CostComponent, 'note'>;

/** A resource instance whose cost lines changed, as Infracost's `diff.resources[]`. */
export interface CostResourceDiff {
  /** The Terraform address (Infracost's `name`). */
  name: string;
  resourceType: string;
  change: 'added' | 'removed' | 'changed';
  /** New minus past. */
  hourlyCost: number;
  monthlyCost: number;
  /** The two sides' monthly cost (null on the side without the resource). */
  pastMonthlyCost: number | null;
  newMonthlyCost: number | null;
  costComponents: CostComponentDiff[];
}

/** Infracost's `diff` output, for one blueprint: past, new and diff totals and the changed resources. */
export interface CostDiff {
  currency: 'USD';
  priceTableVersion: string;
  pastTotalHourlyCost: number;
  pastTotalMonthlyCost: number;
  totalHourlyCost: number;
  totalMonthlyCost: number;
  diffTotalHourlyCost: number;
  diffTotalMonthlyCost: number;
  diff: { resources: CostResourceDiff[]; totalHourlyCost: number; totalMonthlyCost: number };
}

// The engine rounds monthly figures to the cent and hourly ones to 4 decimals; a difference of
// two such figures is rounded back to that grid so binary fractions never show (0.1 + 0.2).
const cents = (x: number) => Math.round(x * 100) / 100;
const hourly = (x: number) => Math.round(x * 10_000) / 10_000;
const fine = (x: number) => Math.round(x * 1e8) / 1e8;

/** new − past, where a side without the line counts 0 and an unpriced (null) figure makes the delta null. */
function delta(
  past: number | null | undefined,
  now: number | null | undefined,
  round: (x: number) => number,
): number | null {
  if (past === null || now === null) return null;
  return round((now ?? 0) - (past ?? 0));
}

function componentDiff(name: string, past: Component | undefined, now: Component | undefined): CostComponentDiff {
  const any = (now ?? past)!;
  return {
    name,
    unit: any.unit,
    hourlyQuantity: delta(past?.hourlyQuantity, now?.hourlyQuantity, fine),
    monthlyQuantity: delta(past?.monthlyQuantity, now?.monthlyQuantity, fine),
    price: delta(past?.price, now?.price, fine) ?? 0,
    hourlyCost: delta(past?.hourlyCost, now?.hourlyCost, hourly),
    monthlyCost: delta(past?.monthlyCost, now?.monthlyCost, cents),
  };
}

function resourceDiff(past: CostResource | undefined, now: CostResource | undefined): CostResourceDiff | undefined {
  const pastLines = past?.costComponents ?? [];
  const nowLines = now?.costComponents ?? [];
  if (isDeepStrictEqual(pastLines, nowLines)) return undefined;
  // Lines are matched by name: a size change shows as the old line removed and the new one added.
  const names = [...new Set([...nowLines.map((c) => c.name), ...pastLines.map((c) => c.name)])];
  const costComponents = names.flatMap((n) => {
    const was = pastLines.find((c) => c.name === n);
    const is = nowLines.find((c) => c.name === n);
    return isDeepStrictEqual(was, is) ? [] : [componentDiff(n, was, is)];
  });
  const any = (now ?? past)!;
  return {
    name: any.address,
    resourceType: any.type,
    change: past === undefined ? 'added' : now === undefined ? 'removed' : 'changed',
    hourlyCost: hourly((now?.hourlyCost ?? 0) - (past?.hourlyCost ?? 0)),
    monthlyCost: cents((now?.monthlyCost ?? 0) - (past?.monthlyCost ?? 0)),
    pastMonthlyCost: past?.monthlyCost ?? null,
    newMonthlyCost: now?.monthlyCost ?? null,
    costComponents,
  };
}

/** Compares two estimates resource by resource (by address); `past` null is an empty blueprint. */
export function diffCost(past: CostEstimate | null, now: CostEstimate): CostDiff {
  const before = new Map((past?.resources ?? []).map((r) => [r.address, r]));
  const after = new Map(now.resources.map((r) => [r.address, r]));
  const addresses = [...new Set([...after.keys(), ...before.keys()])].sort();
  const resources = addresses.flatMap((a) => resourceDiff(before.get(a), after.get(a)) ?? []);
  const pastHourly = past?.totalHourlyCost ?? 0;
  const pastMonthly = past?.totalMonthlyCost ?? 0;
  const diffHourly = hourly(now.totalHourlyCost - pastHourly);
  const diffMonthly = cents(now.totalMonthlyCost - pastMonthly);
  return {
    currency: 'USD',
    priceTableVersion: now.priceTableVersion,
    pastTotalHourlyCost: pastHourly,
    pastTotalMonthlyCost: pastMonthly,
    totalHourlyCost: now.totalHourlyCost,
    totalMonthlyCost: now.totalMonthlyCost,
    diffTotalHourlyCost: diffHourly,
    diffTotalMonthlyCost: diffMonthly,
    diff: { resources, totalHourlyCost: diffHourly, totalMonthlyCost: diffMonthly },
  };
}
