//! Finding and parsing one marketplace file. A bad file is an error; a bad plugin entry is
//! skipped with a warning and the rest of the marketplace still loads.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use berth_plugin::PluginId;
use serde::Deserialize;
use serde_json::Value;

use crate::fallback::fallback_manifest;
use crate::source::parse_source;
use crate::{Marketplace, MarketplaceError, MarketplacePlugin, PluginPolicy};

/// Marketplace file locations under a marketplace root, in priority order.
pub const MARKETPLACE_RELATIVE_PATHS: [&str; 2] = [
    ".agents/plugins/marketplace.json",
    ".claude-plugin/marketplace.json",
];

/// The first marketplace file under `root`: anything there but a folder, so that a FIFO or
/// device in its place is reported by the read rather than taken for a missing file.
pub fn find_marketplace_file(root: &Path) -> Option<PathBuf> {
    MARKETPLACE_RELATIVE_PATHS
        .iter()
        .map(|relative| root.join(relative))
        .find(|path| path.metadata().is_ok_and(|meta| !meta.is_dir()))
}

/// Loads a marketplace from its file, or from the marketplace root containing one.
pub fn load_marketplace(path_or_root: &Path) -> Result<Marketplace, MarketplaceError> {
    let path = std::path::absolute(path_or_root).unwrap_or_else(|_| path_or_root.to_path_buf());
    let file = if path.is_dir() {
        find_marketplace_file(&path).ok_or_else(|| MarketplaceError::NotFound {
            path: path.join(MARKETPLACE_RELATIVE_PATHS[0]),
        })?
    } else {
        path
    };
    let text = berth_fs::read_bounded_to_string(&file, berth_fs::FileKind::Marketplace).map_err(
        |source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                MarketplaceError::NotFound { path: file.clone() }
            } else {
                MarketplaceError::Read {
                    path: file.clone(),
                    source,
                }
            }
        },
    )?;
    let raw: RawMarketplace =
        serde_json::from_str(&text).map_err(|error| MarketplaceError::InvalidFile {
            path: file.clone(),
            message: error.to_string(),
        })?;
    let root = marketplace_root(&file);
    let mut warnings = Vec::new();
    let mut plugins: Vec<MarketplacePlugin> = Vec::with_capacity(raw.plugins.len());
    let mut names: HashSet<&str> = HashSet::with_capacity(raw.plugins.len());
    for (index, entry) in raw.plugins.iter().enumerate() {
        let label = entry
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{index}"), str::to_owned);
        let parsed = parse_entry(entry, &raw.name, &root).and_then(|plugin| {
            // The entry's name is the plugin's (parse_entry takes it from there).
            match entry.get("name").and_then(Value::as_str) {
                Some(name) if !names.insert(name) => Err("duplicate plugin name".to_owned()),
                _ => Ok(plugin),
            }
        });
        match parsed {
            Ok(plugin) => plugins.push(plugin),
            Err(reason) => {
                let warning = format!("{}{reason}", skipped_entry_prefix(&label));
                tracing::debug!(marketplace = %file.display(), "{warning}");
                warnings.push(warning);
            }
        }
    }
    Ok(Marketplace {
        name: raw.name,
        display_name: raw
            .interface
            .and_then(|interface| interface.display_name)
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty()),
        file,
        root,
        plugins,
        warnings,
    })
}

/// How the warning about a skipped entry starts (its reason follows).
pub(crate) fn skipped_entry_prefix(label: &str) -> String {
    format!("skipping invalid marketplace plugin `{label}`: ")
}

#[derive(Deserialize)]
struct RawMarketplace {
    name: String,
    #[serde(default)]
    interface: Option<RawInterface>,
    #[serde(default)]
    plugins: Vec<Value>,
}

#[derive(Deserialize)]
struct RawInterface {
    #[serde(default, rename = "displayName")]
    display_name: Option<String>,
}

/// The directory containing `.agents/plugins/` or `.claude-plugin/`; for a file elsewhere, its
/// own directory.
fn marketplace_root(file: &Path) -> PathBuf {
    let levels = MARKETPLACE_RELATIVE_PATHS
        .iter()
        .find(|relative| file.ends_with(relative))
        .map_or(1, |relative| Path::new(relative).components().count());
    file.ancestors().nth(levels).unwrap_or(file).to_path_buf()
}

fn parse_entry(
    entry: &Value,
    marketplace_name: &str,
    root: &Path,
) -> Result<MarketplacePlugin, String> {
    let Value::Object(fields) = entry else {
        return Err("expected an object".to_owned());
    };
    let Some(name) = fields.get("name").and_then(Value::as_str) else {
        return Err("missing plugin `name`".to_owned());
    };
    let id = PluginId::new(name, marketplace_name).map_err(|error| error.to_string())?;
    let source = parse_source(fields.get("source").unwrap_or(&Value::Null), root)?;
    let policy = match fields.get("policy") {
        None | Some(Value::Null) => PluginPolicy::default(),
        Some(policy) => serde_json::from_value(policy.clone())
            .map_err(|error| format!("invalid policy: {error}"))?,
    };
    let category = match fields.get("category") {
        None | Some(Value::Null) => None,
        Some(Value::String(category)) => {
            Some(category.trim().to_owned()).filter(|category| !category.is_empty())
        }
        Some(_) => return Err("invalid category: expected a string".to_owned()),
    };
    let fallback_manifest = fallback_manifest(fields, name, category.as_deref());
    Ok(MarketplacePlugin {
        id,
        name: name.to_owned(),
        source,
        policy,
        category,
        fallback_manifest,
    })
}
