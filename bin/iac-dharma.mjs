#!/usr/bin/env node
// `npx iac-dharma …`: runs the CLI (src/cli). In a checkout with the dev dependencies installed
// it runs the TypeScript source through tsx, so it is never a stale build; an installed package
// (or `npm ci --omit=dev`) runs the compiled dist/cli/index.js that `npm ci`/`npm pack` build.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';
import { URL } from 'node:url';

const source = new URL('../src/cli/index.ts', import.meta.url);
const compiled = new URL('../dist/cli/index.js', import.meta.url);

function hasTsx() {
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

if (existsSync(source) && hasTsx()) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write('iac-dharma: no build found (dist/cli/index.js); run `npm run build` first\n');
  process.exitCode = 2;
}
