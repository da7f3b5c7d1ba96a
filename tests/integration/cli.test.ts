import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { main } from '../../src/cli/main.js';
import { bearer, blueprintBody, registerTenant, startTestApp, type Account, type TestApp } from '../helpers/app.js';
import { API_VMS, withResource } from './suites/review.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `npx iac-dharma …` from the repository, as a CI job runs it: the real bin, a real process. */
function npx(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['exec', '--offline', '--', 'iac-dharma', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The CLI in this process (same code as the bin), for the many small cases. */
async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, env, { out: (s) => void (stdout += s), err: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

describe('iac-dharma CLI', () => {
  let t: TestApp;
  let a: Account;
  let dir: string;
  let oldFile: string;
  let newFile: string;
  let base: string;
  const post = async (url: string, payload: unknown) => {
    const res = await t.app.inject({ method: 'POST', url, headers: bearer(a), payload: payload as object });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  before(async () => {
    t = await startTestApp('embedded');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    a = await registerTenant(t.app, 'CliTenant');
    dir = await mkdtemp(join(tmpdir(), 'iac-dharma-cli-'));
    oldFile = join(dir, 'old.json');
    newFile = join(dir, 'new.yaml');
    await writeFile(oldFile, JSON.stringify(blueprintBody(), null, 2));
    await writeFile(newFile, toYaml(withResource(API_VMS)));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await t.close();
  });

  it('npx iac-dharma prints the same figures as the API for cost, guardrails, generate and diff', async () => {
    const blueprint = blueprintBody();
    const [cost, guard, gen, diff] = await Promise.all([
      npx(['cost', oldFile, '--format', 'json']),
      npx(['guardrails', oldFile, '-f', 'json']),
      npx(['generate', oldFile, '--iac', 'cloudformation', '-f', 'json']),
      npx(['diff', oldFile, newFile, '-f', 'json']),
    ]);
    for (const r of [cost, guard, gen, diff]) assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(cost.stdout), await post('/api/cost/estimate', { blueprint }));
    assert.deepEqual(JSON.parse(guard.stdout), await post('/api/guardrails/evaluate', { blueprint }));
    assert.deepEqual(JSON.parse(gen.stdout), await post('/api/iac/generate', { blueprint, format: 'cloudformation' }));
    const review = await post('/api/review', { from: blueprint, to: withResource(API_VMS) });
    assert.deepEqual(JSON.parse(diff.stdout), review);
    assert.equal(review.cost.diffTotalMonthlyCost, 103.98);
  });

  it('diff exits non-zero past --max-increase (USD or %), zero within it', async () => {
    const over = await npx(['diff', oldFile, newFile, '--max-increase', '50']);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /monthly cost rises by \+\$103\.98 .*above --max-increase \$50\.00/);
    assert.match(over.stdout, /^aws_instance\.api\[0\] +added +– +\$34\.66 +\+\$34\.66$/m);
    assert.match(over.stdout, /^TOTAL +\$16\.46 +\$120\.44 +\+\$103\.98$/m);

    const within = await cli(['diff', oldFile, newFile, '--max-increase', '103.98']);
    assert.equal(within.code, 0, within.stderr);
    const pct = await cli(['diff', oldFile, newFile, '--max-increase', '600%']);
    assert.equal(pct.code, 1, 'a 632% rise is past 600%');
    assert.equal((await cli(['diff', oldFile, newFile, '--max-increase', '700%'])).code, 0);
    const cheaper = await cli(['diff', newFile, oldFile, '--max-increase', '0']);
    assert.equal(cheaper.code, 0, 'a decrease never fails');
  });

  it('fails CI when a soft or hard guardrail fails; advisory findings only warn', async () => {
    const untagged = join(dir, 'untagged.json');
    await writeFile(untagged, JSON.stringify(blueprintBody({ tags: { Environment: 'dev' } })));
    const g = await cli(['guardrails', untagged]);
    assert.equal(g.code, 1);
    assert.match(
      g.stderr,
      /soft guardrail required-tags fails on aws_instance\.web\[0\]: missing required tags: Owner, CostCenter/,
    );
    assert.match(g.stdout, /guardrails FAILED/);
    assert.equal((await cli(['guardrails', newFile])).code, 0, 'a public IP is advisory');

    const anyFailing = await cli(['diff', oldFile, untagged]);
    assert.equal(anyFailing.code, 1);
    const onlyNew = await cli(['diff', untagged, untagged, '--fail-on', 'new']);
    assert.equal(onlyNew.code, 0, 'nothing newly fails');
    assert.equal((await cli(['diff', oldFile, untagged, '--fail-on', 'new'])).code, 1);
  });

  it('fetches stored blueprints and versions from a server, with its guardrail settings, as the API reviews them', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/blueprints',
      headers: bearer(a),
      payload: blueprintBody(),
    });
    const id = created.json().id;
    await t.app.inject({
      method: 'PUT',
      url: `/api/blueprints/${id}`,
      headers: bearer(a),
      payload: withResource(API_VMS),
    });
    await t.app.inject({
      method: 'PUT',
      url: '/api/guardrails/settings',
      headers: bearer(a),
      payload: { allowedRegions: [], allowedSizes: ['t3.micro'], requiredTags: [] },
    });
    const env = { IAC_DHARMA_SERVER: base, IAC_DHARMA_TOKEN: a.token };

    const diff = await npx(['diff', `blueprint:${id}@1.0.0`, `blueprint:${id}`, '-f', 'json'], env);
    assert.equal(diff.code, 1, 'allowed-sizes (hard) fails on the t3.medium instances');
    const api = (await t.app.inject({ url: `/api/blueprints/${id}/diff`, headers: bearer(a) })).json();
    assert.deepEqual(JSON.parse(diff.stdout), api);
    assert.ok(api.guardrails.newlyFailing.some((g: { ruleId: string }) => g.ruleId === 'allowed-sizes'));

    const cost = await cli(['cost', `blueprint:${id}@1.1.0`, '-f', 'json', '--server', base, '--token', a.token]);
    assert.equal(cost.code, 0, cost.stderr);
    assert.deepEqual(JSON.parse(cost.stdout), await post('/api/cost/estimate', { blueprintId: id }));

    const other = await registerTenant(t.app, 'CliOther');
    const denied = await cli(['cost', `blueprint:${id}`, '--server', base, '--token', other.token]);
    assert.equal(denied.code, 2);
    assert.match(denied.stderr, /404 Blueprint not found/);
    const noServer = await cli(['cost', `blueprint:${id}`]);
    assert.equal(noServer.code, 2);
    assert.match(noServer.stderr, /needs --server/);
  });

  it('writes generated files, and renders a markdown pull-request comment', async () => {
    const out = join(dir, 'tf');
    const gen = await cli(['generate', newFile, '--out', out]);
    assert.equal(gen.code, 0, gen.stderr);
    const api = await post('/api/iac/generate', { blueprint: withResource(API_VMS), format: 'terraform' });
    for (const f of api.files) assert.equal(await readFile(join(out, f.path), 'utf8'), f.content);
    assert.match(gen.stdout, new RegExp(`sha256 ${api.hash}`));

    const md = await cli(['diff', oldFile, newFile, '-f', 'markdown']);
    assert.equal(md.code, 0);
    assert.match(md.stdout, /^\| `aws_instance\.api\[2\]` \| added \| – \| \$34\.66 \| \+\$34\.66 \|$/m);
    assert.match(md.stdout, /^\| \*\*Total\*\* \| {2}\| \$16\.46 \| \$120\.44 \| \*\*\+\$103\.98\*\* \|$/m);
    assert.match(md.stdout, /<summary>terraform diff: 2 file\(s\)/);
    assert.match(md.stdout, /^\+resource "aws_instance" "api" \{$/m);
  });

  it('answers bad usage and invalid input with exit code 2 and the failing field', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, toYaml(blueprintBody({ provider: 'ibm' })));
    const invalid = await cli(['cost', bad]);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /bad\.yaml: not a valid blueprint\n {2}\/provider: /);
    const sku = join(dir, 'sku.json');
    await writeFile(
      sku,
      JSON.stringify(withResource({ ...API_VMS, properties: { ...API_VMS.properties, size: 'x9.huge' } })),
    );
    const unknown = await cli(['diff', oldFile, sku]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /sku\.json: .*x9\.huge.* \(at \/resources\/3\/properties\/size\)/);
    assert.equal((await cli(['cost'])).code, 2);
    assert.equal((await cli(['diff', oldFile])).code, 2);
    assert.equal((await cli(['cost', oldFile, '--format', 'xml'])).code, 2);
    assert.equal((await cli(['diff', oldFile, newFile, '--max-increase', 'lots'])).code, 2);
    assert.equal((await cli(['cost', join(dir, 'missing.json')])).code, 2);
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: iac-dharma <command>/);
  });
});
