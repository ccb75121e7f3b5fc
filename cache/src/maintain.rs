//! Maintenance: garbage collection, eviction and clearing, all under the exclusive
//! lock on `R/v1/lock` so one process maintains a root at a time.
//!
//! Eviction is least-recently-used by record mtime (set by insert and by every hit):
//! records go oldest first until artifacts plus records fit in `max_bytes`; an
//! artifact goes when no record references it any more. Unreferenced artifacts and
//! temporary files younger than [`GRACE`] are spared: an insert writes its artifact
//! before its records, and may be between the two.
//!
//! Invariant: only files recognised by `layout::classify` (or the fixed names `hits`
//! and `created`) are deleted; directories are removed only when empty and only in
//! older format directories.

use std::collections::HashMap;
use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::CacheError;
use crate::files::{self, Existing};
use crate::layout::{self, Kind, CREATED, HITS, LOCK, RECORD_EXT};
use crate::store::{unix_now, Cache};
use crate::Reason;
use crate::{FORMAT, GRACE};

/// What [`Cache::gc`] found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Records examined by the verification pass.
    pub checked: usize,
    /// Damaged records removed (with their artifact when its bytes were wrong).
    pub damaged: usize,
    /// Insecure records or artifacts found and left in place.
    pub insecure: usize,
    /// Records that could not be read (left in place).
    pub unreadable: usize,
    /// Unreferenced artifacts removed (older than [`GRACE`]).
    pub orphans: usize,
    /// Stale temporary files removed (older than [`GRACE`]).
    pub temps: usize,
    /// Files removed from directories of older formats (`R/v0`, …).
    pub old_format_files: usize,
    /// Directories of older formats removed (only when emptied).
    pub old_format_dirs: usize,
    /// Records evicted to get under `max_bytes`.
    pub evicted: usize,
    /// Bytes freed by removing orphans, temporary files, old-format files and evicted
    /// records and artifacts (damaged files not included).
    pub bytes_freed: u64,
    /// Artifact and record bytes left afterwards.
    pub bytes_after: u64,
    /// One line per damaged, insecure or unreadable record: what was wrong.
    pub problems: Vec<String>,
}

/// What [`Cache::clear`] removed and kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClearReport {
    /// Record files removed.
    pub records: usize,
    /// Artifact files removed.
    pub artifacts: usize,
    /// Temporary files removed.
    pub temps: usize,
    /// Bytes of the files removed.
    pub bytes_freed: u64,
    /// Files and directories not recognised as the cache's, left in place.
    pub unknown_kept: usize,
}

/// One record file, as seen by eviction.
struct RecordFile {
    path: PathBuf,
    /// The artifact hash it names, if it parses.
    artifact: Option<String>,
    bytes: u64,
    last_used: SystemTime,
}

/// One artifact file, as seen by eviction.
struct ArtifactFile {
    path: PathBuf,
    bytes: u64,
    modified: SystemTime,
    /// Records naming it.
    refs: usize,
}

/// Records and artifacts of the root with their sizes, and the running total.
struct Inventory {
    records: Vec<RecordFile>,
    artifacts: HashMap<String, ArtifactFile>,
    total: u64,
}

/// Whether `time` is at least [`GRACE`] in the past (a future time is not).
fn is_stale(time: SystemTime) -> bool {
    SystemTime::now()
        .duration_since(time)
        .is_ok_and(|age| age >= GRACE)
}

impl Cache {
    /// Opens the lock file and takes the exclusive lock, waiting for it.
    fn lock(&self) -> Result<File, CacheError> {
        let path = &self.inner.layout.lock;
        let file = files::open_lock(path).map_err(|e| CacheError::creating(path, e))?;
        file.lock().map_err(|e| CacheError::io(path, e))?;
        Ok(file)
    }

