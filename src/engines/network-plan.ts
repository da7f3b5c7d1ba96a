/**
 * The network plan: the CIDR, availability zone and NAT route of every instance of every network
 * and subnet, computed once per blueprint so that the Terraform and CloudFormation generators, the
 * cost engine and the checks agree. Rules (docs/ENGINES.md "Networks"):
 * - instance k of a resource referring to a counted target uses target instance k mod its count
 *   (an uncounted resource uses instance 0); a subnet instance k of a counted network lives in
 *   network instance k mod the network's count;
 * - a counted network's instances split its CIDR; each subnet keeps its place inside every copy,
 *   and a counted subnet's instances in one network split the subnet's CIDR;
 * - on AWS the t-th instance of the n-th subnet of a network is in zone (n + t) mod Z, Z the
 *   region's usable zones, so two subnets, or a subnet with count 2, span two zones;
 * - every private subnet instance routes 0.0.0.0/0 through a NAT of its network instance, the one
 *   in its own zone when there is one.
 */
import type { PreparedResource } from './blueprint.js';
import { networkName, referenced } from './blueprint-checks.js';
import { bitsFor, cidrSubnet, contains, formatCidr, networkOf, overlaps, parseCidr, type Cidr } from './cidr.js';
import { pointer, type IssueSink } from './errors.js';
import { prefixRange } from './provider-rules.js';
import { zoneCount } from './regions.js';
import type { Provider } from './types.js';

/** A NAT gateway instance. */
export interface NatInstance {
  nat: PreparedResource;
  index: number;
}

/** One instance of a subnet. */
export interface SubnetInstance {
  subnet: PreparedResource;
  index: number;
  /** The instance of the subnet's network it lives in. */
  network: number;
  /** Availability zone index (AWS), already reduced modulo the region's zone count. */
  zone: number;
  /** Its CIDR, when the blueprint's CIDRs are known. */
  cidr: string | undefined;
  /** The NAT its default route goes through (private subnets of a network with a NAT). */
  nat: NatInstance | undefined;
}

/** The plan of a blueprint. */
export interface NetworkPlan {
  /** Zones the AWS generators spread over. */
  zones: number;
  /** Network name → the CIDR of each instance (undefined when not known). */
  networks: Map<string, Array<string | undefined>>;
  /** Network name → bits added to its CIDR to number its instances. */
  networkBits: Map<string, number>;
  /** Subnet name → its instances. */
  subnets: Map<string, SubnetInstance[]>;
  /** Subnet name → its position among its network's subnets. */
  ordinals: Map<string, number>;
  /** NAT name → for each of its instances, the subnet instances it serves. */
  natServes: Map<string, SubnetInstance[][]>;
}

/** The instance of `target` that instance `i` of `from` refers to. */
export function pairedIndex(from: PreparedResource, i: number, target: PreparedResource): number {
  return target.count === undefined || from.count === undefined ? 0 : i % target.count;
}

/** The network instance an instance of a network-bound resource (subnet, security group) lives in. */
export function networkInstance(r: PreparedResource, i: number, network: PreparedResource | undefined): number {
  return network?.count === undefined || r.count === undefined ? 0 : i % network.count;
}

const known = (r: PreparedResource, key: string) => r.props[key] !== undefined && !r.unknown.has(key);
const at = (r: PreparedResource, key: string) => pointer('resources', r.index, 'properties', key);

function checkBlock(provider: Provider, r: PreparedResource, sink: IssueSink): Cidr | undefined {
  if (!known(r, 'cidr')) return undefined;
  const c = parseCidr(r.props.cidr as string);
  const range = prefixRange(provider, r.type as 'network' | 'subnet');
  const aligned = networkOf(c);
  if (aligned.base !== c.base) {
    sink.add(
      'invalid_property',
      `${formatCidr(c)} is not a network address (did you mean ${formatCidr(aligned)}?)`,
      at(r, 'cidr'),
    );
    return undefined;
  }
  if (c.prefix < range.min || c.prefix > range.max) {
    sink.add(
      'invalid_property',
      `a ${provider} ${r.type} CIDR is /${range.min} to /${range.max}, got /${c.prefix}`,
      at(r, 'cidr'),
    );
    return undefined;
  }
  return c;
}

