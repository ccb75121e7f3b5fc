//! File-system primitives carrying the crate's safety rules.
//!
//! - Trust: a directory or file is trusted only if it is owned by the effective user
//!   and not writable by group or others (`mode & 0o022 == 0`). Files are checked with
//!   the metadata of the opened descriptor (`fstat`), so the file checked is the file
//!   read. Nothing here ever changes a mode or an owner.
//! - Opens of cache files never follow a symbolic link (`O_NOFOLLOW`) and never block
//!   on a FIFO (`O_NONBLOCK`, a no-op for regular files).
//! - Directories are created with mode 0700.
//! - Writes are atomic: a temporary file in the destination directory is written,
//!   synced, then renamed over (or next to) the final name.

use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

use crate::error::CacheError;
use crate::layout::TEMP_PREFIX;

/// The effective user id of this process.
pub(crate) fn euid() -> u32 {
    // SAFETY: geteuid takes no arguments, touches no memory of ours and cannot fail
    // (POSIX: "shall always be successful").
    unsafe { libc::geteuid() }
}

/// Why `meta` (of a directory or of an opened file) may not be trusted, if it may not:
/// owned by someone other than `euid`, or writable by group or others.
pub(crate) fn distrust(meta: &Metadata, euid: u32) -> Option<String> {
    if meta.uid() != euid {
        return Some(format!(
            "owned by uid {}, not by the current user (uid {euid})",
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Some(format!("mode {mode:04o} lets other users write to it"));
    }
    None
}

/// Why the opened file with metadata `meta` may not be trusted, if it may not: not a
/// regular file, or [`distrust`].
pub(crate) fn distrust_file(meta: &Metadata, euid: u32) -> Option<String> {
    if !meta.file_type().is_file() {
        return Some("not a regular file".to_owned());
    }
    distrust(meta, euid)
}

/// Checks that `path` is a directory the cache may use (following a symbolic link at
/// `path` itself: a user may point the cache at a linked directory).
pub(crate) fn check_dir(path: &Path, euid: u32) -> Result<(), CacheError> {
    let meta = fs::metadata(path).map_err(|e| CacheError::io(path, e))?;
    if !meta.is_dir() {
        return Err(CacheError::NotADirectory { path: path.into() });
    }
    match distrust(&meta, euid) {
        Some(why) => Err(CacheError::Insecure {
            path: path.into(),
            why,
        }),
        None => Ok(()),
    }
}

/// Creates the directory `path` with mode 0700 unless it exists (whatever made it).
/// The parent must exist.
pub(crate) fn make_dir(path: &Path) -> io::Result<()> {
    match DirBuilder::new().mode(0o700).create(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    }
}

/// Opens a cache file for reading without following a symbolic link or blocking.
pub(crate) fn open_read(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

/// Opens (creating with mode 0600) a cache file for appending, without following a
/// symbolic link.
pub(crate) fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Opens (creating with mode 0600) the lock file at `path`.
pub(crate) fn open_lock(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Whether an open error means the path is a symbolic link (refused by `O_NOFOLLOW`).
pub(crate) fn is_symlink_refusal(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

/// Removes `path` if it is still the file described by `meta` (same device and inode),
/// so a file that a concurrent writer has just renamed into place is not removed in
/// place of the bad one that was examined. Returns whether a file was removed.
pub(crate) fn remove_if_same(path: &Path, meta: &Metadata) -> bool {
    match fs::symlink_metadata(path) {
        Ok(now) if now.dev() == meta.dev() && now.ino() == meta.ino() => remove_quietly(path),
        _ => false,
    }
}

/// Removes the file `path`, logging a failure other than absence. Returns whether it
/// was removed by this call.
pub(crate) fn remove_quietly(path: &Path) -> bool {
    match fs::remove_file(path) {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(error) => {
            tracing::debug!(path = %path.display(), %error, "cannot remove cache file");
            false
        }
    }
}

/// How [`write_atomically`] treats an existing file at the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Existing {
    /// Replace it (rename over it).
    Replace,
    /// Keep it: a concurrent writer got there first with the same content.
    Keep,
}

/// Writes `bytes` to `dest` atomically: a temporary file in `dir` (which must be the
/// directory of `dest`), `sync_all`, then a rename. Returns whether `dest` was written
/// (false only with [`Existing::Keep`] when `dest` already existed).
pub(crate) fn write_atomically(
    dir: &Path,
    dest: &Path,
    bytes: &[u8],
    existing: Existing,
) -> Result<bool, CacheError> {
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| CacheError::creating(dir, e))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| CacheError::io(temp.path(), e))?;
    let persisted = match existing {
        Existing::Replace => temp.persist(dest),
        Existing::Keep => temp.persist_noclobber(dest),
    };
    match persisted {
        Ok(_) => Ok(true),
        // The temporary file is removed when the error (which owns it) is dropped.
        Err(e) if existing == Existing::Keep && e.error.kind() == io::ErrorKind::AlreadyExists => {
            Ok(false)
        }
        Err(e) => Err(CacheError::io(dest, e.error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn distrusts_group_writable_and_foreign() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, b"x").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        let meta = fs::metadata(&file).unwrap();
        assert_eq!(distrust_file(&meta, euid()), None);
        assert!(distrust(&meta, euid().wrapping_add(1))
            .unwrap()
            .contains("owned by uid"));
        fs::set_permissions(&file, fs::Permissions::from_mode(0o664)).unwrap();
        let meta = fs::metadata(&file).unwrap();
        assert_eq!(
            distrust_file(&meta, euid()).as_deref(),
            Some("mode 0664 lets other users write to it")
        );
        let dir_meta = fs::metadata(dir.path()).unwrap();
        assert_eq!(
            distrust_file(&dir_meta, euid()).as_deref(),
            Some("not a regular file")
        );
    }

    #[test]
    fn atomic_write_keeps_or_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("d");
        assert!(write_atomically(dir.path(), &dest, b"one", Existing::Keep).unwrap());
        assert!(!write_atomically(dir.path(), &dest, b"two", Existing::Keep).unwrap());
        assert_eq!(fs::read(&dest).unwrap(), b"one");
        assert!(write_atomically(dir.path(), &dest, b"three", Existing::Replace).unwrap());
        assert_eq!(fs::read(&dest).unwrap(), b"three");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn remove_if_same_spares_a_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"old").unwrap();
        let old = fs::symlink_metadata(&path).unwrap();
        write_atomically(dir.path(), &path, b"new", Existing::Replace).unwrap();
        assert!(!remove_if_same(&path, &old));
        assert!(path.exists());
        let new = fs::symlink_metadata(&path).unwrap();
        assert!(remove_if_same(&path, &new));
        assert!(!path.exists());
    }

    #[test]
    fn open_read_refuses_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t");
        fs::write(&target, b"x").unwrap();
        let link = dir.path().join("l");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let error = open_read(&link).unwrap_err();
        assert!(is_symlink_refusal(&error), "{error}");
    }
}
