import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
  type RateLimiterStoreAbstract,
} from 'rate-limiter-flexible';
import type { AuthConfig, Limit } from '../../config.js';
import { RateLimitedError } from '../../errors.js';
import type { RedisConnection } from '../../infra/redis/connection.js';

type Limiter = RateLimiterAbstract | RateLimiterStoreAbstract;

// How long an address that logged in successfully stays known for that account (under the
// 24.8-day bound of the in-memory fallback's timers).
const KNOWN_ADDRESS_SECONDS = 14 * 86_400;

/** The keys one login attempt is counted under, read by check() and used by begin() and succeeded(). */
export interface LoginTicket {
  readonly keys: readonly (readonly [Limiter, string])[];
  readonly pair: string;
}

/** An email as a fixed-length key: no address is stored in Redis, and no key is longer than this. */
function accountKey(email: string): string {
  return createHash('sha256').update(email).digest('base64url').slice(0, 22);
}

/**
 * The address a limit applies to: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 prefix,
 * since one host or home usually holds a whole /64 and could otherwise rotate through 2^64 keys.
 */
export function addressKey(ip: string): string {
  const bare = ip.split('%')[0]!;
  if (bare.toLowerCase().startsWith('::ffff:') && isIPv4(bare.slice(7))) return bare.slice(7);
  if (!isIPv6(bare)) return bare;
  const [head, tail] = bare.toLowerCase().split('::') as [string, string | undefined];
  const groups = (s: string | undefined) =>
    s ? s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : [];
  const left = groups(head);
  const right = groups(tail);
  const full = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${full
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Failed-login and registration limits (rate-limiter-flexible, fixed windows). With Redis the
 * counters are shared by every replica; while Redis is down or slow (each command is bounded)
 * every replica counts on its own in memory, and without Redis memory is all there is.
 *
 * A login is counted under account+address (tight), address, and account from every address
 * (loose); the loose one is skipped from an address that already logged into the account
 * successfully (a known address), so strangers cannot lock an account out of its usual places.
 * Attempts are counted when the password check starts and refunded when it succeeds: concurrent
 * guesses cannot exceed a limit, and successful logins never use one up.
 */
export function createLoginLimits(limits: AuthConfig['limits'], redis?: RedisConnection) {
  const make = (name: string, l: Limit): Limiter => {
    const opts = { keyPrefix: `authlimit:${name}`, points: l.points, duration: l.seconds };
    const memory = new RateLimiterMemory(opts);
    if (!redis) return memory;
    return new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory });
  };
  const accountIp = make('account-ip', limits.accountIp);
  const account = make('account', limits.account);
  const address = make('ip', limits.ip);
  const register = make('register', limits.register);
  const known = make('known', { points: 1, seconds: KNOWN_ADDRESS_SECONDS });

  const limited = (ms: number) => new RateLimitedError('Too many failed logins; try again later', ms / 1000);

  /** Gives back the points of `keys`; a failure to do so only costs the caller one attempt. */
  const refund = (keys: LoginTicket['keys']) =>
    Promise.allSettled(keys.map(([limiter, key]) => limiter.reward(key))).then(() => undefined);

  return {
    /** The keys of this login; a 429 right away when one is already at its limit (nothing is counted). */
    async check(email: string, ip: string): Promise<LoginTicket> {
      const a = accountKey(email);
      const pair = `${a}:${addressKey(ip)}`;
      const isKnown = (await known.get(pair)) !== null;
      const keys: [Limiter, string][] = [
        [accountIp, pair],
        [address, addressKey(ip)],
      ];
      if (!isKnown) keys.push([account, a]);
      const counts = await Promise.all(keys.map(([limiter, key]) => limiter.get(key)));
      let waitMs = 0;
      counts.forEach((res, i) => {
        if (res && res.consumedPoints >= keys[i]![0].points) waitMs = Math.max(waitMs, res.msBeforeNext);
      });
      if (waitMs > 0) throw limited(waitMs);
      return { keys, pair };
    },

    /** Counts the attempt under every key; a 429 (and nothing counted) when that would pass a limit. */
    async begin(ticket: LoginTicket): Promise<void> {
      const outcomes = await Promise.allSettled(ticket.keys.map(([limiter, key]) => limiter.consume(key)));
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      if (refused.length === 0) return;
      await refund(ticket.keys);
      const waits = refused.map((r) => (r instanceof RateLimiterRes ? r.msBeforeNext : 1_000));
      throw limited(Math.max(...waits));
    },

    /** The attempt succeeded: refund it and remember the address as known for this account. */
    async succeeded(ticket: LoginTicket): Promise<void> {
      await Promise.allSettled([refund(ticket.keys), known.set(ticket.pair, 1, KNOWN_ADDRESS_SECONDS)]);
    },

    /** Counts one registration from `ip`; a 429 past the limit. */
    async register(ip: string): Promise<void> {
      try {
        await register.consume(addressKey(ip));
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw new RateLimitedError(
          'Too many registrations from this address; try again later',
          err.msBeforeNext / 1000,
        );
      }
    },
  };
}

export type LoginLimits = ReturnType<typeof createLoginLimits>;
