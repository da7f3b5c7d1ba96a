import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
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
  /** Fastify's `trustProxy`: which hops' `X-Forwarded-For` gives the client address (`request.ip`). */
  trustProxy: boolean | number | string[];
  auth: AuthConfig;
}

/** At most `points` per `seconds`, per key. */
export interface Limit {
  points: number;
  seconds: number;
}

/** Token lifetimes, login and registration limits, password hashing and token revocation. */
export interface AuthConfig {
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  limits: {
    /** Failed logins per account from one address (the tight limit). */
    accountIp: Limit;
    /** Failed logins per account from all addresses (the loose one). */
    account: Limit;
    /** Failed logins per address, whatever the account. */
    ip: Limit;
    /** Registrations per address, successful or not. */
    register: Limit;
  };
  /** argon2 runs at most `concurrency` at a time; waiters queue up to `maxQueue`, for at most `maxWaitMs`. */
  hashing: { concurrency: number; maxQueue: number; maxWaitMs: number };
  /** How often each replica reads the recent role changes and deletions that revoke access tokens. */
  revocationPollMs: number;
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

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `N/<duration>` (e.g. `10/15m`: 10 per 15 minutes; units s, m, h). */
function limit(env: Env, name: string, def: string): Limit {
  const raw = str(env, name) ?? def;
  const m = /^(\d{1,7})\/(\d{1,6})([smh])$/.exec(raw);
  const points = m ? Number(m[1]) : 0;
  const seconds = m ? Number(m[2]) * UNIT_SECONDS[m[3]!]! : 0;
  if (points < 1 || seconds < 1 || seconds > 7 * 86_400) {
    throw new ConfigError(`${name} must look like 10/15m (a count per s, m or h, at most 7 days; got "${raw}")`);
  }
  return { points, seconds };
}

// Named address ranges proxy-addr (Fastify's trustProxy) understands.
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One trusted proxy: an address, a CIDR range, or a named range. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry) || isIP(entry) !== 0) return true;
  const slash = entry.lastIndexOf('/');
  if (slash < 0) return false;
  const family = isIP(entry.slice(0, slash));
  const bits = entry.slice(slash + 1);
  return family !== 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** TRUST_PROXY as Fastify takes it: true/false, a hop count, or a list of addresses and CIDR ranges. */
function trustProxy(env: Env): boolean | number | string[] {
  const raw = str(env, 'TRUST_PROXY') ?? 'false';
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^\d+$/.test(raw)) return int(env, 'TRUST_PROXY', 0, 0, 100);
  const list = raw.split(',').map((s) => s.trim());
  const bad = list.find((s) => !isProxyAddress(s));
  if (bad !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY must be true, false, a hop count or a comma-separated list of addresses/CIDRs (bad entry "${bad}")`,
    );
  }
  return list;
}

/**
 * argon2 computes on libuv's thread pool (UV_THREADPOOL_SIZE, default 4), which file system
 * and DNS work share: hashing may take all but one of its threads, and by default about one per core.
 */
function hashing(env: Env): AuthConfig['hashing'] {
  const pool = int(env, 'UV_THREADPOOL_SIZE', 4, 1, 1024);
  const most = Math.max(1, pool - 1);
  const concurrency = int(env, 'PASSWORD_HASH_CONCURRENCY', Math.min(availableParallelism(), most), 1, 1024);
  if (concurrency > most) {
    throw new ConfigError(
      `PASSWORD_HASH_CONCURRENCY must be below UV_THREADPOOL_SIZE (${pool}) so hashing never takes every libuv thread`,
    );
  }
  return {
    concurrency,
    maxQueue: int(env, 'PASSWORD_HASH_QUEUE', 1_000, 0, 100_000),
    maxWaitMs: int(env, 'PASSWORD_HASH_WAIT_MS', 10_000, 1, 120_000),
  };
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
    trustProxy: trustProxy(env),
    auth: {
      accessTtlSeconds: 15 * 60,
      refreshTtlSeconds: 7 * 24 * 3600,
      limits: {
        accountIp: limit(env, 'LOGIN_LIMIT_ACCOUNT_IP', '10/15m'),
        account: limit(env, 'LOGIN_LIMIT_ACCOUNT', '100/15m'),
        ip: limit(env, 'LOGIN_LIMIT_IP', '100/1m'),
        register: limit(env, 'REGISTER_LIMIT_IP', '20/1h'),
      },
      hashing: hashing(env),
      revocationPollMs: int(env, 'TOKEN_REVOCATION_POLL_MS', 1_000, 100, 60_000),
    },
  });
}
