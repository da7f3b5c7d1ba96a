import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startTestApp, waitForCache, type TestApp } from '../helpers/app.js';
import { ensureChromium } from '../helpers/observability.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/stack.js';
import { runLoad, type RunResult } from '../../tools/load/lib/engine.js';
import { countColour, decodePng } from '../../tools/load/lib/png.js';
import { htmlReport } from '../../tools/load/lib/report-html.js';
import { buildOptions } from '../../tools/load/profiles.js';

const run = promisify(execFile);
const USERS = 10;

/** Opens `file` in headless Chromium: the DOM after its scripts ran, and a screenshot. */
async function chromium(file: string, dir: string): Promise<{ dom: string; png: Buffer }> {
  const common = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--no-first-run',
    `--user-data-dir=${path.join(dir, 'profile')}`,
    '--window-size=1100,1500',
    '--virtual-time-budget=3000',
  ];
  const browser = ensureChromium();
  const { stdout: dom } = await run(browser, [...common, '--dump-dom', `file://${file}`], {
    timeout: 30_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  const shot = path.join(dir, `${path.basename(file)}.png`);
  await run(browser, [...common, `--screenshot=${shot}`, `file://${file}`], { timeout: 30_000 });
  return { dom, png: await readFile(shot) };
}

/** Runs `npm run load:<profile>` (tsx tools/load/run.ts) and returns its exit code and output. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'tools/load/run.ts', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function resultIn(dir: string): Promise<RunResult> {
  const json = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  assert.equal(json.length, 1, `one result file in ${dir}: ${json.join(', ')}`);
  return JSON.parse(await readFile(path.join(dir, json[0]!), 'utf8')) as RunResult;
}

// The load-test runner against the real stack: the app on a fresh PgBouncer-backed database
// seeded by scripts/seed.ts (small data set), its own Redis, loopback only.
describe('load-test runner (smoke profile, real stack)', () => {
  let database: TestDatabase;
  let redis: OwnRedis;
  let t: TestApp;
  let baseUrl: string;
  const dirs: string[] = [];
  const outDir = async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'load-'));
    dirs.push(d);
    return d;
  };

  before(async () => {
    database = await createTestDatabase();
    redis = await startOwnRedis();
    await run('npx', ['tsx', 'scripts/seed.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: database.bouncerUrl,
        MIGRATIONS_DATABASE_URL: database.directUrl,
        SEED_BLUEPRINTS_PER_TENANT: '20',
        SEED_PROJECTS_PER_TENANT: '5',
        SEED_LOAD_USERS: String(USERS),
        JWT_SECRET: 'seed-test-secret-seed-test-secret-0123456789',
      },
    });
    t = await startTestApp('pgbouncer', { REDIS_URL: redis.url }, database);
    await waitForCache(t.app);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await t?.close();
    await database?.drop();
    await redis?.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  let smoke: RunResult;
  let smokeDir: string;

  it('npm run load:smoke passes its thresholds, exercises every scenario, login and refresh, and writes JSON + HTML', async () => {
    smokeDir = await outDir();
    const r = await cli(['smoke', '--base-url', baseUrl, '--users', String(USERS), '--out', smokeDir, '--no-progress']);
    assert.equal(r.code, 0, `exit code (stdout: ${r.stdout.slice(-3000)} stderr: ${r.stderr.slice(-2000)})`);
    assert.match(r.stdout, /all \d+ thresholds passed/);
    assert.match(r.stdout, /http_req_duration\.+: avg=/);
    smoke = await resultIn(smokeDir);
    assert.equal(smoke.passed, true);
    const m = smoke.metrics;
    for (const s of [
      'health',
      'blueprint_list',
      'blueprint_detail',
      'iac_generation',
      'cost_estimate',
      'blueprint_creation',
    ]) {
      assert.ok((m[`http_reqs{scenario:${s}}`]?.values.count ?? 0) > 0, `scenario ${s} ran`);
    }
    assert.ok(m.http_reqs!.values.count! > 100, `requests: ${m.http_reqs!.values.count}`);
    assert.equal(m.auth_success_rate!.values.rate, 1);
    assert.ok(m.auth_success_rate!.values.count! >= 4, 'every VU logged in');
    assert.ok((m.token_refreshes?.values.count ?? 0) > 0, 'tokens were refreshed');
    assert.equal(m.http_req_failed!.values.rate, 0);
    assert.ok(m.cache_hit_rate!.values.passes! > 0, 'X-Cache: HIT seen');
    assert.ok(m.blueprint_creation_time!.values.count! > 0);
    assert.equal(m.api_availability!.values.rate, 1);
    assert.ok(smoke.timeline.length >= 9 && smoke.timeline.some((p) => p.vus === 4), 'timeline follows the stages');
    const html = (await readdir(smokeDir)).filter((f) => f.endsWith('.html'));
    assert.equal(html.length, 1);
  });

  it('the HTML report opens in headless Chromium with its plots drawn', async () => {
    assert.ok(smoke, 'the smoke run produced a result');
    const dir = await outDir();
    const file = path.join(
      smokeDir,
      (await readdir(smokeDir)).find((f) => f.endsWith('.html'))!,
    );
    const { dom, png } = await chromium(file, dir);
    // The inline script drew every plot: one path per series with a point per second.
    for (const id of ['latency', 'throughput', 'scenarios']) {
      const svg = new RegExp(`<svg[^>]*id="${id}"[^>]*data-drawn="(\\d+)"`).exec(dom);
      assert.ok(svg && Number(svg[1]) >= 10, `#${id} drawn (${svg?.[1] ?? 'no data-drawn'})`);
    }
    const paths = [...dom.matchAll(/<path d="(M[^"]+)"[^>]*data-series="([^"]+)"/g)];
    for (const series of ['P50', 'P95', 'P99', 'req/s', 'VUs (right axis)']) {
      const p = paths.find((m) => m[2] === series);
      assert.ok(p && (p[1]!.match(/L/g)?.length ?? 0) >= 8, `line ${series} has points`);
    }
    assert.match(dom, /<td>http_req_duration\{scenario:health\}<\/td><td><code>p\(95\)&lt;100<\/code>/);

    // The screenshot shows them: against the same report with no data, the plot colours appear
    // many times more (lines and bars, not just the legend swatches).
    const empty = path.join(dir, 'empty.html');
    await writeFile(
      empty,
      htmlReport({
        ...smoke,
        timeline: [],
        metrics: Object.fromEntries(Object.entries(smoke.metrics).filter(([k]) => !k.startsWith('http_req_duration{'))),
      }),
    );
    const blank = await chromium(empty, dir);
    const img = decodePng(png);
    const base = decodePng(blank.png);
    assert.ok(img.width >= 1000 && img.height >= 1000, `${img.width}x${img.height}`);
    for (const colour of ['#1f77b4', '#ff7f0e', '#9467bd']) {
      const drawn = countColour(img, colour);
      const legendOnly = countColour(base, colour);
      assert.ok(
        drawn > 300 && drawn > 4 * legendOnly,
        `${colour}: ${drawn} pixels drawn vs ${legendOnly} without data`,
      );
    }
  });

  it('a run that breaks a threshold exits non-zero and says which threshold failed', async () => {
    const dir = await outDir();
    const r = await cli([
      'smoke',
      '--base-url',
      baseUrl,
      '--users',
      String(USERS),
      '--duration',
      '3s',
      '--out',
      dir,
      '--no-html',
      '--no-progress',
      '--threshold',
      'http_req_duration{scenario:health}=p(95)<0.001',
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /✗ http_req_duration\{scenario:health\} {2}p\(95\)<0\.001/);
    const result = await resultIn(dir);
    assert.equal(result.passed, false);
    // The impossible threshold failed; whether the real ones held depends on how busy the machine is.
    const failed = result.thresholds.filter((x) => !x.ok).map((x) => `${x.metric} ${x.expression}`);
    assert.ok(failed.includes('http_req_duration{scenario:health} p(95)<0.001'), failed.join(', '));
  });

  it('a 401 is a failure: VUs whose login is refused fail auth_success_rate and the run', async () => {
    const options = buildOptions('smoke', { duration: '2s' });
    const result = await runLoad(options, {
      baseUrl,
      accounts: ['load001@acme.example', 'nobody@acme.example'],
      password: 'DemoPassword-2026',
      progress: false,
      name: 'smoke-401',
    });
    assert.equal(result.passed, false);
    const auth = result.metrics.auth_success_rate!.values;
    assert.ok(auth.fails! > 0 && auth.passes! > 0, JSON.stringify(auth));
    assert.ok(result.metrics.http_req_failed!.values.passes! > 0, '401s count in http_req_failed');
    assert.ok(result.thresholds.some((x) => x.metric === 'auth_success_rate' && !x.ok));
  });

  it('an unreachable server stops the run before it starts (exit 2)', async () => {
    const r = await cli([
      'smoke',
      '--base-url',
      'http://127.0.0.1:9',
      '--duration',
      '1s',
      '--no-progress',
      '--no-html',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /setup: login/);
  });
});
