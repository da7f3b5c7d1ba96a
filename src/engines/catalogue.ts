/**
 * The provider-neutral resource catalogue (SPEC §4 "Blueprints"): one JSON Schema per resource
 * type, with the defaults the spec names (public:false, encrypted:true, ...). Unknown properties
 * are refused on purpose: a typo such as `encypted` would otherwise silently bypass a guardrail.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { EngineError } from './errors.js';
import { PROVIDER_DEFAULTS } from './catalogue-mappings.js';
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
  network: obj({ cidr: { ...CIDR, default: '10.0.0.0/16' } }),
  subnet: obj({ network: NAME, cidr: CIDR, public: { type: 'boolean', default: false } }, ['network', 'cidr']),
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
    version: { type: 'string', pattern: '^1\\.[0-9]{1,2}$', default: '1.30' },
    nodeSize: SKU,
    nodeCount: { type: 'integer', minimum: 1, maximum: 100, default: 2 },
    subnets: NAMES,
  }),
  function: obj({
    runtime: { enum: [...RUNTIMES], default: 'nodejs20' },
    memoryMb: { type: 'integer', minimum: 128, maximum: 10240, default: 256 },
    handler: { type: 'string', pattern: '^[A-Za-z0-9_.:$-]{1,128}$', default: 'index.handler' },
  }),
  queue: obj({ fifo: { type: 'boolean', default: false } }),
};

// One Ajv for the catalogue, compiled lazily: the schemas are constants, so each compiles once.
const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true });
const validators = new Map<ResourceType, ValidateFunction>();

function validatorFor(type: ResourceType): ValidateFunction {
  let v = validators.get(type);
  if (!v) {
    v = ajv.compile(PROPERTY_SCHEMAS[type]);
    validators.set(type, v);
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
  return validateOwnedProperties(type, provider, structuredClone(properties), basePath);
}

/** validateResourceProperties on a copy the caller owns: defaults are applied to it in place. */
export function validateOwnedProperties(
  type: ResourceType,
  provider: Provider,
  copy: Record<string, unknown>,
  basePath: string,
): Record<string, unknown> {
  const validate = validatorFor(type);
  if (!validate(copy)) {
    const e = validate.errors?.[0];
    const at = e
      ? e.instancePath + (e.keyword === 'additionalProperties' ? '/' + String(e.params.additionalProperty) : '')
      : '';
    const what =
      e?.keyword === 'additionalProperties'
        ? `unknown property "${String(e.params.additionalProperty)}"`
        : (e?.message ?? 'invalid');
    throw new EngineError('invalid_property', `${type}: ${what}`, basePath + at);
  }
  const defaults = PROVIDER_DEFAULTS[provider][type];
  if (defaults) for (const key in defaults) if (copy[key] === undefined) copy[key] = defaults[key];
  if (type === 'security_group') {
    const rules = copy.ingress as Array<{ fromPort: number; toPort: number }>;
    rules.forEach((r, i) => {
      if (r.fromPort > r.toPort) {
        throw new EngineError(
          'invalid_property',
          'ingress fromPort is greater than toPort',
          `${basePath}/ingress/${i}/fromPort`,
        );
      }
    });
  }
  return copy;
}
