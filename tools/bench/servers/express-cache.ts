// Benchmark 2's competitor: GET /api/blueprints the way a typical Express service caches it: Express 5,
// a bearer-token check, and the note's `cacheMiddleware({ ttl })` which on a hit does a Redis
// GET, JSON.parse and res.json (a fresh serialization) with X-Cache: HIT. Same JWT verifier
// (fast-jwt with its token cache) as the app, so the difference is the framework and the cache.
import { createVerifier } from 'fast-jwt';
import { Redis } from 'ioredis';
import { importBench } from '../lib/deps.js';

// The few Express types used here (express ships no types; @types/express is not installed).
interface Request {
  headers: Record<string, string | undefined>;
  query: Record<string, unknown>;
  originalUrl: string;
}
interface Response {
  set(name: string, value: string): Response;
  status(code: number): Response;
  json(body: unknown): Response;
}
type NextFunction = () => void;
type Handler = (req: Request, res: Response, next: NextFunction) => unknown;
interface ExpressApp {
  get(path: string, ...handlers: Handler[]): void;
  use(path: string, handler: Handler): void;
  listen(port: number, host: string): void;
}
type Express = () => ExpressApp;
const mod = await importBench<{ default?: Express }>('express');
const express = (mod.default ?? mod) as Express;
const redis = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: true });
const verify = createVerifier({ key: process.env.JWT_SECRET!, algorithms: ['HS256'], cache: 10_000 });

interface CacheOptions {
  ttl?: number;
  key?: (req: Request) => string;
  condition?: (req: Request) => boolean;
}

/** The usual Express cache middleware: key by URL, JSON in Redis. */
function cacheMiddleware({ ttl = 300, key, condition }: CacheOptions = {}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (condition && !condition(req)) return next();
    const k = key ? key(req) : `cache:${(req as Request & { tid: string }).tid}:${req.originalUrl}`;
    try {
      const cached = await redis.get(k);
      if (cached) {
        res.set('X-Cache', 'HIT');
        return res.json(JSON.parse(cached));
      }
    } catch {
      // a Redis failure falls back to the handler
    }
    res.set('X-Cache', 'MISS');
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      redis.setex(k, ttl, JSON.stringify(body)).catch(() => undefined);
      return json(body);
    };
    next();
  };
}

const app = express();
app.get('/health/live', (_req, res) => {
  res.json({ status: 'ok' });
});
app.use('/api', (req, res, next) => {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  try {
    (req as Request & { tid: string }).tid = (verify(m?.[1] ?? '') as { tid: string }).tid;
    next();
  } catch {
    res.status(401).json({ title: 'Unauthorized' });
  }
});
app.get(
  '/api/blueprints',
  cacheMiddleware({ ttl: 300, condition: (req) => req.query.cache !== 'false' }),
  (_req, res) => {
    // Only hits are measured (the key is pre-filled); a miss here is a benchmark setup error.
    res.status(503).json({ title: 'not cached' });
  },
);
app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
