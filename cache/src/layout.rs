//! Where everything lives under the root, and which names the crate recognises.
//!
//! ```text
//! R/v1/objects/<hh>/<blake3-hex of content>.<ext>   artifacts
//! R/v1/entries/<hh>/<key-hex>.json                   records
//! R/v1/hits  R/v1/created  R/v1/lock
//! ```
//!
//! `<hh>` is the first two hex digits of the file's name (a shard, so no directory
//! holds more than a few hundred files). Hex is always lowercase. Temporary files
//! start with [`TEMP_PREFIX`] and live in the directory of the file they become.
//!
//! Invariant: every file this crate deletes is one that [`classify`] recognises (or
//! one of the fixed names `hits`, `created`); anything else found under the root is
//! someone else's and is only counted.

use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use crate::FORMAT;

/// Prefix of the temporary files written before an atomic rename.
pub(crate) const TEMP_PREFIX: &str = ".tmp-";
/// Extension of record files.
pub(crate) const RECORD_EXT: &str = "json";
/// File name of the append-only hit log inside `R/v1`.
pub(crate) const HITS: &str = "hits";
/// File name of the creation time inside `R/v1`.
pub(crate) const CREATED: &str = "created";
/// File name of the maintenance lock inside `R/v1`.
pub(crate) const LOCK: &str = "lock";

/// The paths of one cache, derived once from the root.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The root `R` given by the client (made absolute).
    pub root: PathBuf,
    /// `R/v<FORMAT>`.
    pub dir: PathBuf,
    /// `R/v1/objects`.
    pub objects: PathBuf,
    /// `R/v1/entries`.
    pub entries: PathBuf,
    /// `R/v1/hits`.
    pub hits: PathBuf,
    /// `R/v1/created`.
    pub created: PathBuf,
    /// `R/v1/lock`.
    pub lock: PathBuf,
    /// Extension of artifact files, without the dot.
    pub ext: String,
}

impl Layout {
    pub(crate) fn new(root: PathBuf, ext: String) -> Layout {
        let dir = root.join(format!("v{FORMAT}"));
        Layout {
            objects: dir.join("objects"),
            entries: dir.join("entries"),
            hits: dir.join(HITS),
            created: dir.join(CREATED),
            lock: dir.join(LOCK),
            dir,
            root,
            ext,
        }
    }

    /// `entries/<hh>/`, the directory of the record named by `key_hex`.
    pub(crate) fn record_dir(&self, key_hex: &str) -> PathBuf {
        self.entries.join(shard(key_hex))
    }

    /// `entries/<hh>/<key_hex>.json`.
    pub(crate) fn record_path(&self, key_hex: &str) -> PathBuf {
        self.record_dir(key_hex)
            .join(format!("{key_hex}.{RECORD_EXT}"))
    }

    /// `objects/<hh>/`, the directory of the artifact whose content hash is `hex`.
    pub(crate) fn artifact_dir(&self, hex: &str) -> PathBuf {
        self.objects.join(shard(hex))
    }

    /// `objects/<hh>/<hex>.<ext>`.
    pub(crate) fn artifact_path(&self, hex: &str) -> PathBuf {
        self.artifact_dir(hex).join(format!("{hex}.{}", self.ext))
    }
}

/// The shard of a hex name: its first two digits. `hex` must be at least 2 bytes.
pub(crate) fn shard(hex: &str) -> &str {
    &hex[..2]
}

/// Whether `s` is exactly 64 lowercase hex digits (a blake3 hash or a key).
pub(crate) fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `s` names a shard directory: exactly two lowercase hex digits.
fn is_shard(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The hex stem of `name` if it is `<64 hex>.<ext>`.
pub(crate) fn hex_stem<'a>(name: &'a str, ext: &str) -> Option<&'a str> {
    let stem = name.strip_suffix(ext)?.strip_suffix('.')?;
    is_hex64(stem).then_some(stem)
}

/// Whether `name` is one of this crate's temporary files.
pub(crate) fn is_temp(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX)
}

/// What a directory entry found under `objects/` or `entries/` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regular file `<hh>/<hex>.<ext>` whose shard matches its name; holds the hex.
    Named(String),
    /// A regular file starting with [`TEMP_PREFIX`].
    Temp,
    /// Anything else (kept, only counted).
    Unknown,
}

