//! The plugin manifest `.codex-plugin/plugin.json` (or `.claude-plugin/plugin.json`): where it
//! lives and what the installer needs from it.

mod location;

pub use location::{
    MANIFEST_RELATIVE_PATHS, ManifestHeader, ManifestHeaderError, find_manifest,
    read_manifest_header,
};
