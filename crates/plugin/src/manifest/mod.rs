//! The plugin manifest `.codex-plugin/plugin.json` (or `.claude-plugin/plugin.json`): where it
//! lives ([`location`]), the normalised model ([`PluginManifest`]) and its loader, the component
//! files it points at (MCP servers, apps, hooks, skills) and the capability summary built from
//! an installed root.

mod components;
mod error;
mod interface;
mod load;
mod location;
mod model;
mod skills;
mod summary;

#[cfg(test)]
mod fixture;

pub use components::{
    DEFAULT_APP_CONFIG_FILE, DEFAULT_HOOKS_FILE, DEFAULT_MCP_CONFIG_FILE, PluginHook,
};
pub use error::{ManifestError, ManifestErrorKind};
pub use interface::{MAX_DEFAULT_PROMPT_LEN, MAX_DEFAULT_PROMPTS};
pub use load::{load_manifest, parse_manifest_str};
pub use location::{
    MANIFEST_RELATIVE_PATHS, ManifestHeader, ManifestHeaderError, find_manifest,
    read_manifest_header,
};
pub use model::{
    HooksSpec, LoadedManifest, McpServersSpec, PluginInterface, PluginManifest, WithWarnings,
};
pub use skills::{
    DEFAULT_SKILLS_DIR, PluginSkill, SKILL_FILE, SkillFrontmatter, parse_skill_frontmatter,
};
pub use summary::{plugin_capability_summary, plugin_capability_summary_from_root};
