import { Type } from '@sinclair/typebox';

/** A schema accepting exactly one of `values` (an enum as a union of literals). */
export const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));
