/**
 * Block-style YAML for JSON-like trees (CloudFormation templates), byte for byte what the `yaml`
 * package writes with YAML_OPTIONS, at a fraction of its cost: `stringify` builds a node Document
 * and copies a context object per pair, about 15 ms for a 40 KB template, most of the
 * CloudFormation budget. Only the layout (block maps and sequences, two-space indent, `{}`/`[]`
 * for empty collections) is written here; every scalar decision comes from the library itself:
 * a string is written plain only if the library's own YAML 1.1 tag patterns (and its plain-scalar
 * indicator rule) say it reads back as that string, anything else is quoted by `yaml.stringify`
 * for that one scalar. Trees outside that fast path (null, non-integer numbers are fine; multi-line
 * or control-character strings, non-plain objects, holes) are written by `yaml.stringify` whole.
 * tests/unit/engines/yaml-writer.test.ts checks the equality against the library.
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

// Quoted forms decided by the library, per string: few distinct values per template ("2010-09-09",
// "0", "true"), bounded so that user-supplied strings cannot grow it without limit.
const quoted = new Map<string, string>();
const QUOTED_CACHE_SIZE = 1000;

function libraryScalar(value: string | number): string {
  const key = typeof value === 'string' ? value : `\u0000${value}`;
  let s = quoted.get(key);
  if (s === undefined) {
    s = stringify(value, YAML_OPTIONS).slice(0, -1); // a lone scalar document ends in one "\n"
    if (quoted.size >= QUOTED_CACHE_SIZE) quoted.clear();
    quoted.set(key, s);
  }
  return s;
}

function str(value: string): string {
  if (value.length > MAX_FAST_STRING || UNSAFE.test(value)) throw UNSUPPORTED;
  if (value.length > 0 && !INDICATOR.test(value) && !NON_STRING.test(value)) return value;
  return libraryScalar(value);
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
      throw UNSUPPORTED;
  }
}

type Kind = 'scalar' | 'map' | 'seq' | 'empty-map' | 'empty-seq';

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function kindOf(value: unknown): Kind {
  if (value === null || typeof value !== 'object') return 'scalar';
  if (Array.isArray(value)) return value.length === 0 ? 'empty-seq' : 'seq';
  if (!isPlainObject(value)) throw UNSUPPORTED;
  for (const k in value) if (value[k] !== undefined) return 'map';
  return 'empty-map'; // the library drops undefined values, so all-undefined is {}
}

// Each writer gets the prefix of its first line separately: under "- " a collection starts inline.
function writeMap(obj: Record<string, unknown>, indent: string, first: string, out: string[]): void {
  let prefix = first;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === undefined) continue;
    const key = prefix + str(k) + ':';
    prefix = indent;
    const kind = kindOf(v);
    if (kind === 'scalar') out.push(`${key} ${scalar(v)}\n`);
    else if (kind === 'map') {
      out.push(key + '\n');
      writeMap(v as Record<string, unknown>, indent + '  ', indent + '  ', out);
    } else if (kind === 'seq') {
      out.push(key + '\n');
      writeSeq(v as unknown[], indent + '  ', indent + '  ', out);
    } else out.push(kind === 'empty-map' ? `${key} {}\n` : `${key} []\n`);
  }
}

function writeSeq(items: unknown[], indent: string, first: string, out: string[]): void {
  let prefix = first;
  for (let i = 0; i < items.length; i++) {
    if (!(i in items) || items[i] === undefined) throw UNSUPPORTED; // the library writes null there
    const v = items[i];
    const dash = prefix + '- ';
    prefix = indent;
    const kind = kindOf(v);
    if (kind === 'scalar') out.push(dash + scalar(v) + '\n');
    else if (kind === 'map') writeMap(v as Record<string, unknown>, indent + '  ', dash, out);
    else if (kind === 'seq') writeSeq(v as unknown[], indent + '  ', dash, out);
    else out.push(kind === 'empty-map' ? `${dash}{}\n` : `${dash}[]\n`);
  }
}

/**
 * YAML text of a JSON-like object, identical to `stringify(value, YAML_OPTIONS)` of the `yaml`
 * package (which it falls back to for anything outside the fast path).
 */
export function stringifyYaml(value: Record<string, unknown>): string {
  if (kindOf(value) === 'map') {
    const out: string[] = [];
    try {
      writeMap(value, '', '', out);
      return out.join('');
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
    }
  }
  return stringify(value, YAML_OPTIONS);
}
