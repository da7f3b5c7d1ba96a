import http from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Config } from './config.js';
import { withAdmission } from './infra/db/admission.js';
import type { Db } from './infra/db/types.js';
import { createCached, createCacheInvalidator } from './infra/cache/http/cached.js';
import { createFastHits, type FastHits } from './infra/cache/http/fast-hits.js';
import { createResponseCache } from './infra/cache/response-cache.js';
import { registerProblemHandlers } from './infra/http/problem.js';
import { createRequestId } from './infra/http/request-id.js';
import { registerSecurityHeaders } from './infra/http/security-headers.js';
import { validatorCompiler } from './infra/http/validation.js';
import { accessLogger, OneLineRequestLog, requestLevel } from './infra/logging.js';
import { createMetrics, registerMetrics } from './infra/metrics/index.js';
import { createRedisConnection } from './infra/redis/connection.js';
import { headerAuthenticator, principalOf, registerAuthGuard } from './modules/auth/guard.js';
import { createLoginLimits } from './modules/auth/login-limits.js';
import { createPasswords } from './modules/auth/passwords.js';
import { createIdentityRepo } from './modules/auth/repo.js';
import { createRevocations } from './modules/auth/revocations.js';
import { authRoutes } from './modules/auth/routes.js';
import { accessChangeWindowSeconds, createAuthService } from './modules/auth/service.js';
import { createTokenService, type Principal } from './modules/auth/tokens.js';
import { cacheAdminRoutes } from './modules/cache-admin/routes.js';
import { createBlueprintRepo } from './modules/blueprints/repo.js';
import { blueprintRoutes } from './modules/blueprints/routes.js';
import { createBlueprintService } from './modules/blueprints/service.js';
import { createVersionRepo } from './modules/blueprints/versions-repo.js';
import { versionRoutes } from './modules/blueprints/versions-routes.js';
import { createVersionService, versionRecorder } from './modules/blueprints/versions-service.js';
import { createEngineRepo } from './modules/engines/repo.js';
import { engineRoutes } from './modules/engines/routes.js';
import { createEngineService } from './modules/engines/service.js';
import { healthRoutes } from './modules/health/routes.js';
import { reviewRoutes } from './modules/review/routes.js';
import { createReviewService, guardrailSettingsTag } from './modules/review/service.js';
import { createProjectRepo } from './modules/projects/repo.js';
import { projectRoutes } from './modules/projects/routes.js';
import { createProjectService } from './modules/projects/service.js';
import { VERSION } from './version.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Stops answering repeated cache hits before routing (see src/infra/http/fast-hits.ts). */
    stopFastPath(): void;
  }
}

/** What buildApp is handed instead of opening itself: the composition root stays testable. */
export interface AppDeps {
  db: Db;
  /** Overrides the pino logger options (tests silence it). */
  logger?: FastifyServerOptions['logger'];
  /** The response cache's clock (epoch ms); tests step it over TTLs. */
  now?: () => number;
  /** Process-level instrumentation (tracing) given the app before any hook or route. */
  instrument?: (app: FastifyInstance) => void;
}

const ONE_MIB = 1024 * 1024;

/** Pino options: JSON lines, secrets redacted wherever they appear. */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.token',
        '*.refreshToken',
        'body.password',
      ],
      censor: '[redacted]',
    },
  };
}

/**
 * TRUST_PROXY as Fastify takes it. A hop count becomes the rule proxy-addr (Express) gives it:
 * trust the `n` hops nearest the server. Fastify 5.12 refuses a bare number because a client
 * reaching the app directly could then spoof X-Forwarded-For; a count is for deployments where
 * only the proxies can reach it (documented), and addresses/CIDRs are preferred.
 */
