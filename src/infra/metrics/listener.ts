import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Where /metrics is served: its own listener (`port` 'off': none) and an optional scrape token. */
export interface MetricsListenerOptions {
  host: string;
  port: number | 'off';
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token?: string;
}

/** True when an Authorization header carries exactly `Bearer <token>` (compared in constant time). */
export function scrapeAuthorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const want = Buffer.from(`Bearer ${token}`);
  const got = Buffer.from(header ?? '');
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * /metrics on a listener of its own (default 127.0.0.1:9464), so the API port never exposes it
 * anonymously: Prometheus reaches it on the pod/container network, clients never do.
 */
export function createMetricsListener(registry: Registry, opts: MetricsListenerOptions) {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (!scrapeAuthorized(req.headers.authorization, opts.token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  return {
    /** Starts listening (no-op when the port is 'off'); resolves to the scrape URL. */
    async listen(): Promise<string | undefined> {
      if (opts.port === 'off') return undefined;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port as number, opts.host, () => resolve());
      });
      return this.url();
    },
    /** The scrape URL while listening. */
    url(): string | undefined {
      const a = server.address() as AddressInfo | null;
      if (!a) return undefined;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      return `http://${host}:${a.port}/metrics`;
    },
    close: (): Promise<void> =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type MetricsListener = ReturnType<typeof createMetricsListener>;
