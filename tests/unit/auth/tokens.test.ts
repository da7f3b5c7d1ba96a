import assert from 'node:assert/strict';
import { createSigner } from 'fast-jwt';
import { describe, it, mock } from 'node:test';
import {
  bearerToken,
  createTokenService,
  hashRefreshToken,
  newRefreshToken,
  roleAtLeast,
} from '../../../src/modules/auth/tokens.js';

const SECRET = 's'.repeat(40);
const alice = { id: 'u1', tenantId: 't1', role: 'editor' as const };

describe('tokens', () => {
  it('signs and verifies an access token, with its claims and expiry', () => {
    const tokens = createTokenService(SECRET, 900);
    const t = tokens.signAccess(alice);
    const v = tokens.verifyAccessUntil(t);
    assert.deepEqual(v.principal, alice);
    assert.ok(Math.abs(v.expMs - (Date.now() + 900_000)) < 5_000);
    assert.equal(tokens.verifyAccessUntil(t), v, 'a verified token is kept (same object)');
  });

  it('refuses garbage, another secret, alg none, missing claims and expired tokens', () => {
    const tokens = createTokenService(SECRET, 900);
    const other = createTokenService('o'.repeat(40), 900).signAccess(alice);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u1', tid: 't1', role: 'admin', exp: 9e9 })).toString('base64url')}.`;
    const noRole = createSigner({ key: SECRET, algorithm: 'HS256' })({ sub: 'u1', tid: 't1', exp: 9e9 });
    for (const bad of ['x', other, none, noRole]) assert.throws(() => tokens.verifyAccess(bad), /invalid or expired/);
    const t = tokens.signAccess(alice);
    mock.timers.enable({ apis: ['Date'], now: Date.now() + 901_000 });
    try {
      assert.throws(() => tokens.verifyAccess(t), /invalid or expired/, 'expired, even once cached');
    } finally {
      mock.timers.reset();
    }
  });

  it('asks the revocation check on every use, cached or not', () => {
    let revoked = false;
    const tokens = createTokenService(SECRET, 900, { revoked: () => revoked, epoch: () => (revoked ? 1 : 0) });
    const t = tokens.signAccess(alice);
    tokens.verifyAccess(t);
    revoked = true;
    assert.throws(() => tokens.verifyAccess(t), /revoked/);
    assert.equal(tokens.revocationEpoch(), 1);
  });

  it('parses bearer headers, hashes refresh tokens, orders roles', () => {
    assert.equal(bearerToken('Bearer abc.def'), 'abc.def');
    assert.equal(bearerToken('bearer abc'), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken('Bearer a b'), undefined);
    const r = newRefreshToken();
    assert.equal(r.hash, hashRefreshToken(r.token));
    assert.notEqual(newRefreshToken().token, r.token);
    assert.ok(roleAtLeast('admin', 'editor') && !roleAtLeast('viewer', 'editor'));
  });
});