    /// Full maintenance, waiting for the lock: verifies every record and artifact
    /// (removing damaged ones as [`Cache::lookup`] would, without refreshing last use),
    /// removes unreferenced artifacts and temporary files older than [`GRACE`],
    /// removes this crate's files from directories of older formats (`R/v<N>` with
    /// N < [`FORMAT`]) and those directories once empty, evicts least recently used
    /// entries until the total is at most `max_bytes`, then removes the artifacts that
    /// left unreferenced. Unknown files are never touched.
    ///
    /// Errors: [`CacheError::Io`] if the lock or a cache directory cannot be read.
    pub fn gc(&self) -> Result<GcReport, CacheError> {
        let _lock = self.lock()?;
        let layout = &self.inner.layout;
        let mut report = GcReport::default();
        let records = layout::scan(&layout.entries, RECORD_EXT)
            .map_err(|e| CacheError::io(&layout.entries, e))?;
        for found in records {
            let Kind::Named(hex) = found.kind else {
                continue;
            };
            report.checked += 1;
            let (count, why) = match self.verify(&hex) {
                Ok(_) | Err(Reason::Absent) => continue,
                Err(Reason::Damaged(why)) => (&mut report.damaged, why),
                Err(Reason::Insecure(why)) => (&mut report.insecure, why),
                Err(Reason::Unreadable(why)) => (&mut report.unreadable, why),
            };
            *count += 1;
            report.problems.push(why);
        }
        let mut inventory = self.inventory()?;
        self.sweep_orphans(&mut inventory, &mut report);
        self.sweep_temps(&mut report);
        self.sweep_old_formats(&mut report);
        self.evict_lru(&mut inventory, &mut report);
        self.sweep_orphans(&mut inventory, &mut report);
        report.bytes_after = inventory.total;
        tracing::debug!(?report, "cache gc");
        Ok(report)
    }

    /// If artifacts plus records exceed `max_bytes`, evicts least recently used
    /// entries (and the artifacts they leave unreferenced and older than [`GRACE`]) on
    /// a new, detached thread, and returns at once. The thread scans the directories
    /// itself (the caller pays only for the spawn), and skips the work if another
    /// process holds the lock.
    ///
    /// Returns the thread's handle (dropping it detaches the thread), or `None` if an
    /// eviction started from this value (or a clone) is still running or the thread
    /// could not be spawned.
    pub fn evict_in_background(&self) -> Option<JoinHandle<()>> {
        if self.inner.evicting.swap(true, Ordering::AcqRel) {
            return None;
        }
        let cache = self.clone();
        let spawned = thread::Builder::new()
            .name("cache-evict".into())
            .spawn(move || {
                cache.evict_unless_locked();
                cache.inner.evicting.store(false, Ordering::Release);
            });
        match spawned {
            Ok(handle) => Some(handle),
            Err(error) => {
                tracing::debug!(%error, "cannot spawn the cache eviction thread");
                self.inner.evicting.store(false, Ordering::Release);
                None
            }
        }
    }

