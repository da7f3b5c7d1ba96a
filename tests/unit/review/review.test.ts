import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPatch, parsePatch } from 'diff';
import fc from 'fast-check';
import type { BlueprintResource, BlueprintSpec } from '../../../src/engines/index.js';
import { diffFiles, MAX_EDIT_LENGTH } from '../../../src/modules/review/file-diff.js';
import { valueChanges } from '../../../src/modules/review/resource-diff.js';
import { reviewChange, type ReviewReport } from '../../../src/modules/review/review.js';
import { randomBlueprint } from '../engines/arbitraries.js';

const TAGS = { Environment: 'dev', Owner: 'platform', CostCenter: 'cc-1' };
const base = (resources: BlueprintResource[] = []): BlueprintSpec => ({
  name: 'web',
  provider: 'aws',
  region: 'us-east-1',
  parameters: {},
  tags: TAGS,
  resources: [
    { name: 'vpc', type: 'network', properties: { cidr: '10.0.0.0/16' } },
    { name: 'app', type: 'subnet', properties: { network: 'vpc', cidr: '10.0.1.0/24' } },
    ...resources,
  ],
});
const cents = (x: number) => Math.round(x * 100) / 100;

function assertEmpty(r: ReviewReport): void {
  assert.equal(r.summary.changed, false);
  assert.deepEqual(r.blueprint, []);
  assert.deepEqual(r.resources, { added: [], removed: [], changed: [] });
  assert.ok(r.files.every((f) => f.files.length === 0 && f.patch === ''));
  assert.deepEqual(r.cost.diff.resources, []);
  assert.equal(r.cost.diffTotalMonthlyCost, 0);
  assert.deepEqual([r.guardrails.newlyFailing, r.guardrails.newlyPassing], [[], []]);
}

