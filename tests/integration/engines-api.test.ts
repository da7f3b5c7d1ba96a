import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addUser,
  bearer,
  blueprintBody,
  problemOf,
  registerTenant,
  startTestApp,
  type Account,
  type TestApp,
} from '../helpers/app.js';

const vm = (size: string, extra: Record<string, unknown> = {}) =>
  blueprintBody({
    parameters: { type: 'object', properties: {} },
    resources: [{ name: 'web', type: 'vm', properties: { size, image: 'ubuntu-22.04' }, ...extra }],
  });

// IaC generation, cost and guardrails through HTTP, on PostgreSQL via PgBouncer, with the L1 cache.
describe('engine routes', () => {
  let t: TestApp;
  let a: Account;
  before(async () => {
    t = await startTestApp('pgbouncer');
    a = await registerTenant(t.app, 'Engines');
  });
  after(() => t.close());

  const post = (url: string, payload: unknown, who: Account = a) =>
    t.app.inject({ method: 'POST', url, headers: bearer(who), payload: payload as object });

  it('generates Terraform for a stored blueprint, caches it by content, and drops it when the blueprint changes', async () => {
    const bp = (await post('/api/blueprints', blueprintBody())).json();
    const body = { blueprintId: bp.id, format: 'terraform', parameters: { size: 't3.medium' } };
    const first = await post('/api/iac/generate', body);
    assert.equal(first.statusCode, 200, first.body);
    const out = first.json();
    assert.deepEqual(out.files.map((f: { path: string }) => f.path).sort(), [
      'main.tf',
      'outputs.tf',
      'providers.tf',
      'terraform.tf',
      'variables.tf',
    ]);
    assert.match(out.hash, /^[0-9a-f]{64}$/);
    assert.match(
      out.files.find((f: { path: string }) => f.path === 'main.tf').content,
      /resource "aws_instance" "web"/,
    );
    assert.equal(first.headers['x-cache'], 'MISS');
    const again = await post('/api/iac/generate', {
      parameters: { size: 't3.medium' },
      format: 'terraform',
      blueprintId: bp.id,
    });
    assert.equal(again.headers['x-cache'], 'HIT', 'same content in another key order');
    assert.equal(again.body, first.body);
    await t.app.inject({
      method: 'PUT',
      url: `/api/blueprints/${bp.id}`,
      headers: bearer(a),
      payload: blueprintBody({ region: 'us-west-2' }),
    });
    const changed = await post('/api/iac/generate', body);
    assert.equal(changed.headers['x-cache'], 'MISS');
    assert.notEqual(changed.json().hash, out.hash);
    const cfn = await post('/api/iac/generate', { ...body, format: 'cloudformation' });
    assert.equal(cfn.statusCode, 200);
    assert.deepEqual(
      cfn.json().files.map((f: { path: string }) => f.path),
      ['template.yaml'],
    );
  });

  it('refuses CloudFormation for a GCP blueprint, unknown SKUs and bad parameters with 422 naming the field', async () => {
    const gcp = await post('/api/iac/generate', {
      blueprint: blueprintBody({
        provider: 'gcp',
        region: 'us-central1',
        resources: [{ name: 'q', type: 'queue', properties: {} }],
      }),
      format: 'cloudformation',
    });
    assert.equal(gcp.statusCode, 422);
    const sku = await post('/api/cost/estimate', { blueprint: vm('t3.gigantic') });
    assert.equal(sku.statusCode, 422);
    assert.equal(problemOf(sku).errors?.[0]?.path, '/blueprint/resources/0/properties/size');
    assert.match(problemOf(sku).detail, /t3\.gigantic/);
    const badParam = await post('/api/iac/generate', {
      blueprint: blueprintBody(),
      format: 'terraform',
      parameters: { size: 42 },
    });
    assert.equal(badParam.statusCode, 422);
    const cyclic = await post('/api/iac/generate', {
      format: 'terraform',
      blueprint: blueprintBody({
        parameters: { type: 'object', properties: {} },
        resources: [{ name: 'loop', type: 'subnet', properties: { network: 'loop', cidr: '10.0.0.0/24' } }],
      }),
    });
    assert.equal(cyclic.statusCode, 422, 'a resource referring to itself');
    assert.equal(problemOf(cyclic).errors?.[0]?.path, '/blueprint/resources/0/properties/network');
    const region = await post('/api/cost/estimate', { blueprint: vm('t3.micro'), region: 'mars-north-1' });
    assert.equal(region.statusCode, 422);
    assert.match(problemOf(region).detail, /mars-north-1/);
  });

  it('answers a missing or doubled source with 400 and another tenant’s blueprint with 404', async () => {
    assert.equal((await post('/api/cost/estimate', {})).statusCode, 400);
    const both = await post('/api/cost/estimate', {
      blueprint: vm('t3.micro'),
      blueprintId: '01900000-0000-7000-8000-000000000000',
    });
    assert.equal(both.statusCode, 400);
    assert.equal(problemOf(both).errors?.[0]?.path, '/blueprintId');
    const b = await registerTenant(t.app, 'EnginesOther');
    const theirs = (await post('/api/blueprints', blueprintBody(), b)).json();
    assert.equal((await post('/api/iac/generate', { blueprintId: theirs.id, format: 'terraform' })).statusCode, 404);
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/api/cost/estimate', payload: { blueprint: vm('t3.micro') } }))
        .statusCode,
      401,
    );
  });

  it('estimates cost to the cent: t3.micro for 730 h is $7.59, count multiplies, totals are sums', async () => {
    const one = (await post('/api/cost/estimate', { blueprint: vm('t3.micro') })).json();
    assert.equal(one.currency, 'USD');
    const instance = one.resources[0].costComponents.find((c: { name: string }) => /^Instance usage/.test(c.name));
    assert.equal(instance.monthlyCost, 7.59);
    // Plus its root disk at the image's 8 GB of gp3 (0.08 × 8 = 0.64).
    assert.equal(one.totalMonthlyCost, 7.59 + 0.64);
    assert.equal(one.resources[0].address, 'aws_instance.web');
    const three = (await post('/api/cost/estimate', { blueprint: vm('t3.micro', { count: 3 }) })).json();
    assert.equal(three.resources.length, 3);
    assert.equal(three.resources[2].address, 'aws_instance.web[2]');
    assert.equal(
      three.totalMonthlyCost,
      Math.round(three.resources.reduce((s: number, r: { monthlyCost: number }) => s + r.monthlyCost, 0) * 100) / 100,
    );
  });

  it('evaluates guardrails with the tenant’s settings; only admins change them', async () => {
    const risky = blueprintBody({
      parameters: { type: 'object', properties: {} },
      tags: {},
      resources: [{ name: 'assets', type: 'bucket', properties: { public: true } }],
    });
    const report = (await post('/api/guardrails/evaluate', { blueprint: risky })).json();
    assert.equal(report.passed, false);
    const failed = report.results
      .filter((r: { status: string }) => r.status === 'failed')
      .map((r: { ruleId: string; resource: string }) => `${r.ruleId}@${r.resource}`);
    assert.ok(
      failed.some((f: string) => f.endsWith('@aws_s3_bucket.assets')),
      JSON.stringify(failed),
    );
    const rules = (await t.app.inject({ url: '/api/guardrails/rules', headers: bearer(a) })).json();
    assert.ok(rules.items.length >= 10);
    const editor = await addUser(t.app, a, 'editor');
    const settings = { allowedRegions: ['eu-west-1'], allowedSizes: [], requiredTags: ['Owner'] };
    assert.equal(
      (
        await t.app.inject({
          method: 'PUT',
          url: '/api/guardrails/settings',
          headers: bearer(editor),
          payload: settings,
        })
      ).statusCode,
      403,
    );
    assert.equal(
      (await t.app.inject({ method: 'PUT', url: '/api/guardrails/settings', headers: bearer(a), payload: settings }))
        .statusCode,
      200,
    );
    assert.deepEqual(
      (await t.app.inject({ url: '/api/guardrails/settings', headers: bearer(editor) })).json(),
      settings,
    );
    const regional = (await post('/api/guardrails/evaluate', { blueprint: vm('t3.micro') }, editor)).json();
    assert.ok(
      regional.results.some(
        (r: { status: string; message: string }) => r.status === 'failed' && /us-east-1/.test(r.message),
      ),
    );
    const budget = (await post('/api/guardrails/evaluate', { blueprint: vm('m5.large'), budgetMonthly: 10 })).json();
    assert.equal(budget.passed, false);
  });

  it('feeds the projects’ stats summary from the cost engine', async () => {
    const c = await registerTenant(t.app, 'EnginesCost');
    const bp = (await post('/api/blueprints', vm('t3.micro', { count: 2 }), c)).json();
    await post('/api/projects', { name: 'one', environment: 'dev', blueprintIds: [bp.id] }, c);
    await post('/api/projects', { name: 'two', environment: 'prod', blueprintIds: [bp.id] }, c);
    const summary = (await t.app.inject({ url: '/api/projects/stats/summary', headers: bearer(c) })).json();
    // Two projects × two VMs × (t3.micro 7.59 + 8 GB gp3 root disk 0.64).
    assert.equal(summary.estimatedMonthlyCost, 2 * 2 * 8.23);
  });
});
