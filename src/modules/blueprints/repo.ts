import fastJson from 'fast-json-stringify';
import type { Queryable } from '../../infra/db/types.js';
import { jsonbOrdered } from '../../lib/jsonb.js';
import { withBodies, type BodySource } from '../../lib/stored-bodies.js';
import { BlueprintSchema, type Blueprint, type BlueprintInput } from './schema.js';

/** A blueprint row as the driver reads it. */
export interface BlueprintRow {
  id: string;
  name: string;
  description: string;
  provider: Blueprint['provider'];
  region: string;
  version: string;
  status: Blueprint['status'];
  parameters: Blueprint['parameters'];
  resources: Blueprint['resources'];
  tags: Blueprint['tags'];
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, name, description, provider, region, version, status, parameters, resources, tags, created_by, created_at, updated_at';

/** A row as the API answers it. */
export function toBlueprint(r: BlueprintRow): Blueprint {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    provider: r.provider,
    region: r.region,
    version: r.version,
    status: r.status,
    parameters: r.parameters,
    resources: r.resources,
    tags: r.tags,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    createdBy: r.created_by,
  };
}

// The response body of a blueprint, exactly as the routes' serializer writes it: stored with the row
// when it is written (`doc`), so reads pass text through instead of parsing and re-serializing JSONB.
const serialize = fastJson(BlueprintSchema);

/** A blueprint's stored response body (null for rows written before bodies were stored). */
export interface BlueprintDoc {
  id: string;
  version: string;
  doc: string;
}

type Written = BlueprintInput & { id: string; version: string; createdBy: string; createdAt: Date; now: Date };

/** The body a GET of the row about to be written will answer, jsonb's key order included. */
function docOf(b: Written): string {
  return blueprintDocument({
    id: b.id,
    name: b.name,
    description: b.description,
    provider: b.provider,
    region: b.region,
    version: b.version,
    status: b.status ?? 'draft',
    parameters: b.parameters,
    resources: b.resources,
    tags: b.tags,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.now.toISOString(),
    createdBy: b.createdBy,
  } satisfies Blueprint);
}

/** The editable columns in the order INSERT ($3–$11) and UPDATE ($3–$11) both use. */
function writable(b: BlueprintInput & { version: string }): unknown[] {
  return [
    b.name,
    b.description,
    b.provider,
    b.region,
    b.version,
    b.status ?? 'draft',
    JSON.stringify(b.parameters),
    JSON.stringify(b.resources),
    JSON.stringify(b.tags),
  ];
}

/** Escapes LIKE wildcards so `q` is a plain substring. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface BlueprintFilter {
  provider?: string;
  status?: string;
  q?: string;
}

/**
 * The stored response body of a blueprint: what serializing the row read back gives (JSONB's key
 * order included); bulk loaders (the seed) write it with the rows they insert.
 */
export function blueprintDocument(b: Blueprint): string {
  return serialize({
    ...b,
    parameters: jsonbOrdered(b.parameters),
    resources: jsonbOrdered(b.resources),
    tags: jsonbOrdered(b.tags),
  });
}

