//! The persistent code cache through the command line (issue 6): warm runs
//! start native without the toolchain, an edited function alone is
//! recompiled, every kind of damage gives a correct run, concurrent processes
//! share one cache, insecure and unwritable directories are refused with one
//! warning, `lunajit compile` and `lunajit cache ...` keep the cache
//! consistent.

mod common;

use std::path::{Path, PathBuf};

use common::{jit_stat as stat, Outcome, Run};

/// A JIT run with `--jit-stats`, compiling everything at its first call and
/// entering native code wherever it exists, with `cache` as the cache
/// directory.
fn jit(cache: &Path, script: &str, args: &[&str]) -> Outcome {
    Run::lunajit()
        .args(["--jit=external", "--jit-stats", "--jit-threshold", "1"])
        .arg("--jit-enter=always")
        .args(["--cache-dir", cache.to_str().expect("utf-8 path")])
        .arg(script)
        .args(args)
        .run()
}

fn interpreted(script: &str, args: &[&str]) -> String {
    let out = Run::lunajit().args(["--jit=off", script]).args(args).run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    out.out()
}

/// `lunajit cache ACTION --cache-dir DIR`.
fn cache_cmd(cache: &Path, action: &str) -> Outcome {
    Run::lunajit()
        .args([
            "cache",
            action,
            "--cache-dir",
            cache.to_str().expect("utf-8 path"),
        ])
        .run()
}

/// Every file under `dir` whose name ends with `ext`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `cache gc` succeeds and reports no damage: the cache verifies.
fn assert_verifies(cache: &Path) {
    let gc = cache_cmd(cache, "gc");
    assert_eq!(gc.status, Some(0), "{}", gc.describe());
    assert!(gc.out().contains("damaged: 0"), "{}", gc.describe());
}

const BENCH_LIKE: &[(&str, &[&str])] = &[
    ("bench/fib.lua", &["15"]),
    ("bench/loop_sum.lua", &["1"]),
    ("bench/mandelbrot.lua", &["40"]),
    ("bench/method_calls.lua", &["2000"]),
    ("bench/sieve.lua", &["1"]),
    ("bench/nbody.lua", &["100"]),
    ("bench/spectral_norm.lua", &["20"]),
    ("bench/closures.lua", &["1"]),
];

#[test]
fn second_runs_load_everything_from_the_cache() {
    for (script, args) in BENCH_LIKE {
        let cache = tempfile::tempdir().unwrap();
        let expected = interpreted(script, args);
        let cold = jit(cache.path(), script, args);
        assert_eq!(cold.status, Some(0), "{}", cold.describe());
        assert_eq!(cold.out(), expected, "cold run of {script}");
        let err = cold.err();
        let compiled = stat(&err, "functions compiled");
        assert!(compiled >= 1.0, "{script}: {err}");
        assert!(stat(&err, "toolchain runs") >= 1.0, "{script}: {err}");
        assert_eq!(stat(&err, "cache hits"), 0.0, "{script}: {err}");
        assert_eq!(stat(&err, "cache misses"), compiled, "{script}: {err}");
        assert!(stat(&err, "cache bytes written") > 0.0, "{script}: {err}");

        let warm = jit(cache.path(), script, args);
        assert_eq!(warm.status, Some(0), "{}", warm.describe());
        assert_eq!(warm.out(), expected, "warm run of {script}");
        let err = warm.err();
        assert_eq!(stat(&err, "toolchain runs"), 0.0, "{script}: {err}");
        assert_eq!(stat(&err, "functions compiled"), 0.0, "{script}: {err}");
        assert_eq!(stat(&err, "cache hits"), compiled, "{script}: {err}");
        assert_eq!(stat(&err, "cache misses"), 0.0, "{script}: {err}");
        assert_eq!(stat(&err, "cache bytes written"), 0.0, "{script}: {err}");
        assert!(stat(&err, "native entries") >= 1.0, "{script}: {err}");
    }
}

#[test]
fn editing_one_function_recompiles_only_that_function() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let script = dir.path().join("edit.lua");
    let text = |g_body: &str| {
        format!(
            "local function f(n) local s = 0 for i = 1, n do s = s + i end return s end\n\
             local function g(n) {g_body} end\n\
             local function h(n) return n * 3 end\n\
             print(f(10), g(10), h(10))\n"
        )
    };
    let path = script.to_str().unwrap();
    std::fs::write(&script, text("return n + 1")).unwrap();
    let first = jit(&cache, path, &[]);
    assert_eq!(first.out(), "55\t11\t30\n", "{}", first.describe());
    let all = stat(&first.err(), "functions compiled");
    assert_eq!(all, 4.0, "main chunk, f, g, h: {}", first.err());

    std::fs::write(&script, text("return n + 2")).unwrap();
    let second = jit(&cache, path, &[]);
    assert_eq!(second.out(), "55\t12\t30\n", "{}", second.describe());
    let err = second.err();
    assert_eq!(stat(&err, "functions compiled"), 1.0, "{err}");
    assert_eq!(stat(&err, "cache hits"), 3.0, "{err}");
    assert_eq!(stat(&err, "toolchain runs"), 1.0, "{err}");
}

