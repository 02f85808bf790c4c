-- berth serve schema (SQLite). Keep in step with ../postgres/0001_init.sql: the queries are shared.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE tokens (
    token_sha256 TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE plugins (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    discoverability TEXT,
    owner_account_id TEXT,
    creator_name TEXT,
    share_url TEXT,
    share_principals TEXT NOT NULL,
    installation_policy TEXT NOT NULL,
    authentication_policy TEXT NOT NULL,
    status TEXT NOT NULL,
    version TEXT NOT NULL,
    bundle_sha256 TEXT NOT NULL,
    release_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX plugins_scope ON plugins (scope, id);
CREATE INDEX plugins_default_installed ON plugins (installation_policy, id);

CREATE TABLE plugin_skills (
    plugin_id TEXT NOT NULL REFERENCES plugins (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    skill_md TEXT NOT NULL,
    PRIMARY KEY (plugin_id, name)
);

CREATE TABLE plugin_shares (
    plugin_id TEXT NOT NULL REFERENCES plugins (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    PRIMARY KEY (plugin_id, account_id)
);
CREATE INDEX plugin_shares_account ON plugin_shares (account_id, plugin_id);

CREATE TABLE installs (
    account_id TEXT NOT NULL,
    plugin_id TEXT NOT NULL REFERENCES plugins (id) ON DELETE CASCADE,
    enabled BIGINT NOT NULL,
    disabled_skill_names TEXT NOT NULL,
    installed_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, plugin_id)
);

CREATE TABLE analytics_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at BIGINT NOT NULL,
    account_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_params TEXT NOT NULL
);
