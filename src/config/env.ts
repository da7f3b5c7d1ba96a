import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** A value's expected form, for the one-line error when it does not have it. */
const expect = <T extends TSchema>(schema: T, form: string): T => ({ ...schema, 'x-expect': form });
const int = (def: number, minimum: number, maximum: number) =>
  Type.Integer({ default: def, minimum, maximum, 'x-expect': `an integer between ${minimum} and ${maximum}` });
const url = (protocols: string) =>
  Type.Optional(
    expect(Type.String({ pattern: `^(${protocols})://[^\\s]+$` }), `a ${protocols.replace('|', ' or ')} URL`),
  );
const flag = (def: boolean) => expect(Type.Boolean({ default: def }), 'true or false');
const limit = (def: string) =>
  expect(Type.String({ default: def, pattern: '^\\d{1,7}/\\d{1,6}[smh]$' }), 'a count per duration, like 10/15m');

/**
 * Every environment variable the process reads, with its default (the one place a default is
 * written) and what it means. loadConfig validates the environment against it with env-schema
 * (Ajv: types coerced, defaults applied) and derives the Config the app is given.
 */
export const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
    'x-expect': 'development, production or test',
  }),
  // HTTP listener.
  PORT: int(3000, 0, 65535),
  HOST: Type.String({ default: '0.0.0.0' }),

  // The app's database pool (in production: PgBouncer); unset, with no DB_HOST: embedded PGlite.
  DATABASE_URL: url('postgres|postgresql'),
  DB_HOST: Type.Optional(Type.String()),
  DB_PORT: int(5432, 1, 65535),
  DB_NAME: Type.String({ default: 'iac_dharma' }),
  DB_USER: Type.String({ default: 'postgres' }),
  DB_PASSWORD: Type.Optional(Type.String()),
  // The embedded database's directory (memory:// keeps nothing).
  PGLITE_DIR: Type.String({ default: './data/pglite' }),
  // App-side pool bounds (the embedded database has one connection).
  DB_POOL_MIN: int(5, 0, 1000),
  DB_POOL_MAX: int(25, 1, 1000),
  // Server-side bound of one statement in a transaction; the client waits 2 s longer.
  DB_STATEMENT_TIMEOUT_MS: int(10_000, 100, 600_000),
  // Admission control: at most this many wait for a pool connection, for at most this long (the
  // deadline is what bounds a wait; the count only bounds memory, so it is set above the number of
  // clients a replica serves at once).
  DB_QUEUE_MAX: int(10_000, 0, 1_000_000),
  DB_QUEUE_TIMEOUT_MS: int(1000, 1, 600_000),
  // Migrations need a direct (non-PgBouncer) connection; default: DATABASE_URL.
  MIGRATIONS_DATABASE_URL: url('postgres|postgresql'),
  // Apply pending migrations at start-up.
  MIGRATE: flag(true),
  // PgBouncer's admin console, for the pool gauges.
  PGBOUNCER_ADMIN_URL: url('postgres|postgresql'),

  // Redis: the L2 cache and its invalidation bus; unset: in-process cache only.
  REDIS_URL: url('redis|rediss'),
  REDIS_HOST: Type.Optional(Type.String()),
  REDIS_PORT: int(6379, 1, 65535),
  // Seconds of freshness of cached routes without a TTL of their own.
  REDIS_TTL_DEFAULT: int(300, 1, 30 * 86_400),
  // How long a Redis command may go unanswered while the process is responsive.
  REDIS_COMMAND_TIMEOUT_MS: int(50, 1, 60_000),
  // The in-process (L1) cache's bound, in MiB.
  CACHE_L1_MAX_MB: int(64, 1, 16_384),

  // HS256 key; in development generated once into the data directory; required in production.
  JWT_SECRET: Type.Optional(expect(Type.String({ minLength: 32 }), 'at least 32 characters')),
  // Comma-separated origins allowed by CORS.
  CORS_ORIGINS: Type.String({ default: '' }),
  // Which proxies' X-Forwarded-For gives the client address: true, false, a hop count, or addresses/CIDRs.
  TRUST_PROXY: Type.String({ default: 'false' }),
  // Failed logins per account+address, per account, per address; registrations per address.
  LOGIN_LIMIT_ACCOUNT_IP: limit('10/15m'),
  LOGIN_LIMIT_ACCOUNT: limit('100/15m'),
  LOGIN_LIMIT_IP: limit('100/1m'),
  REGISTER_LIMIT_IP: limit('20/1h'),
  // libuv's thread pool (argon2, file system, DNS); hashing always leaves one thread free.
  UV_THREADPOOL_SIZE: int(4, 1, 1024),
  // argon2 checks at once (default: one per core, below UV_THREADPOOL_SIZE), waiting callers, longest wait.
  PASSWORD_HASH_CONCURRENCY: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1024, 'x-expect': 'an integer between 1 and 1024' }),
  ),
  PASSWORD_HASH_QUEUE: int(1_000, 0, 100_000),
  PASSWORD_HASH_WAIT_MS: int(10_000, 1, 120_000),
  // How often each replica reads the role changes and deletions that revoke access tokens.
  TOKEN_REVOCATION_POLL_MS: int(1_000, 100, 60_000),

  // SIGTERM drain bound.
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', 'x-expect': 'one of fatal, error, warn, info, debug, trace, silent' },
  ),
  // Requests at least this slow are logged at warn.
  LOG_SLOW_MS: int(500, 0, 3_600_000),
  // Tracing: off unless an OTLP/HTTP endpoint is set.
  OTEL_EXPORTER_OTLP_ENDPOINT: url('http|https'),
  // The metrics collectors' interval (PgBouncer, PostgreSQL), never on the request path.
  METRICS_REFRESH_MS: int(5_000, 50, 3_600_000),
  // false: no per-request metrics and no collectors (the overhead benchmark's baseline).
  METRICS_ENABLED: flag(true),
  // /metrics's own listener (never the API port); off: on the API port behind METRICS_TOKEN only.
  METRICS_PORT: expect(Type.String({ default: '9464', pattern: '^(off|\\d{1,5})$' }), 'a port number or off'),
  METRICS_HOST: Type.String({ default: '127.0.0.1' }),
  METRICS_TOKEN: Type.Optional(expect(Type.String({ minLength: 16 }), 'at least 16 characters')),
});

export type Env = Static<typeof EnvSchema>;
