-- A service a team runs (keep in step with the other backend's file of the same name):
-- tokens get an id to list and revoke them by, scopes (read, publish, admin), an optional list of
-- plugin ids a publish token may publish, an expiry and a revocation time; existing tokens keep
-- working as read + publish. The key that signs minted tokens lives here so every instance
-- verifies the same tokens. Every release ever published is kept, immutable, with the account
-- that published it; a plugin whose releases are all withdrawn is no longer offered.
ALTER TABLE tokens ADD COLUMN id TEXT;
ALTER TABLE tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read publish';
ALTER TABLE tokens ADD COLUMN plugin_ids TEXT;
ALTER TABLE tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE tokens ADD COLUMN revoked_at BIGINT;
UPDATE tokens SET id = substr(token_sha256, 1, 16);
CREATE UNIQUE INDEX tokens_id ON tokens (id);
CREATE INDEX tokens_account ON tokens (account_id);

ALTER TABLE accounts ADD COLUMN email TEXT;

CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE releases (
    plugin_id TEXT NOT NULL,
    version TEXT NOT NULL,
    seq BIGINT NOT NULL,
    bundle_sha256 TEXT NOT NULL,
    bundle_bytes BIGINT NOT NULL,
    release_json TEXT NOT NULL,
    skills_json TEXT NOT NULL,
    published_by TEXT,
    published_at BIGINT NOT NULL,
    withdrawn_at BIGINT,
    PRIMARY KEY (plugin_id, version)
);
CREATE INDEX releases_bundle ON releases (bundle_sha256);
CREATE INDEX releases_publisher ON releases (published_by, plugin_id);

INSERT INTO releases (plugin_id, version, seq, bundle_sha256, bundle_bytes, release_json,
                      skills_json, published_by, published_at, withdrawn_at)
SELECT p.id, p.version, p.revision, p.bundle_sha256, 0, p.release_json,
       COALESCE((SELECT json_agg(json_build_object('name', s.name, 'skill_md', s.skill_md))::text
                 FROM plugin_skills s WHERE s.plugin_id = p.id), '[]'),
       p.owner_account_id, p.updated_at, NULL
FROM plugins p;

ALTER TABLE plugins ADD COLUMN withdrawn BIGINT NOT NULL DEFAULT 0;