#[test]
fn the_same_function_in_two_scripts_shares_one_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let body = "local function sq(x) return x * x end\n";
    let a = dir.path().join("a.lua");
    let b = dir.path().join("b.lua");
    std::fs::write(&a, format!("{body}print(sq(3))\n")).unwrap();
    std::fs::write(&b, format!("{body}print(sq(4), 'b')\n")).unwrap();
    let ra = jit(&cache, a.to_str().unwrap(), &[]);
    assert_eq!(ra.out(), "9\n", "{}", ra.describe());
    let rb = jit(&cache, b.to_str().unwrap(), &[]);
    assert_eq!(rb.out(), "16\tb\n", "{}", rb.describe());
    // b's main chunk differs from a's, sq does not
    assert_eq!(stat(&rb.err(), "cache hits"), 1.0, "{}", rb.err());
    assert_eq!(stat(&rb.err(), "functions compiled"), 1.0, "{}", rb.err());
}

/// Fills a cache with `bench/loop_sum.lua`, damages it with `damage`, and
/// checks that the next run is correct and recompiles, and that the cache
/// verifies afterwards.
fn survives(what: &str, damage: impl Fn(&Path)) {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let script = "bench/loop_sum.lua";
    let args: &[&str] = &["1"];
    let expected = interpreted(script, args);
    let cold = jit(&cache, script, args);
    assert_eq!(cold.out(), expected, "{what}: {}", cold.describe());
    damage(&cache);
    let after = jit(&cache, script, args);
    assert_eq!(after.status, Some(0), "{what}: {}", after.describe());
    assert_eq!(after.out(), expected, "{what}");
    assert!(
        !after.err().contains("panicked"),
        "{what}: {}",
        after.describe()
    );
    assert_verifies(&cache);
    // and the cache works again
    let again = jit(&cache, script, args);
    assert_eq!(again.out(), expected, "{what}");
    assert_eq!(
        stat(&again.err(), "toolchain runs"),
        0.0,
        "{what}: {}",
        again.err()
    );
}

fn rewrite(path: &Path, f: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(path).unwrap();
    f(&mut bytes);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_truncated_shared_object_is_removed_and_rebuilt() {
    survives("truncated .so", |c| {
        for so in files(c, ".so") {
            rewrite(&so, |b| b.truncate(b.len() / 2));
        }
    });
}

#[test]
fn a_flipped_byte_is_caught() {
    survives("flipped byte", |c| {
        for so in files(c, ".so") {
            rewrite(&so, |b| {
                let i = b.len() / 3;
                b[i] ^= 0x40;
            });
        }
    });
}

#[test]
fn a_shared_object_for_another_arch_is_not_loaded() {
    // An object for aarch64 whose record matches it: it passes verification,
    // dlopen refuses it, and the entry goes.
    survives("other arch", |c| {
        for rec in files(c, ".json") {
            let text = std::fs::read_to_string(&rec).unwrap();
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let hash = v["artifact"].as_str().unwrap().to_string();
            let so = files(c, ".so")
                .into_iter()
                .find(|p| p.to_string_lossy().contains(&hash))
                .expect("the record's artifact");
            let mut bytes = std::fs::read(&so).unwrap();
            // ELF e_machine (offset 18, little-endian): EM_AARCH64 = 183
            bytes[18] = 183;
            bytes[19] = 0;
            let new_hash = blake3::hash(&bytes).to_hex().to_string();
            let new_so = so
                .parent()
                .and_then(Path::parent)
                .unwrap()
                .join(&new_hash[..2])
                .join(format!("{new_hash}.so"));
            std::fs::create_dir_all(new_so.parent().unwrap()).unwrap();
            std::fs::write(&new_so, &bytes).unwrap();
            v["artifact"] = serde_json::json!(new_hash);
            v["artifact_size"] = serde_json::json!(bytes.len());
            std::fs::write(&rec, serde_json::to_string(&v).unwrap()).unwrap();
        }
    });
}

#[test]
fn missing_and_garbage_records_are_misses() {
    survives("missing record", |c| {
        for rec in files(c, ".json") {
            std::fs::remove_file(rec).unwrap();
        }
    });
    survives("garbage record", |c| {
        for rec in files(c, ".json") {
            std::fs::write(rec, b"\x00\xffnot json{{").unwrap();
        }
    });
}

#[test]
fn records_of_an_older_format_are_dropped() {
    survives("older format", |c| {
        for rec in files(c, ".json") {
            rewrite(&rec, |b| {
                let mut v: serde_json::Value = serde_json::from_slice(b).unwrap();
                v["format"] = serde_json::json!(0);
                *b = serde_json::to_vec(&v).unwrap();
            });
        }
    });
}

#[test]
fn stray_files_and_directories_are_ignored_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cold = jit(&cache, "bench/loop_sum.lua", &["1"]);
    assert_eq!(cold.status, Some(0), "{}", cold.describe());
    let v1 = cache.join("v1");
    let strays = [
        cache.join("README"),
        v1.join("stray.txt"),
        v1.join("objects").join("zz").join("note"),
        v1.join("entries").join("not-a-key.json"),
    ];
    for s in &strays {
        std::fs::create_dir_all(s.parent().unwrap()).unwrap();
        std::fs::write(s, "user data").unwrap();
    }
    std::fs::create_dir_all(v1.join("entries").join("dir.json")).unwrap();
    let warm = jit(&cache, "bench/loop_sum.lua", &["1"]);
    assert_eq!(warm.out(), cold.out());
    assert_eq!(stat(&warm.err(), "toolchain runs"), 0.0, "{}", warm.err());
    assert_verifies(&cache);
    let clear = cache_cmd(&cache, "clear");
    assert_eq!(clear.status, Some(0), "{}", clear.describe());
    for s in &strays {
        assert!(s.exists(), "{} was removed", s.display());
    }
    assert!(files(&cache, ".so").is_empty());
}

