/** The opaque part of an entity tag: `W/"x"` and `"x"` both give `"x"`. */
const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);

/**
 * True when an `If-None-Match` / `If-Match` header lists `etag` or `*`. `If-None-Match` uses the
 * weak comparison (RFC 9110 §13.1.2: `W/"x"` matches `"x"`), `If-Match` the strong one (§13.1.1).
 */
export function etagListed(header: string | undefined, etag: string, comparison: 'weak' | 'strong'): boolean {
  if (header === undefined) return false;
  const want = comparison === 'weak' ? opaque(etag) : etag;
  return header.split(',').some((raw) => {
    const t = raw.trim();
    if (t === '*') return true;
    if (comparison === 'strong') return !t.startsWith('W/') && t === want;
    return opaque(t) === want;
  });
}
