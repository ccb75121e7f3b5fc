//! The `lunajit` command: runs Lua scripts like PUC's `lua` (reference manual
//! §7): `lunajit [options] [script [args]]` with `-e stat`, `-l mod`, `-i`,
//! `-v`, `-E`, `-W`, `-` (stdin), `--`, the `arg` table, `LUA_INIT`, and
//! `lua`'s messages and exit codes. `--bytecode` prints a `luac -l` style
//! listing instead of running.

use lunajit::runtime::value::TValue;
use lunajit::{Error, Lua, Value};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Allocation-heavy scripts live or die by the allocator: mimalloc is
/// measurably faster than glibc's malloc for the VM's many small objects
/// (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PROGNAME: &str = "lunajit";

fn version_line() -> String {
    format!(
        "lunajit {} -- Lua 5.4 compatible runtime",
        env!("CARGO_PKG_VERSION")
    )
}

const USAGE: &str = "usage: lunajit [options] [script [args]]
Available options are:
  -e stat   execute string 'stat'
  -i        enter interactive mode after executing 'script'
  -l mod    require library 'mod' into global 'mod'
  -l g=mod  require library 'mod' into global 'g'
  -v        show version information
  -E        ignore environment variables
  -W        turn warnings on
  --        stop handling options
  -         stop handling options and execute stdin
lunajit options:
  --bytecode  print a luac -l style listing of the script instead of running it
  --profile[=text|json]
              at exit, print to stderr the hottest functions (calls, sampled
              time), hot loops, least type-stable sites and inline-cache stats
  --jit=off|external
              compile hot functions with the system assembler and linker
              (default: external when as and ld, or cc, are found)
  --jit-threshold N
              calls after which a function is hot (loops: N*4 iterations)
  --emit-asm DIR
              keep every generated .s file in DIR
  --jit-stats print JIT counters to stderr at exit
  --jit-wait  compile on the main thread, waiting for each batch (the default
              compiles on a worker thread and installs code when it is done)
  --jit-enter=always|profitable
              where the interpreter enters native code: everywhere (to
              test it) or only where it pays off (default)
  --cache-dir DIR
              the code cache's directory (default: $LUNAJIT_CACHE_DIR, else
              the user cache directory, e.g. ~/.cache/lunajit)
  --no-cache  neither load nor store compiled code
  --help      show this help
Commands (`lunajit COMMAND --help` for their options):
  lunajit asm script.lua [--function NAME]   print the generated assembly
  lunajit compile script.lua                 fill the code cache ahead of time
  lunajit cache path|list|stats|clear|gc     inspect or maintain the cache";

/// What the command line asks for (lua.c's `collectargs`).
#[derive(Default)]
struct Options {
    interactive: bool,
    version: bool,
    ignore_env: bool,
    warnings: bool,
    bytecode: bool,
    help: bool,
    /// `--profile[=text|json]`: print a profile report at exit.
    profile: Option<lunajit::profile::ReportFormat>,
    /// `--jit-threshold N`: hotness scale.
    jit_threshold: Option<u32>,
    /// `--jit=off|external` (None: the default).
    jit: Option<bool>,
    /// `--emit-asm DIR`: keep every generated `.s` there.
    emit_asm: Option<String>,
    /// `--jit-stats`: print JIT counters at exit.
    jit_stats: bool,
    /// `--jit-enter=always`: enter native code wherever it exists.
    jit_enter_always: bool,
    /// `--cache-dir DIR`.
    cache_dir: Option<String>,
    /// `--no-cache`.
    no_cache: bool,
    /// `--jit-wait`: compile on the main thread.
    jit_wait: bool,
    has_exec: bool,
    /// `-e` / `-l` actions in order: (is_exec, text).
    actions: Vec<(bool, String)>,
    /// Index in argv of the script name (argv.len() when there is none).
    script: usize,
}

/// Whether `a` is option `flag`, alone or as `flag=value`.
fn is_valued(a: &str, flag: &str) -> bool {
    a.strip_prefix(flag)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('='))
}

