// scripts/scale-out/run.sh --short: two API replicas behind nginx on this machine, sharing
// PgBouncer and a Redis. Correctness only, no performance figure is asserted: a write through one
// replica is seen by the other, and a replica SIGKILLed mid-load loses no idempotent request
// (nginx resends them) and no acknowledged write.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Results } from '../../tools/scale-out/lib/report.js';
import { REPO } from './lib/kubernetes.js';

const run = promisify(execFile);

describe('scale-out on this machine (short mode)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'scale-out-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let results: Results;

  it('runs two replicas behind nginx, probes invalidation and kills one replica mid-load', async () => {
    const json = path.join(dir, 'results.json');
    try {
      await run('bash', ['scripts/scale-out/run.sh', '--short', '--json', json], {
        cwd: REPO,
        timeout: 300_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      assert.fail(`${e.message}\n${e.stderr?.slice(-4000) ?? ''}`);
    }
    results = JSON.parse(readFileSync(json, 'utf8')) as Results;
    assert.equal(results.mode, 'short');
  });

  it('a write through replica 1 is served by replica 2, every time', () => {
    const idle = results.invalidation.idle;
    assert.ok(idle.samples >= 5);
    assert.equal(idle.seen, idle.samples);
  });

  it('killing a replica mid-load fails no idempotent request and loses no acknowledged write', () => {
    const k = results.kill;
    assert.equal(k.replicas, 2);
    assert.ok(k.requests > 100, `load ran: ${k.requests} requests`);
    // The kill cut requests in flight: nginx saw them fail on the dead replica.
    assert.ok(k.upstreamErrors > 0, 'nginx saw the dead replica');
    assert.equal(k.failedIdempotent, 0, JSON.stringify(k.failedByScenario));
    assert.ok(k.acknowledgedWrites > 0, 'writes were acknowledged during the run');
    assert.deepEqual(k.missingInDatabase, []);
    assert.deepEqual(k.missingViaApi, []);
  });
});
