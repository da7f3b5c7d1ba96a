// Benchmark 7's data: N more blueprints for one tenant, generated inside PostgreSQL
// (generate_series over the direct connection), copies of the tenant's seeded blueprints with
// fresh UUIDv7 ids older than every seeded one (history), then VACUUM ANALYZE.
import pg from 'pg';

const BATCH = 250_000;

/** Inserts `rows` blueprints for `tenantId`; returns the seconds it took (insert + analyze). */
export async function growBlueprints(url: string, tenantId: string, rows: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  try {
    // UUIDv7 text: 48-bit milliseconds, '7', 12 random bits, variant nibble, 62 random bits.
    for (let from = 1; from <= rows; from += BATCH) {
      const to = Math.min(rows, from + BATCH - 1);
      await c.query(
        `WITH src AS (
           SELECT row_number() OVER (ORDER BY id) - 1 AS k, b.* FROM blueprints b WHERE tenant_id = $1
         ), n AS (SELECT count(*) AS c FROM src)
         INSERT INTO blueprints (id, tenant_id, name, description, provider, region, version, status,
                                 parameters, resources, tags, created_by, created_at, updated_at)
         SELECT (lpad(to_hex(1767225600000 - 86400000 - g), 12, '0') || '7' || substr(h, 1, 3)
                 || substr('89ab', 1 + (g % 4)::int, 1) || substr(h, 4, 15))::uuid,
                s.tenant_id, s.name || ' #' || g, s.description, s.provider, s.region, s.version, s.status,
                s.parameters, s.resources, s.tags, s.created_by, s.created_at, s.updated_at
           FROM generate_series($2::bigint, $3::bigint) g
           CROSS JOIN LATERAL (SELECT md5(g::text) AS h) r
           JOIN src s ON s.k = g % (SELECT c FROM n)`,
        [tenantId, from, to],
      );
    }
    await c.query('VACUUM ANALYZE blueprints');
  } finally {
    await c.end();
  }
  return (performance.now() - t0) / 1000;
}
