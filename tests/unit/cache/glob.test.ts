import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileGlob, GlobError, MAX_WILDCARDS, routePart } from '../../../src/infra/cache/glob.js';

/** A reference matcher: the glob as an anchored RegExp (fine for small inputs, exponential for hostile ones). */
function reference(glob: string, key: string): boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(key);
}

describe('cache globs', () => {
  it('matches *, ?, classes, ranges, negation and escapes as Redis does', () => {
    const m = (g: string, k: string) => compileGlob(g).matches(k);
    assert.ok(m('blueprints:*', 'blueprints:list?limit=20'));
    assert.ok(!m('blueprints:*', 'projects:list'));
    assert.ok(m('b?ue', 'blue'));
    assert.ok(m('[a-c]x', 'bx') && !m('[a-c]x', 'dx'));
    assert.ok(m('[^a-c]x', 'dx') && !m('[^a-c]x', 'ax'));
    assert.ok(m('[!a]x', 'bx'));
    assert.ok(m('a\\*b', 'a*b') && !m('a\\*b', 'axb'));
    assert.ok(m('[z-a]', 'm'), 'a reversed range is the same range');
    assert.ok(m('***', '') && m('a**', 'abc'));
  });

  it('agrees with a reference matcher on * and ? patterns (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', ':', '*', '?');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', ':'), maxLength: 12 }),
        (glob, key) => {
          fc.pre((glob.match(/[*?]/g) ?? []).length <= MAX_WILDCARDS);
          assert.equal(compileGlob(glob).matches(key), reference(glob, key), `${glob} ~ ${key}`);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('answers a pattern that makes backtracking matchers explode, promptly', () => {
    const glob = `${'*a'.repeat(MAX_WILDCARDS)}b`;
    const key = 'a'.repeat(5000);
    const start = performance.now();
    assert.equal(compileGlob(glob).matches(key), false);
    // A correctness bound (no hang): a backtracking matcher would not return in any bound.
    assert.ok(performance.now() - start < 2000);
  });

  it('refuses malformed patterns and too many wildcards with a reason', () => {
    assert.throws(() => compileGlob('['), GlobError);
    assert.throws(() => compileGlob('a[bc'), /unterminated character class/);
    assert.throws(() => compileGlob('a\\'), /unfinished escape/);
    assert.throws(
      () =>
        compileGlob(
          '*'
            .repeat(MAX_WILDCARDS + 1)
            .split('')
            .join('x'),
        ),
      /more than 16 wildcards/,
    );
  });

  it('matches admin patterns against the route part of a key only', () => {
    assert.equal(routePart('cache:0192-tenant:blueprints:list?limit=1'), 'blueprints:list?limit=1');
    assert.equal(routePart('cache:'), '');
  });
});