    /// The body of the background eviction: try the lock, scan, evict if over.
    fn evict_unless_locked(&self) {
        let path = &self.inner.layout.lock;
        let lock = match files::open_lock(path) {
            Ok(lock) => lock,
            Err(error) => {
                tracing::debug!(path = %path.display(), %error, "cannot open cache lock");
                return;
            }
        };
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                tracing::debug!("cache maintenance already running elsewhere");
                return;
            }
            Err(TryLockError::Error(error)) => {
                tracing::debug!(path = %path.display(), %error, "cannot lock cache");
                return;
            }
        }
        let mut inventory = match self.inventory() {
            Ok(inventory) => inventory,
            Err(error) => {
                tracing::debug!(%error, "cannot scan cache for eviction");
                return;
            }
        };
        if inventory.total <= self.inner.opts.max_bytes {
            return;
        }
        let mut report = GcReport::default();
        self.evict_lru(&mut inventory, &mut report);
        self.sweep_orphans(&mut inventory, &mut report);
        report.bytes_after = inventory.total;
        tracing::debug!(?report, "cache eviction");
    }

    /// Scans records (parsing them, unverified) and artifacts.
    fn inventory(&self) -> Result<Inventory, CacheError> {
        let layout = &self.inner.layout;
        let mut inventory = Inventory {
            records: Vec::new(),
            artifacts: HashMap::new(),
            total: 0,
        };
        let artifacts = layout::scan(&layout.objects, &layout.ext)
            .map_err(|e| CacheError::io(&layout.objects, e))?;
        for found in artifacts {
            let Kind::Named(hex) = found.kind else {
                continue;
            };
            inventory.total += found.meta.len();
            inventory.artifacts.insert(
                hex,
                ArtifactFile {
                    path: found.path,
                    bytes: found.meta.len(),
                    modified: found.meta.modified().unwrap_or(UNIX_EPOCH),
                    refs: 0,
                },
            );
        }
        let records = layout::scan(&layout.entries, RECORD_EXT)
            .map_err(|e| CacheError::io(&layout.entries, e))?;
        for found in records {
            let Kind::Named(_) = found.kind else { continue };
            let artifact = fs::read(&found.path)
                .ok()
                .and_then(|text| serde_json::from_slice::<crate::Record>(&text).ok())
                .map(|record| record.artifact);
            if let Some(file) = artifact
                .as_ref()
                .and_then(|a| inventory.artifacts.get_mut(a))
            {
                file.refs += 1;
            }
            inventory.total += found.meta.len();
            inventory.records.push(RecordFile {
                path: found.path,
                artifact,
                bytes: found.meta.len(),
                last_used: found.meta.modified().unwrap_or(UNIX_EPOCH),
            });
        }
        Ok(inventory)
    }

    /// Removes records oldest first while the total exceeds `max_bytes`, and each
    /// artifact as it becomes unreferenced (if older than [`GRACE`]).
    fn evict_lru(&self, inventory: &mut Inventory, report: &mut GcReport) {
        let max = self.inner.opts.max_bytes;
        if inventory.total <= max {
            return;
        }
        inventory
            .records
            .sort_by(|a, b| a.last_used.cmp(&b.last_used).then(a.path.cmp(&b.path)));
        let mut kept = Vec::new();
        let records = std::mem::take(&mut inventory.records);
        for record in records {
            if inventory.total <= max {
                kept.push(record);
                continue;
            }
            files::remove_quietly(&record.path);
            report.evicted += 1;
            report.bytes_freed += record.bytes;
            inventory.total -= record.bytes;
            let Some(hex) = &record.artifact else {
                continue;
            };
            let Some(artifact) = inventory.artifacts.get_mut(hex) else {
                continue;
            };
            artifact.refs -= 1;
            if artifact.refs == 0 && is_stale(artifact.modified) {
                files::remove_quietly(&artifact.path);
                report.bytes_freed += artifact.bytes;
                inventory.total -= artifact.bytes;
                inventory.artifacts.remove(hex);
            }
        }
        inventory.records = kept;
    }

    /// Removes artifacts no record names, if older than [`GRACE`].
    fn sweep_orphans(&self, inventory: &mut Inventory, report: &mut GcReport) {
        inventory.artifacts.retain(|_, artifact| {
            if artifact.refs > 0 || !is_stale(artifact.modified) {
                return true;
            }
            files::remove_quietly(&artifact.path);
            report.orphans += 1;
            report.bytes_freed += artifact.bytes;
            inventory.total -= artifact.bytes;
            false
        });
    }

    /// Removes temporary files older than [`GRACE`] in `R/v1`, `objects`, `entries`
    /// and their shards.
    fn sweep_temps(&self, report: &mut GcReport) {
        let layout = &self.inner.layout;
        let mut temps = top_level_temps(&layout.dir);
        for (top, ext) in [
            (&layout.objects, layout.ext.as_str()),
            (&layout.entries, RECORD_EXT),
        ] {
            for found in layout::scan(top, ext).unwrap_or_default() {
                if found.kind == Kind::Temp {
                    temps.push((found.path, found.meta));
                }
            }
        }
        for (path, meta) in temps {
            if is_stale(meta.modified().unwrap_or(UNIX_EPOCH)) && files::remove_quietly(&path) {
                report.temps += 1;
                report.bytes_freed += meta.len();
            }
        }
    }

    /// Empties directories `R/v<N>` with N < [`FORMAT`] of this crate's files, and
    /// removes them (and their subdirectories) once empty.
    fn sweep_old_formats(&self, report: &mut GcReport) {
        let layout = &self.inner.layout;
        let Ok(children) = fs::read_dir(&layout.root) else {
            return;
        };
        for child in children.flatten() {
            let name = child.file_name();
            let Some(format) = old_format(&name.to_string_lossy()) else {
                continue;
            };
            if format >= FORMAT || !child.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            if sweep_old_dir(&child.path(), &layout.ext, 0, report) {
                report.old_format_dirs += 1;
            }
        }
    }

    /// Removes every record, artifact and temporary file and the hit log, waiting for
    /// the lock; resets the creation time. The directories, the lock file and anything
    /// not recognised as the cache's stay (and are counted), so the cache stays usable
    /// and a root shared with other files loses none of them.
    ///
    /// Errors: [`CacheError::Io`] if the lock or a cache directory cannot be read, or
    /// the creation time cannot be written.
    pub fn clear(&self) -> Result<ClearReport, CacheError> {
        let _lock = self.lock()?;
        let layout = &self.inner.layout;
        let mut report = ClearReport::default();
        let top = fs::read_dir(&layout.dir).map_err(|e| CacheError::io(&layout.dir, e))?;
        for child in top.flatten() {
            let name = child.file_name();
            let name = name.to_string_lossy();
            let Ok(meta) = child.metadata() else { continue };
            let is_file = meta.file_type().is_file();
            let is_dir = meta.file_type().is_dir();
            match &*name {
                "objects" | "entries" if is_dir => {}
                LOCK | CREATED if is_file => {}
                HITS if is_file => {
                    if files::remove_quietly(&child.path()) {
                        report.bytes_freed += meta.len();
                    }
                }
                _ if is_file && layout::is_temp(&name) => {
                    if files::remove_quietly(&child.path()) {
                        report.temps += 1;
                        report.bytes_freed += meta.len();
                    }
                }
                _ => report.unknown_kept += 1,
            }
        }
        for (top, ext, is_records) in [
            (&layout.objects, layout.ext.as_str(), false),
            (&layout.entries, RECORD_EXT, true),
        ] {
            for found in layout::scan(top, ext).map_err(|e| CacheError::io(top, e))? {
                match found.kind {
                    Kind::Unknown => report.unknown_kept += 1,
                    Kind::Temp | Kind::Named(_) => {
                        if !files::remove_quietly(&found.path) {
                            continue;
                        }
                        report.bytes_freed += found.meta.len();
                        match found.kind {
                            Kind::Temp => report.temps += 1,
                            _ if is_records => report.records += 1,
                            _ => report.artifacts += 1,
                        }
                    }
                }
            }
        }
        let now = format!("{}\n", unix_now());
        files::write_atomically(
            &layout.dir,
            &layout.created,
            now.as_bytes(),
            Existing::Replace,
        )?;
        tracing::debug!(?report, "cache cleared");
        Ok(report)
    }
}