/// Scans options up to the script name, following `lua`'s grammar (manual
/// §7): options end at the first argument not starting with `-`, at `--`
/// (skipped), or at `-` (stdin, kept as the script); `-e`/`-l` take the rest
/// of their argument or the next one. Errors are `lua`'s messages.
fn collect_args(argv: &[String]) -> Result<Options, String> {
    let mut o = Options {
        script: argv.len(),
        ..Default::default()
    };
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        let b = a.as_bytes();
        if b.first() != Some(&b'-') {
            o.script = i;
            return Ok(o);
        }
        match (b.get(1).copied(), a.as_str()) {
            (None, _) => {
                o.script = i;
                return Ok(o);
            }
            (Some(b'-'), "--") => {
                o.script = if i + 1 < argv.len() {
                    i + 1
                } else {
                    argv.len()
                };
                return Ok(o);
            }
            (Some(b'-'), "--bytecode") => o.bytecode = true,
            (Some(b'-'), "--profile" | "--profile=text") => {
                o.profile = Some(lunajit::profile::ReportFormat::Text)
            }
            (Some(b'-'), "--profile=json") => {
                o.profile = Some(lunajit::profile::ReportFormat::Json)
            }
            (Some(b'-'), "--jit=off") => o.jit = Some(false),
            (Some(b'-'), "--jit=external") => o.jit = Some(true),
            (Some(b'-'), "--jit-stats") => o.jit_stats = true,
            (Some(b'-'), "--jit-wait") => o.jit_wait = true,
            (Some(b'-'), "--jit-enter=always") => o.jit_enter_always = true,
            (Some(b'-'), "--jit-enter=profitable") => o.jit_enter_always = false,
            (Some(b'-'), "--no-cache") => o.no_cache = true,
            (Some(b'-'), _) if is_valued(a, "--emit-asm") || is_valued(a, "--cache-dir") => {
                let (flag, val) = match a.split_once('=') {
                    Some((f, v)) => (f, v.to_string()),
                    None => {
                        i += 1;
                        (a.as_str(), argv.get(i).cloned().unwrap_or_default())
                    }
                };
                if val.is_empty() {
                    return Err(format!("'{flag}' needs a directory"));
                }
                if flag == "--emit-asm" {
                    o.emit_asm = Some(val);
                } else {
                    o.cache_dir = Some(val);
                }
            }
            (Some(b'-'), _) if a == "--jit-threshold" || a.starts_with("--jit-threshold=") => {
                let val = match a.strip_prefix("--jit-threshold=") {
                    Some(v) => v.to_string(),
                    None => {
                        i += 1;
                        argv.get(i).cloned().unwrap_or_default()
                    }
                };
                match val.parse::<u32>() {
                    Ok(n) => o.jit_threshold = Some(n),
                    Err(_) => {
                        return Err(format!(
                            "'--jit-threshold' needs a count from 0 to {} (got '{val}')",
                            u32::MAX
                        ))
                    }
                }
            }
            (Some(b'-'), "--help") => o.help = true,
            (Some(b'E'), "-E") => o.ignore_env = true,
            (Some(b'W'), "-W") => o.warnings = true,
            (Some(b'i'), "-i") => {
                o.interactive = true;
                o.version = true;
            }
            (Some(b'v'), "-v") => o.version = true,
            (Some(c @ (b'e' | b'l')), _) => {
                let val = if b.len() > 2 {
                    a[2..].to_string()
                } else {
                    i += 1;
                    match argv.get(i) {
                        Some(v) if !v.starts_with('-') => v.clone(),
                        _ => return Err(format!("'{a}' needs argument")),
                    }
                };
                if c == b'e' {
                    o.has_exec = true;
                }
                o.actions.push((c == b'e', val));
            }
            _ => return Err(format!("unrecognized option '{a}'")),
        }
        i += 1;
    }
    Ok(o)
}

fn eprint_error(msg: &str) {
    lunajit::stdlib::io::flush_stdout();
    eprintln!("{PROGNAME}: {msg}");
}

fn report(e: &Error) {
    match e {
        Error::Runtime { message, traceback } if !traceback.is_empty() => {
            eprint_error(&format!("{message}\n{traceback}"))
        }
        _ => eprint_error(e.message()),
    }
}

/// Builds the global `arg` table: script at index 0, interpreter and options
/// at negative indices, script arguments from 1 (§7).
fn set_arg_table(lua: &mut Lua, argv: &[String], script_index: Option<usize>) {
    let l = lua.state();
    let t = l.g().new_table(argv.len(), 0);
    let si = script_index.unwrap_or(0) as i64;
    for (i, a) in argv.iter().enumerate() {
        let v = l.str_value(a.as_bytes());
        // SAFETY: t is a live table.
        unsafe { (*t).set(TValue::int(i as i64 - si), v).ok() };
    }
    let g = l.g().globals;
    let k = l.g().intern(b"arg");
    // SAFETY: globals is live.
    unsafe { (*g).set_str(k, TValue::table(t)) };
}

