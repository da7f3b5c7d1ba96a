/**
 * Compiling the JSON Schemas users put in blueprints (`parameters`). Each schema gets its own Ajv
 * instance, so nothing a schema carries (an `$id`, even a meta-schema's) can add to or remove from
 * a registry another schema uses. `pattern` and `patternProperties` run on RE2 (re2js: linear
 * time, no backtracking), so no value can freeze the event loop; a pattern RE2 cannot compile is
 * refused with the pointer of the field. Size, depth and pattern length are checked first, so
 * compiling is bounded in time and memory.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { RE2JS } from 're2js';
import { EngineError } from './errors.js';
import { LIMITS, assertDepth, assertSize } from './limits.js';
import { escapePointer } from '../lib/json-pointer.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  a: Ajv,
) => Ajv;

/** The meta-schema user schemas are written against. */
export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

// Only the meta-schema lives in this instance: user schemas are validated with it, never added.
const metaAjv = new Ajv({ strict: false, logger: false, validateFormats: false });
const validateMeta = metaAjv.getSchema(DRAFT_07.slice(0, -1))!;

/** Compiles a pattern with RE2; throws RE2's syntax error. */
function re2(pattern: string): { test: (s: string) => boolean; toString: () => string } {
  const compiled = RE2JS.compile(pattern);
  // Ajv dedupes patterns of a schema by toString(): it must be the pattern itself.
  return { test: (s: string) => compiled.test(s), toString: () => pattern };
}
const regExp = Object.assign((pattern: string) => re2(pattern), { code: 're2js' });

// Values of these keywords are data, not schemas: a "pattern" key inside them is not a pattern.
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);
const REF_KEYWORDS = new Set(['$ref', '$dynamicRef', '$recursiveRef']);

function refuse(path: string, message: string): never {
  throw new EngineError('invalid_parameters', message, path);
}

function checkPattern(pattern: string, path: string): void {
  if (pattern.length > LIMITS.maxPatternLength)
    throw new EngineError('limit_exceeded', `pattern longer than ${LIMITS.maxPatternLength} characters`, path);
  try {
    RE2JS.compile(pattern);
  } catch (err) {
    refuse(
      path,
      `pattern is not supported (linear-time RE2 syntax, no lookaround or backreferences): ${(err as Error).message}`,
    );
  }
}

// Walks the schema (its depth is already bounded): remote references and patterns.
function checkNode(node: unknown, path: string): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((v, i) => checkNode(v, `${path}/${i}`));
    return;
  }
  for (const [k, v] of Object.entries(node)) {
    const here = `${path}/${escapePointer(k)}`;
    if (DATA_KEYWORDS.has(k)) continue;
    // Remote (or relative-URI) references would make validation depend on the network or on
    // other documents; only same-document references ("#...") are allowed.
    if (REF_KEYWORDS.has(k) && (typeof v !== 'string' || !v.startsWith('#')))
      refuse(here, `only local "$ref"s ("#...") are allowed, got ${JSON.stringify(v)}`);
    if (k === 'pattern' && typeof v === 'string') checkPattern(v, here);
    if (k === 'patternProperties' && v !== null && typeof v === 'object' && !Array.isArray(v))
      for (const p of Object.keys(v)) checkPattern(p, `${here}/${escapePointer(p)}`);
    checkNode(v, here);
  }
}

/**
 * Compiles a user's parameter schema into a validator that applies defaults, in an Ajv of its
 * own. Throws EngineError ('invalid_parameters' or 'limit_exceeded') with a pointer under `path`.
 */
export function compileUserSchema(schema: unknown, path = '/parameters'): ValidateFunction {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
    refuse(path, 'parameters must be a JSON Schema object');
  assertDepth(schema, path);
  assertSize(schema, path, LIMITS.maxSchemaNodes);
  const declared = (schema as { $schema?: unknown }).$schema;
  if (declared !== undefined && declared !== DRAFT_07 && declared !== DRAFT_07.slice(0, -1))
    refuse(`${path}/$schema`, `only JSON Schema draft-07 ("${DRAFT_07}") is supported`);
  checkNode(schema, path);
  if (!validateMeta(schema)) {
    const e = validateMeta.errors![0]!;
    refuse(path + e.instancePath, `parameters is not a valid JSON Schema: ${e.instancePath || '(root)'} ${e.message}`);
  }
  const ajv = addFormats(
    new Ajv({
      useDefaults: true,
      allErrors: false,
      strict: false,
      logger: false,
      meta: false,
      validateSchema: false,
      addUsedSchema: false,
      code: { regExp },
    }),
  );
  try {
    return ajv.compile(schema);
  } catch (err) {
    return refuse(path, `parameters schema is invalid: ${(err as Error).message}`);
  }
}
