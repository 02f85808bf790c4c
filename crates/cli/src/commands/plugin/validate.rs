//! `berth plugin validate DIR`: the checks `berth publish` and the plugin service run before a
//! release is accepted (the manifest, every skill's `SKILL.md`, `.mcp.json`, `.app.json`, hooks,
//! a safe and small enough bundle), run locally, with what the bundle would hold.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::commands::publish::{human, validate_and_pack};
use crate::printer;

/// `berth plugin validate`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// The plugin folder (holding `.codex-plugin/plugin.json`).
    pub(crate) plugin_dir: PathBuf,
    /// Output as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let (plugin, packed) = validate_and_pack(&args.plugin_dir)?;
    let mcp_servers: Vec<&str> = plugin
        .release
        .mcp_servers
        .iter()
        .map(|server| server.key.as_str())
        .collect();
    if args.json {
        printer::json(&serde_json::json!({
            "valid": true,
            "name": plugin.name,
            "version": plugin.version,
            "skills": plugin.skills.iter().map(|skill| &skill.name).collect::<Vec<_>>(),
            "mcpServers": mcp_servers,
            "apps": plugin.release.app_ids,
            "files": packed.files.len(),
            "bundleBytes": packed.bytes.len(),
            "bundleSha256": packed.sha256_hex,
            "notes": plugin.notes,
        }))?;
    } else {
        printer::line(format!(
            "{} {} is valid: {} skills, {} MCP servers, {} apps; {} files packing into {} (sha256 {})",
            plugin.name,
            plugin.version,
            plugin.skills.len(),
            mcp_servers.len(),
            plugin.release.app_ids.len(),
            packed.files.len(),
            human(packed.bytes.len() as u64),
            packed.sha256_hex
        ))?;
        for note in &plugin.notes {
            printer::note(format!("note: {note}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
