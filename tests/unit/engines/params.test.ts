import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareBlueprint, resolveValue } from '../../../src/engines/blueprint.js';
import { resolveParameterValues, validatorCompileCount } from '../../../src/engines/params.js';
import { generateTerraform } from '../../../src/engines/terraform/index.js';
import { estimateCost } from '../../../src/engines/cost/index.js';
import { EngineError } from '../../../src/engines/errors.js';
import type { BlueprintResource, BlueprintSpec } from '../../../src/engines/types.js';

const bp = (resources: BlueprintResource[], parameters: Record<string, unknown> = {}): BlueprintSpec => ({
  id: 'bp-1',
  version: '1.0.0',
  name: 'p',
  provider: 'aws',
  region: 'us-east-1',
  parameters,
  tags: {},
  resources,
});
const code = (c: string, path?: string) => (e: unknown) => {
  assert.ok(e instanceof EngineError, String(e));
  assert.equal(e.code, c, e.message);
  if (path !== undefined) assert.equal(e.path, path);
  return true;
};

const schema = {
  type: 'object',
  properties: {
    size: { type: 'string', default: 't3.micro' },
    disk: { type: 'integer', minimum: 8, default: 20 },
    env: { type: 'string' },
  },
  required: ['env'],
};

test('defaults are applied and whole references keep their type, embedded ones interpolate', () => {
  const prepared = prepareBlueprint(
    bp(
      [
        { name: 'web', type: 'vm', properties: { size: '${param.size}', diskGb: '${param.disk}' } },
        { name: 'sg', type: 'security_group', properties: { description: 'web-${param.env}-${param.disk}' } },
      ],
      schema,
    ),
    { env: 'prod' },
  );
  assert.equal(prepared.resources[0]!.props.size, 't3.micro');
  assert.equal(prepared.resources[0]!.props.diskGb, 20);
  assert.equal(prepared.resources[1]!.props.description, 'web-prod-20');
  assert.deepEqual(prepared.values, { env: 'prod', size: 't3.micro', disk: 20 });
});

test('parameters violating the schema are invalid_parameters with a pointer', () => {
  assert.throws(() => resolveParameterValues(bp([], schema), {}), code('invalid_parameters', '/parameters'));
  assert.throws(
    () => resolveParameterValues(bp([], schema), { env: 'x', disk: 2 }),
    code('invalid_parameters', '/parameters/disk'),
  );
  assert.throws(
    () => resolveParameterValues(bp([], schema), { env: 5 }),
    code('invalid_parameters', '/parameters/env'),
  );
});

test('unresolved ${param.x} is unresolved_parameter at its property path', () => {
  assert.throws(
    () => prepareBlueprint(bp([{ name: 'web', type: 'vm', properties: { size: '${param.nope}' } }]), {}),
    code('unresolved_parameter', '/resources/0/properties/size'),
  );
  assert.throws(
    () =>
      estimateCost(
        bp([
          {
            name: 'q',
            type: 'security_group',
            properties: { ingress: [{ fromPort: 1, toPort: 2, cidr: '${param.cidr}' }] },
          },
        ]),
        {},
      ),
    code('unresolved_parameter', '/resources/0/properties/ingress/0/cidr'),
  );
  assert.throws(() => resolveValue('a-${param.}', {}, '/x'), code('unresolved_parameter'));
});

test('validators are compiled once per blueprint version and schema', () => {
  const b = bp([], { type: 'object', properties: { only: { type: 'string', default: 'x' } } });
  resolveParameterValues(b, {});
  const before = validatorCompileCount();
  for (let i = 0; i < 50; i++) resolveParameterValues(b, { only: `v${i}` });
  assert.equal(validatorCompileCount(), before);
  resolveParameterValues({ ...b, version: '1.1.0' }, {});
  assert.equal(validatorCompileCount(), before + 1);
});

