import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Where the local stack (scripts/stack/up.sh) listens. Overridable by the same variables
 * scripts/stack/env.sh exports, so the suite also runs against another stack.
 */
export const STACK = {
  directUrl: process.env.TEST_POSTGRES_URL ?? 'postgres://dharma_admin:dharma_pass_dev@127.0.0.1:5432',
  bouncerUrl: process.env.TEST_PGBOUNCER_URL ?? 'postgres://dharma_admin:dharma_pass_dev@127.0.0.1:6432',
  bouncerAdminUrl: process.env.PGBOUNCER_ADMIN_URL ?? 'postgres://dharma_admin@127.0.0.1:6432/pgbouncer',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** A throw-away database of its own for one test file, reached directly and through PgBouncer. */
export interface TestDatabase {
  name: string;
  directUrl: string;
  bouncerUrl: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: `${STACK.directUrl}/postgres` });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates `dharma_t_<random>`; drop() removes it even while PgBouncer still holds connections. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `dharma_t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    directUrl: `${STACK.directUrl}/${name}`,
    bouncerUrl: `${STACK.bouncerUrl}/${name}`,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Runs one statement on PostgreSQL directly (not through PgBouncer). */
export async function directQuery<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** Runs an admin-console command on PgBouncer (simple query protocol only: no parameters). */
export async function bouncerAdmin<R extends pg.QueryResultRow>(command: string): Promise<R[]> {
  return directQuery<R>(STACK.bouncerAdminUrl, command);
}
