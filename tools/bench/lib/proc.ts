// Server processes for the benchmarks: started pinned to one core (taskset), with a raised
// open-file limit, awaited until they answer, sampled for RSS, and stopped by their own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export { freePort } from '../../../tests/helpers/net.js';

export interface Proc {
  pid: number;
  url: string;
  /** Resident set size in MiB, read from /proc. */
  rssMiB(): number;
  stop(): Promise<void>;
  log(): string;
}

/**
 * Runs `cmd args` pinned to `core` with `ulimit -n nofile`, waits until GET `readyPath` answers
 * 200 on `port`.
 */
export async function startPinned(
  core: number,
  cmd: string[],
  env: Record<string, string>,
  port: number,
  readyPath = '/health/live',
  nofile = 20_000,
): Promise<Proc> {
  const script = `ulimit -n ${nofile} 2>/dev/null || ulimit -n $(ulimit -Hn); exec taskset -c ${core} "$@"`;
  const child: ChildProcess = spawn('sh', ['-c', script, 'pinned', ...cmd], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd.join(' ')} exited (${child.exitCode}):\n${out}`);
    try {
      const r = await fetch(`${url}${readyPath}`);
      if (r.status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${cmd.join(' ')} did not answer on ${url}:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    pid,
    url,
    rssMiB() {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m ? Number(m[1]) / 1024 : NaN;
      } catch {
        return NaN;
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
    log: () => out,
  };
}
