import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

const BASE = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), PGLITE_DIR: 'memory://' };
const load = (env: Record<string, string>) => loadConfig({ ...BASE, ...env });
/** The one line a bad variable stops start-up with. */
const refusal = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
};

describe('configuration from the environment', () => {
  it('has a default for everything: embedded database, L1 only, the documented numbers', () => {
    const c = load({});
    assert.deepEqual(c.database, { kind: 'pglite', dataDir: 'memory://' });
    assert.equal(c.redis, undefined);
    assert.equal(c.port, 3000);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.redisTtlDefault, 300);
    assert.equal(c.cacheL1MaxBytes, 64 * 1024 * 1024);
    assert.deepEqual(c.metrics, { host: '127.0.0.1', port: 9464, token: undefined });
    assert.deepEqual(c.admission, { queueMax: 10_000, timeoutMs: 1000 });
    assert.equal(c.migrate, true);
    assert.ok(Object.isFrozen(c));
  });

  it('reads types, URLs from parts, and treats blank values as unset', () => {
    const c = load({
      DB_HOST: 'pgbouncer',
      DB_PORT: '6432',
      DB_USER: 'dharma admin',
      DB_PASSWORD: 'p@ss',
      DB_POOL_MAX: '40',
      REDIS_HOST: 'cache',
      MIGRATE: 'false',
      METRICS_PORT: 'off',
      PORT: ' ',
      CORS_ORIGINS: 'https://a.example, https://b.example,',
    });
    assert.deepEqual(c.database, {
      kind: 'postgres',
      url: 'postgres://dharma%20admin:p%40ss@pgbouncer:6432/iac_dharma',
      migrationsUrl: 'postgres://dharma%20admin:p%40ss@pgbouncer:6432/iac_dharma',
      poolMin: 5,
      poolMax: 40,
      statementTimeoutMs: 10_000,
    });
    assert.equal(c.redis?.url, 'redis://cache:6379');
    assert.equal(c.migrate, false);
    assert.equal(c.metrics.port, 'off');
    assert.equal(c.port, 3000, 'blank is unset');
    assert.deepEqual(c.corsOrigins, ['https://a.example', 'https://b.example']);
  });

  it('stops on a bad value with one line naming the variable and what it should be', () => {
    assert.equal(refusal({ PORT: '70000' }), 'PORT must be an integer between 0 and 65535 (got "70000")');
    assert.match(refusal({ DB_POOL_MAX: 'lots' }), /^DB_POOL_MAX must be an integer/);
    assert.match(refusal({ DATABASE_URL: 'mysql://x' }), /^DATABASE_URL must be a postgres or postgresql URL/);
    assert.match(refusal({ REDIS_URL: 'localhost' }), /^REDIS_URL /);
    assert.match(refusal({ MIGRATE: 'maybe' }), /^MIGRATE must be true or false/);
    assert.match(refusal({ LOG_LEVEL: 'loud' }), /^LOG_LEVEL must be one of/);
    assert.match(refusal({ METRICS_PORT: '99999' }), /^METRICS_PORT/);
    assert.match(refusal({ METRICS_TOKEN: 'short' }), /^METRICS_TOKEN must be at least 16 characters/);
    assert.match(refusal({ JWT_SECRET: 'short' }), /^JWT_SECRET must be at least 32 characters/);
    assert.match(refusal({ DB_POOL_MIN: '30', DB_POOL_MAX: '20' }), /^DB_POOL_MIN must not exceed DB_POOL_MAX/);
    assert.match(refusal({ NODE_ENV: 'production', JWT_SECRET: '' }), /^JWT_SECRET is required/);
  });

  it('reads a .env file in the working directory under the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dharma-env-'));
    writeFileSync(join(dir, '.env'), 'PORT=4100\nLOG_SLOW_MS=77\n# a comment\nHOST=10.0.0.1\n');
    const cwd = process.cwd();
    const saved = { ...process.env };
    try {
      process.chdir(dir);
      Object.assign(process.env, BASE, { HOST: '127.0.0.2' });
      const c = loadConfig();
      assert.equal(c.port, 4100, 'from .env');
      assert.equal(c.logSlowMs, 77);
      assert.equal(c.host, '127.0.0.2', 'the real environment wins');
      assert.equal(loadConfig({ ...BASE }).port, 3000, 'an explicit environment reads no .env');
    } finally {
      process.chdir(cwd);
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
