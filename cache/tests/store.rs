//! Insert, lookup, damage, security and stray files.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;

use common::*;
use lunajit_cache::{Cache, CacheError, Lookup, Reason, Record};

#[test]
fn insert_then_lookup_hits_with_same_record() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let content = bytes(1, 5000);
    let cache = open(root.path());
    let new = entry(key(1), "f");
    let inserted = cache
        .insert(
            &artifact_file(scratch.path(), &content),
            std::slice::from_ref(&new),
        )
        .unwrap();
    let hex = blake3::hash(&content).to_hex();
    assert_eq!(
        inserted.artifact_path,
        root.path()
            .join("v1/objects")
            .join(&hex[..2])
            .join(format!("{hex}.so"))
    );
    assert!(inserted.artifact_written);
    let record_len = fs::metadata(record_path(root.path(), &key(1)))
        .unwrap()
        .len();
    assert_eq!(inserted.bytes_written, 5000 + record_len);

    // A fresh value, as another process would be.
    let hit = expect_hit(&open(root.path()), &key(1));
    assert_eq!(hit.artifact_path, inserted.artifact_path);
    assert_eq!(fs::read(&hit.artifact_path).unwrap(), content);
    assert_eq!(hit.record.key, key(1).to_hex());
    assert_eq!(hit.record.artifact, hex.as_str());
    assert_eq!(hit.record.artifact_size, 5000);
    assert_eq!(hit.record.labels, new.labels);
    assert_eq!(hit.record.payload, new.payload);
    assert_eq!(hit.record.format, lunajit_cache::FORMAT);
    assert!(matches!(
        cache.lookup(&key(2)),
        Lookup::Miss(Reason::Absent)
    ));
}

#[test]
fn directories_are_private() {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("a/b/cache");
    let _cache = open(&root);
    for dir in ["", "v1", "v1/objects", "v1/entries"] {
        let mode = fs::metadata(root.join(dir)).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o700, "{dir}");
    }
    assert!(fs::read_to_string(root.join("v1/created"))
        .unwrap()
        .trim()
        .parse::<u64>()
        .is_ok());
}

#[test]
fn entries_sharing_an_artifact_store_it_once() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    let file = artifact_file(scratch.path(), &bytes(2, 3000));
    let first = cache
        .insert(&file, &[entry(key(1), "a"), entry(key(2), "b")])
        .unwrap();
    let second = cache.insert(&file, &[entry(key(3), "c")]).unwrap();
    assert!(!second.artifact_written);
    assert_eq!(first.artifact_path, second.artifact_path);
    let stats = cache.stats();
    assert_eq!((stats.entries, stats.artifacts), (3, 1));
    assert_eq!(stats.artifact_bytes, 3000);
    for n in 1..=3 {
        assert_eq!(
            expect_hit(&cache, &key(n)).artifact_path,
            first.artifact_path
        );
    }
    let objects = files_under(&root.path().join("v1/objects"));
    assert_eq!(objects.len(), 1, "{objects:?}");
    let listed = cache.list();
    assert_eq!(listed.len(), 3);
    assert!(listed
        .iter()
        .all(|e| e.artifact_present && e.record.artifact_size == 3000));
}

/// Inserts key 1 (and key 2 on the same artifact), applies `damage`, then expects a
/// fresh value's lookup of key 1 to be `Damaged` with the record removed, and the
/// next lookup `Absent`. Returns (root guard, artifact path) for more checks.
fn damaged_then_absent(
    damage: impl FnOnce(&Path, &Path),
) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    let inserted = cache
        .insert(
            &artifact_file(scratch.path(), &bytes(3, 4096)),
            &[entry(key(1), "f")],
        )
        .unwrap();
    expect_hit(&cache, &key(1));
    let record = record_path(root.path(), &key(1));
    damage(&record, &inserted.artifact_path);
    let fresh = open(root.path());
    let why = match fresh.lookup(&key(1)) {
        Lookup::Miss(Reason::Damaged(why)) => why,
        other => panic!("expected Damaged, got {other:?}"),
    };
    assert!(!record.exists(), "damaged record not removed ({why})");
    assert_eq!(fresh.lookup(&key(1)), Lookup::Miss(Reason::Absent));
    (root, inserted.artifact_path, why)
}

#[test]
fn truncated_artifact_is_damage() {
    let (_root, artifact, why) = damaged_then_absent(|_, artifact| {
        fs::File::options()
            .write(true)
            .open(artifact)
            .unwrap()
            .set_len(100)
            .unwrap();
    });
    assert!(why.contains("does not match its hash"), "{why}");
    assert!(!artifact.exists(), "corrupt artifact kept");
}

