//! Many threads and many processes on one root, each with its own `Cache` value.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use lunajit_cache::{Cache, Lookup};

const ARTIFACTS: u32 = 6;
const KEYS_PER_ARTIFACT: u32 = 4;

fn key_of(artifact: u32, slot: u32) -> lunajit_cache::Key {
    key(artifact * 100 + slot)
}

/// Inserts every artifact (starting at `start`, so workers overlap in different
/// orders) with all its keys, looking each key up right after; then adds `hits`.
fn work(root: &Path, start: u32, hits: u64) {
    let scratch = tempfile::tempdir().unwrap();
    let cache = open(root);
    for i in 0..ARTIFACTS {
        let a = (start + i) % ARTIFACTS;
        let content = bytes(a, 2000 + a as usize * 100);
        let file = artifact_file(scratch.path(), &content);
        let entries: Vec<_> = (0..KEYS_PER_ARTIFACT)
            .map(|s| entry(key_of(a, s), &format!("a{a}s{s}")))
            .collect();
        let inserted = cache.insert(&file, &entries).unwrap();
        for s in 0..KEYS_PER_ARTIFACT {
            let hit = expect_hit(&cache, &key_of(a, s));
            assert_eq!(hit.artifact_path, inserted.artifact_path);
            assert_eq!(std::fs::read(&hit.artifact_path).unwrap(), content);
        }
        // Lookups of other workers' keys may hit or be absent, never anything else.
        for other in 0..ARTIFACTS {
            match cache.lookup(&key_of(other, 0)) {
                Lookup::Hit(_) | Lookup::Miss(lunajit_cache::Reason::Absent) => {}
                miss => panic!("unexpected {miss:?}"),
            }
        }
    }
    cache.add_hits(hits);
}

/// After the workers: nothing damaged, every key hits, nothing duplicated or left over.
fn check_whole(root: &Path) {
    let cache = Cache::open(root, opts(1 << 30)).unwrap();
    let report = cache.gc().unwrap();
    assert_eq!(
        (
            report.damaged,
            report.insecure,
            report.unreadable,
            report.evicted
        ),
        (0, 0, 0, 0),
        "{report:?}"
    );
    assert_eq!(report.checked, (ARTIFACTS * KEYS_PER_ARTIFACT) as usize);
    for a in 0..ARTIFACTS {
        for s in 0..KEYS_PER_ARTIFACT {
            expect_hit(&cache, &key_of(a, s));
        }
    }
    let stats = cache.stats();
    assert_eq!(stats.artifacts, u64::from(ARTIFACTS));
    assert_eq!(stats.entries, u64::from(ARTIFACTS * KEYS_PER_ARTIFACT));
    let temps: Vec<_> = files_under(root)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".tmp-")
        })
        .collect();
    assert!(temps.is_empty(), "temporary files left: {temps:?}");
}

#[test]
fn threads_with_their_own_values_share_one_root() {
    let root = tempfile::tempdir().unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8u32)
            .map(|t| {
                let root = root.path();
                scope.spawn(move || work(root, t, u64::from(t) + 1))
            })
            .collect();
        // Maintenance running meanwhile must find nothing damaged and rob no insert.
        let gc = scope.spawn(|| {
            let cache = open(root.path());
            let mut runs = 0;
            while !done.load(std::sync::atomic::Ordering::Acquire) || runs == 0 {
                let report = cache.gc().unwrap();
                assert_eq!((report.damaged, report.orphans), (0, 0), "{report:?}");
                runs += 1;
            }
        });
        for worker in workers {
            worker.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Release);
        gc.join().unwrap();
    });
    check_whole(root.path());
    assert_eq!(open(root.path()).stats().hits, (1..=8).sum::<u64>());
}

/// Env vars telling a re-executed test binary to act as a worker process.
const CHILD_ROOT: &str = "LUNAJIT_CACHE_TEST_CHILD_ROOT";
const CHILD_START: &str = "LUNAJIT_CACHE_TEST_CHILD_START";

/// The worker half of `processes_share_one_root`; does nothing in a normal run.
#[test]
fn child_worker() {
    let Ok(root) = std::env::var(CHILD_ROOT) else {
        return;
    };
    let start: u32 = std::env::var(CHILD_START).unwrap().parse().unwrap();
    work(Path::new(&root), start, 1000 + u64::from(start));
}

#[test]
fn processes_share_one_root() {
    let root = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4u32)
        .map(|start| {
            Command::new(&exe)
                .args(["--exact", "child_worker", "--nocapture", "--test-threads=1"])
                .env(CHILD_ROOT, root.path())
                .env(CHILD_START, start.to_string())
                .output_spawned()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "worker failed: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout)
        );
        // The worker really ran the test (not filtered out).
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("1 passed"),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    check_whole(root.path());
    assert_eq!(open(root.path()).stats().hits, 4000 + (1 + 2 + 3));
}

trait SpawnPiped {
    fn output_spawned(&mut self) -> std::process::Child;
}

impl SpawnPiped for Command {
    fn output_spawned(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap()
    }
}