/** Computes the plan and reports CIDRs that do not fit, overlap or cannot be split. */
export function planNetworks(
  provider: Provider,
  region: string,
  resources: PreparedResource[],
  byName: ReadonlyMap<string, PreparedResource>,
  sink: IssueSink,
): NetworkPlan {
  const plan: NetworkPlan = {
    zones: zoneCount(region),
    networks: new Map(),
    networkBits: new Map(),
    subnets: new Map(),
    ordinals: new Map(),
    natServes: new Map(),
  };
  const declared = new Map<string, Cidr | undefined>();
  for (const n of resources.filter((r) => r.type === 'network')) {
    const c = checkBlock(provider, n, sink);
    declared.set(n.name, c);
    const bits = bitsFor(n.count ?? 1);
    plan.networkBits.set(n.name, bits);
    const max = prefixRange(provider, 'network').max;
    if (c && c.prefix + bits > max)
      sink.add(
        'invalid_property',
        `${formatCidr(c)} cannot be split into ${n.count} networks of at most /${max}`,
        pointer('resources', n.index, 'count'),
      );
    const cidrs = Array.from({ length: n.count ?? 1 }, (_, j) => {
      const inst = c && cidrSubnet(c, bits, j);
      return inst ? formatCidr(inst) : undefined;
    });
    plan.networks.set(n.name, cidrs);
  }
  planSubnets(provider, resources, byName, declared, plan, sink);
  planNats(provider, resources, byName, plan, sink);
  checkZones(provider, resources, byName, plan, sink);
  return plan;
}

function planSubnets(
  provider: Provider,
  resources: PreparedResource[],
  byName: ReadonlyMap<string, PreparedResource>,
  declared: Map<string, Cidr | undefined>,
  plan: NetworkPlan,
  sink: IssueSink,
): void {
  const maxPrefix = prefixRange(provider, 'subnet').max;
  const siblings = new Map<string, Array<{ c: Cidr; s: PreparedResource }>>();
  const ordinals = new Map<string, number>();
  for (const s of resources) {
    if (s.type !== 'subnet' || !known(s, 'network')) continue;
    const net = byName.get(s.props.network as string);
    if (!net || net.type !== 'network') continue;
    const ordinal = ordinals.get(net.name) ?? 0;
    ordinals.set(net.name, ordinal + 1);
    plan.ordinals.set(s.name, ordinal);
    const outer = declared.get(net.name);
    let c = checkBlock(provider, s, sink);
    if (c && outer && !contains(outer, c)) {
      sink.add(
        'invalid_property',
        `${formatCidr(c)} is outside network "${net.name}" (${formatCidr(outer)})`,
        at(s, 'cidr'),
      );
      c = undefined;
    }
    if (c) {
      const list = siblings.get(net.name) ?? [];
      const clash = list.find((x) => overlaps(x.c, c!));
      if (clash)
        sink.add(
          'invalid_property',
          `${formatCidr(c)} overlaps subnet "${clash.s.name}" (${formatCidr(clash.c)})`,
          at(s, 'cidr'),
        );
      list.push({ c, s });
      siblings.set(net.name, list);
    }
    const count = s.count ?? 1;
    const bits = bitsFor(s.count === undefined ? 1 : Math.ceil(count / (net.count ?? 1)));
    const netBits = plan.networkBits.get(net.name) ?? 0;
    if (c && c.prefix + netBits + bits > maxPrefix)
      sink.add(
        'invalid_property',
        `${formatCidr(c)} cannot be split into ${count} subnets of at most /${maxPrefix}` +
          (net.count ? ` across ${net.count} networks` : ''),
        s.count === undefined ? at(s, 'cidr') : pointer('resources', s.index, 'count'),
      );
    // Without the network's CIDR a subnet can still be split, unless the network is counted.
    const within = outer ?? (net.count === undefined ? c : undefined);
    const instances: SubnetInstance[] = [];
    for (let k = 0; k < count; k++) {
      const network = networkInstance(s, k, net);
      const t = net.count === undefined || s.count === undefined ? k : Math.floor(k / net.count);
      instances.push({
        subnet: s,
        index: k,
        network,
        zone: (ordinal + t) % plan.zones,
        cidr: c && within ? instanceCidr(within, c, netBits, network, bits, t) : undefined,
        nat: undefined,
      });
    }
    plan.subnets.set(s.name, instances);
  }
}

