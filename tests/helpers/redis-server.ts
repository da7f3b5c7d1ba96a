import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { freePort } from './net.js';

/** A private redis-server the fault tests may stop, restart and pause without touching the shared one. */
export interface OwnRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** CLIENT PAUSE: connections stay open but no command is answered for `ms`. */
  pause(ms: number): Promise<void>;
  /** Sends a signal to the server process (SIGSTOP hangs it, SIGCONT resumes it). */
  signal(sig: NodeJS.Signals): void;
  /** Runs fn with a short-lived client, always disconnected afterwards. */
  withClient<T>(fn: (c: Redis) => Promise<T>): Promise<T>;
}

/** Starts redis-server on a free port (nothing persisted). */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const admin = () => {
    const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {}); // connection failures surface as rejected commands
    return c;
  };
  const own: OwnRedis = {
    url,
    async start() {
      proc = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 100; i++) {
        const c = admin();
        try {
          await c.connect();
          await c.ping();
          c.disconnect();
          return;
        } catch {
          c.disconnect();
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error('redis-server did not start');
    },
    async stop() {
      if (!proc) return;
      const p = proc;
      proc = undefined;
      await new Promise((r) => {
        p.once('exit', r);
        p.kill('SIGKILL');
      });
    },
    async pause(ms) {
      const c = admin();
      await c.connect();
      await c.call('CLIENT', 'PAUSE', String(ms), 'ALL');
      c.disconnect();
    },
    signal(sig) {
      proc?.kill(sig);
    },
    async withClient(fn) {
      const c = admin();
      try {
        await c.connect();
        return await fn(c);
      } finally {
        c.disconnect();
      }
    },
  };
  await own.start();
  return own;
}

/** A TCP server that accepts connections and never answers: the "hung Redis". */
export async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
