// The end-of-test text summary, laid out like k6's: one dotted line per metric (sub-metrics
// indented under it), ✓/✗ in front of metrics that carry thresholds, then the thresholds.
import type { RunResult } from './engine.js';
import type { MetricSummary } from './metrics.js';
import { describeExecutor } from '../profiles.js';

const TREND_KEYS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/** Milliseconds as k6 prints them (µs, ms, s). */
export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (v < 1) return `${(v * 1000).toFixed(0)}µs`;
  if (v < 1000) return `${v.toFixed(2)}ms`;
  return `${(v / 1000).toFixed(2)}s`;
}

function valueText(m: MetricSummary): string {
  const v = m.values;
  switch (m.kind) {
    case 'trend':
      return TREND_KEYS.map((k) => `${k}=${fmtMs(v[k])}`).join(' ');
    case 'rate':
      return `${(100 * (v.rate ?? 0)).toFixed(2)}% ✓ ${v.passes} ✗ ${v.fails}`;
    case 'counter':
      return `${v.count} ${(v.rate ?? 0).toFixed(2)}/s`;
    case 'gauge':
      return `${v.value} min=${v.min} max=${v.max}`;
  }
}

/** Renders the summary of a run as plain text. */
export function textSummary(r: RunResult): string {
  const lines: string[] = [];
  const withThreshold = new Map<string, boolean>();
  for (const t of r.thresholds) withThreshold.set(t.metric, (withThreshold.get(t.metric) ?? true) && t.ok);
  lines.push(`\n  profile: ${r.name}   target: ${r.baseUrl}`);
  lines.push(`  executor: ${describeExecutor(r.executor)}`);
  lines.push(
    `  duration: ${r.durationS.toFixed(1)}s   weights: ${Object.entries(r.scenarios)
      .map(([n, s]) => `${n}=${s.weight}`)
      .join(' ')}\n`,
  );

  const names = Object.keys(r.metrics);
  const roots = names.filter((n) => !n.includes('{'));
  const width = 40;
  for (const root of roots) {
    const mark = withThreshold.has(root) ? (withThreshold.get(root) ? '✓' : '✗') : ' ';
    lines.push(`   ${mark} ${`${root}`.padEnd(width, '.')}: ${valueText(r.metrics[root]!)}`);
    for (const sub of names.filter((n) => n.startsWith(`${root}{`))) {
      const smark = withThreshold.has(sub) ? (withThreshold.get(sub) ? '✓' : '✗') : ' ';
      const tag = sub.slice(root.length + 1, -1);
      lines.push(`   ${smark}   ${`{ ${tag} }`.padEnd(width - 2, '.')}: ${valueText(r.metrics[sub]!)}`);
    }
  }
  lines.push('\n  thresholds:');
  for (const t of r.thresholds) {
    const actual = t.actual === null ? 'no data' : Number.isInteger(t.actual) ? String(t.actual) : t.actual.toFixed(4);
    lines.push(`   ${t.ok ? '✓' : '✗'} ${t.metric}  ${t.expression}  (actual ${actual})`);
  }
  const failed = r.thresholds.filter((t) => !t.ok).length;
  lines.push(
    r.abortedBy
      ? `\n  ✗ aborted early: threshold ${r.abortedBy} failed (abortOnFail)`
      : failed
        ? `\n  ✗ ${failed} of ${r.thresholds.length} thresholds failed`
        : `\n  ✓ all ${r.thresholds.length} thresholds passed`,
  );
  return lines.join('\n');
}
