//! The names of every environment variable berth-fs reads: the lock timeout and the size caps
//! of [`crate::FileKind`]s. One place, so the README's list of overrides can be checked here.

/// Overrides [`crate::DEFAULT_LOCK_TIMEOUT`], in whole seconds.
pub const LOCK_TIMEOUT_ENV: &str = "BERTH_LOCK_TIMEOUT";
/// Overrides the size cap of `config.toml` reads, in bytes.
pub const MAX_CONFIG_BYTES_ENV: &str = "BERTH_MAX_CONFIG_BYTES";
/// Overrides the size cap of `auth.json` reads, in bytes.
pub const MAX_AUTH_BYTES_ENV: &str = "BERTH_MAX_AUTH_BYTES";
/// Overrides the size cap of remote identity sidecar reads, in bytes.
pub const MAX_SIDECAR_BYTES_ENV: &str = "BERTH_MAX_SIDECAR_BYTES";
/// Overrides the size cap of `marketplace.json` reads, in bytes.
pub const MAX_MARKETPLACE_BYTES_ENV: &str = "BERTH_MAX_MARKETPLACE_BYTES";
/// Overrides the size cap of plugin manifest and component file reads (`plugin.json`,
/// `.mcp.json`, `.app.json`, hooks), in bytes.
pub const MAX_MANIFEST_BYTES_ENV: &str = "BERTH_MAX_MANIFEST_BYTES";
/// Overrides the size cap of skill file reads (`SKILL.md`), in bytes.
pub const MAX_SKILL_BYTES_ENV: &str = "BERTH_MAX_SKILL_BYTES";
/// Overrides the size cap of the certificate authority file `CODEX_CA_CERTIFICATE` names, in
/// bytes.
pub const MAX_CA_CERTIFICATE_BYTES_ENV: &str = "BERTH_MAX_CA_CERTIFICATE_BYTES";
