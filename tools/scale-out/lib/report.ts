// The scale-out results as the markdown block of docs/perf/SCALE-OUT.md.
import type { KillRun, Window } from './measure.js';

interface Summary {
  samples: number;
  notCached: number;
  unseenBreakerOpen: number;
  seen: number;
  p50: number;
  p99: number;
  max: number;
  staleReads: number;
}

/** What run.ts measured, as it is written to JSON. */
export interface Results {
  machine: { cores: number; node: string };
  at: string;
  mode: string;
  settings: { vus: number; seconds: number; warmup: number; samples: number; redisCommandTimeoutMs: number };
  curve: Window[];
  invalidation: { idle: Summary; underLoad?: Summary };
  kill: Omit<KillRun, 'createdIds'> & { missingInDatabase: string[]; missingViaApi: string[] };
}

const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');

/** Markdown tables: the curve, CPU per process, the invalidation delay, the kill. */
export function markdown(r: Results): string {
  const out: string[] = [];
  out.push(
    `Run of ${r.at} (${r.mode} mode), ${r.machine.cores} cores, Node.js ${r.machine.node}: ${r.settings.vus} closed-loop VUs with no think time, ` +
      `${r.settings.warmup} s warm-up then ${r.settings.seconds} s measured per replica count; REDIS_COMMAND_TIMEOUT_MS=${r.settings.redisCommandTimeoutMs}.`,
  );
  if (r.curve.length) {
    const base = r.curve[0]!.rps;
    out.push(
      '',
      '| replicas | req/s | vs 1st | req per CPU-second of the stack | P50 ms | P95 ms | P99 ms | failed | cache hit | breaker openings | PgBouncer cl_waiting / sv_active |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const w of r.curve) {
      out.push(
        `| ${w.replicas} | ${f(w.rps)} | ${f(w.rps / base, 2)} | ${f(w.rps / stackCores(w))} | ${f(w.p50, 1)} | ${f(w.p95, 1)} | ${f(w.p99, 1)} | ${w.failed} | ${f(w.cacheHitRate * 100, 1)} % | ${w.breakerOpenings} | ${w.pool ? `${w.pool.cl_waiting} / ${w.pool.sv_active}` : '–'} |`,
      );
    }
    const groups = [...new Set(r.curve.flatMap((w) => Object.keys(w.cpu)))].sort(
      (a, b) => order(a) - order(b) || a.localeCompare(b),
    );
    out.push('', `CPU used during the measured part, in cores (1.00 = one core busy all the time):`, '');
    out.push(`| process | ${r.curve.map((w) => `${w.replicas} replica${w.replicas > 1 ? 's' : ''}`).join(' | ')} |`);
    out.push(`| --- | ${r.curve.map(() => '---:').join(' | ')} |`);
    for (const g of groups)
      out.push(`| ${g} | ${r.curve.map((w) => (w.cpu[g] === undefined ? '' : f(w.cpu[g], 2))).join(' | ')} |`);
  }
  const inv = (name: string, s: Summary) =>
    `| ${name} | ${s.samples} | ${s.seen}${s.unseenBreakerOpen ? ` (${s.unseenBreakerOpen} unseen with a breaker open)` : ''} | ${f(s.p50, 2)} | ${f(s.p99, 2)} | ${f(s.max, 2)} | ${s.staleReads} | ${s.notCached} |`;
  out.push(
    '',
    "Cross-replica invalidation: a PUT through replica 1, then replica 2 (which had the blueprint cached) polled on one connection until it serves the new state; ms from the PUT's acknowledgement to the end of the first fresh response (an upper bound: one round trip is included).",
    '',
    '| condition | writes | seen | P50 ms | P99 ms | max ms | stale reads after the ack | skipped (B not caching) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    inv('idle', r.invalidation.idle),
  );
  if (r.invalidation.underLoad) out.push(inv('under the mix load', r.invalidation.underLoad));
  const k = r.kill;
  out.push(
    '',
    `Replica killed mid-load: ${k.replicas} replicas, SIGKILL of replica 2 after ${k.killedAfterSeconds} s: ${k.requests} requests, ` +
      `**${k.failedIdempotent} failed idempotent requests** (${Object.entries(k.failedByScenario)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}); ${k.acknowledgedWrites} blueprint creations acknowledged, ` +
      `${k.missingInDatabase.length} of them missing in PostgreSQL and ${k.missingViaApi.length} not served afterwards; ` +
      `${k.unacknowledgedWrites} creations not acknowledged (in flight on the killed replica); nginx logged ${k.upstreamErrors} upstream failures (requests cut by the kill, each resent to a live replica unless it was a non-idempotent POST already sent).`,
  );
  return out.join('\n');
}

/** Cores used by the processes of the run (replicas, nginx, PgBouncer, PostgreSQL, load generator). */
function stackCores(w: Window): number {
  return Object.entries(w.cpu)
    .filter(([g]) => g !== 'machine (all processes)')
    .reduce((s, [, c]) => s + c, 0);
}

function order(group: string): number {
  if (group.startsWith('api-')) return 0;
  return ['nginx', 'pgbouncer', 'postgres', 'redis', 'load generator', 'machine (all processes)'].indexOf(group) + 1;
}
