/**
 * The OpenAPI document as a test oracle: its operations, an Ajv check of every response against
 * what the document promises for its status and media type, and fast-check arbitraries of values
 * valid for a schema of the document.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import fc from 'fast-check';
import type { Answer } from './server.js';

const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

/** A JSON Schema of the document (loosely typed: the document is data). */
export type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An OpenAPI document, as far as the tests read it. */
export interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** One operation of the document. */
export interface Operation {
  summary?: string;
  security?: unknown[];
  'x-role'?: 'viewer' | 'editor' | 'admin';
  parameters?: { in: 'query' | 'path' | 'header'; name: string; required?: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}

/** An operation with where it lives. */
export interface Route {
  method: string;
  path: string;
  op: Operation;
}

/** Every operation of the document. */
export function routesOf(doc: Document): Route[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

const pointer = (...tokens: string[]) => tokens.map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks answers against the document: the status is documented (exactly, or as `4XX`), the
 * media type is the documented one, and the body validates against the documented schema.
 */
export function createResponseChecker(doc: Document): (route: Route, a: Answer) => string | undefined {
  const ajv = addFormats(new Ajv({ strict: false, validateSchema: false, allErrors: false }));
  ajv.addSchema(doc as object, 'doc');
  const compiled = new Map<string, ValidateFunction>();
  return (route, a) => {
    const key = [String(a.status), `${String(a.status)[0]}XX`, 'default'].find((k) => route.op.responses[k]);
    if (!key) return `status ${a.status} is not documented for ${route.method} ${route.path}: ${a.body.slice(0, 200)}`;
    const content = route.op.responses[key]!.content;
    if (!content) return a.body === '' ? undefined : `a ${a.status} documented without a body has one`;
    const media = String(a.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    if (!content[media]) return `a ${a.status} answered as ${media}, documented as ${Object.keys(content).join(', ')}`;
    const ref = `doc#/${pointer('paths', route.path, route.method.toLowerCase(), 'responses', key, 'content', media, 'schema')}`;
    let validate = compiled.get(ref);
    if (!validate) compiled.set(ref, (validate = ajv.compile({ $ref: ref })));
    let body: unknown;
    try {
      body = JSON.parse(a.body);
    } catch {
      return `a ${a.status} body that is not JSON: ${a.body.slice(0, 200)}`;
    }
    if (validate(body)) return undefined;
    return `a ${a.status} body does not match its schema: ${ajv.errorsText(validate.errors)}: ${a.body.slice(0, 300)}`;
  };
}

/** Domain-aware replacements: a property whose valid values the schema alone cannot produce. */
export type Hints = Record<string, fc.Arbitrary<unknown> | undefined>;

// Valid text: mostly printable ASCII, sometimes any code point but NUL (which the API refuses).
const TEXT_UNIT = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), weight: 5 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\0'), weight: 1 },
);

function stringArbitrary(s: Schema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = Math.min(s.maxLength ?? 64, minLength + 64);
  const fits = (v: string) => [...v].length >= minLength && [...v].length <= (s.maxLength ?? Infinity);
  switch (s.format) {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress().filter(fits);
    case 'date-time':
      return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  }
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern), { maxLength: s.maxLength }).filter(fits);
  return fc.string({ unit: TEXT_UNIT, minLength, maxLength });
}

/** Values valid for `schema` (a schema of `doc`); `hints` replace properties by name. */
export function validArbitrary(doc: Document, schema: Schema, hints: Hints = {}, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return validArbitrary(doc, doc.components.schemas[schema.$ref.split('/').pop()!]!, hints, depth);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.const !== undefined) return fc.constant(schema.const);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return fc.oneof(...(branches as Schema[]).map((b) => validArbitrary(doc, b, hints, depth)));
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 });
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e9,
        max: schema.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validArbitrary(doc, schema.items ?? {}, hints, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, (schema.minItems ?? 0) + 5),
      });
    case 'object':
      return objectArbitrary(doc, schema, hints, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArbitrary(doc: Document, schema: Schema, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set<string>(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, s] of Object.entries(props)) record[name] = hints[name] ?? validArbitrary(doc, s, hints, depth + 1);
  const fixed = fc.record(record, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
  const extra = schema.additionalProperties;
  if (!extra || Object.keys(props).length > 0 || depth > 3) return fixed;
  // A map: keys as propertyNames allows, values as additionalProperties says.
  const keys = schema.propertyNames
    ? stringArbitrary({ minLength: 1, ...schema.propertyNames })
    : fc.string({ minLength: 1, maxLength: 20 });
  const values =
    extra === true ? fc.jsonValue({ maxDepth: 2 }) : validArbitrary(doc, extra as Schema, hints, depth + 1);
  return fc.dictionary(keys, values, { maxKeys: Math.min(schema.maxProperties ?? 5, 5) });
}

/** Strings the fuzzer mixes into invalid requests: injections, control characters, oversize. */
export const NASTY_STRINGS = [
  "' OR '1'='1",
  '"; DROP TABLE blueprints; --',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  'a\u0000b',
  '\ud800',
  '\u202e\u200b',
  '%00',
  '%zz',
  'x'.repeat(5_000),
  '-1',
  '1e309',
  'NaN',
  'null',
  '[]',
  '{}',
  '__proto__',
];

/** Something that is not a valid value of `schema`, or only by chance: a mutation of a valid one. */
export function invalidArbitrary(doc: Document, schema: Schema, hints: Hints = {}): fc.Arbitrary<unknown> {
  const garbage = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom<unknown>(...NASTY_STRINGS));
  return fc.oneof(
    garbage,
    fc.tuple(validArbitrary(doc, schema, hints), garbage, fc.nat(), fc.boolean()).map(([valid, bad, pick, drop]) => {
      if (valid === null || typeof valid !== 'object' || Array.isArray(valid)) return bad;
      const keys = Object.keys(valid);
      const copy = { ...(valid as Record<string, unknown>) };
      if (keys.length === 0 || pick % 5 === 0) copy[`unknown${pick % 3}`] = bad;
      else if (drop) delete copy[keys[pick % keys.length]!];
      else copy[keys[pick % keys.length]!] = bad;
      return copy;
    }),
  );
}
