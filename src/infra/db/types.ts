/** A result the repositories read: rows plus the affected-row count. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/** Anything that runs one parameterised statement (the pool, or a transaction). */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
}

/** The app's single database handle; only infra/db knows which driver is behind it. */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn inside BEGIN/COMMIT on one connection; rolls back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when `SELECT 1` answers within timeoutMs. */
  ping(timeoutMs: number): Promise<void>;
  /** App-side pool gauges (embedded: one connection). */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}
