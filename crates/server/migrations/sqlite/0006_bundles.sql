-- Bundles stored in the database (the default bundle store with PostgreSQL; `--bundle-store
-- database` here), so every instance on one database serves every bundle with no shared disk.
-- Keep in step with the other backend's file of the same name. A bundle is split into chunks
-- of `chunk_bytes` (the last one shorter); its `bundles` row is written in the same transaction
-- as its chunks, so a bundle with a row is complete. `stored_at` is when it was last stored
-- (storing it again renews it), which `berth serve gc` compares with its minimum age.
CREATE TABLE bundles (
    sha256 TEXT PRIMARY KEY NOT NULL,
    bytes BIGINT NOT NULL,
    chunk_bytes BIGINT NOT NULL,
    stored_at BIGINT NOT NULL
);

CREATE TABLE bundle_chunks (
    sha256 TEXT NOT NULL,
    idx BIGINT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (sha256, idx)
);
