// A virtual user: its own keep-alive connection, one login at start (auth_success_rate), a token
// refresh (POST /api/auth/refresh) when the access token nears expiry, and iterations that pick
// a scenario by weight.
import { createHttpClient, jsonOf, type HttpRequest, type HttpResult } from './http.js';
import type { Registry } from './metrics.js';
import type { Timeline } from './timeline.js';
import { parseDuration, type Options, type RunSettings, type SharedData, type VuContext } from './types.js';

interface Session {
  token: string;
  refreshToken: string;
  refreshAt: number;
}

/** What every VU of a run shares. */
export interface VuEnv {
  options: Options;
  settings: RunSettings;
  data: SharedData;
  metrics: Registry;
  timeline: Timeline;
  random(): number;
}

export interface Vu {
  readonly id: number;
  /** Logs in if needed, refreshes if due, then runs one weighted scenario. */
  iterate(): Promise<void>;
  /** Logs in (or refreshes) without running a scenario: true when the VU holds a token. */
  prepare(): Promise<boolean>;
  /** Marks the VU as stopping: the loop ends after the current iteration, think time is cut short. */
  stop(): void;
  readonly stopping: boolean;
  /** Iterations with think time until stop(). */
  loop(): Promise<void>;
  close(): void;
}

/** Picks a scenario name with probability proportional to its weight. */
export function createPicker(scenarios: Options['scenarios'], random: () => number): () => string {
  const names = Object.keys(scenarios).filter((n) => scenarios[n]!.weight > 0);
  const total = names.reduce((s, n) => s + scenarios[n]!.weight, 0);
  if (total <= 0) throw new Error('no scenario has a positive weight');
  return () => {
    let x = random() * total;
    for (const n of names) {
      x -= scenarios[n]!.weight;
      if (x < 0) return n;
    }
    return names[names.length - 1]!;
  };
}

// A shed login is retried at most this many times in all.
const MAX_LOGIN_ATTEMPTS = 6;

/** Creates VU number `id` (1-based); it logs in as settings.accounts[(id - 1) % n]. */
export function createVu(id: number, env: VuEnv, pick: () => string): Vu {
  const { options, settings, metrics, timeline } = env;
  const http = createHttpClient(settings.baseUrl);
  const email = settings.accounts[(id - 1) % settings.accounts.length]!;
  const refreshAfterMs = options.refreshAfter ? parseDuration(options.refreshAfter) : undefined;
  let session: Session | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;

  /** Sends and records every k6 built-in HTTP metric under `scenario`. */
  async function send(scenario: string, req: HttpRequest, expect: number[]): Promise<HttpResult> {
    const r = await http.send(req);
    // As k6's responseCallback: a status the scenario expects is not a failed request.
    const failed = r.status === 0 || (r.status >= 400 && !expect.includes(r.status));
    const ok = expect.includes(r.status);
    metrics.counter('http_reqs', 1, scenario);
    metrics.trend('http_req_duration', r.ms, scenario);
    metrics.rate('http_req_failed', failed, scenario);
    metrics.rate('checks', ok, scenario);
    if (!ok) metrics.counter('errors', 1, scenario);
    const xc = r.headers['x-cache'];
    const cache = typeof xc === 'string' ? xc === 'HIT' || xc === 'STALE' : undefined;
    if (cache !== undefined) metrics.rate('cache_hit_rate', cache, scenario);
    timeline.request(r.ms, failed || !ok, cache);
    return r;
  }

  function adopt(r: HttpResult): boolean {
    const b = jsonOf<{ token?: string; refreshToken?: string; expiresIn?: number }>(r);
    if (r.status !== 200 || !b?.token || !b.refreshToken || !b.expiresIn) return false;
    const lifetime = b.expiresIn * 1000;
    session = {
      token: b.token,
      refreshToken: b.refreshToken,
      refreshAt: Date.now() + Math.min(refreshAfterMs ?? lifetime * 0.8, lifetime * 0.8),
    };
    return true;
  }

  /**
   * Logs in; a login shed with 503 + Retry-After (the server hashes passwords at a bounded pace)
   * is retried after the delay it names, a few times, as a well-behaved client does. Those 503s
   * are expected answers (k6: `expectedStatuses(200, 503)`), not failed requests.
   */
  async function login(): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const r = await send(
        'auth',
        { method: 'POST', path: '/api/auth/login', body: { email, password: settings.password } },
        [200, 503],
      );
      const retryAfter = Number(r.headers['retry-after']);
      if (r.status === 503 && retryAfter > 0 && attempt < MAX_LOGIN_ATTEMPTS && !stopping) {
        metrics.counter('login_retries', 1, 'auth');
        await sleep(Math.min(retryAfter, 10) * 1000 * (0.5 + env.random()));
        continue;
      }
      const ok = adopt(r);
      metrics.rate('auth_success_rate', ok, 'auth');
      return ok;
    }
  }

  async function refresh(): Promise<boolean> {
    const r = await send(
      'auth',
      { method: 'POST', path: '/api/auth/refresh', body: { refreshToken: session!.refreshToken } },
      [200],
    );
    const ok = adopt(r);
    metrics.rate('auth_success_rate', ok, 'auth');
    metrics.counter('token_refreshes', 1, 'auth');
    return ok;
  }

  async function ensureSession(): Promise<boolean> {
    if (session && Date.now() >= session.refreshAt && (await refresh())) return true;
    if (session && Date.now() < session.refreshAt) return true;
    session = undefined;
    return login();
  }

  const vu: Vu = {
    id,
    get stopping() {
      return stopping;
    },
    prepare: ensureSession,
    async iterate() {
      if (!(await ensureSession())) {
        await sleep(1_000); // a failed login is recorded; do not hammer the endpoint
        return;
      }
      const name = pick();
      const scenario = options.scenarios[name]!;
      const ctx: VuContext = {
        id,
        data: env.data,
        metrics,
        lastListIds,
        random: env.random,
        request: async (req, expect = [200]) => {
          const r = await send(
            name,
            { ...req, headers: { authorization: `Bearer ${session!.token}`, ...req.headers } },
            expect,
          );
          // A 401 here means the token died early: count the failure, log in again next time.
          if (r.status === 401) session = undefined;
          return r;
        },
      };
      await scenario.exec(ctx);
      lastListIds = ctx.lastListIds;
      metrics.counter('iterations', 1, name);
    },
    stop() {
      stopping = true;
      wake?.();
    },
    async loop() {
      const [lo, hi] = options.thinkTime;
      while (!stopping) {
        await vu.iterate();
        if (stopping) break;
        const think = (lo + env.random() * (hi - lo)) * 1000;
        if (think > 0) await sleep(think);
      }
    },
    close: () => http.close(),
  };
  let lastListIds: string[] = [];

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve();
      };
    });
  }
  return vu;
}
