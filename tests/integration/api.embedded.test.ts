import { after, before, describe } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { authSuite } from './suites/auth.js';
import { blueprintSuite } from './suites/blueprints.js';
import { SUITE_ENV, type SuiteContext } from './suites/context.js';
import { projectSuite } from './suites/projects.js';
import { validationSuite } from './suites/validation.js';

// The same API suite as api.pgbouncer.test.ts, on the embedded default (in-memory PGlite).
describe('API on embedded PGlite', () => {
  const ctx = {} as SuiteContext;
  before(async () => {
    ctx.t = await startTestApp('embedded', SUITE_ENV);
  });
  after(() => ctx.t.close());
  authSuite(ctx);
  blueprintSuite(ctx);
  projectSuite(ctx);
  validationSuite(ctx);
});
