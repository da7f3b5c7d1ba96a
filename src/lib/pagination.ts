import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { ValidationError } from '../errors.js';
import { literals, withDefault } from './typebox.js';

/** The most items a page holds (`?limit=` 1–100, default 20). */
export const MAX_PAGE_SIZE = 100;

/** The shared `?limit=&cursor=` query fields (docs/API.md §1: limit 1–100, default 20). */
export const PageQuery = {
  limit: withDefault(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })),
  cursor: Type.String({ minLength: 1, maxLength: 200, description: 'the nextCursor of the previous page' }),
};

/** `?cache=false` bypasses the response cache on a cached route. */
export const CacheQuery = {
  cache: Type.Optional(literals(['true', 'false'] as const)),
};

/** The querystring of a cached route that takes no other parameters. */
export const CacheOnlyQuery = Type.Object(CacheQuery, { additionalProperties: false });

/** A list route's querystring schema: its filters plus limit/cursor; unknown parameters are a 400. */
export function listQuery<P extends TProperties>(filters: P) {
  return Type.Object(
    { ...filters, limit: PageQuery.limit, cursor: Type.Optional(PageQuery.cursor) },
    { additionalProperties: false },
  );
}

/** A list route's response schema: `{items, nextCursor}`. */
export function pageReply<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item, { maxItems: MAX_PAGE_SIZE }),
    nextCursor: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  });
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Encodes the last id of a page as an opaque cursor. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`v1:${lastId}`).toString('base64url');
}

/** Decodes a cursor back to the id to continue after; garbage is a 400 naming `/cursor`. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const raw = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = raw.startsWith('v1:') ? raw.slice(3) : '';
  if (!UUID_RE.test(id)) {
    throw new ValidationError('Invalid querystring: /cursor is not a cursor this API issued', [
      { path: '/cursor', message: 'is not a valid cursor' },
    ]);
  }
  return id;
}

/**
 * `{items, nextCursor}` as JSON text from rows whose bodies are already JSON (fetched with limit + 1
 * rows), byte for byte what the page's response schema would serialize, and the ids it depends on.
 */
export function pageOfDocs(rows: { id: string; doc: string }[], limit: number): { body: string; ids: string[] } {
  const items = rows.slice(0, limit);
  const next = rows.length > limit && items.length > 0 ? `"${encodeCursor(items.at(-1)!.id)}"` : 'null';
  return { body: `{"items":[${items.map((r) => r.doc).join(',')}],"nextCursor":${next}}`, ids: rows.map((r) => r.id) };
}

/** Builds `{items, nextCursor}` from a page fetched with limit + 1 rows. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
