// k6 threshold notation: `'p(95)<500'`, `'p(99.9)<=1000'`, `'avg<200'`, `'med<100'`, `'min>0'`,
// `'max<2000'`, `'count<10'`, `'rate<0.01'`, `'value>0'`, keyed by a metric or sub-metric
// (`http_req_duration{scenario:health}`). A threshold without data fails: a check that could not
// be made must not read as a pass.
import type { MetricSummary } from './metrics.js';

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

/** One parsed threshold expression. */
export interface ParsedThreshold {
  /** The aggregation as k6 names it in the summary: `p(95)`, `avg`, `rate`, … */
  aggregation: string;
  op: Operator;
  value: number;
}

/** A threshold as k6 accepts it: the expression, or an object with abortOnFail. */
export type ThresholdSpec = string | { threshold: string; abortOnFail?: boolean };

/** k6's `thresholds` option: metric (or sub-metric) → expressions. */
export type Thresholds = Record<string, ThresholdSpec[]>;

/** The outcome of one threshold at the end of a run. */
export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** The measured value the expression was checked against (null: no data). */
  actual: number | null;
  abortOnFail: boolean;
}

const EXPR =
  /^\s*(p\(\s*(\d+(?:\.\d+)?)\s*\)|avg|min|max|med|count|rate|value)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;
const KEY = /^([a-zA-Z_][a-zA-Z0-9_]*)(\{[a-zA-Z_]+:[^{}]+\})?$/;

/** Parses one expression; throws with the expression in the message when it is not k6 notation. */
export function parseThreshold(expression: string): ParsedThreshold {
  const m = EXPR.exec(expression);
  if (!m)
    throw new Error(
      `invalid threshold expression ${JSON.stringify(expression)} (k6 notation, e.g. 'p(95)<500', 'rate<0.01')`,
    );
  const pct = m[2] === undefined ? undefined : Number(m[2]);
  if (pct !== undefined && (pct < 0 || pct > 100))
    throw new Error(`percentile out of range in ${JSON.stringify(expression)}`);
  return {
    aggregation: pct === undefined ? m[1]! : `p(${pct})`,
    op: m[3] as Operator,
    value: Number(m[4]),
  };
}

/** Validates a metric key (`name` or `name{tag:value}`). */
export function parseMetricKey(key: string): { metric: string; tag?: string } {
  const m = KEY.exec(key);
  if (!m) throw new Error(`invalid threshold metric ${JSON.stringify(key)} (e.g. http_req_duration{scenario:health})`);
  return { metric: m[1]!, tag: m[2] };
}

function compare(actual: number, op: Operator, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
    case '===':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

/** Checks every threshold (parsed up front: a typo fails before the run, as k6 does). */
export function validateThresholds(thresholds: Thresholds): void {
  for (const [key, specs] of Object.entries(thresholds)) {
    parseMetricKey(key);
    for (const s of specs) parseThreshold(typeof s === 'string' ? s : s.threshold);
  }
}

/**
 * Evaluates thresholds against metric summaries. `percentile` supplies percentiles the summary
 * does not list (p(97.5)…) from the metric's histogram.
 */
export function evaluateThresholds(
  thresholds: Thresholds,
  metrics: Record<string, MetricSummary>,
  percentile: (key: string, p: number) => number | undefined = () => undefined,
): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const [key, specs] of Object.entries(thresholds)) {
    for (const s of specs) {
      const expression = typeof s === 'string' ? s : s.threshold;
      const abortOnFail = typeof s === 'string' ? false : Boolean(s.abortOnFail);
      const t = parseThreshold(expression);
      const summary = metrics[key];
      let actual: number | undefined = summary?.values[t.aggregation];
      if (actual === undefined && summary && t.aggregation.startsWith('p(')) {
        actual = percentile(key, Number(t.aggregation.slice(2, -1)));
      }
      const has = actual !== undefined && Number.isFinite(actual);
      out.push({
        metric: key,
        expression,
        ok: has && compare(actual!, t.op, t.value),
        actual: has ? actual! : null,
        abortOnFail,
      });
    }
  }
  return out;
}
