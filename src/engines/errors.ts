/** Typed errors of the pure engines; the HTTP layer maps every EngineError to 422 problem+json. */
import { pointer } from '../lib/json-pointer.js';

export { pointer };

/** Stable engine error codes (documented in docs/ENGINES.md). */
export const ENGINE_ERROR_CODES = [
  'unknown_sku',
  'unknown_region',
  'unresolved_parameter',
  'invalid_parameters',
  'unsupported_provider',
  'invalid_reference',
  'invalid_property',
  'invalid_blueprint',
  'limit_exceeded',
] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

/** A semantic problem with a well-formed blueprint; `path` is a JSON Pointer into the blueprint. */
export class EngineError extends Error {
  constructor(
    public code: EngineErrorCode,
    message: string,
    public path?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** One problem found in a blueprint. */
export interface Issue {
  code: EngineErrorCode;
  message: string;
  path: string;
}

/** The most issues one validation reports: enough to fix a blueprint, bounded in size. */
export const MAX_ISSUES = 50;

/**
 * Where checks report problems. Generation stops at the first (the sink throws it as an
 * EngineError); saving a blueprint collects them all, so the 422 names every offending pointer.
 */
export class IssueSink {
  readonly issues: Issue[] = [];
  constructor(readonly collect: boolean) {}

  /** Reports a problem: throws it, or records it when collecting. */
  add(code: EngineErrorCode, message: string, path: string): void {
    if (!this.collect) throw new EngineError(code, message, path);
    if (this.issues.length < MAX_ISSUES && !this.issues.some((i) => i.path === path && i.message === message))
      this.issues.push({ code, message, path });
  }

  /** Runs `fn`; an EngineError it throws is reported instead of propagating when collecting. */
  guard(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      if (!this.collect || !(err instanceof EngineError)) throw err;
      this.add(err.code, err.message, err.path ?? '');
      return false;
    }
  }
}
