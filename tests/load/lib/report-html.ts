import type { RunResult } from './engine.js';

/** Placeholder until the report lands. */
export function htmlReport(r: RunResult): string {
  return `<!doctype html><pre>${JSON.stringify(r.thresholds)}</pre>`;
}
