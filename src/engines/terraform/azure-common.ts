/** Shared pieces of the Azure emitter: resource group, naming, public IPs, default network. */
import type { PreparedResource } from '../blueprint.js';
import { EngineError, pointer } from '../errors.js';
import { cloudName, ref, resource, shared, type TfContext } from './context.js';
import { attr as a, block, raw, template, type Block, type BodyItem, type HclValue, type Raw } from './hcl.js';

/** Address of the resource group every Azure resource lands in. */
export const RG = 'azurerm_resource_group.main';

/** The `locals { tags = ... }` block carrying blueprint tags onto every taggable resource. */
export function azureLocals(ctx: TfContext): Block[] {
  const keys = Object.keys(ctx.bp.tags).sort();
  if (keys.length === 0) return [];
  return [block('locals', [], [a('tags', Object.fromEntries(keys.map((k) => [k, ctx.bp.tags[k]!])))])];
}

/** Declares the blueprint's resource group (once). */
export function group(ctx: TfContext): void {
  if (ctx.shared.has('azurerm_resource_group.main')) return; // every resource asks; build it once
  const slug =
    ctx.bp.spec.name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'blueprint';
  shared(ctx, 'resource', 'azurerm_resource_group', 'main', [
    a('name', `rg-${slug}`),
    a('location', ctx.bp.region),
    a('tags', tags(ctx)),
  ]);
}

/** `local.tags` when the blueprint has tags. */
export function tags(ctx: TfContext): HclValue | undefined {
  return Object.keys(ctx.bp.tags).length > 0 ? raw('local.tags') : undefined;
}

/** name, resource group and location: the head of almost every azurerm resource. */
export function head(ctx: TfContext, r: PreparedResource, suffix = '', max = 63): BodyItem[] {
  group(ctx);
  return [
    a('name', cloudName(r, max, suffix)),
    a('resource_group_name', raw(`${RG}.name`)),
    a('location', raw(`${RG}.location`)),
  ];
}

/** A storage account name for `r`. */
// Storage account names: 3–24 lowercase letters and digits, globally unique.
export function storageName(r: PreparedResource, suffix: string): HclValue {
  const base = (r.name.replace(/[^a-z0-9]/g, '') + suffix).padEnd(3, '0');
  return r.count === undefined ? base.slice(0, 24) : template([base.slice(0, 21), raw('count.index')]);
}

/** A Standard static public IP for `r`. */
export function publicIp(ctx: TfContext, r: PreparedResource): Block {
  return resource('azurerm_public_ip', r.name, r, [
    ...head(ctx, r, '-pip'),
    a('allocation_method', 'Static'),
    a('sku', 'Standard'),
    a('tags', tags(ctx)),
  ]);
}

// Azure has no default network, so a vm or internal load balancer without a subnet gets one.
export function subnetId(ctx: TfContext, r: PreparedResource, name: string | undefined): Raw {
  if (name) return ref(ctx, r, name, 'id');
  group(ctx);
  shared(ctx, 'resource', 'azurerm_virtual_network', 'auto_default', [
    a('name', 'vnet-default'),
    a('resource_group_name', raw(`${RG}.name`)),
    a('location', raw(`${RG}.location`)),
    a('address_space', ['10.255.0.0/16']),
  ]);
  return raw(
    shared(ctx, 'resource', 'azurerm_subnet', 'auto_default', [
      a('name', 'snet-default'),
      a('resource_group_name', raw(`${RG}.name`)),
      a('virtual_network_name', raw('azurerm_virtual_network.auto_default.name')),
      a('address_prefixes', ['10.255.0.0/24']),
    ]) + '.id',
  );
}

/** Allowed PostgreSQL flexible server storage sizes (MB). */
export const STORAGE_MB = [
  32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4193280, 4194304, 8388608, 16777216, 33553408,
];

/** Splits an Azure Redis SKU such as Standard_C1 into sku, family and capacity. */
export function redisSku(r: PreparedResource): { sku: string; family: string; capacity: number } {
  const m = /^(Basic|Standard|Premium)_([CP])([0-6])$/.exec(r.props.size as string);
  if (!m)
    throw new EngineError(
      'unknown_sku',
      `Azure cache size "${String(r.props.size)}" is not <Basic|Standard|Premium>_<C|P><0-6>`,
      pointer('resources', r.index, 'properties', 'size'),
    );
  return { sku: m[1]!, family: m[2]!, capacity: Number(m[3]) };
}

/** NSG port range syntax: "22", "80-443" or "*". */
export function portRange(from: number, to: number, protocol: string): string {
  if (protocol === 'all') return '*';
  return from === to ? String(from) : `${from}-${to}`;
}
