import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { estimateCost, PRICES, PRICE_TABLE_VERSION } from '../../../src/engines/cost/index.js';
import { EngineError } from '../../../src/engines/errors.js';
import type { BlueprintResource, BlueprintSpec } from '../../../src/engines/types.js';
import { fullBlueprint } from './fixtures.js';
import { randomBlueprint } from './arbitraries.js';

const aws = (resources: BlueprintResource[], region = 'us-east-1'): BlueprintSpec => ({
  name: 'ref',
  provider: 'aws',
  region,
  parameters: {},
  tags: {},
  resources,
});
const component = (bp: BlueprintSpec, name: RegExp, usage?: Record<string, Record<string, number>>) =>
  estimateCost(bp, {}, { usage }).resources[0]!.costComponents.find((c) => name.test(c.name))!;
const isCode = (code: string) => (e: unknown) => e instanceof EngineError && e.code === code;

test('AWS us-east-1 reference prices are reproduced to the cent', () => {
  const vm = (size: string) => component(aws([{ name: 'web', type: 'vm', properties: { size } }]), /^Instance usage/);
  assert.deepEqual(
    [vm('t3.micro').price, vm('t3.micro').hourlyCost, vm('t3.micro').monthlyCost],
    [0.0104, 0.0104, 7.59],
  );
  assert.equal(vm('t3.medium').hourlyCost, 0.0416);
  assert.equal(vm('m5.large').hourlyCost, 0.096);
  assert.equal(vm('m5.large').monthlyCost, 70.08);
  const db = component(
    aws([{ name: 'db', type: 'database', properties: { engine: 'mysql', size: 'db.t3.micro' } }]),
    /^Database instance/,
  );
  assert.equal(db.hourlyCost, 0.017);
  assert.equal(db.monthlyCost, 12.41);
  const nat = aws([
    { name: 'net', type: 'network', properties: {} },
    { name: 's', type: 'subnet', properties: { network: 'net', cidr: '10.0.0.0/24', public: true } },
    { name: 'nat', type: 'nat_gateway', properties: { subnet: 's' } },
  ]);
  const natRes = estimateCost(nat, {}, { usage: { nat: { dataProcessedGb: 100 } } }).resources[2]!;
  assert.equal(natRes.costComponents[0]!.price, 0.045);
  assert.equal(natRes.costComponents[0]!.monthlyCost, 32.85);
  assert.equal(natRes.costComponents[1]!.price, 0.045);
  assert.equal(natRes.costComponents[1]!.monthlyCost, 4.5);
  const alb = component(
    aws([{ name: 'lb', type: 'load_balancer', properties: { kind: 'application' } }]),
    /^Load balancer/,
  );
  assert.deepEqual([alb.price, alb.monthlyCost], [0.0225, 16.43]);
  const s3 = component(aws([{ name: 'b', type: 'bucket', properties: {} }]), /^Storage/, { b: { storageGb: 1000 } });
  assert.deepEqual([s3.price, s3.monthlyCost], [0.023, 23]);
  const gp3 = component(aws([{ name: 'd', type: 'disk', properties: { sizeGb: 100, diskType: 'gp3' } }]), /^Storage/);
  assert.deepEqual([gp3.price, gp3.monthlyCost], [0.08, 8]);
});

