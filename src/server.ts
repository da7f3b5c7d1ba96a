import { buildApp, loggerOptions } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { describeDatabase, openDatabase } from './infra/db/index.js';
import pino from 'pino';

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
  const log = pino(loggerOptions(config.logLevel) as pino.LoggerOptions);
  log.info(
    { database: config.database.kind, cache: config.redis ? 'l1+redis' : 'l1' },
    `IAC Dharma starting on ${describeDatabase(config.database)}, cache ${config.redis ? 'L1 + Redis' : 'L1 only (no REDIS_URL)'}`,
  );
  const db = await openDatabase(config.database, config.migrate, log);
  const app = await buildApp(config, { db, logger: { ...(loggerOptions(config.logLevel) as object) } });
  app.addHook('onClose', async () => db.close());

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      app.log.warn('shutdown timeout reached; exiting with requests still in flight');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
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
}

main().catch((err) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
