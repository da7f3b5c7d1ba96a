/** JSON Pointers (RFC 6901): the one place their escaping rule lives. */

/** Escapes one reference token: `~` becomes `~0`, then `/` becomes `~1`. */
export function escapePointer(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins reference tokens into a pointer: pointer('a', 0, 'b/c') is "/a/0/b~1c". */
export function pointer(...tokens: Array<string | number>): string {
  let out = '';
  for (const t of tokens) out += '/' + escapePointer(t);
  return out;
}
