//! A content-addressed, verified, multi-process store of *artifacts* on disk.
//!
//! The crate keeps opaque files (*artifacts*; in practice shared objects) and small
//! JSON *records* (*entries*), each naming one artifact under a 32-byte [`Key`] that
//! the client computes. Several entries may share one artifact. It knows nothing of
//! what the artifacts contain or how keys are made.
//!
//! # Layout
//!
//! Under the root `R` (see [`default_root`]), everything of cache format [`FORMAT`]
//! lives in `R/v1/`:
//!
//! ```text
//! R/v1/objects/<hh>/<blake3 hex of the bytes>.<ext>   artifacts (ext from Options)
//! R/v1/entries/<hh>/<key hex>.json                     records (see Record)
//! R/v1/hits                                            append-only hit log, "N\n" lines
//! R/v1/created                                         creation time, unix seconds
//! R/v1/lock                                            maintenance lock (gc, clear, eviction)
//! ```
//!
//! `<hh>` is the first two hex digits of the name. Directories are created with
//! mode 0700 (parents of `R` that did not exist get the default mode). Another
//! format gets its own `R/v<N>/`; [`Cache::gc`] removes older ones, file by file.
//!
//! # Atomicity
//!
//! Every file is written as a temporary file (prefix `.tmp-`) in its destination
//! directory, synced, then renamed: a reader sees a whole file or none. An artifact's
//! name is the hash of its bytes, so a name always denotes the same bytes and an
//! artifact is never rewritten in place (a loader that caches by path, like `dlopen`,
//! stays right); an existing, verified artifact is reused, not rewritten. The artifact
//! is written before its records, so a record never precedes its artifact. A crash
//! may lose the newest files, never expose a partial one.
//!
//! # Verification
//!
//! [`Cache::lookup`] trusts nothing it reads: the record must parse, have format
//! [`FORMAT`] and the key of its file name; the artifact must exist with the recorded
//! size and blake3 hash. Each artifact is hashed at most once per [`Cache`] value (the
//! verified hashes are remembered; artifacts are never rewritten). Damage removes the
//! record (and an artifact whose bytes do not match its name) and answers a miss, so
//! the client rebuilds. A hit sets the record's mtime to now: record mtime is the
//! entry's last use, the order of eviction.
//!
//! # Security
//!
//! The client loads artifacts as code, so a cache another user can write to is a code
//! injection. [`Cache::open`] refuses (never repairs) a root, `v1`, `objects` or
//! `entries` directory not owned by the effective user or writable by group or others.
//! Lookups check the record and the artifact with the metadata of the opened file
//! (`fstat`, not a separate `stat`): regular file, owned by the effective user, not
//! group/other writable; symbolic links are not followed. An insecure file is a miss
//! but is not deleted. Nothing outside the crate's own name patterns is ever deleted:
//! [`Cache::clear`] and [`Cache::gc`] leave unknown files and directories alone, since
//! a user may point the root at a directory that holds other things.
//!
//! # Concurrency
//!
//! Any number of threads and processes may share a root. Lookups, inserts, removals
//! and hit counting take no lock: they rely on atomic renames, `O_APPEND` writes of
//! one line (the hit log loses no counts; it grows by one short line per
//! [`Cache::add_hits`] and is emptied by [`Cache::clear`]), and deletions that first
//! check that the path still names the inode examined. Maintenance ([`Cache::gc`],
//! [`Cache::clear`], [`Cache::evict_in_background`]) holds an exclusive lock on
//! `R/v1/lock`, so one process maintains at a time. Maintenance spares unreferenced
//! artifacts and temporary files younger than [`GRACE`], so an insert that has written
//! its artifact but not yet its records is not robbed. A client whose `dlopen` of a
//! looked-up artifact fails (evicted meanwhile) calls [`Cache::remove`] and rebuilds.

mod error;
mod files;
mod layout;
mod maintain;
mod record;
mod store;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub use error::CacheError;
pub use maintain::{ClearReport, GcReport};
pub use record::{NewEntry, Record};
pub use store::{Cache, EntryInfo, Hit, Inserted, Lookup, Reason, Stats};

/// The cache format this crate reads and writes; its files live in `R/v{FORMAT}/`.
pub const FORMAT: u32 = 1;

/// Default size cap, in bytes (256 MiB), of artifacts plus records.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Age below which maintenance leaves unreferenced artifacts and temporary files
/// alone (they may belong to an insert in progress).
pub const GRACE: Duration = Duration::from_secs(60);

