/**
 * What a saved blueprint must satisfy beyond its JSON Schema: the nesting limit (400), then every
 * rule the engines apply when they generate it (422 naming each offending JSON Pointer): known
 * properties and value formats per type, provider regions, parameter references and schema,
 * references between resources, networks that fit. One source: engines/blueprint.ts validateBlueprint.
 */
import { MAX_DEPTH, tooDeep, validateBlueprint, type BlueprintSpec } from '../../engines/index.js';
import { pointer } from '../../lib/json-pointer.js';
import { UnprocessableError, ValidationError } from '../../errors.js';
import type { BlueprintInput } from './schema.js';

/** 400 naming `path` when `value` nests deeper than the engines accept (JSON Schema cannot bound depth). */
export function assertMaxDepth(value: unknown, path: string): void {
  const keys = tooDeep(value);
  if (keys) {
    throw new ValidationError(`Invalid body: ${path} nests deeper than ${MAX_DEPTH} levels`, [
      { path, message: `nests deeper than ${MAX_DEPTH} levels (at ${path}${pointer(...keys)})` },
    ]);
  }
}

/** Checks a blueprint body (under `base`, e.g. "/blueprint" when inline): 400 too deep, 422 invalid. */
export function checkBlueprint(input: BlueprintInput, base = ''): void {
  input.resources.forEach((r, i) => assertMaxDepth(r.properties, `${base}/resources/${i}/properties`));
  assertMaxDepth(input.parameters, `${base}/parameters`);
  const issues = validateBlueprint(input as BlueprintSpec);
  if (issues.length > 0) {
    const errors = issues.map((i) => ({ path: base + i.path, message: i.message }));
    throw new UnprocessableError(`The blueprint is invalid: ${errors[0]!.path} ${errors[0]!.message}`, errors);
  }
}
