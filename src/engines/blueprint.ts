/**
 * Turns a blueprint plus parameter values into the checked, resolved form every engine reads:
 * parameters validated and defaulted, "${param.x}" references resolved, catalogue defaults applied,
 * references between resources checked, and the size limits enforced.
 */
import { EngineError, pointer, pointerToken } from './errors.js';
import { REFERENCE_PROPERTIES, validateOwnedProperties } from './catalogue.js';
import { terraformType } from './catalogue-mappings.js';
import { assertDepth, resolveParameterValues } from './params.js';
import { PROVIDERS, RESOURCE_TYPES, type BlueprintSpec, type Provider, type ResourceType } from './types.js';

/** Limits the engines enforce whatever the HTTP schema let through. */
export const LIMITS = { maxResources: 200, maxCount: 100, maxInstances: 10_000 } as const;

/** One resource after resolution. */
export interface PreparedResource {
  index: number;
  name: string;
  type: ResourceType;
  /** undefined when the blueprint set no `count` (then there is no count meta-argument). */
  count: number | undefined;
  /** Properties with parameters resolved and defaults applied. */
  props: Record<string, unknown>;
  /** Properties as written, still holding "${param.x}" (generators keep those as variables). */
  raw: Record<string, unknown>;
  /** Primary Terraform resource type, e.g. aws_instance. */
  tfType: string;
  /** Terraform address without instance key, e.g. aws_instance.web. */
  address: string;
  /** One Terraform address per instance: [address] or address[0..count-1]. */
  instances: string[];
}

/** A blueprint ready for the generators, the cost engine and the guardrails. */
export interface PreparedBlueprint {
  spec: BlueprintSpec;
  provider: Provider;
  region: string;
  values: Record<string, unknown>;
  tags: Record<string, string>;
  resources: PreparedResource[];
  byName: ReadonlyMap<string, PreparedResource>;
}

const NAME_RE = /^[a-z][a-z0-9-]{0,62}$/;
const WHOLE_REF = /^\$\{param\.([^}]*)\}$/;
const ANY_REF = /\$\{param\.([^}]*)\}/g;

function lookup(name: string, values: Record<string, unknown>, path: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(values, name) || values[name] === undefined) {
    throw new EngineError('unresolved_parameter', `"\${param.${name}}" names no supplied or defaulted parameter`, path);
  }
  return values[name];
}

/** Resolves "${param.x}" references in a JSON value: a whole-string reference keeps its type. */
export function resolveValue(value: unknown, values: Record<string, unknown>, path: string): unknown {
  return resolveAt(value, values, path, []);
}

// Returns a fresh copy of objects and arrays (callers mutate it: Ajv applies defaults in place).
// `keys` is the way down from `base`; the pointer is only spelled out for an error.
function resolveAt(value: unknown, values: Record<string, unknown>, base: string, keys: string[]): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${param.')) return value;
    const path = () => base + keys.map((k) => '/' + pointerToken(k)).join('');
    const whole = WHOLE_REF.exec(value);
    if (whole) return structuredClone(lookup(whole[1]!, values, path()));
    return value.replace(ANY_REF, (_m, name: string) => {
      const v = lookup(name, values, path());
      if (v !== null && typeof v === 'object') {
        throw new EngineError(
          'invalid_parameters',
          `parameter "${name}" is not a scalar and cannot be embedded in a string`,
          path(),
        );
      }
      return String(v);
    });
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      keys.push(String(i));
      out[i] = resolveAt(value[i], values, base, keys);
      keys.pop();
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      keys.push(k);
      out[k] = resolveAt((value as Record<string, unknown>)[k], values, base, keys);
      keys.pop();
    }
    return out;
  }
  return value;
}

function resolveCount(raw: unknown, values: Record<string, unknown>, path: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = resolveValue(raw, values, path);
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new EngineError('invalid_blueprint', 'count must be an integer', path);
  if (n < 1 || n > LIMITS.maxCount)
    throw new EngineError('limit_exceeded', `count must be 1–${LIMITS.maxCount}, got ${n}`, path);
  return n;
}

const REFERENCES = Object.entries(REFERENCE_PROPERTIES);

