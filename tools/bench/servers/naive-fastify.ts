// Benchmark 3's competitor: a naive Fastify route that does one Redis GET per request and sends
// the stored string (no re-serialization, no in-process tier). Same JWT verifier as the app.
import Fastify from 'fastify';
import { createVerifier } from 'fast-jwt';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL!);
const verify = createVerifier({ key: process.env.JWT_SECRET!, algorithms: ['HS256'], cache: 10_000 });
const app = Fastify({ logger: false });
const prefix = process.env.NAIVE_PREFIX ?? 'cache';

app.get('/health/live', async () => ({ status: 'ok' }));
app.get('/api/blueprints', async (req, reply) => {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  let tid: string;
  try {
    tid = (verify(m?.[1] ?? '') as { tid: string }).tid;
  } catch {
    return reply.code(401).send({ title: 'Unauthorized' });
  }
  const q = req.query as Record<string, string>;
  const key = `${prefix}:${tid}:blueprints:list?${Object.keys(q)
    .sort()
    .map((k) => `${k}=${q[k]}`)
    .join('&')}`;
  const cached = await redis.get(key);
  if (cached === null) return reply.code(503).send({ title: 'not cached' });
  return reply.header('x-cache', 'HIT').type('application/json; charset=utf-8').send(cached);
});
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
