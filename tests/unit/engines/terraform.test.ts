/* eslint-disable @typescript-eslint/no-explicit-any -- parsed HCL and YAML are untyped trees */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { format } from '@cdktf/hcl-tools';
import { parse } from '@cdktf/hcl2json';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { generateTerraform } from '../../../src/engines/terraform/index.js';
import { hashFiles } from '../../../src/engines/hash.js';
import { PROVIDERS, RESOURCE_TYPES } from '../../../src/engines/types.js';
import { TERRAFORM_TYPES } from '../../../src/engines/catalogue-mappings.js';
import { fullBlueprint, singleTypeBlueprints } from './fixtures.js';
import { randomBlueprint } from './arbitraries.js';

type Parsed = Record<string, any>;

async function checkFiles(files: Array<{ path: string; content: string }>): Promise<Record<string, Parsed>> {
  assert.deepEqual(
    files.map((f) => f.path),
    ['terraform.tf', 'providers.tf', 'main.tf', 'variables.tf', 'outputs.tf'],
  );
  const parsed: Record<string, Parsed> = {};
  for (const f of files) {
    assert.equal(await format(f.content), f.content, `${f.path} is not in terraform fmt form`);
    parsed[f.path] = await parse(f.path, f.content);
  }
  return parsed;
}

for (const provider of PROVIDERS) {
  test(`every catalogue type parses and is fmt-canonical on ${provider}`, async () => {
    const blueprints = singleTypeBlueprints(provider);
    const covered = new Set(blueprints.map((b) => b.resources[b.resources.length - 1]!.type));
    assert.deepEqual([...covered].sort(), [...RESOURCE_TYPES].sort());
    for (const bp of blueprints) {
      const out = generateTerraform(bp, {});
      const parsed = await checkFiles(out.files);
      const last = bp.resources[bp.resources.length - 1]!;
      const mapping = TERRAFORM_TYPES[last.type][provider];
      const tfType = typeof mapping === 'string' ? mapping : mapping.postgres;
      assert.ok(parsed['main.tf']!.resource?.[tfType]?.[last.name], `${tfType}.${last.name} missing for ${last.type}`);
    }
  });

  test(`full ${provider} blueprint: files, pinned providers, variables and outputs`, async () => {
    const out = generateTerraform(fullBlueprint(provider), {});
    const parsed = await checkFiles(out.files);
    const tf = parsed['terraform.tf']!.terraform[0];
    assert.equal(tf.required_version, '>= 1.5.0');
    const providers = tf.required_providers[0];
    for (const p of Object.values(providers) as Array<{ source: string; version: string }>)
      assert.match(p.version, /^~> \d+\.\d+$/);
    assert.ok(providers.random, 'random provider pinned for the database password');
    const vars = parsed['variables.tf']!.variable;
    for (const v of Object.values(vars) as any[]) {
      assert.ok(v[0].type && v[0].description, 'every variable has a type and a description');
    }
    for (const o of Object.values(parsed['outputs.tf']!.output) as any[]) assert.ok(o[0].description && o[0].value);
    assert.ok(out.resourceCount >= fullBlueprint(provider).resources.length);
  });
}

test('aws: default_tags, zones data source, IAM role for the function, count and var references', async () => {
  const out = generateTerraform(fullBlueprint('aws'), { env: 'prod' });
  const [, providers, main, variables] = out.files;
  assert.match(providers!.content, /default_tags \{/);
  // The tag stays wired to its parameter: overriding var.env at apply time retags everything.
  assert.match(providers!.content, /Environment = var\.env/);
  assert.match(variables!.content, /variable "env" \{[^}]*default += "prod"/);
  assert.match(main!.content, /data "aws_availability_zones" "available"/);
  assert.match(main!.content, /resource "aws_iam_role" "fn"/);
  assert.match(main!.content, /resource "random_password" "db"/);
  assert.match(main!.content, /resource "aws_instance" "web" \{\n {2}count = 2\n/);
  assert.match(main!.content, /instance_type += var\.webSize/);
});

test('azure: resource group, NIC per VM and tags via locals', () => {
  const main = generateTerraform(fullBlueprint('azure'), {}).files[2]!.content;
  assert.match(main, /resource "azurerm_resource_group" "main"/);
  assert.match(main, /resource "azurerm_network_interface" "web"/);
  assert.match(main, /network_interface_ids += \[azurerm_network_interface\.web\[count\.index\]\.id\]/);
  assert.match(main, /tags += local\.tags/);
});

test('gcp: zones data source and labels in the provider', () => {
  const out = generateTerraform(fullBlueprint('gcp'), {});
  assert.match(out.files[1]!.content, /default_labels = \{/);
  assert.match(out.files[2]!.content, /data "google_compute_zones" "available"/);
});

test('embedded parameter references become template interpolations; literal ${ is escaped', async () => {
  const bp = fullBlueprint('aws');
  bp.resources = [
    { name: 'sg', type: 'security_group', properties: { description: 'sg for ${param.env} and ${literal}' } },
  ];
  const main = generateTerraform(bp, {}).files[2]!.content;
  assert.match(main, /description = "sg for \$\{var\.env\} and \$\$\{literal\}"/);
  await parse('main.tf', main);
});

test('output is deterministic and hashFiles covers paths and contents in order', () => {
  const a = generateTerraform(fullBlueprint('gcp'), {});
  const b = generateTerraform(fullBlueprint('gcp'), {});
  assert.deepEqual(a, b);
  assert.equal(hashFiles(a.files), hashFiles(b.files));
  assert.match(hashFiles(a.files), /^[0-9a-f]{64}$/);
  const swapped = [{ path: 'a', content: 'bc' }];
  assert.notEqual(hashFiles(swapped), hashFiles([{ path: 'ab', content: 'c' }]));
  assert.notEqual(hashFiles(a.files), hashFiles([...a.files].reverse()));
  // Stored hashes must not move: SHA-256 over "<utf-8 byte length>:<bytes>" of each path and content.
  assert.equal(
    hashFiles([{ path: 'ü.tf', content: 'a = "✓ 😀"\n' }]),
    createHash('sha256').update('5:ü.tf').update('15:a = "✓ 😀"\n').digest('hex'),
  );
});

test('random blueprints: parse, fmt fixed point, deterministic', async () => {
  await fc.assert(
    fc.asyncProperty(randomBlueprint(), async (bp) => {
      const one = generateTerraform(bp, {});
      assert.deepEqual(generateTerraform(bp, {}), one);
      await checkFiles(one.files);
    }),
    { numRuns: 30, seed: 42 },
  );
});
