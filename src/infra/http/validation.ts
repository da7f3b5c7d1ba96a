import { Ajv, type ErrorObject, type Options } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../../errors.js';
import { escapePointer } from '../../lib/json-pointer.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives one level down.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const options: Options = {
    // Unknown fields are rejected by the schemas (additionalProperties: false), never stripped.
    removeAdditional: false,
    useDefaults: true,
    // Query strings and path params arrive as strings; JSON bodies must already have the right types.
    coerceTypes: coerce ? 'array' : false,
    allErrors: true,
    strict: false,
  };
  const ajv = new Ajv(options);
  addFormats(ajv);
  return ajv;
}

const bodyAjv = makeAjv(false);
const paramAjv = makeAjv(true);

/** Fastify validator compiler: strict types for bodies, coercion for querystring/params/headers. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : paramAjv).compile(schema as object);

/** Turns Ajv errors into `{path, message}` with `path` a JSON Pointer to the offending field. */
export function toFieldErrors(errors: ErrorObject[]): FieldError[] {
  return errors.map((e) => {
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      return { path: `${e.instancePath}/${escapePointer(String(p.missingProperty))}`, message: 'is required' };
    }
    if (e.keyword === 'additionalProperties') {
      return { path: `${e.instancePath}/${escapePointer(String(p.additionalProperty))}`, message: 'is not allowed' };
    }
    return { path: e.instancePath || '/', message: e.message ?? 'is invalid' };
  });
}
