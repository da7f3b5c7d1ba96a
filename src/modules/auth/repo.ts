import type { Queryable } from '../../infra/db/types.js';
import type { Role } from './tokens.js';

/** A user as the API shows it. */
export interface User {
  id: string;
  email: string;
  role: Role;
  tenantId: string;
  createdAt: string;
}

interface UserRow {
  id: string;
  email: string;
  role: Role;
  tenant_id: string;
  created_at: Date;
  password_hash: string;
  is_operator: boolean;
}

const USER_COLUMNS = 'id, email, role, tenant_id, created_at, password_hash, is_operator';

function toUser(r: UserRow): User {
  return { id: r.id, email: r.email, role: r.role, tenantId: r.tenant_id, createdAt: r.created_at.toISOString() };
}

/** All SQL about tenants, users and refresh tokens. */
export function createIdentityRepo(db: Queryable) {
  return {
    async insertTenant(q: Queryable, id: string, name: string): Promise<{ id: string; name: string }> {
      await q.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [id, name]);
      return { id, name };
    },

    async insertUser(
      q: Queryable,
      u: { id: string; tenantId: string; email: string; passwordHash: string; role: Role },
    ): Promise<User> {
      const { rows } = await q.query<UserRow>(
        `INSERT INTO users (id, tenant_id, email, password_hash, role) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${USER_COLUMNS}`,
        [u.id, u.tenantId, u.email, u.passwordHash, u.role],
      );
      return toUser(rows[0]!);
    },

    async findByEmail(email: string): Promise<(User & { passwordHash: string }) | undefined> {
      const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
      const r = rows[0];
      return r && { ...toUser(r), passwordHash: r.password_hash };
    },

    async findById(id: string, q: Queryable = db): Promise<(User & { isOperator: boolean }) | undefined> {
      const { rows } = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
      const r = rows[0];
      return r && { ...toUser(r), isOperator: r.is_operator };
    },

    async listUsers(tenantId: string, limit: number, after: string | undefined): Promise<User[]> {
      const { rows } = await db.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users
         WHERE tenant_id = $1 AND ($2::uuid IS NULL OR id < $2::uuid)
         ORDER BY id DESC LIMIT $3`,
        [tenantId, after ?? null, limit],
      );
      return rows.map(toUser);
    },

    /**
     * Locks, for a role change or deletion, the target user (if in the tenant) and every admin of
     * the tenant, in id order: two concurrent demotions cannot both see "another admin remains".
     */
    async lockForAccessChange(q: Queryable, tenantId: string, id: string): Promise<{ id: string; role: Role }[]> {
      const { rows } = await q.query<{ id: string; role: Role }>(
        `SELECT id, role FROM users WHERE tenant_id = $1 AND (id = $2 OR role = 'admin') ORDER BY id FOR UPDATE`,
        [tenantId, id],
      );
      return rows;
    },

    async setRole(q: Queryable, id: string, role: Role): Promise<User> {
      const { rows } = await q.query<UserRow>(`UPDATE users SET role = $2 WHERE id = $1 RETURNING ${USER_COLUMNS}`, [
        id,
        role,
      ]);
      return toUser(rows[0]!);
    },

    async deleteUser(q: Queryable, id: string): Promise<void> {
      await q.query('DELETE FROM users WHERE id = $1', [id]);
    },

    /**
     * Records that a user's access changed (role now, or null: deleted), and prunes changes older
     * than `keepSeconds`, which can no longer revoke any unexpired token.
     */
    async recordAccessChange(q: Queryable, userId: string, role: Role | null, keepSeconds: number): Promise<void> {
      await q.query(
        `INSERT INTO user_access_changes (user_id, role) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role, changed_at = now()`,
        [userId, role],
      );
      await q.query('DELETE FROM user_access_changes WHERE changed_at < now() - make_interval(secs => $1)', [
        keepSeconds,
      ]);
    },

    /** Access changes of the last `windowSeconds`: user id → role now (null: deleted). */
    async recentAccessChanges(windowSeconds: number): Promise<Map<string, Role | null>> {
      const { rows } = await db.query<{ user_id: string; role: Role | null }>(
        'SELECT user_id, role FROM user_access_changes WHERE changed_at > now() - make_interval(secs => $1)',
        [windowSeconds],
      );
      return new Map(rows.map((r) => [r.user_id, r.role]));
    },

    async setOperator(email: string, isOperator: boolean): Promise<boolean> {
      const { rowCount } = await db.query('UPDATE users SET is_operator = $2 WHERE email = $1', [email, isOperator]);
      return rowCount > 0;
    },

    async insertRefreshToken(
      q: Queryable,
      t: { id: string; userId: string; familyId: string; hash: string; expiresAt: Date },
    ): Promise<void> {
      await q.query(
        `INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)`,
        [t.id, t.userId, t.familyId, t.hash, t.expiresAt],
      );
    },

    /**
     * Spends a refresh token atomically: exactly one concurrent caller gets the row back.
     * `reused` reports a token that exists but was already spent or revoked.
     */
    async spendRefreshToken(
      q: Queryable,
      hash: string,
    ): Promise<{ userId: string; familyId: string } | { reused: string } | undefined> {
      const spent = await q.query<{ user_id: string; family_id: string }>(
        `UPDATE refresh_tokens SET used_at = now()
         WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
         RETURNING user_id, family_id`,
        [hash],
      );
      const row = spent.rows[0];
      if (row) return { userId: row.user_id, familyId: row.family_id };
      const old = await q.query<{ family_id: string; expires_at: Date }>(
        'SELECT family_id, expires_at FROM refresh_tokens WHERE token_hash = $1',
        [hash],
      );
      const o = old.rows[0];
      return o && o.expires_at > new Date() ? { reused: o.family_id } : undefined;
    },

    async revokeFamily(q: Queryable, familyId: string): Promise<void> {
      await q.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [
        familyId,
      ]);
    },

    async revokeToken(hash: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL',
        [hash],
      );
      return rowCount > 0;
    },
  };
}

export type IdentityRepo = ReturnType<typeof createIdentityRepo>;