test('remote $ref is refused; local $ref works', () => {
  assert.throws(
    () =>
      resolveParameterValues(bp([], { type: 'object', properties: { a: { $ref: 'https://example.com/s.json' } } }), {}),
    code('invalid_parameters', '/parameters/properties/a/$ref'),
  );
  assert.throws(() => resolveParameterValues(bp([], { $ref: 'other.json#/x' }), {}), code('invalid_parameters'));
  const local = {
    type: 'object',
    $defs: { size: { type: 'string', enum: ['s', 'm'] } },
    properties: { a: { $ref: '#/$defs/size' } },
  };
  assert.deepEqual(resolveParameterValues(bp([], local), { a: 's' }), { a: 's' });
  assert.throws(() => resolveParameterValues(bp([], local), { a: 'xl' }), code('invalid_parameters'));
});

test('resource references must name a resource of the right type', () => {
  assert.throws(
    () => prepareBlueprint(bp([{ name: 'web', type: 'vm', properties: { subnet: 'ghost' } }])),
    code('invalid_reference', '/resources/0/properties/subnet'),
  );
  assert.throws(
    () =>
      prepareBlueprint(
        bp([
          { name: 'q', type: 'queue', properties: {} },
          { name: 'lb', type: 'load_balancer', properties: { subnets: ['q'] } },
        ]),
      ),
    code('invalid_reference', '/resources/1/properties/subnets/0'),
  );
});

test('catalogue violations are invalid_property; structure problems invalid_blueprint', () => {
  assert.throws(
    () => prepareBlueprint(bp([{ name: 'b', type: 'bucket', properties: { encypted: false } }])),
    code('invalid_property', '/resources/0/properties/encypted'),
  );
  assert.throws(
    () => prepareBlueprint(bp([{ name: 'b', type: 'bucket', properties: { public: 'yes' } }])),
    code('invalid_property', '/resources/0/properties/public'),
  );
  assert.throws(
    () =>
      prepareBlueprint(
        bp([
          { name: 'b', type: 'bucket', properties: {} },
          { name: 'b', type: 'queue', properties: {} },
        ]),
      ),
    code('invalid_blueprint', '/resources/1/name'),
  );
  assert.throws(
    () => prepareBlueprint(bp([{ name: 'x', type: 'teleporter' as 'vm', properties: {} }])),
    code('invalid_blueprint', '/resources/0/type'),
  );
  assert.throws(
    () => generateTerraform({ ...bp([]), provider: 'oracle' as 'aws' }, {}),
    code('unsupported_provider', '/provider'),
  );
});

test('absurd counts, too many instances and deep nesting are limit_exceeded, quickly', () => {
  const started = process.hrtime.bigint();
  assert.throws(
    () => prepareBlueprint(bp([{ name: 'q', type: 'queue', count: 1_000_000, properties: {} }])),
    code('limit_exceeded', '/resources/0/count'),
  );
  assert.throws(
    () => prepareBlueprint(bp([{ name: 'q', type: 'queue', count: 0, properties: {} }])),
    code('limit_exceeded'),
  );
  const many = Array.from({ length: 200 }, (_, i) => ({
    name: `q${i}`,
    type: 'queue' as const,
    count: 100,
    properties: {},
  }));
  assert.throws(() => prepareBlueprint(bp(many)), code('limit_exceeded'));
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 5000; i++) deep = { d: deep };
  assert.throws(() => prepareBlueprint(bp([{ name: 'q', type: 'queue', properties: deep }])), code('limit_exceeded'));
  assert.throws(() => resolveParameterValues(bp([], { type: 'object' }), deep), code('limit_exceeded'));
  assert.throws(() => resolveParameterValues(bp([], deep), {}), code('limit_exceeded'));
  assert.throws(
    () =>
      prepareBlueprint(
        bp(Array.from({ length: 201 }, (_, i) => ({ name: `q${i}`, type: 'queue' as const, properties: {} }))),
      ),
    code('limit_exceeded', '/resources'),
  );
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 2000, 'limits are enforced without heavy work');
});

test('count may come from a parameter', () => {
  const p = prepareBlueprint(
    bp([{ name: 'q', type: 'queue', count: '${param.n}' as unknown as number, properties: {} }], {
      type: 'object',
      properties: { n: { type: 'integer', default: 3 } },
    }),
  );
  assert.deepEqual(p.resources[0]!.instances, ['aws_sqs_queue.q[0]', 'aws_sqs_queue.q[1]', 'aws_sqs_queue.q[2]']);
});
