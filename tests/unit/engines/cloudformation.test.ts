/* eslint-disable @typescript-eslint/no-explicit-any -- parsed HCL and YAML are untyped trees */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import fc from 'fast-check';
import { generateCloudFormation, cidrSubnet } from '../../../src/engines/cloudformation.js';
import { CLOUDFORMATION_TYPES } from '../../../src/engines/catalogue-mappings.js';
import { EngineError } from '../../../src/engines/errors.js';
import { fullBlueprint, singleTypeBlueprints } from './fixtures.js';
import { randomBlueprint } from './arbitraries.js';

// AWS's published CloudFormation resource specification, as shipped by @aws-cdk/cfnspec.
const spec = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('@aws-cdk/cfnspec/spec/specification.json'), 'utf8'),
) as {
  ResourceTypes: Record<string, { Properties: Record<string, SpecProp> }>;
  PropertyTypes: Record<string, { Properties?: Record<string, SpecProp> }>;
};
interface SpecProp {
  Required?: boolean;
  Type?: string;
  ItemType?: string;
  PrimitiveType?: string;
}

const isIntrinsic = (v: unknown) =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.keys(v).some((k) => k === 'Ref' || k.startsWith('Fn::'));

function checkObject(
  where: string,
  resourceType: string,
  props: Record<string, SpecProp>,
  value: Record<string, unknown>,
): void {
  for (const [name, p] of Object.entries(props)) {
    if (p.Required) assert.ok(value[name] !== undefined, `${where}: required property ${name} missing`);
  }
  for (const [name, v] of Object.entries(value)) {
    const p = props[name];
    assert.ok(p, `${where}: property ${name} is not in the specification`);
    const typeName = p.Type === 'List' || p.Type === 'Map' ? p.ItemType : p.Type;
    if (!typeName || isIntrinsic(v)) continue;
    const sub = spec.PropertyTypes[`${resourceType}.${typeName}`] ?? spec.PropertyTypes[typeName];
    if (!sub?.Properties) continue;
    const items = p.Type === 'List' ? (v as unknown[]) : p.Type === 'Map' ? Object.values(v as object) : [v];
    for (const item of items)
      if (!isIntrinsic(item))
        checkObject(`${where}.${name}`, resourceType, sub.Properties, item as Record<string, unknown>);
  }
}

function checkTemplate(content: string): Record<string, any> {
  const template = parse(content) as Record<string, any>;
  assert.equal(template.AWSTemplateFormatVersion, '2010-09-09');
  for (const [id, r] of Object.entries(
    template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
  )) {
    assert.match(id, /^[A-Za-z0-9]+$/);
    const type = spec.ResourceTypes[r.Type];
    assert.ok(type, `${id}: resource type ${r.Type} is not in the specification`);
    checkObject(`${id} (${r.Type})`, r.Type, type.Properties, r.Properties);
  }
  return template;
}

test('every catalogue type maps to a type of the specification', () => {
  for (const t of Object.values(CLOUDFORMATION_TYPES)) assert.ok(spec.ResourceTypes[t], t);
});

test('each single-type blueprint uses only specified types and properties, required ones set', () => {
  for (const bp of singleTypeBlueprints('aws')) {
    const out = generateCloudFormation(bp, {});
    assert.equal(out.files.length, 1);
    assert.equal(out.files[0]!.path, 'template.yaml');
    const template = checkTemplate(out.files[0]!.content);
    const last = bp.resources[bp.resources.length - 1]!;
    assert.ok(
      Object.values(template.Resources).some((r: any) => r.Type === CLOUDFORMATION_TYPES[last.type]),
      last.type,
    );
  }
});

test('full blueprint: parameters, count expansion, Ref to parameters, outputs', () => {
  const out = generateCloudFormation(fullBlueprint('aws'), { webSize: 't3.medium' });
  const t = checkTemplate(out.files[0]!.content);
  assert.equal(t.Parameters.ParamWebSize.Default, 't3.medium');
  assert.deepEqual(t.Resources.Web0.Properties.InstanceType, { Ref: 'ParamWebSize' });
  assert.ok(t.Resources.Web1);
  assert.ok(t.Outputs.Web1Id);
  assert.equal(out.resourceCount, Object.keys(t.Resources).length);
  assert.equal(
    generateCloudFormation(fullBlueprint('aws'), { webSize: 't3.medium' }).files[0]!.content,
    out.files[0]!.content,
  );
});

test('azure and gcp blueprints are refused with unsupported_provider', () => {
  for (const p of ['azure', 'gcp'] as const) {
    assert.throws(
      () => generateCloudFormation(fullBlueprint(p), {}),
      (e: unknown) => e instanceof EngineError && e.code === 'unsupported_provider',
    );
  }
});

test('random AWS blueprints stay within the specification', () => {
  fc.assert(
    fc.property(randomBlueprint(4, ['aws']), (bp) => {
      checkTemplate(generateCloudFormation(bp, {}).files[0]!.content);
    }),
    { numRuns: 40, seed: 7 },
  );
});

test('the specification check itself rejects unknown properties and missing required ones', () => {
  const bogus =
    'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Bogus: 1\n';
  assert.throws(() => checkTemplate(bogus), /not in the specification/);
  const missing =
    'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  S:\n    Type: AWS::EC2::Subnet\n    Properties: {}\n';
  assert.throws(() => checkTemplate(missing), /required property VpcId/);
});

test('cidrSubnet matches Terraform', () => {
  assert.equal(cidrSubnet('10.0.0.0/16', 8, 2), '10.0.2.0/24');
  assert.equal(cidrSubnet('10.0.1.0/24', 2, 3), '10.0.1.192/26');
});
