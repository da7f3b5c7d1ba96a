// Benchmark-only packages (express@5 for the design-note comparison). Resolved from the
// project's node_modules when the project declares them, else from tools/bench/.deps, which this
// installs on first use (gitignored; never touches package.json or the lock file).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const DEPS_DIR = path.resolve(import.meta.dirname, '..', '.deps');
export const BENCH_PACKAGES = ['express@5.3.0'];

/** The path `require.resolve` finds for `name`, or undefined. */
function resolveFrom(dir: string, name: string): string | undefined {
  try {
    return createRequire(path.join(dir, 'noop.js')).resolve(name);
  } catch {
    return undefined;
  }
}

/** Makes sure every bench package resolves; installs the missing ones into tools/bench/.deps. */
export function ensureBenchDeps(log: (s: string) => void): void {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const missing = BENCH_PACKAGES.filter((p) => {
    const name = p.slice(0, p.lastIndexOf('@'));
    return !resolveFrom(root, name) && !resolveFrom(DEPS_DIR, name);
  });
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')} into tools/bench/.deps (benchmark only)`);
  mkdirSync(DEPS_DIR, { recursive: true });
  if (!existsSync(path.join(DEPS_DIR, 'package.json')))
    writeFileSync(path.join(DEPS_DIR, 'package.json'), '{"private":true}\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', ...missing], {
    cwd: DEPS_DIR,
    stdio: 'ignore',
  });
}

/** Imports a bench package (project first, then tools/bench/.deps). */
export async function importBench<T>(name: string): Promise<T> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const file = resolveFrom(root, name) ?? resolveFrom(DEPS_DIR, name);
  if (!file) throw new Error(`${name} is not installed; run npm run bench once (it installs into tools/bench/.deps)`);
  return (await import(file)) as T;
}
