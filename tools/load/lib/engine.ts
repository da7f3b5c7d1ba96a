// One load-test run: setup (log in once, read the seeded blueprint ids), the executor with a
// live progress line, then metrics, thresholds and the timeline as one result object.
import { createHttpClient, jsonOf } from './http.js';
import { createRegistry, type MetricSummary } from './metrics.js';
import { startProgress } from './progress.js';
import { evaluateThresholds, validateThresholds, type ThresholdResult, type Thresholds } from './thresholds.js';
import { createTimeline, type TimelinePoint } from './timeline.js';
import { plannedMs, runExecutor, type ExecutorState } from './executors.js';
import { createPicker, type VuEnv } from './vu.js';
import type { Executor, Options, RunSettings, SharedData } from './types.js';

/** Everything a run produced; what the JSON file holds and the reports render. */
export interface RunResult {
  name: string;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  baseUrl: string;
  executor: Executor;
  scenarios: Record<string, { weight: number }>;
  thinkTime: [number, number];
  metrics: Record<string, MetricSummary>;
  thresholds: ThresholdResult[];
  passed: boolean;
  /** Set when a threshold with abortOnFail stopped the run early. */
  abortedBy?: string;
  timeline: TimelinePoint[];
}

/** Every threshold of a test: the global ones plus each scenario's, keyed by sub-metric. */
export function allThresholds(options: Options): Thresholds {
  const all: Thresholds = { ...options.thresholds };
  for (const [name, s] of Object.entries(options.scenarios)) {
    for (const [metric, specs] of Object.entries(s.thresholds ?? {})) {
      const key = metric.includes('{') ? metric : `${metric}{scenario:${name}}`;
      all[key] = [...(all[key] ?? []), ...specs];
    }
  }
  return all;
}

/** mulberry32: the mix is reproducible for a given seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** k6's setup(): logs in once and lists the tenant's blueprints so scenarios use real ids. */
export async function setup(settings: RunSettings): Promise<SharedData> {
  const http = createHttpClient(settings.baseUrl);
  try {
    const login = await http.send({
      method: 'POST',
      path: '/api/auth/login',
      body: { email: settings.accounts[0], password: settings.password },
    });
    const token = jsonOf<{ token?: string }>(login)?.token;
    if (login.status !== 200 || !token) {
      throw new Error(
        `setup: login as ${settings.accounts[0]} at ${settings.baseUrl} failed (${login.status || login.error}); is the app up and seeded (npm run seed)?`,
      );
    }
    const blueprints: SharedData['blueprints'] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r = await http.send({
        method: 'GET',
        path: `/api/blueprints?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        headers: { authorization: `Bearer ${token}` },
      });
      const body = jsonOf<{ items: { id: string; provider: string }[]; nextCursor: string | null }>(r);
      if (r.status !== 200 || !body) throw new Error(`setup: GET /api/blueprints answered ${r.status}`);
      blueprints.push(...body.items.map((b) => ({ id: b.id, provider: b.provider })));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    if (blueprints.length === 0) throw new Error('setup: the tenant has no blueprints; run npm run seed first');
    return { blueprints };
  } finally {
    http.close();
  }
}

/** Runs a test and returns its result; never throws for failed requests or thresholds. */
export async function runLoad(options: Options, settings: RunSettings, seed = 1): Promise<RunResult> {
  const thresholds = allThresholds(options);
  validateThresholds(thresholds);
  const data = await setup(settings);
  const metrics = createRegistry();
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const timeline = createTimeline(t0);
  const random = seededRandom(seed);
  const env: VuEnv = { options, settings, data, metrics, timeline, random };
  const state: ExecutorState = {
    stage: 0,
    stages: 1,
    targetVus: 0,
    activeVus: 0,
    plannedMs: plannedMs(options.executor),
    elapsedMs: 0,
  };
  const controller = new AbortController();
  const progress = settings.progress ? startProgress(settings.name, state, timeline) : undefined;

  // abortOnFail thresholds are checked every two seconds, as k6 does.
  let abortedBy: string | undefined;
  const aborting = Object.values(thresholds).some((specs) => specs.some((s) => typeof s !== 'string' && s.abortOnFail));
  const watchdog = aborting
    ? setInterval(() => {
        const seconds = (performance.now() - t0) / 1000;
        const failed = evaluateThresholds(thresholds, metrics.summarize(seconds)).find(
          (r) => r.abortOnFail && !r.ok && r.actual !== null,
        );
        if (failed) {
          abortedBy = `${failed.metric}: ${failed.expression}`;
          controller.abort();
        }
      }, 2_000)
    : undefined;

  try {
    await runExecutor(options.executor, env, createPicker(options.scenarios, random), state, controller.signal);
  } finally {
    if (watchdog) clearInterval(watchdog);
    progress?.stop();
  }
  const durationS = (performance.now() - t0) / 1000;
  const summary = metrics.summarize(durationS);
  const results = evaluateThresholds(thresholds, summary, (key, p) => metrics.histogram(key)?.percentile(p));
  return {
    name: settings.name,
    startedAt,
    finishedAt: new Date().toISOString(),
    durationS,
    baseUrl: settings.baseUrl,
    executor: options.executor,
    scenarios: Object.fromEntries(Object.entries(options.scenarios).map(([n, s]) => [n, { weight: s.weight }])),
    thinkTime: options.thinkTime,
    metrics: summary,
    thresholds: results,
    passed: results.every((r) => r.ok) && !abortedBy,
    ...(abortedBy ? { abortedBy } : {}),
    timeline: timeline.points(),
  };
}
