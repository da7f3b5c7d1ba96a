/**
 * Guardrail evaluation: runs every rule of rules.ts over a prepared blueprint. `passed` is false
 * when a soft or hard rule fails (advisory failures only warn); the score weighs results by
 * severity so one critical failure costs more than several low ones.
 */
import { prepareBlueprint, type PreparedBlueprint } from '../blueprint.js';
import { estimateCostPrepared, type CostEstimate, type CostOptions } from '../cost/index.js';
import { EngineError } from '../errors.js';
import type { BlueprintSpec } from '../types.js';
import { DEFAULT_SETTINGS, RULES, type Enforcement, type GuardrailSettings, type Severity } from './rules.js';

export {
  BLUEPRINT_ADDRESS,
  DEFAULT_SETTINGS,
  RULES,
  type Enforcement,
  type GuardrailSettings,
  type Rule,
  type Severity,
} from './rules.js';

/** One rule applied to one resource instance (or to the blueprint). */
export interface GuardrailResult {
  ruleId: string;
  title: string;
  severity: Severity;
  enforcement: Enforcement;
  status: 'passed' | 'failed';
  resource: string;
  message: string;
  remediation: string;
}

/** The evaluation. */
export interface GuardrailReport {
  passed: boolean;
  score: number;
  summary: { passed: number; failed: number };
  results: GuardrailResult[];
}

/** Options of evaluateGuardrails. */
export interface GuardrailOptions {
  budgetMonthly?: number;
  usage?: CostOptions['usage'];
}

const WEIGHT: Record<Severity, number> = { low: 1, medium: 2, high: 4, critical: 8 };

/** Rule metadata for GET /api/guardrails/rules. */
export function listRules(): Array<{
  id: string;
  title: string;
  severity: Severity;
  enforcement: Enforcement;
  remediation: string;
}> {
  return RULES.map(({ id, title, severity, enforcement, remediation }) => ({
    id,
    title,
    severity,
    enforcement,
    remediation,
  }));
}

function normalise(settings: Partial<GuardrailSettings> | undefined): GuardrailSettings {
  const out = { ...DEFAULT_SETTINGS, ...(settings ?? {}) };
  for (const key of ['allowedRegions', 'allowedSizes', 'requiredTags'] as const) {
    const v = out[key];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
      throw new EngineError('invalid_parameters', `${key} must be a list of strings`, `/settings/${key}`);
  }
  return out;
}

/** Evaluates every guardrail against a blueprint with the given parameters and settings. */
export function evaluateGuardrails(
  spec: BlueprintSpec,
  params?: Record<string, unknown>,
  settings?: Partial<GuardrailSettings>,
  options: GuardrailOptions = {},
): GuardrailReport {
  return evaluateGuardrailsPrepared(prepareBlueprint(spec, params), settings, options);
}

/** evaluateGuardrails for an already prepared blueprint. */
export function evaluateGuardrailsPrepared(
  bp: PreparedBlueprint,
  settings?: Partial<GuardrailSettings>,
  options: GuardrailOptions = {},
): GuardrailReport {
  const budget = options.budgetMonthly;
  if (budget !== undefined && (typeof budget !== 'number' || !Number.isFinite(budget) || budget < 0)) {
    throw new EngineError('invalid_parameters', 'budgetMonthly must be a number ≥ 0', '/budgetMonthly');
  }
  let cost: CostEstimate | undefined;
  const ctx = {
    bp,
    settings: normalise(settings),
    budgetMonthly: budget,
    cost: () => (cost ??= estimateCostPrepared(bp, { usage: options.usage })),
  };
  const results: GuardrailResult[] = [];
  for (const rule of RULES) {
    for (const f of rule.check(ctx)) {
      results.push({
        ruleId: rule.id,
        title: rule.title,
        severity: rule.severity,
        enforcement: rule.enforcement,
        status: f.passed ? 'passed' : 'failed',
        resource: f.resource,
        message: f.message,
        remediation: rule.remediation,
      });
    }
  }
  const failed = results.filter((r) => r.status === 'failed');
  const total = results.reduce((s, r) => s + WEIGHT[r.severity], 0);
  const good = results.reduce((s, r) => s + (r.status === 'passed' ? WEIGHT[r.severity] : 0), 0);
  return {
    passed: !failed.some((r) => r.enforcement !== 'advisory'),
    score: total === 0 ? 100 : Math.floor((100 * good) / total),
    summary: { passed: results.length - failed.length, failed: failed.length },
    results,
  };
}
