-- Blueprint history: every saved version of a blueprint, immutable. The application writes a
-- row in the same transaction as the blueprint's insert or update (a copy of the row it just
-- wrote), so the history never misses or invents a version. Rows are never updated; deleting
-- the blueprint deletes its history (ON DELETE CASCADE).
CREATE TABLE blueprint_versions (
  -- UUIDv7: id order is save order, so history pages by (tenant_id, blueprint_id, id DESC).
  id             uuid PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  blueprint_id   uuid NOT NULL REFERENCES blueprints (id) ON DELETE CASCADE,
  version        text NOT NULL,
  name           text NOT NULL,
  description    text NOT NULL,
  provider       text NOT NULL,
  region         text NOT NULL,
  status         text NOT NULL,
  parameters     jsonb NOT NULL,
  resources      jsonb NOT NULL,
  tags           jsonb NOT NULL,
  -- Who saved this version and when (the blueprint's updated_at at that save).
  saved_by       uuid NOT NULL,
  saved_at       timestamptz NOT NULL,
  -- Set when the version was made by restoring an older one.
  restored_from  text,
  UNIQUE (blueprint_id, version)
);
CREATE INDEX blueprint_versions_page_idx ON blueprint_versions (tenant_id, blueprint_id, id DESC);

-- Adds the current version of every blueprint that has none in the history yet: blueprints
-- saved before this migration, and rows a bulk loader (npm run seed) inserts directly.
-- Idempotent: the id is derived from the blueprint (a UUIDv7 whose time is the save time, so
-- later versions sort after it), and an existing row is left alone. The saver of a version
-- written before history existed is not known: the blueprint's creator stands in for it.
CREATE FUNCTION backfill_blueprint_versions() RETURNS integer LANGUAGE sql AS $$
  WITH added AS (
    INSERT INTO blueprint_versions (id, tenant_id, blueprint_id, version, name, description, provider, region,
                                    status, parameters, resources, tags, saved_by, saved_at)
    SELECT (lpad(to_hex(floor(extract(epoch FROM b.updated_at) * 1000)::bigint), 12, '0')
              || '7' || substr(h.hex, 1, 3) || '8' || substr(h.hex, 4, 15))::uuid,
           b.tenant_id, b.id, b.version, b.name, b.description, b.provider, b.region,
           b.status, b.parameters, b.resources, b.tags, b.created_by, b.updated_at
    FROM blueprints b
    CROSS JOIN LATERAL (SELECT md5(b.id::text || '@' || b.version) AS hex) h
    WHERE NOT EXISTS (SELECT 1 FROM blueprint_versions v WHERE v.blueprint_id = b.id AND v.version = b.version)
    ON CONFLICT DO NOTHING
    RETURNING 1
  )
  SELECT count(*)::integer FROM added
$$;

SELECT backfill_blueprint_versions();
