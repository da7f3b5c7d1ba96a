import { blueprintState, type BlueprintState, type Model, type ProjectState, type Tracked } from './model.js';

// The load the faults are injected under: workers writing and reading blueprints and projects
// through the real HTTP server, each answer recorded, each write's outcome fed to the model.

/** A client-side bound on every request: an answer must come within it (proves no hang). */
export const DEADLINE_MS = 20_000;

/** How a request ended. */
export type Outcome = number | 'refused' | 'reset' | 'timeout' | 'error';

/** One request and its answer. */
export interface Answer {
  phase: string;
  op: string;
  outcome: Outcome;
  retryAfter: boolean;
  ms: number;
  /** performance.now() when the answer came. */
  at: number;
}

/** Something a single answer proved wrong (the database checks are in model.ts). */
export interface AnswerViolation {
  phase: string;
  op: string;
  detail: string;
}

/** All answers of the run, and the phase they belong to. */
export class Recorder {
  answers: Answer[] = [];
  violations: AnswerViolation[] = [];
  ackedWrites = 0;
  phase = 'warm-up';
  /** SIGTERM phase: a refused or reset connection is an answer ("not accepting"). */
  disconnectsAllowed = false;

  /** Classifies an answer; anything but 2xx, 503 + Retry-After (and refusals while stopping) is a violation. */
  record(op: string, outcome: Outcome, retryAfter: boolean, ms: number, body = ''): void {
    const phase = this.phase;
    this.answers.push({ phase, op, outcome, retryAfter, ms, at: performance.now() });
    const bad = (detail: string) => this.violations.push({ phase, op, detail });
    if (typeof outcome === 'number') {
      if (outcome === 503 && !retryAfter) bad(`503 without Retry-After: ${body.slice(0, 200)}`);
      else if (outcome >= 300 && outcome !== 503) bad(`unexpected ${outcome}: ${body.slice(0, 300)}`);
    } else if (outcome === 'timeout') bad(`no answer within ${DEADLINE_MS} ms`);
    else if (!(this.disconnectsAllowed && (outcome === 'refused' || outcome === 'reset'))) bad(`connection ${outcome}`);
  }
}

interface Reply {
  outcome: Outcome;
  body: Record<string, unknown> | undefined;
}

function failure(err: unknown): Outcome {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  const code = e?.cause?.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code)) return 'reset';
  return 'error';
}

/** A client of the server under test; every request is recorded. */
export class Client {
  constructor(
    public base: string,
    private token: string,
    private rec: Recorder,
  ) {}

  /** Sends one request within DEADLINE_MS and records how it ended. */
  async send(
    op: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const start = performance.now();
    try {
      const res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(DEADLINE_MS),
      });
      const text = await res.text();
      this.rec.record(op, res.status, res.headers.has('retry-after'), performance.now() - start, text);
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        parsed = undefined;
      }
      return { outcome: res.status, body: parsed };
    } catch (err) {
      const outcome = failure(err);
      this.rec.record(op, outcome, false, performance.now() - start, String(err));
      return { outcome, body: undefined };
    }
  }
}

/** Mulberry32: a seeded generator, so a failing run can be repeated with FAULTS_SEED. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function blueprintBody(name: string, s: BlueprintState): Record<string, unknown> {
  return {
    name,
    description: s.description,
    provider: 'aws',
    region: 'us-east-1',
    parameters: { type: 'object', properties: { size: { type: 'string', default: 't3.micro' } } },
    resources: [
      { name: 'vpc', type: 'network', properties: { cidr: '10.0.0.0/16' } },
      { name: 'web-subnet', type: 'subnet', properties: { network: 'vpc', cidr: '10.0.1.0/24' } },
      { name: 'web', type: 'vm', properties: { size: '${param.size}', image: 'ubuntu-22.04', subnet: 'web-subnet' } },
    ],
    tags: { Revision: s.revision, Owner: 'faults' },
  };
}

const revisionOf = (s: { description: string } | { name: string }) =>
  Number(/(\d+)$/.exec('description' in s ? s.description : s.name)![1]);
const usable = <S>(t: Tracked<S>): t is Tracked<S> & { id: string; acked: S } =>
  t.pending === undefined && t.acked !== 'absent' && t.id !== undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One worker: owns the entities it creates (keys `<prefix>w<n>-…`), one request at a time. */
