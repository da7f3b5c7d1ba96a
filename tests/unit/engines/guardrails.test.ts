import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateGuardrails, listRules } from '../../../src/engines/guardrails/index.js';
import { EngineError } from '../../../src/engines/errors.js';
import type { BlueprintResource, BlueprintSpec } from '../../../src/engines/types.js';
import { fullBlueprint } from './fixtures.js';

const TAGS = { Environment: 'dev', Owner: 'me', CostCenter: 'cc-1' };
const bp = (resources: BlueprintResource[], extra: Partial<BlueprintSpec> = {}): BlueprintSpec => ({
  name: 'g',
  provider: 'aws',
  region: 'us-east-1',
  parameters: {},
  tags: TAGS,
  resources,
  ...extra,
});
const failures = (report: ReturnType<typeof evaluateGuardrails>) => report.results.filter((r) => r.status === 'failed');

const CASES: Array<{ rule: string; blueprint: BlueprintSpec; resource: string; settings?: object; budget?: number }> = [
  {
    rule: 'bucket-public',
    blueprint: bp([{ name: 'site', type: 'bucket', properties: { public: true, versioning: true } }]),
    resource: 'aws_s3_bucket.site',
  },
  {
    rule: 'bucket-unencrypted',
    blueprint: bp([{ name: 'raw', type: 'bucket', properties: { encrypted: false, versioning: true } }]),
    resource: 'aws_s3_bucket.raw',
  },
  {
    rule: 'disk-unencrypted',
    blueprint: bp([{ name: 'scratch', type: 'disk', count: 2, properties: { encrypted: false } }]),
    resource: 'aws_ebs_volume.scratch[1]',
  },
  {
    rule: 'database-unencrypted',
    blueprint: bp([{ name: 'db', type: 'database', properties: { encrypted: false } }]),
    resource: 'aws_db_instance.db',
  },
  {
    rule: 'database-public',
    blueprint: bp([{ name: 'db', type: 'database', properties: { publiclyAccessible: true } }], {
      provider: 'azure',
      region: 'eastus',
    }),
    resource: 'azurerm_postgresql_flexible_server.db',
  },
  {
    rule: 'ingress-admin-ports-open',
    blueprint: bp([
      {
        name: 'ssh',
        type: 'security_group',
        properties: { ingress: [{ protocol: 'tcp', fromPort: 20, toPort: 25, cidr: '0.0.0.0/0' }] },
      },
    ]),
    resource: 'aws_security_group.ssh',
  },
  {
    rule: 'ingress-admin-ports-open',
    blueprint: bp(
      [
        {
          name: 'rdp',
          type: 'security_group',
          properties: { ingress: [{ protocol: 'all', fromPort: 0, toPort: 0, cidr: '0.0.0.0/0' }] },
        },
      ],
      { provider: 'gcp', region: 'us-central1' },
    ),
    resource: 'google_compute_firewall.rdp',
  },
  {
    rule: 'required-tags',
    blueprint: bp([{ name: 'q', type: 'queue', properties: {} }], { tags: { Environment: 'dev' } }),
    resource: 'aws_sqs_queue.q',
  },
  {
    rule: 'allowed-regions',
    blueprint: bp([{ name: 'q', type: 'queue', properties: {} }], { region: 'eu-west-1' }),
    resource: 'provider.aws',
    settings: { allowedRegions: ['us-east-1'] },
  },
  {
    rule: 'allowed-sizes',
    blueprint: bp([{ name: 'big', type: 'vm', properties: { size: 'm5.xlarge' } }]),
    resource: 'aws_instance.big',
    settings: { allowedSizes: ['t3.micro'] },
  },
  {
    rule: 'budget',
    blueprint: bp([{ name: 'big', type: 'vm', count: 10, properties: { size: 'm5.xlarge' } }]),
    resource: '*',
    budget: 100,
  },
  {
    rule: 'vm-public-ip',
    blueprint: bp([{ name: 'pub', type: 'vm', properties: { publicIp: true } }]),
    resource: 'aws_instance.pub',
  },
  {
    rule: 'kubernetes-public-endpoint',
    blueprint: bp([{ name: 'k8s', type: 'kubernetes_cluster', properties: { publicEndpoint: true } }]),
    resource: 'aws_eks_cluster.k8s',
  },
  {
    rule: 'subnet-public-ip-on-launch',
    blueprint: bp([
      { name: 'net', type: 'network', properties: {} },
      {
        name: 'edge',
        type: 'subnet',
        count: 2,
        properties: { network: 'net', cidr: '10.0.0.0/24', public: true, autoAssignPublicIp: true },
      },
    ]),
    resource: 'aws_subnet.edge[1]',
  },
  {
    rule: 'default-security-group-open',
    blueprint: bp([{ name: 'net', type: 'network', properties: { restrictDefaultSecurityGroup: false } }]),
    resource: 'aws_vpc.net',
  },
  {
    rule: 'bucket-versioning',
    blueprint: bp([{ name: 'logs', type: 'bucket', properties: {} }]),
    resource: 'aws_s3_bucket.logs',
  },
];

