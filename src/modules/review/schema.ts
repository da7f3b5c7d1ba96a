import { Type, type Static } from '@sinclair/typebox';
import { literals } from '../../lib/typebox.js';
import { CacheQuery } from '../../lib/pagination.js';
import { BlueprintInput } from '../blueprints/schema.js';
import { VersionString } from '../blueprints/versions-schema.js';

const Num = Type.Number();
const NullableNum = Type.Union([Type.Number(), Type.Null()]);
const Outcome = literals(['passed', 'failed', 'absent'] as const);

const Change = Type.Object({
  op: literals(['add', 'remove', 'replace'] as const),
  path: Type.String({ description: 'JSON Pointer (RFC 6901)' }),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
});
const ResourceRef = Type.Object({ name: Type.String(), type: Type.String(), count: Type.Integer() });

const FormatDiff = Type.Object({
  format: literals(['terraform', 'cloudformation'] as const),
  files: Type.Array(
    Type.Object({
      path: Type.String(),
      change: literals(['added', 'removed', 'modified'] as const),
      additions: Type.Union([Type.Integer(), Type.Null()]),
      deletions: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
  patch: Type.String({ description: 'unified diff of the changed files' }),
  truncated: Type.Boolean({ description: 'a file was too different to diff within the bound' }),
});

const CostDiff = Type.Object({
  currency: Type.Literal('USD'),
  priceTableVersion: Type.String(),
  pastTotalHourlyCost: Num,
  pastTotalMonthlyCost: Num,
  totalHourlyCost: Num,
  totalMonthlyCost: Num,
  diffTotalHourlyCost: Num,
  diffTotalMonthlyCost: Num,
  diff: Type.Object({
    resources: Type.Array(
      Type.Object({
        name: Type.String({ description: 'Terraform address' }),
        resourceType: Type.String(),
        change: literals(['added', 'removed', 'changed'] as const),
        hourlyCost: Num,
        monthlyCost: Num,
        pastMonthlyCost: NullableNum,
        newMonthlyCost: NullableNum,
        costComponents: Type.Array(
          Type.Object({
            name: Type.String(),
            unit: Type.String(),
            hourlyQuantity: NullableNum,
            monthlyQuantity: NullableNum,
            price: Num,
            hourlyCost: NullableNum,
            monthlyCost: NullableNum,
          }),
        ),
      }),
    ),
    totalHourlyCost: Num,
    totalMonthlyCost: Num,
  }),
});

const Verdict = Type.Object({
  passed: Type.Boolean(),
  score: Num,
  summary: Type.Object({ passed: Type.Integer(), failed: Type.Integer() }),
});
const GuardrailChange = Type.Object({
  ruleId: Type.String(),
  title: Type.String(),
  severity: literals(['low', 'medium', 'high', 'critical'] as const),
  enforcement: literals(['advisory', 'soft', 'hard'] as const),
  resource: Type.String(),
  before: Outcome,
  after: Outcome,
  message: Type.String(),
  remediation: Type.String(),
});

/** The review report of GET /api/blueprints/:id/diff and POST /api/review. */
export const ReviewReply = Type.Object({
  fromVersion: Type.Union([Type.String(), Type.Null()]),
  toVersion: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Object({
    changed: Type.Boolean(),
    resourcesAdded: Type.Integer(),
    resourcesRemoved: Type.Integer(),
    resourcesChanged: Type.Integer(),
    filesChanged: Type.Integer(),
    pastTotalMonthlyCost: Num,
    totalMonthlyCost: Num,
    diffTotalMonthlyCost: Num,
    newlyFailing: Type.Integer(),
    newlyPassing: Type.Integer(),
    passed: Type.Boolean(),
  }),
  blueprint: Type.Array(Change),
  resources: Type.Object({
    added: Type.Array(ResourceRef),
    removed: Type.Array(ResourceRef),
    changed: Type.Array(Type.Object({ name: Type.String(), type: Type.String(), changes: Type.Array(Change) })),
  }),
  files: Type.Array(FormatDiff),
  cost: CostDiff,
  guardrails: Type.Object({
    past: Type.Union([Verdict, Type.Null()]),
    current: Verdict,
    newlyFailing: Type.Array(GuardrailChange),
    newlyPassing: Type.Array(GuardrailChange),
  }),
});

export const DiffQuery = Type.Object(
  {
    from: Type.Optional(VersionString),
    to: Type.Optional(VersionString),
    ...CacheQuery,
  },
  { additionalProperties: false },
);
export type DiffQuery = Static<typeof DiffQuery>;

export const ReviewBody = Type.Object(
  {
    // Optional rather than nullable: Ajv applies the blueprint's defaults outside anyOf only.
    from: Type.Optional(BlueprintInput),
    to: BlueprintInput,
    parameters: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 100 })),
    budgetMonthly: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
  },
  { additionalProperties: false },
);
export type ReviewBody = Static<typeof ReviewBody>;
