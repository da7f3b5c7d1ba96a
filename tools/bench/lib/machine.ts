// Machine and software details for RESULTS.md: numbers mean little without them.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, release } from 'node:os';

const sh = (cmd: string): string => {
  try {
    return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'n/a';
  }
};

/** What the benchmarks ran on. */
export function machineDetails(): Record<string, string> {
  return {
    cpus: `${sh('nproc')} (nproc), model ${cpus()[0]?.model ?? 'n/a'}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `Linux ${release()}`,
    node: process.version,
    postgres: sh("psql -X -w -h 127.0.0.1 -U postgres -d postgres -Atc 'show server_version'"),
    pgbouncer: sh('pgbouncer --version | head -1'),
    redis: sh("redis-server --version | awk '{print $3}'"),
    wrk: sh('wrk --version 2>&1 | head -1'),
    'open files (hard)': sh('ulimit -Hn'),
  };
}
