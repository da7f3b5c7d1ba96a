import { Type, type Static } from '@sinclair/typebox';
import { PROVIDERS, RESOURCE_TYPES } from '../../engines/types.js';
import { boundedRecord, literals, withDefault } from '../../lib/typebox.js';

export const ProviderSchema = literals(PROVIDERS);
export const StatusSchema = literals(['draft', 'published'] as const);
const ResourceType = literals(RESOURCE_TYPES);
const Uuid = Type.String({ format: 'uuid', maxLength: 36 });
const Timestamp = Type.String({ format: 'date-time', maxLength: 32 });

const ResourceName = Type.String({
  pattern: '^[a-z][a-z0-9-]{0,62}$',
  maxLength: 63,
  description: 'a resource name: a lower-case letter, then up to 62 lower-case letters, digits or hyphens',
});
/** A cloud region code such as us-east-1, eastus or europe-west1. */
export const RegionSchema = Type.String({
  pattern: '^[a-z][a-z0-9-]{1,39}$',
  maxLength: 40,
  description: 'a region code: a lower-case letter, then 1 to 39 lower-case letters, digits or hyphens',
});
const MAX_RESOURCE_PROPERTIES = 100;
/** `parameters` is a JSON Schema object: a few dozen keywords at most at its top level. */
const MAX_PARAMETER_KEYWORDS = 64;

export const ResourceSchema = Type.Object(
  {
    name: ResourceName,
    type: ResourceType,
    properties: withDefault(
      boundedRecord(Type.Unknown(), { maxProperties: MAX_RESOURCE_PROPERTIES, keyMaxLength: 128 }, { default: {} }),
    ),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

/** Tag keys and values as the three clouds all accept them. */
export const TagsSchema = boundedRecord(
  Type.String({ maxLength: 256 }),
  { maxProperties: 50, keyMinLength: 1, keyMaxLength: 128 },
  { default: {} },
);

const Parameters = (options: { default?: unknown } = {}) =>
  Type.Object({}, { additionalProperties: true, maxProperties: MAX_PARAMETER_KEYWORDS, ...options });

/** A blueprint as a client writes it: the OpenAPI document's example (the README's quickstart). */
export const EXAMPLE_BLUEPRINT = {
  name: 'web shop',
  description: 'Two web servers behind a load balancer and a private PostgreSQL',
  provider: 'aws',
  region: 'us-east-1',
  parameters: { type: 'object', properties: { webSize: { type: 'string', default: 't3.micro' } } },
  resources: [
    { name: 'vpc', type: 'network', properties: { cidr: '10.0.0.0/16' } },
    { name: 'public', type: 'subnet', count: 2, properties: { network: 'vpc', cidr: '10.0.0.0/20', public: true } },
    { name: 'app', type: 'subnet', count: 2, properties: { network: 'vpc', cidr: '10.0.64.0/20' } },
    {
      name: 'web',
      type: 'vm',
      count: 2,
      properties: { size: '${param.webSize}', image: 'ubuntu-22.04', subnet: 'app' },
    },
    { name: 'lb', type: 'load_balancer', properties: { kind: 'application', public: true, subnets: ['public'] } },
    {
      name: 'db',
      type: 'database',
      properties: { engine: 'postgres', size: 'db.t3.micro', storageGb: 20, subnets: ['app'] },
    },
  ],
  tags: { Environment: 'dev', Owner: 'web-team', CostCenter: 'cc-42' },
};

/** The writable fields of a blueprint: the body of POST and PUT. */
export const BlueprintInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: withDefault(Type.String({ maxLength: 2000, default: '' })),
    provider: ProviderSchema,
    region: RegionSchema,
    status: Type.Optional(StatusSchema),
    parameters: withDefault(Parameters({ default: { type: 'object', properties: {} } })),
    resources: Type.Array(ResourceSchema, { minItems: 1, maxItems: 200 }),
    tags: withDefault(TagsSchema),
  },
  { additionalProperties: false, examples: [EXAMPLE_BLUEPRINT] },
);
export type BlueprintInput = Static<typeof BlueprintInput>;

export const BlueprintSchema = Type.Object({
  id: Uuid,
  name: Type.String({ maxLength: 200 }),
  description: Type.String({ maxLength: 2000 }),
  provider: ProviderSchema,
  region: Type.String({ maxLength: 40 }),
  version: Type.String({ maxLength: 32, description: 'semantic version, e.g. 1.2.0' }),
  status: StatusSchema,
  parameters: Parameters(),
  resources: Type.Array(
    Type.Object({
      name: Type.String({ maxLength: 63 }),
      type: ResourceType,
      properties: Type.Object({}, { additionalProperties: true, maxProperties: MAX_RESOURCE_PROPERTIES }),
      count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    }),
    { maxItems: 200 },
  ),
  tags: boundedRecord(Type.String({ maxLength: 256 }), { maxProperties: 50, keyMaxLength: 128 }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  createdBy: Uuid,
});
export type Blueprint = Static<typeof BlueprintSchema>;

export const BlueprintListQuery = {
  provider: Type.Optional(ProviderSchema),
  status: Type.Optional(StatusSchema),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
};

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
