import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../../src/errors.js';
import { createHashGate } from '../../../src/modules/auth/hash-gate.js';

/** A task the test finishes by hand, recording when it started. */
function manual() {
  const started: number[] = [];
  const finishers: (() => void)[] = [];
  const task = (id: number) => () =>
    new Promise<number>((resolve) => {
      started.push(id);
      finishers.push(() => resolve(id));
    });
  return { started, task, finishNext: () => finishers.shift()?.() };
}

const tick = () => new Promise((r) => setImmediate(r));

function assertBusy(err: unknown): true {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.status, 503);
  assert.match(err.headers?.['retry-after'] ?? '', /^[1-9]\d*$/);
  return true;
}

describe('hash gate', () => {
  it('never runs more than `concurrency` at once and starts waiters in arrival order', async () => {
    const gate = createHashGate({ concurrency: 2, maxQueue: 100, maxWaitMs: 60_000 });
    const m = manual();
    const results = Array.from({ length: 7 }, (_, i) => gate.run(m.task(i)));
    await tick();
    assert.deepEqual(m.started, [0, 1]);
    assert.deepEqual(gate.stats(), { running: 2, waiting: 5 });
    for (let done = 0; done < 7; done++) {
      m.finishNext();
      await tick();
      assert.ok(gate.stats().running <= 2);
    }
    assert.deepEqual(m.started, [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(gate.stats(), { running: 0, waiting: 0 });
  });

  it('refuses at once with 503 + Retry-After when the queue is full', async () => {
    const gate = createHashGate({ concurrency: 1, maxQueue: 2, maxWaitMs: 60_000 });
    const m = manual();
    const admitted = [gate.run(m.task(0)), gate.run(m.task(1)), gate.run(m.task(2))];
    await assert.rejects(gate.run(m.task(3)), assertBusy);
    assert.deepEqual(gate.stats(), { running: 1, waiting: 2 });
    for (let i = 0; i < 3; i++) {
      m.finishNext();
      await tick();
    }
    assert.deepEqual(await Promise.all(admitted), [0, 1, 2]);
  });

  it('gives up on a waiter at its deadline, and the slot still passes on', async () => {
    const gate = createHashGate({ concurrency: 1, maxQueue: 10, maxWaitMs: 120 });
    const m = manual();
    const first = gate.run(m.task(0));
    const t0 = Date.now();
    await assert.rejects(gate.run(m.task(1)), assertBusy);
    const waited = Date.now() - t0;
    assert.ok(waited >= 110 && waited < 2_000, `waited ${waited} ms`);
    assert.deepEqual(gate.stats(), { running: 1, waiting: 0 });
    m.finishNext();
    assert.equal(await first, 0);
    assert.equal(await gate.run(async () => 'next'), 'next');
    assert.deepEqual(m.started, [0]);
  });

  it('refuses at once when the measured slot time says the wait would pass the deadline', async () => {
    const gate = createHashGate({ concurrency: 1, maxQueue: 1_000, maxWaitMs: 300 });
    const slow = () => new Promise((r) => setTimeout(r, 60));
    // Teach the gate that a slot takes about 60 ms.
    for (let i = 0; i < 30; i++) await gate.run(slow);
    const m = manual();
    const admitted: Promise<number>[] = [gate.run(m.task(0))];
    let refused: unknown;
    const t0 = Date.now();
    for (let i = 1; i < 20 && refused === undefined; i++) {
      const p = gate.run(m.task(i));
      const early = await Promise.race([
        p.then(
          () => undefined,
          (err: unknown) => err,
        ),
        tick().then(() => undefined),
      ]);
      if (early === undefined) admitted.push(p);
      else refused = early;
    }
    assert.ok(assertBusy(refused));
    assert.ok(Date.now() - t0 < 250, 'refused before any deadline could pass');
    // About 300 ms / 60 ms waiters fit; the rest would only have timed out.
    const waiting = gate.stats().waiting;
    assert.ok(waiting >= 3 && waiting <= 6, `${waiting} waiting`);
    for (let i = 0; i < admitted.length; i++) {
      m.finishNext();
      await tick();
    }
    await Promise.all(admitted);
  });

  it('releases the slot when the task throws', async () => {
    const gate = createHashGate({ concurrency: 1, maxQueue: 10, maxWaitMs: 1_000 });
    await assert.rejects(
      gate.run(async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(gate.stats(), { running: 0, waiting: 0 });
    assert.equal(await gate.run(async () => 1), 1);
  });
});
