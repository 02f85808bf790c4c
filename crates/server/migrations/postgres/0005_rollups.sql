-- Daily analytics rollups for the insights pages, active-install counts, and web sessions (keep
-- in step with the other backend's file of the same name).
-- Ingest adds each stored event to `analytics_daily` (per plugin, event type and UTC day) and each
-- `codex_plugin_used` event to `analytics_daily_models` (per plugin, day and `model_slug`) in the
-- transaction that stores the raw events. A plugin is keyed by its backend `remote_plugin_id`
-- when the event has one, else by its local `plugin_id` (both cut to 256 characters, models to
-- 128); the key '' holds the sums over every plugin, so an admin's totals read a few rows.
-- Retention prunes raw events only, never these.
CREATE TABLE analytics_daily (
    plugin_key TEXT NOT NULL,
    event_type TEXT NOT NULL,
    day BIGINT NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (plugin_key, event_type, day)
);

CREATE TABLE analytics_daily_models (
    plugin_key TEXT NOT NULL,
    day BIGINT NOT NULL,
    model TEXT NOT NULL,
    uses BIGINT NOT NULL,
    PRIMARY KEY (plugin_key, day, model)
);

-- Active installs of a plugin (rows of `installs`) at the end of each day it changed, written
-- by every install and uninstall.
CREATE TABLE install_counts (
    plugin_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    active BIGINT NOT NULL,
    PRIMARY KEY (plugin_id, day)
);
CREATE INDEX installs_by_plugin ON installs (plugin_id);

-- Web sign-in sessions, stored by the SHA-256 of their cookie value; revoking the token or
-- removing the account ends them.
CREATE TABLE web_sessions (
    id_sha256 TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_sha256 TEXT NOT NULL REFERENCES tokens (token_sha256) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- Backfill from the events and installs stored before this migration.
INSERT INTO analytics_daily (plugin_key, event_type, day, events)
SELECT plugin_key, event_type, day, COUNT(*) FROM (
    SELECT substr(COALESCE(NULLIF(remote_plugin_id, ''), NULLIF(plugin_id, '')), 1, 256) AS plugin_key,
           event_type, received_at / 86400 AS day
    FROM analytics_events
) keyed WHERE plugin_key IS NOT NULL
GROUP BY plugin_key, event_type, day;

INSERT INTO analytics_daily_models (plugin_key, day, model, uses)
SELECT plugin_key, day, model, COUNT(*) FROM (
    SELECT substr(COALESCE(NULLIF(remote_plugin_id, ''), NULLIF(plugin_id, '')), 1, 256) AS plugin_key,
           received_at / 86400 AS day,
           substr(CASE WHEN jsonb_typeof(event_params::jsonb -> 'model_slug') = 'string'
               THEN event_params::jsonb ->> 'model_slug' ELSE '' END, 1, 128) AS model
    FROM analytics_events WHERE event_type = 'codex_plugin_used'
) keyed WHERE plugin_key IS NOT NULL
GROUP BY plugin_key, day, model;

INSERT INTO analytics_daily (plugin_key, event_type, day, events)
SELECT '', event_type, day, SUM(events) FROM analytics_daily GROUP BY event_type, day;

INSERT INTO analytics_daily_models (plugin_key, day, model, uses)
SELECT '', day, model, SUM(uses) FROM analytics_daily_models GROUP BY day, model;

INSERT INTO install_counts (plugin_id, day, active)
SELECT plugin_id, day, SUM(installed) OVER (PARTITION BY plugin_id ORDER BY day) FROM (
    SELECT plugin_id, installed_at / 86400 AS day, COUNT(*) AS installed
    FROM installs GROUP BY plugin_id, installed_at / 86400
) per_day;
