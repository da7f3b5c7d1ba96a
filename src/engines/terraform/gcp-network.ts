/** GCP network pieces: zones, networks of subnets, firewalls with target tags, load balancers, Cloud NAT. */
import type { PreparedResource } from '../blueprint.js';
import { gcpFirewallName, gcpFirewallOfRule } from '../catalogue-mappings.js';
import { globalNameStem } from '../names.js';
import { cloudName, own, prop, ref, resource, shared, type TfContext } from './context.js';
import { attr as a, BLANK, block, raw, type Block, type BodyItem, type HclValue, type Raw } from './hcl.js';

/** The zone of a zonal resource: the first, or spread by count.index. */
export function zone(ctx: TfContext, r: PreparedResource): Raw {
  const zones = shared(ctx, 'data', 'google_compute_zones', 'available', [a('region', ctx.bp.region)]);
  return raw(r.count === undefined ? `${zones}.names[0]` : `${zones}.names[count.index % length(${zones}.names)]`);
}

/** The network of the subnet instance `r` uses, or the project's default network without a subnet. */
export function networkOf(
  ctx: TfContext,
  r: PreparedResource,
  subnet: string | undefined,
  attribute: string,
): HclValue {
  if (!subnet) return attribute === 'name' ? 'default' : defaultNetwork(ctx);
  const s = ctx.bp.byName.get(subnet)!;
  const net = ctx.bp.byName.get(s.props.network as string)!;
  if (net.count === undefined) return raw(`google_compute_network.${net.name}.${attribute}`);
  const k = s.count === undefined || r.count === undefined ? '0' : `count.index % ${s.count} % ${net.count}`;
  return raw(`google_compute_network.${net.name}[${k}].${attribute}`);
}

/** The id of the project's default network (a data source). */
export function defaultNetwork(ctx: TfContext): Raw {
  return raw(shared(ctx, 'data', 'google_compute_network', 'default', [a('name', 'default')]) + '.id');
}

/** The network tag a security group's firewalls target and its VMs carry (unique per blueprint). */
export function firewallTag(ctx: TfContext, group: string): string {
  return globalNameStem(group, ctx.bp.nameSuffix, { max: 63 });
}

/** The firewalls of a security group: one per source CIDR, targeting the group's tag. */
export function firewalls(ctx: TfContext, r: PreparedResource): Block[] {
  const rules = r.props.ingress as Array<{ protocol: string; fromPort: number; toPort: number; cidr: string }>;
  const network: BodyItem = a('network', r.props.network ? ref(ctx, r, r.props.network as string, 'name') : 'default');
  const target = a('target_tags', [firewallTag(ctx, r.name)]);
  if (rules.length === 0) {
    return [
      resource(ctx, 'google_compute_firewall', r.name, r, [
        a('name', cloudName(r)),
        network,
        a('direction', 'INGRESS'),
        a('priority', 65534),
        a('source_ranges', ['0.0.0.0/0']),
        target,
        BLANK,
        block('deny', [], [a('protocol', 'all')]),
      ]),
    ];
  }
  // A firewall has one set of source ranges, so rules are grouped by CIDR, one firewall per CIDR.
  const groups: number[][] = [];
  gcpFirewallOfRule(rules).forEach((g, k) => (groups[g] ??= []).push(k));
  return groups.map((group, g) =>
    resource(ctx, 'google_compute_firewall', gcpFirewallName(r.name, g), r, [
      a('name', cloudName(r, 63, g === 0 ? '' : `-${g + 1}`)),
      network,
      a('direction', 'INGRESS'),
      a('source_ranges', [prop(ctx, r, 'ingress', group[0]!, 'cidr')!]),
      target,
      ...group.flatMap((k) => {
        const rule = rules[k]!;
        const ports =
          rule.protocol === 'tcp' || rule.protocol === 'udp'
            ? [rule.fromPort === rule.toPort ? String(rule.fromPort) : `${rule.fromPort}-${rule.toPort}`]
            : undefined;
        return [BLANK, block('allow', [], [a('protocol', rule.protocol), a('ports', ports)])];
      }),
    ]),
  );
}

/** A regional TCP load balancer: health check, backend service, forwarding rule. */
export function loadBalancer(ctx: TfContext, r: PreparedResource): Block[] {
  const n = r.name;
  const scheme = r.props.public === true ? 'EXTERNAL' : 'INTERNAL';
  const subnet = (r.props.subnets as string[] | undefined)?.[0];
  return [
    resource(ctx, 'google_compute_region_health_check', n, r, [
      a('name', cloudName(r, 63, '-hc')),
      a('region', ctx.bp.region),
      BLANK,
      block('tcp_health_check', [], [a('port', 80)]),
    ]),
    resource(ctx, 'google_compute_region_backend_service', n, r, [
      a('name', cloudName(r)),
      a('region', ctx.bp.region),
      a('protocol', 'TCP'),
      a('load_balancing_scheme', scheme),
      a('health_checks', raw(`[${own(r, 'google_compute_region_health_check', n, 'id').text}]`)),
    ]),
    resource(ctx, 'google_compute_forwarding_rule', n, r, [
      a('name', cloudName(r)),
      a('region', ctx.bp.region),
      a('load_balancing_scheme', scheme),
      a('backend_service', own(r, 'google_compute_region_backend_service', n, 'id')),
      a('all_ports', true),
      a('network', scheme === 'INTERNAL' ? networkOf(ctx, r, subnet, 'id') : undefined),
      a('subnetwork', scheme === 'INTERNAL' && subnet ? ref(ctx, r, subnet, 'id') : undefined),
    ]),
  ];
}

/** A Cloud NAT (and its router) serving the subnets the plan gives it (its network's private subnets). */
export function nat(ctx: TfContext, r: PreparedResource): Block[] {
  const n = r.name;
  const served = ctx.bp.plan.natServes.get(n) ?? [];
  const id = (i: { subnet: PreparedResource; index: number }) =>
    `google_compute_subnetwork.${i.subnet.name}${i.subnet.count === undefined ? '' : `[${i.index}]`}.id`;
  const subnetBlock = (name: HclValue) =>
    block('subnetwork', [], [a('name', name), a('source_ip_ranges_to_nat', ['ALL_IP_RANGES'])]);
  const blocks =
    r.count === undefined
      ? (served[0] ?? []).flatMap((i) => [BLANK, subnetBlock(raw(id(i)))])
      : [
          BLANK,
          block(
            'dynamic',
            ['subnetwork'],
            [
              a('for_each', raw(`[${served.map((list) => `[${list.map(id).join(', ')}]`).join(', ')}][count.index]`)),
              BLANK,
              block(
                'content',
                [],
                [a('name', raw('subnetwork.value')), a('source_ip_ranges_to_nat', ['ALL_IP_RANGES'])],
              ),
            ],
          ),
        ];
  return [
    resource(ctx, 'google_compute_router', n, r, [
      a('name', cloudName(r)),
      a('region', ctx.bp.region),
      a('network', networkOf(ctx, r, r.props.subnet as string, 'id')),
    ]),
    resource(ctx, 'google_compute_router_nat', n, r, [
      a('name', cloudName(r)),
      a('router', own(r, 'google_compute_router', n, 'name')),
      a('region', ctx.bp.region),
      a('nat_ip_allocate_option', 'AUTO_ONLY'),
      a('source_subnetwork_ip_ranges_to_nat', 'LIST_OF_SUBNETWORKS'),
      ...blocks,
    ]),
  ];
}
