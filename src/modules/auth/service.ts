import { ConflictError, NotFoundError, UnauthorizedError } from '../../errors.js';
import type { Db, Queryable } from '../../infra/db/types.js';
import { newId } from '../../lib/ids.js';
import type { LoginLimits } from './login-limits.js';
import type { Passwords } from './passwords.js';
import type { IdentityRepo, User } from './repo.js';
import { hashRefreshToken, newRefreshToken, type Principal, type Role, type TokenService } from './tokens.js';

/** Tokens handed out by register, login and refresh. */
export interface TokenPair {
  token: string;
  refreshToken: string;
  expiresIn: number;
}

export interface AuthServiceDeps {
  db: Db;
  repo: IdentityRepo;
  tokens: TokenService;
  passwords: Passwords;
  limits: LoginLimits;
  refreshTtlSeconds: number;
  /** Told after commit that a user's access changed (role now, or null: deleted). */
  onAccessChange: (userId: string, role: Role | null) => void;
}

// How long an access change is kept: longer than any token issued before it can live, with a margin
// for clock skew between the replicas that sign tokens and the database that timestamps changes.
export const accessChangeWindowSeconds = (accessTtlSeconds: number) => accessTtlSeconds + 300;

/** Registration, login (with limits), refresh-token rotation, logout and user administration. */
export function createAuthService(deps: AuthServiceDeps) {
  const { db, repo, tokens, passwords, limits } = deps;
  const keepChanges = accessChangeWindowSeconds(tokens.accessTtlSeconds);

  async function issue(q: Queryable, user: { id: string; tenantId: string; role: Role }, familyId = newId()) {
    const refresh = newRefreshToken();
    await repo.insertRefreshToken(q, {
      id: newId(),
      userId: user.id,
      familyId,
      hash: refresh.hash,
      expiresAt: new Date(Date.now() + deps.refreshTtlSeconds * 1000),
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

  /**
   * Runs a role change or deletion of a user of `tenantId` under the tenant's admin locks: 404 for
   * a user outside the tenant, 409 when it would leave the tenant without an admin.
   */
  async function changeAccess<T>(
    tenantId: string,
    id: string,
    role: Role | null,
    apply: (q: Queryable) => Promise<T>,
  ): Promise<T> {
    const out = await db.tx(async (q) => {
      const locked = await repo.lockForAccessChange(q, tenantId, id);
      const target = locked.find((u) => u.id === id);
      if (!target) throw new NotFoundError('User');
      const admins = locked.filter((u) => u.role === 'admin').length;
      if (target.role === 'admin' && role !== 'admin' && admins === 1) {
        throw new ConflictError('A tenant keeps at least one admin: promote another user first');
      }
      const result = await apply(q);
      if (target.role !== role) await repo.recordAccessChange(q, id, role, keepChanges);
      return { result, changed: target.role !== role };
    });
    if (out.changed) deps.onAccessChange(id, role);
    return out.result;
  }

  return {
    /** Adds a user to a tenant (hashing happens before any connection is taken). */
    async createUser(tenantId: string, email: string, password: string, role: Role): Promise<User> {
      const passwordHash = await passwords.hash(password);
      return insertUser(db, tenantId, email, passwordHash, role);
    },

    /** A new tenant with its first admin, and that admin's tokens; limited per address. */
    async register(input: { email: string; password: string; organization: string }, ip: string) {
      await limits.register(ip);
      const passwordHash = await passwords.hash(input.password);
      return db.tx(async (q) => {
        const tenant = await repo.insertTenant(q, newId(), input.organization);
        const user = await insertUser(q, tenant.id, input.email, passwordHash, 'admin');
        return { user, tenant, ...(await issue(q, user)) };
      });
    },

    /**
     * Checks credentials. A limited key is refused before anything else (429, even for the right
     * password); the attempt is counted when its password check starts and refunded on success.
     */
    async login(input: { email: string; password: string }, ip: string): Promise<TokenPair & { user: User }> {
      const email = input.email.toLowerCase();
      const ticket = await limits.check(email, ip);
      // PostgreSQL text cannot hold NUL: such an email is unknown without asking.
      const found = email.includes('\0') ? undefined : await repo.findByEmail(email);
      const ok = await passwords.verify(found?.passwordHash, input.password, () => limits.begin(ticket));
      if (!found || !ok) throw new UnauthorizedError('Invalid email or password');
      await limits.succeeded(ticket);
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

    /** Sets a user's role; its access tokens stating a higher role stop working on every replica. */
    setRole(actor: Principal, id: string, role: Role): Promise<User> {
      return changeAccess(actor.tenantId, id, role, (q) => repo.setRole(q, id, role));
    },

    /** Deletes a user (and its refresh tokens); its access tokens stop working on every replica. */
    deleteUser(actor: Principal, id: string): Promise<void> {
      return changeAccess(actor.tenantId, id, null, (q) => repo.deleteUser(q, id));
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
