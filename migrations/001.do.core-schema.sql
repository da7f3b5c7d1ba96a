-- Core schema: tenants, users, refresh tokens, blueprints, projects.
-- Every tenant-owned table leads its indexes with tenant_id, and lists page by
-- (tenant_id, id DESC): ids are UUIDv7, so id order is creation order and
-- keyset pagination reads O(page) rows however large a tenant grows.

CREATE TABLE tenants (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id             uuid PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email          text NOT NULL,
  password_hash  text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  is_operator    boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);
-- Emails are unique across the platform, case-insensitively (stored lower-cased).
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_tenant_id_idx ON users (tenant_id, id DESC);

CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id   uuid NOT NULL,
  token_hash  text NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE blueprints (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name         text NOT NULL,
  description  text NOT NULL DEFAULT '',
  provider     text NOT NULL CHECK (provider IN ('aws', 'azure', 'gcp')),
  region       text NOT NULL,
  version      text NOT NULL,
  status       text NOT NULL CHECK (status IN ('draft', 'published')),
  parameters   jsonb NOT NULL,
  resources    jsonb NOT NULL,
  tags         jsonb NOT NULL,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX blueprints_tenant_idx ON blueprints (tenant_id, id DESC);
CREATE INDEX blueprints_tenant_provider_idx ON blueprints (tenant_id, provider, id DESC);
CREATE INDEX blueprints_tenant_status_idx ON blueprints (tenant_id, status, id DESC);

CREATE TABLE projects (
  id              uuid PRIMARY KEY,
  tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name            text NOT NULL,
  description     text NOT NULL DEFAULT '',
  environment     text NOT NULL CHECK (environment IN ('dev', 'staging', 'prod')),
  status          text NOT NULL CHECK (status IN ('active', 'on_hold', 'completed', 'archived')),
  budget_monthly  double precision,
  owner           uuid NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX projects_tenant_idx ON projects (tenant_id, id DESC);
CREATE INDEX projects_tenant_status_idx ON projects (tenant_id, status, id DESC);
CREATE INDEX projects_tenant_env_idx ON projects (tenant_id, environment, id DESC);

-- Which blueprints a project uses, in order. RESTRICT makes "delete a blueprint a
-- project uses" a constraint, not a race between a check and a delete.
CREATE TABLE project_blueprints (
  project_id    uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  blueprint_id  uuid NOT NULL REFERENCES blueprints (id) ON DELETE RESTRICT,
  position      integer NOT NULL,
  PRIMARY KEY (project_id, blueprint_id)
);
CREATE INDEX project_blueprints_blueprint_idx ON project_blueprints (blueprint_id);
