//! gc, eviction, clear and hit counting.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use lunajit_cache::{Cache, Lookup, Reason};

/// A cache with four entries (keys 1..=4), each on its own 1000-byte artifact, with
/// record mtimes 4, 3, 2, 1 hours ago and artifacts 5 hours old. Returns the cache
/// opened with `max_bytes` = room for `fit` entries, and the artifact paths.
fn four_entries(root: &Path, fit: u64) -> (Cache, Vec<PathBuf>) {
    let scratch = tempfile::tempdir().unwrap();
    let filler = open(root);
    let mut artifacts = Vec::new();
    for n in 1..=4u32 {
        let file = artifact_file(scratch.path(), &bytes(100 + n, 1000));
        let inserted = filler
            .insert(&file, &[entry(key(n), &format!("e{n}"))])
            .unwrap();
        set_mtime(&record_path(root, &key(n)), hours_ago(5 - u64::from(n)));
        set_mtime(&inserted.artifact_path, hours_ago(5));
        artifacts.push(inserted.artifact_path);
    }
    let per_entry = filler.stats().bytes / 4;
    let cache = Cache::open(root, opts(fit * per_entry + 10)).unwrap();
    (cache, artifacts)
}

#[test]
fn gc_evicts_least_recently_used_first_and_a_hit_refreshes() {
    let root = tempfile::tempdir().unwrap();
    let (cache, artifacts) = four_entries(root.path(), 2);
    // Key 1 is the oldest; using it makes it the newest.
    expect_hit(&cache, &key(1));
    let report = cache.gc().unwrap();
    assert_eq!(report.evicted, 2, "{report:?}");
    assert_eq!(report.damaged, 0, "{report:?}");
    assert!(
        report.bytes_after <= cache.options().max_bytes,
        "{report:?}"
    );
    for (n, artifact) in (1..=4).zip(&artifacts) {
        let kept = matches!(cache.lookup(&key(n)), Lookup::Hit(_));
        assert_eq!(kept, n == 1 || n == 4, "key {n}");
        assert_eq!(artifact.exists(), kept, "artifact of key {n}");
    }
    assert_eq!(cache.stats().bytes, report.bytes_after);
}

#[test]
fn gc_under_the_cap_evicts_nothing() {
    let root = tempfile::tempdir().unwrap();
    let (cache, _) = four_entries(root.path(), 4);
    let report = cache.gc().unwrap();
    assert_eq!(
        (report.evicted, report.orphans, report.damaged),
        (0, 0, 0),
        "{report:?}"
    );
    for n in 1..=4 {
        expect_hit(&cache, &key(n));
    }
}

#[test]
fn eviction_spares_a_young_artifact() {
    let root = tempfile::tempdir().unwrap();
    let (cache, artifacts) = four_entries(root.path(), 3);
    set_mtime(&artifacts[0], std::time::SystemTime::now());
    let report = cache.gc().unwrap();
    // Key 1's record goes; its artifact is too young to go, so key 2 goes as well.
    assert_eq!(report.evicted, 2, "{report:?}");
    assert!(artifacts[0].exists());
    assert!(!artifacts[1].exists());
    assert_eq!(cache.lookup(&key(1)), Lookup::Miss(Reason::Absent));
}

#[test]
fn gc_removes_old_orphans_only() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    let old = cache
        .insert(
            &artifact_file(scratch.path(), &bytes(1, 500)),
            &[entry(key(1), "a")],
        )
        .unwrap();
    let young = cache
        .insert(&artifact_file(scratch.path(), &bytes(2, 500)), &[])
        .unwrap();
    let used = cache
        .insert(
            &artifact_file(scratch.path(), &bytes(3, 500)),
            &[entry(key(3), "c")],
        )
        .unwrap();
    cache.remove(&key(1));
    cache.remove(&key(1)); // a second removal is harmless
    set_mtime(&old.artifact_path, hours_ago(1));
    set_mtime(&used.artifact_path, hours_ago(1));
    let report = cache.gc().unwrap();
    assert_eq!(report.orphans, 1, "{report:?}");
    assert_eq!(report.bytes_freed, 500, "{report:?}");
    assert!(!old.artifact_path.exists());
    assert!(
        young.artifact_path.exists(),
        "an insert in progress may own it"
    );
    assert!(used.artifact_path.exists());
    expect_hit(&cache, &key(3));
}

