/** A cached response: the serialized bytes and the headers that go with them, stored once. */
export interface CacheEntry {
  key: string;
  tenantId: string;
  body: Buffer;
  etag: string;
  contentType: string;
  /** The request path that produced it (GET routes), so a write can bring it up to date. */
  path?: string;
  /** Epoch ms when stored, when it stops being fresh, and until when it may still be served stale. */
  storedAt: number;
  expiresAt: number;
  staleUntil: number;
  /** Invalidation tags, e.g. `<tenant>:bp:<id>`: a write to any of them drops the entry. */
  tags: string[];
  /**
   * Stamped by L1 when the entry is stored, unique per store: whoever keeps (key, seq) can tell
   * later that L1 still holds this very entry without keeping the entry alive.
   */
  seq?: number;
}

type Meta = Omit<CacheEntry, 'body' | 'key' | 'seq'>;

/** Encodes an entry for Redis: one JSON line of metadata, then the body bytes untouched. */
export function encodeEntry(e: CacheEntry): Buffer {
  const meta: Meta = {
    tenantId: e.tenantId,
    etag: e.etag,
    contentType: e.contentType,
    path: e.path,
    storedAt: e.storedAt,
    expiresAt: e.expiresAt,
    staleUntil: e.staleUntil,
    tags: e.tags,
  };
  return Buffer.concat([Buffer.from(`${JSON.stringify(meta)}\n`), e.body]);
}

/** Decodes what encodeEntry wrote; anything else (a foreign or corrupt value) is undefined. */
export function decodeEntry(key: string, raw: Buffer): CacheEntry | undefined {
  const nl = raw.indexOf(0x0a);
  if (nl < 0) return undefined;
  try {
    const m = JSON.parse(raw.subarray(0, nl).toString('utf8')) as Meta;
    if (typeof m.etag !== 'string' || typeof m.staleUntil !== 'number' || !Array.isArray(m.tags)) return undefined;
    return { ...m, key, body: raw.subarray(nl + 1) };
  } catch {
    return undefined;
  }
}

/** The approximate memory an entry holds in L1. */
export function entrySize(e: CacheEntry): number {
  return e.body.length + e.key.length * 2 + e.etag.length * 2 + 256;
}
