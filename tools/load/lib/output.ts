// Writes a run's result files: <dir>/<profile>-<timestamp>.json and the HTML report beside it.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from './engine.js';
import { htmlReport } from './report-html.js';

/** Default result directory: tests/load/results (gitignored except .gitkeep). */
export const RESULTS_DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'tests', 'load', 'results');

/** Writes JSON (and HTML unless `html` is false); returns the paths. */
export async function writeResults(
  r: RunResult,
  dir = RESULTS_DIR,
  html = true,
): Promise<{ json: string; html?: string }> {
  await mkdir(dir, { recursive: true });
  const stamp = r.startedAt.replace(/[:.]/g, '-');
  const base = path.join(dir, `${r.name}-${stamp}`);
  await writeFile(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
  if (!html) return { json: `${base}.json` };
  await writeFile(`${base}.html`, htmlReport(r));
  return { json: `${base}.json`, html: `${base}.html` };
}
