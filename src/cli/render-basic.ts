/** Table and markdown output of `generate`, `cost` and `guardrails` (json is the API's body). */
import type { CostEstimate, GuardrailReport } from '../engines/index.js';
import type { Format } from './args.js';
import { cell, code, fenced, mdTable, money, table } from './text.js';

/** What `generate` produces: the API's `POST /api/iac/generate` reply. */
export interface GenerateReply {
  format: 'terraform' | 'cloudformation';
  files: { path: string; content: string }[];
  resourceCount: number;
  hash: string;
}

const LANG = { terraform: 'hcl', cloudformation: 'yaml' } as const;

/** Every file with a banner (table), or in fenced blocks (markdown). */
export function renderGenerate(r: GenerateReply, format: Exclude<Format, 'json'>, title: string): string {
  if (format === 'markdown') {
    const blocks = r.files.map((f) => `#### ${code(f.path)}\n\n${fenced(f.content, LANG[r.format])}`);
    return [
      `### ${cell(title)}: ${r.format}`,
      '',
      `${r.resourceCount} resources · sha256 ${code(r.hash)}`,
      '',
      ...blocks,
    ].join('\n');
  }
  return r.files
    .map((f) => `# ==> ${f.path} <==\n${f.content.endsWith('\n') ? f.content : `${f.content}\n`}`)
    .join('\n');
}

/** The list of written files, for `generate --out`. */
export function renderWritten(r: GenerateReply, dir: string): string {
  const rows = r.files.map((f) => [`${dir}/${f.path}`, String(Buffer.byteLength(f.content))]);
  return `${table(['file', 'bytes'], rows, [1])}\n\n${r.resourceCount} resources, sha256 ${r.hash}`;
}

function componentLine(c: CostEstimate['resources'][number]['costComponents'][number]): string {
  const qty = c.monthlyQuantity === null ? '' : `${+c.monthlyQuantity.toFixed(4)} ${c.unit} × ${c.price}`;
  return c.note ? `${qty}${qty ? ' ' : ''}(${c.note})` : qty;
}

/** Per resource and component, then the total (Infracost's breakdown, in short). */
export function renderCost(e: CostEstimate, format: Exclude<Format, 'json'>, title: string): string {
  const head = `${title} · ${e.provider} ${e.region} · prices ${e.priceTableVersion}`;
  if (format === 'markdown') {
    const rows = e.resources
      .filter((r) => r.costComponents.length > 0)
      .map((r) => [code(r.address), String(r.costComponents.length), money(r.monthlyCost)]);
    rows.push(['**Total**', '', `**${money(e.totalMonthlyCost)}**`]);
    return [`### Monthly cost: ${cell(head)}`, '', mdTable(['Resource', 'Lines', 'Monthly'], rows, [1, 2])].join('\n');
  }
  const rows: string[][] = [];
  for (const r of e.resources) {
    if (r.costComponents.length === 0) continue;
    rows.push([r.address, '', money(r.monthlyCost)]);
    for (const c of r.costComponents) rows.push([`  ${c.name}`, componentLine(c), money(c.monthlyCost)]);
  }
  rows.push(['TOTAL', '', money(e.totalMonthlyCost)]);
  const free = e.resources.filter((r) => r.costComponents.length === 0).length;
  const tail = free > 0 ? `\n${free} resource(s) without a price of their own (free, or billed through others).` : '';
  return `${head}\n\n${table(['resource', 'quantity', 'monthly'], rows, [2])}${tail}`;
}

/** The verdict, then every failing rule (passing ones are counted). */
export function renderGuardrails(g: GuardrailReport, format: Exclude<Format, 'json'>, title: string): string {
  const failed = g.results.filter((r) => r.status === 'failed');
  const verdict = g.passed ? 'passed' : 'FAILED';
  const line = `${title}: guardrails ${verdict} · score ${g.score} · ${g.summary.passed} passed, ${g.summary.failed} failed`;
  if (format === 'markdown') {
    const rows = failed.map((r) => [
      code(r.ruleId),
      r.enforcement,
      r.severity,
      code(r.resource),
      cell(r.message),
      cell(r.remediation),
    ]);
    const body = rows.length
      ? mdTable(['Rule', 'Enforcement', 'Severity', 'Resource', 'Finding', 'Fix'], rows)
      : 'No rule fails.';
    return [`### ${g.passed ? '✅' : '❌'} ${cell(line)}`, '', body].join('\n');
  }
  const rows = failed.map((r) => [r.enforcement, r.severity, r.ruleId, r.resource, r.message]);
  return rows.length
    ? `${line}\n\n${table(['enforcement', 'severity', 'rule', 'resource', 'finding'], rows)}`
    : `${line}\n\nNo rule fails.`;
}
