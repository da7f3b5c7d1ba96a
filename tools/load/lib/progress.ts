// The live progress line: stage, VUs, req/s, P95 and errors over the last few seconds. On a
// terminal it rewrites one line; otherwise (CI, pipes) it prints a line every five seconds.
import type { ExecutorState } from './executors.js';
import type { Timeline } from './timeline.js';
import { formatDuration } from './types.js';

/** Starts printing to stderr; stop() ends the line. */
export function startProgress(name: string, state: ExecutorState, timeline: Timeline): { stop(): void } {
  const tty = process.stderr.isTTY === true;
  let n = 0;
  const line = () => {
    const r = timeline.recent(3);
    const rps = r.seconds ? r.reqs / r.seconds : 0;
    const errPct = r.reqs ? (100 * r.failures) / r.reqs : 0;
    return (
      `[${name}] stage ${state.stage + 1}/${state.stages}  ${formatDuration(state.elapsedMs)}/${formatDuration(state.plannedMs)}` +
      `  vus ${state.activeVus}/${state.targetVus}  ${rps.toFixed(0)} req/s` +
      `  p95 ${r.p95 === null ? '-' : `${r.p95.toFixed(1)}ms`}  errors ${r.failures} (${errPct.toFixed(2)}%)`
    );
  };
  const timer = setInterval(() => {
    n += 1;
    if (tty) process.stderr.write(`\r\x1b[2K${line()}`);
    else if (n % 5 === 0) process.stderr.write(`${line()}\n`);
  }, 1_000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (tty) process.stderr.write(`\r\x1b[2K${line()}\n`);
    },
  };
}
