import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/net.js';

const REPO = resolve(import.meta.dirname, '../..');
// Proves "fails fast, no spin": far above a tsx start-up on a busy machine, far below the minutes
// a second opener used to spin for.
const REFUSAL_BOUND_MS = 30_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a repository script the way `npm run <name>` does (tsx), with only `env`. */
function runScript(script: string, env: Record<string, string>, args: string[] = []): Promise<Run> {
  const start = performance.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? null) : 0;
        done({ code: typeof code === 'number' ? code : null, stdout, stderr, ms: performance.now() - start });
      },
    );
  });
}

interface Server {
  proc: ChildProcess;
  base: string;
  exited: Promise<number | null>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  let out = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) break;
    const ok = await fetch(`${base}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { proc, base, exited };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error(`server did not start:\n${out}`);
}

const SMALL_SEED = { SEED_BLUEPRINTS_PER_TENANT: '3', SEED_PROJECTS_PER_TENANT: '2', SEED_LOAD_USERS: '1' };

// The embedded database directory has one opener at a time (src/infra/db/data-dir-lock.ts).
describe('the embedded database is opened by one process at a time', () => {
  let root: string;
  let env: Record<string, string>;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'dharma-single-opener-'));
    env = { PGLITE_DIR: join(root, 'pglite'), JWT_SECRET: 'x'.repeat(40) };
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('while the server runs, seed, migrate, operator and a second server fail fast with one line naming it; nothing is written', async () => {
    const server = await startServer(env);
    const pid = server.proc.pid!;
    try {
      const [seed, migrate, operator, second] = await Promise.all([
        runScript('scripts/seed.ts', { ...env, ...SMALL_SEED }),
        runScript('src/migrate.ts', env),
        runScript('scripts/operator.ts', env, ['admin@acme.example']),
        runScript('src/server.ts', { ...env, PORT: String(await freePort()), HOST: '127.0.0.1' }),
      ]);
      for (const [name, r] of Object.entries({ seed, migrate, operator, second })) {
        assert.equal(r.code, 1, `${name} exits 1: ${r.stdout}${r.stderr}`);
        assert.ok(r.ms < REFUSAL_BOUND_MS, `${name} answered after ${r.ms.toFixed(0)} ms`);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, `${name}: one line, got:\n${r.stderr}`);
        assert.match(lines[0]!, new RegExp(`is in use by pid ${pid} \\(node src/server\\.ts\\)`), name);
        assert.doesNotMatch(r.stdout, /seeded|applied|operator/, `${name} claims no work`);
      }
      // The server was not disturbed and sees no seeded rows (the demo login does not exist).
      const login = await fetch(`${server.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@acme.example', password: 'DemoPassword-2026' }),
      });
      assert.equal(login.status, 401);
    } finally {
      server.proc.kill('SIGTERM');
      assert.equal(await server.exited, 0, 'the server drains and exits 0');
    }
    assert.ok(!existsSync(`${env.PGLITE_DIR}.lock`), 'a clean exit releases the lock');
  });

  it('after the holder is killed with SIGKILL the next opener takes over the stale lock, and the server then sees its rows', async () => {
    const server = await startServer(env);
    server.proc.kill('SIGKILL');
    await server.exited;
    assert.ok(existsSync(`${env.PGLITE_DIR}.lock`), 'SIGKILL left the lock behind');
    const seed = await runScript('scripts/seed.ts', { ...env, ...SMALL_SEED });
    assert.equal(seed.code, 0, seed.stderr);
    assert.match(seed.stdout, /seeded pglite: \+4 tenants/);
    assert.ok(seed.ms < REFUSAL_BOUND_MS, `took over after ${seed.ms.toFixed(0)} ms`);

    const again = await startServer(env);
    try {
      const login = await fetch(`${again.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@acme.example', password: 'DemoPassword-2026' }),
      });
      assert.equal(login.status, 200, 'the server sees what the seed wrote');
    } finally {
      again.proc.kill('SIGTERM');
      assert.equal(await again.exited, 0);
    }
  });
});
