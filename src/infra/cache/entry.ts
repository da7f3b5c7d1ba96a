/** A cached response: the serialized bytes and the headers that go with them, stored once. */
export interface CacheEntry {
  key: string;
  tenantId: string;
  body: Buffer;
  etag: string;
  contentType: string;
  /** Epoch ms when stored, when it stops being fresh, and until when it may still be served stale. */
  storedAt: number;
  expiresAt: number;
  staleUntil: number;
  /** Invalidation tags, e.g. `<tenant>:blueprints` or `<tenant>:bp:<id>`. */
  tags: string[];
  /**
   * Stamped by L1 when the entry is stored, unique per store: whoever keeps (key, seq) can tell
   * later that L1 still holds this very entry without keeping the entry alive.
   */
  seq?: number;
}

type Header = Omit<CacheEntry, 'body' | 'key'>;

/** Encodes an entry for Redis: one JSON header line, then the body bytes untouched. */
export function encodeEntry(e: CacheEntry): Buffer {
  const header: Header = {
    tenantId: e.tenantId,
    etag: e.etag,
    contentType: e.contentType,
    storedAt: e.storedAt,
    expiresAt: e.expiresAt,
    staleUntil: e.staleUntil,
    tags: e.tags,
  };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), e.body]);
}

/** Decodes what encodeEntry wrote; anything else (a foreign or corrupt value) is undefined. */
export function decodeEntry(key: string, raw: Buffer): CacheEntry | undefined {
  const nl = raw.indexOf(0x0a);
  if (nl < 0) return undefined;
  try {
    const h = JSON.parse(raw.subarray(0, nl).toString('utf8')) as Header;
    if (typeof h.etag !== 'string' || typeof h.expiresAt !== 'number' || !Array.isArray(h.tags)) return undefined;
    return { ...h, staleUntil: h.staleUntil ?? h.expiresAt, key, body: raw.subarray(nl + 1) };
  } catch {
    return undefined;
  }
}

/** The approximate memory an entry holds in L1. */
export function entrySize(e: CacheEntry): number {
  return e.body.length + e.key.length * 2 + e.etag.length * 2 + 256;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Converts a Redis glob (`*`, `?`, `[...]`, `\` escapes) to an anchored RegExp, for L1. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    const end = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '\\' && i + 1 < glob.length) re += escapeRe(glob[++i]!);
    else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (end > 0) {
      const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}
