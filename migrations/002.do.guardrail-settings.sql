-- Per-tenant guardrail settings (allowed regions and sizes, required tags). A tenant without
-- a row uses the permissive defaults of SPEC §4.
CREATE TABLE guardrail_settings (
  tenant_id   uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  settings    jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
