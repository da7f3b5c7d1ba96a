import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ParamRefSyntaxError, parseTemplate, PARAM_NAME, wholeParamRef } from '../../../src/engines/param-ref.js';
import { stableJson } from '../../../src/lib/stable-json.js';
import { escapePointer, pointer } from '../../../src/lib/json-pointer.js';
import { tooDeep, MAX_DEPTH } from '../../../src/engines/limits.js';
import { globalNameSuffix } from '../../../src/engines/names.js';

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,20}$/);
const literal = fc.string({ maxLength: 6 }).filter((s) => !s.includes('${param.'));

test('property: a template is parsed back into exactly its literals and references', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          literal,
          name.map((n) => ({ param: n })),
        ),
        { maxLength: 6 },
      ),
      (parts) => {
        const text = parts.map((p) => (typeof p === 'string' ? p : `\${param.${p.param}}`)).join('');
        const parsed = parseTemplate(text);
        if (!parts.some((p) => typeof p !== 'string')) return assert.equal(parsed, undefined);
        const joined = parsed!.parts.map((p) => (typeof p === 'string' ? p : `\${param.${p.param}}`)).join('');
        assert.equal(joined, text);
        assert.deepEqual(
          parsed!.parts.filter((p) => typeof p !== 'string'),
          parts.filter((p) => typeof p !== 'string'),
        );
      },
    ),
    { numRuns: 300, seed: 5 },
  );
});

test('the grammar: whole references keep their place, malformed ones are errors, not text', () => {
  assert.equal(wholeParamRef('${param.size}'), 'size');
  assert.equal(wholeParamRef('x-${param.size}'), undefined);
  assert.equal(parseTemplate('${other} and $param.x'), undefined);
  for (const bad of ['${param.}', '${param.a b}', '${param.x', 'a-${param.1x}', '${param.é}'])
    assert.throws(() => parseTemplate(bad), ParamRefSyntaxError, bad);
  assert.ok(PARAM_NAME.test('web-size_2') && !PARAM_NAME.test('2web'));
});

test('property: stableJson is JSON with sorted keys, whatever the key order', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const s = stableJson(v);
      assert.deepEqual(JSON.parse(s), JSON.parse(JSON.stringify(v)));
      const shuffled = JSON.parse(JSON.stringify(v), (_k, x) =>
        x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x,
      );
      assert.equal(stableJson(shuffled), s);
    }),
    { numRuns: 300, seed: 8 },
  );
  assert.equal(stableJson({ b: 1, a: [true, null, 'x'] }), '{"a":[true,null,"x"],"b":1}');
});

test('stableJson and the depth check handle nesting far beyond the call stack', () => {
  const deep = JSON.parse('['.repeat(200_000) + '1' + ']'.repeat(200_000));
  assert.equal(stableJson(deep).length, 400_001);
  assert.deepEqual(
    tooDeep(deep),
    Array.from({ length: MAX_DEPTH }, () => 0),
  );
  assert.equal(tooDeep({ a: { b: 1 } }), undefined);
});

test('JSON Pointer escaping: "~" then "/"', () => {
  assert.equal(escapePointer('a/b~c'), 'a~1b~0c');
  assert.equal(pointer('resources', 0, 'x~/y'), '/resources/0/x~0~1y');
});

test('global name suffixes: per tenant and blueprint, deterministic, hex', () => {
  const spec = { id: 'bp-1', name: 'web' };
  assert.equal(globalNameSuffix('t1', spec), globalNameSuffix('t1', spec));
  assert.notEqual(globalNameSuffix('t1', spec), globalNameSuffix('t2', spec));
  assert.notEqual(globalNameSuffix('t1', spec), globalNameSuffix('t1', { id: 'bp-2', name: 'web' }));
  assert.notEqual(globalNameSuffix('t1', { name: 'inline' }), globalNameSuffix('t2', { name: 'inline' }));
  assert.match(globalNameSuffix(undefined, spec), /^[0-9a-f]{8}$/);
});
