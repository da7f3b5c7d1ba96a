/** The four commands: load the inputs, run the engines (as the API does), decide the exit code. */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import {
  EngineError,
  estimateCost,
  evaluateGuardrails,
  generateCloudFormation,
  generateTerraform,
  hashFiles,
} from '../engines/index.js';
import { EstimateReply, EvaluateReply, GenerateReply as GenerateReplySchema } from '../modules/engines/schema.js';
import { reviewChange, type ReviewReport } from '../modules/review/review.js';
import { ReviewReply } from '../modules/review/schema.js';
import type { CliArgs, MaxIncrease } from './args.js';
import { InputError, loadBlueprint, loadParameters, loadSettings, loadUsage, type LoadedBlueprint } from './inputs.js';
import { renderCost, renderGenerate, renderGuardrails, renderWritten, type GenerateReply } from './render-basic.js';
import { renderReviewMarkdown, renderReviewTable } from './render-review.js';
import { money, signedMoney } from './text.js';

/** What a command prints on stdout, and why it fails CI (each reason a line on stderr; exit 1). */
export interface Outcome {
  text: string;
  failures: string[];
}

/** The JSON the API would answer: only the fields its response schema declares. */
function apiJson(schema: TSchema, value: unknown): string {
  return JSON.stringify(Value.Clean(schema, structuredClone(value)), null, 2);
}

/** Runs an engine on one blueprint; its error names the file, as a review's names the side. */
function engine<T>(bp: LoadedBlueprint, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof EngineError) throw new EngineError(err.code, `${bp.label}: ${err.message}`, err.path);
    throw err;
  }
}

const titleOf = (b: LoadedBlueprint) => `${b.name} (${b.label}${b.version ? `@${b.version}` : ''})`;

async function generate(a: CliArgs): Promise<Outcome> {
  const bp = await loadBlueprint(a.files[0]!, a);
  const params = await loadParameters(a.paramsFile, a.params);
  const out = engine(bp, () =>
    a.iac === 'terraform' ? generateTerraform(bp, params) : generateCloudFormation(bp, params),
  );
  const reply: GenerateReply = {
    format: a.iac,
    files: out.files,
    resourceCount: out.resourceCount,
    hash: hashFiles(out.files),
  };
  if (a.out !== undefined) {
    const dir = resolve(a.out);
    await mkdir(dir, { recursive: true });
    for (const f of reply.files) {
      const target = resolve(dir, f.path);
      if (!target.startsWith(dir + sep)) throw new InputError(`${f.path}: refusing to write outside ${a.out}`);
      await writeFile(target, f.content);
    }
    if (a.format !== 'json') return { text: renderWritten(reply, a.out), failures: [] };
  }
  if (a.format === 'json') return { text: apiJson(GenerateReplySchema, reply), failures: [] };
  return { text: renderGenerate(reply, a.format, titleOf(bp)), failures: [] };
}

async function cost(a: CliArgs): Promise<Outcome> {
  const bp = await loadBlueprint(a.files[0]!, a);
  const params = await loadParameters(a.paramsFile, a.params);
  const usage = await loadUsage(a.usageFile);
  const estimate = engine(bp, () => estimateCost(bp, params, { region: a.region, usage }));
  if (a.format === 'json') return { text: apiJson(EstimateReply, estimate), failures: [] };
  return { text: renderCost(estimate, a.format, titleOf(bp)), failures: [] };
}

async function guardrails(a: CliArgs): Promise<Outcome> {
  const bp = await loadBlueprint(a.files[0]!, a);
  const params = await loadParameters(a.paramsFile, a.params);
  const settings = await loadSettings(a.settingsFile, a);
  const report = engine(bp, () => evaluateGuardrails(bp, params, settings, { budgetMonthly: a.budget }));
  const failing = report.results.filter((r) => r.status === 'failed' && r.enforcement !== 'advisory');
  const failures = failing.map((r) => `${r.enforcement} guardrail ${r.ruleId} fails on ${r.resource}: ${r.message}`);
  const text = a.format === 'json' ? apiJson(EvaluateReply, report) : renderGuardrails(report, a.format, titleOf(bp));
  return { text, failures };
}

/** Whether the increase passes the threshold: strictly more than the amount, or than the percentage of the old total. */
export function exceeds(max: MaxIncrease, past: number, delta: number): boolean {
  if (delta <= 0) return false;
  if (max.kind === 'usd') return delta > max.value;
  return past === 0 || (delta / past) * 100 > max.value;
}

/** Why a review fails CI: the cost threshold, and soft/hard guardrails (all failing, or newly failing). */
export function reviewFailures(r: ReviewReport, a: Pick<CliArgs, 'maxIncrease' | 'failOn'>): string[] {
  const failures: string[] = [];
  const { pastTotalMonthlyCost: past, diffTotalMonthlyCost: delta } = r.cost;
  if (a.maxIncrease && exceeds(a.maxIncrease, past, delta)) {
    const limit = a.maxIncrease.kind === 'usd' ? money(a.maxIncrease.value) : `${a.maxIncrease.value}%`;
    failures.push(
      `monthly cost rises by ${signedMoney(delta)} (${money(past)} → ${money(r.cost.totalMonthlyCost)}), above --max-increase ${limit}`,
    );
  }
  if (a.failOn === 'new') {
    for (const g of r.guardrails.newlyFailing)
      if (g.enforcement !== 'advisory')
        failures.push(`${g.enforcement} guardrail ${g.ruleId} newly fails on ${g.resource}: ${g.message}`);
  } else if (!r.guardrails.current.passed) {
    failures.push(
      `soft or hard guardrails fail on the new blueprint (${r.guardrails.current.summary.failed} failing results; see guardrails)`,
    );
  }
  return failures;
}

async function diff(a: CliArgs): Promise<Outcome> {
  const [from, to] = [await loadBlueprint(a.files[0]!, a), await loadBlueprint(a.files[1]!, a)];
  const report = reviewChange(from, to, {
    parameters: await loadParameters(a.paramsFile, a.params),
    settings: await loadSettings(a.settingsFile, a),
    budgetMonthly: a.budget,
    labels: { from: from.label, to: to.label },
  });
  const labels: [string, string] = [from.label, to.label];
  const text =
    a.format === 'json'
      ? apiJson(ReviewReply, report)
      : a.format === 'markdown'
        ? renderReviewMarkdown(report, labels, to.name)
        : renderReviewTable(report, labels, a.patch);
  return { text, failures: reviewFailures(report, a) };
}

/** Runs the parsed command. */
export function runCommand(a: CliArgs): Promise<Outcome> {
  return { generate, cost, guardrails, diff }[a.command](a);
}
