import { Type, type SchemaOptions, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * A schema accepting exactly one of `values`. A JSON Schema `enum` (not a union of constants), so
 * a validation error can list the allowed values and the OpenAPI document shows them as one enum.
 */
export const literals = <T extends readonly string[]>(values: T): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/**
 * A property with a `default`: optional on the wire (not in the object's `required`, so the
 * OpenAPI document does not demand it), yet always present in the handler, because validation
 * fills the default in (useDefaults). Hence the static type stays that of `schema`.
 */
export function withDefault<T extends TSchema>(schema: T): T {
  if (!('default' in schema)) throw new Error('withDefault needs a schema with a default');
  return Type.Optional(schema) as unknown as T;
}

/** Bounds of a record: how many keys, and how long each key may be. */
export interface RecordBounds {
  maxProperties: number;
  keyMaxLength: number;
  keyMinLength?: number;
}

/** `{ [key: string]: value }` with its number of keys and their lengths bounded (`propertyNames`). */
export function boundedRecord<V extends TSchema>(value: V, bounds: RecordBounds, options: SchemaOptions = {}) {
  const { maxProperties, keyMaxLength, keyMinLength } = bounds;
  const propertyNames = {
    type: 'string',
    maxLength: keyMaxLength,
    ...(keyMinLength ? { minLength: keyMinLength } : {}),
  };
  return Type.Record(Type.String(), value, { ...options, maxProperties, propertyNames });
}