fn run_chunk(lua: &mut Lua, src: &[u8], name: &str, args: &[Value]) -> Result<(), Error> {
    let f = lua.load(src, name)?;
    lua.call(&f, args).map(|_| ())
}

fn do_require(lua: &mut Lua, spec: &str) -> Result<(), Error> {
    let (global, module) = match spec.split_once('=') {
        Some((g, m)) => (g.to_string(), m.to_string()),
        None => (spec.to_string(), spec.to_string()),
    };
    let req = lua.get_global("require");
    let r = lua.call(&req, &[Value::String(module.into_bytes())])?;
    lua.set_global(&global, r.into_iter().next().unwrap_or(Value::Nil));
    Ok(())
}

fn print_listing(path: &str) -> ExitCode {
    let (src, name) = match read_named_script(path) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let ast = match lunajit::syntax::parse_with(&src, &name, true) {
        Ok(a) => a,
        Err(e) => {
            eprint_error(&e.message);
            return ExitCode::from(1);
        }
    };
    match lunajit::compile::compile(&ast, &name) {
        Ok(p) => {
            let mut out = String::new();
            lunajit::bytecode::listing::list(&p, &mut out);
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint_error(&e.message);
            ExitCode::from(1)
        }
    }
}

/// Reads a script and its chunk name ("@path", or "=stdin" for "-"); on
/// failure prints lua's message and gives the exit code.
fn read_named_script(path: &str) -> Result<(Vec<u8>, String), ExitCode> {
    match read_script(path) {
        Ok(src) => {
            let name = if path == "-" {
                "=stdin".to_string()
            } else {
                format!("@{path}")
            };
            Ok((src, name))
        }
        Err(m) => {
            eprint_error(&m);
            Err(ExitCode::from(1))
        }
    }
}

fn read_script(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut b = Vec::new();
        use std::io::Read;
        std::io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        return Ok(b);
    }
    std::fs::read(path).map_err(|e| {
        format!(
            "cannot open {path}: {}",
            lunajit::stdlib::io::os_error_text(&e)
        )
    })
}

/// The subcommands, parsed with clap (the script-running command line keeps
/// `lua`'s own grammar, which clap cannot express).
#[derive(clap::Parser)]
#[command(
    name = "lunajit",
    version,
    about = "lunajit's tools for its JIT and code cache"
)]
struct Tool {
    #[command(subcommand)]
    command: ToolCommand,
}

