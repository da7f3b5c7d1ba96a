import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import type { ErrorObject } from 'ajv';
import envSchema from 'env-schema';
import { EnvSchema, type Env } from './config/env.js';

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

type RawEnv = Record<string, string | undefined>;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `N/<duration>` (e.g. `10/15m`: 10 per 15 minutes); the schema checked its form. */
function limit(name: string, raw: string): Limit {
  const m = /^(\d+)\/(\d+)([smh])$/.exec(raw)!;
  const points = Number(m[1]);
  const seconds = Number(m[2]) * UNIT_SECONDS[m[3]!]!;
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
function trustProxy(raw: string): boolean | number | string[] {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^\d+$/.test(raw)) {
    if (Number(raw) > 100) throw new ConfigError(`TRUST_PROXY must count at most 100 hops (got "${raw}")`);
    return Number(raw);
  }
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
  const pool = env.UV_THREADPOOL_SIZE;
  const most = Math.max(1, pool - 1);
  const concurrency = env.PASSWORD_HASH_CONCURRENCY ?? Math.min(availableParallelism(), most);
  if (concurrency > most) {
    throw new ConfigError(
      `PASSWORD_HASH_CONCURRENCY must be below UV_THREADPOOL_SIZE (${pool}) so hashing never takes every libuv thread`,
    );
  }
  return { concurrency, maxQueue: env.PASSWORD_HASH_QUEUE, maxWaitMs: env.PASSWORD_HASH_WAIT_MS };
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

/**
 * The environment as the schema reads it: `.env` (when reading the process's own environment and
 * the file exists) under the real environment, blank values as unset.
 */
function gather(env: RawEnv, dotenv: boolean): RawEnv {
  let file: RawEnv = {};
  if (dotenv) {
    try {
      file = parseEnv(readFileSync('.env', 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`.env: ${(err as Error).message}`);
    }
  }
  const names = Object.keys(EnvSchema.properties);
  const merged: RawEnv = {};
  for (const n of names) {
    const v = (env[n] ?? file[n])?.trim();
    if (v !== undefined && v !== '') merged[n] = v;
  }
  return merged;
}

/** One line naming the first variable the schema refuses. */
function explain(err: unknown, given: RawEnv): ConfigError {
  const first = (err as { errors?: ErrorObject[] }).errors?.[0];
  if (!first) return new ConfigError((err as Error).message);
  const name = first.instancePath.slice(1);
  const prop = (EnvSchema.properties as Record<string, { 'x-expect'?: string }>)[name];
  const why = prop?.['x-expect'] ? `must be ${prop['x-expect']}` : (first.message ?? 'is invalid');
  return new ConfigError(`${name} ${why} (got "${given[name]}")`);
}

/**
 * Parses the environment once against EnvSchema (src/config/env.ts: every variable and default)
 * and derives the frozen Config; a bad value throws ConfigError naming the variable. Reading the
 * process's own environment, a `.env` file in the working directory is read too (the real
 * environment wins).
 */
export function loadConfig(
  source: RawEnv = process.env,
  /** `secrets: false`: a tool that signs nothing (migrate) needs no JWT_SECRET and writes no dev secret. */
  options: { secrets?: boolean } = {},
): Readonly<Config> {
  const given = gather(source, source === process.env);
  let env: Env;
  try {
    env = envSchema<Env>({
      schema: structuredClone(EnvSchema),
      data: given,
      env: false,
      // `x-expect` only words the error message.
      ajv: { customOptions: (ajv) => ajv.addKeyword('x-expect') },
    });
  } catch (err) {
    throw explain(err, given);
  }
  const fromParts = env.DB_HOST
    ? `postgres://${encodeURIComponent(env.DB_USER)}${env.DB_PASSWORD ? `:${encodeURIComponent(env.DB_PASSWORD)}` : ''}@${env.DB_HOST}:${env.DB_PORT}/${encodeURIComponent(env.DB_NAME)}`
    : undefined;
  const dbUrl = env.DATABASE_URL ?? fromParts;
  if (env.DB_POOL_MIN > env.DB_POOL_MAX) throw new ConfigError('DB_POOL_MIN must not exceed DB_POOL_MAX');
  const database: DatabaseConfig = dbUrl
    ? {
        kind: 'postgres',
        url: dbUrl,
        migrationsUrl: env.MIGRATIONS_DATABASE_URL ?? dbUrl,
        poolMin: env.DB_POOL_MIN,
        poolMax: env.DB_POOL_MAX,
        statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      }
    : { kind: 'pglite', dataDir: env.PGLITE_DIR };

  const redisUrl = env.REDIS_URL ?? (env.REDIS_HOST ? `redis://${env.REDIS_HOST}:${env.REDIS_PORT}` : undefined);
  let jwtSecret = env.JWT_SECRET;
  if (jwtSecret === undefined && options.secrets === false) jwtSecret = '';
  if (jwtSecret === undefined) {
    if (env.NODE_ENV === 'production') throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
    jwtSecret = devJwtSecret(database.kind === 'pglite' ? database.dataDir : './data');
  }
  const metricsPort: number | 'off' = env.METRICS_PORT === 'off' ? 'off' : Number(env.METRICS_PORT);
  if (metricsPort !== 'off' && metricsPort > 65535)
    throw new ConfigError(`METRICS_PORT must be a port number or off (got "${env.METRICS_PORT}")`);

  return Object.freeze({
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    database,
    migrate: env.MIGRATE,
    pgbouncerAdminUrl: env.PGBOUNCER_ADMIN_URL,
    redis: redisUrl ? { url: redisUrl, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS } : undefined,
    redisTtlDefault: env.REDIS_TTL_DEFAULT,
    cacheL1MaxBytes: env.CACHE_L1_MAX_MB * 1024 * 1024,
    jwtSecret,
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    logLevel: env.LOG_LEVEL,
    logSlowMs: env.LOG_SLOW_MS,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    metricsRefreshMs: env.METRICS_REFRESH_MS,
    metricsEnabled: env.METRICS_ENABLED,
    metrics: { host: env.METRICS_HOST, port: metricsPort, token: env.METRICS_TOKEN },
    admission: { queueMax: env.DB_QUEUE_MAX, timeoutMs: env.DB_QUEUE_TIMEOUT_MS },
    trustProxy: trustProxy(env.TRUST_PROXY),
    auth: {
      accessTtlSeconds: 15 * 60,
      refreshTtlSeconds: 7 * 24 * 3600,
      limits: {
        accountIp: limit('LOGIN_LIMIT_ACCOUNT_IP', env.LOGIN_LIMIT_ACCOUNT_IP),
        account: limit('LOGIN_LIMIT_ACCOUNT', env.LOGIN_LIMIT_ACCOUNT),
        ip: limit('LOGIN_LIMIT_IP', env.LOGIN_LIMIT_IP),
        register: limit('REGISTER_LIMIT_IP', env.REGISTER_LIMIT_IP),
      },
      hashing: hashing(env),
      revocationPollMs: env.TOKEN_REVOCATION_POLL_MS,
    },
  });
}