// Subnet `s` (declared inside `outer`) moved into network instance j, then its t-th slice.
function instanceCidr(outer: Cidr, s: Cidr, netBits: number, j: number, bits: number, t: number): string | undefined {
  const net = cidrSubnet(outer, netBits, j);
  const offset = (s.base - outer.base) / 2 ** (32 - s.prefix);
  const moved = net && cidrSubnet(net, s.prefix - outer.prefix, offset);
  const slice = moved && cidrSubnet(moved, bits, t);
  return slice ? formatCidr(slice) : undefined;
}

/** The subnet instances instance i of a resource with `subnets` uses (those in one network instance). */
export function subnetInstancesFor(
  plan: NetworkPlan,
  r: PreparedResource,
  i: number,
  byName: ReadonlyMap<string, PreparedResource>,
): SubnetInstance[] {
  const out: SubnetInstance[] = [];
  for (const name of referenced(r, 'subnets')) {
    const instances = plan.subnets.get(name) ?? [];
    const net = byName.get(byName.get(name)!.props.network as string);
    const j = net?.count === undefined || r.count === undefined ? 0 : i % net.count;
    for (const inst of instances) if (net?.count === undefined || inst.network === j) out.push(inst);
  }
  return out;
}

function planNats(
  provider: Provider,
  resources: PreparedResource[],
  byName: ReadonlyMap<string, PreparedResource>,
  plan: NetworkPlan,
  sink: IssueSink,
): void {
  // NAT instances by network name and network instance, with the subnet instance each sits in.
  const byNetwork = new Map<string, Array<{ nat: NatInstance; home: SubnetInstance }>>();
  for (const x of resources) {
    if (x.type !== 'nat_gateway' || !known(x, 'subnet')) continue;
    const home = byName.get(x.props.subnet as string);
    const homes = home && plan.subnets.get(home.name);
    if (!home || !homes) continue;
    if (provider === 'aws' && known(home, 'public') && home.props.public !== true)
      sink.add(
        'invalid_reference',
        `a NAT gateway reaches the internet through its subnet's internet gateway: subnet "${home.name}" must be public`,
        at(x, 'subnet'),
      );
    plan.natServes.set(
      x.name,
      Array.from({ length: x.count ?? 1 }, () => []),
    );
    for (let q = 0; q < (x.count ?? 1); q++) {
      const inst = homes[pairedIndex(x, q, home)]!;
      const key = `${home.props.network as string}#${inst.network}`;
      const list = byNetwork.get(key) ?? [];
      list.push({ nat: { nat: x, index: q }, home: inst });
      byNetwork.set(key, list);
    }
  }
  if (byNetwork.size === 0) return;
  // The first NAT of each network copy and zone: one lookup per subnet instance, whatever the counts.
  const inZone = new Map<string, { nat: NatInstance; home: SubnetInstance }>();
  for (const [key, nats] of byNetwork)
    for (const n of nats) if (!inZone.has(`${key}@${n.home.zone}`)) inZone.set(`${key}@${n.home.zone}`, n);
  for (const [name, instances] of plan.subnets) {
    const s = byName.get(name)!;
    if (!known(s, 'public') || s.props.public === true) continue;
    for (const inst of instances) {
      const key = `${s.props.network as string}#${inst.network}`;
      const nats = byNetwork.get(key);
      if (!nats) continue;
      const chosen = inZone.get(`${key}@${inst.zone}`) ?? nats[0]!;
      inst.nat = chosen.nat;
      plan.natServes.get(chosen.nat.nat.name)![chosen.nat.index]!.push(inst);
    }
  }
  // Azure and GCP attach a NAT to the subnets it serves (one NAT per subnet): a NAT that serves
  // none keeps its own subnet, unless another NAT already took it.
  if (provider === 'aws') return;
  const taken = new Set<SubnetInstance>();
  for (const nats of byNetwork.values())
    for (const { nat, home } of nats) {
      const served = plan.natServes.get(nat.nat.name)![nat.index]!;
      if (served.length > 0) continue;
      if (home.nat === undefined && !taken.has(home)) {
        served.push(home);
        taken.add(home);
      } else if (provider === 'gcp')
        sink.add(
          'invalid_reference',
          `NAT gateway "${nat.nat.name}" would serve no subnet: every subnet it could serve has another NAT`,
          at(nat.nat, 'subnet'),
        );
    }
}

