//! The errors of opening, filling and maintaining a cache.
//!
//! Each message is one line that names the path involved, so a client can show it as
//! a warning ("not using the cache: …") without adding context.

use std::io;
use std::path::PathBuf;

/// Why a cache could not be opened, filled or maintained.
///
/// Lookups never fail with this type: they answer [`crate::Lookup::Miss`] with a
/// [`crate::Reason`] instead.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// A cache directory (the root, `v1`, `objects` or `entries`) is owned by another
    /// user or is writable by group or others. The crate never changes the mode or the
    /// owner of such a directory: it refuses to use it.
    #[error("refusing cache directory {}: {why}", .path.display())]
    Insecure {
        /// The offending directory.
        path: PathBuf,
        /// What is wrong with it, e.g. "mode 0777 lets other users write to it".
        why: String,
    },
    /// Files cannot be created in the cache directory (read-only directory or file
    /// system, permissions). Found by actually creating and removing a temporary file.
    #[error("cache directory {} is not writable: {source}", .path.display())]
    Unwritable {
        /// The directory that refused the file.
        path: PathBuf,
        /// The error of the failed creation.
        #[source]
        source: io::Error,
    },
    /// The root, or a directory the layout needs, exists but is not a directory.
    #[error("cache path {} is not a directory", .path.display())]
    NotADirectory {
        /// The path that should be a directory.
        path: PathBuf,
    },
    /// The options cannot describe a usable cache (e.g. an artifact extension with a dot
    /// or a slash in it).
    #[error("invalid cache option: {0}")]
    InvalidOptions(String),
    /// Any other I/O failure, with the path it happened at.
    #[error("cache I/O error at {}: {source}", .path.display())]
    Io {
        /// The file or directory being read, written or removed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

impl CacheError {
    /// Wraps an I/O error at `path`, classifying permission and read-only failures as
    /// [`CacheError::Unwritable`] (used where the operation was a creation).
    pub(crate) fn creating(path: impl Into<PathBuf>, source: io::Error) -> CacheError {
        let path = path.into();
        match source.kind() {
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                CacheError::Unwritable { path, source }
            }
            _ => CacheError::Io { path, source },
        }
    }

    /// Wraps an I/O error at `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> CacheError {
        CacheError::Io {
            path: path.into(),
            source,
        }
    }
}
