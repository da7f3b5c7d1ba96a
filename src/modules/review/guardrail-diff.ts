import type { GuardrailReport, GuardrailResult } from '../../engines/index.js';

type Status = 'passed' | 'failed' | 'absent';

/** A guardrail result whose outcome changed; `absent` when its resource exists on one side only. */
export interface GuardrailChange {
  ruleId: string;
  title: string;
  severity: GuardrailResult['severity'];
  enforcement: GuardrailResult['enforcement'];
  resource: string;
  before: Status;
  after: Status;
  /** The newer side's message (the older one's when the resource is gone). */
  message: string;
  remediation: string;
}

/** The two sides' verdicts and the results that newly fail or newly pass. */
export interface GuardrailDiff {
  past: Pick<GuardrailReport, 'passed' | 'score' | 'summary'> | null;
  current: Pick<GuardrailReport, 'passed' | 'score' | 'summary'>;
  newlyFailing: GuardrailChange[];
  newlyPassing: GuardrailChange[];
}

const keyOf = (r: GuardrailResult) => `${r.ruleId}\u0000${r.resource}`;
const verdict = ({ passed, score, summary }: GuardrailReport) => ({ passed, score, summary });

/**
 * Matches results by (rule, resource address). Newly failing: failed now, not before (passed, or
 * its resource is new). Newly passing: failed before, not now (fixed, or its resource is gone).
 */
export function diffGuardrails(past: GuardrailReport | null, now: GuardrailReport): GuardrailDiff {
  const before = new Map((past?.results ?? []).map((r) => [keyOf(r), r]));
  const after = new Map(now.results.map((r) => [keyOf(r), r]));
  const change = (b: GuardrailResult | undefined, a: GuardrailResult | undefined): GuardrailChange => {
    const r = (a ?? b)!;
    return {
      ruleId: r.ruleId,
      title: r.title,
      severity: r.severity,
      enforcement: r.enforcement,
      resource: r.resource,
      before: b?.status ?? 'absent',
      after: a?.status ?? 'absent',
      message: r.message,
      remediation: r.remediation,
    };
  };
  const newlyFailing = [...after.entries()]
    .filter(([k, a]) => a.status === 'failed' && before.get(k)?.status !== 'failed')
    .map(([k, a]) => change(before.get(k), a));
  const newlyPassing = [...before.entries()]
    .filter(([k, b]) => b.status === 'failed' && after.get(k)?.status !== 'failed')
    .map(([k, b]) => change(b, after.get(k)));
  return { past: past && verdict(past), current: verdict(now), newlyFailing, newlyPassing };
}
