//! Behaviour tests of the core runtime: every `tests/lua/NAME.lua` is run by the
//! `lunajit` binary as `lunajit [CONFIG ARGS] tests/lua/NAME.lua` from the crate root,
//! and must exit with status 0, write nothing to stderr, and print exactly
//! `tests/lua/NAME.expected` on stdout.
//!
//! The `.expected` files are what the reference interpreter prints
//! (`scripts/regen-expected` regenerates them from `lua5.4`); the test
//! `expected_files_match_lua54` re-checks them against `lua5.4` when it is installed, so
//! a script edited without regenerating its expected output is caught.
//!
//! Adding a script: put `tests/lua/NAME.lua` there, run `scripts/regen-expected NAME`,
//! review the output, and add `NAME` to the `lua_scripts!` list below (the test
//! `every_script_is_listed` fails until you do). Helper modules for `require` live in
//! `tests/lua/modules/` and are not scripts.

mod common;

use common::{first_difference, Run};
use std::collections::BTreeSet;

/// Extra command-line arguments of each configuration that every script runs under;
/// each script's test runs all of them in turn. Add a configuration here to re-run the
/// whole suite under it, e.g. when the JIT lands:
/// `&["--jit=external", "--jit-threshold", "1"]` (compile everything at first call).
const CONFIGS: &[&[&str]] = &[
    // The interpreter only.
    &["--jit=off"],
    // The JIT compiling every function at its first call (and every loop at
    // its fourth back-edge), entered wherever native code exists; the main
    // thread waits for each batch, so native code runs from the start.
    &[
        "--jit=external",
        "--jit-threshold",
        "1",
        "--jit-enter=always",
        "--jit-wait",
    ],
];

/// Relative path (from the crate root) of the script `name`, exactly as it is passed
/// on the command line; chunk names in the expected error messages depend on it.
fn script_path(name: &str) -> String {
    format!("tests/lua/{name}.lua")
}

fn expected_output(name: &str) -> Vec<u8> {
    let path = common::path(&format!("tests/lua/{name}.expected"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\n(run scripts/regen-expected {name})",
            path.display()
        )
    })
}

/// Checks one run's outcome against the expected stdout; returns a failure report.
fn judge(cmdline: &str, outcome: &common::Outcome, expected: &[u8]) -> Option<String> {
    let mut problems = Vec::new();
    if outcome.timed_out {
        problems.push(format!(
            "timed out after {:?} (set LUNAJIT_TEST_TIMEOUT to change the limit)",
            common::timeout()
        ));
    } else if outcome.status != Some(0) {
        problems.push(format!(
            "exit status {:?}, expected Some(0)",
            outcome.status
        ));
    }
    if !outcome.stderr.is_empty() {
        problems.push(format!("stderr is not empty:\n{}", outcome.err()));
    }
    if let Some(diff) = first_difference(expected, &outcome.stdout) {
        problems.push(format!("stdout differs from the .expected file: {diff}"));
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!("`{cmdline}`:\n{}", problems.join("\n")))
    }
}

