import { Type, type Static } from '@sinclair/typebox';
import { PROVIDERS, RESOURCE_TYPES } from '../../engines/types.js';
import { literals } from '../../lib/typebox.js';

export const ProviderSchema = literals(PROVIDERS);
export const StatusSchema = literals(['draft', 'published'] as const);

export const ResourceSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }),
    type: literals(RESOURCE_TYPES),
    properties: Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { default: {}, maxProperties: 100 }),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

/** Tag keys and values as the three clouds all accept them. */
export const TagsSchema = Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Type.String({ maxLength: 256 }), {
  default: {},
  maxProperties: 50,
});

/** The writable fields of a blueprint: the body of POST and PUT. */
export const BlueprintInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ maxLength: 2000, default: '' }),
    provider: ProviderSchema,
    region: Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$' }),
    status: Type.Optional(StatusSchema),
    parameters: Type.Object({}, { additionalProperties: true, default: { type: 'object', properties: {} } }),
    resources: Type.Array(ResourceSchema, { minItems: 1, maxItems: 200 }),
    tags: TagsSchema,
  },
  { additionalProperties: false },
);
export type BlueprintInput = Static<typeof BlueprintInput>;

export const BlueprintSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  provider: ProviderSchema,
  region: Type.String(),
  version: Type.String(),
  status: StatusSchema,
  parameters: Type.Object({}, { additionalProperties: true }),
  resources: Type.Array(
    Type.Object({
      name: Type.String(),
      type: Type.String(),
      properties: Type.Object({}, { additionalProperties: true }),
      count: Type.Optional(Type.Integer()),
    }),
  ),
  tags: Type.Record(Type.String(), Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String({ format: 'uuid' }),
});
export type Blueprint = Static<typeof BlueprintSchema>;

export const BlueprintListQuery = {
  provider: Type.Optional(ProviderSchema),
  status: Type.Optional(StatusSchema),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
};

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
