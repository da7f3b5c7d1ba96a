import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileUserSchema } from '../../../src/engines/user-schema.js';
import { EngineError } from '../../../src/engines/errors.js';
import { LIMITS } from '../../../src/engines/limits.js';

const refused = (code: string, path: string) => (e: unknown) => {
  assert.ok(e instanceof EngineError, String(e));
  assert.equal(e.code, code, e.message);
  assert.equal(e.path, path);
  return true;
};

test('patterns run in linear time: ^(a+)+$ against 34 a and a "!" (and a million a) returns at once', () => {
  const v = compileUserSchema({ type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } });
  const started = process.hrtime.bigint();
  assert.equal(v({ s: `${'a'.repeat(34)}!` }), false);
  assert.equal(v({ s: `${'a'.repeat(1_000_000)}!` }), false);
  assert.equal(v({ s: 'aaaa' }), true);
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 5_000, 'bounded, no backtracking');
  const props = compileUserSchema({ type: 'object', patternProperties: { '^(x+)+$': { type: 'integer' } } });
  assert.equal(props({ [`${'x'.repeat(40)}`]: 'no' }), false);
  assert.equal(props({ [`${'x'.repeat(40)}!`]: 'fine' }), true);
});

// Patterns from a grammar both engines read the same way: RE2 must agree with JavaScript's RegExp.
const atom = fc.oneof(
  fc.constantFrom('a', 'b', 'c', '.', '[ab]', '[^a]', '\\d', '\\w', '\\s', 'é'),
  fc.constantFrom('(a|b)', '(ab)', '(?:c|a)'),
);
const piece = fc.tuple(atom, fc.constantFrom('', '*', '+', '?', '{1,2}')).map(([a, q]) => a + q);
const pattern = fc
  .tuple(fc.boolean(), fc.array(piece, { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([start, pieces, end]) => (start ? '^' : '') + pieces.join('') + (end ? '$' : ''));

test('property: on ordinary patterns RE2 matches exactly what JavaScript would', () => {
  fc.assert(
    fc.property(
      pattern,
      fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1', ' ', 'é', 'x'), maxLength: 8 }),
      (p, s) => {
        const v = compileUserSchema({ type: 'object', properties: { s: { type: 'string', pattern: p } } });
        assert.equal(v({ s }), new RegExp(p, 'u').test(s), `/${p}/ on ${JSON.stringify(s)}`);
      },
    ),
    { numRuns: 300, seed: 3 },
  );
});

test('a pattern RE2 cannot compile is refused with the pointer of the field', () => {
  assert.throws(
    () => compileUserSchema({ properties: { a: { type: 'string', pattern: '(?=a)a' } } }),
    refused('invalid_parameters', '/parameters/properties/a/pattern'),
  );
  assert.throws(
    () => compileUserSchema({ patternProperties: { 'a/(b)\\1': {} } }, '/blueprint/parameters'),
    refused('invalid_parameters', '/blueprint/parameters/patternProperties/a~1(b)\\1'),
  );
  assert.throws(
    () => compileUserSchema({ properties: { a: { pattern: 'x'.repeat(LIMITS.maxPatternLength + 1) } } }),
    refused('limit_exceeded', '/parameters/properties/a/pattern'),
  );
  // "pattern" inside data keywords is data, not a pattern.
  assert.doesNotThrow(() => compileUserSchema({ enum: [{ pattern: '(?=' }], default: { pattern: '(?=' } }));
});

test('each schema is compiled alone: the same $id twice, or the meta-schema id, leaves everything else intact', () => {
  const shared = 'https://schemas.example/p.json';
  const strings = compileUserSchema({ $id: shared, type: 'object', properties: { p: { type: 'string' } } });
  const numbers = compileUserSchema({ $id: shared, type: 'object', properties: { p: { type: 'integer' } } });
  assert.equal(strings({ p: 'x' }), true);
  assert.equal(strings({ p: 1 }), false);
  assert.equal(numbers({ p: 1 }), true);
  assert.equal(numbers({ p: 'x' }), false);
  const meta = compileUserSchema({
    $id: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { p: { type: 'boolean' } },
  });
  assert.equal(meta({ p: true }), true);
  assert.equal(meta({ p: 'yes' }), false);
  // The meta-schema is untouched: invalid schemas are still refused, valid ones still compile.
  assert.throws(() => compileUserSchema({ type: 'nope' }), refused('invalid_parameters', '/parameters/type'));
  assert.equal(compileUserSchema({ type: 'object', properties: { q: { type: 'string' } } })({ q: 'x' }), true);
  assert.equal(strings({ p: 'still' }), true, 'earlier validators keep their own schema');
});

test('remote references, other drafts, too many nodes and too deep schemas are refused before compiling', () => {
  assert.throws(
    () => compileUserSchema({ properties: { a: { $ref: 'https://evil.example/s.json' } } }),
    refused('invalid_parameters', '/parameters/properties/a/$ref'),
  );
  assert.throws(
    () => compileUserSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema' }),
    refused('invalid_parameters', '/parameters/$schema'),
  );
  const wide = Object.fromEntries(Array.from({ length: LIMITS.maxSchemaNodes }, (_, i) => [`p${i}`, {}]));
  assert.throws(
    () => compileUserSchema({ properties: wide }),
    (e: unknown) => (e as EngineError).code === 'limit_exceeded',
  );
  let deep: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < 50_000; i++) deep = { items: deep };
  assert.throws(
    () => compileUserSchema(deep),
    (e: unknown) => (e as EngineError).code === 'limit_exceeded',
  );
});
