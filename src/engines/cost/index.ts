/**
 * Blueprint → Infracost-shaped monthly estimate. One entry per resource instance, addressed as
 * Terraform addresses it (`aws_instance.web`, or `aws_instance.web[0]`… when `count` is set).
 * Components are rounded (monthly to the cent, hourly to 4 decimals) and every total is the sum
 * of the rounded parts, so a client adding the lines up gets the total exactly.
 */
import { prepareBlueprint, type PreparedBlueprint } from '../blueprint.js';
import { EngineError, pointer } from '../errors.js';
import type { BlueprintSpec } from '../types.js';
import { components, round2, round4, type CostComponent, type Usage } from './components.js';
import { PRICES, PRICE_TABLE_VERSION, type PriceEntry } from './prices.js';

export { HOURS_PER_MONTH, type CostComponent } from './components.js';
export { PRICES, PRICE_TABLE_VERSION, type PriceEntry } from './prices.js';

/** Options of estimateCost. */
export interface CostOptions {
  /** Price the blueprint in another region than its own. */
  region?: string;
  /** Monthly usage per resource name or instance address, e.g. { assets: { storageGb: 100 } }. */
  usage?: Record<string, Usage>;
}

/** One priced resource instance. */
export interface CostResource {
  address: string;
  name: string;
  type: string;
  blueprintType: string;
  hourlyCost: number;
  monthlyCost: number;
  costComponents: CostComponent[];
}

/** The estimate. */
export interface CostEstimate {
  currency: 'USD';
  priceTableVersion: string;
  provider: string;
  region: string;
  totalHourlyCost: number;
  totalMonthlyCost: number;
  resources: CostResource[];
}

const USAGE_KEYS = new Set([
  'storageGb',
  'requests',
  'durationMs',
  'dataProcessedGb',
  'capacityUnits',
  'vmCount',
  'dataGb',
]);

function checkUsage(usage: Record<string, Usage> | undefined): void {
  if (usage === undefined) return;
  if (typeof usage !== 'object' || usage === null || Array.isArray(usage))
    throw new EngineError('invalid_parameters', 'usage must be an object', '/usage');
  for (const [key, figures] of Object.entries(usage)) {
    if (typeof figures !== 'object' || figures === null || Array.isArray(figures))
      throw new EngineError('invalid_parameters', 'usage entries are objects', pointer('usage', key));
    for (const [k, v] of Object.entries(figures)) {
      if (!USAGE_KEYS.has(k))
        throw new EngineError(
          'invalid_parameters',
          `unknown usage figure "${k}" (known: ${[...USAGE_KEYS].join(', ')})`,
          pointer('usage', key, k),
        );
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1e15)
        throw new EngineError('invalid_parameters', 'usage figures are finite numbers ≥ 0', pointer('usage', key, k));
    }
  }
}

/** Estimates the monthly cost of a blueprint with the given parameter values. */
export function estimateCost(
  spec: BlueprintSpec,
  params?: Record<string, unknown>,
  options: CostOptions = {},
): CostEstimate {
  return estimateCostPrepared(prepareBlueprint(spec, params), options);
}

/** estimateCost for an already prepared blueprint. */
export function estimateCostPrepared(bp: PreparedBlueprint, options: CostOptions = {}): CostEstimate {
  const region = options.region ?? bp.region;
  const table = PRICES[bp.provider][region];
  if (!table) {
    const known = Object.keys(PRICES[bp.provider]).join(', ');
    throw new EngineError(
      'unknown_region',
      `no ${bp.provider} prices for region "${region}" (priced: ${known})`,
      options.region === undefined ? '/region' : '/options/region',
    );
  }
  checkUsage(options.usage);
  const price = (key: string, what: string, path: string): PriceEntry => {
    const e = table[key];
    if (!e) throw new EngineError('unknown_sku', `no ${bp.provider} ${region} price for ${what}`, path || '/region');
    return e;
  };
  const resources: CostResource[] = [];
  for (const r of bp.resources) {
    for (const address of r.instances) {
      const usage = options.usage?.[address] ?? options.usage?.[r.name] ?? {};
      const costComponents = components(bp.provider, r, price, usage);
      resources.push({
        address,
        name: r.name,
        type: r.tfType,
        blueprintType: r.type,
        hourlyCost: round4(costComponents.reduce((s, c) => s + (c.hourlyCost ?? 0), 0)),
        monthlyCost: round2(costComponents.reduce((s, c) => s + (c.monthlyCost ?? 0), 0)),
        costComponents,
      });
    }
  }
  return {
    currency: 'USD',
    priceTableVersion: PRICE_TABLE_VERSION,
    provider: bp.provider,
    region,
    totalHourlyCost: round4(resources.reduce((s, r) => s + r.hourlyCost, 0)),
    totalMonthlyCost: round2(resources.reduce((s, r) => s + r.monthlyCost, 0)),
    resources,
  };
}
