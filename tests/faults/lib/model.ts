import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';

// What the load believes the database holds, built only from the answers it got, and the check
// of the database against it. Each entity is written by one worker, one request at a time, so its
// expected state is exact: the last acknowledged state, or, after a write that got no
// acknowledgement (503, reset, refused), that state or the attempted one, never anything else.
// An entity whose last write is unacknowledged is frozen: the load leaves it alone from then on.

/** A blueprint's content the load varies: `rev k` in the description and a tag, version 1.k.0. */
export interface BlueprintState {
  description: string;
  revision: string;
  version: string;
}

/** A project's content the load varies: name `<key> r<k>` and its blueprint links, all-or-nothing. */
export interface ProjectState {
  name: string;
  blueprintIds: string[];
}

/** One entity: keyed by its unique name (blueprints) or description (projects), since a create
 * that got no answer has no id. */
export interface Tracked<S> {
  key: string;
  id?: string;
  /** The last acknowledged state; 'absent' before an acknowledged create and after an acknowledged delete. */
  acked: S | 'absent';
  /** An unacknowledged write's target state, if any (then the entity is frozen). */
  pending?: S | 'absent';
  /** Blueprints only: whether projects may link it (then it is never deleted). */
  linkable?: boolean;
}

/** Every entity of the run, in creation order. */
export interface Model {
  blueprints: Tracked<BlueprintState>[];
  projects: Tracked<ProjectState>[];
}

/** The database contradicted the model. */
export interface Violation {
  kind: 'lost' | 'duplicated' | 'half-applied' | 'phantom' | 'stale-read';
  entity: string;
  detail: string;
}

/** `rev k` ↔ 1.k.0: a blueprint's version and content move together. */
export const blueprintState = (k: number): BlueprintState => ({
  description: `rev ${k}`,
  revision: `rev ${k}`,
  version: `1.${k}.0`,
});

const candidates = <S>(t: Tracked<S>): (S | 'absent')[] => (t.pending === undefined ? [t.acked] : [t.acked, t.pending]);
const show = (v: unknown) => JSON.stringify(v);

interface BlueprintRow {
  id: string;
  name: string;
  description: string;
  revision: string | null;
  version: string;
}

interface ProjectRow {
  id: string;
  name: string;
  description: string;
  blueprint_ids: string[];
}

/**
 * Compares the database (read directly, not through the app) with the model: 0 lost (an
 * acknowledged state missing), 0 duplicated (two rows for one create), 0 half-applied (a
 * blueprint's version out of step with its content, a project's links out of step with its
 * name), 0 phantom (a row the load never asked for).
 */
export async function checkDatabase(
  db: pg.Client,
  tenantId: string,
  prefix: string,
  model: Model,
): Promise<Violation[]> {
  const out: Violation[] = [];
  const bps = await db.query<BlueprintRow>(
    `SELECT id::text, name, description, tags->>'Revision' AS revision, version FROM blueprints
     WHERE tenant_id = $1 AND name LIKE $2`,
    [tenantId, `${prefix}%`],
  );
  const bpRows = groupBy(bps.rows, (r) => r.name);
  for (const [name, rows] of bpRows) {
    if (rows.length > 1) out.push({ kind: 'duplicated', entity: name, detail: `${rows.length} rows` });
  }
  const tracked = new Set<string>();
  for (const t of model.blueprints) {
    tracked.add(t.key);
    const row = bpRows.get(t.key)?.[0];
    const actual: BlueprintState | 'absent' = row
      ? { description: row.description, revision: row.revision ?? '', version: row.version }
      : 'absent';
    if (row && t.id && row.id !== t.id) {
      out.push({ kind: 'duplicated', entity: t.key, detail: `id ${row.id}, acknowledged as ${t.id}` });
    }
    if (row) {
      const k = /^rev (\d+)$/.exec(row.description)?.[1];
      if (k === undefined || row.version !== `1.${k}.0` || row.revision !== row.description) {
        out.push({ kind: 'half-applied', entity: t.key, detail: `content ${show(actual)}` });
        continue;
      }
    }
    if (!candidates(t).some((c) => isDeepStrictEqual(c, actual))) {
      out.push({
        kind: 'lost',
        entity: t.key,
        detail: `database ${show(actual)}, expected one of ${show(candidates(t))}`,
      });
    }
  }
  for (const name of bpRows.keys()) {
    if (!tracked.has(name)) out.push({ kind: 'phantom', entity: name, detail: 'a blueprint the load never created' });
  }

  const ps = await db.query<ProjectRow>(
    `SELECT p.id::text, p.name, p.description,
       ARRAY(SELECT pb.blueprint_id::text FROM project_blueprints pb WHERE pb.project_id = p.id ORDER BY pb.position) AS blueprint_ids
     FROM projects p WHERE p.tenant_id = $1 AND p.description LIKE $2`,
    [tenantId, `${prefix}%`],
  );
  const pRows = groupBy(ps.rows, (r) => r.description);
  for (const [key, rows] of pRows) {
    if (rows.length > 1) out.push({ kind: 'duplicated', entity: key, detail: `${rows.length} rows` });
  }
  const trackedProjects = new Map(model.projects.map((t) => [t.key, t]));
  for (const t of model.projects) {
    const row = pRows.get(t.key)?.[0];
    const actual: ProjectState | 'absent' = row ? { name: row.name, blueprintIds: row.blueprint_ids } : 'absent';
    if (row && t.id && row.id !== t.id) {
      out.push({ kind: 'duplicated', entity: t.key, detail: `id ${row.id}, acknowledged as ${t.id}` });
    }
    if (!candidates(t).some((c) => isDeepStrictEqual(c, actual))) {
      // A name from one write with the links of another is a half-applied transaction.
      const mixed = row && candidates(t).some((c) => c !== 'absent' && c.name === row.name);
      out.push({
        kind: mixed ? 'half-applied' : 'lost',
        entity: t.key,
        detail: `database ${show(actual)}, expected one of ${show(candidates(t))}`,
      });
    }
  }
  for (const key of pRows.keys()) {
    if (!trackedProjects.has(key))
      out.push({ kind: 'phantom', entity: key, detail: 'a project the load never created' });
  }
  const orphans = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM project_blueprints pb LEFT JOIN projects p ON p.id = pb.project_id WHERE p.id IS NULL`,
  );
  if (orphans.rows[0]!.n > 0) {
    out.push({
      kind: 'half-applied',
      entity: 'project_blueprints',
      detail: `${orphans.rows[0]!.n} links without a project`,
    });
  }
  return out;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), i]);
  return m;
}
