/**
 * Blueprint parameters: validate supplied values against the blueprint's `parameters` JSON Schema
 * (defaults applied) with Ajv. Compiling a schema costs far more than validating with it, so
 * validators are cached per blueprint id+version (plus a digest of the schema, so that an inline
 * blueprint claiming someone else's id@version can never borrow their validator).
 */
import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { EngineError, pointerToken } from './errors.js';
import type { BlueprintSpec } from './types.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  a: Ajv,
) => Ajv;

/** The most validators kept; the least recently used one is dropped beyond it. */
export const VALIDATOR_CACHE_SIZE = 500;
/** The deepest nesting accepted in parameter values, schemas and properties. */
export const MAX_DEPTH = 10;

const ajv = addFormats(
  new Ajv({ useDefaults: true, allErrors: false, strict: false, addUsedSchema: false, validateSchema: true }),
);
const cache = new Map<string, ValidateFunction>();
let compiles = 0;

/** Number of schema compilations so far (lets tests prove the cache works). */
export function validatorCompileCount(): number {
  return compiles;
}

// The keys down to the first value nested too deep (innermost first), or undefined. Paths are only
// built on failure: this runs over every property of every resource on each call.
function tooDeep(value: unknown, depth: number): string[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const below = tooDeep(value[i], depth + 1);
      if (below) {
        below.push(String(i));
        return below;
      }
    }
    return undefined;
  }
  for (const k of Object.keys(value)) {
    const below = tooDeep((value as Record<string, unknown>)[k], depth + 1);
    if (below) {
      below.push(k);
      return below;
    }
  }
  return undefined;
}

/** Throws 'limit_exceeded' when a JSON value nests deeper than MAX_DEPTH. */
export function assertDepth(value: unknown, path: string, depth = 0): void {
  const keys = tooDeep(value, depth);
  if (keys) {
    const at =
      path +
      keys
        .reverse()
        .map((k) => '/' + pointerToken(k))
        .join('');
    throw new EngineError('limit_exceeded', `nesting deeper than ${MAX_DEPTH} levels`, at);
  }
}

// Remote (or relative-URI) references would make validation depend on the network or on other
// documents; only same-document references ("#...") are allowed.
function refuseRemoteRefs(schema: unknown, path: string): void {
  if (schema === null || typeof schema !== 'object') return;
  for (const [k, v] of Object.entries(schema)) {
    const here = `${path}/${pointerToken(k)}`;
    if (
      (k === '$ref' || k === '$dynamicRef' || k === '$recursiveRef') &&
      (typeof v !== 'string' || !v.startsWith('#'))
    ) {
      throw new EngineError(
        'invalid_parameters',
        `only local "$ref"s ("#...") are allowed, got ${JSON.stringify(v)}`,
        here,
      );
    }
    refuseRemoteRefs(v, here);
  }
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map(stableJson).join(',') + ']';
  const o = value as Record<string, unknown>;
  return (
    '{' +
    Object.keys(o)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + stableJson(o[k]))
      .join(',') +
    '}'
  );
}

/** Returns the (cached) validator of a blueprint's parameter schema. */
export function parameterValidator(spec: Pick<BlueprintSpec, 'id' | 'version' | 'parameters'>): ValidateFunction {
  const schema = spec.parameters ?? {};
  assertDepth(schema, '/parameters'); // before hashing: a hostile depth must not blow the stack
  const digest = createHash('sha256').update(stableJson(schema)).digest('hex').slice(0, 32);
  const key = `${spec.id ?? '-'}@${spec.version ?? '-'}#${digest}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // re-insert: Map order is the LRU order
    cache.set(key, hit);
    return hit;
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new EngineError('invalid_parameters', 'parameters must be a JSON Schema object', '/parameters');
  }
  refuseRemoteRefs(schema, '/parameters');
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
    ajv.removeSchema(schema); // Ajv's own cache is unbounded; ours is the only one
  } catch (err) {
    throw new EngineError(
      'invalid_parameters',
      `parameters schema is invalid: ${(err as Error).message}`,
      '/parameters',
    );
  }
  compiles++;
  cache.set(key, validate);
  if (cache.size > VALIDATOR_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return validate;
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
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new EngineError('invalid_parameters', 'parameter values must be an object', '/parameters');
  }
  assertDepth(values, '/parameters');
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
