//! Command-line behaviour of `lunajit`, held to what the reference standalone
//! interpreter (`lua5.4`, §7 of the manual) does, with the program-name prefix of its
//! messages `lua5.4: ` replaced by `lunajit: `. Every expectation below was observed
//! from Debian's lua5.4 (5.4.4) run from the crate root. Fixture scripts live in
//! `tests/cli/`; runs start from the crate root with no `LUA_*` variables set (see
//! `common::Run`). The interactive mode (`-i`) is not tested here.

mod common;

use common::{lunajit_path, Outcome, Run};

/// The first line of stderr (without its newline).
fn first_err_line(o: &Outcome) -> String {
    o.err().lines().next().unwrap_or("").to_string()
}

fn assert_status(o: &Outcome, code: i32) {
    assert_eq!(
        o.status,
        Some(code),
        "expected exit status {code}\n{}",
        o.describe()
    );
}

fn assert_stdout(o: &Outcome, expected: &str) {
    assert_eq!(o.out(), expected, "stdout differs\n{}", o.describe());
}

fn assert_no_stderr(o: &Outcome) {
    assert!(
        o.stderr.is_empty(),
        "stderr should be empty\n{}",
        o.describe()
    );
}

/// An uncaught runtime error: `lunajit: CHUNK:LINE: MESSAGE`, then a traceback that
/// ends in the C entry point, exit status 1.
#[test]
fn runtime_error_prints_message_and_traceback() {
    let o = Run::lunajit().arg("tests/cli/err.lua").run();
    assert_status(&o, 1);
    assert_stdout(&o, "");
    assert_eq!(
        first_err_line(&o),
        "lunajit: tests/cli/err.lua:3: attempt to index a nil value (local 't')",
        "{}",
        o.describe()
    );
    let err = o.err();
    assert!(err.contains("\nstack traceback:\n"), "{}", o.describe());
    assert!(
        err.contains("tests/cli/err.lua:3: in main chunk"),
        "{}",
        o.describe()
    );
    assert!(err.contains("[C]: in ?"), "{}", o.describe());
}

/// A syntax error in the script file: one line, no traceback, exit status 1.
#[test]
fn syntax_error_in_script() {
    let o = Run::lunajit().arg("tests/cli/syntax_err.lua").run();
    assert_status(&o, 1);
    assert_stdout(&o, "");
    assert_eq!(
        o.err(),
        "lunajit: tests/cli/syntax_err.lua:2: unexpected symbol near '='\n"
    );
}

#[test]
fn dash_e_runs_code() {
    let o = Run::lunajit().args(["-e", "print(1)"]).run();
    assert_status(&o, 0);
    assert_stdout(&o, "1\n");
    assert_no_stderr(&o);
}

/// Several -e options run in order, in one global environment.
#[test]
fn dash_e_several_in_order() {
    let o = Run::lunajit()
        .args(["-e", "a = 1", "-e", "print(a + 1)"])
        .run();
    assert_status(&o, 0);
    assert_stdout(&o, "2\n");
    assert_no_stderr(&o);
}

/// The chunk name of -e code is "(command line)".
#[test]
fn dash_e_syntax_error() {
    let o = Run::lunajit().args(["-e", "x = = 1"]).run();
    assert_status(&o, 1);
    assert_stdout(&o, "");
    assert_eq!(
        o.err(),
        "lunajit: (command line):1: unexpected symbol near '='\n"
    );
}

#[test]
fn dash_e_runtime_error() {
    let o = Run::lunajit().args(["-e", "local n = nil; n()"]).run();
    assert_status(&o, 1);
    assert_eq!(
        first_err_line(&o),
        "lunajit: (command line):1: attempt to call a nil value (local 'n')"
    );
    assert!(o.err().contains("stack traceback:"), "{}", o.describe());
}

/// -v prints a version line that mentions Lua 5.4 on stdout (lunajit prints its own
/// line, e.g. "lunajit 0.1.0 -- Lua 5.4"), then goes on with the other options.
#[test]
fn dash_v_prints_version() {
    let o = Run::lunajit().arg("-v").run();
    assert_status(&o, 0);
    assert!(
        o.out().lines().any(|l| l.contains("Lua 5.4")),
        "no line containing \"Lua 5.4\"\n{}",
        o.describe()
    );
    let o = Run::lunajit().args(["-v", "-e", "print('after')"]).run();
    assert_status(&o, 0);
    assert!(o.out().ends_with("after\n"), "{}", o.describe());
}

/// `-` runs stdin as the script; the following arguments are its `...` and arg[1..].
#[test]
fn dash_reads_script_from_stdin() {
    let o = Run::lunajit()
        .args(["-", "a", "b"])
        .stdin("print('from stdin', ...)\nprint(arg[0], arg[1], #arg)\n")
        .run();
    assert_status(&o, 0);
    assert_stdout(&o, "from stdin\ta\tb\n-\ta\t2\n");
    assert_no_stderr(&o);
}

