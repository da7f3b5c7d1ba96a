import { createPgBouncerConsole } from '../db/pgbouncer-console.js';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Collector } from './refresher.js';

// SHOW STATS columns (cumulative since PgBouncer started) → counters; read by name, so a column
// a PgBouncer version lacks is skipped and one it adds is ignored. Times are µs in PgBouncer.
const STATS_TOTALS: [column: string, metric: string, help: string, scale: number][] = [
  ['total_xact_count', 'transactions_total', 'Transactions pooled', 1],
  ['total_query_count', 'queries_total', 'Queries pooled', 1],
  ['total_received', 'received_bytes_total', 'Bytes received from clients', 1],
  ['total_sent', 'sent_bytes_total', 'Bytes sent to clients', 1],
  ['total_xact_time', 'transaction_time_seconds_total', 'Time spent in transactions', 1e-6],
  ['total_query_time', 'query_time_seconds_total', 'Time spent in queries', 1e-6],
  ['total_wait_time', 'wait_time_seconds_total', 'Time clients waited for a server', 1e-6],
];
// SHOW STATS averages over the last stats_period → gauges.
const STATS_AVERAGES: [column: string, metric: string, help: string, scale: number][] = [
  ['avg_xact_count', 'avg_transactions_per_second', 'Transactions per second (last stats period)', 1],
  ['avg_query_count', 'avg_queries_per_second', 'Queries per second (last stats period)', 1],
  ['avg_xact_time', 'avg_transaction_duration_seconds', 'Average transaction duration (last stats period)', 1e-6],
  ['avg_query_time', 'avg_query_duration_seconds', 'Average query duration (last stats period)', 1e-6],
  ['avg_wait_time', 'avg_wait_seconds', 'Average client wait for a server (last stats period)', 1e-6],
];

const num = (v: string | number | null | undefined): number | undefined => {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/**
 * The PgBouncer collector: SHOW POOLS and SHOW STATS on the admin console (simple query protocol:
 * node-postgres sends a query without parameters as a simple Query message, the only kind the
 * console accepts), over one long-lived connection that is re-opened after any failure.
 */
export function createPgBouncerCollector(adminUrl: string, registry: Registry): Collector {
  const pool = ['database', 'user'] as const;
  const clients = new Gauge({
    name: 'pgbouncer_pool_clients',
    help: 'PgBouncer client connections per pool by state (SHOW POOLS cl_active, cl_waiting)',
    labelNames: [...pool, 'state'],
    registers: [registry],
  });
  const servers = new Gauge({
    name: 'pgbouncer_pool_servers',
    help: 'PgBouncer server connections per pool by state (SHOW POOLS sv_active, sv_idle, sv_used)',
    labelNames: [...pool, 'state'],
    registers: [registry],
  });
  const maxwait = new Gauge({
    name: 'pgbouncer_pool_maxwait_seconds',
    help: 'Age of the oldest waiting client per pool (SHOW POOLS maxwait + maxwait_us)',
    labelNames: pool,
    registers: [registry],
  });
  const totals = STATS_TOTALS.map(
    ([column, metric, help, scale]) =>
      [
        column,
        scale,
        new Counter({
          name: `pgbouncer_stats_${metric}`,
          help: `${help} (SHOW STATS ${column})`,
          labelNames: ['database'],
          registers: [registry],
        }),
      ] as const,
  );
  const averages = STATS_AVERAGES.map(
    ([column, metric, help, scale]) =>
      [
        column,
        scale,
        new Gauge({
          name: `pgbouncer_stats_${metric}`,
          help: `${help} (SHOW STATS ${column})`,
          labelNames: ['database'],
          registers: [registry],
        }),
      ] as const,
  );

  const adminConsole = createPgBouncerConsole(adminUrl);
  const show = adminConsole.show;

  return {
    name: 'pgbouncer',
    async refresh() {
      const [pools, stats] = [await show('SHOW POOLS'), await show('SHOW STATS')];
      // Both results are in hand: replace the old series in one synchronous step, so a scrape
      // never sees half a refresh and pools that disappeared disappear from /metrics too.
      clients.reset();
      servers.reset();
      maxwait.reset();
      for (const r of pools) {
        const labels = { database: String(r.database), user: String(r.user) };
        clients.set({ ...labels, state: 'active' }, num(r.cl_active) ?? 0);
        clients.set({ ...labels, state: 'waiting' }, num(r.cl_waiting) ?? 0);
        servers.set({ ...labels, state: 'active' }, num(r.sv_active) ?? 0);
        servers.set({ ...labels, state: 'idle' }, num(r.sv_idle) ?? 0);
        servers.set({ ...labels, state: 'used' }, num(r.sv_used) ?? 0);
        maxwait.set(labels, (num(r.maxwait) ?? 0) + (num(r.maxwait_us) ?? 0) / 1e6);
      }
      for (const [, , metric] of [...totals, ...averages]) metric.reset();
      for (const r of stats) {
        const labels = { database: String(r.database) };
        for (const [column, scale, counter] of totals) {
          const v = num(r[column]);
          if (v !== undefined) counter.inc(labels, v * scale);
        }
        for (const [column, scale, gauge] of averages) {
          const v = num(r[column]);
          if (v !== undefined) gauge.set(labels, v * scale);
        }
      }
    },
    close: () => adminConsole.close(),
  };
}
