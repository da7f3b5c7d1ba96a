import { ConfigError, loadConfig } from './config.js';
import pino from 'pino';
import { VERSION } from './version.js';

/** Reads config, opens the database (migrating), listens, and drains on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // Tracing must patch http, pg and ioredis before anything imports them, hence the dynamic
  // imports below; with tracing off no OpenTelemetry SDK module is loaded at all.
  const tracing = config.otlpEndpoint
    ? (await import('./infra/tracing/index.js')).startTracing({
        endpoint: config.otlpEndpoint,
        serviceName: 'iac-dharma',
        version: VERSION,
      })
    : undefined;
  const { buildApp, loggerOptions } = await import('./app.js');
  const { describeDatabase, openDatabase } = await import('./infra/db/index.js');
  // Lines are collected up to 4 KiB and written to stdout in one asynchronous write, or every
  // 250 ms when fewer arrive: one write per ~20 request lines instead of one per line. pino flushes
  // what is pending synchronously when the process exits (also on process.exit and crashes).
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250 });
  const logOptions = {
    ...(loggerOptions(config.logLevel) as object),
    ...(tracing && { mixin: tracing.logMixin }),
    stream,
  };

  const log = pino(logOptions as pino.LoggerOptions, stream);
  log.info(
    { database: config.database.kind, cache: config.redis ? 'l1+redis' : 'l1', tracing: Boolean(tracing) },
    `IAC Dharma starting on ${describeDatabase(config.database)}, cache ${config.redis ? 'L1 + Redis' : 'L1 only (no REDIS_URL)'}`,
  );
  const db = await openDatabase(config.database, config.migrate, log);
  const app = await buildApp(config, { db, logger: logOptions, instrument: tracing?.instrument });
  app.addHook('onClose', async () => db.close());
  if (tracing) app.addHook('onClose', () => tracing.shutdown());

  let stopping = false;
  // In-flight responses finished during the drain tell keep-alive clients to go away, so the
  // listener can close as soon as the last request is done.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (stopping) reply.header('connection', 'close');
    done(null, payload);
  });
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      app.log.warn('shutdown timeout reached; exiting with requests still in flight');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    app.stopFastPath();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  await app.metrics.listen();
}

main().catch((err) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
