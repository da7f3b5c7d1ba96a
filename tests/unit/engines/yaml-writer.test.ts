import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { stringifyYaml, YAML_OPTIONS } from '../../../src/engines/yaml-writer.js';
import { cloudFormationTemplate, generateCloudFormation } from '../../../src/engines/cloudformation.js';
import { prepareBlueprint } from '../../../src/engines/blueprint.js';
import { fullBlueprint, largeBlueprint, singleTypeBlueprints } from './fixtures.js';
import { randomBlueprint } from './arbitraries.js';

const library = (v: unknown) => stringify(v, YAML_OPTIONS);

// Strings the YAML 1.1 writer must quote or may leave plain: types, indicators, comments, markers.
const TRICKY = [
  '',
  ' ',
  'a ',
  ' a',
  '-',
  '- a',
  '-a',
  '?',
  '? a',
  ':',
  'a:',
  'a: b',
  'a:b',
  'Fn::GetAtt',
  '#',
  'a #b',
  'a#b',
  '&a',
  '*a',
  '!a',
  '|',
  '>',
  "'",
  '"',
  'it\'s "x"',
  '%a',
  '@a',
  '`a',
  '[a]',
  '{a}',
  'a,b',
  '---',
  '...',
  '--- a',
  '~',
  'null',
  'Null',
  'NULL',
  'y',
  'Y',
  'n',
  'yes',
  'No',
  'on',
  'OFF',
  'true',
  'False',
  '0',
  '-1',
  '+1',
  '007',
  '0b101',
  '0x1F',
  '1_000',
  '1:20',
  '1:20.5',
  '.5',
  '1.',
  '1e3',
  '1.5e-3',
  '.inf',
  '-.Inf',
  '.nan',
  '2010-09-09',
  '2001-12-14t21:59:43.10-05:00',
  '<<',
  '0.0.0.0/0',
  '10.0.0.0/16',
  '${Param}',
  '${!Literal}',
  'arn:aws:iam::aws:policy/x',
  '/dev/sda1',
  'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
  'Blueprint parameter "x"',
  'ümlaut ✓ 😀',
  'tab\there',
  'line\nbreak',
  'ctrl\u0001',
  'x'.repeat(1500),
];

test('tricky strings as keys and values match the yaml library byte for byte', () => {
  for (const s of TRICKY) {
    const doc = { [s]: s, list: [s, { [s]: [s] }], nested: { k: s } };
    assert.equal(stringifyYaml(doc), library(doc), JSON.stringify(s));
  }
});

test('layout of nested, empty and undefined-valued collections matches the library', () => {
  const doc = {
    a: {},
    b: [],
    c: [[], {}, [1, [2, 3]], [{ x: 1, y: [] }], { p: { q: {} }, r: [[{}]] }],
    d: { u: undefined, v: 1 },
    e: { u: undefined },
    f: [true, false, 0, -5, 2.5, -0, 1e21, Number.MAX_SAFE_INTEGER + 2],
    g: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
  };
  assert.equal(stringifyYaml(doc), library(doc));
  const withNull = { a: null, b: [undefined, 1] };
  assert.equal(stringifyYaml(withNull), library(withNull)); // through the fallback
});

test('random JSON trees match the library byte for byte', () => {
  const chars = fc.constantFrom(...'aZ09 -_:#.,/\'"?!&*|>%@`[]{}~<=+\\\ty'.split(''));
  const str = fc.oneof(
    fc.string({ unit: chars, maxLength: 8 }),
    fc.constantFrom(...TRICKY.slice(0, -4)),
    fc.string({ maxLength: 6 }),
  );
  const leaf = fc.oneof(str, fc.boolean(), fc.integer(), fc.double({ noNaN: false }));
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, tie('arr'), tie('obj')),
    arr: fc.array(tie('node'), { maxLength: 4 }),
    obj: fc.dictionary(str, tie('node'), { maxKeys: 4 }),
  }));
  fc.assert(
    fc.property(fc.dictionary(str, tree.node, { minKeys: 1, maxKeys: 5 }), (doc) => {
      assert.equal(stringifyYaml(doc), library(doc));
    }),
    { numRuns: 2000, seed: 11 },
  );
});

function checkTemplate(bp: Parameters<typeof generateCloudFormation>[0]): void {
  const content = generateCloudFormation(bp, {}).files[0]!.content;
  const template = cloudFormationTemplate(prepareBlueprint(bp, {}));
  assert.equal(content, library(template));
  assert.deepEqual(parse(content, { version: '1.1' }), JSON.parse(JSON.stringify(template)));
}

test('CloudFormation templates are the library output and parse back to the same tree', () => {
  for (const bp of [fullBlueprint('aws'), largeBlueprint('aws', 50), ...singleTypeBlueprints('aws')]) checkTemplate(bp);
  fc.assert(
    fc.property(randomBlueprint(4, ['aws']), (bp) => {
      checkTemplate(bp);
    }),
    { numRuns: 40, seed: 3 },
  );
});
