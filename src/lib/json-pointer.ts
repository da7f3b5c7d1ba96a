/** RFC 6901 escaping of one JSON Pointer reference token (`~` then `/`). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
