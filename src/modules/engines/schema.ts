import { Type, type Static } from '@sinclair/typebox';
import { boundedRecord, literals } from '../../lib/typebox.js';
import { BlueprintInput, RegionSchema } from '../blueprints/schema.js';

const Source = {
  blueprintId: Type.Optional(Type.String({ format: 'uuid', maxLength: 36 })),
  blueprint: Type.Optional(BlueprintInput),
  parameters: Type.Optional(boundedRecord(Type.Unknown(), { maxProperties: 100, keyMaxLength: 128 })),
};

export const GenerateBody = Type.Object(
  { ...Source, format: literals(['terraform', 'cloudformation'] as const) },
  {
    additionalProperties: false,
    examples: [
      { blueprintId: '0192f3a0-7c1e-7b2a-9d4e-5f6a7b8c9d0e', format: 'terraform', parameters: { webSize: 't3.small' } },
    ],
  },
);
export type GenerateBody = Static<typeof GenerateBody>;

export const GenerateReply = Type.Object({
  format: Type.String(),
  files: Type.Array(Type.Object({ path: Type.String(), content: Type.String() })),
  resourceCount: Type.Integer(),
  hash: Type.String(),
});

export const EstimateBody = Type.Object(
  {
    ...Source,
    region: Type.Optional(RegionSchema),
    usage: Type.Optional(
      boundedRecord(
        boundedRecord(Type.Number({ minimum: 0, maximum: 1e15 }), { maxProperties: 20, keyMaxLength: 64 }),
        { maxProperties: 200, keyMaxLength: 200 },
        { description: 'Monthly usage figures per resource name or instance address' },
      ),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ blueprintId: '0192f3a0-7c1e-7b2a-9d4e-5f6a7b8c9d0e', usage: { assets: { storageGb: 500 } } }],
  },
);
export type EstimateBody = Static<typeof EstimateBody>;

const Component = Type.Object({
  name: Type.String(),
  unit: Type.String(),
  hourlyQuantity: Type.Union([Type.Number(), Type.Null()]),
  monthlyQuantity: Type.Union([Type.Number(), Type.Null()]),
  price: Type.Number(),
  hourlyCost: Type.Union([Type.Number(), Type.Null()]),
  monthlyCost: Type.Union([Type.Number(), Type.Null()]),
  note: Type.Optional(Type.String()),
});

export const EstimateReply = Type.Object({
  currency: Type.Literal('USD'),
  priceTableVersion: Type.String(),
  provider: Type.String(),
  region: Type.String(),
  totalHourlyCost: Type.Number(),
  totalMonthlyCost: Type.Number(),
  resources: Type.Array(
    Type.Object({
      address: Type.String(),
      name: Type.String(),
      type: Type.String(),
      hourlyCost: Type.Number(),
      monthlyCost: Type.Number(),
      costComponents: Type.Array(Component),
    }),
  ),
});

export const EvaluateBody = Type.Object(
  { ...Source, budgetMonthly: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })) },
  {
    additionalProperties: false,
    examples: [{ blueprintId: '0192f3a0-7c1e-7b2a-9d4e-5f6a7b8c9d0e', budgetMonthly: 100 }],
  },
);
export type EvaluateBody = Static<typeof EvaluateBody>;

const Severity = literals(['low', 'medium', 'high', 'critical'] as const);
const Enforcement = literals(['advisory', 'soft', 'hard'] as const);

export const EvaluateReply = Type.Object({
  passed: Type.Boolean(),
  score: Type.Number(),
  summary: Type.Object({ passed: Type.Integer(), failed: Type.Integer() }),
  results: Type.Array(
    Type.Object({
      ruleId: Type.String(),
      title: Type.String(),
      severity: Severity,
      enforcement: Enforcement,
      status: Type.Union([Type.Literal('passed'), Type.Literal('failed')]),
      resource: Type.String(),
      message: Type.String(),
      remediation: Type.String(),
    }),
  ),
});

export const RulesReply = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      severity: Severity,
      enforcement: Enforcement,
      remediation: Type.String(),
    }),
  ),
});

const Names = (item: ReturnType<typeof Type.String>) => Type.Array(item, { maxItems: 200, uniqueItems: true });
export const Settings = Type.Object(
  {
    allowedRegions: Names(RegionSchema),
    allowedSizes: Names(Type.String({ minLength: 1, maxLength: 64 })),
    requiredTags: Names(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type Settings = Static<typeof Settings>;
