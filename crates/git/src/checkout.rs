//! Checking a repository out into a new folder: shallow (`--depth 1`) for a default branch,
//! branch, tag or full commit id; a full clone only for an abbreviated commit id or a server
//! that refuses to serve a commit by id. Sparse checkouts fetch blobs lazily.

use std::path::Path;

use crate::{Git, GitError, GitOperation, GitProgress, Target};

/// Which paths of the repository to materialise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sparse<'a> {
    /// The whole tree.
    All,
    /// Cone mode: these directories (and files at the root), as `--sparse` marketplaces do.
    Cone(&'a [String]),
    /// Exactly these paths (`--no-cone`), as `git-subdir` plugin sources do.
    Paths(&'a [String]),
}

impl Sparse<'_> {
    fn is_sparse(self) -> bool {
        !matches!(self, Self::All)
    }
}

/// A checkout to make.
#[derive(Debug, Clone, Copy)]
pub struct Checkout<'a> {
    /// The repository URL (or local path) as Git takes it.
    pub url: &'a str,
    /// What to check out (from [`Git::resolve`]).
    pub target: &'a Target,
    /// Which paths.
    pub sparse: Sparse<'a>,
}

impl Git {
    /// Checks `checkout` out into `dest`, which must not exist yet. Returns
    /// the full commit id now checked out. On failure `dest` may hold a partial clone; the
    /// caller owns it and throws it away.
    pub fn checkout_into(
        &self,
        checkout: &Checkout<'_>,
        dest: &Path,
        progress: &dyn GitProgress,
    ) -> Result<String, GitError> {
        match checkout.target {
            Target::DefaultBranch => self.shallow_clone(checkout, None, dest, progress)?,
            Target::Branch(name) | Target::Tag(name) => {
                self.shallow_clone(checkout, Some(name), dest, progress)?;
            }
            Target::Commit(commit) if crate::is_full_commit_id(commit) => {
                match self.shallow_fetch_commit(checkout, commit, dest, progress) {
                    Ok(()) => {}
                    Err(err @ (GitError::TimedOut { .. } | GitError::NotInstalled { .. })) => {
                        return Err(err);
                    }
                    Err(err) => {
                        // Servers speaking the v0 protocol refuse unadvertised commits.
                        tracing::debug!(
                            url = checkout.url,
                            "fetching a commit by id failed ({err}); cloning the whole history"
                        );
                        std::fs::remove_dir_all(dest).map_err(|source| GitError::Io {
                            path: dest.to_path_buf(),
                            source,
                        })?;
                        self.full_clone_at(checkout, commit, dest, progress)?;
                    }
                }
            }
            Target::Commit(commit) => self.full_clone_at(checkout, commit, dest, progress)?,
        }
        self.head_revision(dest)
    }

    fn shallow_clone(
        &self,
        checkout: &Checkout<'_>,
        branch: Option<&str>,
        dest: &Path,
        progress: &dyn GitProgress,
    ) -> Result<(), GitError> {
        let mut options = vec!["--depth", "1"];
        if let Some(branch) = branch {
            options.extend(["--branch", branch]);
        }
        if checkout.sparse.is_sparse() {
            options.push("--no-checkout");
        }
        self.clone_repository(checkout, &options, dest, progress)?;
        if checkout.sparse.is_sparse() {
            self.set_sparse_paths(checkout, dest)?;
            self.checkout_in(dest, None, progress)?;
        }
        Ok(())
    }

    /// `git clone --progress OPTIONS -- URL DEST`, fetching blobs lazily when sparse.
    fn clone_repository(
        &self,
        checkout: &Checkout<'_>,
        options: &[&str],
        dest: &Path,
        progress: &dyn GitProgress,
    ) -> Result<(), GitError> {
        let mut command = self
            .command(GitOperation::Clone, checkout.url)
            .progress(progress)
            .args(["clone", "--progress"])
            .args(options.iter().copied());
        if checkout.sparse.is_sparse() {
            command = command.arg("--filter=blob:none");
        }
        command
            .arg("--")
            .arg(checkout.url)
            .arg(dest)
            .run()
            .map(drop)
    }

    fn shallow_fetch_commit(
        &self,
        checkout: &Checkout<'_>,
        commit: &str,
        dest: &Path,
        progress: &dyn GitProgress,
    ) -> Result<(), GitError> {
        std::fs::create_dir_all(dest).map_err(|source| GitError::Io {
            path: dest.to_path_buf(),
            source,
        })?;
        let target = dest.display().to_string();
        self.command(GitOperation::Init, &target)
            .current_dir(dest)
            .args(["init", "--quiet"])
            .run()?;
        self.command(GitOperation::Init, &target)
            .current_dir(dest)
            .args(["remote", "add", "origin", "--"])
            .arg(checkout.url)
            .run()?;
        let mut fetch = self
            .command(GitOperation::Fetch, checkout.url)
            .progress(progress)
            .current_dir(dest)
            .args(["fetch", "--progress", "--depth", "1"]);
        if checkout.sparse.is_sparse() {
            fetch = fetch.arg("--filter=blob:none");
        }
        fetch.args(["origin", commit]).run()?;
        if checkout.sparse.is_sparse() {
            self.set_sparse_paths(checkout, dest)?;
        }
        self.checkout_in(dest, Some(commit), progress)
    }

    fn full_clone_at(
        &self,
        checkout: &Checkout<'_>,
        commit: &str,
        dest: &Path,
        progress: &dyn GitProgress,
    ) -> Result<(), GitError> {
        self.clone_repository(checkout, &["--no-checkout"], dest, progress)?;
        if checkout.sparse.is_sparse() {
            self.set_sparse_paths(checkout, dest)?;
        }
        match self.checkout_in(dest, Some(commit), progress) {
            Err(GitError::Failed { .. }) => Err(GitError::RefNotFound {
                url: checkout.url.to_owned(),
                reference: commit.to_owned(),
            }),
            other => other,
        }
    }

    fn set_sparse_paths(&self, checkout: &Checkout<'_>, dest: &Path) -> Result<(), GitError> {
        let (mode, paths) = match checkout.sparse {
            Sparse::All => return Ok(()),
            Sparse::Cone(paths) => ("--cone", paths),
            Sparse::Paths(paths) => ("--no-cone", paths),
        };
        self.command(GitOperation::SparseCheckout, &dest.display().to_string())
            .current_dir(dest)
            .args(["sparse-checkout", "set", mode, "--"])
            .args(paths.iter().map(String::as_str))
            .run()
            .map(|_| ())
    }

    /// `git checkout` of the current branch, or `--detach COMMIT`.
    fn checkout_in(
        &self,
        dest: &Path,
        commit: Option<&str>,
        progress: &dyn GitProgress,
    ) -> Result<(), GitError> {
        let mut command = self
            .command(GitOperation::Checkout, &dest.display().to_string())
            .progress(progress)
            .current_dir(dest)
            .arg("checkout");
        if let Some(commit) = commit {
            command = command.args(["--detach", commit]);
        }
        command.run().map(|_| ())
    }
}