class Worker {
  constructor(
    private n: number,
    private prefix: string,
    private client: Client,
    private model: Model,
    private rec: Recorder,
    private rnd: () => number,
  ) {}

  private pick<T>(items: T[]): T | undefined {
    return items[Math.floor(this.rnd() * items.length)];
  }

  private mine<S>(list: Tracked<S>[]): Tracked<S>[] {
    return list.filter((t) => t.key.startsWith(`${this.prefix}w${this.n}-`));
  }

  /** A write was acknowledged (2xx) or not (anything else: the entity freezes with both candidates). */
  private settle<S>(t: Tracked<S>, ok: boolean, next: S | 'absent'): void {
    if (ok) {
      t.acked = next;
      this.rec.ackedWrites += 1;
    } else t.pending = next;
  }

  async step(): Promise<void> {
    const bps = this.mine(this.model.blueprints);
    const linkable = bps.filter((b) => b.linkable && b.id !== undefined && b.acked !== 'absent');
    const r = this.rnd();
    if (linkable.length < 3 || r < 0.15) return this.createBlueprint(linkable.length < 3 || this.rnd() < 0.6);
    if (r < 0.35) return this.updateBlueprint(this.pick(bps.filter(usable)));
    if (r < 0.4) return this.deleteBlueprint(this.pick(bps.filter((b) => usable(b) && !b.linkable)));
    if (r < 0.5) return this.createProject(linkable.map((b) => b.id!));
    if (r < 0.65) return this.patchProject(linkable.map((b) => b.id!));
    if (r < 0.7) return this.deleteProject();
    return this.read(bps);
  }

  private async createBlueprint(linkable: boolean): Promise<void> {
    const key = `${this.prefix}w${this.n}-b${this.mine(this.model.blueprints).length}`;
    const t: Tracked<BlueprintState> = { key, acked: 'absent', linkable };
    this.model.blueprints.push(t);
    const state = blueprintState(0);
    const res = await this.client.send('create blueprint', 'POST', '/api/blueprints', blueprintBody(key, state));
    if (res.outcome === 201) {
      t.id = res.body!.id as string;
      this.expectVersion('create blueprint', res.body!, state.version);
    }
    this.settle(t, res.outcome === 201, state);
  }

  private async updateBlueprint(t: (Tracked<BlueprintState> & { id: string; acked: BlueprintState }) | undefined) {
    if (!t) return;
    const state = blueprintState(revisionOf(t.acked) + 1);
    const res = await this.client.send(
      'update blueprint',
      'PUT',
      `/api/blueprints/${t.id}`,
      blueprintBody(t.key, state),
      {
        'if-match': `"${t.id}@${t.acked.version}"`,
      },
    );
    if (res.outcome === 200) this.expectVersion('update blueprint', res.body!, state.version);
    this.settle(t, res.outcome === 200, state);
  }

  private async deleteBlueprint(t: Tracked<BlueprintState> | undefined) {
    if (!t) return;
    const res = await this.client.send('delete blueprint', 'DELETE', `/api/blueprints/${t.id}`);
    this.settle(t, res.outcome === 204, 'absent');
  }

  private links(ids: string[]): string[] {
    const count = 1 + Math.floor(this.rnd() * 3);
    return [...ids].sort(() => this.rnd() - 0.5).slice(0, count);
  }

  private async createProject(ids: string[]) {
    const key = `${this.prefix}w${this.n}-p${this.mine(this.model.projects).length}`;
    const t: Tracked<ProjectState> = { key, acked: 'absent' };
    this.model.projects.push(t);
    const state = { name: `${key} r0`, blueprintIds: this.links(ids) };
    const res = await this.client.send('create project', 'POST', '/api/projects', {
      name: state.name,
      description: key,
      environment: 'dev',
      blueprintIds: state.blueprintIds,
    });
    if (res.outcome === 201) t.id = res.body!.id as string;
    this.settle(t, res.outcome === 201, state);
  }

