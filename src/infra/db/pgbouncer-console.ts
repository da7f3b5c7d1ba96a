import pg from 'pg';

/** A row of a PgBouncer admin command, read by column name (columns differ between versions). */
export type ConsoleRow = Record<string, string | number | null>;

/**
 * PgBouncer's admin console (the `pgbouncer` database): one lazily opened connection, simple
 * query protocol only (the console speaks nothing else), reopened after any failure.
 */
export function createPgBouncerConsole(adminUrl: string) {
  let client: pg.Client | undefined;
  return {
    /** Runs one console command (`SHOW POOLS`, `SHOW STATS`, …). */
    async show(command: 'SHOW POOLS' | 'SHOW STATS'): Promise<ConsoleRow[]> {
      if (!client) {
        const c = new pg.Client({
          connectionString: adminUrl,
          // Bounded so a hung console delays one refresh, never the next ones.
          connectionTimeoutMillis: 2_000,
          query_timeout: 2_000,
          application_name: 'iac-dharma-metrics',
        });
        c.on('error', () => {}); // the next query fails and re-opens
        await c.connect().catch(async (err) => {
          await c.end().catch(() => {});
          throw err;
        });
        client = c;
      }
      try {
        return (await client.query<ConsoleRow>(command)).rows;
      } catch (err) {
        const broken = client;
        client = undefined;
        await broken.end().catch(() => {});
        throw err;
      }
    },
    async close(): Promise<void> {
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
