import { EngineError } from '../../engines/index.js';
import { NotFoundError, UnprocessableError } from '../../errors.js';
import type { Principal } from '../auth/tokens.js';
import { assertMaxDepth, checkBlueprint } from '../blueprints/checks.js';
import type { VersionService } from '../blueprints/versions-service.js';
import type { Settings } from '../engines/schema.js';
import { reviewChange, type ReviewOptions, type ReviewReport, type ReviewSide } from './review.js';
import type { DiffQuery, ReviewBody } from './schema.js';

/** The tag of every cached entry that depends on a tenant's guardrail settings. */
export function guardrailSettingsTag(tenantId: string): string {
  return `${tenantId}:guardrail-settings`;
}

/** Runs a review; an EngineError (already pointing inside its side) becomes a 422. */
function run(from: ReviewSide | null, to: ReviewSide, opts: ReviewOptions): ReviewReport {
  try {
    return reviewChange(from, to, opts);
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    throw new UnprocessableError(err.message, err.path ? [{ path: err.path, message: err.message }] : undefined);
  }
}

/** Change review of stored versions and of inline blueprints, with the tenant's guardrail settings. */
export function createReviewService(versions: VersionService, settingsOf: (p: Principal) => Promise<Settings>) {
  return {
    /** `to` defaults to the current version, `from` to the version saved before `to` (none: a new blueprint). */
    async diff(p: Principal, id: string, q: DiffQuery): Promise<ReviewReport> {
      const to = q.to ? await versions.get(p, id, q.to) : await versions.latest(p, id);
      if (!to) throw new NotFoundError('Blueprint');
      const from = q.from ? await versions.get(p, id, q.from) : await versions.latest(p, id, to.version);
      return run((from as ReviewSide | undefined) ?? null, to as ReviewSide, {
        settings: await settingsOf(p),
        paths: { from: '/from', to: '/to' },
      });
    },

    async review(p: Principal, body: ReviewBody): Promise<ReviewReport> {
      if (body.from) checkBlueprint(body.from, '/from');
      checkBlueprint(body.to, '/to');
      if (body.parameters) assertMaxDepth(body.parameters, '/parameters');
      return run((body.from as ReviewSide | undefined) ?? null, body.to as ReviewSide, {
        parameters: body.parameters,
        budgetMonthly: body.budgetMonthly,
        settings: await settingsOf(p),
        paths: { from: '/from', to: '/to' },
      });
    },
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
