import microdiff from 'microdiff';
import type { BlueprintResource, BlueprintSpec } from '../../engines/index.js';
import { escapePointer } from '../../lib/json-pointer.js';

/** One changed value, addressed by a JSON Pointer (RFC 6901); ops named as in RFC 6902. */
export interface PropertyChange {
  op: 'add' | 'remove' | 'replace';
  path: string;
  before?: unknown;
  after?: unknown;
}

/** A resource that appeared or disappeared. */
export interface ResourceRef {
  name: string;
  type: string;
  count: number;
}

/** A resource present on both sides (matched by name) whose type, count or properties changed. */
export interface ResourceChange {
  name: string;
  type: string;
  /** Pointers relative to the resource: `/properties/size`, `/count`, `/type`. */
  changes: PropertyChange[];
}

/** How two blueprints differ: blueprint-level fields, and resources matched by name. */
export interface BlueprintDiff {
  /** Pointers into the blueprint (`/region`, `/tags/Owner`, `/parameters/properties/size/default`). */
  blueprint: PropertyChange[];
  resources: { added: ResourceRef[]; removed: ResourceRef[]; changed: ResourceChange[] };
}

// Everything a review compares outside `resources` (description and status included: a
// reviewer sees every edit, even those no engine reads).
const FIELDS = ['name', 'description', 'provider', 'region', 'status', 'parameters', 'tags'] as const;

type Side = Partial<BlueprintSpec> & { description?: string; status?: string };

/** A copy with every object's keys sorted: stored (jsonb) and inline key orders diff alike. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]),
  );
}

/** The changes between two JSON values, each under `base`, in key order (not insertion order). */
export function valueChanges(before: unknown, after: unknown, base = ''): PropertyChange[] {
  return changesOf(sortedKeys(before), sortedKeys(after), base);
}

function changesOf(before: unknown, after: unknown, base: string): PropertyChange[] {
  const container = (v: unknown) => v !== null && typeof v === 'object';
  if (!container(before) || !container(after) || Array.isArray(before) !== Array.isArray(after)) {
    if (before === undefined && after === undefined) return [];
    if (before === undefined) return [{ op: 'add', path: base, after }];
    if (after === undefined) return [{ op: 'remove', path: base, before }];
    return Object.is(before, after) ? [] : [{ op: 'replace', path: base, before, after }];
  }
  return microdiff(before as object, after as object).map((d) => {
    const path = base + d.path.map((t) => `/${escapePointer(String(t))}`).join('');
    if (d.type === 'CREATE') return { op: 'add', path, after: d.value };
    if (d.type === 'REMOVE') return { op: 'remove', path, before: d.oldValue };
    return { op: 'replace', path, before: d.oldValue, after: d.value };
  });
}

const ref = (r: BlueprintResource): ResourceRef => ({ name: r.name, type: r.type, count: r.count ?? 1 });

/** Compares two blueprints (`from` null: everything is added). Order of resources is not a change. */
export function diffBlueprints(from: Side | null, to: Side): BlueprintDiff {
  const blueprint = FIELDS.flatMap((f) => valueChanges(from?.[f], to[f], `/${f}`));
  const before = new Map((from?.resources ?? []).map((r) => [r.name, r]));
  const after = new Map((to.resources ?? []).map((r) => [r.name, r]));
  const added = [...after.values()].filter((r) => !before.has(r.name)).map(ref);
  const removed = [...before.values()].filter((r) => !after.has(r.name)).map(ref);
  const changed: ResourceChange[] = [];
  for (const [name, r] of after) {
    const old = before.get(name);
    if (!old) continue;
    const changes = [
      ...valueChanges(old.type, r.type, '/type'),
      ...valueChanges(old.count, r.count, '/count'),
      ...valueChanges(old.properties ?? {}, r.properties ?? {}, '/properties'),
    ];
    if (changes.length > 0) changed.push({ name, type: r.type, changes });
  }
  return { blueprint, resources: { added, removed, changed } };
}