// What needs subnets in two availability zones on AWS (CloudFormation and the APIs refuse less).
function needsTwoZones(r: PreparedResource): string | undefined {
  if (r.type === 'load_balancer' && r.props.kind === 'application') return 'an application load balancer';
  if (r.type === 'database') return 'a database subnet group';
  if (r.type === 'kubernetes_cluster') return 'an EKS cluster';
  return undefined;
}

function checkZones(
  provider: Provider,
  resources: PreparedResource[],
  byName: ReadonlyMap<string, PreparedResource>,
  plan: NetworkPlan,
  sink: IssueSink,
): void {
  for (const r of resources) {
    if (r.type === 'vm') checkGroupCopies(provider, r, byName, plan, sink);
    if (!known(r, 'subnets') || (r.props.subnets as string[]).length === 0) continue;
    const what = provider === 'aws' ? needsTwoZones(r) : undefined;
    // Instance i uses network copy i mod count(network): checking one instance per copy is enough.
    const first = byName.get((r.props.subnets as string[])[0]!);
    const net = first && byName.get(first.props.network as string);
    const copies = Math.min(r.count ?? 1, net?.count ?? 1);
    for (let i = 0; i < copies; i++) {
      const used = subnetInstancesFor(plan, r, i, byName);
      if (used.length === 0) {
        sink.add(
          'invalid_reference',
          `copy ${i} of ${r.type} "${r.name}" uses a copy of the network that holds none of its subnets: ` +
            `give the subnets a count that is a multiple of the network's`,
          at(r, 'subnets'),
        );
        break;
      }
      if (provider !== 'aws') continue;
      if (what && used.length > 0 && new Set(used.map((u) => u.zone)).size < 2) {
        const names = referenced(r, 'subnets');
        sink.add(
          'invalid_reference',
          `${what} needs subnets in two availability zones: list a second subnet of ${networkLabel(names[0]!, byName)}, ` +
            `or give subnet "${names[0]}" a count of 2`,
          at(r, 'subnets'),
        );
        break;
      }
      if (r.type === 'load_balancer' && r.props.public === true) {
        const priv = used.find((u) => known(u.subnet, 'public') && u.subnet.props.public !== true);
        if (priv) {
          sink.add(
            'invalid_reference',
            `an internet-facing load balancer needs public subnets: "${priv.subnet.name}" is private`,
            at(r, 'subnets'),
          );
          break;
        }
      }
    }
  }
}

// A VM in copy j of a counted network needs its security groups to have a copy there (AWS and GCP
// bind groups to one network; Azure's are not).
function checkGroupCopies(
  provider: Provider,
  vm: PreparedResource,
  byName: ReadonlyMap<string, PreparedResource>,
  plan: NetworkPlan,
  sink: IssueSink,
): void {
  if (provider === 'azure' || !known(vm, 'subnet') || !known(vm, 'securityGroups')) return;
  const subnet = byName.get(vm.props.subnet as string)!;
  const net = byName.get(subnet.props.network as string);
  if (net?.count === undefined) return;
  const instances = plan.subnets.get(subnet.name) ?? [];
  (vm.props.securityGroups as string[]).forEach((g, k) => {
    const group = byName.get(g)!;
    for (let i = 0; i < (vm.count ?? 1); i++) {
      const j = instances[pairedIndex(vm, i, subnet)]?.network ?? 0;
      const copies = group.count ?? 1;
      const has =
        group.count === undefined ? j === 0 : Array.from({ length: copies }, (_, m) => m % net.count!).includes(j);
      if (!has) {
        sink.add(
          'invalid_reference',
          `copy ${i} of vm "${vm.name}" is in copy ${j} of network "${net.name}", where security group "${g}" has no copy: ` +
            `give it the network's count`,
          `${at(vm, 'securityGroups')}/${k}`,
        );
        return;
      }
    }
  });
}

function networkLabel(subnet: string, byName: ReadonlyMap<string, PreparedResource>): string {
  return `network "${networkName(byName.get(subnet), byName)}"`;
}