/** All SQL about blueprints; every statement is scoped by tenant_id. */
export function createBlueprintRepo(db: Queryable) {
  const bodies = (tenantId: string): BodySource => ({
    async build(ids) {
      const { rows } = await db.query<BlueprintRow>(
        `SELECT ${COLUMNS} FROM blueprints WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
        [tenantId, ids],
      );
      return new Map(rows.map((r) => [r.id, serialize(toBlueprint(r))]));
    },
    store: (id, doc) =>
      db.query('UPDATE blueprints SET doc = $3 WHERE tenant_id = $1 AND id = $2 AND doc IS NULL', [tenantId, id, doc]),
  });
  return {
    /** A page of stored bodies, newest first (limit rows: ask one more to know there is a next page). */
    async listDocs(tenantId: string, f: BlueprintFilter, limit: number, after: string | undefined) {
      const { rows } = await db.query<{ id: string; doc: string | null }>(
        `SELECT id, doc FROM blueprints
         WHERE tenant_id = $1
           AND ($2::uuid IS NULL OR id < $2::uuid)
           AND ($3::text IS NULL OR provider = $3)
           AND ($4::text IS NULL OR status = $4)
           AND ($5::text IS NULL OR name ILIKE $5 OR description ILIKE $5)
         ORDER BY id DESC LIMIT $6`,
        [tenantId, after ?? null, f.provider ?? null, f.status ?? null, f.q ? likePattern(f.q) : null, limit],
      );
      return withBodies(rows, bodies(tenantId));
    },

    /** One stored body, with the version its ETag names. */
    async getDoc(tenantId: string, id: string): Promise<BlueprintDoc | undefined> {
      const { rows } = await db.query<{ id: string; version: string; doc: string | null }>(
        'SELECT id, version, doc FROM blueprints WHERE tenant_id = $1 AND id = $2',
        [tenantId, id],
      );
      const [row] = await withBodies(rows, bodies(tenantId));
      return row && { ...row, version: rows[0]!.version };
    },

    async get(tenantId: string, id: string, q: Queryable = db, forUpdate = false): Promise<Blueprint | undefined> {
      const { rows } = await q.query<BlueprintRow>(
        `SELECT ${COLUMNS} FROM blueprints WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
        [tenantId, id],
      );
      return rows[0] && toBlueprint(rows[0]);
    },

    async insert(
      tenantId: string,
      b: BlueprintInput & { id: string; version: string; createdBy: string; now: Date },
      q: Queryable = db,
    ): Promise<Blueprint> {
      const { rows } = await q.query<BlueprintRow>(
        `INSERT INTO blueprints (id, tenant_id, name, description, provider, region, version, status, parameters, resources, tags, created_by, created_at, updated_at, doc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)
         RETURNING ${COLUMNS}`,
        [b.id, tenantId, ...writable(b), b.createdBy, b.now, docOf({ ...b, createdAt: b.now })],
      );
      return toBlueprint(rows[0]!);
    },

    /** Rewrites the editable columns of `current` (a row read FOR UPDATE in transaction q). */
    async update(
      q: Queryable,
      tenantId: string,
      current: Pick<Blueprint, 'id' | 'createdAt' | 'createdBy'>,
      b: BlueprintInput & { version: string; now: Date },
    ): Promise<Blueprint> {
      const doc = docOf({ ...b, id: current.id, createdBy: current.createdBy, createdAt: new Date(current.createdAt) });
      const { rows } = await q.query<BlueprintRow>(
        `UPDATE blueprints SET name = $3, description = $4, provider = $5, region = $6, version = $7, status = $8,
           parameters = $9, resources = $10, tags = $11, updated_at = $12, doc = $13
         WHERE tenant_id = $1 AND id = $2
         RETURNING ${COLUMNS}`,
        [tenantId, current.id, ...writable(b), b.now, doc],
      );
      return toBlueprint(rows[0]!);
    },

    /** The tenant's projects that use a blueprint (for the 409 on delete). */
    async usedBy(q: Queryable, tenantId: string, id: string): Promise<{ id: string; name: string }[]> {
      const { rows } = await q.query<{ id: string; name: string }>(
        `SELECT p.id, p.name FROM project_blueprints pb JOIN projects p ON p.id = pb.project_id
         WHERE pb.blueprint_id = $2 AND p.tenant_id = $1 ORDER BY p.id`,
        [tenantId, id],
      );
      return rows;
    },

    async remove(q: Queryable, tenantId: string, id: string): Promise<boolean> {
      const { rowCount } = await q.query('DELETE FROM blueprints WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      return rowCount > 0;
    },

    /** Which of `ids` are this tenant's blueprints. */
    async existing(q: Queryable, tenantId: string, ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const { rows } = await q.query<{ id: string }>(
        'SELECT id FROM blueprints WHERE tenant_id = $1 AND id = ANY($2::uuid[])',
        [tenantId, ids],
      );
      return new Set(rows.map((r) => r.id));
    },
  };
}

export type BlueprintRepo = ReturnType<typeof createBlueprintRepo>;
