//! The cache handle and its everyday operations: open, lookup, insert, remove, hit
//! counting, listing and statistics. None of them takes a lock (see the crate docs);
//! maintenance (gc, clear, eviction) lives in `maintain.rs`.
//!
//! Invariant: a hit has passed every check of [`Cache::verify`]; a damaged entry is
//! removed the first time it is seen, an insecure one never is.

use std::collections::HashSet;
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::CacheError;
use crate::files::{self, Existing};
use crate::layout::{self, Kind, Layout};
use crate::record::{NewEntry, Record};
use crate::{Key, Options, FORMAT};

/// Records larger than this (bytes) are treated as damaged without being read whole.
const MAX_RECORD_BYTES: u64 = 1 << 20;

/// An open cache. Cheap to clone (clones share the memo of verified artifacts); `Send`
/// and `Sync`. Several values, threads and processes may use one root at once.
#[derive(Clone)]
pub struct Cache {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) layout: Layout,
    pub(crate) opts: Options,
    /// Effective uid at open: the owner every trusted file must have.
    pub(crate) euid: u32,
    /// blake3 hashes of artifacts whose bytes this value has hashed and found right.
    verified: Mutex<HashSet<[u8; 32]>>,
    /// Set while a background eviction started by this value runs.
    pub(crate) evicting: AtomicBool,
}

/// The answer of [`Cache::lookup`].
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// The entry exists and passed every check.
    Hit(Hit),
    /// No usable entry; says why.
    Miss(Reason),
}

/// A verified entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The entry's record (labels and payload as inserted).
    pub record: Record,
    /// Absolute path of the artifact, whose bytes hashed to `record.artifact`.
    pub artifact_path: PathBuf,
}

/// Why a lookup missed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// There is no record for the key.
    Absent,
    /// The record or its artifact was damaged (unparsable, wrong format or key, missing,
    /// truncated or corrupted artifact); the record has been removed, and the artifact
    /// too if its bytes did not match its name. Holds a one-line description.
    Damaged(String),
    /// The record or artifact is not a regular file owned by the current user and
    /// closed to writes by others, or is a symbolic link. Nothing was removed. Holds a
    /// one-line description naming the file.
    Insecure(String),
    /// The record or artifact could not be read for another reason (e.g. too many
    /// open files); nothing was removed. Holds a one-line description.
    Unreadable(String),
}

/// What [`Cache::insert`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inserted {
    /// Absolute path of the stored artifact (the one to load).
    pub artifact_path: PathBuf,
    /// Whether the artifact was written (false: an identical one was already there).
    pub artifact_written: bool,
    /// Bytes written: the artifact if written, plus every record.
    pub bytes_written: u64,
}

/// One entry as shown by [`Cache::list`].
#[derive(Debug, Clone, PartialEq)]
pub struct EntryInfo {
    /// The entry's key.
    pub key: Key,
    /// Its record (labels, payload, artifact hash and size, creation time).
    pub record: Record,
    /// Path of the record file.
    pub record_path: PathBuf,
    /// Size of the record file in bytes.
    pub record_bytes: u64,
    /// Path where its artifact is expected.
    pub artifact_path: PathBuf,
    /// Whether a regular file exists at `artifact_path` (not verified).
    pub artifact_present: bool,
    /// Last use: the record file's mtime (set by insert and by every hit).
    pub last_used: SystemTime,
}

/// Totals of [`Cache::stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Number of record files.
    pub entries: u64,
    /// Number of artifact files.
    pub artifacts: u64,
    /// Bytes of record files.
    pub record_bytes: u64,
    /// Bytes of artifact files.
    pub artifact_bytes: u64,
    /// `record_bytes + artifact_bytes`, the quantity held under `max_bytes`.
    pub bytes: u64,
    /// Hits counted by [`Cache::add_hits`] since the cache was created or cleared.
    pub hits: u64,
    /// Creation (or last clear) time in seconds since the Unix epoch, if recorded.
    pub created: Option<u64>,
    /// The size cap in force for this value, in bytes.
    pub max_bytes: u64,
}

