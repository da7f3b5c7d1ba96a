import { after, before, describe } from 'node:test';
import { startTestApp, type Backend } from '../../helpers/app.js';
import { authSuite } from './auth.js';
import { blueprintSuite } from './blueprints.js';
import { bodiesSuite } from './bodies.js';
import { SUITE_ENV, type SuiteContext } from './context.js';
import { projectSuite } from './projects.js';
import { reviewSuite } from './review.js';
import { validationSuite } from './validation.js';
import { versionSuite } from './versions.js';

/** The whole API suite (auth, blueprints, projects, bad input) against one backend. */
export function apiSuite(title: string, backend: Backend): void {
  describe(title, () => {
    const ctx = {} as SuiteContext;
    before(async () => {
      ctx.t = await startTestApp(backend, SUITE_ENV);
    });
    after(() => ctx.t.close());
    authSuite(ctx);
    blueprintSuite(ctx);
    projectSuite(ctx);
    validationSuite(ctx);
    versionSuite(ctx);
    reviewSuite(ctx);
    bodiesSuite(ctx);
  });
}
