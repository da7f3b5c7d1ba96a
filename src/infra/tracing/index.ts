// OpenTelemetry tracing, loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set: server.ts imports
// this module dynamically, before anything that imports http, pg or ioredis, so the
// instrumentations can patch them. With tracing off nothing here (or of the SDK) is ever loaded.
import { register } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { FastifyInstance } from 'fastify';

/** A running tracer: the Fastify hook that names server spans, the log mixin, and the flush. */
export interface Tracing {
  /** Names each HTTP server span by its route template (`GET /api/blueprints/:id`). */
  instrument(app: FastifyInstance): void;
  /** Pino mixin: the active span's ids on every log line written inside a request. */
  logMixin(): Record<string, string>;
  /** Flushes pending spans and stops exporting. */
  shutdown(): Promise<void>;
}

/** Starts the tracer provider exporting OTLP/HTTP (JSON) to `${endpoint}/v1/traces`. */
export function startTracing(opts: { endpoint: string; serviceName: string; version: string }): Tracing {
  // The app is ESM: pg and ioredis are patched through import-in-the-middle's loader hook, which
  // wraps only the modules listed (wrapping every module would tax every cross-module call).
  // http needs no hook: Fastify is CommonJS and require()s it, which the instrumentation patches.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: ['pg', 'pg-pool', 'ioredis'] },
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, 'service.version': opts.version }),
    // Batches (OTEL_BSP_* tune it): exporting never sits on the request path.
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${opts.endpoint.replace(/\/+$/, '')}/v1/traces` })),
    ],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Scrapes and probes would drown the traces that matter.
        ignoreIncomingRequestHook: (req) => req.url === '/metrics' || (req.url ?? '').startsWith('/health/'),
      }),
      // Statement text only, never parameter values (they can carry credentials).
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });

  return {
    instrument(app) {
      app.addHook('onRequest', (request, _reply, done) => {
        const rpc = getRPCMetadata(context.active());
        if (rpc?.type === RPCType.HTTP) rpc.route = request.routeOptions.url ?? 'unmatched';
        done();
      });
    },
    logMixin(): Record<string, string> {
      const ids = trace.getActiveSpan()?.spanContext();
      return ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
    },
    shutdown: () => provider.shutdown(),
  };
}
