//! The `lunajit` command: runs Lua scripts like PUC's `lua` (reference manual
//! §7): `lunajit [options] [script [args]]` with `-e stat`, `-l mod`, `-i`,
//! `-v`, `-E`, `-W`, `-` (stdin), `--`, the `arg` table, `LUA_INIT`, and
//! `lua`'s messages and exit codes. `--bytecode` prints a `luac -l` style
//! listing instead of running.

use clap::{Arg, ArgAction, Command};
use lunajit::runtime::value::TValue;
use lunajit::{Error, Lua, Value};
use std::io::IsTerminal;
use std::process::ExitCode;

const PROGNAME: &str = "lunajit";

fn version_line() -> String {
    format!(
        "lunajit {} -- Lua 5.4 compatible runtime",
        env!("CARGO_PKG_VERSION")
    )
}

fn cli() -> Command {
    Command::new(PROGNAME)
        .about("Runs Lua 5.4 scripts")
        .disable_version_flag(true)
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .long("help")
                .short('h')
                .action(ArgAction::Help)
                .help("Print help"),
        )
        .arg(
            Arg::new("exec")
                .short('e')
                .value_name("stat")
                .action(ArgAction::Append)
                .help("execute string 'stat'"),
        )
        .arg(
            Arg::new("interactive")
                .short('i')
                .action(ArgAction::SetTrue)
                .help("enter interactive mode after executing 'script'"),
        )
        .arg(
            Arg::new("lib")
                .short('l')
                .value_name("mod")
                .action(ArgAction::Append)
                .help("require library 'mod' into global 'mod'"),
        )
        .arg(
            Arg::new("version")
                .short('v')
                .action(ArgAction::SetTrue)
                .help("show version information"),
        )
        .arg(
            Arg::new("ignore_env")
                .short('E')
                .action(ArgAction::SetTrue)
                .help("ignore environment variables"),
        )
        .arg(
            Arg::new("warnings")
                .short('W')
                .action(ArgAction::SetTrue)
                .help("turn warnings on"),
        )
        .arg(
            Arg::new("bytecode")
                .long("bytecode")
                .action(ArgAction::SetTrue)
                .help("print the bytecode listing of the script instead of running it"),
        )
        .arg(
            Arg::new("script")
                .value_name("script")
                .help("script file ('-' for stdin), followed by its arguments")
                .num_args(1..)
                .trailing_var_arg(true)
                .allow_hyphen_values(true),
        )
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
    let si = script_index.unwrap_or(argv.len()) as i64;
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
    let src = match read_script(path) {
        Ok(s) => s,
        Err(m) => {
            eprint_error(&m);
            return ExitCode::from(1);
        }
    };
    let name = if path == "-" {
        "=stdin".to_string()
    } else {
        format!("@{path}")
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

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    let matches = match cli().try_get_matches_from(&argv) {
        Ok(m) => m,
        Err(e) => {
            if e.kind() == clap::error::ErrorKind::DisplayHelp {
                print!("{e}");
                return ExitCode::SUCCESS;
            }
            let _ = e.print();
            return ExitCode::from(1);
        }
    };
    let script: Vec<String> = matches
        .get_many::<String>("script")
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    if matches.get_flag("bytecode") {
        let Some(path) = script.first() else {
            eprint_error("--bytecode needs a script");
            return ExitCode::from(1);
        };
        return print_listing(path);
    }
    let interactive = matches.get_flag("interactive");
    let show_version = matches.get_flag("version");
    let ignore_env = matches.get_flag("ignore_env");
    let stdin_tty = std::io::stdin().is_terminal();

    // position of the script in argv (for `arg`)
    let script_index = if script.is_empty() {
        None
    } else {
        Some(argv.len() - script.len())
    };

    let mut lua = Lua::new();
    lua.state().g().gc_generational = true; // lua.c runs in generational mode
    if matches.get_flag("warnings") {
        lua.state().g().warn_on = true;
    }
    if show_version
        || (script.is_empty() && matches.get_many::<String>("exec").is_none() && stdin_tty)
        || interactive
    {
        println!("{}", version_line());
    }
    set_arg_table(&mut lua, &argv, script_index);
    if !ignore_env {
        let init = std::env::var("LUA_INIT_5_4").or_else(|_| std::env::var("LUA_INIT"));
        if let Ok(init) = init {
            let r = if let Some(file) = init.strip_prefix('@') {
                match read_script(file) {
                    Ok(src) => run_chunk(&mut lua, &src, &format!("@{file}"), &[]),
                    Err(m) => Err(Error::Io(m)),
                }
            } else {
                run_chunk(&mut lua, init.as_bytes(), "=LUA_INIT", &[])
            };
            if let Err(e) = r {
                report(&e);
                return ExitCode::from(1);
            }
        }
    }
    // -e and -l in command-line order
    let mut actions: Vec<(usize, bool, String)> = Vec::new();
    if let (Some(vals), Some(idx)) = (
        matches.get_many::<String>("exec"),
        matches.indices_of("exec"),
    ) {
        for (v, i) in vals.zip(idx) {
            actions.push((i, true, v.clone()));
        }
    }
    if let (Some(vals), Some(idx)) = (matches.get_many::<String>("lib"), matches.indices_of("lib"))
    {
        for (v, i) in vals.zip(idx) {
            actions.push((i, false, v.clone()));
        }
    }
    actions.sort_by_key(|a| a.0);
    for (_, is_exec, v) in actions.iter() {
        let r = if *is_exec {
            run_chunk(&mut lua, v.as_bytes(), "=(command line)", &[])
        } else {
            do_require(&mut lua, v)
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
        let src = match read_script(path) {
            Ok(s) => s,
            Err(m) => {
                eprint_error(&m);
                return ExitCode::from(1);
            }
        };
        let name = if path == "-" {
            "=stdin".to_string()
        } else {
            format!("@{path}")
        };
        if let Err(e) = run_chunk(&mut lua, &src, &name, &args) {
            report(&e);
            return ExitCode::from(1);
        }
    } else if !interactive && actions.is_empty() && !show_version && !stdin_tty {
        // no script: run stdin
        let src = match read_script("-") {
            Ok(s) => s,
            Err(m) => {
                eprint_error(&m);
                return ExitCode::from(1);
            }
        };
        if let Err(e) = run_chunk(&mut lua, &src, "=stdin", &[]) {
            report(&e);
            return ExitCode::from(1);
        }
    }
    if interactive || (script.is_empty() && actions.is_empty() && !show_version && stdin_tty) {
        repl(&mut lua);
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
