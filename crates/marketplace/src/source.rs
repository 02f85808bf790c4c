//! Parsing a marketplace entry's `source`: a local directory under the marketplace root or a
//! git repository, with Codex's URL normalisation.

use std::path::{Component, Path};

use serde_json::{Map, Value};

use crate::add_source::{has_git_suffix, is_github, is_github_segment, is_scp_like};
use crate::{MarketplaceError, PluginSource};

/// Parses `source` (a `./` path string, or an object tagged `local`, `url` or `git-subdir`).
/// The error is the reason the entry is skipped.
pub(crate) fn parse_source(value: &Value, marketplace_root: &Path) -> Result<PluginSource, String> {
    match value {
        Value::String(path) => local_source(path, marketplace_root),
        Value::Object(fields) => match fields.get("source").and_then(Value::as_str) {
            Some("local") => match fields.get("path").and_then(Value::as_str) {
                Some(path) => local_source(path, marketplace_root),
                None => Err("local plugin source is missing `path`".to_owned()),
            },
            Some("url") => git_source(fields, false, marketplace_root),
            Some("git-subdir") => git_source(fields, true, marketplace_root),
            Some(other) => Err(format!("unsupported plugin source type `{other}`")),
            None => Err("plugin source object must have a `source` string".to_owned()),
        },
        Value::Null => Err("missing plugin source".to_owned()),
        Value::Bool(_) | Value::Number(_) | Value::Array(_) => {
            Err("unsupported plugin source: expected a string or object".to_owned())
        }
    }
}

fn local_source(path: &str, marketplace_root: &Path) -> Result<PluginSource, String> {
    let Some(relative) = path.strip_prefix("./") else {
        return Err(format!(
            "local plugin source path `{path}` must start with `./`"
        ));
    };
    let mut resolved = marketplace_root.to_path_buf();
    let mut has_component = false;
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => {
                resolved.push(part);
                has_component = true;
            }
            Component::CurDir
            | Component::ParentDir
            | Component::RootDir
            | Component::Prefix(_) => {
                return Err(format!(
                    "local plugin source path `{path}` must contain only normal components"
                ));
            }
        }
    }
    if has_component {
        Ok(PluginSource::Local { path: resolved })
    } else {
        Err("local plugin source path must not be empty".to_owned())
    }
}

/// The folder to install a local plugin source from: `source` resolved (links and `..`),
/// refused when the source root itself is a symlink (wherever it points) or when it resolves
/// outside `marketplace_root`. Links inside the source are never followed by the copy.
pub fn contained_local_source(
    marketplace_root: &Path,
    source: &Path,
) -> Result<std::path::PathBuf, MarketplaceError> {
    let resolve = |path: &Path| {
        std::fs::canonicalize(path).map_err(|err| MarketplaceError::ResolveSource {
            path: path.to_path_buf(),
            source: err,
        })
    };
    if std::fs::symlink_metadata(source).is_ok_and(|meta| meta.file_type().is_symlink()) {
        return Err(MarketplaceError::SymlinkedSource {
            path: source.to_path_buf(),
        });
    }
    let root = resolve(marketplace_root)?;
    let resolved = resolve(source)?;
    if resolved == root || !resolved.starts_with(&root) {
        return Err(MarketplaceError::SourceOutsideMarketplace {
            path: source.to_path_buf(),
            root,
        });
    }
    Ok(resolved)
}

fn git_source(
    fields: &Map<String, Value>,
    path_required: bool,
    marketplace_root: &Path,
) -> Result<PluginSource, String> {
    let Some(url) = fields.get("url").and_then(Value::as_str) else {
        return Err("git plugin source is missing `url`".to_owned());
    };
    let normalized =
        normalize_git_url(url).ok_or_else(|| format!("invalid git plugin source url `{url}`"))?;
    let url = if normalized.starts_with("./") || normalized.starts_with("../") {
        relative_repository(&normalized, marketplace_root)?
    } else {
        normalized
    };
    let path = match optional_string(fields, "path") {
        Some(path) => Some(repository_subdir(&path)?),
        None if path_required => {
            return Err("git-subdir plugin source is missing `path`".to_owned());
        }
        None => None,
    };
    Ok(PluginSource::Git {
        url,
        path,
        ref_name: optional_string(fields, "ref"),
        sha: optional_string(fields, "sha"),
    })
}

/// A `./`-relative repository URL resolved against the marketplace root, as Codex does; it
/// must stay inside the root.
fn relative_repository(url: &str, marketplace_root: &Path) -> Result<String, String> {
    let mut resolved = marketplace_root.to_path_buf();
    for component in Path::new(url).components() {
        match component {
            Component::Normal(part) => resolved.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "relative git plugin source url `{url}` must stay within the marketplace root"
                ));
            }
        }
    }
    Ok(resolved.to_string_lossy().into_owned())
}

fn optional_string(fields: &Map<String, Value>, key: &str) -> Option<String> {
    let value = fields.get(key)?.as_str()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// Normalises a repository sub-directory to `a/b`; it must stay inside the repository.
fn repository_subdir(path: &str) -> Result<String, String> {
    let outside = || format!("git plugin source path `{path}` must stay inside the repository");
    if path.starts_with('/') || path.contains('\\') {
        return Err(outside());
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(outside()),
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(outside());
    }
    Ok(parts.join("/"))
}

/// Normalises a git source URL the way Codex does: `http(s)://` URLs are kept (GitHub https
/// URLs get `.git` appended); `file://`, `ssh://`, `git@host:path` and `./`, `../`, `/` paths are
/// kept; `owner/repo` becomes `https://github.com/owner/repo.git`. `None` for anything else.
pub fn normalize_git_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.chars().any(char::is_whitespace) {
        return None;
    }
    if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    {
        if rest.is_empty() {
            return None;
        }
        let trimmed = url.trim_end_matches('/');
        if is_github(rest) && !has_git_suffix(trimmed) {
            return Some(format!("{trimmed}.git"));
        }
        return Some(url.to_owned());
    }
    let kept_prefixes = ["file://", "ssh://", "./", "../", "/"];
    if kept_prefixes.iter().any(|prefix| url.starts_with(prefix)) || is_scp_like(url) {
        return Some(url.to_owned());
    }
    if let Some((owner, repo)) = url.split_once('/')
        && is_github_segment(owner)
        && is_github_segment(repo)
    {
        let repo = repo.strip_suffix(".git").unwrap_or(repo);
        return Some(format!("https://github.com/{owner}/{repo}.git"));
    }
    None
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;
