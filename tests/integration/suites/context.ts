import type { TestApp } from '../../helpers/app.js';

/** Filled by the test file's `before`; suites read `ctx.t` lazily inside their tests. */
export interface SuiteContext {
  t: TestApp;
}

/** Login limits the API suites run with (low, so the 429 path is cheap to reach). */
export const SUITE_ENV = { LOGIN_LIMIT_ACCOUNT_IP: '3/15m', LOGIN_LIMIT_IP: '1000/1m' };
