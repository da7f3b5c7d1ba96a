import { Ajv } from 'ajv';
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
    for (const [k, v] of Object.entries(value))
      collectParamRefs(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
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

/**
 * The checks JSON Schema cannot express: nesting depth (400), unique resource names, a
 * compilable local-only parameters schema and resolvable `${param.x}` references (422).
 */
export function checkBlueprint(input: BlueprintInput): void {
  input.resources.forEach((r, i) => {
    if (depthExceeded(r.properties, 1)) {
      throw new ValidationError(`Invalid body: /resources/${i}/properties nests deeper than ${MAX_DEPTH} levels`, [
        { path: `/resources/${i}/properties`, message: `nests deeper than ${MAX_DEPTH} levels` },
      ]);
    }
  });
  if (depthExceeded(input.parameters, 0)) {
    throw new ValidationError(`Invalid body: /parameters nests deeper than ${MAX_DEPTH} levels`, [
      { path: '/parameters', message: `nests deeper than ${MAX_DEPTH} levels` },
    ]);
  }

  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  input.resources.forEach((r, i) => {
    if (seen.has(r.name))
      errors.push({ path: `/resources/${i}/name`, message: `duplicates /resources/${seen.get(r.name)}/name` });
    else seen.set(r.name, i);
  });

  if (hasRemoteRef(input.parameters)) {
    errors.push({ path: '/parameters', message: 'must not use remote $ref' });
  } else {
    try {
      metaAjv.compile(input.parameters);
    } catch (err) {
      errors.push({ path: '/parameters', message: `is not a valid JSON Schema: ${(err as Error).message}` });
    } finally {
      // Ajv caches every compiled schema; this one was only a check.
      metaAjv.removeSchema(input.parameters);
    }
  }

  const declared = new Set(Object.keys((input.parameters as { properties?: object }).properties ?? {}));
  const refs: { name: string; path: string }[] = [];
  input.resources.forEach((r, i) => collectParamRefs(r.properties, `/resources/${i}/properties`, refs));
  for (const ref of refs) {
    if (!declared.has(ref.name))
      errors.push({ path: ref.path, message: `references undeclared parameter "${ref.name}"` });
  }

  if (errors.length > 0) {
    throw new UnprocessableError(`The blueprint is invalid: ${errors[0]!.path} ${errors[0]!.message}`, errors);
  }
}