#[test]
fn flipped_byte_is_damage() {
    let (_root, artifact, why) = damaged_then_absent(|_, artifact| {
        let mut content = fs::read(artifact).unwrap();
        content[2000] ^= 0x10;
        fs::write(artifact, content).unwrap();
    });
    assert!(why.contains("does not match its hash"), "{why}");
    assert!(!artifact.exists());
}

#[test]
fn artifact_replaced_by_other_content_is_damage() {
    // E.g. another architecture's object copied over it: same size, other bytes.
    let (_root, artifact, _) = damaged_then_absent(|_, artifact| {
        fs::write(artifact, bytes(99, 4096)).unwrap();
    });
    assert!(!artifact.exists());
}

#[test]
fn missing_artifact_is_damage() {
    let (_root, _, why) = damaged_then_absent(|_, artifact| fs::remove_file(artifact).unwrap());
    assert!(why.contains("missing"), "{why}");
}

#[test]
fn garbage_record_is_damage() {
    let (_root, artifact, why) =
        damaged_then_absent(|record, _| fs::write(record, b"{\"format\": 1, garbage").unwrap());
    assert!(why.contains("unparsable"), "{why}");
    assert!(
        artifact.exists(),
        "a sound artifact is not removed with a bad record"
    );
}

#[test]
fn record_of_another_format_is_damage() {
    let (_root, _, why) = damaged_then_absent(|record, _| {
        let mut parsed: Record = serde_json::from_slice(&fs::read(record).unwrap()).unwrap();
        parsed.format = 2;
        fs::write(record, serde_json::to_vec(&parsed).unwrap()).unwrap();
    });
    assert!(why.contains("format 2"), "{why}");
}

#[test]
fn record_with_wrong_size_is_damage_but_artifact_stays() {
    let (_root, artifact, why) = damaged_then_absent(|record, _| {
        let mut parsed: Record = serde_json::from_slice(&fs::read(record).unwrap()).unwrap();
        parsed.artifact_size += 1;
        fs::write(record, serde_json::to_vec(&parsed).unwrap()).unwrap();
    });
    assert!(why.contains("the record says 4097"), "{why}");
    assert!(artifact.exists());
}

#[test]
fn record_under_another_key_name_is_damage() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    cache
        .insert(
            &artifact_file(scratch.path(), &bytes(4, 64)),
            &[entry(key(1), "f")],
        )
        .unwrap();
    let wrong = record_path(root.path(), &key(2));
    fs::create_dir_all(wrong.parent().unwrap()).unwrap();
    fs::copy(record_path(root.path(), &key(1)), &wrong).unwrap();
    match cache.lookup(&key(2)) {
        Lookup::Miss(Reason::Damaged(why)) => assert!(why.contains("key field"), "{why}"),
        other => panic!("expected Damaged, got {other:?}"),
    }
    assert!(!wrong.exists());
    assert_eq!(cache.lookup(&key(2)), Lookup::Miss(Reason::Absent));
    expect_hit(&cache, &key(1));
}

#[test]
fn missing_record_is_absent() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    cache
        .insert(
            &artifact_file(scratch.path(), &bytes(5, 64)),
            &[entry(key(1), "f")],
        )
        .unwrap();
    fs::remove_file(record_path(root.path(), &key(1))).unwrap();
    assert_eq!(cache.lookup(&key(1)), Lookup::Miss(Reason::Absent));
}

#[test]
fn truncation_is_caught_even_after_this_value_verified_the_artifact() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    let inserted = cache
        .insert(
            &artifact_file(scratch.path(), &bytes(6, 1000)),
            &[entry(key(1), "f")],
        )
        .unwrap();
    expect_hit(&cache, &key(1));
    fs::write(&inserted.artifact_path, &bytes(6, 1000)[..999]).unwrap();
    assert!(matches!(
        cache.lookup(&key(1)),
        Lookup::Miss(Reason::Damaged(_))
    ));
}

#[test]
fn reinsert_repairs_a_corrupt_artifact() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let content = bytes(7, 800);
    let file = artifact_file(scratch.path(), &content);
    let inserted = open(root.path())
        .insert(&file, &[entry(key(1), "f")])
        .unwrap();
    fs::write(&inserted.artifact_path, bytes(8, 800)).unwrap();
    // A fresh value has not verified the artifact, so it must notice and rewrite it.
    let again = open(root.path())
        .insert(&file, &[entry(key(2), "g")])
        .unwrap();
    assert!(again.artifact_written);
    assert_eq!(fs::read(&inserted.artifact_path).unwrap(), content);
    let fresh = open(root.path());
    expect_hit(&fresh, &key(1));
    expect_hit(&fresh, &key(2));
}

