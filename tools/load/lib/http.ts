// The load generator's HTTP client: node:http with one keep-alive connection per virtual user
// (as a k6 VU holds its own connection), timing from the request call to the last body byte.
import http from 'node:http';

/** One finished request (a network error has status 0 and `error`). */
export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Milliseconds from sending to the last byte of the body (k6's http_req_duration). */
  ms: number;
  error?: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A connection owner: one per virtual user. */
export interface HttpClient {
  send(req: HttpRequest): Promise<HttpResult>;
  close(): void;
}

/** A client for `baseUrl` with its own keep-alive agent (one socket) and a per-request timeout. */
export function createHttpClient(baseUrl: string, timeoutMs = 30_000): HttpClient {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 10_000 });
  return {
    send(r) {
      const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body));
      const headers: Record<string, string | number> = { accept: 'application/json', ...r.headers };
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = payload.length;
      }
      const t0 = performance.now();
      return new Promise<HttpResult>((resolve) => {
        let settled = false;
        const done = (res: Omit<HttpResult, 'ms'>) => {
          if (settled) return;
          settled = true;
          resolve({ ...res, ms: performance.now() - t0 });
        };
        const req = http.request(
          { host: url.hostname, port: url.port || 80, method: r.method, path: r.path, headers, agent },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
            );
            res.on('error', (e) => done({ status: 0, headers: {}, body: Buffer.alloc(0), error: e.message }));
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
        req.on('error', (e) => done({ status: 0, headers: {}, body: Buffer.alloc(0), error: e.message }));
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Parses a JSON body, undefined when it is not JSON. */
export function jsonOf<T = unknown>(r: HttpResult): T | undefined {
  try {
    return JSON.parse(r.body.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
