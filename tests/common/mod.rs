//! Shared helpers for the integration tests (`tests/lua_scripts.rs`, `tests/cli.rs`):
//! locating the `lunajit` binary, running a program hermetically (working directory =
//! the crate root, `LUA_*` variables cleared, optional stdin, a time-out), and
//! describing the first difference between two outputs in a readable way.
//!
//! Invariants: every run starts from the crate root (`CARGO_MANIFEST_DIR`), so paths
//! such as `tests/lua/x.lua` appear verbatim in chunk names and error messages; no run
//! inherits `LUA_INIT`, `LUA_PATH` or `LUA_CPATH` (plain or `_5_4`) from the caller's
//! environment unless the test sets them; every run gets an empty code cache of its
//! own (`LUNAJIT_CACHE_DIR`) unless the test names one. Uses `std` and `tempfile`.
#![allow(dead_code)] // each test crate uses a different subset

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Environment variables that change how a Lua interpreter starts (lua.c, §7 of the
/// manual). They are removed from every child's environment before a test adds its own.
pub const LUA_ENV_VARS: &[&str] = &[
    "LUA_INIT",
    "LUA_INIT_5_4",
    "LUA_PATH",
    "LUA_PATH_5_4",
    "LUA_CPATH",
    "LUA_CPATH_5_4",
];

/// The crate root: every child process runs with this as its working directory.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Path of the `lunajit` binary that Cargo built for this test run.
pub fn lunajit_path() -> &'static str {
    env!("CARGO_BIN_EXE_lunajit")
}

/// Time limit of one child process, in seconds: `LUNAJIT_TEST_TIMEOUT` if set, else
/// 120 (generous because debug builds are slow and CI machines are shared).
pub fn timeout() -> Duration {
    let secs = std::env::var("LUNAJIT_TEST_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(120);
    Duration::from_secs(secs)
}

/// What a finished (or killed) child process produced.
#[derive(Debug)]
pub struct Outcome {
    /// Exit code; `None` if killed by a signal or by the time-out.
    pub status: Option<i32>,
    /// Everything written to stdout, as raw bytes.
    pub stdout: Vec<u8>,
    /// Everything written to stderr, as raw bytes.
    pub stderr: Vec<u8>,
    /// True when the child was killed because it ran past [`timeout`].
    pub timed_out: bool,
}

impl Outcome {
    /// stdout decoded lossily as UTF-8.
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// stderr decoded lossily as UTF-8.
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// A multi-line summary (status, stdout, stderr) for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "status: {}{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            match self.status {
                Some(c) => c.to_string(),
                None => "none (killed by a signal)".to_string(),
            },
            if self.timed_out { " (TIMED OUT)" } else { "" },
            self.out(),
            self.err()
        )
    }
}

/// A program invocation: program, arguments, stdin bytes and extra environment.
#[derive(Debug, Clone)]
pub struct Run {
    program: OsString,
    args: Vec<OsString>,
    stdin: Option<Vec<u8>>,
    envs: Vec<(OsString, OsString)>,
}

impl Run {
    /// An invocation of `program` (a path or a name looked up in `PATH`).
    pub fn new(program: impl AsRef<OsStr>) -> Run {
        Run {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            stdin: None,
            envs: Vec::new(),
        }
    }

    /// An invocation of the `lunajit` binary under test.
    pub fn lunajit() -> Run {
        Run::new(lunajit_path())
    }

