// The load generator for the benchmarks: wrk (Debian package, installed with apt-get when
// missing and running as root, as scripts/stack/up.sh installs PgBouncer), pinned to its own
// core. When wrk cannot be had, autocannon (a devDependency) stands in, pinned the same way.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadResult {
  tool: 'wrk' | 'autocannon';
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  /** Socket errors + timeouts + non-2xx/3xx responses. */
  errors: number;
  requests: number;
  /** What the errors were (wrk: connect/read/write/timeout socket errors and non-2xx). */
  errorDetail: string;
}

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** Paths to rotate through (wrk: a Lua script); default: the URL's own path. */
  paths?: string[];
  core: number;
  timeoutS?: number;
}

let tool: 'wrk' | 'autocannon' | undefined;

/** Makes sure wrk is there (apt-get install as root), else settles for autocannon. */
export function ensureWrk(log: (s: string) => void): 'wrk' | 'autocannon' {
  if (tool) return tool;
  const has = () => {
    try {
      execFileSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!has() && process.getuid?.() === 0) {
    log('wrk missing: apt-get install -y wrk');
    try {
      execFileSync(
        'sh',
        [
          '-c',
          'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk </dev/null || (apt-get update -qq </dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk </dev/null)',
        ],
        {
          stdio: 'ignore',
        },
      );
    } catch {
      log('apt-get install wrk failed');
    }
  }
  tool = has() ? 'wrk' : 'autocannon';
  if (tool === 'autocannon') log('wrk unavailable: using autocannon as the load generator');
  return tool;
}

function ms(v: string, unit: string): number {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

function luaFor(spec: LoadSpec): string | undefined {
  if (!spec.paths?.length) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'wrk-'));
  const file = path.join(dir, 'paths.lua');
  const list = spec.paths.map((p) => JSON.stringify(p)).join(',\n');
  writeFileSync(
    file,
    `local paths = {\n${list}\n}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(nil, paths[(i % #paths) + 1])\nend\n`,
  );
  return file;
}

/** One closed-loop run: `connections` keep-alive connections for `seconds`. */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  const t = tool ?? 'autocannon';
  const limit =
    spec.connections > 900
      ? `ulimit -n ${Math.max(spec.connections + 1000, 4096)} 2>/dev/null || ulimit -n $(ulimit -Hn); `
      : '';
  if (t === 'wrk') {
    const args = [
      '-t1',
      `-c${spec.connections}`,
      `-d${spec.seconds}s`,
      '--latency',
      `--timeout`,
      `${spec.timeoutS ?? 10}s`,
    ];
    for (const [k, v] of Object.entries(spec.headers ?? {})) args.push('-H', `${k}: ${v}`);
    const lua = luaFor(spec);
    if (lua) args.push('-s', lua);
    args.push(spec.url);
    const { stdout } = await run('sh', ['-c', `${limit}exec taskset -c ${spec.core} wrk "$@"`, 'wrk', ...args], {
      maxBuffer: 4 * 1024 * 1024,
      timeout: (spec.seconds + 60) * 1000,
    });
    const lat = (p: string) => {
      const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(stdout);
      return m ? ms(m[1]!, m[2]!) : NaN;
    };
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
    const reqs = /(\d+) requests in/.exec(stdout);
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
    return {
      tool: 'wrk',
      rps: Number(rps?.[1] ?? NaN),
      p50: lat('50'),
      p90: lat('90'),
      p99: lat('99'),
      errors: (sock ? sock.slice(1).reduce((s, x) => s + Number(x), 0) : 0) + Number(non2xx?.[1] ?? 0),
      requests: Number(reqs?.[1] ?? 0),
      errorDetail: `${sock ? sock[0] : 'no socket errors'}; non-2xx ${non2xx?.[1] ?? 0}`,
    };
  }
  // autocannon: same shape, pinned via its CLI.
  const args = ['-c', String(spec.connections), '-d', String(spec.seconds), '-j', '-t', String(spec.timeoutS ?? 10)];
  for (const [k, v] of Object.entries(spec.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(spec.url);
  const bin = path.resolve(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'autocannon');
  const { stdout } = await run('sh', ['-c', `${limit}exec taskset -c ${spec.core} "$@"`, 'ac', bin, ...args], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: (spec.seconds + 60) * 1000,
  });
  const j = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p90: number; p99: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  };
  return {
    tool: 'autocannon',
    rps: j.requests.average,
    p50: j.latency.p50,
    p90: j.latency.p90,
    p99: j.latency.p99,
    errors: j.errors + j.timeouts + j.non2xx,
    requests: j.requests.total,
    errorDetail: `errors ${j.errors}, timeouts ${j.timeouts}, non-2xx ${j.non2xx}`,
  };
}
