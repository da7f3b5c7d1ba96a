/**
 * Size limits of blueprints and of the user-supplied JSON inside them (parameter schemas and
 * values, resource properties): one source for the blueprint checks and the engines. Every check
 * here runs before anything recurses over the value, so a hostile nesting cannot blow the stack.
 */
import { EngineError } from './errors.js';
import { pointer } from '../lib/json-pointer.js';

/** Blueprint-level limits the engines enforce whatever the HTTP schema let through. */
export const LIMITS = {
  maxResources: 200,
  maxCount: 100,
  maxInstances: 10_000,
  /** The deepest nesting of parameter values, parameter schemas and properties (containers). */
  maxDepth: 10,
  /** Values (scalars and containers) in one parameter schema. */
  maxSchemaNodes: 2_000,
  /** Characters of one `pattern` / `patternProperties` key. */
  maxPatternLength: 512,
  /** Values in the parameter values of one request. */
  maxValueNodes: 10_000,
  /** Items of one array in parameter values (Ajv's uniqueItems compares objects pairwise). */
  maxArrayItems: 1_000,
} as const;

/** The deepest nesting accepted in parameter values, schemas and properties. */
export const MAX_DEPTH = LIMITS.maxDepth;

/**
 * The keys down to the first container nested `maxDepth` levels deep (outermost first), or
 * undefined. The recursion stops at the limit, so its own depth is bounded.
 */
export function tooDeep(value: unknown, depth = 0): Array<string | number> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const below = tooDeep(value[i], depth + 1);
      if (below) return [i, ...below];
    }
    return undefined;
  }
  for (const k of Object.keys(value)) {
    const below = tooDeep((value as Record<string, unknown>)[k], depth + 1);
    if (below) return [k, ...below];
  }
  return undefined;
}

/** Throws 'limit_exceeded' naming the first value nested deeper than MAX_DEPTH under `path`. */
export function assertDepth(value: unknown, path: string, depth = 0): void {
  const keys = tooDeep(value, depth);
  if (keys) throw new EngineError('limit_exceeded', `nesting deeper than ${MAX_DEPTH} levels`, path + pointer(...keys));
}

/**
 * Counts the values of a JSON tree (after assertDepth, so the walk is shallow) and throws
 * 'limit_exceeded' past `maxNodes` nodes or an array longer than `maxItems`.
 */
export function assertSize(value: unknown, path: string, maxNodes: number, maxItems = Infinity): void {
  let nodes = 0;
  const walk = (v: unknown, keys: Array<string | number>): void => {
    if (++nodes > maxNodes)
      throw new EngineError('limit_exceeded', `more than ${maxNodes} values`, path + pointer(...keys));
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      if (v.length > maxItems)
        throw new EngineError('limit_exceeded', `array longer than ${maxItems} items`, path + pointer(...keys));
      for (let i = 0; i < v.length; i++) walk(v[i], [...keys, i]);
    } else for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...keys, k]);
  };
  walk(value, []);
}
