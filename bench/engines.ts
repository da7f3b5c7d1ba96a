/**
 * Micro-benchmark of the pure engines on a 50-resource blueprint: median CPU milliseconds per
 * operation (user + system from process.cpuUsage) over repeated rounds. Run: npx tsx bench/engines.ts
 */
import {
  estimateCost,
  evaluateGuardrails,
  generateCloudFormation,
  generateTerraform,
  hashFiles,
  prepareBlueprint,
} from '../src/engines/index.js';
import { largeBlueprint } from '../tests/unit/engines/fixtures.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const OPS_PER_ROUND = Number(process.env.BENCH_OPS ?? 20);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function bench(name: string, op: () => unknown): void {
  for (let i = 0; i < OPS_PER_ROUND; i++) op(); // warm-up: JIT and the validator cache
  const perOp: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < OPS_PER_ROUND; i++) op();
    const used = process.cpuUsage(start);
    perOp.push((used.user + used.system) / 1000 / OPS_PER_ROUND);
  }
  console.log(
    `${name.padEnd(34)} median ${median(perOp).toFixed(3).padStart(8)} ms/op  (min ${Math.min(...perOp).toFixed(3)}, max ${Math.max(...perOp).toFixed(3)})`,
  );
}

console.log(
  `engines benchmark: 50-resource blueprints, ${ROUNDS} rounds × ${OPS_PER_ROUND} ops, node ${process.version}`,
);
for (const provider of ['aws', 'azure', 'gcp'] as const) {
  const spec = largeBlueprint(provider, 50);
  bench(`${provider} prepare (validate+resolve)`, () => prepareBlueprint(spec, {}));
  bench(`${provider} terraform + hash`, () => hashFiles(generateTerraform(spec, {}).files));
  if (provider === 'aws') bench('aws cloudformation + hash', () => hashFiles(generateCloudFormation(spec, {}).files));
  bench(`${provider} cost estimate`, () => estimateCost(spec, {}));
  bench(`${provider} guardrails (with budget)`, () => evaluateGuardrails(spec, {}, undefined, { budgetMonthly: 5000 }));
}
