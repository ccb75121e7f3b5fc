//! Finding and running the system toolchain that turns the JIT's textual
//! assembly into a shared object.
//!
//! The JIT writes GNU-as syntax x86-64 assembly to a `.s` file. This module
//! finds an assembler (`as`), a linker (`ld`) and a C compiler driver (`cc`)
//! ([`Toolchain::detect`]), names them and their versions for cache keys
//! ([`Toolchain::identity`]), and builds a `.s` file into a `.so`
//! ([`Toolchain::build_shared_object`]): `as` + `ld` when both are there, the
//! `cc` driver otherwise.
//!
//! Every tool runs as a child process with no standard input, with its
//! output captured, with `LC_ALL=C` (so messages and version lines do not
//! depend on the user's locale), in a process group of its own, and is killed
//! together with anything it started if it outlives its time-out.
//!
//! Unix only (process groups, `kill(2)`); the command lines are those of the
//! GNU/ELF tools (binutils `as`/`ld`, a gcc- or clang-compatible `cc`).

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// Environment variable naming the assembler to use instead of `as` from
/// `PATH`. If it is set but does not name an existing executable, the
/// assembler counts as missing (there is no fallback to the system `as`).
pub const ENV_AS: &str = "LUNAJIT_AS";
/// Environment variable naming the linker to use instead of `ld` from
/// `PATH`; same rules as [`ENV_AS`].
pub const ENV_LD: &str = "LUNAJIT_LD";
/// Environment variable naming the C compiler driver to use instead of
/// `CC`/`cc`; same rules as [`ENV_AS`].
pub const ENV_CC: &str = "LUNAJIT_CC";

/// How long [`Toolchain::identity`] lets each `--version` query run.
const VERSION_TIMEOUT: Duration = Duration::from_secs(5);
/// How many bytes of a failed tool's stderr are kept in
/// [`ToolchainError::Failed`].
const STDERR_LIMIT: usize = 4096;
/// Longest sleep between two `try_wait` polls of a running child.
const MAX_POLL_SLEEP: Duration = Duration::from_millis(5);
/// How long after a child's exit its output pipes may take to close even if
/// the time-out has run out by then.
const PIPE_GRACE: Duration = Duration::from_millis(100);

/// An error from finding or running the toolchain.
#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    /// No usable toolchain: neither an assembler plus a linker nor a C
    /// compiler was found. The message names what is missing and the
    /// environment variables that select the tools.
    #[error("no usable toolchain: {0}")]
    Missing(String),
    /// A tool ran and exited unsuccessfully (or was killed by a signal).
    #[error("`{command}` failed ({status}){}", stderr_suffix(.stderr))]
    Failed {
        /// The command line, shell-quoted.
        command: String,
        /// How the process ended.
        status: ExitStatus,
        /// Its standard error, lossily decoded as UTF-8, trimmed, and cut to
        /// the first 4 KiB (the cut is marked at the end).
        stderr: String,
    },
    /// A tool ran longer than its time-out and was killed, with its whole
    /// process group.
    #[error("`{command}` timed out after {after:?} and was killed")]
    TimedOut {
        /// The command line, shell-quoted.
        command: String,
        /// The time-out that expired.
        after: Duration,
    },
    /// An I/O error outside the tools (spawning a process, temporary files,
    /// renaming the output). The message starts with what was being done.
    #[error("I/O error: {0}")]
    Io(io::Error),
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        " with no output on stderr".to_string()
    } else {
        format!(":\n{stderr}")
    }
}

/// An [`io::Error`] payload that says what was being done when it happened.
#[derive(Debug)]
struct IoContext {
    context: String,
    source: io::Error,
}

impl std::fmt::Display for IoContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.context, self.source)
    }
}

impl std::error::Error for IoContext {}

/// Wraps `source` as a [`ToolchainError::Io`] whose message starts with
/// `context`; the [`io::ErrorKind`] is kept.
fn io_error(context: impl Into<String>, source: io::Error) -> ToolchainError {
    let kind = source.kind();
    ToolchainError::Io(io::Error::new(
        kind,
        IoContext {
            context: context.into(),
            source,
        },
    ))
}

/// Which commands built a shared object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// `as` then `ld`.
    AsLd,
    /// One `cc` driver invocation (assembles and links).
    Cc,
}

/// Timings of one [`Toolchain::build_shared_object`] call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BuildReport {
    /// Wall-clock milliseconds spent running the assembler. Always `0.0` for
    /// [`Route::Cc`], where one process does both steps.
    pub as_ms: f64,
    /// Wall-clock milliseconds spent running the linker; for [`Route::Cc`],
    /// the whole `cc` run (assembling and linking).
    pub ld_ms: f64,
    /// Which commands were used.
    pub route: Route,
}

