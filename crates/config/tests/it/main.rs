//! Integration tests for `berth-config`: edits of real files on disk, locking and versions.

mod concurrency;
mod edits;
mod files;

use std::fs;
use std::io::Write as _;
use std::path::Path;

#[expect(clippy::unwrap_used, reason = "test helper: a failure fails the test")]
/// Writes `text` to `path` (tests may not use `fs::write`).
fn write_file(path: &Path, text: &str) {
    let mut file = fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(path)
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// A user-written config with comments, odd spacing, quoting styles and ordering that edits
/// must leave alone.
const HAND_WRITTEN: &str = r#"# My codex config — hands off, robots.
model = "o3"            # the default model
approval_policy='on-request'

[features]
plugins   = true  # master switch
# remote_plugin = true

[plugins."linear@openai-curated"]   # from the curated marketplace
enabled = true

[plugins."linear@openai-curated".mcp_servers.linear]
enabled_tools = [ "search",
  "create_issue" ]

[plugins.'sample@debug']
enabled=false

[marketplaces.debug]
source_type = "local"
source = "/src/debug-market"

# trailing comment
"#;
