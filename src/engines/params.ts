/**
 * Blueprint parameters: validate supplied values against the blueprint's `parameters` JSON Schema
 * (defaults applied). Compiling a schema costs far more than validating with it, so validators
 * are cached per blueprint id+version plus a digest of the schema: an inline blueprint claiming
 * someone else's id@version gets its own entry, and an entry is only ever shared by identical
 * schemas. Each validator was compiled in isolation (user-schema.ts).
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ValidateFunction } from 'ajv';
import { EngineError } from './errors.js';
import { LIMITS, assertDepth, assertSize } from './limits.js';
import { compileUserSchema } from './user-schema.js';
import { stableJson } from '../lib/stable-json.js';
import type { BlueprintSpec } from './types.js';

export { MAX_DEPTH, assertDepth } from './limits.js';

/** The most validators kept; the least recently used one is dropped beyond it. */
export const VALIDATOR_CACHE_SIZE = 500;

const cache = new LRUCache<string, ValidateFunction>({ max: VALIDATOR_CACHE_SIZE });
let compiles = 0;

/** Number of schema compilations so far (lets tests prove the cache works). */
export function validatorCompileCount(): number {
  return compiles;
}

/** Returns the (cached) validator of a blueprint's parameter schema. */
export function parameterValidator(spec: Pick<BlueprintSpec, 'id' | 'version' | 'parameters'>): ValidateFunction {
  const schema = spec.parameters ?? {};
  assertDepth(schema, '/parameters'); // before hashing: the digest walks the whole schema
  assertSize(schema, '/parameters', LIMITS.maxSchemaNodes);
  const digest = createHash('sha256').update(stableJson(schema)).digest('hex').slice(0, 32);
  const key = `${spec.id ?? '-'}@${spec.version ?? '-'}#${digest}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const validate = compileUserSchema(schema, '/parameters');
  compiles++;
  cache.set(key, validate);
  return validate;
}

function checkValues(values: unknown): asserts values is Record<string, unknown> {
  if (typeof values !== 'object' || values === null || Array.isArray(values))
    throw new EngineError('invalid_parameters', 'parameter values must be an object', '/parameters');
  assertDepth(values, '/parameters');
  assertSize(values, '/parameters', LIMITS.maxValueNodes, LIMITS.maxArrayItems);
}

/**
 * Validates supplied parameter values against the blueprint's schema and returns a copy with the
 * schema's defaults applied. Throws 'invalid_parameters' with a pointer into the values.
 */
export function resolveParameterValues(
  spec: Pick<BlueprintSpec, 'id' | 'version' | 'parameters'>,
  supplied: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const validate = parameterValidator(spec);
  const values = supplied === undefined ? {} : supplied;
  checkValues(values);
  const copy = structuredClone(values);
  if (!validate(copy)) {
    const e = validate.errors?.[0];
    const where = e?.instancePath ?? '';
    const extra = e?.keyword === 'required' ? ` (missing "${String(e.params.missingProperty)}")` : '';
    throw new EngineError(
      'invalid_parameters',
      `parameters ${where || '(root)'} ${e?.message ?? 'invalid'}${extra}`,
      '/parameters' + where,
    );
  }
  return copy;
}

/**
 * The values a blueprint has before anyone supplies any: its schema's defaults. Used when a
 * blueprint is saved, to check what the defaults make of it; a required parameter without a
 * default is simply absent here (it is known only at generation time).
 */
export function parameterDefaults(spec: Pick<BlueprintSpec, 'id' | 'version' | 'parameters'>): Record<string, unknown> {
  const validate = parameterValidator(spec);
  const copy: Record<string, unknown> = {};
  validate(copy); // Ajv applies defaults before it checks `required`; the verdict does not matter here
  return copy;
}
