import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ValidationError, type FieldError } from '../../errors.js';
import { escapePointer } from '../../lib/json-pointer.js';

/** The deepest nesting a JSON body may have (the root is depth 0); deeper is a 400 before any handler. */
export const MAX_BODY_DEPTH = 32;

/** JSON media types the API reads; merge-patch only on PATCH (RFC 7396). */
export const JSON_TYPE = 'application/json';
export const MERGE_PATCH_TYPE = 'application/merge-patch+json';

// Keys that reach an object's prototype when code copies a body with assignment (prototype pollution).
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);
// NUL (PostgreSQL refuses it in text and jsonb) or a lone UTF-16 surrogate (not encodable as UTF-8).
const UNSTORABLE = /[\0\p{Cs}]/u;

interface Node {
  value: unknown;
  key: string;
  parent: Node | undefined;
  depth: number;
}

function pointer(node: Node, key?: string): string {
  const keys: string[] = key === undefined ? [] : [key];
  for (let n: Node | undefined = node; n?.parent; n = n.parent) keys.push(n.key);
  return keys.length === 0 ? '/' : keys.reverse().reduce((p, k) => `${p}/${escapePointer(k)}`, '');
}

function badString(s: string): string | undefined {
  const m = UNSTORABLE.exec(s);
  if (!m) return undefined;
  return m[0] === '\0'
    ? 'must not contain the NUL character (U+0000)'
    : 'must be well-formed Unicode (it holds a lone surrogate)';
}

/**
 * The first thing in a parsed JSON value that the API refuses whatever the route: a `__proto__`
 * or `constructor` key, a NUL or a lone surrogate in a string or key, nesting deeper than
 * `maxDepth`. Iterative, so a body nested 500,000 deep cannot overflow the stack.
 */
export function findUnsafeJson(root: unknown, maxDepth = MAX_BODY_DEPTH): FieldError | undefined {
  const stack: Node[] = [{ value: root, key: '', parent: undefined, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === 'string') {
      const message = badString(value);
      if (message) return { path: pointer(node), message };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (node.depth >= maxDepth) return { path: pointer(node), message: `nests deeper than ${maxDepth} levels` };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], key: String(i), parent: node, depth: node.depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (FORBIDDEN_KEYS.has(key)) return { path: pointer(node, key), message: `is a forbidden key (${key})` };
      const message = badString(key);
      if (message) return { path: pointer(node, key), message: `key ${message}` };
      stack.push({ value: (value as Record<string, unknown>)[key], key, parent: node, depth: node.depth + 1 });
    }
  }
  return undefined;
}

/**
 * Parses a JSON body with plain JSON.parse (an own `__proto__` property is inert until copied),
 * then refuses by name what findUnsafeJson finds; a wrong media type or a content coding is a 415.
 */
function parseJson(request: FastifyRequest, body: string): unknown {
  const coding = request.headers['content-encoding'];
  if (coding !== undefined && coding.toLowerCase() !== 'identity')
    throw new AppError('unsupported_media_type', `Content-Encoding ${coding.slice(0, 50)} is not supported`);
  const type = request.headers['content-type'];
  if (request.method !== 'PATCH' && type?.trim().toLowerCase().startsWith(MERGE_PATCH_TYPE))
    throw new AppError('unsupported_media_type', unsupportedMediaDetail(type));
  if (body === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new AppError('bad_request', `The body is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  const unsafe = findUnsafeJson(value);
  if (unsafe) throw new ValidationError(`Invalid body: ${unsafe.path} ${unsafe.message}`, [unsafe]);
  return value;
}

/** Makes JSON (and merge-patch JSON) the only bodies the app parses: any other media type is a 415. */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([JSON_TYPE, MERGE_PATCH_TYPE], { parseAs: 'string' }, (request, body, done) => {
    try {
      done(null, parseJson(request, body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

/** The 415 detail for a body whose media type has no parser. */
export function unsupportedMediaDetail(contentType: string | undefined): string {
  return `Send the body as ${JSON_TYPE} (or ${MERGE_PATCH_TYPE} to a PATCH route); got ${String(contentType ?? 'none').slice(0, 100)}`;
}
