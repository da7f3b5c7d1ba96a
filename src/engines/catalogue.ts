/**
 * The provider-neutral resource catalogue (docs/API.md §4): one JSON Schema per resource
 * type, with the defaults the spec names (public:false, encrypted:true, ...). Unknown properties
 * are refused on purpose: a typo such as `encypted` would otherwise silently bypass a guardrail.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { IssueSink } from './errors.js';
import { PROVIDER_DEFAULTS } from './catalogue-mappings.js';
import { checkProviderValues } from './provider-rules.js';
import { escapePointer } from '../lib/json-pointer.js';
import type { Provider, ResourceType } from './types.js';

const NAME = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' } as const;
const NAMES = { type: 'array', items: NAME, maxItems: 50, uniqueItems: true } as const;
const CIDR = {
  type: 'string',
  pattern: '^(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}/(3[0-2]|[12]?\\d)$',
} as const;
const SKU = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' } as const;

/** Neutral function runtimes; catalogue-mappings.ts maps them to each provider's identifiers. */
export const RUNTIMES = ['nodejs20', 'nodejs22', 'python3.11', 'python3.12', 'python3.13', 'java21'] as const;

/** The runtime a function gets when the blueprint names none (Node.js 20 is past its deprecation on Lambda). */
export const DEFAULT_RUNTIME = 'nodejs22';

/** The Kubernetes minor version a cluster gets when the blueprint names none. */
export const DEFAULT_KUBERNETES_VERSION = '1.31';

/** Property references to other resources: property name → the type it must name. */
export const REFERENCE_PROPERTIES: Readonly<Record<string, ResourceType>> = {
  network: 'network',
  subnet: 'subnet',
  subnets: 'subnet',
  securityGroups: 'security_group',
};

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

/** JSON Schema of each catalogue type's `properties`. */
export const PROPERTY_SCHEMAS: Readonly<Record<ResourceType, Record<string, unknown>>> = {
  network: obj({
    cidr: { ...CIDR, default: '10.0.0.0/16' },
    // AWS only: the generated Terraform empties the VPC's default security group (CIS 5.4).
    restrictDefaultSecurityGroup: { type: 'boolean', default: true },
  }),
  subnet: obj(
    {
      network: NAME,
      cidr: CIDR,
      // A public subnet routes to an internet gateway; instances get a public IP only when they ask
      // for one, unless autoAssignPublicIp (AWS's map_public_ip_on_launch) is set.
      public: { type: 'boolean', default: false },
      autoAssignPublicIp: { type: 'boolean', default: false },
    },
    ['network', 'cidr'],
  ),
  security_group: obj({
    network: NAME,
    description: { type: 'string', maxLength: 255, default: 'Managed by IAC Dharma' },
    ingress: {
      type: 'array',
      maxItems: 60,
      default: [],
      items: obj(
        {
          protocol: { enum: ['tcp', 'udp', 'icmp', 'all'], default: 'tcp' },
          fromPort: { type: 'integer', minimum: 0, maximum: 65535 },
          toPort: { type: 'integer', minimum: 0, maximum: 65535 },
          cidr: CIDR,
          description: { type: 'string', maxLength: 255 },
        },
        ['fromPort', 'toPort', 'cidr'],
      ),
    },
  }),
  vm: obj({
    size: SKU,
    image: { type: 'string', minLength: 1, maxLength: 200 },
    subnet: NAME,
    securityGroups: NAMES,
    publicIp: { type: 'boolean', default: false },
    diskGb: { type: 'integer', minimum: 1, maximum: 16384 },
  }),
  disk: obj({
    sizeGb: { type: 'integer', minimum: 1, maximum: 65536, default: 20 },
    diskType: SKU,
    encrypted: { type: 'boolean', default: true },
  }),
  bucket: obj({
    public: { type: 'boolean', default: false },
    encrypted: { type: 'boolean', default: true },
    versioning: { type: 'boolean', default: false },
  }),
  database: obj({
    engine: { enum: ['postgres', 'mysql'], default: 'postgres' },
    engineVersion: { type: 'string', pattern: '^[0-9][0-9.]{0,15}$' },
    size: SKU,
    storageGb: { type: 'integer', minimum: 20, maximum: 65536, default: 20 },
    encrypted: { type: 'boolean', default: true },
    publiclyAccessible: { type: 'boolean', default: false },
    multiAz: { type: 'boolean', default: false },
    subnets: NAMES,
  }),
  cache: obj({
    engine: { enum: ['redis'], default: 'redis' },
    size: SKU,
    nodes: { type: 'integer', minimum: 1, maximum: 6, default: 1 },
  }),
  load_balancer: obj({
    kind: { enum: ['application', 'network'], default: 'application' },
    public: { type: 'boolean', default: false },
    subnets: NAMES,
  }),
  nat_gateway: obj({ subnet: NAME }, ['subnet']),
  kubernetes_cluster: obj({
    version: { type: 'string', pattern: '^1\\.[0-9]{1,2}$', default: DEFAULT_KUBERNETES_VERSION },
    nodeSize: SKU,
    nodeCount: { type: 'integer', minimum: 1, maximum: 100, default: 2 },
    nodeDiskGb: { type: 'integer', minimum: 20, maximum: 2048 },
    publicEndpoint: { type: 'boolean', default: false },
    subnets: NAMES,
  }),
  function: obj({
    runtime: { enum: [...RUNTIMES], default: DEFAULT_RUNTIME },
    memoryMb: { type: 'integer', minimum: 128, maximum: 10240, default: 256 },
    handler: { type: 'string', pattern: '^[A-Za-z0-9_.:$-]{1,128}$', default: 'index.handler' },
  }),
  queue: obj({ fifo: { type: 'boolean', default: false } }),
};