/// A record and artifact that passed verification (shared by lookup and gc).
pub(crate) struct Verified {
    record: Record,
    artifact_path: PathBuf,
    /// The opened record file, for refreshing its mtime.
    record_file: File,
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Cache {
    /// Opens the cache at `root`, creating `root` (mode 0700, missing parents with the
    /// default mode), `root/v1`, `objects` and `entries` (mode 0700) as needed, and the
    /// creation-time file if missing.
    ///
    /// Errors: [`CacheError::Insecure`] if one of those directories is not owned by the
    /// effective user or is group/other writable (it is never modified);
    /// [`CacheError::Unwritable`] if a file cannot be created in `root/v1` (tested by
    /// creating and removing a temporary file); [`CacheError::NotADirectory`];
    /// [`CacheError::InvalidOptions`] for a bad `artifact_ext`; [`CacheError::Io`].
    pub fn open(root: &Path, opts: Options) -> Result<Cache, CacheError> {
        let ext = &opts.artifact_ext;
        if ext.is_empty() || ext.len() > 16 || !ext.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CacheError::InvalidOptions(format!(
                "artifact extension {ext:?} must be 1 to 16 ASCII letters and digits"
            )));
        }
        let root = std::path::absolute(root).map_err(|e| CacheError::io(root, e))?;
        let euid = files::euid();
        create_root(&root)?;
        files::check_dir(&root, euid)?;
        let layout = Layout::new(root, opts.artifact_ext.clone());
        for dir in [&layout.dir, &layout.objects, &layout.entries] {
            files::make_dir(dir).map_err(|e| CacheError::creating(dir, e))?;
            files::check_dir(dir, euid)?;
        }
        tempfile::Builder::new()
            .prefix(layout::TEMP_PREFIX)
            .tempfile_in(&layout.dir)
            .map_err(|source| CacheError::Unwritable {
                path: layout.dir.clone(),
                source,
            })?;
        if fs::symlink_metadata(&layout.created).is_err() {
            let now = format!("{}\n", unix_now());
            files::write_atomically(&layout.dir, &layout.created, now.as_bytes(), Existing::Keep)?;
        }
        Ok(Cache {
            inner: Arc::new(Inner {
                layout,
                opts,
                euid,
                verified: Mutex::new(HashSet::new()),
                evicting: AtomicBool::new(false),
            }),
        })
    }

    /// The root directory (absolute), as given to [`Cache::open`].
    pub fn root(&self) -> &Path {
        &self.inner.layout.root
    }

    /// The options the cache was opened with.
    pub fn options(&self) -> &Options {
        &self.inner.opts
    }

    /// Looks `key` up, verifying the record and its artifact (see the crate docs). A
    /// hit sets the record's mtime to now (its last use); a failure to do so is
    /// ignored. A damaged entry is removed and answers [`Reason::Damaged`]; an insecure
    /// one is left in place and answers [`Reason::Insecure`].
    pub fn lookup(&self, key: &Key) -> Lookup {
        match self.verify(&key.to_hex()) {
            Ok(Verified {
                record,
                artifact_path,
                record_file,
            }) => {
                if let Err(error) = record_file.set_modified(SystemTime::now()) {
                    tracing::debug!(%key, %error, "cannot touch cache record");
                }
                Lookup::Hit(Hit {
                    record,
                    artifact_path,
                })
            }
            Err(reason) => {
                match &reason {
                    Reason::Absent => {}
                    Reason::Damaged(why) => {
                        tracing::debug!(%key, why, "damaged cache entry removed")
                    }
                    Reason::Insecure(why) => {
                        tracing::warn!(%key, why, "insecure cache entry ignored")
                    }
                    Reason::Unreadable(why) => tracing::debug!(%key, why, "unreadable cache entry"),
                }
                Lookup::Miss(reason)
            }
        }
    }

    /// Checks the record of `key_hex` and its artifact; removes what is damaged (see
    /// [`Reason`] for what each failure leaves behind).
    pub(crate) fn verify(&self, key_hex: &str) -> Result<Verified, Reason> {
        let layout = &self.inner.layout;
        let record_path = layout.record_path(key_hex);
        let (record_file, record_meta) = match self.open_trusted(&record_path, "record") {
            Ok(Some(opened)) => opened,
            Ok(None) => return Err(Reason::Absent),
            Err(reason) => return Err(reason),
        };
        let damaged = |why: String| {
            files::remove_if_same(&record_path, &record_meta);
            Err(Reason::Damaged(format!(
                "record {}: {why}",
                record_path.display()
            )))
        };
        if record_meta.len() > MAX_RECORD_BYTES {
            return damaged(format!("{} bytes is too large", record_meta.len()));
        }
        let mut text = Vec::with_capacity(record_meta.len() as usize);
        if let Err(error) = (&record_file).read_to_end(&mut text) {
            return Err(Reason::Unreadable(format!(
                "record {}: {error}",
                record_path.display()
            )));
        }
        let record: Record = match serde_json::from_slice(&text) {
            Ok(record) => record,
            Err(error) => return damaged(format!("unparsable: {error}")),
        };
        if record.format != FORMAT {
            return damaged(format!("format {} is not {FORMAT}", record.format));
        }
        if record.key != key_hex {
            return damaged(format!(
                "key field {:?} does not match the file name",
                record.key
            ));
        }
        if !layout::is_hex64(&record.artifact) {
            return damaged(format!(
                "artifact field {:?} is not a hash",
                record.artifact
            ));
        }
        let artifact_path = layout.artifact_path(&record.artifact);
        let (artifact_file, artifact_meta) = match self.open_trusted(&artifact_path, "artifact") {
            Ok(Some(opened)) => opened,
            Ok(None) => return damaged(format!("artifact {} is missing", artifact_path.display())),
            Err(reason) => return Err(reason),
        };
        let expected = Key::from_hex(&record.artifact).map_or([0; 32], |k| k.0);
        let size = artifact_meta.len();
        let known_good = size == record.artifact_size && self.is_verified(&expected);
        if !known_good {
            let hash = match hash_file(&artifact_file) {
                Ok(hash) => hash,
                Err(error) => {
                    return Err(Reason::Unreadable(format!(
                        "artifact {}: {error}",
                        artifact_path.display()
                    )))
                }
            };
            if hash != expected {
                files::remove_if_same(&artifact_path, &artifact_meta);
                return damaged(format!(
                    "artifact {} ({size} bytes) does not match its hash; removed",
                    artifact_path.display()
                ));
            }
            self.mark_verified(expected);
            if size != record.artifact_size {
                return damaged(format!(
                    "artifact {} has {size} bytes, the record says {}",
                    artifact_path.display(),
                    record.artifact_size
                ));
            }
        }
        Ok(Verified {
            record,
            artifact_path,
            record_file,
        })
    }

    /// Opens `path` and checks it with `fstat`. `Ok(None)`: absent. `Err`: the reason
    /// (insecure or unreadable) to answer.
    fn open_trusted(&self, path: &Path, what: &str) -> Result<Option<(File, Metadata)>, Reason> {
        let file = match files::open_read(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) if files::is_symlink_refusal(&e) => {
                return Err(Reason::Insecure(format!(
                    "{what} {} is a symbolic link",
                    path.display()
                )))
            }
            Err(e) => {
                return Err(Reason::Unreadable(format!(
                    "{what} {}: {e}",
                    path.display()
                )))
            }
        };
        let meta = file
            .metadata()
            .map_err(|e| Reason::Unreadable(format!("{what} {}: {e}", path.display())))?;
        match files::distrust_file(&meta, self.inner.euid) {
            Some(why) => Err(Reason::Insecure(format!(
                "{what} {}: {why}",
                path.display()
            ))),
            None => Ok(Some((file, meta))),
        }
    }

    fn is_verified(&self, hash: &[u8; 32]) -> bool {
        self.inner
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(hash)
    }

    fn mark_verified(&self, hash: [u8; 32]) {
        self.inner
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(hash);
    }

    /// Stores the artifact read from the file `artifact` (read whole into memory) and
    /// one record per entry, each atomically. An identical artifact already present
    /// (and verified) is reused and its mtime refreshed; a damaged or insecure one is
    /// replaced. Records are replaced by rename.
    ///
    /// Returns the stored artifact's path and the bytes written. Errors:
    /// [`CacheError::Io`] reading `artifact` or writing the cache,
    /// [`CacheError::Unwritable`] if a temporary file cannot be created.
    pub fn insert(&self, artifact: &Path, entries: &[NewEntry]) -> Result<Inserted, CacheError> {
        let layout = &self.inner.layout;
        let bytes = fs::read(artifact).map_err(|e| CacheError::io(artifact, e))?;
        let hash = blake3::hash(&bytes);
        let hex = hash.to_hex();
        let dir = layout.artifact_dir(&hex);
        files::make_dir(&dir).map_err(|e| CacheError::creating(&dir, e))?;
        let artifact_path = layout.artifact_path(&hex);
        let artifact_written =
            match self.existing_artifact(&artifact_path, hash.as_bytes(), bytes.len() as u64) {
                Some(true) => false,
                Some(false) => {
                    files::write_atomically(&dir, &artifact_path, &bytes, Existing::Replace)?
                }
                None => files::write_atomically(&dir, &artifact_path, &bytes, Existing::Keep)?,
            };
        self.mark_verified(*hash.as_bytes());
        let mut bytes_written = if artifact_written {
            bytes.len() as u64
        } else {
            0
        };
        let created = unix_now();
        for entry in entries {
            let key_hex = entry.key.to_hex();
            let record = Record {
                format: FORMAT,
                key: key_hex.clone(),
                artifact: hex.to_string(),
                artifact_size: bytes.len() as u64,
                created,
                labels: entry.labels.clone(),
                payload: entry.payload.clone(),
            };
            let mut text = serde_json::to_vec(&record)
                .map_err(|e| CacheError::io(layout.record_path(&key_hex), e.into()))?;
            text.push(b'\n');
            let dir = layout.record_dir(&key_hex);
            files::make_dir(&dir).map_err(|e| CacheError::creating(&dir, e))?;
            files::write_atomically(
                &dir,
                &layout.record_path(&key_hex),
                &text,
                Existing::Replace,
            )?;
            bytes_written += text.len() as u64;
        }
        Ok(Inserted {
            artifact_path,
            artifact_written,
            bytes_written,
        })
    }

    /// The state of an artifact file already at `path`: `None` absent, `Some(true)`
    /// trusted with the right size and hash (its mtime is then refreshed, so
    /// maintenance sees it as young), `Some(false)` present but to be replaced.
    fn existing_artifact(&self, path: &Path, hash: &[u8; 32], size: u64) -> Option<bool> {
        let (file, meta) = match self.open_trusted(path, "artifact") {
            Ok(Some(opened)) => opened,
            Ok(None) => return None,
            Err(_) => return Some(false),
        };
        if meta.len() != size {
            return Some(false);
        }
        if !self.is_verified(hash) && hash_file(&file).ok().as_ref() != Some(hash) {
            return Some(false);
        }
        if let Err(error) = file.set_modified(SystemTime::now()) {
            tracing::debug!(path = %path.display(), %error, "cannot touch artifact");
        }
        Some(true)
    }

    /// Removes the entry of `key` (e.g. after its verified artifact failed to load).
    /// A missing record and other failures are ignored; the artifact stays for other
    /// entries (maintenance removes it once unreferenced).
    pub fn remove(&self, key: &Key) {
        files::remove_quietly(&self.inner.layout.record_path(&key.to_hex()));
    }

    /// Adds `n` to the persistent hit count: appends the line `n\n` to `R/v1/hits` in
    /// one `O_APPEND` write, so concurrent processes lose no counts. No-op for 0;
    /// failures are ignored (logged).
    pub fn add_hits(&self, n: u64) {
        if n == 0 {
            return;
        }
        let path = &self.inner.layout.hits;
        let line = format!("{n}\n");
        let written = files::open_append(path).and_then(|mut file| file.write_all(line.as_bytes()));
        if let Err(error) = written {
            tracing::debug!(path = %path.display(), %error, "cannot count cache hits");
        }
    }

    /// Every entry whose record parses and names its own key, most recently used first.
    /// Nothing is verified or removed; unparsable and unknown files are skipped.
    pub fn list(&self) -> Vec<EntryInfo> {
        let layout = &self.inner.layout;
        let found = layout::scan(&layout.entries, layout::RECORD_EXT).unwrap_or_default();
        let mut list: Vec<EntryInfo> = found
            .into_iter()
            .filter_map(|found| {
                let Kind::Named(hex) = found.kind else {
                    return None;
                };
                if found.meta.len() > MAX_RECORD_BYTES {
                    return None;
                }
                let text = fs::read(&found.path).ok()?;
                let record: Record = serde_json::from_slice(&text).ok()?;
                if record.key != hex || !layout::is_hex64(&record.artifact) {
                    return None;
                }
                let artifact_path = layout.artifact_path(&record.artifact);
                let artifact_present =
                    fs::symlink_metadata(&artifact_path).is_ok_and(|m| m.is_file());
                Some(EntryInfo {
                    key: Key::from_hex(&hex)?,
                    record_bytes: found.meta.len(),
                    last_used: found.meta.modified().unwrap_or(UNIX_EPOCH),
                    record_path: found.path,
                    record,
                    artifact_path,
                    artifact_present,
                })
            })
            .collect();
        list.sort_by(|a, b| b.last_used.cmp(&a.last_used).then(a.key.cmp(&b.key)));
        list
    }

    /// Counts and sizes of recognised records and artifacts (unknown files are not
    /// counted), the hit total and the creation time.
    pub fn stats(&self) -> Stats {
        let layout = &self.inner.layout;
        let mut stats = Stats {
            max_bytes: self.inner.opts.max_bytes,
            ..Stats::default()
        };
        for found in layout::scan(&layout.entries, layout::RECORD_EXT).unwrap_or_default() {
            if let Kind::Named(_) = found.kind {
                stats.entries += 1;
                stats.record_bytes += found.meta.len();
            }
        }
        for found in layout::scan(&layout.objects, &layout.ext).unwrap_or_default() {
            if let Kind::Named(_) = found.kind {
                stats.artifacts += 1;
                stats.artifact_bytes += found.meta.len();
            }
        }
        stats.bytes = stats.record_bytes + stats.artifact_bytes;
        stats.hits = fs::read_to_string(&layout.hits)
            .map(|text| {
                text.lines()
                    .filter_map(|line| line.trim().parse::<u64>().ok())
                    .fold(0u64, u64::saturating_add)
            })
            .unwrap_or(0);
        stats.created = fs::read_to_string(&layout.created)
            .ok()
            .and_then(|text| text.trim().parse().ok());
        stats
    }
}

/// Creates `root` with mode 0700 if it does not exist (its missing parents with the
/// default mode); fails if it exists and is not a directory.
fn create_root(root: &Path) -> Result<(), CacheError> {
    match fs::metadata(root) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => return Err(CacheError::NotADirectory { path: root.into() }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(CacheError::io(root, e)),
    }
    if let Some(parent) = root.parent() {
        fs::create_dir_all(parent).map_err(|e| CacheError::creating(parent, e))?;
    }
    files::make_dir(root).map_err(|e| CacheError::creating(root, e))
}

/// blake3 of the whole file, read from its current position (the start, for a file
/// just opened).
fn hash_file(file: &File) -> io::Result<[u8; 32]> {
    let mut hasher = blake3::Hasher::new();
    let mut reader = file;
    hasher.update_reader(&mut reader)?;
    Ok(*hasher.finalize().as_bytes())
}
