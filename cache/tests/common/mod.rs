//! Helpers shared by the integration tests: roots, artifacts, keys, mtimes.

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use lunajit_cache::{Cache, Hit, Key, Lookup, NewEntry, Options};

pub fn opts(max_bytes: u64) -> Options {
    Options {
        max_bytes,
        artifact_ext: "so".into(),
    }
}

pub fn open(root: &Path) -> Cache {
    Cache::open(root, opts(1 << 30)).expect("open cache")
}

pub fn key(n: u32) -> Key {
    Key::from(blake3::hash(format!("key {n}").as_bytes()))
}

/// Deterministic artifact bytes of `len` bytes, distinct per `seed`.
pub fn bytes(seed: u32, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut reader = blake3::Hasher::new()
        .update(&seed.to_le_bytes())
        .finalize_xof();
    out.resize(len, 0);
    reader.fill(&mut out);
    out
}

/// Writes `content` to a fresh file under `scratch` (outside the cache) and returns it.
pub fn artifact_file(scratch: &Path, content: &[u8]) -> PathBuf {
    let path = scratch.join(format!("{}.so", blake3::hash(content).to_hex()));
    fs::write(&path, content).unwrap();
    path
}

pub fn entry(key: Key, label: &str) -> NewEntry {
    let mut labels = BTreeMap::new();
    labels.insert("function".to_owned(), label.to_owned());
    labels.insert("line".to_owned(), "12".to_owned());
    NewEntry {
        key,
        labels,
        payload: serde_json::json!({ "symbol": format!("sym_{label}"), "n": [1, 2] }),
    }
}

pub fn expect_hit(cache: &Cache, key: &Key) -> Hit {
    match cache.lookup(key) {
        Lookup::Hit(hit) => hit,
        Lookup::Miss(reason) => panic!("expected a hit for {key}, got {reason:?}"),
    }
}

pub fn record_path(root: &Path, key: &Key) -> PathBuf {
    let hex = key.to_hex();
    root.join("v1/entries")
        .join(&hex[..2])
        .join(format!("{hex}.json"))
}

pub fn set_mtime(path: &Path, time: SystemTime) {
    File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

pub fn hours_ago(h: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(3600 * h)
}

/// Every file (not directory) under `dir`, recursively, as paths relative to `dir`.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for child in fs::read_dir(&d).unwrap().flatten() {
            let t = child.file_type().unwrap();
            if t.is_dir() {
                stack.push(child.path());
            } else {
                out.push(child.path().strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

pub fn is_root() -> bool {
    // SAFETY: geteuid takes no arguments and cannot fail.
    unsafe { libc::geteuid() == 0 }
}
