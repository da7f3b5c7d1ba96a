/**
 * Block-style YAML for JSON-like trees (CloudFormation templates), byte for byte what the `yaml`
 * package writes with YAML_OPTIONS, without building its node Document per call (the library's
 * cost dominated CloudFormation generation: figures in docs/ENGINES.md). Only the layout is written
 * here; every scalar decision (plain or quoted) comes from the library's own YAML 1.1 patterns, and
 * trees outside that fast path are written by `yaml.stringify` whole. The equality is tested
 * against the library (tests/unit/engines/yaml-writer.test.ts).
 */
import { Document, stringify } from 'yaml';

/** Options of the library writer this module reproduces (YAML 1.1: CloudFormation's parser). */
export const YAML_OPTIONS = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;

// The library's YAML 1.1 schema: a plain scalar matching one of these would read back as a
// non-string (null, bool, int, float, timestamp, merge key), so the library quotes it.
const NON_STRING_PATTERNS: readonly RegExp[] = (() => {
  const schema = new Document(null, { version: '1.1' }).schema;
  return [...schema.tags, ...(schema.compat ?? [])]
    .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && 'test' in t && t.test instanceof RegExp)
    .map((t) => (t as { test: RegExp }).test);
})();
const NON_STRING = new RegExp(NON_STRING_PATTERNS.map((re) => `(?:${re.source})`).join('|'));
// yaml's plainString(): strings the library never writes plain (leading indicator, ": ", " #", ...).
const INDICATOR = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
// Outside the fast path: line breaks (block scalars, indentation-dependent), control characters and
// lone surrogates (forced double quotes), document markers, and keys long enough to go explicit.
// eslint-disable-next-line no-control-regex -- the control characters are what this matches
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]|^(?:%|---|\.\.\.)/u;
const MAX_FAST_STRING = 1000;

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

// Written form of each string, plain or quoted: a template repeats its keys, types and IDs many
// times, and each decision costs three regular expressions. Bounded: blueprints bring their own
// strings, so the map is dropped whole when full rather than grown without limit.
const written = new Map<string, string>();
const WRITTEN_CACHE_SIZE = 4096;

function libraryScalar(value: string | number): string {
  return stringify(value, YAML_OPTIONS).slice(0, -1); // a lone scalar document ends in one "\n"
}

function str(value: string): string {
  let s = written.get(value);
  if (s === undefined) {
    if (value.length > MAX_FAST_STRING || UNSAFE.test(value)) throw UNSUPPORTED;
    s = value.length > 0 && !INDICATOR.test(value) && !NON_STRING.test(value) ? value : libraryScalar(value);
    if (written.size >= WRITTEN_CACHE_SIZE) written.clear();
    written.set(value, s);
  }
  return s;
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return str(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : libraryScalar(value);
    default:
      throw UNSUPPORTED; // null, undefined in a list, bigint, symbol, function
  }
}

function plainObject(v: object): Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw UNSUPPORTED;
  return v as Record<string, unknown>;
}

// Each writer gets the prefix of its first line separately: under "- " a collection starts inline.
// Returns whether anything was written (the library drops undefined values, so a map of only
// undefined values is an empty map, `{}`).
function writeMap(obj: Record<string, unknown>, indent: string, first: string, out: string[]): boolean {
  let prefix = first;
  let wrote = false;
  const inner = indent + '  ';
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === undefined) continue;
    const key = prefix + str(k) + ':';
    prefix = indent;
    wrote = true;
    if (v === null || typeof v !== 'object') out.push(key + ' ' + scalar(v) + '\n');
    else if (Array.isArray(v)) {
      if (v.length === 0) out.push(key + ' []\n');
      else {
        out.push(key + '\n');
        writeSeq(v, inner, inner, out);
      }
    } else {
      const at = out.length;
      out.push(key + '\n');
      if (!writeMap(plainObject(v), inner, inner, out)) out[at] = key + ' {}\n';
    }
  }
  return wrote;
}

function writeSeq(items: unknown[], indent: string, first: string, out: string[]): void {
  let prefix = first;
  const inner = indent + '  ';
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (v === undefined) throw UNSUPPORTED; // holes and undefined: the library writes null there
    const dash = prefix + '- ';
    prefix = indent;
    if (v === null || typeof v !== 'object') out.push(dash + scalar(v) + '\n');
    else if (Array.isArray(v)) {
      if (v.length === 0) out.push(dash + '[]\n');
      else writeSeq(v, inner, dash, out);
    } else if (!writeMap(plainObject(v), inner, dash, out)) out.push(dash + '{}\n');
  }
}

/**
 * YAML text of a JSON-like object, identical to `stringify(value, YAML_OPTIONS)` of the `yaml`
 * package (which it falls back to for anything outside the fast path).
 */
export function stringifyYaml(value: Record<string, unknown>): string {
  const out: string[] = [];
  try {
    if (writeMap(plainObject(value), '', '', out)) return out.join('');
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
  }
  return stringify(value, YAML_OPTIONS);
}
