/**
 * Turns a blueprint plus parameter values into the checked, resolved form every engine reads:
 * parameters validated and defaulted, "${param.x}" references resolved, catalogue defaults applied,
 * references between resources and the network plan checked, the size limits enforced.
 * The same pass validates a blueprint when it is saved (validateBlueprint): then the values are
 * the schema's defaults, every problem is collected, and a value that depends on a parameter
 * without a default is left unchecked until generation.
 */
import { checkResourceProperties } from './catalogue.js';
import { terraformType } from './catalogue-mappings.js';
import { EngineError, IssueSink, pointer, type Issue } from './errors.js';
import { LIMITS, assertDepth } from './limits.js';
import { globalNameSuffix } from './names.js';
import { planNetworks, type NetworkPlan } from './network-plan.js';
import { checkCrossReferences } from './blueprint-checks.js';
import { ParamRefSyntaxError, hasParamRef, parseTemplate } from './param-ref.js';
import { parameterDefaults, resolveParameterValues } from './params.js';
import { REGIONS } from './regions.js';
import { PROVIDERS, RESOURCE_TYPES, type BlueprintSpec, type Provider, type ResourceType } from './types.js';

export { LIMITS } from './limits.js';

/** One resource after resolution. */
export interface PreparedResource {
  index: number;
  name: string;
  type: ResourceType;
  /** undefined when the blueprint set no `count` (then there is no count meta-argument). */
  count: number | undefined;
  /** The parameter `count` references as a whole, if it does. */
  countParam: string | undefined;
  /** Properties with parameters resolved and defaults applied. */
  props: Record<string, unknown>;
  /** Properties as written, still holding "${param.x}" (generators keep those as variables). */
  raw: Record<string, unknown>;
  /** Top-level properties whose value is not known yet (saving: a parameter without default). */
  unknown: ReadonlySet<string>;
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
  /** Suffix that makes globally unique cloud names unique per tenant and blueprint (names.ts). */
  nameSuffix: string;
  /** CIDRs, zones and NAT routes of every network and subnet instance. */
  plan: NetworkPlan;
}

/** Options of prepareBlueprint and validateBlueprint. */
export interface PrepareOptions {
  /** A tenant-derived seed: globally unique names then differ between tenants (names.ts). */
  nameSeed?: string;
}

const NAME_RE = /^[a-z][a-z0-9-]{0,62}$/;

/** A value that depends on a parameter nobody has supplied yet (only while validating a save). */
const UNKNOWN = Symbol('unknown');

interface Resolver {
  values: Record<string, unknown>;
  /** Parameters declared without a default: unknown while validating, never while generating. */
  pending: ReadonlySet<string> | undefined;
  sink: IssueSink;
  /** Set once a reference was replaced by an object or array value. */
  substituted?: boolean;
}

function lookup(name: string, rs: Resolver, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(rs.values, name) && rs.values[name] !== undefined) return rs.values[name];
  if (rs.pending?.has(name)) return UNKNOWN;
  rs.sink.add(
    'unresolved_parameter',
    rs.pending
      ? `"\${param.${name}}" references undeclared parameter "${name}"`
      : `"\${param.${name}}" names no supplied or defaulted parameter`,
    path,
  );
  return UNKNOWN;
}

// Returns a fresh copy of objects and arrays (callers mutate it: Ajv applies defaults in place).
// `keys` is the way down from `base`; the pointer is only spelled out for an error.
function resolveAt(value: unknown, rs: Resolver, base: string, keys: string[]): unknown {
  if (typeof value === 'string') {
    if (!hasParamRef(value)) return value;
    const path = () => base + pointer(...keys);
    let parsed;
    try {
      parsed = parseTemplate(value)!;
    } catch (err) {
      if (!(err instanceof ParamRefSyntaxError)) throw err;
      rs.sink.add('unresolved_parameter', err.message, path());
      return UNKNOWN;
    }
    if (parsed.whole !== undefined) {
      const v = lookup(parsed.whole, rs, path());
      if (v === UNKNOWN || v === null || typeof v !== 'object') return v;
      rs.substituted = true;
      return structuredClone(v);
    }
    let out = '';
    let unknown = false;
    for (const part of parsed.parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const v = lookup(part.param, rs, path());
      if (v === UNKNOWN) unknown = true;
      else if (v !== null && typeof v === 'object')
        rs.sink.add(
          'invalid_parameters',
          `parameter "${part.param}" is not a scalar and cannot be embedded in a string`,
          path(),
        );
      else out += String(v);
    }
    return unknown ? UNKNOWN : out;
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      keys.push(String(i));
      out[i] = resolveAt(value[i], rs, base, keys);
      keys.pop();
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      keys.push(k);
      out[k] = resolveAt((value as Record<string, unknown>)[k], rs, base, keys);
      keys.pop();
    }
    return out;
  }
  return value;
}

