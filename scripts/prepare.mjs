// npm's `prepare` (run by `npm ci`, `npm install` and `npm pack`): compiles src/ to dist/ so
// `npm start` and the `iac-dharma` bin run plain JavaScript. Without the dev dependencies
// (`npm ci --omit=dev`) there is no compiler: it does nothing, and dist/ must come from elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';

// A dependency-only install (a container layer that copies package*.json before the sources).
if (!existsSync('tsconfig.build.json') || !existsSync('src')) {
  process.stdout.write('prepare: no sources here: skipping the build\n');
  process.exit(0);
}
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stdout.write('prepare: typescript is not installed (production install): skipping the build\n');
  process.exit(0);
}
const { status } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
process.exit(status ?? 1);