#[test]
fn hit_refreshes_record_mtime() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    cache
        .insert(
            &artifact_file(scratch.path(), &bytes(9, 10)),
            &[entry(key(1), "f")],
        )
        .unwrap();
    let record = record_path(root.path(), &key(1));
    set_mtime(&record, hours_ago(5));
    expect_hit(&cache, &key(1));
    let age = fs::metadata(&record)
        .unwrap()
        .modified()
        .unwrap()
        .elapsed()
        .unwrap();
    assert!(age.as_secs() < 60, "mtime not refreshed: {age:?} old");
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn world_writable_root_is_refused() {
    let root = tempfile::tempdir().unwrap();
    chmod(root.path(), 0o777);
    match Cache::open(root.path(), opts(1 << 20)) {
        Err(CacheError::Insecure { path, why }) => {
            assert_eq!(path, root.path());
            assert!(why.contains("0777"), "{why}");
        }
        other => panic!("expected Insecure, got {:?}", other.err()),
    }
    // Refused, never repaired.
    assert_eq!(fs::metadata(root.path()).unwrap().mode() & 0o777, 0o777);
    assert!(!root.path().join("v1").exists());
    chmod(root.path(), 0o700);
}

#[test]
fn group_writable_subdirectory_is_refused() {
    let root = tempfile::tempdir().unwrap();
    drop(open(root.path()));
    let entries = root.path().join("v1/entries");
    chmod(&entries, 0o720);
    let error = Cache::open(root.path(), opts(1 << 20)).err().unwrap();
    assert!(matches!(&error, CacheError::Insecure { path, .. } if *path == entries));
    assert!(
        error.to_string().contains(&*entries.to_string_lossy()),
        "{error}"
    );
}

#[test]
fn foreign_owned_root_is_refused() {
    if !is_root() {
        println!("skipped: changing a directory's owner needs root");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    std::os::unix::fs::chown(root.path(), Some(12345), None).unwrap();
    match Cache::open(root.path(), opts(1 << 20)) {
        Err(CacheError::Insecure { why, .. }) => assert!(why.contains("uid 12345"), "{why}"),
        other => panic!("expected Insecure, got {:?}", other.err()),
    }
}

#[test]
fn insecure_files_miss_and_stay() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    let inserted = cache
        .insert(
            &artifact_file(scratch.path(), &bytes(10, 100)),
            &[entry(key(1), "f"), entry(key(2), "g")],
        )
        .unwrap();
    let record = record_path(root.path(), &key(1));
    chmod(&record, 0o666);
    match cache.lookup(&key(1)) {
        Lookup::Miss(Reason::Insecure(why)) => assert!(why.contains("0666"), "{why}"),
        other => panic!("expected Insecure, got {other:?}"),
    }
    assert!(record.exists());
    expect_hit(&cache, &key(2));

    chmod(&inserted.artifact_path, 0o646);
    assert!(matches!(
        cache.lookup(&key(2)),
        Lookup::Miss(Reason::Insecure(_))
    ));
    assert!(inserted.artifact_path.exists());

    // A symbolic link in place of a record is refused, not followed, not removed.
    let link = record_path(root.path(), &key(3));
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(record_path(root.path(), &key(2)), &link).unwrap();
    assert!(matches!(
        cache.lookup(&key(3)),
        Lookup::Miss(Reason::Insecure(_))
    ));
    assert!(link.symlink_metadata().is_ok());

    // gc reports the two insecure files and removes neither; the link is not a
    // regular file, so it is no record of the cache's and is left alone.
    let report = cache.gc().unwrap();
    assert_eq!(report.insecure, 2, "{report:?}");
    assert_eq!(report.damaged, 0, "{report:?}");
    assert!(record.exists() && inserted.artifact_path.exists());
    assert!(link.symlink_metadata().is_ok());
}

#[test]
fn root_that_is_a_file_is_not_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    fs::write(&file, b"x").unwrap();
    assert!(matches!(
        Cache::open(&file, opts(1)),
        Err(CacheError::NotADirectory { .. })
    ));
}

#[test]
fn bad_extension_is_refused() {
    let root = tempfile::tempdir().unwrap();
    for ext in ["", "s.o", "../x", "so/"] {
        let options = lunajit_cache::Options {
            max_bytes: 1,
            artifact_ext: ext.into(),
        };
        assert!(matches!(
            Cache::open(root.path(), options),
            Err(CacheError::InvalidOptions(_))
        ));
    }
}

