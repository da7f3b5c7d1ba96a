/**
 * Property tests of what makes generated code deploy, over random valid blueprints (every catalogue
 * type, counts on networks and subnets, public and private variants, wired parameters) on every
 * provider: the blueprint passes save-time validation; the Terraform parses, is canonical and
 * deterministic; subnets that a load balancer, database or cluster needs span two zones; every
 * subnet lies inside its network and none overlap; private subnets route through a NAT of their
 * network; globally named resources differ between tenants and follow the provider's rules; every
 * declared variable is used; in CloudFormation every Ref/GetAtt target exists and every parameter
 * is used, with the same zone, CIDR and NAT properties.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { bitsFor, cidrSubnet, contains, formatCidr, overlaps, parseCidr } from '../../../src/engines/cidr.js';
import { generateCloudFormation } from '../../../src/engines/cloudformation.js';
import { pascal } from '../../../src/engines/cloudformation-builder.js';
import { validateBlueprint } from '../../../src/engines/blueprint.js';
import { generateTerraform } from '../../../src/engines/terraform/index.js';
import type { BlueprintSpec, Provider } from '../../../src/engines/types.js';
import { randomBlueprint, SUBNETS } from './arbitraries.js';
import { isRef, type Ref, type Val } from './hcl-eval.js';
import {
  attr,
  blockAttr,
  blockValues,
  key,
  load,
  ofType,
  refs,
  target,
  type Instance,
  type Model,
} from './tf-model.js';

const PRIVATE = new Set<string>(SUBNETS.filter((s) => !s.public).map((s) => s.name));
const TENANTS = ['tenant-a-seed', 'tenant-b-seed'];

// Per provider: [network type, subnet type, subnet CIDR attribute, subnet → network attribute].
const NET = {
  aws: { network: 'aws_vpc', subnet: 'aws_subnet', cidr: 'cidr_block', parent: 'vpc_id' },
  azure: {
    network: 'azurerm_virtual_network',
    subnet: 'azurerm_subnet',
    cidr: 'address_prefixes',
    parent: 'virtual_network_name',
  },
  gcp: {
    network: 'google_compute_network',
    subnet: 'google_compute_subnetwork',
    cidr: 'ip_cidr_range',
    parent: 'network',
  },
} as const;

const one = (v: Val) => (Array.isArray(v) ? v[0]! : v) as string;

// The CIDR of each network instance: what the code says, or on GCP (networks carry none) the
// blueprint's network CIDR split per copy, as documented.
function networkCidrs(m: Model, provider: Provider, spec: BlueprintSpec): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of ofType(m, NET[provider].network)) {
    if (provider === 'gcp') {
      const declared = spec.resources.find((r) => r.name === n.name)!;
      const cidr = String(declared.properties.cidr).startsWith('${') ? '10.0.0.0/16' : String(declared.properties.cidr);
      const c = declared.count;
      out.set(
        key(n),
        c === undefined ? cidr : formatCidr(cidrSubnet(parseCidr(cidr), bitsFor(c as number), n.index!)!),
      );
    } else out.set(key(n), one(attr(n, provider === 'aws' ? 'cidr_block' : 'address_space')));
  }
  return out;
}

function checkCidrs(m: Model, provider: Provider, spec: BlueprintSpec): Map<string, string> {
  const nets = networkCidrs(m, provider, spec);
  const subnetNet = new Map<string, string>();
  const byNet = new Map<string, Array<[string, string]>>();
  for (const s of ofType(m, NET[provider].subnet)) {
    const parent = attr(s, NET[provider].parent) as Ref;
    const net = key({ ref: parent.ref, index: parent.index });
    const cidr = one(attr(s, NET[provider].cidr));
    assert.ok(
      contains(parseCidr(nets.get(net)!), parseCidr(cidr)),
      `${key(s)} ${cidr} outside ${net} ${nets.get(net)}`,
    );
    for (const [other, c] of byNet.get(net) ?? [])
      assert.ok(!overlaps(parseCidr(c), parseCidr(cidr)), `${key(s)} ${cidr} overlaps ${other} ${c}`);
    byNet.set(net, [...(byNet.get(net) ?? []), [key(s), cidr]]);
    subnetNet.set(key(s), net);
  }
  return subnetNet;
}

// AWS: what needs two zones gets subnets in two zones.
function checkZones(m: Model): void {
  const zoneOf = (r: Ref) => (attr(target(m, r), 'availability_zone') as { zone: number }).zone;
  const consumers: Array<[Instance, Val]> = [
    ...ofType(m, 'aws_lb')
      .filter((i) => attr(i, 'load_balancer_type') === 'application')
      .map((i): [Instance, Val] => [i, attr(i, 'subnets')]),
    ...ofType(m, 'aws_db_subnet_group').map((i): [Instance, Val] => [i, attr(i, 'subnet_ids')]),
    ...ofType(m, 'aws_eks_cluster').map((i): [Instance, Val] => [i, blockAttr(i, 'vpc_config', 'subnet_ids')]),
  ];
  for (const [i, v] of consumers) {
    if (typeof v === 'string') continue; // the default VPC's subnets (a data source)
    const zones = new Set(refs(v).map(zoneOf));
    assert.ok(zones.size >= 2, `${key(i)} has subnets in ${zones.size} zone(s)`);
  }
}

// Private subnets of a network (copy) with a NAT route 0.0.0.0/0 through a NAT of that network copy.
function checkNat(m: Model, provider: Provider, spec: BlueprintSpec, subnetNet: Map<string, string>): void {
  const natHome = new Map<string, string>(); // NAT instance → its network instance
  const natSpec = spec.resources.filter((r) => r.type === 'nat_gateway');
  const pairedHome = (nat: { name: string; index: number | undefined }) => {
    const r = natSpec.find((x) => x.name === nat.name)!;
    const home = spec.resources.find((x) => x.name === r.properties.subnet)!;
    const h = home.count === undefined ? undefined : r.count === undefined ? 0 : nat.index! % (home.count as number);
    return subnetNet.get(key({ ref: `${NET[provider].subnet}.${home.name}`, index: h }))!;
  };
  const natType = { aws: 'aws_nat_gateway', azure: 'azurerm_nat_gateway', gcp: 'google_compute_router_nat' }[provider];
  for (const n of ofType(m, natType)) natHome.set(key(n), pairedHome(n));
  const withNat = new Set(natHome.values());
  const routed = new Map<string, string>(); // subnet instance → NAT instance
  if (provider === 'aws') {
    for (const a of ofType(m, 'aws_route_table_association')) {
      const table = target(m, attr(a, 'route_table_id') as Ref);
      for (const nat of blockValues(table, 'route', 'nat_gateway_id'))
        if (isRef(nat)) routed.set(key(attr(a, 'subnet_id') as Ref), key(nat));
    }
  } else if (provider === 'azure') {
    for (const a of ofType(m, 'azurerm_subnet_nat_gateway_association'))
      routed.set(key(attr(a, 'subnet_id') as Ref), key(attr(a, 'nat_gateway_id') as Ref));
  } else {
    for (const n of ofType(m, 'google_compute_router_nat'))
      for (const s of blockValues(n, 'subnetwork', 'name')) routed.set(key(s as Ref), key(n));
  }
  for (const [subnet, net] of subnetNet) {
    const name = subnet.replace(/^[a-z_]+\.|\[\d+\]$/g, '');
    if (!PRIVATE.has(name) || !withNat.has(net)) continue;
    const nat = routed.get(subnet);
    assert.ok(nat, `private ${subnet} in ${net} (which has a NAT) has no NAT route`);
    assert.equal(natHome.get(nat), net, `${subnet} routes through ${nat}, in another network`);
  }
}

const NAME_RULES: Record<Provider, Array<[type: string, attr: string, rule: (s: string) => boolean]>> = {
  aws: [['aws_s3_bucket', 'bucket_prefix', (s) => s.length <= 37 && /^[a-z0-9][a-z0-9-]*-$/.test(s)]],
  azure: [
    ['azurerm_storage_account', 'name', (s) => /^[a-z0-9]{3,24}$/.test(s)],
    ['azurerm_linux_function_app', 'name', (s) => /^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$/.test(s)],
    ['azurerm_redis_cache', 'name', (s) => /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/.test(s) && !s.includes('--')],
    ['azurerm_servicebus_namespace', 'name', (s) => /^[a-z][a-z0-9-]{4,48}[a-z0-9]$/.test(s) && !/-(sb|mgmt)$/.test(s)],
    ['azurerm_postgresql_flexible_server', 'name', (s) => /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(s)],
    ['azurerm_mysql_flexible_server', 'name', (s) => /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(s)],
  ],
  gcp: [
    [
      'google_storage_bucket',
      'name',
      (s) => /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/.test(s) && !s.startsWith('goog') && !s.includes('google'),
    ],
  ],
};

function globalNames(m: Model, provider: Provider): string[] {
  const out: string[] = [];
  for (const [type, name, rule] of NAME_RULES[provider])
    for (const i of ofType(m, type)) {
      const v = attr(i, name) as string;
      assert.ok(rule(v), `${key(i)}.${name} = "${v}" breaks the provider's naming rules`);
      out.push(v);
    }
  return out;
}

function checkVariablesUsed(m: Model): void {
  const code = m.text['main.tf']! + m.text['providers.tf']!;
  for (const v of Object.keys(m.vars))
    assert.match(code, new RegExp(`\\bvar\\.${v}\\b`), `variable "${v}" is declared but nothing uses it`);
}

async function checkTerraform(spec: BlueprintSpec): Promise<void> {
  assert.deepEqual(validateBlueprint(spec), [], 'a generated blueprint passes save-time validation');
  const [a, b] = TENANTS.map((nameSeed) => generateTerraform(spec, {}, { nameSeed }));
  assert.deepEqual(generateTerraform(spec, {}, { nameSeed: TENANTS[0] }), a, 'deterministic');
  const m = await load(a!.files);
  const subnetNet = checkCidrs(m, spec.provider, spec);
  if (spec.provider === 'aws') checkZones(m);
  checkNat(m, spec.provider, spec, subnetNet);
  checkVariablesUsed(m);
  const namesA = globalNames(m, spec.provider);
  const namesB = globalNames(await load(b!.files), spec.provider);
  assert.equal(new Set(namesA).size, namesA.length, 'global names are unique within a blueprint');
  namesA.forEach((n, i) => assert.notEqual(n, namesB[i], `"${n}" is the same for two tenants`));
}

for (const provider of ['aws', 'azure', 'gcp'] as const) {
  test(`random ${provider} blueprints: valid, canonical, zones, CIDRs, NAT routes, global names, variables`, async () => {
    await fc.assert(fc.asyncProperty(randomBlueprint(3, [provider]), checkTerraform), { numRuns: 40, seed: 13 });
  });
}

// ---- CloudFormation ---------------------------------------------------------------------------

type Template = {
  Parameters?: Record<string, { Default?: unknown }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;
};

function walk(v: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(v)) v.forEach((x) => walk(x, visit));
  else if (v !== null && typeof v === 'object') {
    visit(v as Record<string, unknown>);
    Object.values(v).forEach((x) => walk(x, visit));
  }
}

function checkReferences(t: Template): void {
  const params = new Set(Object.keys(t.Parameters ?? {}));
  const used = new Set<string>();
  const exists = (id: string) => id.startsWith('AWS::') || params.has(id) || id in t.Resources;
  walk(t, (node) => {
    if (typeof node.Ref === 'string') {
      assert.ok(exists(node.Ref), `Ref to missing ${node.Ref}`);
      used.add(node.Ref);
    }
    if (Array.isArray(node['Fn::GetAtt']))
      assert.ok((node['Fn::GetAtt'][0] as string) in t.Resources, `GetAtt of missing ${String(node['Fn::GetAtt'][0])}`);
    if (typeof node['Fn::Sub'] === 'string')
      for (const m of (node['Fn::Sub'] as string).matchAll(/\$\{([^!}][^}]*)\}/g)) {
        assert.ok(exists(m[1]!), `Fn::Sub names missing ${m[1]}`);
        used.add(m[1]!);
      }
  });
  for (const [id, r] of Object.entries(t.Resources))
    for (const d of r.DependsOn ?? []) assert.ok(d in t.Resources, `${id} depends on missing ${d}`);
  for (const p of params) assert.ok(used.has(p), `parameter ${p} is declared but nothing refers to it`);
}

function checkCfnNetworks(t: Template, spec: BlueprintSpec): void {
  const R = t.Resources;
  const value = (v: unknown): string =>
    typeof v === 'string' ? v : String(t.Parameters![(v as { Ref: string }).Ref]!.Default);
  const vpcOf = (subnet: string) => (R[subnet]!.Properties.VpcId as { Ref: string }).Ref;
  const subnets = Object.keys(R).filter((id) => R[id]!.Type === 'AWS::EC2::Subnet');
  for (const s of subnets) {
    const cidr = parseCidr(value(R[s]!.Properties.CidrBlock));
    assert.ok(contains(parseCidr(value(R[vpcOf(s)]!.Properties.CidrBlock)), cidr), `${s} outside its VPC`);
    for (const o of subnets)
      if (o < s && vpcOf(o) === vpcOf(s))
        assert.ok(!overlaps(parseCidr(value(R[o]!.Properties.CidrBlock)), cidr), `${s} overlaps ${o}`);
  }
  const zone = (id: string) => (R[id]!.Properties.AvailabilityZone as { 'Fn::Select': [number] })['Fn::Select'][0];
  for (const [id, r] of Object.entries(R)) {
    const list =
      r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer' && r.Properties.Type === 'application'
        ? r.Properties.Subnets
        : r.Type === 'AWS::RDS::DBSubnetGroup'
          ? r.Properties.SubnetIds
          : r.Type === 'AWS::EKS::Cluster'
            ? (r.Properties.ResourcesVpcConfig as { SubnetIds: unknown }).SubnetIds
            : undefined;
    if (!Array.isArray(list)) continue;
    const zones = new Set(list.map((x) => zone((x as { Ref: string }).Ref)));
    assert.ok(zones.size >= 2, `${id} has subnets in ${zones.size} zone(s)`);
  }
  // Private subnets in a VPC with a NAT: an associated route table with a route through one in that VPC.
  const natVpc = new Map(
    Object.entries(R)
      .filter(([, r]) => r.Type === 'AWS::EC2::NatGateway')
      .map(([id, r]) => [id, vpcOf((r.Properties.SubnetId as { Ref: string }).Ref)]),
  );
  const privateIds = new Set(
    spec.resources
      .filter((r) => r.type === 'subnet' && r.properties.public !== true)
      .flatMap((r) =>
        Array.from(
          { length: (r.count as number | undefined) ?? 1 },
          (_, i) => pascal(r.name) + (r.count === undefined ? '' : i),
        ),
      ),
  );
  for (const s of subnets) {
    if (!privateIds.has(s) || ![...natVpc.values()].includes(vpcOf(s))) continue;
    const assoc = Object.values(R).find(
      (r) => r.Type === 'AWS::EC2::SubnetRouteTableAssociation' && (r.Properties.SubnetId as { Ref: string }).Ref === s,
    );
    assert.ok(assoc, `private ${s} has no route table`);
    const table = (assoc.Properties.RouteTableId as { Ref: string }).Ref;
    const route = Object.values(R).find(
      (r) => r.Type === 'AWS::EC2::Route' && (r.Properties.RouteTableId as { Ref: string }).Ref === table,
    );
    const nat = (route?.Properties.NatGatewayId as { Ref: string } | undefined)?.Ref;
    assert.ok(nat, `private ${s} does not route through a NAT`);
    assert.equal(natVpc.get(nat), vpcOf(s), `${s} routes through a NAT of another VPC`);
  }
}

test('random AWS blueprints in CloudFormation: references resolve, parameters used, zones, CIDRs, NAT routes', () => {
  fc.assert(
    fc.property(randomBlueprint(3, ['aws']), (spec) => {
      const t = parseYaml(generateCloudFormation(spec, {}).files[0]!.content) as Template;
      checkReferences(t);
      checkCfnNetworks(t, spec);
    }),
    { numRuns: 60, seed: 21 },
  );
});
