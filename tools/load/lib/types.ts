// The vocabulary of a load-test file, after k6: scenarios with weights and per-scenario
// thresholds, an executor with `stages` (ramping VUs) or an arrival rate (open model), and
// global thresholds.
import type { HttpRequest, HttpResult } from './http.js';
import type { Registry } from './metrics.js';
import type { ThresholdSpec, Thresholds } from './thresholds.js';

/** One ramp step: reach `target` VUs linearly over `duration` ('30s', '2m', '1m30s', '500ms'). */
export interface Stage {
  duration: string;
  target: number;
}

/** k6's executors that this runner implements. */
export type Executor =
  | { executor: 'ramping-vus'; startVUs?: number; stages: Stage[]; gracefulRampDown?: string }
  | { executor: 'constant-vus'; vus: number; duration: string }
  | {
      executor: 'constant-arrival-rate';
      /** Iterations started per `timeUnit`, whether or not earlier ones have finished. */
      rate: number;
      timeUnit?: string;
      duration: string;
      preAllocatedVUs: number;
      maxVUs: number;
    };

/** What setup() found on the server, shared read-only by every VU. */
export interface SharedData {
  blueprints: { id: string; provider: string }[];
}

/** What a scenario function gets: its VU's authenticated request function and the shared data. */
export interface VuContext {
  readonly id: number;
  readonly data: SharedData;
  readonly metrics: Registry;
  /** Ids seen in this VU's last list response ("browse, then open one"). */
  lastListIds: string[];
  /** A uniform random number in [0, 1). */
  random(): number;
  /**
   * Sends with the VU's bearer token and records http_reqs, http_req_duration, http_req_failed,
   * checks, errors and cache_hit_rate (from X-Cache) under this scenario. A status outside
   * `expect` is a failure (401 and 429 included).
   */
  request(req: HttpRequest, expect?: number[]): Promise<HttpResult>;
}

/** One weighted scenario of the mix. */
export interface ScenarioDef {
  /** Relative share of iterations (weights need not sum to 100). */
  weight: number;
  exec(vu: VuContext): Promise<void>;
  /** Thresholds on this scenario's sub-metrics: `http_req_duration` here means `http_req_duration{scenario:<name>}`. */
  thresholds?: Record<string, ThresholdSpec[]>;
}

/** A whole test: k6's `options` plus the mix. */
export interface Options {
  scenarios: Record<string, ScenarioDef>;
  executor: Executor;
  thresholds: Thresholds;
  /** Think time between iterations of one VU, seconds [min, max] (ignored by arrival-rate executors). */
  thinkTime: [number, number];
  /** Refresh the access token this long after getting it (default: at 80 % of its lifetime). */
  refreshAfter?: string;
}

/** Per-run settings that are not part of the test file. */
export interface RunSettings {
  baseUrl: string;
  /** Emails of the accounts VUs log in as (VU n uses accounts[(n - 1) % length]). */
  accounts: string[];
  password: string;
  /** Live progress on stderr. */
  progress: boolean;
  /** Label for the output (profile name). */
  name: string;
}

const UNIT: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a k6 duration ('1h2m3s', '500ms', '1.5s') into milliseconds. */
export function parseDuration(d: string): number {
  const parts = [...d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== d.trim())
    throw new Error(`invalid duration ${JSON.stringify(d)}`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT[p[2]!]!, 0);
}

/** Formats milliseconds as a k6 duration ('1m30s'). */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1_000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${rest || (!h && !m) ? `${rest}s` : ''}`;
}