#[test]
fn gc_removes_damage_and_stale_temp_files() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    let bad = cache
        .insert(
            &artifact_file(scratch.path(), &bytes(4, 700)),
            &[entry(key(1), "a")],
        )
        .unwrap();
    cache
        .insert(
            &artifact_file(scratch.path(), &bytes(5, 700)),
            &[entry(key(2), "b")],
        )
        .unwrap();
    let mut content = fs::read(&bad.artifact_path).unwrap();
    content[0] ^= 1;
    fs::write(&bad.artifact_path, content).unwrap();

    let v1 = root.path().join("v1");
    let old_temps = [
        v1.join(".tmp-a"),
        v1.join("objects/ab/.tmp-b"),
        v1.join("entries/.tmp-c"),
    ];
    let young_temp = v1.join("entries/cd/.tmp-d");
    for temp in old_temps.iter().chain([&young_temp]) {
        fs::create_dir_all(temp.parent().unwrap()).unwrap();
        fs::write(temp, b"partial").unwrap();
    }
    for temp in &old_temps {
        set_mtime(temp, hours_ago(1));
    }
    let report = open(root.path()).gc().unwrap();
    assert_eq!((report.checked, report.damaged), (2, 1), "{report:?}");
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert_eq!(report.temps, 3, "{report:?}");
    assert!(old_temps.iter().all(|t| !t.exists()));
    assert!(young_temp.exists());
    assert!(!bad.artifact_path.exists());
    assert_eq!(cache.lookup(&key(1)), Lookup::Miss(Reason::Absent));
    expect_hit(&cache, &key(2));
}

#[test]
fn gc_removes_older_format_files_only() {
    let root = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    let hex = key(1).to_hex();
    let shard = &hex[..2];
    let ours = [
        format!("v0/objects/{shard}/{hex}.so"),
        format!("v0/entries/{shard}/{hex}.json"),
        "v0/hits".to_owned(),
        "v0/created".to_owned(),
        "v0/.tmp-x".to_owned(),
    ];
    let theirs = [
        "v0/notes.txt".to_owned(),
        format!("v2/entries/{shard}/{hex}.json"),
        format!("v01/{hex}.so"),
        format!("vx/{hex}.so"),
    ];
    for path in ours.iter().chain(&theirs) {
        let path = root.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, b"x").unwrap();
    }
    let report = cache.gc().unwrap();
    assert_eq!(report.old_format_files, ours.len(), "{report:?}");
    // v0/objects/<hh>, v0/objects, v0/entries/<hh>, v0/entries; v0 keeps notes.txt.
    assert_eq!(report.old_format_dirs, 4, "{report:?}");
    for path in &ours {
        assert!(!root.path().join(path).exists(), "{path}");
    }
    for path in &theirs {
        assert!(root.path().join(path).exists(), "{path}");
    }
    assert!(root.path().join("v1").is_dir());

    fs::remove_file(root.path().join("v0/notes.txt")).unwrap();
    let report = cache.gc().unwrap();
    assert_eq!(report.old_format_dirs, 1, "{report:?}");
    assert!(!root.path().join("v0").exists());
}

#[test]
fn background_eviction_gets_under_the_cap() {
    let root = tempfile::tempdir().unwrap();
    let (cache, _) = four_entries(root.path(), 1);
    let handle = cache.evict_in_background().expect("thread started");
    handle.join().unwrap();
    let stats = cache.stats();
    assert!(stats.bytes <= stats.max_bytes, "{stats:?}");
    assert_eq!(stats.entries, 1);
    expect_hit(&cache, &key(4));
}

