//! Recursive copy of a directory tree that keeps only regular files and directories (with
//! their Unix permission bits) and reports everything else it skipped.

use std::io;
use std::path::{Path, PathBuf};

/// What [`copy_dir_regular`] left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Source paths that were not copied: symlinks, sockets, FIFOs and devices.
    pub skipped: Vec<PathBuf>,
}

/// A failed tree copy; each variant names the path involved.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// A source directory could not be listed.
    #[error("failed to read directory `{}`", path.display())]
    ReadDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A source entry's type could not be determined.
    #[error("failed to inspect `{}`", path.display())]
    Inspect {
        /// The entry.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A destination directory could not be created.
    #[error("failed to create directory `{}`", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file could not be copied.
    #[error("failed to copy `{}` to `{}`", from.display(), to.display())]
    CopyFile {
        /// The source file.
        from: PathBuf,
        /// The destination file.
        to: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A destination directory's permissions could not be set.
    #[error("failed to set permissions on `{}`", path.display())]
    SetPermissions {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

/// Copies the tree at `src` into `dst` (created if missing). Regular files and directories are
/// copied with their permission bits; symlinks are never followed, and they and special files
/// are listed in [`CopyReport::skipped`] for the caller to warn about.
///
/// The walk is iterative, so a tree thousands of folders deep cannot overflow the stack.
pub fn copy_dir_regular(src: &Path, dst: &Path) -> Result<CopyReport, CopyError> {
    let mut report = CopyReport::default();
    std::fs::create_dir_all(dst).map_err(|source| CopyError::CreateDir {
        path: dst.to_path_buf(),
        source,
    })?;
    let mut work = vec![Step::Fill(src.to_path_buf(), dst.to_path_buf())];
    while let Some(step) = work.pop() {
        match step {
            Step::Fill(from, to) => {
                // Permissions go on after the contents, so a read-only folder can be filled.
                work.push(Step::SetPermissions(from.clone(), to.clone()));
                copy_dir_entries(&from, &to, &mut report, &mut work)?;
            }
            Step::SetPermissions(from, to) => copy_dir_permissions(&from, &to)?,
        }
    }
    report.skipped.sort();
    Ok(report)
}

/// One pending step of the walk in [`copy_dir_regular`].
enum Step {
    /// Copy the entries of the source folder into the (existing) destination folder.
    Fill(PathBuf, PathBuf),
    /// Give the destination folder the source folder's permission bits.
    SetPermissions(PathBuf, PathBuf),
}

/// Copies the files of one folder and queues its subfolders (created empty) on `work`.
fn copy_dir_entries(
    src: &Path,
    dst: &Path,
    report: &mut CopyReport,
    work: &mut Vec<Step>,
) -> Result<(), CopyError> {
    let read_dir_error = |source| CopyError::ReadDir {
        path: src.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(src).map_err(read_dir_error)? {
        let entry = entry.map_err(read_dir_error)?;
        let from = entry.path();
        let to = dst.join(entry.file_name());
        // `DirEntry::file_type` does not follow symlinks.
        let file_type = entry.file_type().map_err(|source| CopyError::Inspect {
            path: from.clone(),
            source,
        })?;
        if file_type.is_dir() {
            std::fs::create_dir(&to).map_err(|source| CopyError::CreateDir {
                path: to.clone(),
                source,
            })?;
            work.push(Step::Fill(from, to));
        } else if file_type.is_file() {
            // `std::fs::copy` carries the permission bits over.
            std::fs::copy(&from, &to).map_err(|source| CopyError::CopyFile {
                from: from.clone(),
                to: to.clone(),
                source,
            })?;
        } else {
            report.skipped.push(from);
        }
    }
    Ok(())
}

/// Applied after the contents are copied so a read-only source directory can still be filled.
fn copy_dir_permissions(src: &Path, dst: &Path) -> Result<(), CopyError> {
    let permissions = std::fs::metadata(src)
        .map_err(|source| CopyError::Inspect {
            path: src.to_path_buf(),
            source,
        })?
        .permissions();
    std::fs::set_permissions(dst, permissions).map_err(|source| CopyError::SetPermissions {
        path: dst.to_path_buf(),
        source,
    })
}
