import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROPERTY_SCHEMAS, validateResourceProperties } from '../../../src/engines/catalogue.js';
import {
  CLOUDFORMATION_TYPES,
  PROVIDER_DEFAULTS,
  TERRAFORM_TYPES,
  resolveImage,
} from '../../../src/engines/catalogue-mappings.js';
import { EngineError } from '../../../src/engines/errors.js';
import { PROVIDERS, RESOURCE_TYPES } from '../../../src/engines/types.js';
import * as api from '../../../src/engines/index.js';

test('every resource type has a schema and a mapping for every provider', () => {
  for (const t of RESOURCE_TYPES) {
    assert.ok(PROPERTY_SCHEMAS[t], t);
    assert.ok(CLOUDFORMATION_TYPES[t], t);
    for (const p of PROVIDERS) assert.ok(TERRAFORM_TYPES[t][p], `${t}/${p}`);
  }
});

test('spec defaults: private, encrypted, unversioned, single-AZ', () => {
  assert.deepEqual(validateResourceProperties('bucket', 'aws', {}), {
    public: false,
    encrypted: true,
    versioning: false,
  });
  const db = validateResourceProperties('database', 'gcp', {});
  assert.equal(db.encrypted, true);
  assert.equal(db.publiclyAccessible, false);
  assert.equal(db.multiAz, false);
  assert.equal(db.size, PROVIDER_DEFAULTS.gcp.database!.size);
  assert.equal(validateResourceProperties('subnet', 'aws', { network: 'n', cidr: '10.0.0.0/24' }).public, false);
  assert.equal(validateResourceProperties('cache', 'azure', {}).nodes, 1);
  assert.equal(validateResourceProperties('queue', 'aws', {}).fifo, false);
});

test('validation does not mutate its input and reports pointers', () => {
  const input = { public: true };
  validateResourceProperties('bucket', 'aws', input);
  assert.deepEqual(input, { public: true });
  assert.throws(
    () => validateResourceProperties('subnet', 'aws', { network: 'n', cidr: '10.0.0.0/33' }, '/resources/3/properties'),
    (e: unknown) =>
      e instanceof EngineError && e.code === 'invalid_property' && e.path === '/resources/3/properties/cidr',
  );
  assert.throws(
    () =>
      validateResourceProperties('security_group', 'aws', {
        ingress: [{ fromPort: 30, toPort: 20, cidr: '0.0.0.0/0' }],
      }),
    (e: unknown) => e instanceof EngineError && e.path === '/properties/ingress/0/fromPort',
  );
});

test('images resolve per provider or fail with invalid_property', () => {
  assert.equal(resolveImage('ubuntu-22.04', 'aws', '/x').kind, 'ssm');
  assert.equal(resolveImage('ami-0123456789abcdef0', 'aws', '/x').kind, 'ami');
  assert.equal(resolveImage('Canonical:ubuntu-24_04-lts:server:latest', 'azure', '/x').kind, 'azure');
  assert.throws(
    () => resolveImage('amazon-linux-2023', 'gcp', '/x'),
    (e: unknown) => e instanceof EngineError && e.code === 'invalid_property',
  );
});

test('the barrel exposes the engine entry points', () => {
  for (const fn of [
    'generateTerraform',
    'generateCloudFormation',
    'estimateCost',
    'evaluateGuardrails',
    'listRules',
    'hashFiles',
    'validateResourceProperties',
  ]) {
    assert.equal(typeof (api as Record<string, unknown>)[fn], 'function', fn);
  }
});
