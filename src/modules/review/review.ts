/**
 * Change review: what a blueprint change does to its resources, its generated code, its cost and
 * its guardrail results, in one report. Pure (engines only, no I/O): the HTTP routes and the CLI
 * both call reviewChange, so they give the same figures.
 */
import {
  EngineError,
  estimateCost,
  evaluateGuardrails,
  generateCloudFormation,
  generateTerraform,
  type BlueprintSpec,
  type GeneratedFile,
  type GuardrailSettings,
} from '../../engines/index.js';
import { diffCost, type CostDiff } from './cost-diff.js';
import { diffFiles, type FormatDiff } from './file-diff.js';
import { diffGuardrails, type GuardrailDiff } from './guardrail-diff.js';
import { diffBlueprints, type BlueprintDiff } from './resource-diff.js';

/** A side of the comparison: a blueprint as stored or as a request/file gives it. */
export type ReviewSide = BlueprintSpec & { description?: string; status?: string; version?: string };

/** How both sides are evaluated. */
export interface ReviewOptions {
  /** Parameter values for both sides (defaults of each side's schema apply). */
  parameters?: Record<string, unknown>;
  /** The tenant's guardrail settings (permissive defaults when absent). */
  settings?: Partial<GuardrailSettings>;
  /** Feeds the budget guardrail of both sides. */
  budgetMonthly?: number;
  /** JSON Pointers naming each side in a 422 (`/from`, `/to`); errors then point inside them. */
  paths?: { from: string; to: string };
  /** How each side is named in an error message (default: its version, or from/to). */
  labels?: { from: string; to: string };
}

/** The whole review. */
export interface ReviewReport extends BlueprintDiff {
  fromVersion: string | null;
  toVersion: string | null;
  summary: {
    /** False exactly when the two sides are the same blueprint (a no-op). */
    changed: boolean;
    resourcesAdded: number;
    resourcesRemoved: number;
    resourcesChanged: number;
    filesChanged: number;
    pastTotalMonthlyCost: number;
    totalMonthlyCost: number;
    diffTotalMonthlyCost: number;
    newlyFailing: number;
    newlyPassing: number;
    /** The newer side's verdict: false when a soft or hard guardrail fails. */
    passed: boolean;
  };
  files: FormatDiff[];
  cost: CostDiff;
  guardrails: GuardrailDiff;
}

interface Evaluated {
  terraform: GeneratedFile[];
  cloudformation: GeneratedFile[] | null;
  cost: ReturnType<typeof estimateCost>;
  guardrails: ReturnType<typeof evaluateGuardrails>;
}

/** Runs every engine on one side; an EngineError is re-thrown pointing inside that side. */
function evaluate(spec: ReviewSide, opts: ReviewOptions, prefix: string, label: string): Evaluated {
  try {
    const params = opts.parameters;
    return {
      terraform: generateTerraform(spec, params).files,
      // CloudFormation only describes AWS; the other providers have no such output to compare.
      cloudformation: spec.provider === 'aws' ? generateCloudFormation(spec, params).files : null,
      cost: estimateCost(spec, params),
      guardrails: evaluateGuardrails(spec, params, opts.settings, { budgetMonthly: opts.budgetMonthly }),
    };
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    const path = err.path === undefined ? prefix || undefined : `${prefix}${err.path}`;
    throw new EngineError(err.code, `${label}: ${err.message}`, path);
  }
}

/** Compares `from` (null: a new blueprint, everything added) with `to`. */
export function reviewChange(from: ReviewSide | null, to: ReviewSide, opts: ReviewOptions = {}): ReviewReport {
  const paths = opts.paths ?? { from: '', to: '' };
  const label = (side: ReviewSide, fallback: string) => (side.version ? `version ${side.version}` : fallback);
  const past = from && evaluate(from, opts, paths.from, opts.labels?.from ?? label(from, 'from'));
  const now = evaluate(to, opts, paths.to, opts.labels?.to ?? label(to, 'to'));

  const { blueprint, resources } = diffBlueprints(from, to);
  const files = [diffFiles('terraform', past?.terraform ?? [], now.terraform)];
  if (past?.cloudformation || now.cloudformation)
    files.push(diffFiles('cloudformation', past?.cloudformation ?? [], now.cloudformation ?? []));
  const cost = diffCost(past?.cost ?? null, now.cost);
  const guardrails = diffGuardrails(past?.guardrails ?? null, now.guardrails);
  const filesChanged = files.reduce((n, f) => n + f.files.length, 0);

  return {
    fromVersion: from?.version ?? null,
    toVersion: to.version ?? null,
    summary: {
      changed:
        from === null ||
        blueprint.length + resources.added.length + resources.removed.length + resources.changed.length > 0 ||
        filesChanged > 0,
      resourcesAdded: resources.added.length,
      resourcesRemoved: resources.removed.length,
      resourcesChanged: resources.changed.length,
      filesChanged,
      pastTotalMonthlyCost: cost.pastTotalMonthlyCost,
      totalMonthlyCost: cost.totalMonthlyCost,
      diffTotalMonthlyCost: cost.diffTotalMonthlyCost,
      newlyFailing: guardrails.newlyFailing.length,
      newlyPassing: guardrails.newlyPassing.length,
      passed: guardrails.current.passed,
    },
    blueprint,
    resources,
    files,
    cost,
    guardrails,
  };
}