/// The 32-byte key of an entry, computed by the client (typically a blake3 hash).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(pub [u8; 32]);

impl Key {
    /// The key as 64 lowercase hex digits (its record's file stem).
    pub fn to_hex(&self) -> String {
        blake3::Hash::from_bytes(self.0).to_hex().to_string()
    }

    /// Parses 64 hex digits (either case); `None` for anything else.
    pub fn from_hex(hex: &str) -> Option<Key> {
        if hex.len() != 64 {
            return None;
        }
        blake3::Hash::from_hex(hex).ok().map(Key::from)
    }
}

impl From<blake3::Hash> for Key {
    fn from(hash: blake3::Hash) -> Key {
        Key(*hash.as_bytes())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.to_hex())
    }
}

/// How a [`Cache`] is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Size cap in bytes of artifacts plus records; eviction brings the total back
    /// under it, least recently used entries first.
    pub max_bytes: u64,
    /// Extension of artifact files, without the dot (e.g. "so", "dylib"): 1 to 16 ASCII
    /// letters and digits.
    pub artifact_ext: String,
}

impl Default for Options {
    /// [`DEFAULT_MAX_BYTES`] and the platform's shared-library extension.
    fn default() -> Options {
        Options {
            max_bytes: DEFAULT_MAX_BYTES,
            artifact_ext: std::env::consts::DLL_EXTENSION.to_owned(),
        }
    }
}

/// Parses a size for a setting such as an environment variable: a decimal number of
/// bytes with an optional binary suffix `K`, `M`, `G` or `T` (case-insensitive,
/// optionally followed by `B` or `iB`), e.g. "300000", "64K", "512M", "1G", "2GiB".
/// `None` for anything else or on overflow of `u64`.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    if digits.is_empty() {
        return None;
    }
    let number: u64 = digits.parse().ok()?;
    let suffix = suffix.trim_start().to_ascii_lowercase();
    let unit_letter = suffix
        .strip_suffix("ib")
        .or_else(|| suffix.strip_suffix('b'))
        .unwrap_or(&suffix);
    let shift = match unit_letter {
        "" if !suffix.ends_with("ib") => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return None,
    };
    number.checked_mul(1u64 << shift)
}

/// The platform's per-user cache directory joined with `app`: `$XDG_CACHE_HOME/app`
/// or `~/.cache/app` on Linux, `~/Library/Caches/app` on macOS. `None` if the platform
/// has no such directory (e.g. no home directory).
pub fn default_root(app: &str) -> Option<PathBuf> {
    dirs::cache_dir().map(|dir| dir.join(app))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_size_cases() {
        assert_eq!(parse_size("300000"), Some(300_000));
        assert_eq!(parse_size("64K"), Some(64 * 1024));
        assert_eq!(parse_size("64k"), Some(64 * 1024));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("3MB"), Some(3 << 20));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        assert_eq!(parse_size(" 10 M "), Some(10 << 20));
        assert_eq!(parse_size("0"), Some(0));
        assert_eq!(parse_size("12B"), Some(12));
        assert_eq!(parse_size(""), None);
        assert_eq!(parse_size("M"), None);
        assert_eq!(parse_size("-1"), None);
        assert_eq!(parse_size("1.5G"), None);
        assert_eq!(parse_size("12iB"), None);
        assert_eq!(parse_size("10X"), None);
        assert_eq!(parse_size("1KK"), None);
        assert_eq!(parse_size("99999999999999999999"), None);
        assert_eq!(parse_size("17179869184G"), None);
    }

    #[test]
    fn key_hex_round_trip() {
        let key = Key::from(blake3::hash(b"abc"));
        let hex = key.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(hex, hex.to_lowercase());
        assert_eq!(Key::from_hex(&hex), Some(key));
        assert_eq!(Key::from_hex(&hex.to_uppercase()), Some(key));
        assert_eq!(Key::from_hex(&hex[1..]), None);
        assert_eq!(Key::from_hex(&format!("{}g", &hex[1..])), None);
        assert_eq!(key.to_string(), hex);
    }

    #[test]
    fn default_root_ends_with_app() {
        if let Some(root) = default_root("someapp") {
            assert!(root.ends_with("someapp"));
        }
    }

    #[test]
    fn cache_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Cache>();
    }
}
