/** Table and markdown (a pull-request comment) output of `diff`. */
import type { ReviewReport } from '../modules/review/review.js';
import type { GuardrailChange } from '../modules/review/guardrail-diff.js';
import type { PropertyChange } from '../modules/review/resource-diff.js';
import { cell, code, fenced, mdTable, money, percentChange, shortValue, signedMoney, table } from './text.js';

/** GitHub refuses comments past 65,536 characters; the patches give way first. */
const MARKDOWN_BUDGET = 60_000;

function describeChange(c: PropertyChange): string {
  if (c.op === 'add') return `${c.path} = ${shortValue(c.after)}`;
  if (c.op === 'remove') return `${c.path} removed (was ${shortValue(c.before)})`;
  return `${c.path}: ${shortValue(c.before)} → ${shortValue(c.after)}`;
}

function costLine(r: ReviewReport): string {
  const { pastTotalMonthlyCost: past, totalMonthlyCost: now, diffTotalMonthlyCost: d } = r.cost;
  const trend = d > 0 ? 'rises' : d < 0 ? 'falls' : 'does not change';
  return `Monthly cost ${trend}${d === 0 ? '' : ` by ${money(Math.abs(d))} (${percentChange(past, d)})`}: ${money(past)} → ${money(now)}`;
}

function guardrailLine(r: ReviewReport): string {
  const g = r.guardrails;
  return `Guardrails ${g.current.passed ? 'pass' : 'FAIL'} (score ${g.current.score}): ${g.newlyFailing.length} newly failing, ${g.newlyPassing.length} newly passing`;
}

/** "Old 1.0.0 → new 1.1.0". */
function rangeOf(r: ReviewReport, labels: [string, string]): string {
  const side = (label: string, v: string | null) => (v ? `${label} (${v})` : label);
  return `${side(labels[0], r.fromVersion)} → ${side(labels[1], r.toVersion)}`;
}

function tableGuardrails(title: string, list: GuardrailChange[]): string[] {
  if (list.length === 0) return [];
  const rows = list.map((g) => [g.enforcement, g.ruleId, g.resource, `${g.before}→${g.after}`, g.message]);
  return ['', title, table(['enforcement', 'rule', 'resource', 'status', 'finding'], rows)];
}

/** Plain text for a terminal; `patch` appends the unified diffs. */
export function renderReviewTable(r: ReviewReport, labels: [string, string], patch: boolean): string {
  const out = [`Review: ${rangeOf(r, labels)}`, ''];
  if (!r.summary.changed) out.push('No change.');
  out.push(costLine(r), guardrailLine(r));
  const { added, removed, changed } = r.resources;
  const rows = [
    ...added.map((x) => ['+', x.name, x.type, x.count > 1 ? `count ${x.count}` : '']),
    ...removed.map((x) => ['-', x.name, x.type, x.count > 1 ? `count ${x.count}` : '']),
    ...changed.flatMap((x) => x.changes.map((c, i) => ['~', i ? '' : x.name, i ? '' : x.type, describeChange(c)])),
    ...r.blueprint.map((c) => ['~', '(blueprint)', '', describeChange(c)]),
  ];
  if (rows.length) out.push('', table(['', 'resource', 'type', 'change'], rows));
  const costRows = r.cost.diff.resources.map((x) => [
    x.name,
    x.change,
    money(x.pastMonthlyCost),
    money(x.newMonthlyCost),
    signedMoney(x.monthlyCost),
  ]);
  if (costRows.length) {
    costRows.push([
      'TOTAL',
      '',
      money(r.cost.pastTotalMonthlyCost),
      money(r.cost.totalMonthlyCost),
      signedMoney(r.cost.diffTotalMonthlyCost),
    ]);
    out.push('', table(['cost', 'change', 'previous', 'new', 'diff'], costRows, [2, 3, 4]));
  }
  out.push(...tableGuardrails('Newly failing guardrails', r.guardrails.newlyFailing));
  out.push(...tableGuardrails('Newly passing guardrails', r.guardrails.newlyPassing));
  for (const f of r.files) {
    if (f.files.length === 0) continue;
    const list = f.files.map(
      (x) =>
        `${x.path} (${x.change}${x.additions === null ? ', too large to diff' : `, +${x.additions} -${x.deletions}`})`,
    );
    out.push('', `${f.format}: ${list.join(', ')}`);
    if (patch && f.patch) out.push('', f.patch.trimEnd());
  }
  return out.join('\n');
}

