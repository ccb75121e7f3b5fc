//! Regression tests for what the fuzzer found: every file in `tests/fuzz_regressions/`
//! once made lunajit panic, crash, hang or run out of memory. Each is replayed through
//! the fuzz targets' own path (`fuzz_harness::check`: parse + compile + verify, then a
//! sandboxed run under instruction and memory limits) and must come back without a
//! panic and without killing the process.
//!
//! Files named `binary-*` are binary chunks (the `binary` target, `load` mode "b");
//! all others are Lua source (the `run` target). Adding a case: minimise the fuzzer's
//! artifact (`cargo fuzz tmin`), copy it here under a name that says what it hits,
//! e.g. `run-deep-concat.lua`, and say in the commit what was fixed.
//!
//! Every file runs in a child process (this test binary re-run with
//! `FUZZ_REGRESSION_FILE` set, on a thread with an 8 MiB stack like the fuzzer's main
//! thread), so an input that crashes with a signal (a stack overflow, an abort) fails
//! its own case instead of the whole run; a time limit catches hangs. Runs with plain
//! `cargo test`, no fuzzer needed.

mod fuzz_harness;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The environment variable that tells a child which input to replay.
const FILE_VAR: &str = "FUZZ_REGRESSION_FILE";

/// Wall-clock limit for one input (debug build; the limits stop a run long before).
const TIME_LIMIT: Duration = Duration::from_secs(60);

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions")
}

fn mode_of(path: &Path) -> fuzz_harness::Mode {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with("binary-") {
        fuzz_harness::Mode::Binary
    } else {
        fuzz_harness::Mode::Text
    }
}

/// The child's side: replays `FUZZ_REGRESSION_FILE` (does nothing without it).
/// Exits 0 when the harness returned, 101 when it panicked.
#[test]
fn replay_one_child() {
    let Some(file) = std::env::var_os(FILE_VAR) else {
        return;
    };
    let path = PathBuf::from(file);
    let input = std::fs::read(&path).expect("readable regression input");
    let mode = mode_of(&path);
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            std::panic::catch_unwind(|| fuzz_harness::check(&input, mode)).map_err(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            })
        })
        .expect("spawn");
    match worker.join() {
        Ok(Ok(outcome)) => {
            eprintln!("outcome: {outcome}");
            std::process::exit(0)
        }
        Ok(Err(msg)) => {
            eprintln!("panic: {msg}");
            std::process::exit(101)
        }
        Err(_) => std::process::exit(101),
    }
}

/// Runs one input in a child process; `Err` describes how it failed.
fn replay_in_child(path: &Path) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "replay_one_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(FILE_VAR, path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {TIME_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if status.success() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return Err(format!("killed by signal {sig}\n{stderr}"));
        }
    }
    Err(format!("{status}\n{stderr}"))
}

/// Every regression input comes back without a panic or a crash.
#[test]
fn fuzz_regressions_do_not_crash() {
    if std::env::var_os(FILE_VAR).is_some() {
        return; // a child replaying another case
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/fuzz_regressions exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for p in &paths {
        if let Err(e) = replay_in_child(p) {
            failures.push(format!("{}: {e}", p.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fuzz regressions failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

/// The sandbox works: the limits stop endless loops, also under `pcall` and in
/// coroutines, and the removed functions are gone.
#[test]
fn limits_stop_endless_loops() {
    use fuzz_harness::{check, Mode};
    for src in [
        "while true do end",
        "while true do pcall(function() while true do end end) end",
        "local co = coroutine.wrap(function() while true do end end) co()",
        "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
        "local t = {} while true do t[#t + 1] = ('x'):rep(1000) .. #t end",
        "local function f() return pcall(f) end while true do f() end",
    ] {
        let outcome = check(src.as_bytes(), Mode::Text);
        assert!(outcome.contains("fuzz: "), "{src}: {outcome}");
    }
    for src in [
        "os.exit(1)",
        "io.open('x', 'w')",
        "debug.sethook()",
        "require('os')",
        "package.loaded.debug.sethook()",
    ] {
        let outcome = check(src.as_bytes(), Mode::Text);
        assert!(outcome.contains("attempt to call"), "{src}: {outcome}");
    }
}
