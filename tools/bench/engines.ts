/**
 * Micro-benchmark of the pure engines on 50-resource blueprints: median CPU milliseconds per
 * public call (user + system from process.cpuUsage, prepareBlueprint included since every entry
 * point runs it), over ROUNDS rounds of OPS calls after a warm-up, against the 2 ms goal.
 *
 *   taskset -c 0 npx tsx tools/bench/engines.ts           # pinned to one core: the figures in docs/ENGINES.md
 *   BENCH_ONLY=cloudformation npx tsx tools/bench/engines.ts   # operations whose name contains the text
 *   BENCH_ROUNDS=40 BENCH_OPS=20 BENCH_WARMUP=200 ...    # more rounds on a noisy machine
 */
import {
  estimateCost,
  evaluateGuardrails,
  generateCloudFormation,
  generateTerraform,
  hashFiles,
  prepareBlueprint,
} from '../../src/engines/index.js';
import { largeBlueprint } from '../../tests/unit/engines/fixtures.js';

/** The goal: each operation under 2 ms of CPU (median). */
const GOAL_MS = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const OPS_PER_ROUND = Number(process.env.BENCH_OPS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200); // JIT tiers and the validator caches
const ONLY = process.env.BENCH_ONLY ?? '';
const RESOURCES = 50;

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

const operations: Array<[string, () => unknown]> = [];
for (const provider of ['aws', 'azure', 'gcp'] as const) {
  const spec = largeBlueprint(provider, RESOURCES);
  operations.push(
    [`${provider} prepare (validate+resolve)`, () => prepareBlueprint(spec, {})],
    [`${provider} terraform + hash`, () => hashFiles(generateTerraform(spec, {}).files)],
  );
  if (provider === 'aws')
    operations.push(['aws cloudformation + hash', () => hashFiles(generateCloudFormation(spec, {}).files)]);
  operations.push(
    [`${provider} cost estimate`, () => estimateCost(spec, {})],
    [`${provider} guardrails (with budget)`, () => evaluateGuardrails(spec, {}, undefined, { budgetMonthly: 5000 })],
  );
}

console.log(
  `engines benchmark: ${RESOURCES}-resource blueprints, median CPU ms per call over ${ROUNDS} rounds × ${OPS_PER_ROUND} calls ` +
    `(after ${WARMUP} warm-up calls), node ${process.version}\n`,
);
const rows = operations.filter(([name]) => name.includes(ONLY)).map(([name, op]) => bench(name, op));
const width = Math.max(...rows.map((r) => r.name.length), 'operation'.length);
const cell = (n: number) => n.toFixed(3).padStart(7);
console.log(`${'operation'.padEnd(width)} | median |    min |    max | < ${GOAL_MS} ms`);
console.log(`${'-'.repeat(width)}-|--------|--------|--------|-------`);
for (const r of rows)
  console.log(
    `${r.name.padEnd(width)} |${cell(r.median)} |${cell(r.min)} |${cell(r.max)} | ${r.median < GOAL_MS ? 'yes' : 'NO'}`,
  );
const over = rows.filter((r) => r.median >= GOAL_MS);
console.log(
  over.length === 0 ? `\nall under ${GOAL_MS} ms` : `\nover ${GOAL_MS} ms: ${over.map((r) => r.name).join(', ')}`,
);
