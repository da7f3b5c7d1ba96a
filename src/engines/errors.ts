/** Typed errors of the pure engines; the HTTP layer maps every EngineError to 422 problem+json. */

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

/** Escapes one JSON Pointer reference token (RFC 6901: "~" then "/"). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins tokens into a JSON Pointer. */
export function pointer(...tokens: Array<string | number>): string {
  return tokens.map((t) => '/' + pointerToken(t)).join('');
}
