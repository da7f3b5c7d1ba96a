import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config.js';

const BASE = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), PGLITE_DIR: 'memory://' };
const load = (env: Record<string, string>) => loadConfig({ ...BASE, ...env });
const refused = (env: Record<string, string>, name: RegExp) =>
  assert.throws(
    () => load(env),
    (err: unknown) => err instanceof ConfigError && name.test(err.message),
  );

describe('auth configuration', () => {
  it('TRUST_PROXY: false by default; true/false, a hop count, or addresses and CIDR ranges', () => {
    assert.equal(load({}).trustProxy, false);
    assert.equal(load({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(load({ TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(load({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(load({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback' }).trustProxy, [
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    for (const bad of ['yes', '10.0.0.0/33', '::1/129', '10.0.0.1,,', 'example.com', '1.2.3', '10.0.0.0/x', '101']) {
      refused({ TRUST_PROXY: bad }, /^TRUST_PROXY/);
    }
  });

  it('limits default to the documented values and parse as count/duration', () => {
    const { limits } = load({}).auth;
    assert.deepEqual(limits, {
      accountIp: { points: 10, seconds: 900 },
      account: { points: 100, seconds: 900 },
      ip: { points: 100, seconds: 60 },
      register: { points: 20, seconds: 3600 },
    });
    const custom = load({ LOGIN_LIMIT_ACCOUNT_IP: '5/30s', REGISTER_LIMIT_IP: '3/2h' }).auth.limits;
    assert.deepEqual(custom.accountIp, { points: 5, seconds: 30 });
    assert.deepEqual(custom.register, { points: 3, seconds: 7200 });
    for (const bad of ['10', '10/15', '0/1m', '10/0m', '10/15d', '-1/1m', '10/169h', 'ten/1m']) {
      refused({ LOGIN_LIMIT_IP: bad }, /^LOGIN_LIMIT_IP/);
    }
  });

  it('hashing leaves at least one libuv thread free, and defaults to about one per core', () => {
    const dflt = load({}).auth.hashing;
    assert.equal(dflt.concurrency, Math.min(availableParallelism(), 3));
    assert.equal(load({ UV_THREADPOOL_SIZE: '16' }).auth.hashing.concurrency, Math.min(availableParallelism(), 15));
    assert.equal(load({ UV_THREADPOOL_SIZE: '1' }).auth.hashing.concurrency, 1);
    assert.equal(load({ PASSWORD_HASH_CONCURRENCY: '3' }).auth.hashing.concurrency, 3);
    refused({ PASSWORD_HASH_CONCURRENCY: '4' }, /PASSWORD_HASH_CONCURRENCY must be below UV_THREADPOOL_SIZE \(4\)/);
    refused({ PASSWORD_HASH_CONCURRENCY: '0' }, /^PASSWORD_HASH_CONCURRENCY/);
    assert.deepEqual(load({ PASSWORD_HASH_QUEUE: '10', PASSWORD_HASH_WAIT_MS: '250' }).auth.hashing, {
      ...dflt,
      maxQueue: 10,
      maxWaitMs: 250,
    });
  });
});
