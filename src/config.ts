import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the database lives: the embedded PGlite default, or a real PostgreSQL (usually via PgBouncer). */
export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string }
  | {
      kind: 'postgres';
      url: string;
      migrationsUrl: string;
      poolMin: number;
      poolMax: number;
      /** Server-side bound of one statement (SET LOCAL in every transaction); the client waits 2 s more. */
      statementTimeoutMs: number;
    };

/** The process configuration, parsed once from the environment and frozen. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  database: DatabaseConfig;
  migrate: boolean;
  pgbouncerAdminUrl: string | undefined;
  redis: { url: string; commandTimeoutMs: number } | undefined;
  /** TTL (s) of cached routes that do not set their own. */
  redisTtlDefault: number;
  cacheL1MaxBytes: number;
  jwtSecret: string;
  corsOrigins: string[];
  shutdownTimeoutMs: number;
  logLevel: string;
  /** Requests at least this slow are logged at warn; faster successful ones at debug. */
  logSlowMs: number;
  otlpEndpoint: string | undefined;
  /** How often the metrics collectors (PgBouncer, PostgreSQL) refresh, off the request path. */
  metricsRefreshMs: number;
  /** false: no per-request HTTP metrics and no collectors (the overhead benchmark's baseline). */
  metricsEnabled: boolean;
  /** Where /metrics is served: its own listener (never the API port), optionally token-guarded. */
  metrics: { host: string; port: number | 'off'; token: string | undefined };
  /** Admission control: database work waits for a pool connection in a bounded queue with a deadline. */
  admission: { queueMax: number; timeoutMs: number };
  auth: {
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    failedLoginsPerAccount: number;
    failedLoginsAccountWindowMs: number;
    failedLoginsPerIp: number;
    failedLoginsIpWindowMs: number;
  };
}

/** A configuration problem; the server prints its message as one line and exits. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
  }
  return raw;
}

function databaseFromParts(env: Env): string | undefined {
  const host = str(env, 'DB_HOST');
  if (host === undefined) return undefined;
  const port = int(env, 'DB_PORT', 5432, 1, 65535);
  const name = str(env, 'DB_NAME') ?? 'iac_dharma';
  const user = str(env, 'DB_USER') ?? 'postgres';
  const password = str(env, 'DB_PASSWORD');
  const auth = encodeURIComponent(user) + (password ? `:${encodeURIComponent(password)}` : '');
  return `postgres://${auth}@${host}:${port}/${encodeURIComponent(name)}`;
}

/** The dev-only JWT secret: generated once and kept in the data directory so tokens survive restarts. */
function devJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

/** Parses the environment against the table in SPEC §2; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const nodeEnv = str(env, 'NODE_ENV') ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be development, production or test (got "${nodeEnv}")`);
  }
  const pgProtocols = ['postgres:', 'postgresql:'];
  const dbUrl = url(env, 'DATABASE_URL', pgProtocols) ?? databaseFromParts(env);
  const dataDir = str(env, 'PGLITE_DIR') ?? './data/pglite';
  const poolMin = int(env, 'DB_POOL_MIN', 5, 0, 1000);
  const poolMax = int(env, 'DB_POOL_MAX', 25, 1, 1000);
  if (poolMin > poolMax) throw new ConfigError('DB_POOL_MIN must not exceed DB_POOL_MAX');
  const database: DatabaseConfig = dbUrl
    ? {
        kind: 'postgres',
        url: dbUrl,
        migrationsUrl: url(env, 'MIGRATIONS_DATABASE_URL', pgProtocols) ?? dbUrl,
        poolMin,
        poolMax,
        statementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 10_000, 100, 600_000),
      }
    : { kind: 'pglite', dataDir };

  const migrateRaw = str(env, 'MIGRATE') ?? 'true';
  if (!['true', 'false'].includes(migrateRaw)) throw new ConfigError('MIGRATE must be true or false');

  const redisHost = str(env, 'REDIS_HOST');
  const redisUrl =
    url(env, 'REDIS_URL', ['redis:', 'rediss:']) ??
    (redisHost ? `redis://${redisHost}:${int(env, 'REDIS_PORT', 6379, 1, 65535)}` : undefined);
  const redisTtlDefault = int(env, 'REDIS_TTL_DEFAULT', 300, 1, 86_400 * 30);
  const commandTimeoutMs = int(env, 'REDIS_COMMAND_TIMEOUT_MS', 50, 1, 60_000);

  let jwtSecret = str(env, 'JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters');
  }
  if (jwtSecret === undefined) {
    if (nodeEnv === 'production') throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
    jwtSecret = devJwtSecret(database.kind === 'pglite' ? database.dataDir : './data');
  }

  const metricsRaw = str(env, 'METRICS_ENABLED') ?? 'true';
  if (!['true', 'false'].includes(metricsRaw)) throw new ConfigError('METRICS_ENABLED must be true or false');

  const metricsPortRaw = str(env, 'METRICS_PORT') ?? '9464';
  const metricsPort: number | 'off' = metricsPortRaw === 'off' ? 'off' : int(env, 'METRICS_PORT', 9464, 0, 65535);
  const metricsToken = str(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 characters');
  }

  const logLevel = str(env, 'LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`);
  }

  return Object.freeze({
    env: nodeEnv as Config['env'],
    port: int(env, 'PORT', 3000, 0, 65535),
    host: str(env, 'HOST') ?? '0.0.0.0',
    database,
    migrate: migrateRaw === 'true',
    pgbouncerAdminUrl: url(env, 'PGBOUNCER_ADMIN_URL', pgProtocols),
    redis: redisUrl ? { url: redisUrl, commandTimeoutMs } : undefined,
    redisTtlDefault,
    cacheL1MaxBytes: int(env, 'CACHE_L1_MAX_MB', 64, 1, 16_384) * 1024 * 1024,
    jwtSecret,
    corsOrigins: (str(env, 'CORS_ORIGINS') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    logLevel,
    logSlowMs: int(env, 'LOG_SLOW_MS', 500, 0, 3_600_000),
    otlpEndpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
    metricsRefreshMs: int(env, 'METRICS_REFRESH_MS', 5_000, 50, 3_600_000),
    metricsEnabled: metricsRaw === 'true',
    metrics: { host: str(env, 'METRICS_HOST') ?? '127.0.0.1', port: metricsPort, token: metricsToken },
    admission: {
      queueMax: int(env, 'DB_QUEUE_MAX', 1000, 0, 1_000_000),
      timeoutMs: int(env, 'DB_QUEUE_TIMEOUT_MS', 1000, 1, 600_000),
    },
    auth: {
      accessTtlSeconds: 15 * 60,
      refreshTtlSeconds: 7 * 24 * 3600,
      failedLoginsPerAccount: int(env, 'LOGIN_FAILURES_PER_ACCOUNT', 10, 1, 1_000_000),
      failedLoginsAccountWindowMs: 15 * 60_000,
      failedLoginsPerIp: int(env, 'LOGIN_FAILURES_PER_IP', 100, 1, 1_000_000),
      failedLoginsIpWindowMs: 60_000,
    },
  });
}