/// After `-`, even option-looking arguments belong to the script.
#[test]
fn dash_then_option_like_arguments() {
    let o = Run::lunajit()
        .args(["-", "--", "-e", "x"])
        .stdin("print(...)")
        .run();
    assert_status(&o, 0);
    assert_stdout(&o, "--\t-e\tx\n");
}

/// Errors in a stdin script use the chunk name "stdin".
#[test]
fn stdin_script_error_uses_stdin_chunkname() {
    let o = Run::lunajit()
        .arg("-")
        .stdin("print(1)\nerror('from stdin')\n")
        .run();
    assert_status(&o, 1);
    assert_stdout(&o, "1\n");
    assert_eq!(first_err_line(&o), "lunajit: stdin:2: from stdin");
}

/// `--` ends the options: the next argument is the script even if it looks like an
/// option afterwards, and later arguments are the script's.
#[test]
fn double_dash_ends_options() {
    let o = Run::lunajit()
        .args(["--", "tests/cli/args.lua", "-e", "x"])
        .run();
    assert_status(&o, 0);
    let expected = format!(
        "-2\t{}\n-1\t--\n0\ttests/cli/args.lua\n1\t-e\n2\tx\n...\t2\t-e\tx\n",
        lunajit_path()
    );
    assert_stdout(&o, &expected);
    assert_no_stderr(&o);
}

/// arg[0] is the script, arg[1..] its arguments, and the interpreter name and the
/// options before the script go to negative indices (§7).
#[test]
fn arg_table_layout() {
    let o = Run::lunajit()
        .args(["-e", "x=1", "tests/cli/args.lua", "a", "b"])
        .run();
    assert_status(&o, 0);
    let expected = format!(
        "-3\t{}\n-2\t-e\n-1\tx=1\n0\ttests/cli/args.lua\n1\ta\n2\tb\n...\t2\ta\tb\n",
        lunajit_path()
    );
    assert_stdout(&o, &expected);
    assert_no_stderr(&o);
}

#[test]
fn arg_table_without_arguments() {
    let o = Run::lunajit().arg("tests/cli/args.lua").run();
    assert_status(&o, 0);
    let expected = format!("-1\t{}\n0\ttests/cli/args.lua\n...\t0\n", lunajit_path());
    assert_stdout(&o, &expected);
}

/// Without a script, arg[0] is the interpreter and every argument is in arg[1..].
#[test]
fn arg_table_without_script() {
    let o = Run::lunajit()
        .args(["-e", "print(#arg, arg[0], arg[1], arg[-1])"])
        .run();
    assert_status(&o, 0);
    assert_stdout(&o, &format!("2\t{}\t-e\tnil\n", lunajit_path()));
}

#[test]
fn script_arguments_are_varargs() {
    let o = Run::lunajit()
        .args(["tests/cli/args.lua", "one", "", "three"])
        .run();
    assert_status(&o, 0);
    assert!(
        o.out().ends_with("...\t3\tone\t\tthree\n"),
        "{}",
        o.describe()
    );
}

#[test]
fn missing_script_file() {
    let o = Run::lunajit().arg("nofile.lua").run();
    assert_status(&o, 1);
    assert_stdout(&o, "");
    // lua5.4 adds the system's reason: "cannot open nofile.lua: No such file or directory"
    assert!(
        first_err_line(&o).starts_with("lunajit: cannot open nofile.lua"),
        "{}",
        o.describe()
    );
}

#[test]
fn os_exit_with_code() {
    let o = Run::lunajit().args(["-e", "os.exit(3)"]).run();
    assert_status(&o, 3);
    assert_no_stderr(&o);
}

#[test]
fn os_exit_true_false_and_default() {
    let cases = [
        ("os.exit(true)", 0),
        ("os.exit(false)", 1),
        ("os.exit()", 0),
        ("os.exit(0)", 0),
        ("os.exit(7, true)", 7),
    ];
    for (code, status) in cases {
        let o = Run::lunajit().args(["-e", code]).run();
        assert_eq!(o.status, Some(status), "{code}\n{}", o.describe());
        assert_no_stderr(&o);
    }
}

/// os.exit stops at once but buffered output written before it is not lost.
#[test]
fn os_exit_flushes_stdout() {
    let o = Run::lunajit().arg("tests/cli/exit_in_middle.lua").run();
    assert_status(&o, 3);
    assert_stdout(&o, "before exit\n");
    assert_no_stderr(&o);
}

#[test]
fn uncaught_error_table() {
    let o = Run::lunajit().arg("tests/cli/error_table.lua").run();
    assert_status(&o, 1);
    assert_eq!(
        first_err_line(&o),
        "lunajit: (error object is a table value)"
    );
    assert!(o.err().contains("stack traceback:"), "{}", o.describe());
}

/// An error object with __tostring is printed through it, without a traceback.
#[test]
fn uncaught_error_with_tostring() {
    let o = Run::lunajit().arg("tests/cli/error_tostring.lua").run();
    assert_status(&o, 1);
    assert_eq!(o.err(), "lunajit: custom error object\n");
}