test('adding a count: 3 VM: the resource, three instances to the cent, the newly failing guardrails', () => {
  const vm = { name: 'api', type: 'vm', count: 3, properties: { size: 't3.medium', subnet: 'app', publicIp: true } };
  const r = reviewChange(base(), base([vm as BlueprintResource]));
  assert.deepEqual(r.resources.added, [{ name: 'api', type: 'vm', count: 3 }]);
  // AWS us-east-1 on demand, 730 h a month: t3.medium $0.0416/h, a public IPv4 address $0.005/h,
  // and the image's 8 GB gp3 root disk at $0.08 per GB-month.
  const perInstance = cents(cents(0.0416 * 730) + cents(0.005 * 730) + cents(8 * 0.08));
  assert.equal(perInstance, 34.66);
  assert.deepEqual(
    r.cost.diff.resources.map((x) => [x.name, x.change, x.monthlyCost, x.pastMonthlyCost, x.newMonthlyCost]),
    [0, 1, 2].map((i) => [`aws_instance.api[${i}]`, 'added', perInstance, null, perInstance]),
  );
  const lines = r.cost.diff.resources[0]!.costComponents;
  assert.equal(lines.find((c) => /^Instance usage.*t3\.medium/.test(c.name))?.monthlyCost, 30.37);
  assert.equal(lines.find((c) => /Public IPv4/.test(c.name))?.monthlyCost, 3.65);
  assert.equal(r.cost.diffTotalMonthlyCost, cents(3 * perInstance));
  assert.equal(r.cost.diffTotalMonthlyCost, 103.98);
  assert.equal(r.cost.diffTotalHourlyCost, 0.1425);
  assert.equal(r.cost.pastTotalMonthlyCost, 0);
  assert.deepEqual(
    r.guardrails.newlyFailing.map((g) => [g.ruleId, g.resource, g.before, g.after]),
    [0, 1, 2].map((i) => ['vm-public-ip', `aws_instance.api[${i}]`, 'absent', 'failed']),
  );
  const tf = r.files.find((f) => f.format === 'terraform')!;
  assert.match(tf.patch, /^\+resource "aws_instance" "api" \{$/m);
  assert.match(tf.patch, /^\+ {2}count += 3$/m);
  assert.ok(r.files.some((f) => f.format === 'cloudformation' && f.files.length > 0));
});

test('a changed size is a replace at /properties/size and a priced line swapped', () => {
  const small = base([{ name: 'web', type: 'vm', properties: { size: 't3.micro', subnet: 'app' } }]);
  const large = base([{ name: 'web', type: 'vm', properties: { size: 'm5.large', subnet: 'app' } }]);
  const r = reviewChange(small, large);
  assert.deepEqual(r.resources.changed, [
    {
      name: 'web',
      type: 'vm',
      changes: [{ op: 'replace', path: '/properties/size', before: 't3.micro', after: 'm5.large' }],
    },
  ]);
  const [web] = r.cost.diff.resources;
  assert.equal(web!.monthlyCost, cents(70.08 - 7.59));
  assert.deepEqual(
    web!.costComponents.map((c) => [c.name.includes('m5.large'), c.monthlyCost]),
    [
      [true, 70.08],
      [false, -7.59],
    ],
  );
});

test('JSON Pointers escape "~" and "/", and nest into arrays', () => {
  assert.deepEqual(valueChanges({ 'a/b': 1, 'c~d': [1, 2] }, { 'a/b': 2, 'c~d': [1] }, '/tags'), [
    { op: 'replace', path: '/tags/a~1b', before: 1, after: 2 },
    { op: 'remove', path: '/tags/c~0d/1', before: 2 },
  ]);
  assert.deepEqual(valueChanges(undefined, 3, '/count'), [{ op: 'add', path: '/count', after: 3 }]);
  assert.deepEqual(valueChanges({ a: 1 }, 'x', '/p'), [{ op: 'replace', path: '/p', before: { a: 1 }, after: 'x' }]);
});

test('a review of a blueprint against itself is empty', () => {
  fc.assert(
    fc.property(randomBlueprint(), (bp) => assertEmpty(reviewChange(bp, structuredClone(bp)))),
    { numRuns: 60 },
  );
});

test('reviews are antisymmetric, cost deltas add up, and every file patch turns the old file into the new one', () => {
  fc.assert(
    fc.property(randomBlueprint(3, ['aws']), randomBlueprint(3, ['aws']), (a, b) => {
      const ab = reviewChange(a, b);
      const ba = reviewChange(b, a);
      assert.deepEqual(ab.resources.added, ba.resources.removed);
      assert.equal(ab.cost.diffTotalMonthlyCost, -ba.cost.diffTotalMonthlyCost || 0);
      const sum = ab.cost.diff.resources.reduce((s, x) => s + x.monthlyCost, 0);
      assert.equal(cents(sum), ab.cost.diffTotalMonthlyCost);
      assert.equal(ab.cost.diffTotalMonthlyCost, cents(ab.cost.totalMonthlyCost - ab.cost.pastTotalMonthlyCost));
      const key = (g: { ruleId: string; resource: string }) => `${g.ruleId} ${g.resource}`;
      assert.deepEqual(ab.guardrails.newlyFailing.map(key).sort(), ba.guardrails.newlyPassing.map(key).sort());
      assert.equal(
        ab.summary.changed,
        ab.blueprint.length + ab.files.reduce((n, f) => n + f.files.length, 0) > 0 ||
          ab.resources.changed.length > 0 ||
          ab.resources.added.length + ab.resources.removed.length > 0,
      );
    }),
    { numRuns: 40 },
  );
});

test('every file patch applies: the old file plus the patch is the new file', () => {
  const text = fc
    .array(fc.constantFrom('a', 'b', 'c', 'resource "x" {', '}', ''), { maxLength: 30 })
    .map((l) => l.join('\n'));
  const files = fc.dictionary(fc.constantFrom('main.tf', 'outputs.tf', 'variables.tf'), text);
  fc.assert(
    fc.property(files, files, (from, to) => {
      const toList = (d: Record<string, string>) => Object.entries(d).map(([path, content]) => ({ path, content }));
      const d = diffFiles('terraform', toList(from), toList(to));
      const patches = d.patch === '' ? [] : parsePatch(d.patch);
      assert.equal(patches.length, d.files.length);
      for (const p of patches) {
        const path = (p.newFileName === '/dev/null' ? p.oldFileName : p.newFileName)!.slice(2);
        const applied = applyPatch(from[path] ?? '', p);
        assert.equal(applied, to[path] ?? '', path);
      }
    }),
    { numRuns: 200 },
  );
});

test('a file too different to diff within the bound is reported without its patch, quickly', () => {
  const lines = (tag: string) => Array.from({ length: MAX_EDIT_LENGTH * 2 }, (_, i) => `${tag} ${i}`).join('\n');
  const started = Date.now();
  const d = diffFiles(
    'terraform',
    [{ path: 'main.tf', content: lines('a') }],
    [{ path: 'main.tf', content: lines('b') }],
  );
  assert.equal(d.truncated, true);
  assert.deepEqual(d.files, [{ path: 'main.tf', change: 'modified', additions: null, deletions: null }]);
  assert.equal(d.patch, '');
  assert.ok(Date.now() - started < 30_000, 'bounded: no hang');
});

test('a new blueprint (no previous version) is all additions; CloudFormation only for AWS', () => {
  const gcp: BlueprintSpec = { ...base(), provider: 'gcp', region: 'us-central1' };
  const r = reviewChange(null, gcp);
  assert.equal(r.fromVersion, null);
  assert.equal(r.summary.changed, true);
  assert.deepEqual(
    r.resources.added.map((x) => x.name),
    ['vpc', 'app'],
  );
  assert.deepEqual(
    r.files.map((f) => f.format),
    ['terraform'],
  );
  assert.ok(r.files[0]!.files.every((f) => f.change === 'added'));
  assert.equal(r.guardrails.past, null);
});