/// Temporary files directly in `dir`, with their metadata.
fn top_level_temps(dir: &Path) -> Vec<(PathBuf, fs::Metadata)> {
    let Ok(children) = fs::read_dir(dir) else {
        return Vec::new();
    };
    children
        .flatten()
        .filter(|child| layout::is_temp(&child.file_name().to_string_lossy()))
        .filter_map(|child| Some((child.path(), child.metadata().ok()?)))
        .filter(|(_, meta)| meta.file_type().is_file())
        .collect()
}

/// The format number of a directory name `v<digits>` (canonical decimal, no sign or
/// leading zero), if it is one.
fn old_format(name: &str) -> Option<u32> {
    let digits = name.strip_prefix('v')?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    canonical.then(|| digits.parse().ok()).flatten()
}

/// Removes this crate's files (records, artifacts with `ext`, temporary files, `hits`,
/// `created`, `lock`) from the old-format directory `dir` and its subdirectories up to
/// depth 2 (`v0/objects/<hh>/`), removing each directory that ends up empty. Returns
/// whether `dir` itself was removed. Symbolic links are never followed.
fn sweep_old_dir(dir: &Path, ext: &str, depth: usize, report: &mut GcReport) -> bool {
    let Ok(children) = fs::read_dir(dir) else {
        return false;
    };
    for child in children.flatten() {
        let Ok(meta) = child.metadata() else { continue };
        let path = child.path();
        if meta.file_type().is_dir() {
            if depth < 2 && sweep_old_dir(&path, ext, depth + 1, report) {
                report.old_format_dirs += 1;
            }
            continue;
        }
        if !meta.file_type().is_file() {
            continue;
        }
        let name = child.file_name();
        let name = name.to_string_lossy();
        let ours = matches!(&*name, HITS | CREATED | LOCK)
            || layout::is_temp(&name)
            || layout::hex_stem(&name, RECORD_EXT).is_some()
            || layout::hex_stem(&name, ext).is_some();
        if ours && files::remove_quietly(&path) {
            report.old_format_files += 1;
            report.bytes_freed += meta.len();
        }
    }
    fs::remove_dir(dir).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_format_names() {
        assert_eq!(old_format("v0"), Some(0));
        assert_eq!(old_format("v12"), Some(12));
        assert_eq!(old_format("v"), None);
        assert_eq!(old_format("v01"), None);
        assert_eq!(old_format("v-1"), None);
        assert_eq!(old_format("x0"), None);
        assert_eq!(old_format("v0a"), None);
        assert_eq!(old_format("v99999999999"), None);
    }
}
