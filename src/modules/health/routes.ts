import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Db } from '../../infra/db/types.js';

/** Reports the L2 cache's state to readiness; 'disabled' when no Redis is configured. */
export type CacheHealth = () => 'up' | 'down' | 'disabled';

const Check = Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('disabled')]);

/** /health/live (no I/O) and /health/ready (database ping; Redis down is only "degraded"). */
export function healthRoutes(app: FastifyInstance, db: Db, cacheHealth: CacheHealth): void {
  // Route types come from the TypeBox schemas (no hand-written generics).
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const started = process.hrtime.bigint();
  api.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: answers while the event loop turns (no I/O)',
        response: { 200: Type.Object({ status: Type.Literal('ok'), uptime: Type.Number() }) },
      },
    },
    async () => ({ status: 'ok' as const, uptime: Number(process.hrtime.bigint() - started) / 1e9 }),
  );
  api.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers (Redis down only degrades)',
        response: {
          '2xx': Type.Object({ status: Type.String(), checks: Type.Object({ database: Check, cache: Check }) }),
          503: Type.Object({ status: Type.String(), checks: Type.Object({ database: Check, cache: Check }) }),
        },
      },
    },
    async (_req, reply) => {
      const database = await db.ping(2_000).then(
        () => 'up' as const,
        () => 'down' as const,
      );
      const cache = cacheHealth();
      const status = database === 'down' ? 'unavailable' : cache === 'down' ? 'degraded' : 'ready';
      return reply.code(database === 'down' ? 503 : 200).send({ status, checks: { database, cache } });
    },
  );
}
