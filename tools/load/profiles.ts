// The load profiles (docs/perf/LOAD-TESTING.md). Stage durations scale with a time-scale factor, so the 23-minute
// stress shape also runs in 60 s (`--duration 60s` or `--time-scale 0.0435`) with the same shape.
import { scenarios, thresholds } from './scenarios.js';
import type { Thresholds } from './lib/thresholds.js';
import { formatDuration, parseDuration, type Executor, type Options, type Stage } from './lib/types.js';

export interface Profile {
  description: string;
  executor: Executor;
  thinkTime: [number, number];
  refreshAfter?: string;
  /** Replaces global thresholds of the same metric. */
  thresholds?: Thresholds;
}

const USER_THINK: [number, number] = [0.5, 1.5];

export const profiles: Record<string, Profile> = {
  smoke: {
    description: 'a few VUs for ~10 s: keeps the runner itself working (runs in npm test)',
    executor: {
      executor: 'ramping-vus',
      stages: [
        { duration: '2s', target: 4 },
        { duration: '6s', target: 4 },
        { duration: '2s', target: 0 },
      ],
    },
    thinkTime: [0.02, 0.1],
    // Exercises POST /api/auth/refresh within ten seconds.
    refreshAfter: '4s',
    // Ten seconds from a cold cache with 5 % blueprint writes (each one drops the tenant's
    // blueprint entries) cannot reach 80 %: the smoke only checks that the cache answers at all.
    // The real profiles keep the 80 % target.
    thresholds: { cache_hit_rate: ['rate>0'] },
  },
  baseline: {
    description: '100 users for 5 minutes',
    executor: {
      executor: 'ramping-vus',
      stages: [
        { duration: '30s', target: 100 },
        { duration: '4m', target: 100 },
        { duration: '30s', target: 0 },
      ],
    },
    thinkTime: USER_THINK,
  },
  stress: {
    description: 'the reference stress shape: 0→100 in 2 min, 100→200 over 15 min, 200→500 in 3 min, 500→0 in 3 min',
    executor: {
      executor: 'ramping-vus',
      stages: [
        { duration: '2m', target: 100 },
        { duration: '15m', target: 200 },
        { duration: '3m', target: 500 },
        { duration: '3m', target: 0 },
      ],
    },
    thinkTime: USER_THINK,
  },
  spike: {
    description: '50 users, a jump to 1,000 for 1 minute, back to 50',
    executor: {
      executor: 'ramping-vus',
      stages: [
        { duration: '30s', target: 50 },
        { duration: '1m', target: 50 },
        { duration: '10s', target: 1000 },
        { duration: '1m', target: 1000 },
        { duration: '10s', target: 50 },
        { duration: '1m', target: 50 },
        { duration: '10s', target: 0 },
      ],
    },
    thinkTime: USER_THINK,
  },
  soak: {
    description: '200 users for 1 hour',
    executor: {
      executor: 'ramping-vus',
      stages: [
        { duration: '2m', target: 200 },
        { duration: '56m', target: 200 },
        { duration: '2m', target: 0 },
      ],
    },
    thinkTime: USER_THINK,
  },
  open: {
    description: 'open model: 1,000 iterations/s of the mix for 1 minute (constant-arrival-rate)',
    executor: { executor: 'constant-arrival-rate', rate: 1000, duration: '1m', preAllocatedVUs: 200, maxVUs: 1000 },
    thinkTime: [0, 0],
  },
};

/** How a profile is turned into options for one run. */
export interface BuildSettings {
  /** Multiplies every duration (0.0435 turns 23 min into 60 s). */
  timeScale?: number;
  /** Alternative to timeScale: the total duration wanted ('60s'). */
  duration?: string;
  /** Replaces the executor by constant-arrival-rate at this many iterations per second. */
  arrivalRate?: number;
  /** VUs for the arrival-rate executor (all logged in before the clock starts). */
  maxVUs?: number;
  thinkTime?: [number, number];
  /** Extra or replacing thresholds ('metric' → expressions). */
  thresholds?: Thresholds;
}

const scaleDuration = (d: string, f: number) => formatMs(parseDuration(d) * f);
const formatMs = (ms: number) => (ms < 1000 ? `${Math.max(1, Math.round(ms))}ms` : `${Math.round(ms)}ms`);

function totalMs(e: Executor): number {
  return e.executor === 'ramping-vus'
    ? e.stages.reduce((s, st) => s + parseDuration(st.duration), 0)
    : parseDuration(e.duration);
}

/** Builds the k6-style options of `name` with scaling and overrides applied. */
export function buildOptions(name: string, s: BuildSettings = {}): Options {
  const profile = profiles[name];
  if (!profile) throw new Error(`unknown profile ${JSON.stringify(name)}; one of ${Object.keys(profiles).join(', ')}`);
  let executor = profile.executor;
  const factor = s.duration ? parseDuration(s.duration) / totalMs(executor) : (s.timeScale ?? 1);
  if (!(factor > 0)) throw new Error('time scale must be positive');
  if (executor.executor === 'ramping-vus') {
    const stages: Stage[] = executor.stages.map((st) => ({ ...st, duration: scaleDuration(st.duration, factor) }));
    executor = { ...executor, stages };
  } else {
    executor = { ...executor, duration: scaleDuration(executor.duration, factor) };
  }
  if (s.arrivalRate) {
    const peak = executor.executor === 'ramping-vus' ? Math.max(...executor.stages.map((st) => st.target)) : 500;
    // Every VU logs in before the clock starts: a VU created mid-run would log in (argon2id) on
    // the server under test and turn an overload into a login storm. Overload shows instead as
    // dropped_iterations, as in k6 with maxVUs = preAllocatedVUs.
    const vus = s.maxVUs ?? Math.min(Math.max(peak, 100), 1000);
    executor = {
      executor: 'constant-arrival-rate',
      rate: s.arrivalRate,
      duration: formatMs(totalMs(executor)),
      preAllocatedVUs: vus,
      maxVUs: vus,
    };
  }
  return {
    scenarios,
    executor,
    thresholds: { ...thresholds, ...profile.thresholds, ...s.thresholds },
    thinkTime: s.thinkTime ?? (executor.executor === 'constant-arrival-rate' ? [0, 0] : profile.thinkTime),
    ...(profile.refreshAfter ? { refreshAfter: scaleDuration(profile.refreshAfter, Math.max(factor, 0.01)) } : {}),
  };
}

/** A one-line description of the executor, for summaries. */
export function describeExecutor(e: Executor): string {
  if (e.executor === 'constant-arrival-rate') {
    return `constant-arrival-rate ${e.rate}/${e.timeUnit ?? '1s'} for ${formatDuration(parseDuration(e.duration))} (VUs ${e.preAllocatedVUs}..${e.maxVUs})`;
  }
  if (e.executor === 'constant-vus') return `constant-vus ${e.vus} for ${e.duration}`;
  return `ramping-vus ${e.stages.map((s) => `${formatDuration(parseDuration(s.duration))}→${s.target}`).join(', ')}`;
}
