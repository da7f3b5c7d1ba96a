/**
 * Cost components per catalogue type and provider. Each builder returns Infracost-style
 * components for ONE instance of a resource; the estimator multiplies by instances.
 */
import type { PreparedResource } from '../blueprint.js';
import { EngineError, pointer } from '../errors.js';
import { postgresStorageMb } from '../provider-rules.js';
import { AZURE_DISK_TIERS, type PriceEntry } from './prices.js';

/** Hours in a month (docs/API.md §6). */
export const HOURS_PER_MONTH = 730;

/** One priced line of a resource. */
export interface CostComponent {
  name: string;
  unit: string;
  hourlyQuantity: number | null;
  monthlyQuantity: number | null;
  price: number;
  hourlyCost: number | null;
  monthlyCost: number | null;
  note?: string;
}

/** Usage figures for usage-based components (monthly). */
export type Usage = Record<string, number>;

/** What the blueprint tells about the traffic through one NAT gateway instance. */
export interface NatLoad {
  /** VMs and cluster nodes in the subnets it serves. */
  vms: number;
  /** Their monthly outbound data (usage `egressGb`), when every one of them gave it. */
  egressGb: number | undefined;
}

/** Rounds to the cent. */
export const round2 = (x: number): number => Math.round((x + Number.EPSILON) * 100) / 100;
/** Rounds to 4 decimals (hourly figures). */
export const round4 = (x: number): number => Math.round((x + Number.EPSILON) * 10_000) / 10_000;
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Where a price came from: a JSON Pointer, or a property of a resource (spelled out only on a miss). */
export type PricePath = string | { index: number; prop: string };

/** The JSON Pointer of a PricePath. */
export function pricePath(path: PricePath): string {
  return typeof path === 'string' ? path : pointer('resources', path.index, 'properties', path.prop);
}

/** Looks a price up or throws the EngineError the caller chose for a miss. */
export type PriceLookup = (key: string, what: string, path: PricePath) => PriceEntry;

function perHour(name: string, e: PriceEntry, qty = 1): CostComponent {
  return {
    name,
    unit: e.unit,
    hourlyQuantity: qty,
    monthlyQuantity: qty * HOURS_PER_MONTH,
    price: e.price,
    hourlyCost: round4(e.price * qty),
    monthlyCost: round2(e.price * qty * HOURS_PER_MONTH),
  };
}

function perMonth(name: string, e: PriceEntry, qty: number): CostComponent {
  return {
    name,
    unit: e.unit,
    hourlyQuantity: round6(qty / HOURS_PER_MONTH),
    monthlyQuantity: qty,
    price: e.price,
    hourlyCost: round4((e.price * qty) / HOURS_PER_MONTH),
    monthlyCost: round2(e.price * qty),
  };
}

// A usage-based line: priced when usage was given, otherwise listed with null cost, never guessed.
function usage(name: string, e: PriceEntry, qty: number | undefined, hint: string, scale = 1): CostComponent {
  if (qty === undefined) return unpriced(name, e, `usage-based: supply usage.${hint} to price it`);
  return perMonth(name, e, qty / scale);
}

// A line whose quantity is unknown: listed with its price and a note, its cost null.
function unpriced(name: string, e: PriceEntry, note: string): CostComponent {
  return {
    name,
    unit: e.unit,
    hourlyQuantity: null,
    monthlyQuantity: null,
    price: e.price,
    hourlyCost: null,
    monthlyCost: null,
    note,
  };
}

// A usage-based line that may be derived from the resources behind it instead of given.
function derived(name: string, e: PriceEntry, given: number | undefined, from: number | undefined, hint: string) {
  const c = usage(name, e, given ?? from, hint);
  if (given === undefined && from !== undefined) c.note = 'derived from usage.egressGb of the instances behind it';
  return c;
}

// AKS gives nodes premium OS disks when their size supports premium storage (an "s" after the digits).
const PREMIUM_CAPABLE = /^Standard_[A-Z]+[0-9]+[a-z]*s/;

function fnComponents(r: PreparedResource, price: PriceLookup, u: Usage): CostComponent[] {
  const gbSeconds =
    u.requests === undefined
      ? undefined
      : ((u.requests * (u.durationMs ?? 100)) / 1000) * ((r.props.memoryMb as number) / 1024);
  return [
    usage('Requests', price('fn:requests', 'function requests', ''), u.requests, 'requests', 1e6),
    usage(
      'Duration',
      price('fn:duration', 'function duration', ''),
      gbSeconds,
      'requests (and durationMs, default 100)',
    ),
  ];
}