#[test]
fn uncaught_error_nil_and_number() {
    let o = Run::lunajit().args(["-e", "error()"]).run();
    assert_status(&o, 1);
    assert_eq!(first_err_line(&o), "lunajit: (error object is a nil value)");
    let o = Run::lunajit().args(["-e", "error(42)"]).run();
    assert_status(&o, 1);
    assert_eq!(first_err_line(&o), "lunajit: 42");
}

#[test]
fn lua_init_string_runs_before_script() {
    let o = Run::lunajit()
        .env("LUA_INIT", "init_value = 42 print('init ran')")
        .arg("tests/cli/show_init.lua")
        .run();
    assert_status(&o, 0);
    assert_stdout(&o, "init ran\nscript sees\t42\tnil\n");
    assert_no_stderr(&o);
}

#[test]
fn lua_init_at_file() {
    let o = Run::lunajit()
        .env("LUA_INIT", "@tests/cli/init_file.lua")
        .arg("tests/cli/show_init.lua")
        .run();
    assert_status(&o, 0);
    assert_stdout(&o, "init file ran\nscript sees\tfrom init file\tnil\n");
    assert_no_stderr(&o);
}

/// `LUA_INIT_5_4` takes precedence over `LUA_INIT`.
#[test]
fn lua_init_versioned_name_wins() {
    let o = Run::lunajit()
        .env("LUA_INIT_5_4", "print('5_4 wins')")
        .env("LUA_INIT", "print('plain')")
        .arg("tests/cli/show_init.lua")
        .run();
    assert_status(&o, 0);
    assert_stdout(&o, "5_4 wins\nscript sees\tnil\tnil\n");
}

/// An error in `LUA_INIT` (chunk name "`LUA_INIT`") stops before the script runs.
#[test]
fn lua_init_error_stops() {
    let o = Run::lunajit()
        .env("LUA_INIT", "error('init failed')")
        .arg("tests/cli/show_init.lua")
        .run();
    assert_status(&o, 1);
    assert_stdout(&o, "");
    assert_eq!(first_err_line(&o), "lunajit: LUA_INIT:1: init failed");
    let o = Run::lunajit()
        .env("LUA_INIT", "@tests/cli/no_such_init.lua")
        .arg("tests/cli/show_init.lua")
        .run();
    assert_status(&o, 1);
    assert_stdout(&o, "");
    assert!(
        first_err_line(&o).starts_with("lunajit: cannot open tests/cli/no_such_init.lua"),
        "{}",
        o.describe()
    );
}

/// `-l mod` requires the module (found through `LUA_PATH`) into the global `mod` before
/// the script runs; the loader gets the module name and the file name.
#[test]
fn dash_l_requires_module_from_lua_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("mymod.lua"),
        "local name, file = ...\n\
         print('loading', name, file:match('[^/]*$'))\n\
         mod_global = 'set by module'\n\
         return { v = 1 }\n",
    )
    .expect("write module");
    let lua_path = format!("{}/?.lua", dir.path().display());
    let o = Run::lunajit()
        .env("LUA_PATH", &lua_path)
        .args(["-l", "mymod", "-e", "print(type(mymod), mymod.v)"])
        .arg("tests/cli/show_init.lua")
        .run();
    assert_status(&o, 0);
    assert_stdout(
        &o,
        "loading\tmymod\tmymod.lua\ntable\t1\nscript sees\tnil\tset by module\n",
    );
    assert_no_stderr(&o);
    // "-lmymod" (no space) is accepted too.
    let o = Run::lunajit()
        .env("LUA_PATH", &lua_path)
        .args(["-lmymod", "-e", "print(mymod.v)"])
        .run();
    assert_status(&o, 0);
    assert_stdout(&o, "loading\tmymod\tmymod.lua\n1\n");
}

#[test]
fn dash_l_missing_module() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = Run::lunajit()
        .env("LUA_PATH", format!("{}/?.lua", dir.path().display()))
        .args(["-l", "nomod", "tests/cli/show_init.lua"])
        .run();
    assert_status(&o, 1);
    assert_stdout(&o, "");
    assert_eq!(first_err_line(&o), "lunajit: module 'nomod' not found:");
    assert!(
        o.err().contains("\tno field package.preload['nomod']\n"),
        "{}",
        o.describe()
    );
}

/// Bad options: lua5.4 prints "lua5.4: unrecognized option '-x'" (or "'-e' needs
/// argument") and a usage text, exit status 1. Only the essentials are checked.
#[test]
fn bad_options() {
    let o = Run::lunajit().arg("-x").run();
    assert_status(&o, 1);
    assert_stdout(&o, "");
    let first = first_err_line(&o);
    assert!(
        first.starts_with("lunajit: ") && first.contains("-x"),
        "{}",
        o.describe()
    );
    let o = Run::lunajit().arg("-e").run();
    assert_status(&o, 1);
    let first = first_err_line(&o);
    assert!(
        first.starts_with("lunajit: ") && first.contains("-e"),
        "{}",
        o.describe()
    );
}
