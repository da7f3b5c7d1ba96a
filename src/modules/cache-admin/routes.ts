import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ForbiddenError, ValidationError } from '../../errors.js';
import { compileGlob, GlobError } from '../../infra/cache/glob.js';
import type { ResponseCache } from '../../infra/cache/response-cache.js';
import { ROLE_EXTENSION } from '../../infra/http/openapi.js';
import { principalOf } from '../auth/guard.js';
import type { IdentityRepo } from '../auth/repo.js';

const TierCounts = Type.Object({ hits: Type.Integer(), misses: Type.Integer() }, { additionalProperties: true });
const StatsReply = Type.Object({
  hits: Type.Integer(),
  misses: Type.Integer(),
  hitRate: Type.Number(),
  keys: Type.Integer(),
  stale: Type.Integer(),
  bypass: Type.Integer(),
  evictions: Type.Integer(),
  tiers: Type.Object({ l1: TierCounts, l2: TierCounts }),
});
// 1–200 printable ASCII characters (no control characters, no spaces at either end is not required).
const Pattern = Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x20-\\x7E]+$' });

/**
 * /cache/stats, /cache/invalidate, /cache/clear: an admin acts on their own tenant's
 * namespace; a platform operator (flag set only by `npm run operator`) on every tenant's.
 */
export function cacheAdminRoutes(app: FastifyInstance, cache: ResponseCache, identity: IdentityRepo): void {
  // Route types come from the TypeBox schemas (no hand-written generics).
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  async function scope(req: FastifyRequest): Promise<string | '*'> {
    const p = principalOf(req);
    const user = await identity.findById(p.id);
    if (user?.isOperator) return '*';
    if (p.role !== 'admin') throw new ForbiddenError('Cache administration needs the admin role');
    return p.tenantId;
  }

  api.get(
    '/cache/stats',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['cache'],
        summary: "Response-cache statistics of the caller's tenant (operator: all tenants)",
        [ROLE_EXTENSION]: 'admin',
        response: { 200: StatsReply },
      },
    },
    async (req) => cache.stats(await scope(req)),
  );

  api.delete(
    '/cache/invalidate',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['cache'],
        summary: "Drop the caller's tenant's cache entries whose <family>:<route-key> matches a glob",
        [ROLE_EXTENSION]: 'admin',
        querystring: Type.Object({ pattern: Pattern }, { additionalProperties: false }),
        response: { 200: Type.Object({ invalidated: Type.Integer() }) },
      },
    },
    async (req) => {
      // A malformed glob is a 400, which comes before the role's 403.
      try {
        compileGlob(req.query.pattern);
      } catch (err) {
        if (!(err instanceof GlobError)) throw err;
        throw new ValidationError(`Invalid querystring: /pattern ${err.message}`, [
          { path: '/pattern', message: err.message },
        ]);
      }
      return { invalidated: await cache.invalidatePattern(await scope(req), req.query.pattern) };
    },
  );

  api.delete(
    '/cache/clear',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['cache'],
        summary: "Drop all of the caller's tenant's cache entries (operator: every tenant's)",
        [ROLE_EXTENSION]: 'admin',
        response: { 200: Type.Object({ cleared: Type.Integer() }) },
      },
    },
    async (req) => ({ cleared: await cache.clear(await scope(req)) }),
  );
}
