import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/types.js';
import type { Collector } from './refresher.js';

/**
 * `postgres_backends{database}`: PostgreSQL backends per database, read from pg_stat_activity
 * through the app's own pool (it works through PgBouncer: one short statement per refresh).
 */
export function createPostgresCollector(db: Db, registry: Registry): Collector {
  const backends = new Gauge({
    name: 'postgres_backends',
    help: 'PostgreSQL backends (connections) per database, from pg_stat_activity',
    labelNames: ['database'],
    registers: [registry],
  });
  return {
    name: 'postgres',
    async refresh() {
      const { rows } = await db.query<{ datname: string; n: number }>(
        'SELECT datname, count(*)::int AS n FROM pg_stat_activity WHERE datname IS NOT NULL GROUP BY datname',
      );
      backends.reset();
      for (const r of rows) backends.set({ database: r.datname }, Number(r.n));
    },
  };
}
