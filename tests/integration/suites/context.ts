import type { TestApp } from '../../helpers/app.js';

/** Filled by the test file's `before`; suites read `ctx.t` lazily inside their tests. */
export interface SuiteContext {
  t: TestApp;
}

/** Login limits the API suites run with (low, so the 429 path is cheap to reach). */
export const SUITE_ENV = { LOGIN_FAILURES_PER_ACCOUNT: '3', LOGIN_FAILURES_PER_IP: '1000' };