#[test]
fn eight_processes_fill_one_empty_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let script = "bench/spectral_norm.lua";
    let args: &[&str] = &["30"];
    let expected = interpreted(script, args);
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let cache = cache.clone();
            std::thread::spawn(move || jit(&cache, script, args))
        })
        .collect();
    for h in handles {
        let out = h.join().unwrap();
        assert_eq!(out.status, Some(0), "{}", out.describe());
        assert_eq!(out.out(), expected);
    }
    assert_verifies(&cache);
    let warm = jit(&cache, script, args);
    assert_eq!(warm.out(), expected);
    assert_eq!(stat(&warm.err(), "toolchain runs"), 0.0, "{}", warm.err());
}

#[cfg(unix)]
fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A run whose cache is refused: one warning containing `why`, correct
/// output, and nothing cached.
fn refused(cache: &Path, why: &str) {
    let script = "bench/loop_sum.lua";
    let out = jit(cache, script, &["1"]);
    assert_eq!(out.status, Some(0), "{}", out.describe());
    assert_eq!(out.out(), interpreted(script, &["1"]));
    let err = out.err();
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].contains(why), "{err}");
    assert!(warnings[0].contains("without the code cache"), "{err}");
    assert!(stat(&err, "functions compiled") >= 1.0, "{err}");
    assert_eq!(stat(&err, "cache bytes written"), 0.0, "{err}");
}

#[cfg(unix)]
#[test]
fn a_world_writable_cache_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    chmod(&cache, 0o777);
    refused(&cache, "other users");
    assert!(!cache.join("v1").exists(), "nothing written to it");
}

#[cfg(unix)]
#[test]
fn an_unwritable_cache_is_not_used() {
    if is_root() {
        // root writes through any mode; a directory that cannot be created
        // stands in for it (below)
        eprintln!("running as root: read-only mode bits do not stop root; skipped");
    } else {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        std::fs::create_dir(&cache).unwrap();
        chmod(&cache, 0o500);
        refused(&cache, "cache");
        chmod(&cache, 0o700);
    }
    // a cache path below a regular file can never be created, even by root
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    refused(&file.join("cache"), "cache");
}

#[test]
fn no_cache_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let out = Run::lunajit()
        .args([
            "--jit=external",
            "--jit-stats",
            "--jit-threshold",
            "1",
            "--no-cache",
        ])
        .args(["--cache-dir", cache.to_str().unwrap()])
        .args(["bench/loop_sum.lua", "1"])
        .run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    assert!(stat(&out.err(), "functions compiled") >= 1.0);
    assert!(!cache.exists());
}