for (const c of CASES) {
  test(`rule ${c.rule} flags ${c.resource}`, () => {
    const report = evaluateGuardrails(c.blueprint, {}, c.settings, { budgetMonthly: c.budget });
    const failed = failures(report);
    assert.ok(
      failed.some((f) => f.ruleId === c.rule && f.resource === c.resource),
      JSON.stringify(failed),
    );
    assert.deepEqual([...new Set(failed.map((f) => f.ruleId))], [c.rule], 'only the rule under test fails');
    const rule = listRules().find((r) => r.id === c.rule)!;
    assert.equal(report.passed, rule.enforcement === 'advisory');
    assert.ok(report.score < 100 && report.score >= 0);
    assert.equal(report.summary.failed, failed.length);
    assert.equal(report.summary.passed + report.summary.failed, report.results.length);
  });
}

test('every rule has a known-bad case above', () => {
  assert.deepEqual(
    [...new Set(CASES.map((c) => c.rule))].sort(),
    listRules()
      .map((r) => r.id)
      .sort(),
  );
});

test('the clean full blueprints pass every rule on every provider', () => {
  for (const p of ['aws', 'azure', 'gcp'] as const) {
    const report = evaluateGuardrails(
      fullBlueprint(p),
      {},
      { allowedRegions: [fullBlueprint(p).region] },
      { budgetMonthly: 10_000 },
    );
    assert.deepEqual(failures(report), []);
    assert.equal(report.passed, true);
    assert.equal(report.score, 100);
    assert.ok(report.results.some((r) => r.ruleId === 'budget'));
  }
});

test('rules carry id, title, severity, enforcement and remediation', () => {
  for (const r of listRules()) {
    assert.ok(r.id && r.title && r.remediation);
    assert.ok(['low', 'medium', 'high', 'critical'].includes(r.severity));
    assert.ok(['advisory', 'soft', 'hard'].includes(r.enforcement));
  }
});

test('an unpriceable blueprint fails the budget rule instead of throwing', () => {
  const report = evaluateGuardrails(bp([{ name: 'x', type: 'vm', properties: { size: 'x9.mega' } }]), {}, undefined, {
    budgetMonthly: 5,
  });
  assert.ok(failures(report).some((f) => f.ruleId === 'budget' && /could not be estimated/.test(f.message)));
});

test('bad settings and budgets are EngineErrors', () => {
  const b = bp([{ name: 'q', type: 'queue', properties: {} }]);
  assert.throws(
    () => evaluateGuardrails(b, {}, { allowedRegions: 'us-east-1' as unknown as string[] }),
    (e: unknown) => e instanceof EngineError && e.code === 'invalid_parameters',
  );
  assert.throws(
    () => evaluateGuardrails(b, {}, undefined, { budgetMonthly: -1 }),
    (e: unknown) => e instanceof EngineError,
  );
});
