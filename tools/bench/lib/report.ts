// docs/perf/RESULTS.md (and results.json with every round) from one `npm run bench` run.
// Goals that were missed are printed as missed, with the measured figure.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as prettier from 'prettier';
import type { Measured } from './compare.js';
import type { LoadResult } from './wrk.js';
import { median, r1, r2 } from './stats.js';

export interface Comparison {
  id: number;
  title: string;
  a: Measured;
  b: Measured;
  ratio: number;
  goal: string;
  met: boolean;
}

/**
 * A comparison of throughputs: the median over rounds of a/b within the same round (the two sides
 * ran seconds apart, so a noisy neighbour hits both), met when it reaches `atLeast` (goal "≥ N").
 * A ratio of the medians would pair a calm round of one side with a busy round of the other.
 */
export function compare(id: number, title: string, a: Measured, b: Measured, atLeast: number, unit = ''): Comparison {
  const ratio = median(a.rounds.map((r, i) => r.rps / b.rounds[i]!.rps));
  return { id, title, a, b, ratio, goal: `≥ ${atLeast}${unit}`, met: ratio >= atLeast };
}

export interface Report {
  startedAt: string;
  finishedAt?: string;
  machine: Record<string, string>;
  rounds: number;
  seconds: number;
  comparisons: Comparison[];
  clients?: {
    connections: number;
    result: LoadResult;
    maxRssMiB: number;
    maxBackends: number;
    backendSamples: number;
  }[];
  open?: {
    rate: number;
    seconds: number;
    achievedRps: number;
    p50: number;
    p95: number;
    p99: number;
    errorRate: number;
    cacheHitRate: number;
    dropped: number;
    perScenario: Record<string, { p95: number; p99: number; hit: number }>;
    report: string;
  };
  growth?: {
    small: { total: number; list: Measured; detail: Measured };
    big: { total: number; list: Measured; detail: Measured };
    insertSeconds: number;
    rows: number;
  };
  /** Benchmark 8: per run (create-only, mix at 64, mix at 1,000), every round. */
  mix?: { name: string; connections: number; rounds: MixRound[] }[];
  /** Benchmark 9: per round, the app's uncached list req/s and pgbench's tps on the same SQL. */
  pgbench?: { app: number; pgbench: number }[];
  /** Benchmark 10: the stress and spike profiles. */
  profiles?: {
    name: string;
    scale: number;
    passed: boolean;
    exitCode: number;
    durationS: number;
    rps: number;
    p95: number;
    p99: number;
    errorRate: number;
    hitRate: number;
    failed: string[];
  }[];
  notes: string[];
}

/** One round of the closed-loop mix: wrk's figures, and the cache's from /cache/stats around it. */
export type MixRound = LoadResult & { hitRate: number; bypass: number };

function mixSection(L: string[], mix: NonNullable<Report['mix']>): void {
  const med = (rs: MixRound[], f: (x: MixRound) => number) => median(rs.map(f));
  const [create, at64, at1000] = mix as [(typeof mix)[0], (typeof mix)[0], (typeof mix)[0]];
  const ratio = (a: (typeof mix)[0], b: (typeof mix)[0]) => median(a.rounds.map((x, i) => x.rps / b.rounds[i]!.rps));
  L.push('', '## 8. The reference mix, closed loop', '');
  L.push(
    "wrk (one thread, pinned to the generator core) sends the reference mix (health 10, list 35, detail 30, IaC 10, cost 10, create 5; the load test's list filters and bodies) as 64 editors of one tenant, each connection its next request as soon as the last is answered; the create-only run is the 5 % no cache can serve. Hit rate and BYPASS from the tenant's `/cache/stats` before and after each round (exact counts). Medians of interleaved rounds.",
    '',
    '| run | req/s | P50 ms | P99 ms | errors | cache hit rate | BYPASS |',
    '|---|---|---|---|---|---|---|',
  );
  for (const m of mix)
    L.push(
      `| ${m.name} | ${r1(med(m.rounds, (x) => x.rps))} | ${r2(med(m.rounds, (x) => x.p50))} | ${r2(med(m.rounds, (x) => x.p99))} | ${m.rounds.reduce((s, x) => s + x.errors, 0)} | ${Number.isFinite(med(m.rounds, (x) => x.hitRate)) ? `${(100 * med(m.rounds, (x) => x.hitRate)).toFixed(1)} %` : '-'} | ${m.rounds.reduce((s, x) => s + x.bypass, 0)} |`,
    );
  const hit64 = med(at64.rounds, (x) => x.hitRate);
  const hit1000 = med(at1000.rounds, (x) => x.hitRate);
  const bypass = [...at64.rounds, ...at1000.rounds].reduce((s, x) => s + x.bypass, 0);
  const scale = ratio(at1000, at64);
  const overCreate = ratio(at64, create);
  L.push(
    '',
    `Goals: hit rate ≥ 90 % at 64 (${(100 * hit64).toFixed(1)} %) and at 1,000 (${(100 * hit1000).toFixed(1)} %) ${yes(hit64 >= 0.9 && hit1000 >= 0.9)}; zero BYPASS with Redis healthy (${bypass}) ${yes(bypass === 0)}; req/s at 1,000 ≥ 0.8 × at 64 (${r2(scale)}) ${yes(scale >= 0.8)}; the mix at 64 ≥ 3 × create-only (${r2(overCreate)}) ${yes(overCreate >= 3)}.`,
  );
}

