/**
 * Micro-benchmark of the pure engines on 50- and 200-resource blueprints: median CPU milliseconds
 * per public call (user + system from process.cpuUsage, prepareBlueprint included since every
 * entry point runs it), over ROUNDS rounds of OPS calls after a warm-up. The 50-resource figures
 * are held against the 2 ms goal; the 200-resource ones show how each operation grows (the ratio
 * 200/50 is 4 for linear work), so a super-linear step shows up as a ratio well above 4.
 *
 *   taskset -c 0 npx tsx tools/bench/engines.ts           # pinned to one core: the figures in docs/ENGINES.md
 *   BENCH_ONLY=cloudformation npx tsx tools/bench/engines.ts   # operations whose name contains the text
 *   BENCH_SIZES=200 BENCH_ROUNDS=40 BENCH_OPS=20 BENCH_WARMUP=200 ...    # other sizes, more rounds
 */
import {
  estimateCost,
  evaluateGuardrails,
  generateCloudFormation,
  generateTerraform,
  hashFiles,
  prepareBlueprint,
  validateBlueprint,
} from '../../src/engines/index.js';
import { largeBlueprint } from '../../tests/unit/engines/fixtures.js';

/** The goal: each operation under 2 ms of CPU (median). */
const GOAL_MS = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const OPS_PER_ROUND = Number(process.env.BENCH_OPS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200); // JIT tiers and the validator caches
const ONLY = process.env.BENCH_ONLY ?? '';
const SIZES = (process.env.BENCH_SIZES ?? '50,200').split(',').map(Number);
/** The blueprint size the goal applies to. */
const GOAL_SIZE = 50;

interface Row {
  name: string;
  median: number;
  min: number;
  max: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function bench(name: string, op: () => unknown): Row {
  for (let i = 0; i < WARMUP; i++) op();
  const perOp: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < OPS_PER_ROUND; i++) op();
    const used = process.cpuUsage(start);
    perOp.push((used.user + used.system) / 1000 / OPS_PER_ROUND);
  }
  return { name, median: median(perOp), min: Math.min(...perOp), max: Math.max(...perOp) };
}

function operations(resources: number): Array<[string, () => unknown]> {
  const out: Array<[string, () => unknown]> = [];
  for (const provider of ['aws', 'azure', 'gcp'] as const) {
    const spec = largeBlueprint(provider, resources);
    out.push(
      [`${provider} prepare (validate+resolve)`, () => prepareBlueprint(spec, {})],
      [`${provider} save validation (all issues)`, () => validateBlueprint(spec)],
      [`${provider} terraform + hash`, () => hashFiles(generateTerraform(spec, {}).files)],
    );
    if (provider === 'aws')
      out.push(['aws cloudformation + hash', () => hashFiles(generateCloudFormation(spec, {}).files)]);
    out.push(
      [`${provider} cost estimate`, () => estimateCost(spec, {})],
      [`${provider} guardrails (with budget)`, () => evaluateGuardrails(spec, {}, undefined, { budgetMonthly: 5000 })],
    );
  }
  return out.filter(([name]) => name.includes(ONLY));
}

console.log(
  `engines benchmark: ${SIZES.join(' and ')}-resource blueprints, median CPU ms per call over ${ROUNDS} rounds × ` +
    `${OPS_PER_ROUND} calls (after ${WARMUP} warm-up calls), node ${process.version}\n`,
);
const results = new Map<number, Row[]>(SIZES.map((n) => [n, operations(n).map(([name, op]) => bench(name, op))]));
const names = results.get(SIZES[0]!)!.map((r) => r.name);
const width = Math.max(...names.map((n) => n.length), 'operation'.length);
const cell = (n: number) => n.toFixed(3).padStart(8);
console.log(
  `${'operation'.padEnd(width)} |` +
    SIZES.map((n) => `${String(n).padStart(5)} res median (min–max)`.padStart(30)).join(' |') +
    (results.has(GOAL_SIZE) ? ` | < ${GOAL_MS} ms @${GOAL_SIZE}` : '') +
    (SIZES.length > 1 ? ` | ratio ${SIZES.at(-1)}/${SIZES[0]}` : ''),
);
for (const name of names) {
  const rows = SIZES.map((n) => results.get(n)!.find((r) => r.name === name)!);
  const goal = results.get(GOAL_SIZE)?.find((r) => r.name === name);
  console.log(
    `${name.padEnd(width)} |` +
      rows.map((r) => `${cell(r.median)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`.padStart(30)).join(' |') +
      (goal ? ` | ${(goal.median < GOAL_MS ? 'yes' : 'NO').padStart(9 + String(GOAL_SIZE).length)}` : '') +
      (rows.length > 1 ? ` | ${(rows.at(-1)!.median / rows[0]!.median).toFixed(1).padStart(12)}` : ''),
  );
}
const over = (results.get(GOAL_SIZE) ?? []).filter((r) => r.median >= GOAL_MS);
if (results.has(GOAL_SIZE))
  console.log(
    over.length === 0
      ? `\nall under ${GOAL_MS} ms at ${GOAL_SIZE} resources`
      : `\nover ${GOAL_MS} ms at ${GOAL_SIZE} resources: ${over.map((r) => r.name).join(', ')}`,
  );
