/** AWS network pieces: zones, subnet lists, route tables (internet gateway or NAT), security groups. */
import type { PreparedResource } from '../blueprint.js';
import type { NatInstance } from '../network-plan.js';
import { cloudName, own, perInstance, prop, ref, resource, shared, subnetList, type TfContext } from './context.js';
import { attr as a, BLANK, block, raw, type Block, type BodyItem, type Raw } from './hcl.js';

/** The availability zones data source's names. */
export const ZONES = 'data.aws_availability_zones.available.names';

/** Declares the availability zones data source (once). */
export function zones(ctx: TfContext): void {
  shared(ctx, 'data', 'aws_availability_zones', 'available', [a('state', 'available')]);
}

// A disk has no subnet: counted disks spread over the zones.
/** The zone of an EBS volume. */
export function diskZone(ctx: TfContext, r: PreparedResource): Raw {
  zones(ctx);
  return raw(r.count === undefined ? `${ZONES}[0]` : `${ZONES}[count.index % ${ctx.bp.plan.zones}]`);
}

/** Subnet ids of a load balancer or cluster; without explicit subnets, the default VPC's. */
export function subnetIds(ctx: TfContext, r: PreparedResource): Raw {
  const names = r.props.subnets as string[] | undefined;
  if (names && names.length > 0) return subnetList(ctx, r, names, 'id');
  const vpc = shared(ctx, 'data', 'aws_vpc', 'default', [a('default', true)]);
  return raw(
    shared(ctx, 'data', 'aws_subnets', 'default', [
      block('filter', [], [a('name', 'vpc-id'), a('values', [raw(`${vpc}.id`)])]),
    ]) + '.ids',
  );
}

/** A subnet's route table: to the internet gateway when public, through its NAT when private. */
export function routing(ctx: TfContext, r: PreparedResource): Block[] {
  const net = ctx.bp.byName.get(r.props.network as string)!;
  let route: BodyItem;
  if (r.props.public === true) {
    shared(ctx, 'resource', 'aws_internet_gateway', net.name, [
      ...(net.count === undefined ? [] : [a('count', net.count), BLANK]),
      a('vpc_id', own(net, 'aws_vpc', net.name, 'id')),
    ]);
    const igw = raw(ref(ctx, r, net.name, 'id').text.replace(/^aws_vpc\./, 'aws_internet_gateway.'));
    route = block('route', [], [a('cidr_block', '0.0.0.0/0'), a('gateway_id', igw)]);
  } else {
    const nats = ctx.bp.plan.subnets.get(r.name)!.map((i) => i.nat);
    if (nats.every((x) => x === undefined)) return []; // no NAT in its network: local routes only
    if (nats.every((x) => x !== undefined)) {
      const target = perInstance(r, nats as NatInstance[], 'id', 'aws_nat_gateway');
      route = block('route', [], [a('cidr_block', '0.0.0.0/0'), a('nat_gateway_id', target)]);
    } else {
      // Some copies sit in a network copy without a NAT: only the others get the default route.
      const each = nats.map((x) =>
        x ? `[aws_nat_gateway.${x.nat.name}${x.nat.count === undefined ? '' : `[${x.index}]`}.id]` : '[]',
      );
      route = block(
        'dynamic',
        ['route'],
        [
          a('for_each', raw(`[${each.join(', ')}][count.index]`)),
          BLANK,
          block('content', [], [a('cidr_block', '0.0.0.0/0'), a('nat_gateway_id', raw('route.value'))]),
        ],
      );
    }
  }
  return [
    resource(ctx, 'aws_route_table', r.name, r, [a('vpc_id', ref(ctx, r, net.name, 'id')), BLANK, route]),
    association(ctx, r),
  ];
}

function association(ctx: TfContext, r: PreparedResource): Block {
  return resource(ctx, 'aws_route_table_association', r.name, r, [
    a('subnet_id', own(r, 'aws_subnet', r.name, 'id')),
    a('route_table_id', own(r, 'aws_route_table', r.name, 'id')),
  ]);
}

/** A security group with its ingress rules and open egress. */
export function securityGroup(ctx: TfContext, r: PreparedResource): Block[] {
  const rules = (r.props.ingress as Array<Record<string, unknown>>).map((i, k) => {
    const all = i.protocol === 'all';
    return block(
      'ingress',
      [],
      [
        a('description', prop(ctx, r, 'ingress', k, 'description')),
        a('from_port', all ? 0 : prop(ctx, r, 'ingress', k, 'fromPort')),
        a('to_port', all ? 0 : prop(ctx, r, 'ingress', k, 'toPort')),
        a('protocol', all ? '-1' : prop(ctx, r, 'ingress', k, 'protocol')),
        a('cidr_blocks', [prop(ctx, r, 'ingress', k, 'cidr')!]),
      ],
    );
  });
  const egress = block(
    'egress',
    [],
    [a('from_port', 0), a('to_port', 0), a('protocol', '-1'), a('cidr_blocks', ['0.0.0.0/0'])],
  );
  return [
    resource(ctx, 'aws_security_group', r.name, r, [
      a('name', cloudName(r, 255)),
      a('description', prop(ctx, r, 'description')),
      a('vpc_id', r.props.network ? ref(ctx, r, r.props.network as string, 'id') : undefined),
      ...rules.flatMap((b) => [BLANK, b]),
      BLANK,
      egress,
    ]),
  ];
}
