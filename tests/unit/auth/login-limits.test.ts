import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../../src/errors.js';
import { addressKey, createLoginLimits } from '../../../src/modules/auth/login-limits.js';

const LIMITS = {
  accountIp: { points: 3, seconds: 900 },
  account: { points: 5, seconds: 900 },
  ip: { points: 8, seconds: 60 },
  register: { points: 2, seconds: 3600 },
};

const status = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => {
      assert.ok(err instanceof AppError, String(err));
      assert.equal(err.status, 429);
      assert.ok(Number(err.headers?.['retry-after']) > 0);
      return '429';
    },
  );

/** One login attempt as the service makes it: check, begin (password check), then outcome. */
async function attempt(limits: ReturnType<typeof createLoginLimits>, email: string, ip: string, ok: boolean) {
  const ticket = await limits.check(email, ip);
  await limits.begin(ticket);
  if (ok) await limits.succeeded(ticket);
}

describe('login limits (in memory)', () => {
  it('counts failures per account+address, and a limited key is refused even for the right password', async () => {
    const limits = createLoginLimits(LIMITS);
    for (let i = 0; i < 3; i++) assert.equal(await status(attempt(limits, 'a@x.io', '10.0.0.1', false)), 'ok');
    assert.equal(await status(attempt(limits, 'a@x.io', '10.0.0.1', true)), '429');
    assert.equal(await status(limits.check('a@x.io', '10.0.0.1')), '429', 'refused before any password check');
    assert.equal(await status(attempt(limits, 'a@x.io', '10.0.0.2', true)), 'ok', 'another address is not locked');
    assert.equal(await status(attempt(limits, 'b@x.io', '10.0.0.1', true)), 'ok', 'another account is not locked');
  });

  it('successful logins never use a limit up', async () => {
    const limits = createLoginLimits(LIMITS);
    for (let i = 0; i < 50; i++) assert.equal(await status(attempt(limits, 'ok@x.io', '10.0.0.9', true)), 'ok');
    for (let i = 0; i < 3; i++) assert.equal(await status(attempt(limits, 'ok@x.io', '10.0.0.9', false)), 'ok');
    assert.equal(await status(attempt(limits, 'ok@x.io', '10.0.0.9', false)), '429');
  });

  it('concurrent guesses never exceed the limit: counted when checking starts, not when it fails', async () => {
    const limits = createLoginLimits(LIMITS);
    // All pass check() together (nothing counted yet); begin() lets exactly `points` through.
    const tickets = await Promise.all(Array.from({ length: 30 }, () => limits.check('c@x.io', '10.0.0.3')));
    const outcomes = await Promise.all(tickets.map((t) => status(limits.begin(t))));
    assert.equal(outcomes.filter((o) => o === 'ok').length, 3);
    assert.equal(outcomes.filter((o) => o === '429').length, 27);
    // The refused ones gave their points back: the account-wide count is only the 3 real guesses.
    for (let i = 0; i < 2; i++) assert.equal(await status(attempt(limits, 'c@x.io', `10.0.1.${i}`, false)), 'ok');
    assert.equal(await status(attempt(limits, 'c@x.io', '10.0.1.9', false)), '429', '3 + 2 = the account limit');
  });

  it('a stranger cannot lock an account out of an address it logged in from before', async () => {
    const limits = createLoginLimits(LIMITS);
    await attempt(limits, 'owner@x.io', '192.0.2.1', true);
    // Failures from three other addresses exhaust the account-wide limit (5).
    for (const ip of ['198.51.100.1', '198.51.100.2']) {
      for (let i = 0; i < 3; i++) await status(attempt(limits, 'owner@x.io', ip, false));
    }
    assert.equal(await status(attempt(limits, 'owner@x.io', '203.0.113.7', true)), '429', 'unknown address: locked');
    assert.equal(await status(attempt(limits, 'owner@x.io', '192.0.2.1', true)), 'ok', 'known address: still open');
  });

  it('limits one address whatever the accounts', async () => {
    const limits = createLoginLimits(LIMITS);
    for (let i = 0; i < 8; i++) assert.equal(await status(attempt(limits, `u${i}@x.io`, '10.9.9.9', false)), 'ok');
    assert.equal(await status(attempt(limits, 'fresh@x.io', '10.9.9.9', true)), '429');
  });

  it('limits registrations per address, successful or not', async () => {
    const limits = createLoginLimits(LIMITS);
    await limits.register('10.1.1.1');
    await limits.register('10.1.1.1');
    assert.equal(await status(limits.register('10.1.1.1')), '429');
    assert.equal(await status(limits.register('10.1.1.2')), 'ok');
  });

  it('an IPv6 client is one key per /64, however it rotates addresses', async () => {
    const limits = createLoginLimits(LIMITS);
    for (let i = 1; i <= 3; i++) await status(attempt(limits, 'v6@x.io', `2001:db8:1:2::${i.toString(16)}`, false));
    assert.equal(await status(attempt(limits, 'v6@x.io', '2001:db8:1:2:ffff:eeee:dddd:cccc', true)), '429');
    assert.equal(await status(attempt(limits, 'v6@x.io', '2001:db8:1:3::1', true)), 'ok');
  });
});

describe('addressKey', () => {
  const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
  const groups = fc.array(group, { minLength: 8, maxLength: 8 });
  /** Writes an address the many ways IPv6 allows: case, leading zeros, `::` for a zero run. */
  const spell = (g: string[], upper: boolean, pad: boolean, compress: boolean) => {
    let parts = g.map((x) => (pad ? x.padStart(4, '0') : x));
    if (compress) {
      const zero = parts.findIndex((x) => /^0+$/.test(x));
      if (zero >= 0) {
        let end = zero;
        while (end < 8 && /^0+$/.test(parts[end]!)) end++;
        parts = [...parts.slice(0, zero), '', ...parts.slice(end)];
        if (zero === 0) parts.unshift('');
        if (end === 8) parts.push('');
      }
    }
    const s = parts.join(':').replace(/:{3,}/, '::');
    return upper ? s.toUpperCase() : s;
  };

  it('maps every spelling of addresses in one /64 to one key, and other /64s to other keys', () => {
    fc.assert(
      fc.property(groups, groups, fc.boolean(), fc.boolean(), fc.boolean(), (a, b, upper, pad, compress) => {
        const host = [...a.slice(0, 4), ...b.slice(4)];
        const written = spell(host, upper, pad, compress);
        fc.pre(isIPv6(written));
        assert.equal(addressKey(written), addressKey(spell(a, false, false, false)));
        const other = spell(b, false, false, false);
        assert.equal(addressKey(other) === addressKey(written), a.slice(0, 4).join() === b.slice(0, 4).join());
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps IPv4 as is, also IPv4-mapped, and drops a zone', () => {
    assert.equal(addressKey('203.0.113.9'), '203.0.113.9');
    assert.equal(addressKey('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(addressKey('::FFFF:203.0.113.9'), '203.0.113.9');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  });
});