  private async patchProject(ids: string[]) {
    const t = this.pick(this.mine(this.model.projects).filter(usable));
    if (!t) return;
    const state = { name: `${t.key} r${revisionOf(t.acked) + 1}`, blueprintIds: this.links(ids) };
    const res = await this.client.send('patch project', 'PATCH', `/api/projects/${t.id}`, state);
    this.settle(t, res.outcome === 200, state);
  }

  private async deleteProject() {
    const t = this.pick(this.mine(this.model.projects).filter(usable));
    if (!t) return;
    const res = await this.client.send('delete project', 'DELETE', `/api/projects/${t.id}`);
    this.settle(t, res.outcome === 204, 'absent');
  }

  private async read(bps: Tracked<BlueprintState>[]) {
    const t = this.pick(bps.filter(usable));
    const r = this.rnd();
    if (t && r < 0.6) {
      // Read-your-writes: the last acknowledged version, never an older one from a cache.
      const res = await this.client.send('get blueprint', 'GET', `/api/blueprints/${t.id}`);
      if (res.outcome === 200 && t.pending === undefined && t.acked !== 'absent') {
        this.expectVersion('get blueprint', res.body!, t.acked.version);
      }
    } else if (r < 0.85) await this.client.send('list projects', 'GET', '/api/projects?limit=20');
    else await this.client.send('list blueprints', 'GET', '/api/blueprints?limit=20');
  }

  private expectVersion(op: string, body: Record<string, unknown>, version: string): void {
    if (body.version !== version) {
      this.rec.violations.push({
        phase: this.rec.phase,
        op,
        detail: `answered version ${String(body.version)} for ${String(body.name)}, expected ${version}`,
      });
    }
  }

  async run(stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      await this.step();
      await sleep(2);
    }
  }
}

/** Runs `workers` workers until stop() (which waits for their requests in flight). */
export class Load {
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(
    private client: Client,
    private model: Model,
    private rec: Recorder,
    private prefix: string,
    private rnd: () => number,
  ) {}

  /** Starts the workers (numbered from 0 each time, so they keep owning the same entities). */
  start(workers: number): void {
    this.stopping = false;
    this.running = Array.from({ length: workers }, (_, n) =>
      new Worker(n, this.prefix, this.client, this.model, this.rec, this.rnd).run(() => this.stopping),
    );
  }

  /** Stops the workers and resolves once their last requests were answered. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }
}

/**
 * Reads every entity back through the API once the load is stopped: what a client sees must be
 * the last acknowledged state (a cache serving an older version is a stale read), and a deleted
 * entity is a 404. Not recorded as load; returns the mismatches.
 */
export async function checkApi(base: string, token: string, model: Model): Promise<string[]> {
  const out: string[] = [];
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(DEADLINE_MS),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  for (const t of model.blueprints) {
    if (t.pending !== undefined || t.id === undefined) continue;
    const { status, body } = await get(`/api/blueprints/${t.id}`);
    if (t.acked === 'absent') {
      if (status !== 404) out.push(`${t.key}: deleted, but GET answered ${status}`);
    } else if (status !== 200 || body.version !== t.acked.version || body.description !== t.acked.description) {
      out.push(`${t.key}: GET answered ${status} ${String(body.version)}, acknowledged ${t.acked.version}`);
    }
  }
  for (const t of model.projects) {
    if (t.pending !== undefined || t.id === undefined) continue;
    const { status, body } = await get(`/api/projects/${t.id}`);
    if (t.acked === 'absent') {
      if (status !== 404) out.push(`${t.key}: deleted, but GET answered ${status}`);
    } else if (
      status !== 200 ||
      body.name !== t.acked.name ||
      JSON.stringify(body.blueprintIds) !== JSON.stringify(t.acked.blueprintIds)
    ) {
      out.push(
        `${t.key}: GET answered ${status} ${JSON.stringify(body).slice(0, 200)}, acknowledged ${JSON.stringify(t.acked)}`,
      );
    }
  }
  return out;
}
