/**
 * The `${param.name}` reference grammar, the one source for the blueprint checks and every engine.
 * A name is a letter or "_" followed by up to 127 letters, digits, "_" or "-". Any other text
 * after a `${param.` marker is a malformed reference, never literal text: a typo must not turn
 * into a string that silently reaches the cloud.
 */

/** The characters a parameter name may use. */
export const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

const MARKER = '${param.';
const REF_AT = /\$\{param\.([A-Za-z_][A-Za-z0-9_-]{0,127})\}/y;

/** One piece of a string: literal text or a reference to a parameter. */
export type TemplatePart = string | { param: string };

/** A string holding parameter references. */
export interface ParsedTemplate {
  /** Literal text and references in order; empty literals are left out. */
  parts: TemplatePart[];
  /** The parameter, when the whole string is exactly one reference (it then keeps the value's type). */
  whole: string | undefined;
}

/** Malformed reference at character `index` of the string. */
export class ParamRefSyntaxError extends Error {
  constructor(readonly index: number) {
    super('malformed parameter reference: write ${param.<name>} with a name of letters, digits, "_" or "-"');
    this.name = 'ParamRefSyntaxError';
  }
}

/** True when the string contains a reference marker (cheap pre-check before parseTemplate). */
export function hasParamRef(s: string): boolean {
  return s.includes(MARKER);
}

/** Splits a string into literals and references; undefined when it holds none; throws ParamRefSyntaxError. */
export function parseTemplate(s: string): ParsedTemplate | undefined {
  let at = s.indexOf(MARKER);
  if (at < 0) return undefined;
  const parts: TemplatePart[] = [];
  let last = 0;
  while (at >= 0) {
    REF_AT.lastIndex = at;
    const m = REF_AT.exec(s);
    if (!m) throw new ParamRefSyntaxError(at);
    if (at > last) parts.push(s.slice(last, at));
    parts.push({ param: m[1]! });
    last = at + m[0].length;
    at = s.indexOf(MARKER, last);
  }
  if (last < s.length) parts.push(s.slice(last));
  const whole = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0]!.param : undefined;
  return { parts, whole };
}

/** The parameter a string references as a whole ("${param.x}" exactly), else undefined. */
export function wholeParamRef(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith(MARKER)) return undefined;
  try {
    return parseTemplate(value)?.whole;
  } catch {
    return undefined;
  }
}