#[derive(clap::Subcommand)]
enum ToolCommand {
    /// Print the assembly the JIT generates for a script's functions,
    /// without running it, as one file that the target's assembler accepts.
    Asm {
        script: String,
        /// Only the functions with this name (`fib`, `Counter.inc`, `main`).
        #[arg(long)]
        function: Option<String>,
        /// The target: x86_64-linux, aarch64-linux, x86_64-macos or
        /// aarch64-macos (default: this machine's).
        #[arg(long)]
        target: Option<lunajit::jit::target::Target>,
    },
    /// Fill the code cache ahead of time: compile every function of the
    /// script without running it, or, with --profile-guided, run the script
    /// and keep the functions that got hot.
    Compile {
        script: String,
        /// Run the script (with ARGS) as a training run and compile only
        /// the functions that get hot.
        #[arg(long)]
        profile_guided: bool,
        /// Hotness scale of the training run (as `--jit-threshold`).
        #[arg(long, value_name = "N")]
        jit_threshold: Option<u32>,
        /// The cache directory (default: $LUNAJIT_CACHE_DIR, else the user
        /// cache directory).
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
        /// Arguments for the training run.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Inspect or maintain the code cache.
    Cache {
        #[command(subcommand)]
        action: CacheAction,
        /// The cache directory (default: $LUNAJIT_CACHE_DIR, else the user
        /// cache directory).
        #[arg(long, value_name = "DIR", global = true)]
        cache_dir: Option<PathBuf>,
    },
}

#[derive(clap::Subcommand, Clone, Copy)]
enum CacheAction {
    /// Print the cache directory.
    Path,
    /// One line per entry: key, source, function and line, size, last use.
    List,
    /// Entries, artifacts, bytes, and hits since the cache was created.
    Stats,
    /// Remove every entry and shared object.
    Clear,
    /// Verify every entry, remove damaged ones, orphans and leftovers, and
    /// evict least recently used entries down to the size cap.
    Gc,
}

fn tool_command(argv: &[String]) -> ExitCode {
    use clap::Parser;
    let tool = match Tool::try_parse_from(argv) {
        Ok(t) => t,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    match tool.command {
        ToolCommand::Asm {
            script,
            function,
            target,
        } => asm_command(&script, function.as_deref(), target),
        ToolCommand::Compile {
            script,
            profile_guided,
            jit_threshold,
            cache_dir,
            args,
        } => compile_command(&script, profile_guided, jit_threshold, cache_dir, &args),
        ToolCommand::Cache { action, cache_dir } => cache_command(action, cache_dir),
    }
}

/// `lunajit asm script.lua [--function NAME] [--target T]`: prints the
/// assembly the JIT would generate for the script's functions, without
/// running it.
fn asm_command(
    path: &str,
    function: Option<&str>,
    target: Option<lunajit::jit::target::Target>,
) -> ExitCode {
    let Some(target) = target.or_else(lunajit::jit::target::Target::host) else {
        eprint_error(
            "this machine is not a target of the JIT; choose one with --target \
             (x86_64-linux, aarch64-linux, x86_64-macos, aarch64-macos)",
        );
        return ExitCode::from(1);
    };
    let (src, name) = match read_named_script(path) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut lua = Lua::new();
    match lunajit::jit::assembly_of(lua.state(), &src, &name, function, target) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(m) => {
            eprint_error(&m);
            ExitCode::from(1)
        }
    }
}

/// `lunajit compile script.lua`: fills the code cache; prints a summary.
fn compile_command(
    path: &str,
    profile_guided: bool,
    threshold: Option<u32>,
    cache_dir: Option<PathBuf>,
    args: &[String],
) -> ExitCode {
    let Some(dir) = lunajit::jit::code_cache::cache_dir(cache_dir.as_deref()) else {
        eprint_error("compile: no cache directory (set --cache-dir or LUNAJIT_CACHE_DIR)");
        return ExitCode::from(1);
    };
    let (src, name) = match read_named_script(path) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut lua = Lua::new();
    if let Some(n) = threshold {
        lua.state().g().profile.thresholds = lunajit::profile::Thresholds::from_scale(n);
    }
    let config = lunajit::jit::JitConfig {
        cache_dir: Some(dir.clone()),
        requested: true,
        ..Default::default()
    };
    let Some(jit) = lunajit::jit::Jit::new(config) else {
        return ExitCode::from(1); // Jit::new printed why
    };
    if jit.cache.is_none() {
        return ExitCode::from(1); // Jit::new printed why
    }
    lua.state().g().jit = Some(Box::new(jit));
    let mut code = ExitCode::SUCCESS;
    if profile_guided {
        let mut argv = vec![PROGNAME.to_string(), path.to_string()];
        argv.extend(args.iter().cloned());
        set_arg_table(&mut lua, &argv, Some(1));
        let values: Vec<Value> = args
            .iter()
            .map(|s| Value::String(s.clone().into_bytes()))
            .collect();
        if let Err(e) = run_chunk(&mut lua, &src, &name, &values) {
            report(&e);
            code = ExitCode::from(1);
        }
        lunajit::stdlib::io::flush_stdout();
    } else if let Err(m) = lunajit::jit::compile_all(lua.state(), &src, &name) {
        eprint_error(&m);
        return ExitCode::from(1);
    }
    let Some(j) = lua.state().g().jit.as_deref_mut() else {
        return ExitCode::from(1);
    };
    // the training run's batches may still be compiling
    lunajit::jit::finish(j);
    let s = &j.stats;
    eprintln!(
        "{PROGNAME}: {} functions compiled, {} already cached, {} failed; {} bytes written to {}",
        s.functions_compiled,
        s.cache_hits,
        s.blacklisted,
        s.cache_bytes_written,
        dir.display()
    );
    if s.blacklisted > 0 {
        code = ExitCode::from(1);
    }
    code
}

/// `lunajit cache ACTION`.
fn cache_command(action: CacheAction, cache_dir: Option<PathBuf>) -> ExitCode {
    let Some(dir) = lunajit::jit::code_cache::cache_dir(cache_dir.as_deref()) else {
        eprint_error("cache: no cache directory (set --cache-dir or LUNAJIT_CACHE_DIR)");
        return ExitCode::from(1);
    };
    if let CacheAction::Path = action {
        println!("{}", dir.display());
        return ExitCode::SUCCESS;
    }
    let store = match lunajit::jit::code_cache::open_store(&dir) {
        Ok(s) => s,
        Err(m) => {
            eprint_error(&format!("cache: {m}"));
            return ExitCode::from(1);
        }
    };
    match lunajit::jit::code_cache::run_action(&store, action.into()) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(m) => {
            eprint_error(&format!("cache: {m}"));
            ExitCode::from(1)
        }
    }
}

