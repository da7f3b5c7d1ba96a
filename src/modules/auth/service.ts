import { ConflictError, RateLimitedError, UnauthorizedError } from '../../errors.js';
import type { Db, Queryable } from '../../infra/db/types.js';
import { newId } from '../../lib/ids.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { createFailureLimiter } from './rate-limit.js';
import type { IdentityRepo, User } from './repo.js';
import { hashRefreshToken, newRefreshToken, type Role, type TokenService } from './tokens.js';

/** Tokens handed out by register, login and refresh. */
export interface TokenPair {
  token: string;
  refreshToken: string;
  expiresIn: number;
}

export interface AuthServiceOptions {
  refreshTtlSeconds: number;
  failedLoginsPerAccount: number;
  failedLoginsAccountWindowMs: number;
  failedLoginsPerIp: number;
  failedLoginsIpWindowMs: number;
}

/** Registration, login (with failed-login limits), refresh-token rotation and logout. */
export function createAuthService(db: Db, repo: IdentityRepo, tokens: TokenService, opts: AuthServiceOptions) {
  const perAccount = createFailureLimiter(opts.failedLoginsPerAccount, opts.failedLoginsAccountWindowMs);
  const perIp = createFailureLimiter(opts.failedLoginsPerIp, opts.failedLoginsIpWindowMs);

  async function issue(q: Queryable, user: { id: string; tenantId: string; role: Role }, familyId = newId()) {
    const refresh = newRefreshToken();
    await repo.insertRefreshToken(q, {
      id: newId(),
      userId: user.id,
      familyId,
      hash: refresh.hash,
      expiresAt: new Date(Date.now() + opts.refreshTtlSeconds * 1000),
    });
    const pair: TokenPair = {
      token: tokens.signAccess(user),
      refreshToken: refresh.token,
      expiresIn: tokens.accessTtlSeconds,
    };
    return pair;
  }

  /** Inserts a user; a taken email is a 409 naming `/email`. */
  async function insertUser(q: Queryable, tenantId: string, email: string, passwordHash: string, role: Role) {
    try {
      return await repo.insertUser(q, { id: newId(), tenantId, email: email.toLowerCase(), passwordHash, role });
    } catch (err) {
      if (err instanceof ConflictError) {
        throw new ConflictError('That email is already registered', [
          { path: '/email', message: 'is already registered' },
        ]);
      }
      throw err;
    }
  }

  return {
    /** Adds a user to a tenant (hashing happens before any connection is taken). */
    async createUser(tenantId: string, email: string, password: string, role: Role): Promise<User> {
      const passwordHash = await hashPassword(password);
      return insertUser(db, tenantId, email, passwordHash, role);
    },

    /** A new tenant with its first admin, and that admin's tokens. */
    async register(input: { email: string; password: string; organization: string }) {
      const passwordHash = await hashPassword(input.password);
      return db.tx(async (q) => {
        const tenant = await repo.insertTenant(q, newId(), input.organization);
        const user = await insertUser(q, tenant.id, input.email, passwordHash, 'admin');
        return { user, tenant, ...(await issue(q, user)) };
      });
    },

    /** Checks credentials; only failures count against the per-account and per-IP limits. */
    async login(input: { email: string; password: string }, ip: string): Promise<TokenPair & { user: User }> {
      const email = input.email.toLowerCase();
      const wait = Math.max(perAccount.retryAfter(email), perIp.retryAfter(ip));
      if (wait > 0) throw new RateLimitedError('Too many failed logins; try again later', wait);
      const found = await repo.findByEmail(email);
      const ok = await verifyPassword(found?.passwordHash, input.password);
      if (!found || !ok) {
        perAccount.fail(email);
        perIp.fail(ip);
        throw new UnauthorizedError('Invalid email or password');
      }
      const { passwordHash: _, ...user } = found;
      return { ...(await db.tx((q) => issue(q, user))), user };
    },

    /** Rotates a refresh token; presenting a spent one revokes its whole family. */
    async refresh(refreshToken: string): Promise<TokenPair> {
      const hash = hashRefreshToken(refreshToken);
      const outcome = await db.tx(async (q) => {
        const spent = await repo.spendRefreshToken(q, hash);
        if (!spent) return { error: 'invalid' as const };
        if ('reused' in spent) {
          await repo.revokeFamily(q, spent.reused);
          return { error: 'reused' as const };
        }
        const user = await repo.findById(spent.userId, q);
        if (!user) return { error: 'invalid' as const };
        return { pair: await issue(q, user, spent.familyId) };
      });
      // Thrown after commit, so a reuse's family revocation is kept.
      if ('error' in outcome) {
        throw new UnauthorizedError(
          outcome.error === 'reused'
            ? 'Refresh token reuse detected; the session was revoked'
            : 'Invalid refresh token',
        );
      }
      return outcome.pair;
    },

    /** Revokes the presented refresh token (idempotent). */
    async logout(refreshToken: string): Promise<void> {
      await repo.revokeToken(hashRefreshToken(refreshToken));
    },

    listUsers: repo.listUsers,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
