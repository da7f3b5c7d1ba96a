/**
 * Redis-style globs (`*`, `?`, `[abc]`, `[^a-z]`, `\x`) compiled once and matched without
 * recursion: the greedy algorithm with a single resume point per `*`, so a key is matched in
 * O(key × pattern) steps whatever the pattern (a backtracking matcher or a RegExp is exponential
 * on `*a*a*a…b`). The pattern never reaches Redis: SCAN matches the fixed tenant namespace and
 * keys are filtered here.
 */

/** The most wildcards a pattern may hold; more is a 400 (they add nothing a shorter glob cannot say). */
export const MAX_WILDCARDS = 16;

type Token =
  { kind: 'char'; c: string } | { kind: 'any' } | { kind: 'star' } | { kind: 'class'; test: (c: string) => boolean };

/** A compiled glob. */
export interface Glob {
  readonly source: string;
  matches(key: string): boolean;
}

/**
 * The part of a cache key an admin pattern is matched against: `<family>:<route-key>`, after the
 * `cache:<tenant>:` namespace (tenant ids hold no `:`), so an operator's pattern never spans tenants.
 */
export function routePart(key: string): string {
  const afterTenant = key.indexOf(':', 6); // past "cache:"
  return afterTenant < 0 ? '' : key.slice(afterTenant + 1);
}

/** Thrown for a malformed glob; the message says what is wrong, for a 400 naming the field. */
export class GlobError extends Error {}

function parseClass(glob: string, start: number): { test: (c: string) => boolean; end: number } {
  let i = start + 1;
  const negate = glob[i] === '^' || glob[i] === '!';
  if (negate) i++;
  const ranges: [string, string][] = [];
  let first = true;
  for (; i < glob.length; i++) {
    let c = glob[i]!;
    if (c === ']' && !first) {
      const test = (x: string) => ranges.some(([lo, hi]) => x >= lo && x <= hi) !== negate;
      return { test, end: i };
    }
    first = false;
    if (c === '\\' && i + 1 < glob.length) c = glob[++i]!;
    if (glob[i + 1] === '-' && i + 2 < glob.length && glob[i + 2] !== ']') {
      let hi = glob[i + 2]!;
      i += 2;
      if (hi === '\\' && i + 1 < glob.length) hi = glob[++i]!;
      ranges.push(c <= hi ? [c, hi] : [hi, c]);
    } else ranges.push([c, c]);
  }
  throw new GlobError(`has an unterminated character class at position ${start + 1}`);
}

/** Compiles a glob; throws GlobError when it is malformed or has more than MAX_WILDCARDS wildcards. */
export function compileGlob(glob: string): Glob {
  const tokens: Token[] = [];
  let wildcards = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      if (i + 1 >= glob.length) throw new GlobError('ends with an unfinished escape');
      tokens.push({ kind: 'char', c: glob[++i]! });
    } else if (c === '*') {
      wildcards++;
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') {
      wildcards++;
      tokens.push({ kind: 'any' });
    } else if (c === '[') {
      wildcards++;
      const cls = parseClass(glob, i);
      tokens.push({ kind: 'class', test: cls.test });
      i = cls.end;
    } else tokens.push({ kind: 'char', c });
  }
  if (wildcards > MAX_WILDCARDS) throw new GlobError(`has more than ${MAX_WILDCARDS} wildcards`);

  const one = (t: Token, ch: string) =>
    t.kind === 'any' || (t.kind === 'char' ? t.c === ch : t.kind === 'class' && t.test(ch));
  return {
    source: glob,
    matches(key: string): boolean {
      let k = 0;
      let p = 0;
      // Where the last `*` resumes: the token after it, and the key position it absorbs up to.
      let starP = -1;
      let starK = 0;
      while (k < key.length) {
        const t = tokens[p];
        if (t !== undefined && t.kind !== 'star' && one(t, key[k]!)) {
          k++;
          p++;
        } else if (t?.kind === 'star') {
          starP = ++p;
          starK = k;
        } else if (starP >= 0) {
          p = starP;
          k = ++starK;
        } else return false;
      }
      while (tokens[p]?.kind === 'star') p++;
      return p === tokens.length;
    },
  };
}