function trustProxyOption(trust: Config['trustProxy']): FastifyServerOptions['trustProxy'] {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

/** Builds the Fastify app (no listen): plugins, hooks, routes; the caller owns `deps`. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  // Repeated cache hits are answered in the server's request listener, before Fastify (see
  // fast-hits.ts); not under tracing, whose spans and log mixin come from the routed path.
  let fast: FastHits | undefined;
  const requestId = createRequestId();
  const app = Fastify({
    logger: deps.logger ?? loggerOptions(config.logLevel),
    bodyLimit: ONE_MIB,
    genReqId: requestId,
    trustProxy: trustProxyOption(config.trustProxy),
    return503OnClosing: true,
    logController: new OneLineRequestLog(config.logSlowMs),
    serverFactory(handler, options) {
      const opts = options as Record<
        'keepAliveTimeout' | 'requestTimeout' | 'connectionTimeout' | 'maxRequestsPerSocket',
        number
      >;
      const server = http.createServer((req, res) => {
        if (fast === undefined || !fast.handle(req, res)) handler(req, res);
      });
      // What Fastify applies to the server it creates itself.
      server.keepAliveTimeout = opts.keepAliveTimeout;
      server.requestTimeout = opts.requestTimeout;
      server.setTimeout(opts.connectionTimeout);
      if (opts.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
      return server;
    },
  });
  deps.instrument?.(app);
  app.setValidatorCompiler(validatorCompiler);
  registerProblemHandlers(app);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  registerSecurityHeaders(app);
  // RFC 7396 bodies are JSON.
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  // Every API route rejects unknown query parameters, even those that take none.
  app.addHook('onRoute', (route) => {
    if (!/^\/(api|health|cache)\//.test(route.url)) return;
    route.schema ??= {};
    route.schema.querystring ??= { type: 'object', properties: {}, additionalProperties: false };
  });

  if (config.corsOrigins.length > 0) {
    // Browsers hide response headers from scripts unless listed here.
    const exposedHeaders = ['ETag', 'Location', 'Retry-After', 'X-Request-Id', 'X-Cache'];
    await app.register(cors, { origin: config.corsOrigins, exposedHeaders });
  }
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'IAC Dharma API',
        version: VERSION,
        description: 'Blueprints, projects, IaC generation, cost and guardrails',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  // The UI's own policy (its scripts and styles by hash) replaces the API's on /docs routes; without
  // upgrade-insecure-requests, which would send the UI's requests to https on a plain-http server.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (csp) => csp.replace(/\s*upgrade-insecure-requests;?/, ''),
  });

  // Every statement and transaction of the modules goes through admission control; health checks
  // and the metrics collectors use the database directly, so they answer under any load.
  const admission = withAdmission(deps.db, {
    // PGlite runs one statement at a time whatever this is; it only bounds what waits inside it.
    permits: config.database.kind === 'postgres' ? config.database.poolMax : 4,
    queueMax: config.admission.queueMax,
    timeoutMs: config.admission.timeoutMs,
    onShed: (reason) => metrics.dbShed.inc({ reason }),
  });
  const { db } = admission;
  const identity = createIdentityRepo(db);
  const revocations = createRevocations({
    load: () => identity.recentAccessChanges(accessChangeWindowSeconds(config.auth.accessTtlSeconds)),
    pollMs: config.auth.revocationPollMs,
    log: app.log,
  });
  app.addHook('onReady', () => revocations.start());
  app.addHook('onClose', (_app, done) => {
    revocations.close();
    done();
  });
  const tokens = createTokenService(config.jwtSecret, config.auth.accessTtlSeconds, revocations);
  registerAuthGuard(app, tokens);
  const metrics = createMetrics({
    db: deps.db,
    admissionWaiting: admission.waiting,
    log: app.log,
    refreshMs: config.metricsRefreshMs,
    enabled: config.metricsEnabled,
    pgbouncerAdminUrl: config.pgbouncerAdminUrl,
    info: { version: VERSION, redis: Boolean(config.redis) },
  });
  registerMetrics(app, metrics, config.metrics);

  const cache = createResponseCache({
    l1MaxBytes: config.cacheL1MaxBytes,
    redis: config.redis && { url: config.redis.url, commandTimeoutMs: config.redis.commandTimeoutMs },
    registry: metrics.registry,
    log: app.log,
    now: deps.now,
  });
  app.addHook('onClose', () => cache.close());
  app.decorateRequest('cacheState', undefined);
  if (!deps.instrument) {
    fast = createFastHits({
      cache,
      authenticate: headerAuthenticator(tokens),
      revocationEpoch: tokens.revocationEpoch,
      requestId,
      series: metrics.enabled ? (labels) => metrics.httpDuration.bind(labels) : undefined,
      log: accessLogger(app.log),
      level: (ms) => requestLevel(200, ms, config.logSlowMs),
    });
  }
  // Fastify runs preClose a few ticks after close() is called; a draining server stops the fast
  // path first, in the same tick, so every request after that gets Fastify's closing behaviour.
  app.decorate('stopFastPath', () => fast?.close());
  app.addHook('preClose', (done) => {
    app.stopFastPath();
    done();
  });
  const cached = createCached(cache, (req) => principalOf(req).tenantId, config.redisTtlDefault, fast);

  // The login limits' own Redis connection (the cache's pair stays the cache's).
  const limitsRedis =
    config.redis &&
    createRedisConnection({
      ...config.redis,
      onStatus: (up, err) =>
        up
          ? app.log.info('login limits shared through Redis')
          : app.log.warn({ err }, 'login limits per replica: Redis down'),
    });
  if (limitsRedis) app.addHook('onClose', async () => void limitsRedis.disconnect());
  const auth = createAuthService({
    db,
    repo: identity,
    tokens,
    passwords: createPasswords(config.auth.hashing),
    limits: createLoginLimits(config.auth.limits, limitsRedis),
    refreshTtlSeconds: config.auth.refreshTtlSeconds,
    onAccessChange: (userId, role) => revocations.note(userId, role),
  });
  const blueprintRepo = createBlueprintRepo(db);
  // Each write drops, before it is acknowledged, every cached response it can change (the tags
  // each module's cache-tags.ts names), then brings the ones being read back up to date.
  const invalidate = createCacheInvalidator<Principal>(app, cache, (p) => `Bearer ${tokens.signAccess(p)}`);
  const versionRepo = createVersionRepo(db);
  const blueprints = createBlueprintService(db, blueprintRepo, invalidate, versionRecorder(versionRepo));
  const versions = createVersionService(versionRepo, blueprints);
  const engineRepo = createEngineRepo(db);
  const engines = createEngineService(blueprintRepo, {
    ...engineRepo,
    // Cached blueprint diffs show guardrail results, which the tenant's settings decide.
    async saveSettings(tenantId, s) {
      await engineRepo.saveSettings(tenantId, s);
      await cache.invalidate(tenantId, [guardrailSettingsTag(tenantId)]);
    },
  });
  const reviews = createReviewService(versions, engines.settings);
  const projects = createProjectService(
    db,
    createProjectRepo(db),
    blueprintRepo,
    invalidate,
    engines.projectsMonthlyCost,
  );

  healthRoutes(app, deps.db, cache.health);
  authRoutes(app, auth);
  blueprintRoutes(app, blueprints, cached);
  versionRoutes(app, versions, cached);
  reviewRoutes(app, reviews, cached);
  projectRoutes(app, projects, cached);
  engineRoutes(app, engines, cached);
  cacheAdminRoutes(app, cache, identity);
  return app;
}
