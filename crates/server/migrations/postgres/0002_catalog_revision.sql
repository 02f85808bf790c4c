-- Catalog revisions. Every publish or status change bumps `catalog_state.revision` and stamps the
-- changed plugin with the new value in the same transaction, so a running server keeps the
-- catalog in memory and reloads only the plugins stamped after the revision it holds.
-- Keep in step with the other backend's file of the same name.
CREATE TABLE catalog_state (
    id INTEGER PRIMARY KEY NOT NULL,
    revision BIGINT NOT NULL
);
INSERT INTO catalog_state (id, revision) VALUES (1, 1);
ALTER TABLE plugins ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
CREATE INDEX plugins_revision ON plugins (revision);