#[test]
fn background_eviction_skips_when_the_lock_is_held() {
    let root = tempfile::tempdir().unwrap();
    let (cache, _) = four_entries(root.path(), 1);
    // Another open file description of the lock, as another process would hold it.
    let lock = fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(root.path().join("v1/lock"))
        .unwrap();
    lock.lock().unwrap();
    let started = std::time::Instant::now();
    cache.evict_in_background().unwrap().join().unwrap();
    assert!(started.elapsed().as_secs() < 5, "waited for the lock");
    assert_eq!(cache.stats().entries, 4);
    drop(lock);
    cache.evict_in_background().unwrap().join().unwrap();
    assert_eq!(cache.stats().entries, 1);
}

#[test]
fn background_eviction_under_the_cap_removes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let (cache, _) = four_entries(root.path(), 4);
    cache.evict_in_background().unwrap().join().unwrap();
    assert_eq!(cache.stats().entries, 4);
}

#[test]
fn clear_empties_but_leaves_a_usable_cache() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    cache
        .insert(
            &artifact_file(scratch.path(), &bytes(6, 900)),
            &[entry(key(1), "a"), entry(key(2), "b")],
        )
        .unwrap();
    cache.add_hits(3);
    let unknown = root.path().join("v1/objects/mine.txt");
    fs::write(&unknown, b"keep").unwrap();
    fs::write(root.path().join("v1/.tmp-left"), b"x").unwrap();
    let before = cache.stats();
    assert_eq!(before.hits, 3);

    let report = cache.clear().unwrap();
    assert_eq!(
        (report.records, report.artifacts, report.temps),
        (2, 1, 1),
        "{report:?}"
    );
    assert_eq!(report.unknown_kept, 1, "{report:?}");
    assert_eq!(report.bytes_freed, before.bytes + 2 + 1, "{report:?}"); // + "3\n" + "x"
    assert!(unknown.exists());
    let after = cache.stats();
    assert_eq!(
        (after.entries, after.artifacts, after.bytes, after.hits),
        (0, 0, 0, 0)
    );
    assert!(after.created.is_some());
    assert!(root.path().join("v1/lock").exists());
    assert_eq!(cache.lookup(&key(1)), Lookup::Miss(Reason::Absent));

    // Still usable, by this value and a fresh one.
    let content = bytes(6, 900);
    let inserted = cache
        .insert(
            &artifact_file(scratch.path(), &content),
            &[entry(key(1), "a")],
        )
        .unwrap();
    assert!(inserted.artifact_written);
    let hit = expect_hit(&open(root.path()), &key(1));
    assert_eq!(fs::read(hit.artifact_path).unwrap(), content);
}

#[test]
fn hits_from_several_values_add_up() {
    let root = tempfile::tempdir().unwrap();
    let first = open(root.path());
    first.add_hits(0);
    assert!(!root.path().join("v1/hits").exists(), "add_hits(0) wrote");
    first.add_hits(1);
    open(root.path()).add_hits(5);
    open(root.path()).add_hits(10);
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                let cache = open(root.path());
                for _ in 0..100 {
                    cache.add_hits(1);
                }
            });
        }
    });
    assert_eq!(first.stats().hits, 16 + 800);
}

#[test]
fn list_shows_labels_and_last_use_most_recent_first() {
    let root = tempfile::tempdir().unwrap();
    let (cache, artifacts) = four_entries(root.path(), 4);
    fs::remove_file(&artifacts[2]).unwrap();
    fs::write(
        record_path(root.path(), &key(4)).with_file_name("junk.json"),
        b"x",
    )
    .unwrap();
    let listed = cache.list();
    let order: Vec<_> = listed.iter().map(|e| e.key).collect();
    assert_eq!(order, vec![key(4), key(3), key(2), key(1)]);
    assert_eq!(listed[1].record.labels["function"], "e3");
    assert!(!listed[1].artifact_present);
    assert!(listed[0].artifact_present);
    // list removes nothing
    assert!(record_path(root.path(), &key(3)).exists());
}
