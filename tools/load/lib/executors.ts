// k6's executors: ramping-vus (closed model: N users, each looping iteration → think time) and
// constant-arrival-rate (open model: iterations start on a clock whether or not earlier ones
// have finished; when no VU is free the iteration is dropped and counted, as k6 does).
import { createVu, type Vu, type VuEnv } from './vu.js';
import { parseDuration, type Executor, type Stage } from './types.js';

/** What the progress line and the report read while an executor runs. */
export interface ExecutorState {
  stage: number;
  stages: number;
  targetVus: number;
  activeVus: number;
  plannedMs: number;
  elapsedMs: number;
}

/** Planned duration of an executor in milliseconds. */
export function plannedMs(e: Executor): number {
  if (e.executor === 'ramping-vus') return e.stages.reduce((s, st) => s + parseDuration(st.duration), 0);
  return parseDuration(e.duration);
}

/** The VU target at `t` ms into a list of stages (linear between stage ends, as k6 ramps). */
export function targetAt(stages: Stage[], startVUs: number, t: number): { target: number; stage: number } {
  let from = startVUs;
  let at = 0;
  for (const [i, st] of stages.entries()) {
    const d = parseDuration(st.duration);
    if (t < at + d) return { target: Math.round(from + ((st.target - from) * (t - at)) / Math.max(d, 1)), stage: i };
    at += d;
    from = st.target;
  }
  return { target: from, stage: stages.length - 1 };
}

const TICK_MS = 50;
const tick = (ms = TICK_MS) => new Promise((r) => setTimeout(r, ms));

/** Runs `e` to completion (or until `signal` aborts), updating `state` as it goes. */
export async function runExecutor(
  e: Executor,
  env: VuEnv,
  pick: () => string,
  state: ExecutorState,
  signal: AbortSignal,
) {
  state.plannedMs = plannedMs(e);
  if (e.executor === 'constant-arrival-rate') return runArrivalRate(e, env, pick, state, signal);
  const stages = e.executor === 'constant-vus' ? [{ duration: e.duration, target: e.vus }] : e.stages;
  const startVUs = e.executor === 'constant-vus' ? e.vus : (e.startVUs ?? 0);
  const grace = e.executor === 'ramping-vus' && e.gracefulRampDown ? parseDuration(e.gracefulRampDown) : 30_000;
  return runRamping(stages, startVUs, grace, env, pick, state, signal);
}

async function runRamping(
  stages: Stage[],
  startVUs: number,
  graceMs: number,
  env: VuEnv,
  pick: () => string,
  state: ExecutorState,
  signal: AbortSignal,
) {
  const t0 = performance.now();
  const running: { vu: Vu; done: Promise<void> }[] = [];
  const stopping = new Set<Promise<void>>();
  let nextId = 1;
  state.stages = stages.length;
  while (!signal.aborted) {
    const t = performance.now() - t0;
    state.elapsedMs = t;
    if (t >= state.plannedMs) break;
    const { target, stage } = targetAt(stages, startVUs, t);
    state.stage = stage;
    state.targetVus = target;
    while (running.length < target) {
      const vu = createVu(nextId++, env, pick);
      running.push({ vu, done: vu.loop().finally(() => vu.close()) });
    }
    // Ramping down stops the newest VUs; each finishes its current iteration (gracefulRampDown).
    while (running.length > target) {
      const r = running.pop()!;
      r.vu.stop();
      const p = r.done.finally(() => stopping.delete(p));
      stopping.add(p);
    }
    state.activeVus = running.length + stopping.size;
    env.timeline.vus(state.activeVus);
    await tick();
  }
  for (const r of running) r.vu.stop();
  await settle([...running.map((r) => r.done), ...stopping], graceMs);
  state.activeVus = 0;
}

async function runArrivalRate(
  e: Extract<Executor, { executor: 'constant-arrival-rate' }>,
  env: VuEnv,
  pick: () => string,
  state: ExecutorState,
  signal: AbortSignal,
) {
  const perMs = e.rate / parseDuration(e.timeUnit ?? '1s');
  const idle: Vu[] = [];
  const all: Vu[] = [];
  const inflight = new Set<Promise<void>>();
  const make = () => {
    const vu = createVu(all.length + 1, env, pick);
    all.push(vu);
    return vu;
  };
  // Pre-allocated VUs log in before the clock starts, as k6 initialises VUs before the test.
  const pre = Array.from({ length: e.preAllocatedVUs }, make);
  for (let i = 0; i < pre.length; i += 50) {
    await Promise.all(pre.slice(i, i + 50).map((vu) => vu.prepare().catch(() => false)));
  }
  idle.push(...pre);
  state.stages = 1;
  state.targetVus = e.maxVUs;
  const t0 = performance.now();
  let started = 0;
  while (!signal.aborted) {
    const t = performance.now() - t0;
    state.elapsedMs = t;
    if (t >= state.plannedMs) break;
    const due = Math.floor(t * perMs);
    while (started < due) {
      started += 1;
      const vu = idle.pop() ?? (all.length < e.maxVUs ? make() : undefined);
      if (!vu) {
        env.metrics.counter('dropped_iterations');
        env.timeline.dropped();
        continue;
      }
      const p: Promise<void> = vu
        .iterate()
        .catch(() => undefined)
        .finally(() => {
          inflight.delete(p);
          idle.push(vu);
        });
      inflight.add(p);
    }
    state.activeVus = inflight.size;
    env.timeline.vus(inflight.size);
    await tick(1);
  }
  await settle([...inflight], 30_000);
  for (const vu of all) vu.close();
  env.metrics.gauge('vus_max', all.length);
  state.activeVus = 0;
}

async function settle(ps: Promise<void>[], graceMs: number) {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(ps), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
}