#[test]
fn compile_fills_the_cache_ahead_of_time() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let c = cache.to_str().unwrap();
    let out = Run::lunajit()
        .args(["compile", "bench/nbody.lua", "--cache-dir", c])
        .run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    assert!(
        out.err().contains("functions compiled"),
        "{}",
        out.describe()
    );
    // the default thresholds: nothing gets hot in a short run, yet all of it
    // starts native
    let run = Run::lunajit()
        .args(["--jit=external", "--jit-stats", "--cache-dir", c])
        .args(["bench/nbody.lua", "100"])
        .run();
    assert_eq!(run.out(), interpreted("bench/nbody.lua", &["100"]));
    let err = run.err();
    assert_eq!(stat(&err, "toolchain runs"), 0.0, "{err}");
    assert!(stat(&err, "cache hits") >= 3.0, "{err}");
    // compiling again finds everything cached
    let again = Run::lunajit()
        .args(["compile", "bench/nbody.lua", "--cache-dir", c])
        .run();
    assert!(
        again.err().contains(" 0 functions compiled"),
        "{}",
        again.describe()
    );
}

#[test]
fn profile_guided_compile_keeps_only_hot_functions() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let script = dir.path().join("pg.lua");
    std::fs::write(
        &script,
        "local function hot(n) local s = 0 for i = 1, n do s = s + i end return s end\n\
         local function cold() return 1 end\n\
         local t = 0 for i = 1, 2000 do t = t + hot(10) end\n\
         print(t + cold())\n",
    )
    .unwrap();
    let c = cache.to_str().unwrap();
    let out = Run::lunajit()
        .args(["compile", "--profile-guided", "--cache-dir", c])
        .arg(&script)
        .run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    assert_eq!(out.out(), "110001\n", "the training run ran the script");
    let list = cache_cmd(&cache, "list");
    assert!(list.out().contains("hot"), "{}", list.describe());
    assert!(!list.out().contains("cold"), "{}", list.describe());
}

#[test]
fn cache_commands_show_and_maintain_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let path = cache_cmd(&cache, "path");
    assert_eq!(path.out().trim(), cache.to_str().unwrap());
    let cold = jit(&cache, "tests/jit/small.lua", &[]);
    assert_eq!(cold.status, Some(0), "{}", cold.describe());
    let compiled = stat(&cold.err(), "functions compiled") as usize;
    let list = cache_cmd(&cache, "list");
    assert_eq!(list.status, Some(0), "{}", list.describe());
    let listed = list.out();
    let rows: Vec<&str> = listed
        .lines()
        .filter(|l| l.contains("tests/jit/small.lua"))
        .collect();
    assert_eq!(rows.len(), compiled, "{}", list.out());
    let warm = jit(&cache, "tests/jit/small.lua", &[]);
    assert_eq!(warm.out(), cold.out());
    let stats = cache_cmd(&cache, "stats");
    assert!(
        stats.out().contains(&format!("entries: {compiled}")),
        "{}",
        stats.out()
    );
    assert!(
        stats.out().contains(&format!("hits: {compiled}")),
        "{}",
        stats.out()
    );
    assert_verifies(&cache);
    let clear = cache_cmd(&cache, "clear");
    assert_eq!(clear.status, Some(0), "{}", clear.describe());
    let stats = cache_cmd(&cache, "stats");
    assert!(stats.out().contains("entries: 0"), "{}", stats.out());
    assert_verifies(&cache);
    // usable after clearing
    let again = jit(&cache, "tests/jit/small.lua", &[]);
    assert_eq!(again.out(), cold.out());
    assert_eq!(
        stat(&again.err(), "functions compiled") as usize,
        compiled,
        "{}",
        again.err()
    );
}

#[test]
fn a_small_size_cap_evicts_and_runs_stay_correct() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    for (script, args) in BENCH_LIKE.iter().take(4) {
        let out = Run::lunajit()
            .args(["--jit=external", "--jit-threshold", "1"])
            .args(["--cache-dir", cache.to_str().unwrap()])
            .arg(script)
            .args(*args)
            .env("LUNAJIT_CACHE_MAX", "20K")
            .run();
        assert_eq!(out.status, Some(0), "{}", out.describe());
        assert_eq!(out.out(), interpreted(script, args));
    }
    // shared objects whose entries were evicted are kept for a grace period
    // (a concurrent insert may be about to reference them): age them
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for so in files(&cache, ".so") {
        let f = std::fs::File::options().write(true).open(&so).unwrap();
        f.set_modified(hour_ago).unwrap();
    }
    let gc = Run::lunajit()
        .args(["cache", "gc", "--cache-dir", cache.to_str().unwrap()])
        .env("LUNAJIT_CACHE_MAX", "20K")
        .run();
    assert_eq!(gc.status, Some(0), "{}", gc.describe());
    let bytes: u64 = files(&cache.join("v1"), "")
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    assert!(bytes <= 20 * 1024, "{bytes} bytes left\n{}", gc.describe());
}