impl BuildReport {
    /// Total wall-clock milliseconds spent in the tools (`as_ms + ld_ms`).
    pub fn total_ms(&self) -> f64 {
        self.as_ms + self.ld_ms
    }
}

/// The cached result of [`Toolchain::identity`], with the tool paths it was
/// computed for.
#[derive(Debug, Clone)]
struct CachedIdentity {
    tools: [Option<PathBuf>; 3],
    text: String,
}

/// The tools used to build shared objects. `None` means that tool is not
/// available.
///
/// Build one with [`Toolchain::detect`] (environment and `PATH`) or
/// [`Toolchain::new`] (explicit paths). The fields are public and may be
/// changed; [`Toolchain::identity`] notices such changes.
#[derive(Debug)]
pub struct Toolchain {
    /// The assembler (`as`), run as `as -o X.o X.s`.
    pub assembler: Option<PathBuf>,
    /// The linker (`ld`), run as `ld -shared -z defs -z noexecstack -o Y.so X.o`.
    pub linker: Option<PathBuf>,
    /// The C compiler driver (`cc`), used only when the assembler or the
    /// linker is missing.
    pub cc: Option<PathBuf>,
    identity: Mutex<Option<CachedIdentity>>,
}

impl Clone for Toolchain {
    fn clone(&self) -> Self {
        Toolchain {
            assembler: self.assembler.clone(),
            linker: self.linker.clone(),
            cc: self.cc.clone(),
            identity: Mutex::new(lock_ignoring_poison(&self.identity).clone()),
        }
    }
}