impl From<CacheAction> for lunajit::jit::code_cache::Action {
    fn from(a: CacheAction) -> Self {
        use lunajit::jit::code_cache::Action;
        match a {
            CacheAction::Path | CacheAction::List => Action::List,
            CacheAction::Stats => Action::Stats,
            CacheAction::Clear => Action::Clear,
            CacheAction::Gc => Action::Gc,
        }
    }
}

/// `LUNAJIT_LOG` (tracing's env-filter syntax, e.g. `profile=debug`) turns on
/// logging to stderr; without it nothing is logged.
fn init_logging() {
    let Ok(filter) = std::env::var("LUNAJIT_LOG") else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|e| {
        eprintln!("{PROGNAME}: ignoring LUNAJIT_LOG: {e}");
        tracing_subscriber::EnvFilter::new("off")
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// The code cache directory of a run, or `None` for none (`--no-cache`, or
/// no directory to be found, which gets a warning).
fn cache_dir_of(no_cache: bool, explicit: Option<&Path>) -> Option<PathBuf> {
    if no_cache {
        return None;
    }
    let dir = lunajit::jit::code_cache::cache_dir(explicit);
    if dir.is_none() {
        eprintln!(
            "{PROGNAME}: warning: no cache directory (set --cache-dir or LUNAJIT_CACHE_DIR); \
             running without the code cache"
        );
    }
    dir
}

fn main() -> ExitCode {
    init_logging();
    let argv: Vec<String> = std::env::args().collect();
    if matches!(
        argv.get(1).map(String::as_str),
        Some("asm" | "compile" | "cache")
    ) {
        return tool_command(&argv);
    }
    let opts = match collect_args(&argv) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("{PROGNAME}: {msg}\n{USAGE}");
            return ExitCode::from(1);
        }
    };
    if opts.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let script: Vec<String> = argv[opts.script.min(argv.len())..].to_vec();
    if opts.bytecode {
        let Some(path) = script.first() else {
            eprint_error("--bytecode needs a script");
            return ExitCode::from(1);
        };
        return print_listing(path);
    }
    let stdin_tty = std::io::stdin().is_terminal();

    let mut lua = Lua::new();
    lua.state().g().gc_generational = true; // lua.c runs in generational mode
    if let Some(n) = opts.jit_threshold {
        lua.state().g().profile.thresholds = lunajit::profile::Thresholds::from_scale(n);
    }
    // the JIT is on unless --jit=off, where a toolchain is found; --profile
    // reports the interpreter's counts, so it runs without the JIT unless
    // --jit=external asks for both
    let jit_on = match opts.jit {
        Some(on) => on,
        None => opts.profile.is_none(),
    };
    if jit_on {
        let config = lunajit::jit::JitConfig {
            emit_asm: opts.emit_asm.as_ref().map(std::path::PathBuf::from),
            timeout: None,
            enter_always: opts.jit_enter_always,
            cache_dir: cache_dir_of(opts.no_cache, opts.cache_dir.as_deref().map(Path::new)),
            wait: opts.jit_wait,
            requested: opts.jit == Some(true),
        };
        lua.state().g().jit = lunajit::jit::Jit::new(config).map(Box::new);
    }
    lua.state().g().jit_stats = opts.jit_stats;
    if let Some(format) = opts.profile {
        let name = script.first().map_or("(no script)", String::as_str);
        lunajit::profile::start_session(lua.state().g(), format, name);
    }
    let code = run(&mut lua, &opts, &argv, &script, stdin_tty);
    lunajit::stdlib::io::flush_stdout();
    lunajit::profile::finish_session(lua.state().g());
    // batches being compiled still reach the code cache; --jit-stats
    lunajit::jit::exit_report(lua.state().g());
    code
}

