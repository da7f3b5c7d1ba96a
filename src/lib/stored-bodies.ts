/** A row's id and its stored response body (null: written before bodies were stored). */
export interface BodyRow {
  id: string;
  doc: string | null;
}

/** How a repository builds the bodies of such rows from their columns, and stores them once built. */
export interface BodySource {
  build(ids: string[]): Promise<Map<string, string>>;
  store(id: string, doc: string): Promise<unknown>;
}

/**
 * The rows with every body filled in. Rows stored before bodies were are built from their
 * columns and their body written back (only where still null), so each is built at most once;
 * a row deleted meanwhile is left out. The write-back never delays the answer.
 */
export async function withBodies(rows: BodyRow[], source: BodySource): Promise<{ id: string; doc: string }[]> {
  const missing = rows.filter((r) => r.doc === null).map((r) => r.id);
  if (missing.length === 0) return rows as { id: string; doc: string }[];
  const built = await source.build(missing);
  for (const [id, doc] of built) source.store(id, doc).catch(() => undefined);
  return rows.flatMap((r) => {
    const doc = r.doc ?? built.get(r.id);
    return doc === undefined ? [] : [{ id: r.id, doc }];
  });
}