function checkReferences(r: PreparedResource, byName: Map<string, PreparedResource>): void {
  for (const [prop, targetType] of REFERENCES) {
    const v = r.props[prop];
    if (v === undefined) continue;
    const names = Array.isArray(v) ? (v as string[]) : [v as string];
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const target = byName.get(name);
      if (target && target.type === targetType && target !== r) continue;
      const path = pointer('resources', r.index, 'properties', prop) + (Array.isArray(v) ? `/${i}` : '');
      if (!target)
        throw new EngineError('invalid_reference', `${prop} "${name}" names no resource of this blueprint`, path);
      if (target.type !== targetType) {
        throw new EngineError(
          'invalid_reference',
          `${prop} "${name}" is a ${target.type}, expected a ${targetType}`,
          path,
        );
      }
      throw new EngineError('invalid_reference', `${prop} refers to the resource itself`, path);
    }
  }
}

/** Validates and resolves a blueprint with parameter values; throws EngineError on any problem. */
export function prepareBlueprint(spec: BlueprintSpec, params?: Record<string, unknown>): PreparedBlueprint {
  if (!PROVIDERS.includes(spec.provider)) {
    throw new EngineError(
      'unsupported_provider',
      `provider "${String(spec.provider)}" is not one of ${PROVIDERS.join(', ')}`,
      '/provider',
    );
  }
  if (typeof spec.region !== 'string' || spec.region.length === 0)
    throw new EngineError('invalid_blueprint', 'region is required', '/region');
  if (!Array.isArray(spec.resources))
    throw new EngineError('invalid_blueprint', 'resources must be an array', '/resources');
  if (spec.resources.length > LIMITS.maxResources) {
    throw new EngineError(
      'limit_exceeded',
      `at most ${LIMITS.maxResources} resources, got ${spec.resources.length}`,
      '/resources',
    );
  }
  const values = resolveParameterValues(spec, params);
  const byName = new Map<string, PreparedResource>();
  const resources: PreparedResource[] = [];
  let instances = 0;
  for (let index = 0; index < spec.resources.length; index++) {
    if (!(index in spec.resources)) continue; // a hole of a sparse array (never from JSON)
    const res = spec.resources[index]!;
    const base = `/resources/${index}`;
    if (typeof res?.name !== 'string' || !NAME_RE.test(res.name)) {
      throw new EngineError('invalid_blueprint', 'resource names match [a-z][a-z0-9-]{0,62}', `${base}/name`);
    }
    if (byName.has(res.name))
      throw new EngineError('invalid_blueprint', `duplicate resource name "${res.name}"`, `${base}/name`);
    if (!RESOURCE_TYPES.includes(res.type))
      throw new EngineError('invalid_blueprint', `unknown resource type "${String(res.type)}"`, `${base}/type`);
    const raw = res.properties ?? {};
    if (typeof raw !== 'object' || Array.isArray(raw))
      throw new EngineError('invalid_blueprint', 'properties must be an object', `${base}/properties`);
    assertDepth(raw, `${base}/properties`);
    const count = resolveCount(res.count, values, `${base}/count`);
    instances += count ?? 1;
    if (instances > LIMITS.maxInstances) {
      throw new EngineError(
        'limit_exceeded',
        `more than ${LIMITS.maxInstances} resource instances after count expansion`,
        `${base}/count`,
      );
    }
    const resolved = resolveValue(raw, values, `${base}/properties`) as Record<string, unknown>;
    assertDepth(resolved, `${base}/properties`);
    const props = validateOwnedProperties(res.type, spec.provider, resolved, `${base}/properties`);
    const tfType = terraformType(res.type, spec.provider, props);
    const address = `${tfType}.${res.name}`;
    const prepared: PreparedResource = {
      index,
      name: res.name,
      type: res.type,
      count,
      props,
      raw,
      tfType,
      address,
      instances: [address],
    };
    if (count !== undefined) {
      prepared.instances = new Array<string>(count);
      for (let i = 0; i < count; i++) prepared.instances[i] = `${address}[${i}]`;
    }
    byName.set(res.name, prepared);
    resources.push(prepared);
  }
  for (const r of resources) checkReferences(r, byName);
  const tags: Record<string, string> = {};
  assertDepth(spec.tags ?? {}, '/tags');
  for (const [k, v] of Object.entries(spec.tags ?? {})) {
    const t = resolveValue(v, values, pointer('tags', k));
    if (t !== null && typeof t === 'object')
      throw new EngineError('invalid_parameters', `tag "${k}" must resolve to a scalar`, pointer('tags', k));
    tags[k] = String(t);
  }
  return { spec, provider: spec.provider, region: spec.region, values, tags, resources, byName };
}