/// Everything `main` does with the state once it exists: `LUA_INIT`, `-e`/`-l`,
/// the script, the REPL. Returns the exit code.
fn run(
    lua: &mut Lua,
    opts: &Options,
    argv: &[String],
    script: &[String],
    stdin_tty: bool,
) -> ExitCode {
    let script_index = if script.is_empty() {
        None
    } else {
        Some(opts.script)
    };
    if opts.warnings {
        lua.state().g().warn_on = true;
    }
    if opts.version {
        println!("{}", version_line());
    }
    set_arg_table(lua, argv, script_index);
    if !opts.ignore_env {
        let init = std::env::var("LUA_INIT_5_4")
            .map(|v| ("LUA_INIT_5_4", v))
            .or_else(|_| std::env::var("LUA_INIT").map(|v| ("LUA_INIT", v)));
        if let Ok((name, init)) = init {
            let r = if let Some(file) = init.strip_prefix('@') {
                match read_script(file) {
                    Ok(src) => run_chunk(lua, &src, &format!("@{file}"), &[]),
                    Err(m) => Err(Error::Io(m)),
                }
            } else {
                run_chunk(lua, init.as_bytes(), &format!("={name}"), &[])
            };
            if let Err(e) = r {
                report(&e);
                return ExitCode::from(1);
            }
        }
    }
    for (is_exec, v) in opts.actions.iter() {
        let r = if *is_exec {
            run_chunk(lua, v.as_bytes(), "=(command line)", &[])
        } else {
            do_require(lua, v)
        };
        if let Err(e) = r {
            report(&e);
            return ExitCode::from(1);
        }
    }
    if let Some(path) = script.first() {
        let args: Vec<Value> = script[1..]
            .iter()
            .map(|s| Value::String(s.clone().into_bytes()))
            .collect();
        let (src, name) = match read_named_script(path) {
            Ok(r) => r,
            Err(code) => return code,
        };
        if let Err(e) = run_chunk(lua, &src, &name, &args) {
            report(&e);
            return ExitCode::from(1);
        }
    }
    if opts.interactive {
        repl(lua);
    } else if script.is_empty() && !opts.has_exec && !opts.version {
        if stdin_tty {
            println!("{}", version_line());
            repl(lua);
        } else {
            let src = match read_script("-") {
                Ok(s) => s,
                Err(m) => {
                    eprint_error(&m);
                    return ExitCode::from(1);
                }
            };
            if let Err(e) = run_chunk(lua, &src, "=stdin", &[]) {
                report(&e);
                return ExitCode::from(1);
            }
        }
    }
    lunajit::stdlib::io::flush_stdout();
    ExitCode::SUCCESS
}

/// The interactive loop (lua.c's `doREPL`): lines that form an expression
/// are printed; incomplete statements continue with ">>".
fn repl(lua: &mut Lua) {
    let mut rl = match rustyline::DefaultEditor::new() {
        Ok(r) => r,
        Err(e) => {
            eprint_error(&format!("cannot start line editor: {e}"));
            return;
        }
    };
    let hist = std::env::var("HOME")
        .map(|h| format!("{h}/.lunajit_history"))
        .ok();
    if let Some(h) = &hist {
        let _ = rl.load_history(h);
    }
    loop {
        lunajit::stdlib::io::flush_stdout();
        let line = match rl.readline("> ") {
            Ok(l) => l,
            Err(_) => break,
        };
        let mut src = line
            .strip_prefix('=')
            .map(|r| format!("return {r}"))
            .unwrap_or(line);
        // try as an expression first
        let ret = format!("return {src}");
        let f = match lua.load(ret.as_bytes(), "=stdin") {
            Ok(f) => Some(f),
            Err(_) => loop {
                match lua.load(src.as_bytes(), "=stdin") {
                    Ok(f) => break Some(f),
                    Err(e) if e.message().ends_with("<eof>") => match rl.readline(">> ") {
                        Ok(more) => {
                            src.push('\n');
                            src.push_str(&more);
                        }
                        Err(_) => break None,
                    },
                    Err(e) => {
                        report(&e);
                        break None;
                    }
                }
            },
        };
        let _ = rl.add_history_entry(src.as_str());
        let Some(f) = f else { continue };
        match lua.call(&f, &[]) {
            Ok(results) if !results.is_empty() => {
                let print = lua.get_global("print");
                if let Err(e) = lua.call(&print, &results) {
                    report(&e);
                }
            }
            Ok(_) => {}
            Err(e) => report(&e),
        }
    }
    if let Some(h) = &hist {
        let _ = rl.save_history(h);
    }
    println!();
}
