-- Analytics ingest that loses nothing and stays bounded (keep in step with the other backend's
-- file of the same name): each client batch's idempotency key is stored once, so a resent batch
-- is not stored twice; each account's daily volume is counted for its quota; each event's local
-- and backend plugin ids get columns of their own, for filters; received_at is indexed for
-- retention pruning and `--since`.
CREATE TABLE analytics_batches (
    account_id TEXT NOT NULL,
    batch_key TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, batch_key)
);
CREATE INDEX analytics_batches_received ON analytics_batches (received_at);

CREATE TABLE analytics_usage (
    account_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    events BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    PRIMARY KEY (account_id, day)
);

ALTER TABLE analytics_events ADD COLUMN plugin_id TEXT;
ALTER TABLE analytics_events ADD COLUMN remote_plugin_id TEXT;
UPDATE analytics_events SET
    plugin_id = CASE WHEN json_type(event_params, '$.plugin_id') = 'text'
        THEN json_extract(event_params, '$.plugin_id') END,
    remote_plugin_id = CASE WHEN json_type(event_params, '$.remote_plugin_id') = 'text'
        THEN json_extract(event_params, '$.remote_plugin_id') END;
CREATE INDEX analytics_events_received ON analytics_events (received_at);
