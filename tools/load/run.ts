// `npm run load:<profile> -- [flags]`: runs a load profile against a running app, prints a live
// progress line and a k6-like summary, writes JSON + HTML to tests/load/results/, and exits 1
// when a threshold fails (2 when the run could not start).
//
//   --base-url URL        app to test (env LOAD_BASE_URL, default http://127.0.0.1:3000)
//   --time-scale F        multiply every stage duration (stress: 0.0435 ≈ 60 s)
//   --duration D          or: scale the profile to this total duration ('60s', '23m')
//   --arrival-rate N      open model: constant-arrival-rate N iterations/s instead of VUs
//   --max-vus N           VUs of the open model, all logged in before the clock (default: profile peak)
//   --users N             seeded load users to log in as (load001..loadN@acme.example; default 100)
//   --password P          their password (default DemoPassword-2026)
//   --threshold 'M=EXPR'  add/replace a threshold, e.g. 'http_req_duration{scenario:health}=p(95)<50'
//   --think MIN-MAX       think time in seconds between iterations
//   --out DIR             result directory · --no-html · --no-progress · --seed N
import { parseArgs } from 'node:util';
import { runLoad } from './lib/engine.js';
import { writeResults } from './lib/output.js';
import { textSummary } from './lib/summary.js';
import type { Thresholds } from './lib/thresholds.js';
import { buildOptions, profiles } from './profiles.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'base-url': { type: 'string' },
    'time-scale': { type: 'string' },
    duration: { type: 'string' },
    'arrival-rate': { type: 'string' },
    'max-vus': { type: 'string' },
    users: { type: 'string' },
    password: { type: 'string' },
    threshold: { type: 'string', multiple: true },
    think: { type: 'string' },
    out: { type: 'string' },
    'no-html': { type: 'boolean' },
    'no-progress': { type: 'boolean' },
    seed: { type: 'string' },
  },
});

async function main(): Promise<number> {
  const name = positionals[0] ?? 'smoke';
  const extra: Thresholds = {};
  for (const t of values.threshold ?? []) {
    const i = t.indexOf('=');
    if (i <= 0) throw new Error(`--threshold wants METRIC=EXPRESSION, got ${JSON.stringify(t)}`);
    const key = t.slice(0, i);
    extra[key] = [...(extra[key] ?? []), t.slice(i + 1)];
  }
  const think = values.think?.split('-').map(Number) as [number, number] | undefined;
  const timeScale = values['time-scale'] ?? process.env.LOAD_TIME_SCALE;
  const options = buildOptions(name, {
    ...(timeScale ? { timeScale: Number(timeScale) } : {}),
    ...(values.duration ? { duration: values.duration } : {}),
    ...(values['arrival-rate'] ? { arrivalRate: Number(values['arrival-rate']) } : {}),
    ...(values['max-vus'] ? { maxVUs: Number(values['max-vus']) } : {}),
    ...(think ? { thinkTime: [think[0]!, think[1] ?? think[0]!] } : {}),
    thresholds: extra,
  });
  const users = Number(values.users ?? process.env.LOAD_USERS ?? 100);
  const accounts = Array.from({ length: users }, (_, i) => `load${String(i + 1).padStart(3, '0')}@acme.example`);
  const baseUrl = values['base-url'] ?? process.env.LOAD_BASE_URL ?? 'http://127.0.0.1:3000';
  process.stderr.write(`[${name}] ${profiles[name]!.description}\n`);

  let result;
  try {
    result = await runLoad(
      options,
      {
        baseUrl,
        accounts,
        password: values.password ?? process.env.LOAD_PASSWORD ?? 'DemoPassword-2026',
        progress: !values['no-progress'],
        name,
      },
      Number(values.seed ?? 1),
    );
  } catch (err) {
    process.stderr.write(`[${name}] could not run: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const files = await writeResults(result, values.out, !values['no-html']);
  process.stdout.write(
    `${textSummary(result)}\n\n  results: ${files.json}${files.html ? `\n  report:  ${files.html}` : ''}\n`,
  );
  return result.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
