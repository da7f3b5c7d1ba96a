// What a scale-out run measures besides throughput: how long another replica keeps serving a
// blueprint after a write through one replica (cross-replica invalidation over Redis pub/sub),
// and whether acknowledged writes survive a replica killed mid-load.
import pg from 'pg';
import { createHttpClient, jsonOf, type HttpClient } from '../../load/lib/http.js';
import { newBlueprint, scenarios } from '../../load/scenarios.js';
import type { ScenarioDef } from '../../load/lib/types.js';

/** Logs in and returns the bearer token. */
export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const http = createHttpClient(baseUrl);
  try {
    const r = await http.send({ method: 'POST', path: '/api/auth/login', body: { email, password } });
    const token = jsonOf<{ token?: string }>(r)?.token;
    if (r.status !== 200 || !token) throw new Error(`login as ${email} at ${baseUrl}: ${r.status} ${r.error ?? ''}`);
    return token;
  } finally {
    http.close();
  }
}

/** One write-then-read sample: ms from the write's acknowledgement until the other replica served it. */
export interface InvalidationSample {
  /** Upper bound of the delay: the end of the first response of replica B showing the write. */
  ms: number;
  /** Responses of replica B after the acknowledgement that still showed the old state. */
  staleReads: number;
  /** false when B never showed the write within the bound. */
  seen: boolean;
  /** Replica A or B reported its Redis breaker open (readiness `cache: down`) after the sample. */
  breakerOpen: boolean;
}

/** Whether a replica's readiness reports its L2 cache down (breaker open: writes are queued, not published). */
async function cacheDown(http: HttpClient): Promise<boolean> {
  const r = await http.send({ method: 'GET', path: '/health/ready' });
  return jsonOf<{ checks?: { cache?: string } }>(r)?.checks?.cache === 'down';
}

/** The samples, and the writes skipped because replica B would not cache the entry (X-Cache: BYPASS under stress). */
export interface InvalidationRun {
  samples: InvalidationSample[];
  notCached: number;
}

const INPUT_FIELDS = [
  'name',
  'description',
  'provider',
  'region',
  'status',
  'parameters',
  'resources',
  'tags',
] as const;

/**
 * Writes a blueprint through replica A (PUT with If-Match) `samples` times, each time after
 * replica B has it cached (X-Cache: HIT), and polls B on one keep-alive connection until it
 * serves the new description.
 */
export async function measureInvalidation(
  a: string,
  b: string,
  token: string,
  blueprintId: string,
  samples: number,
  boundMs = 5_000,
  /** performance.now() after which no new sample starts (the end of a load window). */
  deadline = Infinity,
): Promise<InvalidationRun> {
  const ha = createHttpClient(a);
  const hb = createHttpClient(b);
  const auth = { authorization: `Bearer ${token}` };
  const path = `/api/blueprints/${blueprintId}`;
  const out: InvalidationSample[] = [];
  let notCached = 0;
  try {
    for (let i = 0; i < samples && performance.now() < deadline; i++) {
      // B caches the current state: a MISS then a HIT. A replica whose Redis breaker is open
      // answers BYPASS and caches nothing: such a write would prove nothing, so it is skipped.
      let cached = false;
      for (let k = 0; k < 20 && !cached; k++) {
        cached = (await hb.send({ method: 'GET', path, headers: auth })).headers['x-cache'] === 'HIT';
        if (!cached && k > 1) await new Promise((r) => setTimeout(r, 25));
      }
      if (!cached) {
        notCached++;
        continue;
      }
      const current = await ha.send({ method: 'GET', path, headers: { ...auth, 'cache-control': 'no-cache' } });
      const body = jsonOf<Record<string, unknown>>(current)!;
      const description = `scale-out probe ${Date.now()} ${i}`;
      const input = Object.fromEntries(INPUT_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
      const put = await ha.send({
        method: 'PUT',
        path,
        headers: { ...auth, 'if-match': String(current.headers.etag) },
        body: { ...input, description },
      });
      if (put.status !== 200)
        throw new Error(`PUT ${path} through replica A answered ${put.status}: ${put.body.toString().slice(0, 300)}`);
      const acked = performance.now();
      let staleReads = 0;
      let seen = false;
      while (performance.now() - acked < boundMs) {
        const r = await hb.send({ method: 'GET', path, headers: auth });
        if (jsonOf<{ description?: string }>(r)?.description === description) {
          seen = true;
          break;
        }
        staleReads++;
      }
      const ms = performance.now() - acked;
      out.push({ ms, staleReads, seen, breakerOpen: (await cacheDown(ha)) || (await cacheDown(hb)) });
    }
  } finally {
    ha.close();
    hb.close();
  }
  return { samples: out, notCached };
}

/** The load-test mix (tools/load), with each acknowledged blueprint creation's id recorded. */
export function recordingMix(created: string[]): Record<string, ScenarioDef> {
  const creation = scenarios.blueprint_creation!;
  return {
    ...scenarios,
    blueprint_creation: {
      ...creation,
      async exec(vu) {
        const r = await vu.request({ method: 'POST', path: '/api/blueprints', body: newBlueprint(vu) }, [201]);
        if (r.status === 201) {
          vu.metrics.trend('blueprint_creation_time', r.ms, 'blueprint_creation');
          const id = jsonOf<{ id?: string }>(r)?.id;
          if (id) created.push(id);
        }
      },
    },
  };
}

/** Acknowledged ids missing from PostgreSQL (read directly) and from the API (through the load balancer). */
export async function missingWrites(
  directUrl: string,
  api: string,
  token: string,
  ids: string[],
): Promise<{ inDatabase: string[]; viaApi: string[] }> {
  const c = new pg.Client({ connectionString: directUrl });
  await c.connect();
  let found: Set<string>;
  try {
    const rows = (
      await c.query<{ id: string }>('SELECT id::text AS id FROM blueprints WHERE id = ANY($1::uuid[])', [ids])
    ).rows;
    found = new Set(rows.map((r) => r.id));
  } finally {
    await c.end();
  }
  const http: HttpClient = createHttpClient(api);
  const viaApi: string[] = [];
  try {
    for (const id of ids) {
      const r = await http.send({
        method: 'GET',
        path: `/api/blueprints/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      if (r.status !== 200) viaApi.push(id);
    }
  } finally {
    http.close();
  }
  return { inDatabase: ids.filter((id) => !found.has(id)), viaApi };
}

/** Nearest-rank percentile of a sample. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
