import type { FastifyInstance, FastifyServerOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/infra/db/index.js';
import type { Db } from '../../src/infra/db/types.js';
import { createTestDatabase, type TestDatabase } from './stack.js';

export type Backend = 'pgbouncer' | 'embedded';

/** An app under test with its own database; close() tears both down. */
export interface TestApp {
  app: FastifyInstance;
  db: Db;
  backend: Backend;
  database?: TestDatabase;
  /** How many statements outside transactions matched `re` so far (a spy, not a mock). */
  sqlCount(re: RegExp): number;
  close(): Promise<void>;
}

/**
 * Builds the app exactly as server.ts does, on a fresh database: through real PgBouncer
 * (migrations over the direct connection) or on in-memory PGlite.
 */
export async function startTestApp(
  backend: Backend,
  env: Record<string, string> = {},
  shared?: TestDatabase,
  options: {
    now?: () => number;
    logger?: FastifyServerOptions['logger'];
    /** Wraps the real database handle (e.g. to hold one statement back until a test releases it). */
    wrapDb?: (db: Db) => Db;
  } = {},
): Promise<TestApp> {
  const database = backend === 'pgbouncer' ? (shared ?? (await createTestDatabase())) : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    LOG_LEVEL: 'silent',
    // A free port for the /metrics listener when a test listens (many apps run side by side).
    METRICS_PORT: '0',
    // Every test registers its tenants from 127.0.0.1; tests of the limit itself set their own.
    REGISTER_LIMIT_IP: '1000000/1h',
    ...(database
      ? { DATABASE_URL: database.bouncerUrl, MIGRATIONS_DATABASE_URL: database.directUrl, DB_POOL_MIN: '0' }
      : { PGLITE_DIR: 'memory://' }),
    ...env,
  });
  const real = await openDatabase(config.database, true);
  const statements: string[] = [];
  const spied: Db = { ...real, query: (text, params) => (statements.push(text), real.query(text, params)) };
  const db = options.wrapDb?.(spied) ?? spied;
  const app = await buildApp(config, { db, logger: options.logger ?? false, now: options.now });
  await app.ready();
  return {
    app,
    db,
    backend,
    database,
    sqlCount: (re) => statements.filter((s) => re.test(s)).length,
    async close() {
      await app.close();
      await db.close();
      if (!shared) await database?.drop();
    },
  };
}

/** A registered tenant admin and its token. */
export interface Account {
  token: string;
  refreshToken: string;
  userId: string;
  tenantId: string;
  email: string;
  password: string;
}

let counter = 0;

/** Registers a new tenant (organization) and returns its first admin's credentials. */
export async function registerTenant(app: FastifyInstance, org = 'Acme'): Promise<Account> {
  counter += 1;
  const email = `admin${counter}.${Date.now()}@${org.toLowerCase().replace(/[^a-z]/g, '') || 'org'}.example`;
  const password = 'correct horse battery staple';
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: { email, password, organization: org },
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return {
    token: body.token,
    refreshToken: body.refreshToken,
    userId: body.user.id,
    tenantId: body.tenant.id,
    email,
    password,
  };
}

/** Adds a user with `role` to the admin's tenant and logs it in. */
export async function addUser(
  app: FastifyInstance,
  admin: Account,
  role: 'admin' | 'editor' | 'viewer',
): Promise<Account> {
  counter += 1;
  const email = `${role}${counter}.${Date.now()}@members.example`;
  const password = 'another long passphrase';
  const created = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: bearer(admin),
    payload: { email, password, role },
  });
  if (created.statusCode !== 201) throw new Error(`add user failed: ${created.statusCode} ${created.body}`);
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  const body = login.json();
  return {
    token: body.token,
    refreshToken: body.refreshToken,
    userId: body.user.id,
    tenantId: admin.tenantId,
    email,
    password,
  };
}

/** The Authorization header of an account. */
export function bearer(a: Pick<Account, 'token'>): Record<string, string> {
  return { authorization: `Bearer ${a.token}` };
}

/** A valid blueprint body; `over` replaces top-level fields. */
export function blueprintBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'three-tier web',
    description: 'VPC, subnet, web VM and a database',
    provider: 'aws',
    region: 'us-east-1',
    parameters: { type: 'object', properties: { size: { type: 'string', default: 't3.micro' } } },
    resources: [
      { name: 'vpc', type: 'network', properties: { cidr: '10.0.0.0/16' } },
      { name: 'web-subnet', type: 'subnet', properties: { network: 'vpc', cidr: '10.0.1.0/24' } },
      {
        name: 'web',
        type: 'vm',
        properties: { size: '${param.size}', image: 'ubuntu-22.04', subnet: 'web-subnet' },
        count: 2,
      },
    ],
    tags: { Environment: 'dev', Owner: 'platform', CostCenter: 'cc-1' },
    ...over,
  };
}

/** Asserts-free accessor for the problem body of a response. */
export function problemOf(res: LightMyRequestResponse): {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
} {
  return res.json();
}

/** Resolves once /health/ready reports the Redis tier up (the breaker starts open). */
export async function waitForCache(app: FastifyInstance, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await app.inject('/health/ready');
    if (res.json().checks?.cache === 'up') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('cache did not come up');
}
