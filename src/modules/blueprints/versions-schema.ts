import { Type, type Static } from '@sinclair/typebox';
import { StatusSchema } from './schema.js';

/** A blueprint version string as the API writes them (`1.4.0`). */
export const VersionString = Type.String({
  pattern: '^(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})$',
});

export const VersionParams = Type.Object(
  { id: Type.String({ format: 'uuid' }), version: VersionString },
  { additionalProperties: false },
);

/** One entry of a blueprint's history: what `GET /api/blueprints/:id/versions` lists. */
export const VersionSummary = Type.Object({
  version: Type.String(),
  name: Type.String(),
  status: StatusSchema,
  resourceCount: Type.Integer(),
  savedAt: Type.String({ format: 'date-time', description: 'when this version was saved' }),
  savedBy: Type.String({ format: 'uuid', description: 'the user who saved it' }),
  restoredFrom: Type.Union([Type.String(), Type.Null()], {
    description: 'the older version this one restored, or null',
  }),
});
export type VersionSummary = Static<typeof VersionSummary>;
