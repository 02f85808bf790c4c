//! What a user passes to `marketplace add`: a local folder, or a Git repository as
//! `owner/repo[@ref]`, an `http(s)://` URL or an SSH URL, normalised the way Codex records it.

use std::path::{Path, PathBuf};

/// A parsed `marketplace add` source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketplaceAddSource {
    /// A folder (or marketplace file) on disk, absolute.
    Local(PathBuf),
    /// A Git repository.
    Git {
        /// The clone URL as recorded in config.toml.
        url: String,
        /// A ref embedded in the source (`owner/repo@ref`, `URL#ref`).
        ref_name: Option<String>,
    },
}

/// Why a source was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddSourceError {
    /// Blank input.
    #[error("marketplace source must not be empty")]
    Empty,
    /// Not a path, `owner/repo`, or a Git URL (Codex's message, with the accepted forms).
    #[error(
        "invalid marketplace source format; expected owner/repo, a git URL, or a local marketplace path (got `{given}`; e.g. `owner/repo@v1`, `https://host/repo.git`, `git@host:repo.git`, `./folder`)"
    )]
    InvalidFormat {
        /// What was given.
        given: String,
    },
}

impl MarketplaceAddSource {
    /// Parses `text`; relative local paths are resolved against `cwd`. Local paths start
    /// with `./`, `../`, `/` or `~/` (or are `.`/`..`); `owner/repo` is always GitHub, even when
    /// a folder of that name exists, as in Codex.
    pub fn parse(text: &str, cwd: &Path, home: Option<&Path>) -> Result<Self, AddSourceError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AddSourceError::Empty);
        }
        let invalid = || AddSourceError::InvalidFormat {
            given: text.to_owned(),
        };
        if let Some(rest) = text.strip_prefix("~/")
            && let Some(home) = home
        {
            return Ok(Self::Local(home.join(rest)));
        }
        if text == "."
            || text == ".."
            || text.starts_with("./")
            || text.starts_with("../")
            || text.starts_with('/')
        {
            return Ok(Self::Local(cwd.join(text)));
        }
        if let Some(rest) = strip_scheme(text) {
            let (address, ref_name) = split_fragment(rest.1);
            let address = address.trim_end_matches('/');
            if address.is_empty() {
                return Err(invalid());
            }
            let mut url = format!("{}{address}", rest.0);
            if rest.0.starts_with("http") && is_github(address) && !has_git_suffix(address) {
                url.push_str(".git");
            }
            return Ok(Self::Git { url, ref_name });
        }
        if text.contains("://") {
            // `file://` and every other scheme.
            return Err(invalid());
        }
        if is_scp_like(text) {
            let (address, ref_name) = split_fragment(text);
            return Ok(Self::Git {
                url: address.trim_end_matches('/').to_owned(),
                ref_name,
            });
        }
        let (repository, ref_name) = match text.split_once('@') {
            Some((repository, ref_name)) if !ref_name.contains('@') => {
                (repository, non_empty(ref_name))
            }
            Some(_) => return Err(invalid()),
            None => (text, None),
        };
        match repository.split_once('/') {
            Some((owner, repo)) if is_github_segment(owner) && is_github_segment(repo) => {
                // Codex makes `owner/repo.git` into `repo.git.git`; berth takes the suffix once.
                let repo = repo.strip_suffix(".git").unwrap_or(repo);
                Ok(Self::Git {
                    url: format!("https://github.com/{owner}/{repo}.git"),
                    ref_name,
                })
            }
            _ => Err(invalid()),
        }
    }
}

/// `("https://", rest)` for the URL schemes Git marketplaces accept (lowercase, as Codex).
fn strip_scheme(text: &str) -> Option<(&'static str, &str)> {
    ["https://", "http://", "ssh://"]
        .into_iter()
        .find_map(|scheme| text.strip_prefix(scheme).map(|rest| (scheme, rest)))
}

/// Splits `address#ref`.
fn split_fragment(text: &str) -> (&str, Option<String>) {
    match text.split_once('#') {
        Some((address, fragment)) => (address, non_empty(fragment)),
        None => (text, None),
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

pub(crate) fn is_github(address: &str) -> bool {
    address.split('/').next() == Some("github.com")
}

pub(crate) fn has_git_suffix(address: &str) -> bool {
    Path::new(address)
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("git"))
}

/// `user@host:path`, as in `git@github.com:owner/repo.git`.
pub(crate) fn is_scp_like(url: &str) -> bool {
    if url.contains("://") {
        return false;
    }
    match (url.find('@'), url.find(':')) {
        (Some(at), Some(colon)) => at > 0 && colon > at + 1 && colon + 1 < url.len(),
        _ => false,
    }
}

pub(crate) fn is_github_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
#[path = "add_source_tests.rs"]
mod tests;
