//! The names of a folder's subfolders ([`subfolder_names`]). Listing the plugin cache reads one
//! small folder per installed plugin; on Linux this reads it with one `open` and `getdents64`
//! into a stack buffer, where `std::fs::read_dir` adds an `fstat` and a 32 KiB allocation to
//! every folder.

use std::io;
use std::path::Path;

/// The UTF-8 names of the subfolders of `dir`, in the order the filesystem lists them. Links
/// are not followed (a link to a folder is not a subfolder) and names that are not UTF-8 are
/// left out.
#[cfg(target_os = "linux")]
pub fn subfolder_names(dir: &Path) -> io::Result<Vec<String>> {
    use std::mem::MaybeUninit;

    use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir};

    let fd = rustix::fs::open(
        dir,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut buffer = [MaybeUninit::<u8>::uninit(); 4096];
    let mut entries = RawDir::new(&fd, &mut buffer);
    let mut names = Vec::new();
    while let Some(entry) = entries.next() {
        let entry = entry?;
        let name = entry.file_name();
        if matches!(name.to_bytes(), b"." | b"..") {
            continue;
        }
        let is_folder = match entry.file_type() {
            FileType::Directory => true,
            // Filesystems that do not record the type in the listing: ask for it.
            FileType::Unknown => rustix::fs::statat(&fd, name, AtFlags::SYMLINK_NOFOLLOW)
                .is_ok_and(|stat| FileType::from_raw_mode(stat.st_mode) == FileType::Directory),
            _ => false,
        };
        if is_folder && let Ok(name) = name.to_str() {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}

/// The UTF-8 names of the subfolders of `dir`, in the order the filesystem lists them. Links
/// are not followed (a link to a folder is not a subfolder) and names that are not UTF-8 are
/// left out.
#[cfg(not(target_os = "linux"))]
pub fn subfolder_names(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir()
            && let Ok(name) = entry.file_name().into_string()
        {
            names.push(name);
        }
    }
    Ok(names)
}

#[cfg(test)]
#[path = "listing_tests.rs"]
mod tests;
