//! Resolving what a user wrote as a ref (nothing, a branch, a tag, a commit) against a remote
//! with one `git ls-remote`, into a [`Resolution`]: how to check it out and, when the remote
//! says, which commit it is now.

use crate::{Git, GitError, GitOperation};

/// What to check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The remote's default branch (its `HEAD`).
    DefaultBranch,
    /// A branch, by short name.
    Branch(String),
    /// A tag, by short name.
    Tag(String),
    /// A commit id, full or abbreviated.
    Commit(String),
}

/// A resolved ref.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// How to check it out.
    pub target: Target,
    /// The full commit id it names now, when known without fetching (an abbreviated commit
    /// is only known after a checkout).
    pub revision: Option<String>,
}

/// True for a full SHA-1 or SHA-256 commit id in lowercase hex.
pub fn is_full_commit_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && is_lower_hex(text)
}

/// Could be an abbreviated commit id (Git's minimum is 4 hex digits).
fn is_abbreviated_commit_id(text: &str) -> bool {
    (4..40).contains(&text.len()) && is_lower_hex(text)
}

fn is_lower_hex(text: &str) -> bool {
    text.bytes()
        .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

impl Git {
    /// Resolves `reference` on `url`: `None` (or `HEAD`) is the default branch; a full commit
    /// id needs no network; anything else is looked up as a branch, then a tag (annotated
    /// tags give the commit they point at), then taken as an abbreviated commit id. Fails with
    /// [`GitError::RefNotFound`] when it is none of these.
    pub fn resolve(&self, url: &str, reference: Option<&str>) -> Result<Resolution, GitError> {
        let reference = reference.map(str::trim).filter(|name| !name.is_empty());
        match reference {
            None | Some("HEAD") => {
                let output = self.ls_remote(url, &["HEAD"])?;
                let revision = lookup(&output, "HEAD").ok_or_else(|| GitError::RefNotFound {
                    url: url.to_owned(),
                    reference: "HEAD".to_owned(),
                })?;
                Ok(Resolution {
                    target: Target::DefaultBranch,
                    revision: Some(revision),
                })
            }
            Some(commit) if is_full_commit_id(commit) => Ok(Resolution {
                target: Target::Commit(commit.to_owned()),
                revision: Some(commit.to_owned()),
            }),
            Some(name) => self.resolve_name(url, name),
        }
    }

    fn resolve_name(&self, url: &str, name: &str) -> Result<Resolution, GitError> {
        let (branch, tag) = match name.strip_prefix("refs/") {
            Some(_) => (
                name.strip_prefix("refs/heads/").map(str::to_owned),
                name.strip_prefix("refs/tags/").map(str::to_owned),
            ),
            None => (Some(name.to_owned()), Some(name.to_owned())),
        };
        let mut patterns = Vec::new();
        if let Some(branch) = &branch {
            patterns.push(format!("refs/heads/{branch}"));
        }
        if let Some(tag) = &tag {
            patterns.push(format!("refs/tags/{tag}"));
            patterns.push(format!("refs/tags/{tag}^{{}}"));
        }
        if branch.is_none() && tag.is_none() {
            // Another full ref name (e.g. `refs/pull/1/head`): checked out by its commit.
            patterns.push(name.to_owned());
        }
        let pattern_refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
        let output = self.ls_remote(url, &pattern_refs)?;
        if let Some(branch) = branch
            && let Some(revision) = lookup(&output, &format!("refs/heads/{branch}"))
        {
            return Ok(Resolution {
                target: Target::Branch(branch),
                revision: Some(revision),
            });
        }
        if let Some(tag) = tag {
            let peeled = lookup(&output, &format!("refs/tags/{tag}^{{}}"));
            if let Some(revision) = peeled.or_else(|| lookup(&output, &format!("refs/tags/{tag}")))
            {
                return Ok(Resolution {
                    target: Target::Tag(tag),
                    revision: Some(revision),
                });
            }
        }
        if let Some(revision) = lookup(&output, name) {
            return Ok(Resolution {
                target: Target::Commit(revision.clone()),
                revision: Some(revision),
            });
        }
        if is_abbreviated_commit_id(name) {
            return Ok(Resolution {
                target: Target::Commit(name.to_owned()),
                revision: None,
            });
        }
        Err(GitError::RefNotFound {
            url: url.to_owned(),
            reference: name.to_owned(),
        })
    }

    fn ls_remote(&self, url: &str, patterns: &[&str]) -> Result<String, GitError> {
        self.command(GitOperation::LsRemote, url)
            .args(["ls-remote", "--", url])
            .args(patterns.iter().copied())
            .run()
    }
}

/// The object id `ls-remote` printed for exactly `name`.
fn lookup(output: &str, name: &str) -> Option<String> {
    output.lines().find_map(|line| {
        let (id, reference) = line.split_once('\t')?;
        (reference == name && !id.is_empty()).then(|| id.to_owned())
    })
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
