// Side-by-side rounds: every target of a comparison is loaded in turn, round after round
// (A B A B …, so drift hits both), and the medians of the rounds are compared.
import { loadavg } from 'node:os';
import { load, type LoadResult, type LoadSpec } from './wrk.js';
import { median } from './stats.js';
import { LOAD_CORE } from './setup.js';

export interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
  paths?: string[];
}

export interface Measured {
  name: string;
  rounds: LoadResult[];
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Loads each target for `seconds`, `rounds` times interleaved, after a short warm-up each. */
export async function compareTargets(
  targets: Target[],
  opts: { rounds: number; seconds: number; connections: number },
  log: (s: string) => void,
): Promise<Measured[]> {
  const spec = (t: Target, seconds: number): LoadSpec => ({
    url: t.url,
    connections: opts.connections,
    seconds,
    core: LOAD_CORE,
    ...(t.headers ? { headers: t.headers } : {}),
    ...(t.paths ? { paths: t.paths } : {}),
  });
  for (const t of targets) await load(spec(t, 2)); // warm-up (JIT, caches, connections)
  const results = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < opts.rounds; r++) {
    for (const t of targets) {
      const res = await load(spec(t, opts.seconds));
      results.get(t.name)!.push(res);
      log(
        `  round ${r + 1}/${opts.rounds} ${t.name}: ${res.rps.toFixed(0)} req/s p50 ${res.p50.toFixed(2)} ms p99 ${res.p99.toFixed(2)} ms errors ${res.errors} (load avg ${loadavg()[0]!.toFixed(2)})`,
      );
    }
  }
  return targets.map((t) => {
    const rounds = results.get(t.name)!;
    return {
      name: t.name,
      rounds,
      rps: median(rounds.map((x) => x.rps)),
      p50: median(rounds.map((x) => x.p50)),
      p99: median(rounds.map((x) => x.p99)),
      errors: rounds.reduce((s, x) => s + x.errors, 0),
    };
  });
}

/** Checks a response before a target is measured: status, and X-Cache when given. */
export async function expectResponse(url: string, headers: Record<string, string>, cache?: string): Promise<Buffer> {
  const r = await fetch(url, { headers });
  const body = Buffer.from(await r.arrayBuffer());
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${body.toString().slice(0, 300)}`);
  if (cache && r.headers.get('x-cache') !== cache)
    throw new Error(`${url}: X-Cache ${r.headers.get('x-cache')}, wanted ${cache}`);
  return body;
}