const ANALYSIS_MARKER = '<!-- analysis: kept across runs -->';
const yes = (ok: boolean) => (ok ? '**met**' : '**missed**');
const row = (m: Measured) => `${m.name} | ${r1(m.rps)} | ${r2(m.p50)} | ${r2(m.p99)} | ${m.errors}`;

/** Writes RESULTS.md and results.json into `dir`; returns the Markdown path. */
export async function writeReport(r: Report, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const L: string[] = [];
  L.push('# Benchmark results', '');
  L.push(
    `Generated by \`npm run bench\` (tools/bench/run.ts) from ${r.startedAt} to ${r.finishedAt ?? '?'}; every figure below comes from that one run (raw rounds in [results.json](results.json)).`,
    '',
  );
  L.push('## Machine', '', '| | |', '|---|---|');
  for (const [k, v] of Object.entries(r.machine)) L.push(`| ${k} | ${v} |`);
  L.push('', '## Method', '');
  L.push(
    '- Server under test pinned to core 0 (`taskset -c 0`), load generator to core 1 (`taskset -c 1`); a private `redis-server` is pinned to core 0 with the server. PostgreSQL and PgBouncer are the shared local stack and are **not** pinned (they run on either core, so database-bound figures include their competition with the generator).',
    `- Comparisons 1–4: wrk, one thread, 64 keep-alive connections; a 2 s warm-up per target, then ${r.rounds} interleaved rounds of ${r.seconds} s (A B A B …); figures are the **medians** of the rounds; a ratio is the median of the per-round ratios (each round's A over the same round's B).`,
    '- The app runs compiled (`node dist/server.js`, NODE_ENV=production, LOG_LEVEL=warn: no per-request log lines, as none of the other servers log either), DB_POOL_MAX 25, with Redis as L2.',
    '',
  );
  L.push('## Side-by-side comparisons', '');
  L.push('| # | comparison | ratio | goal | result |', '|---|---|---|---|---|');
  for (const c of r.comparisons) L.push(`| ${c.id} | ${c.title} | ${r2(c.ratio)} | ${c.goal} | ${yes(c.met)} |`);
  L.push('', '| target | req/s (median) | P50 ms | P99 ms | errors (all rounds) |', '|---|---|---|---|---|');
  const seen = new Set<string>();
  for (const c of r.comparisons) {
    for (const m of [c.a, c.b]) {
      if (seen.has(m.name)) continue;
      seen.add(m.name);
      L.push(`| ${row(m)} |`);
    }
  }
  if (r.clients?.length) {
    L.push('', '## 5. Many concurrent keep-alive clients', '');
    L.push(
      '90 % cached reads (list and detail HITs), 10 % uncached lists (`?cache=false`, through PgBouncer), wrk one thread, open-file limit raised on both sides. Backends: `count(*) FROM pg_stat_activity WHERE datname = <bench db>`, sampled every 250 ms during the run; RSS of the server from /proc, same interval.',
      '',
    );
    L.push(
      '| connections | req/s | P50 ms | P99 ms | errors | max RSS MiB | max PostgreSQL backends | goal (0 errors, backends ≤ 25) |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const c of r.clients) {
      const ok = c.result.errors === 0 && c.maxBackends <= 25;
      L.push(
        `| ${c.connections} | ${r1(c.result.rps)} | ${r2(c.result.p50)} | ${r2(c.result.p99)} | ${c.result.errors}${c.result.errors ? ` (${c.result.errorDetail})` : ''} | ${r1(c.maxRssMiB)} | ${c.maxBackends} (${c.backendSamples} samples) | ${yes(ok)} |`,
      );
    }
  }
  if (r.open) {
    const o = r.open;
    L.push('', '## 6. Open loop: the scenario mix at a constant arrival rate', '');
    L.push(
      `tools/load/run.ts (constant-arrival-rate, the reference mix: health 10, list 35, detail 30, IaC 10, cost 10, create 5) at ${o.rate} iterations/s for ${o.seconds} s with 500 VUs (all logged in before the clock starts), pinned to core 1; the server on core 0. Latency is measured from the moment a request is sent (as k6 does); iterations with no free VU are dropped and counted.`,
      '',
    );
    L.push(
      '| achieved req/s | P50 ms | P95 ms | P99 ms | error rate | cache hit rate | dropped iterations |',
      '|---|---|---|---|---|---|---|',
    );
    L.push(
      `| ${r1(o.achievedRps)} | ${r2(o.p50)} | ${r2(o.p95)} | ${r2(o.p99)} | ${(100 * o.errorRate).toFixed(2)} % | ${(100 * o.cacheHitRate).toFixed(1)} % | ${o.dropped} |`,
    );
    L.push(
      '',
      `Goals: ≥ ${r1(0.98 * o.rate)} req/s achieved ${yes(o.achievedRps >= 0.98 * o.rate)}, P99 < 100 ms ${yes(o.p99 < 100)}, error rate < 0.1 % ${yes(o.errorRate < 0.001)}, cache hit rate ≥ 90 % ${yes(o.cacheHitRate >= 0.9)}.`,
      '',
    );
    L.push('| scenario | P95 ms | P99 ms | cache hit rate |', '|---|---|---|---|');
    for (const [s, v] of Object.entries(o.perScenario))
      L.push(
        `| ${s} | ${r2(v.p95)} | ${r2(v.p99)} | ${Number.isFinite(v.hit) ? `${(100 * v.hit).toFixed(1)} %` : '-'} |`,
      );
  }
  if (r.growth) {
    const g = r.growth;
    const lr = g.big.list.p50 / g.small.list.p50;
    const dr = g.big.detail.p50 / g.small.detail.p50;
    L.push('', '## 7. Growth: 1k vs many blueprints (uncached)', '');
    L.push(
      `Uncached (\`?cache=false\`) list (first page, 20) and detail (200 random ids of the tenant) through PgBouncer, wrk 4 connections. The large data set adds ${g.rows.toLocaleString('en')} blueprints to the same tenant with generate_series (${r1(g.insertSeconds)} s including VACUUM ANALYZE).`,
      '',
    );
    L.push(
      '| | blueprints in database | list P50 ms | detail P50 ms | list req/s | detail req/s |',
      '|---|---|---|---|---|---|',
    );
    L.push(
      `| small | ${g.small.total.toLocaleString('en')} | ${r2(g.small.list.p50)} | ${r2(g.small.detail.p50)} | ${r1(g.small.list.rps)} | ${r1(g.small.detail.rps)} |`,
    );
    L.push(
      `| large | ${g.big.total.toLocaleString('en')} | ${r2(g.big.list.p50)} | ${r2(g.big.detail.p50)} | ${r1(g.big.list.rps)} | ${r1(g.big.detail.rps)} |`,
    );
    L.push('', `Ratios large/small: list ${r2(lr)}, detail ${r2(dr)} (goal ≤ 1.5): ${yes(lr <= 1.5 && dr <= 1.5)}.`);
  }
  if (r.mix) mixSection(L, r.mix);
  if (r.pgbench) {
    const ratio = median(r.pgbench.map((x) => x.app / x.pgbench));
    L.push('', '## 9. Uncached list vs PostgreSQL itself', '');
    L.push(
      `The app's uncached first page (\`?cache=false\`, 20 blueprints, wrk 64 connections, DB_POOL_MAX 25) beside \`pgbench -M extended -c 25\` running the very statement the app's repository sends, both through PgBouncer; interleaved rounds of ${r.seconds} s, pgbench pinned to the generator core.`,
      '',
      '| round | app req/s | pgbench tps | ratio |',
      '|---|---|---|---|',
      ...r.pgbench.map((x, i) => `| ${i + 1} | ${r1(x.app)} | ${r1(x.pgbench)} | ${r2(x.app / x.pgbench)} |`),
      '',
      `Median ratio ${r2(ratio)} (goal ≥ 0.6): ${yes(ratio >= 0.6)}.`,
    );
  }
  if (r.profiles?.length) {
    L.push('', '## 10. Load profiles (tools/load/run.ts)', '');
    L.push(
      '| profile | time scale | duration s | req/s | P95 ms | P99 ms | error rate | cache hit rate | thresholds |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const p of r.profiles)
      L.push(
        `| ${p.name} | ${p.scale} | ${r1(p.durationS)} | ${r1(p.rps)} | ${r2(p.p95)} | ${r2(p.p99)} | ${(100 * p.errorRate).toFixed(2)} % | ${(100 * p.hitRate).toFixed(1)} % | ${p.passed ? '**all passed**' : `**failed**: ${p.failed.join('; ')}`} |`,
      );
  }
  if (r.notes.length) L.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  L.push('');
  const file = path.join(dir, 'RESULTS.md');
  // A hand-written analysis below the marker survives regeneration (it is about the last run
  // it was written for: check that it still matches the new figures).
  const old = await readFile(file, 'utf8').catch(() => '');
  const at = old.indexOf(ANALYSIS_MARKER);
  const text = L.join('\n') + (at >= 0 ? `\n${old.slice(at)}` : '');
  // In the repository's own style, so `npm run check` passes on a freshly written report.
  const style = (await prettier.resolveConfig(file)) ?? {};
  await writeFile(file, await prettier.format(text, { ...style, filepath: file }));
  await writeFile(path.join(dir, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
