import { createHash, randomBytes } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { LRUCache } from 'lru-cache';
import { UnauthorizedError } from '../../errors.js';

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What an access token says about its bearer (claims `sub`, `tid`, `role`). */
export interface Principal {
  id: string;
  tenantId: string;
  role: Role;
}

/** A verified access token: its bearer, and when it stops being valid (ms since the epoch). */
export interface Verified {
  readonly principal: Readonly<Principal>;
  readonly expMs: number;
}

/** Signs and verifies HS256 access tokens; makes opaque refresh tokens. */
export interface TokenService {
  accessTtlSeconds: number;
  signAccess(p: Principal): string;
  verifyAccess(token: string): Principal;
  /**
   * verifyAccess, with the token's expiry: what a caller may keep until then, or until
   * revocationEpoch() changes (then it must verify again: the bearer may have lost access).
   */
  verifyAccessUntil(token: string): Verified;
  /** Changes whenever a user's tokens are revoked (deleted or demoted user). */
  revocationEpoch(): number;
}

/** What the token service asks about a verified principal on every use: is its token revoked? */
export interface RevocationCheck {
  revoked(p: Principal): boolean;
  epoch(): number;
}

const NOTHING_REVOKED: RevocationCheck = { revoked: () => false, epoch: () => 0 };

const VERIFIED_CACHE_SIZE = 10_000;
const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i;

/** The token of an `Authorization: Bearer …` header, or undefined when it is not one. */
export function bearerToken(header: string): string | undefined {
  return BEARER.exec(header)?.[1];
}

/** Builds the token service around one secret; `revocations` can withdraw a valid token's access. */
export function createTokenService(
  secret: string,
  accessTtlSeconds: number,
  revocations: RevocationCheck = NOTHING_REVOKED,
): TokenService {
  const signer = createSigner({ key: secret, algorithm: 'HS256', expiresIn: accessTtlSeconds * 1000 });
  const verifier = createVerifier({ key: secret, algorithms: ['HS256'] });
  // Verified tokens, until they expire: a hot token then costs one lookup instead of an HMAC
  // (fast-jwt's own cache hashes the token on every call). Bounded, least recently used dropped.
  const verified = new LRUCache<string, Verified>({ max: VERIFIED_CACHE_SIZE });
  const invalid = () => new UnauthorizedError('The bearer token is invalid or expired');
  const revoked = () =>
    new UnauthorizedError('The bearer token was revoked (its user was removed or changed role); log in again');
  const verifyAccessUntil = (token: string): Verified => {
    const known = verified.get(token);
    if (known && known.expMs > Date.now()) {
      if (revocations.revoked(known.principal)) throw revoked();
      return known;
    }
    let claims: { sub?: unknown; tid?: unknown; role?: unknown; exp?: unknown };
    try {
      claims = verifier(token);
    } catch {
      verified.delete(token);
      throw invalid();
    }
    const { sub, tid, role, exp } = claims;
    if (
      typeof sub !== 'string' ||
      typeof tid !== 'string' ||
      !ROLES.includes(role as Role) ||
      typeof exp !== 'number'
    ) {
      throw invalid();
    }
    const principal: Principal = { id: sub, tenantId: tid, role: role as Role };
    if (revocations.revoked(principal)) throw revoked();
    const entry = { principal, expMs: exp * 1000 };
    verified.set(token, entry);
    return entry;
  };
  return {
    accessTtlSeconds,
    signAccess: (p) => signer({ sub: p.id, tid: p.tenantId, role: p.role }),
    verifyAccess: (token) => verifyAccessUntil(token).principal,
    verifyAccessUntil,
    revocationEpoch: revocations.epoch,
  };
}

/** A fresh refresh token (256 random bits) and the SHA-256 hash that is all the database keeps. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/** The stored form of a refresh token. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** True when `have` is at least `need` in admin > editor > viewer. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
