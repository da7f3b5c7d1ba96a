import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestApp } from '../helpers/app.js';

/** A response read off a real socket. */
export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/** Options of one request over real HTTP. */
export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  agent?: Agent;
  timeoutMs?: number;
}

/** Makes the test app listen on a free loopback port; returns its base URL. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

/**
 * One request with node:http (fetch would add headers of its own); rejects after `timeoutMs`,
 * so a hang fails the test instead of stalling it.
 */
export function send(base: string, path: string, opts: SendOptions = {}): Promise<HttpResult> {
  const started = performance.now();
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
        headers: { ...(payload !== undefined && { 'content-type': 'application/json' }), ...opts.headers },
        timeout: opts.timeoutMs ?? 10_000,
        ...(opts.agent && { agent: opts.agent }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers as Record<string, string>,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** POST /api/auth/login from `forwardedFor` (X-Forwarded-For), over real HTTP. */
export function login(base: string, email: string, password: string, forwardedFor?: string, agent?: Agent) {
  return send(base, '/api/auth/login', {
    body: { email, password },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    agent,
  });
}

/** Polls `probe` until it returns true or `timeoutMs` passes; resolves with the time it took. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`not within ${timeoutMs} ms`);
}