fn lock_ignoring_poison<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Toolchain {
    /// A toolchain made of exactly these tools (no lookup, no checks).
    pub fn new(assembler: Option<PathBuf>, linker: Option<PathBuf>, cc: Option<PathBuf>) -> Self {
        Toolchain {
            assembler,
            linker,
            cc,
            identity: Mutex::new(None),
        }
    }

    /// Finds the tools from the process environment; see
    /// [`Toolchain::detect_with`]. Never fails: a tool that is not found is
    /// `None`, and [`Toolchain::build_shared_object`] reports
    /// [`ToolchainError::Missing`] if too little was found.
    pub fn detect() -> Self {
        Self::detect_with(|name| std::env::var_os(name))
    }

    /// Finds the tools, reading environment variables through `env` (which
    /// returns the value of the named variable, if set).
    ///
    /// - Assembler: `LUNAJIT_AS` if set, else `as` on `PATH`.
    /// - Linker: `LUNAJIT_LD` if set, else `ld` on `PATH`.
    /// - C compiler: `LUNAJIT_CC` if set; else `CC` if set and it names an
    ///   executable (a single program, no arguments); else the compiler the
    ///   `cc` crate would pick for this host (only when `as` or `ld` is
    ///   missing, since then the compiler is the route); else `cc` on `PATH`.
    ///
    /// A `LUNAJIT_*` variable that is set (even to the empty string) but does
    /// not name an existing executable makes that tool missing: there is no
    /// fallback to the system tool, so a misconfiguration is not silently
    /// ignored. Values without a `/` are looked up on `PATH`, values with one
    /// are taken relative to the current directory.
    ///
    /// `PATH` and `CC` are read through `env` too. The `cc` crate step
    /// (reached only when neither `LUNAJIT_CC` nor a usable `CC` is set)
    /// reads the real process environment (`CC_<target>`, `TARGET_CC`, ...),
    /// as the `cc` crate always does. The `cc` crate normally runs in build
    /// scripts and reads `TARGET`, `HOST`, `OPT_LEVEL` and `OUT_DIR` from
    /// Cargo; here they are passed explicitly instead (the host triple from
    /// this binary's `cfg`, opt-level 0, and a fresh directory under the
    /// system temp dir that is removed afterwards), and Cargo metadata output
    /// is turned off, so nothing is printed and the process environment is
    /// not modified. On a host whose triple is not known here, that step is
    /// skipped. The crate runs the compiler to identify it, so that step
    /// costs a few tens of milliseconds (about 25 ms on a 2-core x86-64
    /// Debian machine); detect once per process.
    pub fn detect_with(env: impl Fn(&str) -> Option<OsString>) -> Self {
        let path_var = env("PATH");
        let find = |program: &OsStr| resolve_program(program, path_var.as_deref());
        let tool = |var: &str, default: &str| match env(var) {
            Some(value) => find(&value),
            None => find(OsStr::new(default)),
        };
        let assembler = tool(ENV_AS, "as");
        let linker = tool(ENV_LD, "ld");
        // The `cc` crate's detection runs the compiler (tens of ms), so it
        // is asked only when the compiler is the route, i.e. `as` or `ld`
        // is missing; with both present `cc` is merely the one on `PATH`.
        let fallback_needed = assembler.is_none() || linker.is_none();
        let cc = match env(ENV_CC) {
            Some(value) => find(&value),
            None => env("CC")
                .and_then(|value| find(&value))
                .or_else(|| {
                    fallback_needed
                        .then(cc_crate_compiler)
                        .flatten()
                        .and_then(|p| find(p.as_os_str()))
                })
                .or_else(|| find(OsStr::new("cc"))),
        };
        Toolchain::new(assembler, linker, cc)
    }

    /// A cheap identity of the tools for code-cache keys, computed without
    /// running anything: for each of `as`, `ld`, `cc`, the canonical path of
    /// the program (symlinks resolved) with its size and modification time
    /// in nanoseconds, or `none`, e.g.
    /// `as=/usr/bin/x86_64-linux-gnu-as:512344:1700000000000000000; ld=...`.
    /// Upgrading or replacing a tool changes it. [`Toolchain::identity`]
    /// gives the readable version lines instead, at the price of three
    /// process runs.
    pub fn fingerprint(&self) -> String {
        ["as", "ld", "cc"]
            .iter()
            .zip([&self.assembler, &self.linker, &self.cc])
            .map(|(name, tool)| {
                let Some(path) = tool else {
                    return format!("{name}=none");
                };
                let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                let (len, mtime) = std::fs::metadata(&real)
                    .map(|m| {
                        let t = m
                            .modified()
                            .ok()
                            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                            .map_or(0, |d| d.as_nanos());
                        (m.len(), t)
                    })
                    .unwrap_or((0, 0));
                format!("{name}={}:{len}:{mtime}", real.display())
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A stable string naming the tools and their versions, for use in a
    /// cache key: for each of `as`, `ld`, `cc`, its path and the first line
    /// of its `--version` output (each query limited to 5 s), or `none` if
    /// the tool is missing, e.g.
    /// `as=/usr/bin/as [GNU assembler ... 2.40]; ld=...; cc=...`.
    /// A tool whose version cannot be read shows `[version unknown]`.
    ///
    /// Computed once and cached in the struct; it is recomputed only if the
    /// tool paths have changed since. Concurrent callers wait for the first
    /// computation.
    pub fn identity(&self) -> String {
        let tools = [self.assembler.clone(), self.linker.clone(), self.cc.clone()];
        let mut cache = lock_ignoring_poison(&self.identity);
        if let Some(cached) = cache.as_ref().filter(|cached| cached.tools == tools) {
            return cached.text.clone();
        }
        let text = ["as", "ld", "cc"]
            .iter()
            .zip(&tools)
            .map(|(name, tool)| match tool {
                None => format!("{name}=none"),
                Some(path) => format!(
                    "{name}={} [{}]",
                    path.display(),
                    version_line(path).unwrap_or_else(|| "version unknown".to_string())
                ),
            })
            .collect::<Vec<_>>()
            .join("; ");
        *cache = Some(CachedIdentity {
            tools,
            text: text.clone(),
        });
        text
    }

    /// Assembles and links the assembly file `asm_path` into the shared
    /// object `out_so`.
    ///
    /// With both an assembler and a linker ([`Route::AsLd`]):
    /// `as -o T.o asm_path`, then `ld -shared -z defs -z noexecstack -o T.so
    /// T.o`. Otherwise, with a C compiler ([`Route::Cc`]): `cc -shared
    /// -nostdlib -Wl,-z,defs -Wl,-z,noexecstack -o T.so -x assembler
    /// asm_path` (`-x assembler`: the file is assembled whatever its
    /// extension, without the C preprocessor). `-z defs` turns undefined
    /// symbols into an error (the generated code must have none, and nothing
    /// else is linked in); `-z noexecstack` keeps the stack non-executable
    /// even if the assembly lacks a `.note.GNU-stack` section (recent glibc
    /// refuses to dlopen objects that ask for an executable stack).
    ///
    /// The temporary files (`T.o`, `T.so`) are created in the directory of
    /// `out_so` under hidden, process-unique names and are removed
    /// afterwards, on success and on failure. The output is written
    /// atomically: the link goes to the temporary name, which is renamed onto
    /// `out_so` at the end, so `out_so` is either absent/unchanged or
    /// complete.
    ///
    /// `timeout` applies to each child process separately (so the
    /// [`Route::AsLd`] route can take up to twice as long in total).
    ///
    /// # Errors
    ///
    /// - [`ToolchainError::Missing`] if neither route is available.
    /// - [`ToolchainError::Failed`] if a tool exits unsuccessfully (for
    ///   example an assembly syntax error, or an undefined symbol).
    /// - [`ToolchainError::TimedOut`] if a tool runs longer than `timeout`.
    /// - [`ToolchainError::Io`] if `asm_path` cannot be read, a tool cannot be
    ///   started, or the output cannot be renamed into place.
    pub fn build_shared_object(
        &self,
        asm_path: &Path,
        out_so: &Path,
        timeout: Duration,
    ) -> Result<BuildReport, ToolchainError> {
        let route = match (&self.assembler, &self.linker, &self.cc) {
            (Some(_), Some(_), _) => Route::AsLd,
            (_, _, Some(_)) => Route::Cc,
            _ => return Err(ToolchainError::Missing(self.missing_message())),
        };
        std::fs::metadata(asm_path)
            .map_err(|e| io_error(format!("reading assembly source {}", asm_path.display()), e))?;
        let file_name = out_so.file_name().ok_or_else(|| {
            io_error(
                format!("output path {}", out_so.display()),
                io::Error::new(io::ErrorKind::InvalidInput, "it has no file name"),
            )
        })?;
        let dir = match out_so.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let temp_name = |ext: &str| {
            let mut name = OsString::from(".");
            name.push(file_name);
            name.push(format!(".{}.{ext}", unique_suffix()));
            dir.join(name)
        };
        let mut temp_so = RemoveOnDrop(Some(temp_name("tmp")));
        let temp_so_path = temp_so.path().to_path_buf();

        let report = match route {
            Route::AsLd => {
                let (Some(assembler), Some(linker)) = (&self.assembler, &self.linker) else {
                    unreachable!("route chosen above");
                };
                let object = RemoveOnDrop(Some(temp_name("o")));
                let start = Instant::now();
                run(
                    Command::new(assembler)
                        .arg("-o")
                        .arg(object.path())
                        .arg(asm_path),
                    timeout,
                )?;
                let as_ms = elapsed_ms(start);
                let start = Instant::now();
                run(
                    Command::new(linker)
                        .args(ld_args(HOST_MACOS, std::env::consts::ARCH))
                        .arg("-o")
                        .arg(&temp_so_path)
                        .arg(object.path()),
                    timeout,
                )?;
                let ld_ms = elapsed_ms(start);
                BuildReport {
                    as_ms,
                    ld_ms,
                    route,
                }
            }
            Route::Cc => {
                let Some(cc) = &self.cc else {
                    unreachable!("route chosen above");
                };
                let start = Instant::now();
                run(
                    Command::new(cc)
                        .args(cc_args(HOST_MACOS))
                        .arg("-o")
                        .arg(&temp_so_path)
                        .args(["-x", "assembler"])
                        .arg(asm_path),
                    timeout,
                )?;
                BuildReport {
                    as_ms: 0.0,
                    ld_ms: elapsed_ms(start),
                    route,
                }
            }
        };
        std::fs::rename(&temp_so_path, out_so).map_err(|e| {
            io_error(
                format!(
                    "renaming {} to {}",
                    temp_so_path.display(),
                    out_so.display()
                ),
                e,
            )
        })?;
        temp_so.disarm();
        Ok(report)
    }

    fn missing_message(&self) -> String {
        let mut missing = Vec::new();
        if self.assembler.is_none() {
            missing.push(format!("an assembler (`as`; set {ENV_AS})"));
        }
        if self.linker.is_none() {
            missing.push(format!("a linker (`ld`; set {ENV_LD})"));
        }
        if self.cc.is_none() {
            missing.push(format!("a C compiler (`cc`; set {ENV_CC} or CC)"));
        }
        format!(
            "an assembler and a linker, or a C compiler, are needed; missing: {}. \
             Install binutils (or a C compiler), or point the variables at executables",
            missing.join(", ")
        )
    }
}

/// Removes the file at its path when dropped, unless disarmed.
struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn path(&self) -> &Path {
        self.0.as_deref().expect("path present until disarmed")
    }

    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            // The file may not exist (the tool failed before creating it).
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `pid.counter`: unique among the names this process makes, and between
/// processes running at the same time.
/// Whether shared objects are Mach-O dynamic libraries (macOS) rather than
/// ELF shared objects.
const HOST_MACOS: bool = cfg!(target_os = "macos");

/// The linker's arguments (before `-o OUT OBJECT`) for a shared object that
/// may not have undefined symbols and needs no executable stack: ELF
/// (GNU ld: `-shared -z defs -z noexecstack`) or Mach-O (ld64: `-dylib
/// -undefined error`, with the architecture and a minimum OS version,
/// which ld64 requires; `arch` is `std::env::consts::ARCH`).
fn ld_args(macos: bool, arch: &str) -> Vec<String> {
    let v: Vec<&str> = if macos {
        let arch = if arch == "aarch64" { "arm64" } else { arch };
        vec![
            "-dylib",
            "-undefined",
            "error",
            "-arch",
            arch,
            "-platform_version",
            "macos",
            "11.0",
            "11.0",
        ]
    } else {
        vec!["-shared", "-z", "defs", "-z", "noexecstack"]
    };
    v.into_iter().map(String::from).collect()
}

/// The C compiler driver's arguments (before `-o OUT -x assembler SRC`) for
/// the same shared object as [`ld_args`], without the C runtime.
fn cc_args(macos: bool) -> &'static [&'static str] {
    if macos {
        &["-dynamiclib", "-nostdlib", "-Wl,-undefined,error"]
    } else {
        &["-shared", "-nostdlib", "-Wl,-z,defs", "-Wl,-z,noexecstack"]
    }
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn elapsed_ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// The executable `program` names: looked up on `path_var` if it has no
/// `/`, else relative to the current directory. `None` if it is empty or
/// does not name an existing executable file.
fn resolve_program(program: &OsStr, path_var: Option<&OsStr>) -> Option<PathBuf> {
    if program.is_empty() {
        return None;
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    which::which_in(program, path_var, cwd).ok()
}

/// This binary's target triple, for the `cc` crate, if it is one we know.
fn host_triple() -> Option<&'static str> {
    if cfg!(all(
        target_arch = "x86_64",
        target_os = "linux",
        target_env = "gnu"
    )) {
        Some("x86_64-unknown-linux-gnu")
    } else if cfg!(all(
        target_arch = "aarch64",
        target_os = "linux",
        target_env = "gnu"
    )) {
        Some("aarch64-unknown-linux-gnu")
    } else if cfg!(all(target_arch = "x86_64", target_os = "macos")) {
        Some("x86_64-apple-darwin")
    } else if cfg!(all(target_arch = "aarch64", target_os = "macos")) {
        Some("aarch64-apple-darwin")
    } else {
        None
    }
}

/// The C compiler the `cc` crate picks for this host (possibly a bare
/// program name, still to be resolved), or `None`. See
/// [`Toolchain::detect_with`] for how the crate's Cargo inputs are supplied.
fn cc_crate_compiler() -> Option<PathBuf> {
    let triple = host_triple()?;
    let out_dir = std::env::temp_dir().join(format!("lunajit-cc-detect.{}", unique_suffix()));
    std::fs::create_dir_all(&out_dir).ok()?;
    let tool = cc::Build::new()
        .target(triple)
        .host(triple)
        .opt_level(0)
        .out_dir(&out_dir)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .no_default_flags(true)
        .try_get_compiler();
    let _ = std::fs::remove_dir_all(&out_dir);
    Some(tool.ok()?.path().to_path_buf())
}

/// The first non-empty line of `tool --version` (stdout, else stderr), if
/// it runs successfully within [`VERSION_TIMEOUT`].
fn version_line(tool: &Path) -> Option<String> {
    let output = run(Command::new(tool).arg("--version"), VERSION_TIMEOUT).ok()?;
    [&output.stdout, &output.stderr].iter().find_map(|bytes| {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .map(str::to_string)
    })
}

/// `cmd` as a shell-quoted command line, for messages.
fn command_line(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|arg| shell_quote(&arg.to_string_lossy()).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_quote(arg: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./=,+:@%".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        Cow::Borrowed(arg)
    } else {
        Cow::Owned(format!("'{}'", arg.replace('\'', r"'\''")))
    }
}

/// `stderr` decoded, trimmed and cut to [`STDERR_LIMIT`] bytes (at a
/// character boundary), with the cut marked.
fn trim_stderr(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.len() <= STDERR_LIMIT {
        return text.to_string();
    }
    let mut cut = STDERR_LIMIT;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!(
        "{}\n[... {} more bytes of stderr cut]",
        &text[..cut],
        text.len() - cut
    )
}

/// Sends `SIGKILL` to the process group `pgid`.
///
/// Only call this for a child started with `process_group(0)` (so it leads
/// group `pgid`) that has not been reaped yet: an unreaped child's pid, and
/// so its group id, cannot have been reused.
fn kill_process_group(pgid: u32) {
    use libc::kill;
    const SIGKILL: i32 = libc::SIGKILL;
    match i32::try_from(pgid) {
        // Never 0 or 1: kill(0) and kill(-1) would hit our own group or
        // every process we may signal.
        Ok(pid) if pid > 1 => {
            // SAFETY: kill(2) takes two integers and touches no memory of
            // ours; the declaration matches its C prototype
            // `int kill(pid_t, int)` (pid_t is a 32-bit int on Linux and
            // macOS). A negative pid addresses the group, which (see above)
            // is our own child's and not a reused id.
            unsafe {
                kill(-pid, SIGKILL);
            }
        }
        _ => {}
    }
}

/// Starts a thread that reads `pipe` to its end and sends what it read
/// (with `index`) on `tx`.
fn spawn_reader(
    mut pipe: impl Read + Send + 'static,
    index: usize,
    tx: mpsc::Sender<(usize, Vec<u8>)>,
) -> io::Result<()> {
    std::thread::Builder::new()
        .name("lunajit-tool-output".to_string())
        .spawn(move || {
            let mut buffer = Vec::new();
            // A read error just ends the capture; what was read is kept.
            let _ = pipe.read_to_end(&mut buffer);
            let _ = tx.send((index, buffer));
        })
        .map(drop)
}

/// Kills `child`'s process group and reaps `child`.
fn kill_and_reap(child: &mut Child) {
    kill_process_group(child.id());
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `cmd` with stdin null and stdout/stderr captured, in a process group
/// of its own and with `LC_ALL=C`, killing the group if it runs longer than
/// `timeout`. Returns the output if the process exits successfully.
fn run(cmd: &mut Command, timeout: Duration) -> Result<Output, ToolchainError> {
    let command = command_line(cmd);
    let start = Instant::now();
    let deadline = start + timeout;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("LC_ALL", "C")
        .process_group(0)
        .spawn()
        .map_err(|e| io_error(format!("starting `{command}`"), e))?;

    // Drain both pipes while the child runs, so a chatty tool cannot block
    // on a full pipe.
    let (tx, rx) = mpsc::channel();
    let pipes = (child.stdout.take(), child.stderr.take());
    let (Some(stdout), Some(stderr)) = pipes else {
        kill_and_reap(&mut child);
        unreachable!("both pipes were requested");
    };
    if let Err(e) = spawn_reader(stdout, 0, tx.clone()).and_then(|()| spawn_reader(stderr, 1, tx)) {
        kill_and_reap(&mut child);
        return Err(io_error(
            format!("starting an output reader for `{command}`"),
            e,
        ));
    }

    // Poll with exponentially growing sleeps: short tools (a few ms) are
    // noticed promptly, long ones cost little CPU.
    let mut sleep = Duration::from_micros(50);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {
                let now = Instant::now();
                if now >= deadline {
                    kill_and_reap(&mut child);
                    return Err(ToolchainError::TimedOut {
                        command,
                        after: timeout,
                    });
                }
                std::thread::sleep(sleep.min(deadline - now));
                sleep = (sleep * 2).min(MAX_POLL_SLEEP);
            }
            Err(e) => {
                kill_and_reap(&mut child);
                return Err(io_error(format!("waiting for `{command}`"), e));
            }
        }
    };

    // The pipes close when the child and anything that inherited them exit.
    // A leftover background process holding them past the deadline (plus a
    // short grace, for a child that exited just before it) counts as a
    // time-out; its reader thread is left to finish on its own.
    let mut outputs = [Vec::new(), Vec::new()];
    for _ in 0..2 {
        let remaining = deadline
            .saturating_duration_since(Instant::now())
            .max(PIPE_GRACE);
        match rx.recv_timeout(remaining) {
            Ok((index, bytes)) => outputs[index] = bytes,
            Err(_) => {
                return Err(ToolchainError::TimedOut {
                    command,
                    after: timeout,
                })
            }
        }
    }
    let [stdout, stderr] = outputs;
    if !status.success() {
        return Err(ToolchainError::Failed {
            command,
            status,
            stderr: trim_stderr(&stderr),
        });
    }
    Ok(Output {
        status,
        stdout,
        stderr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::os::unix::fs::PermissionsExt;

    /// Writes an executable shell script `name` with `body` into `dir`.
    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// Calls `f`, retrying while it fails with ETXTBSY: a script written just
    /// now can be briefly "busy" while another test thread forks a child
    /// that still holds the script's write descriptor before its exec.
    fn retry_busy<T>(
        mut f: impl FnMut() -> Result<T, ToolchainError>,
    ) -> Result<T, ToolchainError> {
        for _ in 0..50 {
            match f() {
                Err(ToolchainError::Io(e)) if e.kind() == io::ErrorKind::ExecutableFileBusy => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other,
            }
        }
        f()
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn system_path() -> String {
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".to_string())
    }

    /// Lists the files in `dir` by name, sorted.
    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    const TRIVIAL_ASM: &str = ".text\n.globl f\nf:\n    ret\n";

    #[test]
    fn env_override_to_nonexistent_path_means_missing_without_fallback() {
        let path = system_path();
        let tc = Toolchain::detect_with(env_of(&[("PATH", &path), (ENV_AS, "/nonexistent")]));
        assert_eq!(tc.assembler, None);
        // The linker is still found on PATH (this machine has binutils).
        assert!(tc.linker.is_some(), "ld should be on PATH");
        assert!(
            which::which_in("as", Some(&path), "/").is_ok(),
            "as exists on PATH, yet the override must win"
        );
    }

    #[test]
    fn env_override_to_non_executable_file_means_missing() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("not-executable");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
        let path = system_path();
        let tc = Toolchain::detect_with(env_of(&[
            ("PATH", &path),
            (ENV_LD, plain.to_str().unwrap()),
            (ENV_CC, ""),
        ]));
        assert_eq!(tc.linker, None);
        assert_eq!(tc.cc, None, "an empty override counts as missing too");
        assert!(tc.assembler.is_some());
    }

    #[test]
    fn env_override_to_executable_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let fake = script(dir.path(), "my-as", "exit 0");
        let tc = Toolchain::detect_with(env_of(&[
            ("PATH", "/nonexistent-dir"),
            (ENV_AS, fake.to_str().unwrap()),
        ]));
        assert_eq!(tc.assembler.as_deref(), Some(fake.as_path()));
        assert_eq!(tc.linker, None, "ld is looked up on the given PATH only");
    }

    #[test]
    fn bare_override_names_are_looked_up_on_path() {
        let dir = tempfile::tempdir().unwrap();
        let fake = script(dir.path(), "lj-fake-ld", "exit 0");
        let tc = Toolchain::detect_with(env_of(&[
            ("PATH", dir.path().to_str().unwrap()),
            (ENV_LD, "lj-fake-ld"),
        ]));
        assert_eq!(tc.linker.as_deref(), Some(fake.as_path()));
    }

    #[test]
    fn cc_env_var_is_used_when_it_names_an_executable() {
        let dir = tempfile::tempdir().unwrap();
        let fake = script(dir.path(), "my-cc", "exit 0");
        let tc = Toolchain::detect_with(env_of(&[
            ("PATH", "/nonexistent-dir"),
            ("CC", fake.to_str().unwrap()),
        ]));
        assert_eq!(tc.cc.as_deref(), Some(fake.as_path()));
    }

    #[test]
    fn detect_finds_the_system_tools() {
        let tc = Toolchain::detect();
        for (name, tool) in [("as", &tc.assembler), ("ld", &tc.linker), ("cc", &tc.cc)] {
            let tool = tool.as_ref().unwrap_or_else(|| panic!("{name} not found"));
            assert!(tool.is_absolute(), "{name}: {}", tool.display());
        }
    }

    #[test]
    fn no_tools_gives_missing_naming_the_variables() {
        let dir = tempfile::tempdir().unwrap();
        let asm = dir.path().join("x.s");
        std::fs::write(&asm, TRIVIAL_ASM).unwrap();
        let tc = Toolchain::new(None, Some(PathBuf::from("/usr/bin/ld")), None);
        let err = tc
            .build_shared_object(&asm, &dir.path().join("x.so"), Duration::from_secs(5))
            .unwrap_err();
        let ToolchainError::Missing(message) = &err else {
            panic!("expected Missing, got {err:?}");
        };
        assert!(message.contains(ENV_AS), "{message}");
        assert!(message.contains(ENV_CC), "{message}");
        assert!(!message.contains(ENV_LD), "ld is not missing: {message}");
        assert!(err.to_string().starts_with("no usable toolchain"));
    }

    #[test]
    fn sleeping_assembler_times_out_quickly_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let fake_as = script(dir.path(), "slow-as", "sleep 5");
        let asm = dir.path().join("x.s");
        std::fs::write(&asm, TRIVIAL_ASM).unwrap();
        let out = dir.path().join("x.so");
        let tc = Toolchain::new(Some(fake_as.clone()), Some("/usr/bin/ld".into()), None);
        let start = Instant::now();
        let err = retry_busy(|| tc.build_shared_object(&asm, &out, Duration::from_millis(300)))
            .unwrap_err();
        let elapsed = start.elapsed();
        let ToolchainError::TimedOut { command, after } = &err else {
            panic!("expected TimedOut, got {err:?}");
        };
        assert_eq!(*after, Duration::from_millis(300));
        assert!(command.starts_with(fake_as.to_str().unwrap()), "{command}");
        assert!(command.contains("x.s"), "{command}");
        // Killed with its `sleep` child: we did not wait for the 5 s.
        assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
        assert!(err.to_string().contains("timed out after 300ms"), "{err}");
        assert_eq!(files_in(dir.path()), ["slow-as", "x.s"]);
    }

    /// Whether process `pid` is gone or a zombie (killed, not yet reaped by
    /// whoever inherited it).
    fn is_dead(pid: u32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            // The state follows the parenthesised command name.
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn time_out_kills_the_tools_children_too() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("child.pid");
        let tool = script(
            dir.path(),
            "forking-tool",
            &format!("sleep 30 &\necho $! > '{}'\nwait", pid_file.display()),
        );
        let err =
            retry_busy(|| run(&mut Command::new(&tool), Duration::from_millis(300))).unwrap_err();
        assert!(matches!(err, ToolchainError::TimedOut { .. }), "{err:?}");
        let pid: u32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let start = Instant::now();
        while !is_dead(pid) {
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "the tool's child {pid} survived the time-out"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn failing_assembler_gives_failed_with_its_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let fake_as = script(
            dir.path(),
            "bad-as",
            "echo 'fake-as: something went wrong' >&2\nexit 1",
        );
        let asm = dir.path().join("x.s");
        std::fs::write(&asm, TRIVIAL_ASM).unwrap();
        let out = dir.path().join("x.so");
        let tc = Toolchain::new(Some(fake_as.clone()), Some("/usr/bin/ld".into()), None);
        let err =
            retry_busy(|| tc.build_shared_object(&asm, &out, Duration::from_secs(5))).unwrap_err();
        let ToolchainError::Failed {
            command,
            status,
            stderr,
        } = &err
        else {
            panic!("expected Failed, got {err:?}");
        };
        assert_eq!(stderr, "fake-as: something went wrong");
        assert_eq!(status.code(), Some(1));
        assert!(command.starts_with(fake_as.to_str().unwrap()), "{command}");
        let shown = err.to_string();
        assert!(shown.contains("exit status: 1"), "{shown}");
        assert!(shown.contains("fake-as: something went wrong"), "{shown}");
        assert_eq!(files_in(dir.path()), ["bad-as", "x.s"]);
    }

    #[test]
    fn large_stderr_is_drained_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        // 1 MiB on stderr: more than a pipe buffer, so the tool would block
        // forever if the output were not read while it runs.
        let noisy = script(
            dir.path(),
            "noisy",
            "head -c 1048576 /dev/zero | tr '\\0' x >&2\nexit 3",
        );
        let err =
            retry_busy(|| run(&mut Command::new(&noisy), Duration::from_secs(10))).unwrap_err();
        let ToolchainError::Failed { status, stderr, .. } = err else {
            panic!("expected Failed, got {err:?}");
        };
        assert_eq!(status.code(), Some(3));
        assert!(stderr.starts_with(&"x".repeat(STDERR_LIMIT)));
        assert!(
            stderr.ends_with(&format!(
                "[... {} more bytes of stderr cut]",
                1048576 - STDERR_LIMIT
            )),
            "{}",
            &stderr[STDERR_LIMIT..]
        );
    }

    #[test]
    fn run_captures_stdout_and_closes_stdin() {
        // `cat` with a null stdin sees end-of-file at once.
        let out = run(
            Command::new("/bin/sh").args(["-c", "cat; echo done; echo $LC_ALL"]),
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "done\nC\n");
    }

    #[test]
    fn missing_asm_file_is_an_io_error_with_context() {
        let dir = tempfile::tempdir().unwrap();
        let tc = Toolchain::detect();
        let missing = dir.path().join("missing.s");
        let err = tc
            .build_shared_object(&missing, &dir.path().join("x.so"), Duration::from_secs(5))
            .unwrap_err();
        let ToolchainError::Io(e) = &err else {
            panic!("expected Io, got {err:?}");
        };
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("missing.s"), "{err}");
    }

    #[test]
    fn identity_names_tools_and_versions_and_is_cached() {
        let mut tc = Toolchain::detect();
        let first = tc.identity();
        assert_eq!(first, tc.identity());
        let as_path = tc.assembler.clone().unwrap();
        assert!(
            first.starts_with(&format!("as={} [", as_path.display())),
            "{first}"
        );
        assert!(first.contains("; ld="), "{first}");
        assert!(first.contains("; cc="), "{first}");
        assert!(!first.contains("version unknown"), "{first}");
        // A tool that does not answer --version.
        let dir = tempfile::tempdir().unwrap();
        let mute = script(dir.path(), "mute", "exit 1");
        tc.cc = Some(mute.clone());
        tc.linker = None;
        // (A busy-script spawn failure would also read as "version unknown".)
        let changed = tc.identity();
        assert!(changed.contains("; ld=none; "), "{changed}");
        assert!(
            changed.ends_with(&format!("cc={} [version unknown]", mute.display())),
            "{changed}"
        );
        assert!(changed.starts_with(&first[..first.find(';').unwrap()]));
    }

    #[test]
    fn link_arguments_follow_the_object_format() {
        let elf = ld_args(false, "x86_64");
        assert_eq!(elf, ["-shared", "-z", "defs", "-z", "noexecstack"]);
        let macho = ld_args(true, "aarch64");
        assert!(macho.starts_with(&["-dylib".to_string()]));
        assert!(macho.windows(2).any(|w| w == ["-arch", "arm64"]));
        assert!(macho.windows(2).any(|w| w == ["-undefined", "error"]));
        assert!(cc_args(true).contains(&"-dynamiclib"));
        assert!(cc_args(false).contains(&"-Wl,-z,defs"));
    }

    #[test]
    fn command_lines_are_shell_quoted() {
        let mut cmd = Command::new("/usr/bin/as");
        cmd.args(["-o", "a b.o", "it's.s", ""]);
        assert_eq!(command_line(&cmd), r"/usr/bin/as -o 'a b.o' 'it'\''s.s' ''");
    }
}
