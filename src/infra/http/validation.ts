import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { MAX_FIELD_ERRORS, type FieldError } from '../../errors.js';
import { escapePointer } from '../../lib/json-pointer.js';
import { findUnsafeJson } from './body-parser.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives one level down.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

function makeAjv(part: 'body' | 'url'): Ajv {
  const options: Options = {
    // Unknown fields are rejected by the schemas (additionalProperties: false), never stripped.
    removeAdditional: false,
    useDefaults: true,
    // Query strings and path params arrive as strings; JSON bodies must already have the right types.
    coerceTypes: part === 'url' ? 'array' : false,
    // A body stops at its first error: with allErrors a 1 MiB array of `{}` makes ~10^6 error
    // objects. A URL is at most 16 KiB (Node's header limit), so listing all of its errors is cheap.
    allErrors: part === 'url',
    // Errors carry their schema, so a message can name a pattern by its description.
    verbose: true,
    strict: false,
  };
  const ajv = new Ajv(options);
  addFormats(ajv);
  return ajv;
}

const bodyAjv = makeAjv('body');
const urlAjv = makeAjv('url');

// Bodies are checked for NUL, lone surrogates, depth and forbidden keys by their parser
// (body-parser.ts); query strings and path params here, before their schema.
function withUnsafeCheck(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown, ctx?: object) => {
    const unsafe = findUnsafeJson(data, 2);
    if (unsafe) {
      checked.errors = [
        {
          instancePath: unsafe.path === '/' ? '' : unsafe.path,
          keyword: 'unsafe',
          params: {},
          schemaPath: '#',
          message: unsafe.message,
        },
      ];
      return false;
    }
    const ok = validate(data, ctx as never);
    checked.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  checked.schemaEnv = validate.schemaEnv;
  return checked;
}

/** Fastify validator compiler: strict types for bodies, coercion for querystring/params/headers. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  httpPart === 'body' ? bodyAjv.compile(schema as object) : withUnsafeCheck(urlAjv.compile(schema as object));

// How a format error names its format ("must be a UUID"), never by the regular expression behind it.
const FORMAT_NAMES: Record<string, string> = {
  uuid: 'a UUID',
  email: 'an email address',
  'date-time': 'an RFC 3339 date-time',
  date: 'an RFC 3339 date',
  uri: 'a URI',
};
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

// A readable message for one Ajv error: enums list their values, formats are named, patterns
// are described by their schema's description when it has one.
function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).map(show).join(', ')}`;
    case 'const':
      return `must be ${show(p.allowedValue)}`;
    case 'format':
      return `must be ${FORMAT_NAMES[String(p.format)] ?? `a valid ${String(p.format)}`}`;
    case 'pattern': {
      const description = (e.parentSchema as { description?: unknown } | undefined)?.description;
      return typeof description === 'string' ? `must be ${description}` : `must match the pattern ${show(p.pattern)}`;
    }
    default:
      return e.message ?? 'is invalid';
  }
}

// The branch errors of a failed anyOf, folded into one: "must be number or null".
function anyOfMessage(branches: ErrorObject[]): string {
  const alternatives = branches.map((b) => messageOf(b).replace(/^must be /, ''));
  return `must be ${[...new Set(alternatives)].join(' or ')}`;
}

/**
 * Turns Ajv errors into at most MAX_FIELD_ERRORS `{path, message}`, `path` a JSON Pointer to the
 * offending field (for a bad key, to the key itself).
 */
export function toFieldErrors(errors: ErrorObject[]): FieldError[] {
  const out: { error: FieldError; schemaPath: string }[] = [];
  for (const e of errors) {
    const p = e.params as Record<string, unknown>;
    const key = (e as { propertyName?: string }).propertyName;
    let error: FieldError;
    if (e.keyword === 'propertyNames') continue; // its inner error already named the key
    if (key !== undefined) {
      error = { path: `${e.instancePath}/${escapePointer(key)}`, message: `key ${messageOf(e)}` };
    } else if (e.keyword === 'required') {
      error = { path: `${e.instancePath}/${escapePointer(String(p.missingProperty))}`, message: 'is required' };
    } else if (e.keyword === 'additionalProperties') {
      error = { path: `${e.instancePath}/${escapePointer(String(p.additionalProperty))}`, message: 'is not allowed' };
    } else if (e.keyword === 'anyOf') {
      const prefix = `${e.schemaPath}/`;
      const branches = errors.filter((b) => b.schemaPath.startsWith(prefix) && b.instancePath === e.instancePath);
      for (let i = out.length - 1; i >= 0; i--) if (out[i]!.schemaPath.startsWith(prefix)) out.splice(i, 1);
      error = { path: e.instancePath || '/', message: branches.length > 0 ? anyOfMessage(branches) : messageOf(e) };
    } else {
      error = { path: e.instancePath || '/', message: messageOf(e) };
    }
    out.push({ error, schemaPath: e.schemaPath });
  }
  return out.slice(0, MAX_FIELD_ERRORS).map((o) => o.error);
}