    /// Appends one argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Run {
        self.args.push(a.as_ref().to_owned());
        self
    }

    /// Appends several arguments.
    pub fn args<I, S>(mut self, items: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(items.into_iter().map(|s| s.as_ref().to_owned()));
        self
    }

    /// Bytes fed to the child's stdin (default: empty stdin, i.e. immediate EOF).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Run {
        self.stdin = Some(bytes.into());
        self
    }

    /// Sets an environment variable for the child (after `LUA_*` are cleared).
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Run {
        self.envs
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// The command line, for messages.
    pub fn display(&self) -> String {
        let mut s = self.program.to_string_lossy().into_owned();
        for a in &self.args {
            s.push(' ');
            s.push_str(&a.to_string_lossy());
        }
        s
    }

    /// Runs the child from [`root`] and waits for it (at most [`timeout`], then kills
    /// it). Returns `Err` only when the program cannot be started at all.
    pub fn try_run(&self) -> std::io::Result<Outcome> {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for var in LUA_ENV_VARS {
            cmd.env_remove(var);
        }
        // A fresh code cache per run unless the test names one, so runs are
        // cold and never touch the user's cache (removed when this returns).
        let own_cache = if self.envs.iter().any(|(k, _)| k == "LUNAJIT_CACHE_DIR") {
            None
        } else {
            let d = tempfile::Builder::new()
                .prefix("lunajit-test-cache-")
                .tempdir()?;
            cmd.env("LUNAJIT_CACHE_DIR", d.path());
            Some(d)
        };
        cmd.env_remove("LUNAJIT_CACHE_MAX");
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn()?;
        let stdin_bytes = self.stdin.clone().unwrap_or_default();
        let mut stdin = child.stdin.take();
        let writer = thread::spawn(move || {
            if let Some(pipe) = stdin.as_mut() {
                // A child that exits without reading its stdin closes the pipe: ignore.
                let _ = pipe.write_all(&stdin_bytes);
            }
            drop(stdin);
        });
        let out_reader = spawn_reader(child.stdout.take());
        let err_reader = spawn_reader(child.stderr.take());
        let (status, timed_out) = wait_with_deadline(&mut child, timeout());
        let _ = writer.join();
        let stdout = out_reader.join().unwrap_or_default();
        let stderr = err_reader.join().unwrap_or_default();
        drop(own_cache);
        Ok(Outcome {
            status,
            stdout,
            stderr,
            timed_out,
        })
    }

    /// Like [`Run::try_run`] but panics (failing the test) when the program cannot start.
    pub fn run(&self) -> Outcome {
        match self.try_run() {
            Ok(o) => o,
            Err(e) => panic!("cannot start `{}`: {e}", self.display()),
        }
    }
}

/// Reads a pipe to its end on a separate thread (so a full stderr pipe cannot block a
/// child whose stdout is being read, and vice versa).
fn spawn_reader<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Polls the child until it exits or `limit` passes; kills it in the latter case.
/// Returns (exit code, timed out).
fn wait_with_deadline(child: &mut Child, limit: Duration) -> (Option<i32>, bool) {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(st)) => return (st.code(), false),
            Ok(None) => {}
            Err(_) => break,
        }
        if start.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            return (None, true);
        }
        thread::sleep(Duration::from_millis(5));
    }
    match child.wait() {
        Ok(st) => (st.code(), false),
        Err(_) => (None, false),
    }
}

/// True when a `lua5.4` executable can be started (the reference interpreter).
pub fn lua54_available() -> bool {
    Command::new("lua5.4")
        .arg("-v")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Path of a file given relative to the crate root.
pub fn path(rel: &str) -> PathBuf {
    root().join(rel)
}

/// Describes where `actual` first departs from `expected`, line by line: the line
/// number, up to three preceding (equal) lines, the expected and actual lines, and the
/// total line counts. Returns `None` when the byte strings are equal.
pub fn first_difference(expected: &[u8], actual: &[u8]) -> Option<String> {
    if expected == actual {
        return None;
    }
    let exp: Vec<&[u8]> = split_lines(expected);
    let act: Vec<&[u8]> = split_lines(actual);
    let mut i = 0;
    while i < exp.len() && i < act.len() && exp[i] == act[i] {
        i += 1;
    }
    let show = |l: Option<&&[u8]>| match l {
        Some(bytes) => format!("{:?}", String::from_utf8_lossy(bytes)),
        None => "<end of output>".to_string(),
    };
    let mut msg = format!(
        "first difference at line {} (expected {} lines, got {} lines)\n",
        i + 1,
        exp.len(),
        act.len()
    );
    for (n, line) in exp.iter().enumerate().take(i).skip(i.saturating_sub(3)) {
        let _ = writeln!(msg, "    {:>5} | {}", n + 1, String::from_utf8_lossy(line));
    }
    let _ = writeln!(msg, "  expected: {}", show(exp.get(i)));
    let _ = writeln!(msg, "  actual:   {}", show(act.get(i)));
    if i + 1 < exp.len() || i + 1 < act.len() {
        let _ = writeln!(msg, "  next expected: {}", show(exp.get(i + 1)));
        let _ = writeln!(msg, "  next actual:   {}", show(act.get(i + 1)));
    }
    if exp.len() == act.len() && i == exp.len() {
        // Same lines but different bytes: only the final newline differs.
        msg.push_str("  (outputs differ only in the trailing newline)\n");
    }
    Some(msg)
}

/// Splits on '\n', keeping a final unterminated line; the terminator is dropped, so
/// "a\n" and "a" differ only in the trailing-newline note of [`first_difference`].
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if bytes.ends_with(b"\n") {
        lines.pop();
    }
    if bytes.is_empty() {
        lines.clear();
    }
    lines
}

/// The value `name` of a `--jit-stats` report (`name: value` lines) in
/// `stderr`; panics, failing the test, when it is missing.
pub fn jit_stat(stderr: &str, name: &str) -> f64 {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no '{name}' in --jit-stats output:\n{stderr}"))
}
