import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createRevocations, type AccessChanges } from '../../../src/modules/auth/revocations.js';
import { createTokenService, type Principal } from '../../../src/modules/auth/tokens.js';

const log = pino({ level: 'silent' });
const alice: Principal = { id: 'u-alice', tenantId: 't1', role: 'admin' };

/** A revocation store whose database answers are handed in by the test, one poll at a time. */
function controlled() {
  const answers: ((m: AccessChanges) => void)[] = [];
  const failures: ((e: Error) => void)[] = [];
  const r = createRevocations({
    load: () =>
      new Promise<AccessChanges>((resolve, reject) => {
        answers.push(resolve);
        failures.push(reject);
      }),
    pollMs: 60_000,
    log,
  });
  return {
    r,
    answer: (m: AccessChanges) => (failures.shift(), answers.shift()!(m)),
    fail: () => (answers.shift(), failures.shift()!(new Error('db down'))),
  };
}

describe('token revocations', () => {
  it('refuses a deleted user, and a token stating a higher role than the user holds now', async () => {
    const { r, answer } = controlled();
    const first = r.start();
    answer(
      new Map([
        ['u-alice', 'editor'],
        ['u-bob', null],
      ]),
    );
    await first;
    assert.equal(r.revoked(alice), true, 'admin token of a user demoted to editor');
    assert.equal(r.revoked({ ...alice, role: 'editor' }), false, 'a token issued after the change');
    assert.equal(r.revoked({ ...alice, role: 'viewer' }), false, 'a lower role than held is still true');
    assert.equal(r.revoked({ id: 'u-bob', tenantId: 't1', role: 'viewer' }), true, 'deleted');
    assert.equal(r.revoked({ id: 'u-carol', tenantId: 't1', role: 'admin' }), false, 'unchanged users');
    r.close();
  });

  it('a local change is in force at once and survives a poll that started before it', async () => {
    const { r, answer } = controlled();
    const first = r.start();
    answer(new Map());
    await first;
    // A poll is in flight (its query started before the change committed)...
    const poll = r.start();
    const epoch = r.epoch();
    r.note('u-alice', null);
    assert.equal(r.revoked(alice), true);
    assert.notEqual(r.epoch(), epoch, 'holders of earlier verifications must re-check');
    // ...and answers without the change: the note stays in force.
    answer(new Map());
    await poll;
    assert.equal(r.revoked(alice), true);
    r.close();
  });

  it('keeps the last known revocations while the database cannot be read', async () => {
    const { r, answer, fail } = controlled();
    const first = r.start();
    answer(new Map([['u-alice', null]]));
    await first;
    const second = r.start();
    fail();
    await second;
    assert.equal(r.revoked(alice), true);
    r.close();
  });

  it('moves the epoch only when something new is revoked', async () => {
    const { r, answer } = controlled();
    const polls: AccessChanges[] = [
      new Map(),
      new Map([['u-alice', 'viewer']]),
      new Map([['u-alice', 'viewer']]),
      new Map(),
    ];
    const epochs: number[] = [];
    for (const m of polls) {
      const p = r.start();
      answer(m);
      await p;
      epochs.push(r.epoch());
    }
    assert.ok(epochs[1]! > epochs[0]!);
    assert.equal(epochs[2], epochs[1], 'same content');
    assert.equal(epochs[3], epochs[2], 'a change leaving the window revokes nothing');
    r.close();
  });

  it('the token service refuses a revoked principal, also when its token was verified before', async () => {
    const { r, answer } = controlled();
    const first = r.start();
    answer(new Map());
    await first;
    const tokens = createTokenService('s'.repeat(40), 900, r);
    const token = tokens.signAccess(alice);
    const before = tokens.verifyAccessUntil(token);
    assert.deepEqual(before.principal, alice);
    r.note(alice.id, 'viewer');
    assert.throws(() => tokens.verifyAccess(token), /revoked/);
    assert.deepEqual(tokens.verifyAccess(tokens.signAccess({ ...alice, role: 'viewer' })), {
      ...alice,
      role: 'viewer',
    });
    r.note(alice.id, 'admin');
    assert.equal(tokens.verifyAccess(token), before.principal, 'promoted back: the same verified principal');
    r.close();
  });
});
