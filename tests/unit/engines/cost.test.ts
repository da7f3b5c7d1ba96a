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