/** Resolves "${param.x}" references in a JSON value: a whole-string reference keeps its type. */
export function resolveValue(value: unknown, values: Record<string, unknown>, path: string): unknown {
  return resolveAt(value, { values, pending: undefined, sink: new IssueSink(false) }, path, []);
}

function holdsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(holdsUnknown);
  if (v !== null && typeof v === 'object') return Object.values(v).some(holdsUnknown);
  return false;
}

const NONE: ReadonlySet<string> = new Set();

// Removes the properties whose value depends on a parameter nobody supplied yet, and names them.
function unknownKeys(resolved: Record<string, unknown>): ReadonlySet<string> {
  const unknown = new Set<string>();
  for (const k of Object.keys(resolved))
    if (holdsUnknown(resolved[k])) {
      unknown.add(k);
      delete resolved[k];
    }
  return unknown;
}

function resolveCount(raw: unknown, rs: Resolver, path: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = resolveAt(raw, rs, path, []);
  if (n === UNKNOWN) return undefined;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    rs.sink.add('invalid_blueprint', 'count must be an integer', path);
    return undefined;
  }
  if (n < 1 || n > LIMITS.maxCount) {
    rs.sink.add('limit_exceeded', `count must be 1–${LIMITS.maxCount}, got ${n}`, path);
    return undefined;
  }
  return n;
}

function checkShape(spec: BlueprintSpec, sink: IssueSink): boolean {
  if (!PROVIDERS.includes(spec.provider)) {
    sink.add(
      'unsupported_provider',
      `provider "${String(spec.provider)}" is not one of ${PROVIDERS.join(', ')}`,
      '/provider',
    );
    return false;
  }
  if (typeof spec.region !== 'string' || spec.region.length === 0) {
    sink.add('invalid_blueprint', 'region is required', '/region');
  } else if (!REGIONS[spec.provider].has(spec.region)) {
    sink.add('unknown_region', `region "${spec.region}" is not a ${spec.provider} region`, '/region');
  }
  if (!Array.isArray(spec.resources)) {
    sink.add('invalid_blueprint', 'resources must be an array', '/resources');
    return false;
  }
  if (spec.resources.length > LIMITS.maxResources) {
    sink.add('limit_exceeded', `at most ${LIMITS.maxResources} resources, got ${spec.resources.length}`, '/resources');
    return false;
  }
  return true;
}

function prepareResource(
  spec: BlueprintSpec,
  index: number,
  rs: Resolver,
  byName: Map<string, PreparedResource>,
): PreparedResource | undefined {
  const sink = rs.sink;
  const res = spec.resources[index]!;
  const base = `/resources/${index}`;
  if (typeof res?.name !== 'string' || !NAME_RE.test(res.name)) {
    sink.add('invalid_blueprint', 'resource names match [a-z][a-z0-9-]{0,62}', `${base}/name`);
    return undefined;
  }
  if (byName.has(res.name)) {
    sink.add('invalid_blueprint', `duplicate resource name "${res.name}"`, `${base}/name`);
    return undefined;
  }
  if (!RESOURCE_TYPES.includes(res.type)) {
    sink.add('invalid_blueprint', `unknown resource type "${String(res.type)}"`, `${base}/type`);
    return undefined;
  }
  const raw = res.properties ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    sink.add('invalid_blueprint', 'properties must be an object', `${base}/properties`);
    return undefined;
  }
  if (!sink.guard(() => assertDepth(raw, `${base}/properties`))) return undefined;
  const count = resolveCount(res.count, rs, `${base}/count`);
  const countParam = typeof res.count === 'string' ? parseTemplateSafe(res.count) : undefined;
  const resolved = resolveAt(raw, rs, `${base}/properties`, []) as Record<string, unknown>;
  const unknown = rs.pending ? unknownKeys(resolved) : NONE;
  // A parameter may put a nested value where a string was: the depth is checked again then.
  if (rs.substituted && !sink.guard(() => assertDepth(resolved, `${base}/properties`))) return undefined;
  const props = checkResourceProperties(res.type, spec.provider, resolved, `${base}/properties`, unknown, sink);
  const tfType = terraformType(res.type, spec.provider, props);
  const address = `${tfType}.${res.name}`;
  const prepared: PreparedResource = {
    index,
    name: res.name,
    type: res.type,
    count,
    countParam,
    props,
    raw,
    unknown,
    tfType,
    address,
    instances: [address],
  };
  if (count !== undefined) {
    prepared.instances = new Array<string>(count);
    for (let i = 0; i < count; i++) prepared.instances[i] = `${address}[${i}]`;
  }
  return prepared;
}