function mdGuardrails(title: string, list: GuardrailChange[]): string[] {
  if (list.length === 0) return [];
  const rows = list.map((g) => [code(g.ruleId), g.enforcement, g.severity, code(g.resource), cell(g.message)]);
  return ['', `#### ${title}`, '', mdTable(['Rule', 'Enforcement', 'Severity', 'Resource', 'Finding'], rows)];
}

/** A pull-request comment: verdicts first, then cost, guardrail and resource changes, then the code diffs. */
export function renderReviewMarkdown(r: ReviewReport, labels: [string, string], title: string): string {
  const g = r.guardrails;
  const out = [
    `### IAC Dharma review: ${cell(title)}`,
    '',
    `${cell(rangeOf(r, labels))}`,
    '',
    `${r.cost.diffTotalMonthlyCost > 0 ? '📈' : r.cost.diffTotalMonthlyCost < 0 ? '📉' : '➖'} **${costLine(r)}**`,
    '',
    `${g.current.passed ? '✅' : '❌'} **${guardrailLine(r)}**`,
  ];
  if (!r.summary.changed) out.push('', 'No change.');
  const costRows = r.cost.diff.resources.map((x) => [
    code(x.name),
    x.change,
    money(x.pastMonthlyCost),
    money(x.newMonthlyCost),
    signedMoney(x.monthlyCost),
  ]);
  if (costRows.length) {
    costRows.push([
      '**Total**',
      '',
      money(r.cost.pastTotalMonthlyCost),
      money(r.cost.totalMonthlyCost),
      `**${signedMoney(r.cost.diffTotalMonthlyCost)}**`,
    ]);
    out.push('', '#### Cost', '', mdTable(['Resource', 'Change', 'Previous', 'New', 'Diff'], costRows, [2, 3, 4]));
  }
  out.push(...mdGuardrails('Newly failing guardrails', g.newlyFailing));
  out.push(...mdGuardrails('Newly passing guardrails', g.newlyPassing));
  const { added, removed, changed } = r.resources;
  const items = [
    ...added.map((x) => `- added ${code(x.name)} (${x.type}${x.count > 1 ? ` ×${x.count}` : ''})`),
    ...removed.map((x) => `- removed ${code(x.name)} (${x.type}${x.count > 1 ? ` ×${x.count}` : ''})`),
    ...changed.map((x) => `- changed ${code(x.name)}: ${x.changes.map((c) => code(describeChange(c))).join(', ')}`),
    ...r.blueprint.map((c) => `- blueprint ${code(describeChange(c))}`),
  ];
  if (items.length) out.push('', '#### Changes', '', ...items);
  let budget = MARKDOWN_BUDGET - out.join('\n').length;
  for (const f of r.files) {
    if (f.files.length === 0) continue;
    const plus = f.files.reduce((n, x) => n + (x.additions ?? 0), 0);
    const minus = f.files.reduce((n, x) => n + (x.deletions ?? 0), 0);
    const summary = `${f.format} diff: ${f.files.length} file(s), +${plus} −${minus}${f.truncated ? ' (a file too large to diff)' : ''}`;
    const block = fenced(f.patch, 'diff');
    const body = block.length < budget ? block : '_Too long for a comment: run `iac-dharma diff --patch` locally._';
    budget -= body.length;
    out.push('', `<details><summary>${summary}</summary>`, '', body, '', '</details>');
  }
  return out.join('\n');
}
