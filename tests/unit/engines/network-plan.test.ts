import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareBlueprint, validateBlueprint } from '../../../src/engines/blueprint.js';
import type { BlueprintResource, BlueprintSpec } from '../../../src/engines/types.js';

const aws = (resources: BlueprintResource[], region = 'us-east-1'): BlueprintSpec => ({
  name: 'plan',
  provider: 'aws',
  region,
  parameters: {},
  tags: {},
  resources,
});
const plan = (spec: BlueprintSpec) => prepareBlueprint(spec, {}).plan;

test('a counted network splits its CIDR; each subnet keeps its place in every copy', () => {
  const p = plan(
    aws([
      { name: 'net', type: 'network', count: 2, properties: { cidr: '10.0.0.0/16' } },
      { name: 'a', type: 'subnet', properties: { network: 'net', cidr: '10.0.128.0/20' } },
      { name: 'b', type: 'subnet', count: 4, properties: { network: 'net', cidr: '10.0.16.0/20' } },
    ]),
  );
  assert.deepEqual(p.networks.get('net'), ['10.0.0.0/17', '10.0.128.0/17']);
  // Uncounted: in network copy 0, at its place scaled into the /17.
  assert.deepEqual(
    p.subnets.get('a')!.map((s) => [s.network, s.cidr]),
    [[0, '10.0.64.0/21']],
  );
  // Four copies over two networks: two per network, each half of the subnet's place there.
  assert.deepEqual(
    p.subnets.get('b')!.map((s) => [s.network, s.cidr]),
    [
      [0, '10.0.8.0/22'],
      [1, '10.0.136.0/22'],
      [0, '10.0.12.0/22'],
      [1, '10.0.140.0/22'],
    ],
  );
});

test('zones: the t-th copy of the n-th subnet of a network is in zone (n + t) mod zones', () => {
  const spec = aws(
    [
      { name: 'net', type: 'network', properties: { cidr: '10.0.0.0/16' } },
      { name: 'a', type: 'subnet', properties: { network: 'net', cidr: '10.0.0.0/24' } },
      { name: 'b', type: 'subnet', count: 3, properties: { network: 'net', cidr: '10.0.4.0/22' } },
    ],
    'us-west-1',
  );
  const p = plan(spec);
  assert.equal(p.zones, 2, 'us-west-1 offers new accounts two zones');
  assert.deepEqual(
    p.subnets.get('b')!.map((s) => s.zone),
    [1, 0, 1],
  );
  assert.equal(p.subnets.get('a')![0]!.zone, 0);
});

test('private subnets take the NAT of their own zone when there is one, else the first of their network', () => {
  const p = plan(
    aws([
      { name: 'net', type: 'network', properties: { cidr: '10.0.0.0/16' } },
      { name: 'edge', type: 'subnet', count: 2, properties: { network: 'net', cidr: '10.0.0.0/23', public: true } },
      { name: 'app', type: 'subnet', count: 3, properties: { network: 'net', cidr: '10.0.8.0/22' } },
      { name: 'nat', type: 'nat_gateway', count: 2, properties: { subnet: 'edge' } },
    ]),
  );
  // edge[0] zone 0, edge[1] zone 1; app (ordinal 1) copies in zones 1, 2, 0.
  assert.deepEqual(
    p.subnets.get('app')!.map((s) => [s.zone, s.nat?.index]),
    [
      [1, 1],
      [2, 0],
      [0, 0],
    ],
  );
  assert.equal(p.subnets.get('edge')![0]!.nat, undefined, 'public subnets route to the internet gateway');
});

test('saving refuses a vm whose network copy has no copy of its security group', () => {
  const issues = validateBlueprint(
    aws([
      { name: 'net', type: 'network', count: 2, properties: { cidr: '10.0.0.0/16' } },
      { name: 'app', type: 'subnet', count: 2, properties: { network: 'net', cidr: '10.0.0.0/20' } },
      { name: 'sg', type: 'security_group', properties: { network: 'net' } },
      { name: 'web', type: 'vm', count: 2, properties: { subnet: 'app', securityGroups: ['sg'] } },
    ]),
  );
  assert.deepEqual(
    issues.map((i) => i.path),
    ['/resources/3/properties/securityGroups/0'],
  );
});