function parseTemplateSafe(s: string): string | undefined {
  try {
    return parseTemplate(s)?.whole;
  } catch {
    return undefined;
  }
}

function resolveTags(spec: BlueprintSpec, rs: Resolver): Record<string, string> {
  const tags: Record<string, string> = {};
  const given = spec.tags ?? {};
  if (!rs.sink.guard(() => assertDepth(given, '/tags'))) return tags;
  for (const [k, v] of Object.entries(given)) {
    const t = resolveAt(v, rs, pointer('tags', k), []);
    if (t === UNKNOWN) continue;
    if (t !== null && typeof t === 'object')
      rs.sink.add('invalid_parameters', `tag "${k}" must resolve to a scalar`, pointer('tags', k));
    else tags[k] = String(t);
  }
  return tags;
}

function analyse(
  spec: BlueprintSpec,
  values: Record<string, unknown>,
  pending: ReadonlySet<string> | undefined,
  sink: IssueSink,
  options: PrepareOptions,
): PreparedBlueprint | undefined {
  const rs: Resolver = { values, pending, sink };
  const byName = new Map<string, PreparedResource>();
  const resources: PreparedResource[] = [];
  let instances = 0;
  for (let index = 0; index < spec.resources.length; index++) {
    if (!(index in spec.resources)) continue; // a hole of a sparse array (never from JSON)
    const prepared = prepareResource(spec, index, rs, byName);
    if (!prepared) continue;
    instances += prepared.count ?? 1;
    if (instances > LIMITS.maxInstances) {
      sink.add(
        'limit_exceeded',
        `more than ${LIMITS.maxInstances} resource instances after count expansion`,
        `/resources/${index}/count`,
      );
      return undefined;
    }
    byName.set(prepared.name, prepared);
    resources.push(prepared);
  }
  const tags = resolveTags(spec, rs);
  checkCrossReferences(spec.provider, resources, byName, sink);
  const plan = planNetworks(spec.provider, spec.region, resources, byName, sink);
  return {
    spec,
    provider: spec.provider,
    region: spec.region,
    values,
    tags,
    resources,
    byName,
    nameSuffix: globalNameSuffix(options.nameSeed, spec),
    plan,
  };
}

/** Validates and resolves a blueprint with parameter values; throws EngineError on the first problem. */
export function prepareBlueprint(
  spec: BlueprintSpec,
  params?: Record<string, unknown>,
  options: PrepareOptions = {},
): PreparedBlueprint {
  const sink = new IssueSink(false);
  checkShape(spec, sink);
  const values = resolveParameterValues(spec, params);
  return analyse(spec, values, undefined, sink, options)!;
}

/**
 * Every problem the engines would find in a blueprint generated with its parameters' defaults,
 * without stopping at the first: what saving a blueprint checks. Empty when it is valid.
 */
export function validateBlueprint(spec: BlueprintSpec, options: PrepareOptions = {}): Issue[] {
  const sink = new IssueSink(true);
  if (!checkShape(spec, sink)) return sink.issues;
  let values: Record<string, unknown>;
  try {
    values = parameterDefaults(spec);
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    sink.add(err.code, err.message, err.path ?? '/parameters');
    return sink.issues;
  }
  const declared = Object.keys((spec.parameters as { properties?: object }).properties ?? {});
  const pending = new Set(declared.filter((k) => values[k] === undefined));
  analyse(spec, values, pending, sink, options);
  return sink.issues;
}