test('reference entries are marked confirmed and every entry names its source and date', () => {
  assert.equal(PRICES.aws['us-east-1']!['vm:t3.micro']!.confirmed, true);
  assert.equal(PRICES.aws['us-east-1']!['rds:postgres:db.t3.micro']!.confirmed, false);
  for (const regions of Object.values(PRICES))
    for (const table of Object.values(regions))
      for (const e of Object.values(table)) {
        assert.match(e.source, /^https:\/\//);
        assert.match(e.date, /^\d{4}-\d{2}-\d{2}$/);
        assert.ok(e.price >= 0 && e.unit.length > 0);
      }
});

test('usage-based components without usage are null with a note', () => {
  const c = component(aws([{ name: 'b', type: 'bucket', properties: {} }]), /^Storage/);
  assert.equal(c.monthlyCost, null);
  assert.match(c.note!, /usage\.storageGb/);
  const fn = estimateCost(aws([{ name: 'f', type: 'function', properties: {} }]), {}).resources[0]!;
  assert.ok(fn.costComponents.every((x) => x.monthlyCost === null && x.note));
  assert.equal(fn.monthlyCost, 0);
});

test('count yields one entry per instance, addressed like Terraform', () => {
  const e = estimateCost(
    aws([
      { name: 'web', type: 'vm', count: 3, properties: { size: 't3.micro' } },
      { name: 'one', type: 'vm', properties: {} },
    ]),
    {},
  );
  assert.deepEqual(
    e.resources.map((r) => r.address),
    ['aws_instance.web[0]', 'aws_instance.web[1]', 'aws_instance.web[2]', 'aws_instance.one'],
  );
  // 4 × (t3.micro 7.59 + its 8 GB gp3 root disk 0.64): root disks are priced at the image's size.
  assert.equal(e.totalMonthlyCost, 32.92);
  assert.equal(e.priceTableVersion, PRICE_TABLE_VERSION);
  assert.equal(e.currency, 'USD');
});

test('unknown SKU or region is an EngineError naming it, never a fallback', () => {
  assert.throws(
    () => estimateCost(aws([{ name: 'web', type: 'vm', properties: { size: 't9.enormous' } }]), {}),
    (e: unknown) =>
      isCode('unknown_sku')(e) &&
      /t9\.enormous/.test((e as Error).message) &&
      (e as EngineError).path === '/resources/0/properties/size',
  );
  assert.throws(
    () => estimateCost(aws([{ name: 'web', type: 'vm', properties: {} }], 'mars-north-1'), {}),
    (e: unknown) => isCode('unknown_region')(e) && /mars-north-1/.test((e as Error).message),
  );
  assert.throws(
    () => estimateCost(aws([{ name: 'web', type: 'vm', properties: {} }]), {}, { region: 'nowhere' }),
    isCode('unknown_region'),
  );
  assert.throws(
    () => estimateCost(aws([{ name: 'b', type: 'bucket', properties: {} }]), {}, { usage: { b: { storageGb: -1 } } }),
    isCode('invalid_parameters'),
  );
});

test('every provider prices the full fixture; totals are sums of the rounded parts', () => {
  for (const p of ['aws', 'azure', 'gcp'] as const) {
    const e = estimateCost(
      fullBlueprint(p),
      {},
      { usage: { assets: { storageGb: 50 }, fn: { requests: 2e6, durationMs: 120 } } },
    );
    for (const r of e.resources) {
      const monthly = r.costComponents.reduce((s, c) => s + (c.monthlyCost ?? 0), 0);
      assert.equal(r.monthlyCost, Math.round(monthly * 100) / 100);
      for (const c of r.costComponents)
        if (c.monthlyCost !== null) assert.equal(c.monthlyCost, Math.round(c.monthlyCost * 100) / 100);
    }
    assert.equal(e.totalMonthlyCost, Math.round(e.resources.reduce((s, r) => s + r.monthlyCost, 0) * 100) / 100);
    assert.ok(e.totalMonthlyCost > 0);
  }
});

test('property: costs are non-negative, deterministic and linear in count', () => {
  fc.assert(
    fc.property(randomBlueprint(1), fc.integer({ min: 2, max: 7 }), (bp, k) => {
      const one = estimateCost(bp, {});
      assert.deepEqual(estimateCost(bp, {}), one);
      for (const r of one.resources) assert.ok(r.monthlyCost >= 0 && r.hourlyCost >= 0);
      const scaled = { ...bp, resources: bp.resources.map((r) => ({ ...r, count: k })) };
      const many = estimateCost(scaled, {});
      assert.ok(
        Math.abs(many.totalMonthlyCost - k * one.totalMonthlyCost) < 0.005 * k + 1e-9,
        `${many.totalMonthlyCost} vs ${k} × ${one.totalMonthlyCost}`,
      );
    }),
    { numRuns: 100, seed: 1 },
  );
});

const on = (provider: 'aws' | 'azure' | 'gcp', region: string, resources: BlueprintResource[]): BlueprintSpec => ({
  name: 'corrected',
  provider,
  region,
  parameters: {},
  tags: {},
  resources,
});
const line = (e: ReturnType<typeof estimateCost>, address: string, name: RegExp) =>
  e.resources.find((r) => r.address === address)!.costComponents.find((c) => name.test(c.name))!;

test('Azure PostgreSQL storage is priced on the tier it provisions, MySQL on the size asked', () => {
  const price = PRICES.azure.eastus!['db-storage:postgres']!.price;
  assert.equal(price, 0.115);
  const db = (engine: string, storageGb: number) =>
    line(
      estimateCost(on('azure', 'eastus', [{ name: 'db', type: 'database', properties: { engine, storageGb } }]), {}),
      `azurerm_${engine === 'mysql' ? 'mysql' : 'postgresql'}_flexible_server.db`,
      /^Storage/,
    );
  // 50 GB is provisioned as the 64 GiB tier (storage_mb 65536), 32 GB fits the 32 GiB one exactly.
  assert.deepEqual([db('postgres', 50).monthlyQuantity, db('postgres', 50).monthlyCost], [64, 7.36]);
  assert.deepEqual([db('postgres', 32).monthlyQuantity, db('postgres', 32).monthlyCost], [32, 3.68]);
  assert.deepEqual([db('postgres', 33).monthlyQuantity, db('postgres', 33).monthlyCost], [64, 7.36]);
  assert.deepEqual([db('mysql', 50).monthlyQuantity, db('mysql', 50).monthlyCost], [50, 5.75]);
});

test('Kubernetes node disks are priced per node at the disk the node pool gets', () => {
  const k8s = (provider: 'aws' | 'azure' | 'gcp', region: string, type: string, props: Record<string, unknown>) =>
    line(
      estimateCost(on(provider, region, [{ name: 'k8s', type: 'kubernetes_cluster', properties: props }]), {}),
      `${type}.k8s`,
      /^Node (OS )?disks/,
    );
  // EKS: 20 GB gp2 per node (0.10 per GB-month).
  assert.equal(PRICES.aws['us-east-1']!['ebs:gp2']!.price, 0.1);
  assert.equal(k8s('aws', 'us-east-1', 'aws_eks_cluster', { nodeCount: 3 }).monthlyCost, 6);
  assert.equal(k8s('aws', 'us-east-1', 'aws_eks_cluster', { nodeCount: 2, nodeDiskGb: 50 }).monthlyCost, 10);
  // AKS: a premium-capable size gets a premium OS disk, 128 GB = P10 (19.71 a month) per node.
  assert.equal(PRICES.azure.eastus!['disk:Premium_LRS:P10']!.price, 19.71);
  assert.equal(k8s('azure', 'eastus', 'azurerm_kubernetes_cluster', { nodeCount: 3 }).monthlyCost, 59.13);
  // GKE: 100 GB pd-balanced per node (0.10 per GB-month).
  assert.equal(k8s('gcp', 'us-central1', 'google_container_cluster', { nodeCount: 2 }).monthlyCost, 20);
});

test('VM root disks without diskGb are priced at the image default size', () => {
  const root = (provider: 'aws' | 'azure' | 'gcp', region: string, type: string) =>
    line(estimateCost(on(provider, region, [{ name: 'vm', type: 'vm', properties: {} }]), {}), `${type}.vm`, /disk/i);
  // AWS: 8 GB gp3 at 0.08; Azure: 30 GB Standard SSD fits E4 (32 GB, 2.40); GCP: 10 GB pd-balanced at 0.10.
  assert.deepEqual(
    [root('aws', 'us-east-1', 'aws_instance').monthlyCost, root('aws', 'us-east-1', 'aws_instance').note],
    [0.64, undefined],
  );
  assert.equal(PRICES.azure.eastus!['disk:StandardSSD_LRS:E4']!.price, 2.4);
  assert.equal(root('azure', 'eastus', 'azurerm_linux_virtual_machine').monthlyCost, 2.4);
  assert.equal(root('gcp', 'us-central1', 'google_compute_instance').monthlyCost, 1);
});

test("a NAT's data and VM count are derived from the instances behind it when they give usage", () => {
  const stack = (provider: 'aws' | 'gcp', region: string): BlueprintSpec =>
    on(provider, region, [
      { name: 'net', type: 'network', properties: {} },
      { name: 'edge', type: 'subnet', properties: { network: 'net', cidr: '10.0.0.0/24', public: true } },
      { name: 'app', type: 'subnet', properties: { network: 'net', cidr: '10.0.1.0/24' } },
      { name: 'nat', type: 'nat_gateway', properties: { subnet: 'edge' } },
      { name: 'web', type: 'vm', count: 2, properties: { subnet: 'app' } },
      { name: 'pub', type: 'vm', properties: { subnet: 'edge' } },
    ]);
  const aws = stack('aws', 'us-east-1');
  const natType = 'aws_nat_gateway.nat';
  const unknown = line(estimateCost(aws, {}), natType, /^Data processed/);
  assert.equal(unknown.monthlyCost, null, 'no usage behind it: still unpriced');
  const derived = line(estimateCost(aws, {}, { usage: { web: { egressGb: 50 } } }), natType, /^Data processed/);
  // Two VMs in the private subnet × 50 GB at 0.045 per GB; the VM in the public subnet does not count.
  assert.deepEqual([derived.monthlyQuantity, derived.monthlyCost], [100, 4.5]);
  assert.match(derived.note!, /derived/);
  const given = line(
    estimateCost(aws, {}, { usage: { web: { egressGb: 50 }, nat: { dataProcessedGb: 10 } } }),
    natType,
    /^Data/,
  );
  assert.equal(given.monthlyCost, 0.45, 'usage on the NAT itself wins');
  // GCP prices Cloud NAT per VM-hour: the two private VMs, 730 h at 0.0014.
  const perVm = line(estimateCost(stack('gcp', 'us-central1'), {}), 'google_compute_router_nat.nat', /per VM/);
  assert.deepEqual([perVm.monthlyQuantity, perVm.monthlyCost], [1460, 2.04]);
});
