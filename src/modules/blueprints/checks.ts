import { Ajv } from 'ajv';
import { escapePointer } from '../../lib/json-pointer.js';
import { UnprocessableError, ValidationError, type FieldError } from '../../errors.js';
import type { BlueprintInput } from './schema.js';

const MAX_DEPTH = 10;
const PARAM_REF = /\$\{param\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

// Only used to check that `parameters` is itself a valid JSON Schema; never validates data here.
const metaAjv = new Ajv({ strict: false, allErrors: false, validateFormats: false });

function depthExceeded(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  if (value === null || typeof value !== 'object') return false;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some((c) => depthExceeded(c, depth + 1));
}

function collectParamRefs(value: unknown, path: string, out: { name: string; path: string }[]): void {
  if (typeof value === 'string') {
    for (const m of value.matchAll(PARAM_REF)) out.push({ name: m[1]!, path });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => collectParamRefs(v, `${path}/${i}`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectParamRefs(v, `${path}/${escapePointer(k)}`, out);
  }
}

function hasRemoteRef(schema: unknown): boolean {
  if (schema === null || typeof schema !== 'object') return false;
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) return true;
    if (hasRemoteRef(v)) return true;
  }
  return false;
}

/** 400 naming `path` when `value` nests deeper than 10 levels (JSON Schema cannot bound depth). */
export function assertMaxDepth(value: unknown, path: string, startDepth = 0): void {
  if (depthExceeded(value, startDepth)) {
    throw new ValidationError(`Invalid body: ${path} nests deeper than ${MAX_DEPTH} levels`, [
      { path, message: `nests deeper than ${MAX_DEPTH} levels` },
    ]);
  }
}

/**
 * The checks JSON Schema cannot express: nesting depth (400), unique resource names, a
 * compilable local-only parameters schema and resolvable `${param.x}` references (422).
 */
export function checkBlueprint(input: BlueprintInput, base = ''): void {
  input.resources.forEach((r, i) => assertMaxDepth(r.properties, `${base}/resources/${i}/properties`, 1));
  assertMaxDepth(input.parameters, `${base}/parameters`);

  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  input.resources.forEach((r, i) => {
    if (seen.has(r.name))
      errors.push({
        path: `${base}/resources/${i}/name`,
        message: `duplicates ${base}/resources/${seen.get(r.name)}/name`,
      });
    else seen.set(r.name, i);
  });

  if (hasRemoteRef(input.parameters)) {
    errors.push({ path: `${base}/parameters`, message: 'must not use remote $ref' });
  } else {
    try {
      metaAjv.compile(input.parameters);
    } catch (err) {
      errors.push({ path: `${base}/parameters`, message: `is not a valid JSON Schema: ${(err as Error).message}` });
    } finally {
      // Ajv caches every compiled schema; this one was only a check.
      metaAjv.removeSchema(input.parameters);
    }
  }

  const declared = new Set(Object.keys((input.parameters as { properties?: object }).properties ?? {}));
  const refs: { name: string; path: string }[] = [];
  input.resources.forEach((r, i) => collectParamRefs(r.properties, `${base}/resources/${i}/properties`, refs));
  for (const ref of refs) {
    if (!declared.has(ref.name))
      errors.push({ path: ref.path, message: `references undeclared parameter "${ref.name}"` });
  }

  if (errors.length > 0) {
    throw new UnprocessableError(`The blueprint is invalid: ${errors[0]!.path} ${errors[0]!.message}`, errors);
  }
}
