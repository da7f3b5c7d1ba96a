import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from '../../helpers/net.js';

const REPO = resolve(import.meta.dirname, '../../..');

/** The real server process (`node --import tsx src/server.ts`, what `npm run dev` runs). */
export interface ServerProcess {
  proc: ChildProcess;
  pid: number;
  base: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  /** /health/live answers 200 and the process is the same one (no restart in between). */
  alive(): Promise<boolean>;
}

/** Starts the server with `env` on a free port; resolves once /health/live answers. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  let out = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  const live = () =>
    fetch(`${base}/health/live`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false,
    );
  const deadline = Date.now() + 60_000;
  while (!(await live())) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    pid: proc.pid!,
    base,
    exited,
    output: () => out,
    alive: async () => proc.exitCode === null && proc.signalCode === null && (await live()),
  };
}
