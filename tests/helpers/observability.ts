import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './net.js';

export const REPO = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

export { freePort };

const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const installTools = () =>
  execFileSync('bash', [join(REPO, 'scripts/stack/tools.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });

/** Installs prometheus/promtool through the stack script when missing (never skips). */
export function ensurePrometheusTools(): void {
  if (!(has('prometheus') && has('promtool'))) installTools();
}

/** The path of a Chromium, installed through the stack script when missing (never skips). */
export function ensureChromium(): string {
  const names = ['chromium', 'chromium-browser', 'google-chrome'];
  if (!names.some(has)) installTools();
  const name = names.find(has);
  if (!name) throw new Error('no chromium after scripts/stack/tools.sh');
  return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
}

/** Runs promtool; resolves with its exit code and combined output (it exits 1 on lint findings). */
export async function promtool(args: string[], stdin?: string): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    const p = spawn('promtool', args, { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    p.on('error', fail);
    p.on('close', (code) => done({ code: code ?? -1, output }));
    p.stdin.end(stdin ?? '');
  });
}

/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format (enough of it for prom-client's output). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one sample with this name whose labels include `labels` (undefined if none). */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hit = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hit.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${hit.length} samples`);
  return hit[0]?.value;
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression selects (functions, keywords, labels and strings removed). */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2] || PROMQL_WORDS.has(m[1]!.toLowerCase())) continue;
    names.add(m[1]!);
  }
  return [...names];
}

/** A Prometheus server of the test's own (temporary storage, free port). */
export interface PrometheusServer {
  url: string;
  query(expr: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }>;
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** Starts `prometheus` with the given YAML configuration; resolves once /-/ready answers. */
export async function startPrometheus(configYaml: string): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const proc: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
  const stop = async () => {
    if (proc.exitCode === null) {
      await new Promise((r) => {
        proc.once('exit', r);
        proc.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const api = async <T>(path: string): Promise<T> => (await fetch(`${url}${path}`)).json() as Promise<T>;
  return {
    url,
    api,
    query: (expr) => api(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    stop,
  };
}

/** An OTLP/HTTP (JSON) trace receiver: what Jaeger's :4318 does, minus the storage. */
export interface OtlpReceiver {
  url: string;
  requests: number;
  spans: OtlpSpan[];
  close(): Promise<void>;
}

/** A received span, flattened with its instrumentation scope. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
  attributes: Record<string, unknown>;
}

interface OtlpBody {
  resourceSpans?: {
    scopeSpans?: {
      scope?: { name?: string };
      spans?: (Omit<OtlpSpan, 'scope' | 'attributes'> & {
        attributes?: { key: string; value: Record<string, unknown> }[];
      })[];
    }[];
  }[];
}

/** Starts the receiver on a free port: POST /v1/traces with application/json bodies. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: OtlpReceiver = { url: '', requests: 0, spans: [], close: async () => {} };
  const server = createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      receiver.requests += 1;
      if (req.url === '/v1/traces' && String(req.headers['content-type']).startsWith('application/json')) {
        const parsed = JSON.parse(body) as OtlpBody;
        for (const rs of parsed.resourceSpans ?? []) {
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              const attributes: Record<string, unknown> = {};
              for (const a of s.attributes ?? []) attributes[a.key] = Object.values(a.value)[0];
              receiver.spans.push({ ...s, scope: ss.scope?.name ?? '', attributes });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () => new Promise((r) => server.close(() => r()));
  return receiver;
}

/** The API as a child process (`node --import tsx src/server.ts`): module patching needs a fresh process. */
export interface ServerProcess {
  url: string;
  /** Every stdout line so far (JSON log lines). */
  lines: string[];
  stop(): Promise<void>;
}

/** Starts src/server.ts with `env` on a free port; resolves once it logs that it listens. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const lines: string[] = [];
  let stderr = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: '0',
      // Every test registers from 127.0.0.1, and the shared Redis keeps counts across runs.
      REGISTER_LIMIT_IP: '1000000/1h',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let partial = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  proc.stderr.on('data', (d) => (stderr += d));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise((r) => {
      proc.once('exit', r);
      proc.kill('SIGTERM');
    });
  };
  const deadline = Date.now() + 30_000;
  while (!lines.some((l) => l.includes('Server listening'))) {
    if (proc.exitCode !== null) throw new Error(`server exited ${proc.exitCode}: ${stderr}\n${lines.join('\n')}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server did not listen: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, lines, stop };
}

/** `psql -c COMMAND` on a connection string, rows keyed by column name (what an operator would type). */
export async function psqlRows(url: string, command: string): Promise<Record<string, string>[]> {
  const { stdout } = await run('psql', [url, '-X', '-w', '-A', '-F', '\t', '-P', 'footer=off', '-c', command]);
  const [header, ...rows] = stdout.trimEnd().split('\n');
  const cols = header!.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i]!, v])));
}
