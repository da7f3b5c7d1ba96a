import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';
import type { GeneratedFile } from '../../engines/index.js';

/** One generated file that differs between the two sides. */
export interface FileChange {
  path: string;
  change: 'added' | 'removed' | 'modified';
  /** Lines added and removed; null when the file was too different to diff within the bound. */
  additions: number | null;
  deletions: number | null;
}

/** The generated code of one format, compared. */
export interface FormatDiff {
  format: 'terraform' | 'cloudformation';
  files: FileChange[];
  /** A unified diff (`--- a/main.tf` / `+++ b/main.tf`) of every changed file, in file order. */
  patch: string;
  /** True when a file's diff was left out because it exceeded the edit bound. */
  truncated: boolean;
}

/**
 * Bound on the edits one file's diff may take (Myers' algorithm costs O((N+M)·D)): past it a
 * file is reported as changed, without its patch, rather than pinning the CPU. Deterministic,
 * unlike a time limit, so the same inputs always give the same (cacheable) answer.
 */
export const MAX_EDIT_LENGTH = 2_000;

/** Compares two sets of generated files by path (files in `to`'s order, then the removed ones). */
export function diffFiles(format: FormatDiff['format'], from: GeneratedFile[], to: GeneratedFile[]): FormatDiff {
  const before = new Map(from.map((f) => [f.path, f.content]));
  const after = new Map(to.map((f) => [f.path, f.content]));
  const paths = [...after.keys(), ...[...before.keys()].filter((p) => !after.has(p))];
  const files: FileChange[] = [];
  const patches: string[] = [];
  let truncated = false;
  for (const path of paths) {
    const old = before.get(path);
    const now = after.get(path);
    if (old === now) continue;
    const change = old === undefined ? 'added' : now === undefined ? 'removed' : 'modified';
    const p = structuredPatch(
      old === undefined ? '/dev/null' : `a/${path}`,
      now === undefined ? '/dev/null' : `b/${path}`,
      old ?? '',
      now ?? '',
      undefined,
      undefined,
      { context: 3, maxEditLength: MAX_EDIT_LENGTH },
    );
    if (!p) {
      truncated = true;
      files.push({ path, change, additions: null, deletions: null });
      continue;
    }
    let additions = 0;
    let deletions = 0;
    for (const h of p.hunks)
      for (const line of h.lines) {
        if (line.startsWith('+')) additions++;
        else if (line.startsWith('-')) deletions++;
      }
    files.push({ path, change, additions, deletions });
    patches.push(formatPatch(p, FILE_HEADERS_ONLY));
  }
  return { format, files, patch: patches.join(''), truncated };
}