/** Components of one instance of `r`; `price` throws unknown_sku for a missing key. */
export function components(
  provider: string,
  r: PreparedResource,
  price: PriceLookup,
  u: Usage,
  nat?: NatLoad,
): CostComponent[] {
  const p = r.props;
  // Paths are built only when a price is missing: this runs for every instance.
  const at = (prop: string): PricePath => ({ index: r.index, prop });
  const ha = p.multiAz === true ? 2 : 1;
  const haNote = p.multiAz === true ? ' (high availability ×2)' : '';
  switch (r.type) {
    case 'network':
    case 'subnet':
    case 'security_group':
      return [];
    case 'vm': {
      const out = [
        perHour(
          `Instance usage (Linux, on-demand, ${String(p.size)})`,
          price(`vm:${String(p.size)}`, `vm size "${String(p.size)}"`, at('size')),
        ),
      ];
      const disk =
        provider === 'aws'
          ? price('ebs:gp3', 'disk type "gp3"', at('diskGb'))
          : provider === 'gcp'
            ? price('pd:pd-balanced', 'disk type "pd-balanced"', at('diskGb'))
            : undefined;
      // diskGb always has a value (the image's default size when the blueprint sets none).
      if (disk) out.push(perMonth('Boot disk storage', disk, p.diskGb as number));
      else out.push(azureDisk('OS disk', 'StandardSSD_LRS', p.diskGb as number, price, at('diskGb')));
      if (p.publicIp === true)
        out.push(perHour('Public IPv4 address', price('ipv4:public', 'public IPv4', at('publicIp'))));
      return out;
    }
    case 'disk': {
      const type = String(p.diskType);
      if (provider === 'azure') return [azureDisk('Managed disk', type, p.sizeGb as number, price, at('diskType'))];
      return [
        perMonth(
          `Storage (${type})`,
          price(`${provider === 'aws' ? 'ebs' : 'pd'}:${type}`, `disk type "${type}"`, at('diskType')),
          p.sizeGb as number,
        ),
      ];
    }
    case 'bucket': {
      const key = provider === 'aws' ? 's3:standard' : provider === 'azure' ? 'blob:hot-lrs' : 'gcs:standard';
      return [usage('Storage (standard class)', price(key, 'object storage', ''), u.storageGb, 'storageGb')];
    }
    case 'database': {
      const size = String(p.size);
      const engine = String(p.engine);
      const key =
        provider === 'aws' ? `rds:${engine}:${size}` : provider === 'azure' ? `db:${engine}:${size}` : `db:${size}`;
      const storage =
        provider === 'aws' ? 'rds-storage:gp3' : provider === 'azure' ? `db-storage:${engine}` : 'db-storage:ssd';
      // Azure PostgreSQL provisions (and bills) the next allowed size up from the request.
      const gb =
        provider === 'azure' && engine === 'postgres'
          ? postgresStorageMb(p.storageGb as number) / 1024
          : (p.storageGb as number);
      const tier = gb === p.storageGb ? '' : ` (${gb} GB tier for ${String(p.storageGb)} GB)`;
      return [
        perHour(
          `Database instance (${engine}, ${size})${haNote}`,
          price(key, `${engine} database size "${size}"`, at('size')),
          ha,
        ),
        perMonth(`Storage${tier}${haNote}`, price(storage, 'database storage', at('storageGb')), gb * ha),
      ];
    }
    case 'cache': {
      const size = String(p.size);
      const nodes = p.nodes as number;
      if (provider === 'gcp') {
        const gb = Number(/^([1-9][0-9]{0,2})gb$/.exec(size)?.[1] ?? NaN);
        if (!Number.isFinite(gb))
          throw new EngineError(
            'unknown_sku',
            `GCP cache size "${size}" is not <GB>gb (e.g. 1gb)`,
            pricePath(at('size')),
          );
        const tier = gb <= 4 ? 'm1' : gb <= 10 ? 'm2' : 'm3';
        const kind = nodes > 1 ? 'standard' : 'basic';
        return [
          perHour(
            `Memorystore capacity (${kind.toUpperCase()}, ${tier.toUpperCase()})`,
            price(`cache:${kind}:${tier}`, `cache size "${size}"`, at('size')),
            gb,
          ),
        ];
      }
      // Azure prices a cache (primary + replica for Standard) as one SKU; AWS prices each node.
      return [
        perHour(
          `Cache node (${size})`,
          price(`cache:${size}`, `cache size "${size}"`, at('size')),
          provider === 'azure' ? 1 : nodes,
        ),
      ];
    }
    case 'load_balancer': {
      const kind = String(p.kind);
      if (provider === 'aws') {
        return [
          perHour(`Load balancer (${kind})`, price(`lb:${kind}`, `load balancer kind "${kind}"`, at('kind'))),
          usage(
            'Capacity units',
            price(`lcu:${kind}`, 'load balancer capacity units', at('kind')),
            u.capacityUnits === undefined ? undefined : u.capacityUnits * HOURS_PER_MONTH,
            'capacityUnits (average per hour)',
          ),
        ];
      }
      const out = [
        perHour(
          'Load balancer rules',
          price(provider === 'azure' ? 'lb:standard' : 'lb:rule', 'load balancer', at('kind')),
        ),
        usage(
          'Data processed',
          price('lb:data', 'load balancer data', at('kind')),
          u.dataProcessedGb,
          'dataProcessedGb',
        ),
      ];
      if (provider === 'azure' && p.public === true)
        out.push(perHour('Public IPv4 address', price('ipv4:public', 'public IPv4', at('public'))));
      return out;
    }
    case 'nat_gateway': {
      const data = derived(
        'Data processed',
        price('nat:data', 'NAT data', ''),
        u.dataProcessedGb,
        nat?.egressGb,
        'dataProcessedGb (or egressGb on the VMs behind it)',
      );
      if (provider === 'gcp') {
        const vms = u.vmCount ?? (nat && nat.vms > 0 ? nat.vms : undefined);
        const perVm = usage(
          'NAT gateway (per VM)',
          price('nat:vm', 'NAT gateway', ''),
          vms === undefined ? undefined : vms * HOURS_PER_MONTH,
          'vmCount',
        );
        if (u.vmCount === undefined && vms !== undefined) perVm.note = 'VMs and nodes in the subnets it serves';
        return [perVm, data];
      }
      return [
        perHour('NAT gateway', price('nat:hour', 'NAT gateway', '')),
        data,
        perHour('Public IPv4 address', price('ipv4:public', 'public IPv4', '')),
      ];
    }
    case 'kubernetes_cluster': {
      const node = String(p.nodeSize);
      const nodes = p.nodeCount as number;
      const gb = p.nodeDiskGb as number;
      const disks =
        provider === 'azure'
          ? azureDisk(
              'Node OS disks',
              PREMIUM_CAPABLE.test(node) ? 'Premium_LRS' : 'StandardSSD_LRS',
              gb,
              price,
              at('nodeDiskGb'),
              nodes,
            )
          : perMonth(
              // EKS node groups without a launch template get gp2 volumes; GKE pools pd-balanced.
              `Node disks (${provider === 'aws' ? 'gp2' : 'pd-balanced'}, ${nodes} × ${gb} GB)`,
              price(provider === 'aws' ? 'ebs:gp2' : 'pd:pd-balanced', 'node disk', at('nodeDiskGb')),
              gb * nodes,
            );
      return [
        perHour('Cluster management', price('k8s:cluster', 'kubernetes cluster', '')),
        perHour(`Nodes (${node})`, price(`vm:${node}`, `node size "${node}"`, at('nodeSize')), nodes),
        disks,
      ];
    }
    case 'function':
      return fnComponents(r, price, u);
    case 'queue':
      if (provider === 'gcp')
        return [usage('Message throughput', price('queue:throughput', 'queue', ''), u.dataGb, 'dataGb')];
      if (provider === 'azure') {
        return [
          perHour('Service Bus namespace (Standard)', price('queue:namespace', 'queue', '')),
          usage('Operations', price('queue:operations', 'queue', ''), u.requests, 'requests', 1e6),
        ];
      }
      return [
        usage(
          'Requests',
          price(p.fifo === true ? 'queue:fifo' : 'queue:standard', 'queue', at('fifo')),
          u.requests,
          'requests',
          1e6,
        ),
      ];
  }
}

function azureDisk(
  label: string,
  type: string,
  gb: number,
  price: PriceLookup,
  path: PricePath,
  disks = 1,
): CostComponent {
  const tiers = AZURE_DISK_TIERS[type];
  if (!tiers) throw new EngineError('unknown_sku', `no Azure disk type "${type}" in the price table`, pricePath(path));
  const tier = tiers.find(([, size]) => size >= gb);
  if (!tier) throw new EngineError('unknown_sku', `no ${type} tier in the price table holds ${gb} GB`, pricePath(path));
  // Managed disks are billed per disk at the tier holding their size.
  return perMonth(
    `${label} (${type} ${tier[0]}, ${tier[1]} GB${disks > 1 ? ` × ${disks}` : ''})`,
    price(`disk:${type}:${tier[0]}`, `disk tier ${tier[0]}`, path),
    disks,
  );
}
