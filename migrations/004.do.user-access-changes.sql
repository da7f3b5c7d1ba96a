-- Role changes and deletions of users, kept for as long as an access token issued before them
-- may still be valid (15 minutes plus a margin; writers prune older rows). Every replica reads
-- the recent rows every second or so and refuses tokens of a deleted user, or tokens stating a
-- higher role than the user holds now (src/modules/auth/revocations.ts). No foreign key: the row
-- must outlive a deleted user.
CREATE TABLE user_access_changes (
  user_id     uuid PRIMARY KEY,
  role        text CHECK (role IN ('admin', 'editor', 'viewer')),  -- NULL: the user was deleted
  changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_access_changes_changed_idx ON user_access_changes (changed_at);
