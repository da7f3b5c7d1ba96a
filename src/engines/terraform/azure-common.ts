/** Shared pieces of the Azure emitter: resource group, naming, public IPs, default network, NAT bindings. */
import type { PreparedResource } from '../blueprint.js';
import type { NatInstance } from '../network-plan.js';
import { globalName, own, perInstance, ref, resource, shared, cloudName, type TfContext } from './context.js';
import { attr as a, block, raw, type Block, type BodyItem, type HclValue, type Raw } from './hcl.js';
import { NAME_RULES } from '../names.js';

/** Address of the resource group every Azure resource lands in. */
export const RG = 'azurerm_resource_group.main';

/** The `locals { tags = ... }` block carrying blueprint tags onto every taggable resource. */
export function azureLocals(ctx: TfContext, tags: Record<string, HclValue>): Block[] {
  if (Object.keys(tags).length === 0) return [];
  return [block('locals', [], [a('tags', tags)])];
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
  return place(ctx, cloudName(r, max, suffix));
}

/** The head of a resource whose name must be unique across Azure (a DNS name or storage account). */
export function globalHead(ctx: TfContext, r: PreparedResource, part = '', storage = false): BodyItem[] {
  return place(ctx, globalName(ctx, r, storage ? NAME_RULES.azureStorage : NAME_RULES.azureHost, part));
}

function place(ctx: TfContext, name: HclValue): BodyItem[] {
  group(ctx);
  return [a('name', name), a('resource_group_name', raw(`${RG}.name`)), a('location', raw(`${RG}.location`))];
}

/** A Standard static public IP for `r`. */
export function publicIp(ctx: TfContext, r: PreparedResource): Block {
  return resource(ctx, 'azurerm_public_ip', r.name, r, [
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

export { STORAGE_MB, postgresStorageMb } from '../provider-rules.js';

/** Splits an Azure Redis SKU such as Standard_C1 into sku, family and capacity (checked by provider-rules). */
export function redisSku(size: string): { sku: string; family: string; capacity: number } {
  const m = /^(Basic|Standard|Premium)_([CP])([0-6])$/.exec(size)!;
  return { sku: m[1]!, family: m[2]!, capacity: Number(m[3]) };
}

/** NSG port range syntax: "22", "80-443" or "*". */
export function portRange(from: number, to: number, protocol: string): string {
  if (protocol === 'all') return '*';
  return from === to ? String(from) : `${from}-${to}`;
}

// Subnet instance → the NAT instance serving it, computed once per plan (not once per subnet).
const servedBy = new WeakMap<object, Map<object, NatInstance>>();

/** For each instance of subnet `s`, the NAT instance serving it (network-plan.ts), if any. */
export function natOf(ctx: TfContext, s: PreparedResource): Array<NatInstance | undefined> {
  let map = servedBy.get(ctx.bp.plan);
  if (!map) {
    map = new Map();
    for (const [name, perNat] of ctx.bp.plan.natServes) {
      const nat = ctx.bp.byName.get(name)!;
      perNat.forEach((served, index) => {
        for (const inst of served) map!.set(inst, { nat, index });
      });
    }
    servedBy.set(ctx.bp.plan, map);
  }
  return (ctx.bp.plan.subnets.get(s.name) ?? []).map((inst) => map.get(inst));
}

/** The NAT gateway associations of a subnet: every instance a NAT serves. */
export function natAssociations(ctx: TfContext, s: PreparedResource): Block[] {
  const nats = natOf(ctx, s);
  if (nats.every((n) => n === undefined)) return [];
  const type = 'azurerm_subnet_nat_gateway_association';
  if (nats.every((n) => n !== undefined))
    return [
      resource(ctx, type, s.name, s, [
        a('subnet_id', own(s, 'azurerm_subnet', s.name, 'id')),
        a('nat_gateway_id', perInstance(s, nats as NatInstance[], 'id', 'azurerm_nat_gateway')),
      ]),
    ];
  // Some copies are in a network copy without a NAT: one association per served copy.
  return nats.flatMap((n, k) =>
    n === undefined
      ? []
      : [
          block(
            'resource',
            [type, `${s.name}_${k}`],
            [
              a('subnet_id', raw(`azurerm_subnet.${s.name}[${k}].id`)),
              a(
                'nat_gateway_id',
                raw(`azurerm_nat_gateway.${n.nat.name}${n.nat.count === undefined ? '' : `[${n.index}]`}.id`),
              ),
            ],
          ),
        ],
  );
}