/// Env var naming the root for the unprivileged half of `read_only_root_is_unwritable`.
const UNPRIVILEGED_ROOT: &str = "LUNAJIT_CACHE_TEST_UNPRIVILEGED_ROOT";

/// Asserts that a cache whose `v1` is read-only refuses to open as `Unwritable`.
fn assert_read_only_is_unwritable(root: &Path) {
    drop(open(root));
    let v1 = root.join("v1");
    chmod(&v1, 0o500);
    let result = Cache::open(root, opts(1 << 20));
    chmod(&v1, 0o700);
    match result {
        Err(CacheError::Unwritable { path, .. }) => assert_eq!(path, v1),
        other => panic!("expected Unwritable, got {:?}", other.err()),
    }
}

#[test]
fn read_only_root_is_unwritable() {
    if let Ok(root) = std::env::var(UNPRIVILEGED_ROOT) {
        // Child half: running as an unprivileged user.
        assert_read_only_is_unwritable(Path::new(&root));
        return;
    }
    if !is_root() {
        let root = tempfile::tempdir().unwrap();
        assert_read_only_is_unwritable(root.path());
        return;
    }
    // Root writes anywhere: rerun this test as user "nobody" on a root it owns.
    let outer = tempfile::tempdir().unwrap();
    chmod(outer.path(), 0o755);
    let root = outer.path().join("cache");
    fs::create_dir(&root).unwrap();
    chmod(&root, 0o700);
    std::os::unix::fs::chown(&root, Some(65534), Some(65534)).unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "read_only_root_is_unwritable", "--nocapture"])
        .env(UNPRIVILEGED_ROOT, &root)
        .uid(65534)
        .gid(65534)
        .output();
    match output {
        Ok(output) => {
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                output.status.success() && stdout.contains("1 passed"),
                "unprivileged child failed: {}\n{stdout}\n{stderr}",
                output.status
            );
        }
        // The binary could not be started as nobody (e.g. unreachable directory).
        Err(error) => println!("skipped: cannot run the test binary as nobody ({error})"),
    }
}

#[test]
fn stray_files_are_ignored_and_survive_clear_and_gc() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root.path());
    let inserted = cache
        .insert(
            &artifact_file(scratch.path(), &bytes(11, 300)),
            &[entry(key(1), "f")],
        )
        .unwrap();
    let v1 = root.path().join("v1");
    let other_hex = key(7).to_hex();
    let shifted = format!("{}{}", "00", &other_hex[2..]); // shard "00" name in shard "ab"
    let strays = [
        v1.join("notes.txt"),
        root.path().join("user-file"),
        v1.join("objects/README"),
        v1.join("objects/ab/whatever.txt"),
        v1.join(format!("objects/ab/{shifted}.so")),
        v1.join(format!("objects/{}/{other_hex}.dylib", &other_hex[..2])),
        v1.join("entries/ab/foo.json"),
        v1.join(format!("entries/ab/{shifted}.json")),
        v1.join("entries/zz/x"),
        v1.join("strange/deep/file"),
    ];
    for stray in &strays {
        fs::create_dir_all(stray.parent().unwrap()).unwrap();
        fs::write(stray, b"someone else's").unwrap();
        set_mtime(stray, hours_ago(48));
    }
    let stray_dirs = [v1.join("emptydir"), v1.join("objects/notashard")];
    for dir in &stray_dirs {
        fs::create_dir_all(dir).unwrap();
    }
    let stats = cache.stats();
    assert_eq!((stats.entries, stats.artifacts), (1, 1), "{stats:?}");
    assert_eq!(
        stats.bytes,
        300 + fs::metadata(record_path(root.path(), &key(1)))
            .unwrap()
            .len()
    );
    assert_eq!(cache.list().len(), 1);
    expect_hit(&cache, &key(1));

    let report = cache.gc().unwrap();
    assert_eq!(
        (report.damaged, report.orphans, report.evicted),
        (0, 0, 0),
        "{report:?}"
    );
    expect_hit(&cache, &key(1));

    let report = cache.clear().unwrap();
    assert_eq!((report.records, report.artifacts), (1, 1), "{report:?}");
    // notes.txt, strange/, emptydir, objects/README, notashard, whatever.txt, shifted
    // .so, .dylib, foo.json, shifted .json, zz/.
    assert_eq!(report.unknown_kept, 11, "{report:?}");
    assert!(!inserted.artifact_path.exists());
    for stray in &strays {
        assert_eq!(
            fs::read(stray).unwrap(),
            b"someone else's",
            "{}",
            stray.display()
        );
    }
    for dir in &stray_dirs {
        assert!(dir.is_dir());
    }
}
