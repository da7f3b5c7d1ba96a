// The load generator for the benchmarks: wrk (Debian package, installed with apt-get when
// missing and running as root, as scripts/stack/up.sh installs PgBouncer), pinned to its own
// core. When wrk cannot be had, autocannon (a devDependency) stands in, pinned the same way.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** wrk only: Lua defining `request()` (and `init`, …) for requests of several kinds. */
  lua?: string;
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

// wrk's done() hook writes the figures as JSON (no parsing of its human summary).
const DONE_LUA = (file: string) => `
done = function(summary, latency, requests)
  local e = summary.errors
  local f = io.open(${JSON.stringify(file)}, "w")
  f:write(string.format('{"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d}',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
  f:close()
end
`;

/** The Lua of one run: rotating `paths`, or a custom `request` function, and the JSON done() hook. */
function luaFor(spec: LoadSpec, out: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wrk-'));
  const file = path.join(dir, 'run.lua');
  let request = '';
  if (spec.lua) request = spec.lua;
  else if (spec.paths?.length) {
    const list = spec.paths.map((p) => JSON.stringify(p)).join(',\n');
    request = `local paths = {\n${list}\n}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(nil, paths[(i % #paths) + 1])\nend\n`;
  }
  writeFileSync(file, request + DONE_LUA(out));
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
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'wrk-out-')), 'result.json');
    const args = ['-t1', `-c${spec.connections}`, `-d${spec.seconds}s`, `--timeout`, `${spec.timeoutS ?? 10}s`];
    for (const [k, v] of Object.entries(spec.headers ?? {})) args.push('-H', `${k}: ${v}`);
    args.push('-s', luaFor(spec, out), spec.url);
    await run('sh', ['-c', `${limit}exec taskset -c ${spec.core} wrk "$@"`, 'wrk', ...args], {
      maxBuffer: 4 * 1024 * 1024,
      timeout: (spec.seconds + 60) * 1000,
    });
    const r = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number>;
    const socket = r.connect! + r.read! + r.write! + r.timeout!;
    return {
      tool: 'wrk',
      rps: r.requests! / (r.durationUs! / 1e6),
      p50: r.p50! / 1000,
      p90: r.p90! / 1000,
      p99: r.p99! / 1000,
      errors: socket + r.status!,
      requests: r.requests!,
      errorDetail: `Socket errors: connect ${r.connect}, read ${r.read}, write ${r.write}, timeout ${r.timeout}; non-2xx ${r.status}`,
    };
  }
  // autocannon: same shape, pinned via its CLI.
  const args = ['-c', String(spec.connections), '-d', String(spec.seconds), '-j', '-t', String(spec.timeoutS ?? 10)];
  for (const [k, v] of Object.entries(spec.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(spec.url);
  const bin = path.resolve(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin', 'autocannon');
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
