import { Redis } from 'ioredis';

/** A Redis command connection, as the modules that keep small shared state receive it. */
export type RedisConnection = Redis;

/** Options of a command connection; both bounds keep a slow or absent Redis from holding a request. */
export interface RedisConnectionOptions {
  url: string;
  /** Per-command bound (REDIS_COMMAND_TIMEOUT_MS): a hung Redis is an error after this long. */
  commandTimeoutMs: number;
  /** Told when the connection goes up or down (for a log line per transition, not per command). */
  onStatus?: (up: boolean, err?: Error) => void;
}

/**
 * One command connection for state shared by replicas outside the response cache (the login
 * limits). Like the cache's, it fails fast instead of queueing while disconnected and reconnects
 * in the background; callers keep an in-process fallback for the time it is down.
 */
export function createRedisConnection(opts: RedisConnectionOptions): RedisConnection {
  const redis = new Redis(opts.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: 1_000,
    retryStrategy: (times: number) => Math.min(100 * times, 1_000),
  });
  let up = false;
  redis.on('ready', () => {
    if (!up) opts.onStatus?.((up = true));
  });
  // Without a listener ioredis reports every failed reconnect on stderr; one line per outage instead.
  redis.on('error', (err: Error) => {
    if (up) opts.onStatus?.((up = false), err);
  });
  redis.on('close', () => {
    if (up) opts.onStatus?.((up = false));
  });
  return redis;
}