/// Runs script `name` under every configuration in [`CONFIGS`] and fails with a report
/// of each configuration that went wrong.
fn check_script(name: &str) {
    let expected = expected_output(name);
    let mut failures = Vec::new();
    // The JIT configurations share one code cache per script, and the last
    // JIT configuration runs a second time: from a warm cache, without the
    // toolchain.
    let cache = tempfile::tempdir().expect("a temporary directory");
    let warm_rerun = CONFIGS.iter().rev().find(|c| c.contains(&"--jit=external"));
    for extra in CONFIGS.iter().chain(warm_rerun) {
        let mut run = Run::lunajit().args(extra.iter()).arg(script_path(name));
        if extra.contains(&"--jit=external") {
            run = run.env("LUNAJIT_CACHE_DIR", cache.path());
        }
        let outcome = run.run();
        if let Some(report) = judge(&run.display(), &outcome, &expected) {
            failures.push(report);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Declares one `#[test]` per script (in module `scripts`, named after the script) and
/// the list [`SCRIPTS`] used by the bookkeeping tests.
macro_rules! lua_scripts {
    ($($name:ident),* $(,)?) => {
        mod scripts {
            $(
                #[test]
                fn $name() {
                    super::check_script(stringify!($name));
                }
            )*
        }

        /// Every script of tests/lua/, by name without the `.lua` extension.
        const SCRIPTS: &[&str] = &[$(stringify!($name)),*];
    };
}

lua_scripts! {
    arith_float,
    arith_int,
    bitwise,
    closures_upvalues,
    collectgarbage_options,
    concat_pow_native,
    comparison,
    concat,
    const_locals,
    coroutine_close,
    coroutine_errors,
    coroutine_yield_across_pcall,
    coroutine_yield_in_metamethods,
    coroutines_basic,
    coroutines_wrap_status,
    env,
    equality_kinds,
    error_messages,
    errors_pcall,
    gc_bounded_heap,
    generic_for_native,
    gc_finalizers,
    gc_weak_tables,
    generic_for,
    goto_labels,
    integer_float_conv,
    inline_cache_invalidation,
    int_division_edges,
    integer_overflow,
    length,
    lexer_escapes,
    load,
    long_strings,
    math_basic,
    metamethod_arith,
    metamethod_bitwise,
    metamethod_call_concat_len_unm,
    metamethod_compare,
    metamethod_tostring_name_metatable,
    metatable_index_newindex,
    multiple_assignment,
    nested_functions,
    next_pairs_ipairs,
    numerals,
    numeric_for,
    oop_inheritance,
    precedence,
    print_misc,
    program_json_encoder,
    program_queue_stack_sim,
    program_word_frequency,
    recursion,
    require,
    select_rawfuncs,
    setlist_native,
    close_native,
    array_native,
    field_native,
    shifts_native,
    sort_stress,
    stack_overflow,
    string_basic,
    string_coercion,
    string_methods_meta,
    table_border,
    table_lib_basic,
    tables_array_hash,
    tail_calls,
    tbc_close,
    tostring_tonumber,
    upvalues_in_loops,
    varargs,
    while_repeat,
    debug_hooks,
    debug_lib,
    io_lib,
    string_dump,
    utf8_lib,
    utf8_codes_546,
    string_lib,
    table_lib,
    math_lib,
    os_lib,
}

/// Names of files in tests/lua/ (not subdirectories) ending in `ext`, without it.
fn files_with_extension(ext: &str) -> BTreeSet<String> {
    let dir = common::path("tests/lua");
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut names = BTreeSet::new();
    for entry in entries {
        let entry = entry.expect("directory entry");
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let file = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = file.strip_suffix(ext) {
            names.insert(stem.to_string());
        }
    }
    names
}

#[test]
fn every_script_is_listed() {
    let listed: BTreeSet<String> = SCRIPTS.iter().map(ToString::to_string).collect();
    assert_eq!(listed.len(), SCRIPTS.len(), "a script is listed twice");
    let on_disk = files_with_extension(".lua");
    let expected = files_with_extension(".expected");
    let mut problems = Vec::new();
    for name in on_disk.difference(&listed) {
        problems.push(format!(
            "tests/lua/{name}.lua is not listed in lua_scripts! (tests/lua_scripts.rs)"
        ));
    }
    for name in listed.difference(&on_disk) {
        problems.push(format!(
            "{name} is listed but tests/lua/{name}.lua does not exist"
        ));
    }
    for name in on_disk.difference(&expected) {
        problems.push(format!(
            "tests/lua/{name}.expected is missing (run scripts/regen-expected {name})"
        ));
    }
    for name in expected.difference(&on_disk) {
        problems.push(format!("tests/lua/{name}.expected has no script"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Scripts whose expected output is written by hand because they test behaviour that
/// the reference interpreter (Debian's lua5.4, 5.4.4) does not have, with the reason.
const NOT_LUA544: &[(&str, &str)] = &[(
    "utf8_codes_546",
    "utf8.codes follows Lua 5.4.6 (stray continuation bytes are errors); 5.4.4 accepts them",
)];

/// The `.expected` files must be what the reference interpreter prints today.
#[test]
fn expected_files_match_lua54() {
    if !common::lua54_available() {
        eprintln!("skipped: lua5.4 not installed");
        return;
    }
    let mut failures = Vec::new();
    for name in SCRIPTS {
        if let Some((_, why)) = NOT_LUA544.iter().find(|(n, _)| n == name) {
            eprintln!("not compared with lua5.4: {name}: {why}");
            continue;
        }
        let run = Run::new("lua5.4").arg(script_path(name));
        let outcome = run.run();
        if let Some(report) = judge(&run.display(), &outcome, &expected_output(name)) {
            failures.push(format!(
                "{report}\n(if the script changed on purpose, run scripts/regen-expected {name})"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