// One Ajv for the catalogue, compiled lazily: the schemas are constants, so each compiles once.
// Generation stops at the first error; saving a blueprint reports them all (allErrors).
const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true });
const ajvAll = new Ajv({ useDefaults: true, allErrors: true, strict: true });
// Per type: the first-error validator and the all-errors one.
const validators = { first: new Map<ResourceType, ValidateFunction>(), all: new Map<ResourceType, ValidateFunction>() };

function validatorFor(type: ResourceType, all: boolean): ValidateFunction {
  const cache = all ? validators.all : validators.first;
  let v = cache.get(type);
  if (!v) {
    v = (all ? ajvAll : ajv).compile(PROPERTY_SCHEMAS[type]);
    cache.set(type, v);
  }
  return v;
}

/**
 * Validates one resource's (already parameter-resolved) properties against its catalogue schema
 * and returns a copy with schema and provider defaults applied. Throws EngineError
 * 'invalid_property' with a JSON Pointer under `basePath` (e.g. /resources/0/properties).
 */
export function validateResourceProperties(
  type: ResourceType,
  provider: Provider,
  properties: Record<string, unknown>,
  basePath = '/properties',
): Record<string, unknown> {
  return checkResourceProperties(
    type,
    provider,
    structuredClone(properties),
    basePath,
    new Set(),
    new IssueSink(false),
  );
}

/**
 * Checks properties the caller owns (defaults are applied to them in place) against the catalogue
 * schema and the provider's rules, reporting to `sink`. Keys in `unknown` hold values that depend
 * on a parameter without a default: they are absent from `copy` and not reported as missing.
 */
export function checkResourceProperties(
  type: ResourceType,
  provider: Provider,
  copy: Record<string, unknown>,
  basePath: string,
  unknown: ReadonlySet<string>,
  sink: IssueSink,
): Record<string, unknown> {
  const validate = validatorFor(type, sink.collect);
  if (!validate(copy)) {
    for (const e of validate.errors ?? []) {
      if (e.keyword === 'required' && unknown.has(String(e.params.missingProperty))) continue;
      const extra =
        e.keyword === 'additionalProperties'
          ? '/' + escapePointer(String(e.params.additionalProperty))
          : e.keyword === 'required'
            ? '/' + escapePointer(String(e.params.missingProperty))
            : '';
      const what =
        e.keyword === 'additionalProperties'
          ? `unknown property "${String(e.params.additionalProperty)}"`
          : e.keyword === 'enum'
            ? `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
            : (e.message ?? 'invalid');
      sink.add('invalid_property', `${type}: ${what}`, basePath + e.instancePath + extra);
    }
  }
  const defaults = PROVIDER_DEFAULTS[provider][type];
  if (defaults) for (const key in defaults) if (copy[key] === undefined && !unknown.has(key)) copy[key] = defaults[key];
  if (type === 'security_group' && Array.isArray(copy.ingress)) {
    const rules = copy.ingress as Array<{ fromPort: number; toPort: number }>;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r !== null && typeof r === 'object' && r.fromPort > r.toPort)
        sink.add('invalid_property', 'ingress fromPort is greater than toPort', `${basePath}/ingress/${i}/fromPort`);
    }
  }
  checkProviderValues(type, provider, copy, { basePath, unknown, sink });
  return copy;
}