/// One entry found by [`scan`].
#[derive(Debug)]
pub(crate) struct Found {
    pub path: PathBuf,
    pub kind: Kind,
    /// `lstat` of the entry (symbolic links are not followed).
    pub meta: Metadata,
}

/// Classifies the entry `name` of the shard directory `shard_name` with file type
/// taken from `meta` (not following links).
pub(crate) fn classify(shard_name: &str, name: &str, meta: &Metadata, ext: &str) -> Kind {
    if !meta.file_type().is_file() {
        return Kind::Unknown;
    }
    if is_temp(name) {
        return Kind::Temp;
    }
    match hex_stem(name, ext) {
        Some(hex) if shard(hex) == shard_name => Kind::Named(hex.to_owned()),
        _ => Kind::Unknown,
    }
}

/// Lists `top` (`objects/` or `entries/`) and its shard directories, classifying every
/// entry; names are expected as `<hex>.<ext>`. Directories that are not shards are
/// reported as [`Kind::Unknown`] and not entered; entries that vanish during the walk
/// are skipped. Fails only if `top` itself cannot be read.
pub(crate) fn scan(top: &Path, ext: &str) -> io::Result<Vec<Found>> {
    let mut found = Vec::new();
    for child in fs::read_dir(top)? {
        let Ok(child) = child else { continue };
        let Ok(meta) = child.metadata() else { continue };
        let name = child.file_name();
        let name = name.to_string_lossy();
        let path = child.path();
        if meta.file_type().is_dir() && is_shard(&name) {
            scan_shard(&path, &name, ext, &mut found);
        } else {
            let kind = if meta.file_type().is_file() && is_temp(&name) {
                Kind::Temp
            } else {
                Kind::Unknown
            };
            found.push(Found { path, kind, meta });
        }
    }
    Ok(found)
}

fn scan_shard(dir: &Path, shard_name: &str, ext: &str, found: &mut Vec<Found>) {
    let children = match fs::read_dir(dir) {
        Ok(children) => children,
        Err(error) => {
            tracing::debug!(dir = %dir.display(), %error, "cannot read shard directory");
            return;
        }
    };
    for child in children {
        let Ok(child) = child else { continue };
        let Ok(meta) = child.metadata() else { continue };
        let name = child.file_name();
        let kind = classify(shard_name, &name.to_string_lossy(), &meta, ext);
        found.push(Found {
            path: child.path(),
            kind,
            meta,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "ab00000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn names() {
        assert!(is_hex64(H));
        assert!(!is_hex64(&H.to_uppercase()));
        assert!(!is_hex64(&H[1..]));
        assert_eq!(hex_stem(&format!("{H}.so"), "so"), Some(H));
        assert_eq!(hex_stem(&format!("{H}.so"), "dylib"), None);
        assert_eq!(hex_stem(&format!("{H}so"), "so"), None);
        assert_eq!(hex_stem(&format!("x{H}.so"), "so"), None);
        let layout = Layout::new(PathBuf::from("/r"), "so".into());
        assert_eq!(
            layout.artifact_path(H),
            PathBuf::from(format!("/r/v1/objects/ab/{H}.so"))
        );
        assert_eq!(
            layout.record_path(H),
            PathBuf::from(format!("/r/v1/entries/ab/{H}.json"))
        );
    }

    #[test]
    fn classify_requires_matching_shard_and_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, b"x").unwrap();
        let file_meta = fs::symlink_metadata(&file).unwrap();
        let dir_meta = fs::symlink_metadata(dir.path()).unwrap();
        let name = format!("{H}.json");
        assert_eq!(
            classify("ab", &name, &file_meta, "json"),
            Kind::Named(H.into())
        );
        assert_eq!(classify("cd", &name, &file_meta, "json"), Kind::Unknown);
        assert_eq!(classify("ab", &name, &dir_meta, "json"), Kind::Unknown);
        assert_eq!(classify("ab", ".tmp-xyz", &file_meta, "json"), Kind::Temp);
        assert_eq!(
            classify("ab", "notes.txt", &file_meta, "json"),
            Kind::Unknown
        );
    }
}
