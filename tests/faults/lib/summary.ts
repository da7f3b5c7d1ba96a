import type { Outcome, Recorder } from './load.js';
import type { Model } from './model.js';

const label = (o: Outcome) => (typeof o === 'number' ? String(o) : o);

/** The run's figures as a Markdown table, printed by the suite and copied into docs/perf/FAULTS.md. */
export function summarize(rec: Recorder, faults: string[], dbChecks: number, model: Model): string {
  const phases = [...new Set(rec.answers.map((a) => a.phase))];
  const outcomes = [...new Set(rec.answers.map((a) => label(a.outcome)))].sort();
  const rows = phases.map((phase) => {
    const answers = rec.answers.filter((a) => a.phase === phase);
    const counts = outcomes.map((o) => answers.filter((a) => label(a.outcome) === o).length);
    const slowest = Math.max(0, ...answers.map((a) => a.ms));
    const bad = rec.violations.filter((v) => v.phase === phase).length;
    return `| ${phase} | ${answers.length} | ${counts.join(' | ')} | ${slowest.toFixed(0)} | ${bad} |`;
  });
  const total = outcomes.map((o) => rec.answers.filter((a) => label(a.outcome) === o).length);
  const uncertain = [...model.blueprints, ...model.projects].filter((t) => t.pending !== undefined).length;
  return [
    `faults injected: ${faults.length} (${faults.join(', ')})`,
    `acknowledged writes: ${rec.ackedWrites}, each checked against the database after every later fault (${dbChecks} checks); ` +
      `writes without an acknowledgement: ${uncertain} (either outcome accepted, nothing else)`,
    `entities: ${model.blueprints.length} blueprints, ${model.projects.length} projects; answers outside the contract: ${rec.violations.length}`,
    '',
    `| phase | requests | ${outcomes.join(' | ')} | slowest (ms) | violations |`,
    `| --- | ---: | ${outcomes.map(() => '---:').join(' | ')} | ---: | ---: |`,
    ...rows,
    `| **all** | ${rec.answers.length} | ${total.join(' | ')} | ${Math.max(0, ...rec.answers.map((a) => a.ms)).toFixed(0)} | ${rec.violations.length} |`,
  ].join('\n');
}
