/**
 * Blueprint → Infracost-shaped monthly estimate. One entry per resource instance, addressed as
 * Terraform addresses it (`aws_instance.web`, or `aws_instance.web[0]`… when `count` is set).
 * Components are rounded (monthly to the cent, hourly to 4 decimals) and every total is the sum
 * of the rounded parts, so a client adding the lines up gets the total exactly.
 */
import { prepareBlueprint, type PreparedBlueprint, type PreparedResource } from '../blueprint.js';
import { EngineError, pointer } from '../errors.js';
import type { BlueprintSpec } from '../types.js';
import { pairedIndex, subnetInstancesFor } from '../network-plan.js';
import {
  components,
  pricePath,
  round2,
  round4,
  type CostComponent,
  type NatLoad,
  type PricePath,
  type Usage,
} from './components.js';
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
  'egressGb',
]);

// The VMs and cluster nodes behind each NAT gateway instance (by address), from the network plan.
function natLoads(bp: PreparedBlueprint, usage: Record<string, Usage> | undefined): Map<string, NatLoad> {
  const loads = new Map<string, NatLoad>();
  if (!bp.resources.some((r) => r.type === 'nat_gateway')) return loads;
  const add = (nat: { nat: { instances: string[] }; index: number }, vms: number, egress: number | undefined) => {
    const address = nat.nat.instances[nat.index]!;
    const load = loads.get(address) ?? { vms: 0, egressGb: 0 };
    load.vms += vms;
    load.egressGb = load.egressGb === undefined || egress === undefined ? undefined : load.egressGb + egress;
    loads.set(address, load);
  };
  const egressOf = (r: PreparedResource, i: number) => (usage?.[r.instances[i]!] ?? usage?.[r.name])?.egressGb;
  for (const r of bp.resources) {
    for (let i = 0; i < (r.count ?? 1); i++) {
      if (r.type === 'vm' && typeof r.props.subnet === 'string') {
        const subnet = bp.byName.get(r.props.subnet)!;
        const nat = bp.plan.subnets.get(subnet.name)?.[pairedIndex(r, i, subnet)]?.nat;
        if (nat) add(nat, 1, egressOf(r, i));
      } else if (r.type === 'kubernetes_cluster') {
        const nat = subnetInstancesFor(bp.plan, r, i, bp.byName).find((s) => s.nat)?.nat;
        if (nat) add(nat, r.props.nodeCount as number, egressOf(r, i));
      }
    }
  }
  return loads;
}

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
  const price = (key: string, what: string, path: PricePath): PriceEntry => {
    const e = table[key];
    if (!e)
      throw new EngineError(
        'unknown_sku',
        `no ${bp.provider} ${region} price for ${what}`,
        pricePath(path) || '/region',
      );
    return e;
  };
  const resources: CostResource[] = [];
  const loads = natLoads(bp, options.usage);
  for (const r of bp.resources) {
    // Instances priced alike share their component list (it is never mutated): only usage given
    // per instance and NAT loads make one instance differ from another.
    let alike: CostComponent[] | undefined;
    for (const address of r.instances) {
      const usage = options.usage?.[address] ?? options.usage?.[r.name] ?? {};
      const own = options.usage?.[address] !== undefined || r.type === 'nat_gateway';
      const costComponents = !own && alike ? alike : components(bp.provider, r, price, usage, loads.get(address));
      if (!own) alike = costComponents;
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
