import { after, before, describe } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { authSuite } from './suites/auth.js';
import { blueprintSuite } from './suites/blueprints.js';
import { SUITE_ENV, type SuiteContext } from './suites/context.js';
import { projectSuite } from './suites/projects.js';
import { validationSuite } from './suites/validation.js';

// The full API suite against real PostgreSQL through real PgBouncer (transaction pooling).
describe('API on PostgreSQL through PgBouncer', () => {
  const ctx = {} as SuiteContext;
  before(async () => {
    ctx.t = await startTestApp('pgbouncer', SUITE_ENV);
  });
  after(() => ctx.t.close());
  authSuite(ctx);
  blueprintSuite(ctx);
  projectSuite(ctx);
  validationSuite(ctx);
});
