import { Type, type Static } from '@sinclair/typebox';
import { literals, withDefault } from '../../lib/typebox.js';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export const PROJECT_STATUSES = ['active', 'on_hold', 'completed', 'archived'] as const;
const Environment = literals(ENVIRONMENTS);
const Status = literals(PROJECT_STATUSES);
const Uuid = Type.String({ format: 'uuid', maxLength: 36 });
const Timestamp = Type.String({ format: 'date-time', maxLength: 32 });
const BlueprintIds = Type.Array(Uuid, { maxItems: 100, uniqueItems: true });
const Budget = Type.Number({ minimum: 0, maximum: 1e12 });

export const ProjectInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: withDefault(Type.String({ maxLength: 2000, default: '' })),
    environment: Environment,
    status: Type.Optional(Status),
    blueprintIds: Type.Optional(BlueprintIds),
    budgetMonthly: Type.Optional(Type.Union([Budget, Type.Null()])),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'shop launch',
        environment: 'staging',
        blueprintIds: ['0192f3a0-7c1e-7b2a-9d4e-5f6a7b8c9d0e'],
        budgetMonthly: 250,
      },
    ],
  },
);
export type ProjectInput = Static<typeof ProjectInput>;

/** JSON merge-patch (RFC 7396): absent = unchanged, null = remove (only budgetMonthly may be removed). */
export const ProjectPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    environment: Type.Optional(Environment),
    status: Type.Optional(Status),
    blueprintIds: Type.Optional(BlueprintIds),
    budgetMonthly: Type.Optional(Type.Union([Budget, Type.Null()])),
  },
  { additionalProperties: false },
);
export type ProjectPatch = Static<typeof ProjectPatch>;

export const ProjectSchema = Type.Object({
  id: Uuid,
  name: Type.String({ maxLength: 200 }),
  description: Type.String({ maxLength: 2000 }),
  environment: Environment,
  status: Status,
  blueprintIds: Type.Array(Uuid, { maxItems: 100 }),
  budgetMonthly: Type.Union([Type.Number(), Type.Null()]),
  owner: Uuid,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Project = Static<typeof ProjectSchema>;

const counts = <T extends readonly string[]>(keys: T) =>
  Type.Object(
    Object.fromEntries(keys.map((k) => [k, Type.Integer()])) as Record<T[number], ReturnType<typeof Type.Integer>>,
  );

export const StatsSummary = Type.Object({
  total: Type.Integer(),
  byStatus: counts(PROJECT_STATUSES),
  byEnvironment: counts(ENVIRONMENTS),
  blueprints: Type.Integer(),
  estimatedMonthlyCost: Type.Union([Type.Number(), Type.Null()]),
});
export type StatsSummary = Static<typeof StatsSummary>;

export const ProjectListQuery = {
  status: Type.Optional(Status),
  environment: Type.Optional(Environment),
};
