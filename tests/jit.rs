//! The external-toolchain JIT through the command line (issue 5, first slice):
//! native code really runs, exits to the interpreter give the same results,
//! OSR, a missing or failing toolchain, `--emit-asm`, `lunajit asm`, and
//! snapshots of the generated assembly. (Every tests/lua script also runs under
//! `--jit=external --jit-threshold 1`, in tests/lua_scripts.rs.)

mod common;

use common::{jit_stat as stat, Run};

/// Runs a script under the JIT with `--jit-stats`; checks its stdout against
/// the interpreter's.
fn jit_run(script: &str, extra: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let mut run = Run::lunajit()
        .args(["--jit=external", "--jit-stats", "--jit-wait"])
        .args(extra)
        .arg(script);
    for (k, v) in env {
        run = run.env(k, v);
    }
    let out = run.run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    let interp = Run::lunajit().args(["--jit=off", script]).run();
    assert_eq!(interp.status, Some(0), "{}", interp.describe());
    assert_eq!(
        out.out(),
        interp.out(),
        "JIT and interpreter differ on {script}"
    );
    (out.out(), out.err())
}

#[test]
fn compiled_run_enters_native_code() {
    let (_, err) = jit_run(
        "tests/lua/numeric_for.lua",
        &["--jit-threshold", "1", "--jit-enter=always"],
        &[],
    );
    assert!(stat(&err, "functions compiled") >= 1.0, "{err}");
    assert!(stat(&err, "native entries") >= 1.0, "{err}");
    assert_eq!(stat(&err, "toolchain runs"), stat(&err, "batches"), "{err}");
    assert_eq!(stat(&err, "toolchain failures"), 0.0, "{err}");
}

#[test]
fn values_changing_type_mid_loop_deopt_correctly() {
    let (out, err) = jit_run(
        "tests/jit/deopt_types.lua",
        &["--jit-threshold", "1", "--jit-enter=always"],
        &[],
    );
    assert_eq!(out, "811200.0\tfloat\n15161.5\n");
    assert!(stat(&err, "deopts") >= 1.0, "{err}");
}

#[test]
fn guards_that_keep_failing_get_their_function_recompiled_without_them() {
    let (out, err) = jit_run(
        "tests/jit/recompile.lua",
        &["--jit-threshold", "1", "--jit-enter=always"],
        &[],
    );
    assert_eq!(out, "12507565\tinteger\n");
    assert_eq!(stat(&err, "recompiled"), 1.0, "{err}");
    // the policy's grace, then the recompiled code exits without a guard
    let deopts = stat(&err, "deopts");
    assert!(deopts > 1000.0 && deopts < 1100.0, "{err}");
    assert!(stat(&err, "exits") >= 3900.0, "{err}");
    assert_eq!(stat(&err, "blacklisted"), 0.0, "{err}");
}

#[test]
fn a_long_loop_moves_to_native_code_by_osr() {
    // default thresholds: the main chunk is called once, so only the hot loop
    // can get it compiled, and only OSR can enter the compiled code
    let (out, err) = jit_run("tests/jit/osr_loop.lua", &[], &[]);
    assert_eq!(out, "8999997\t1500000500000.000\n");
    assert!(stat(&err, "functions compiled") >= 1.0, "{err}");
    assert!(stat(&err, "native entries") >= 1.0, "{err}");
}

#[test]
fn the_worker_thread_compiles_while_the_loop_runs_and_osr_enters() {
    // no --jit-wait: the loop goes on interpreted while the worker
    // compiles, and enters native code at a back-edge once it is done
    let out = Run::lunajit()
        .args(["--jit=external", "--jit-stats", "tests/jit/osr_loop.lua"])
        .run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    assert_eq!(out.out(), "8999997\t1500000500000.000\n");
    let err = out.err();
    assert!(stat(&err, "requests") >= 1.0, "{err}");
    assert!(stat(&err, "functions compiled") >= 1.0, "{err}");
    assert!(stat(&err, "native entries") >= 1.0, "{err}");
}

#[test]
fn the_jit_is_on_by_default_where_a_toolchain_exists_and_silently_off_elsewhere() {
    let on = Run::lunajit()
        .args(["--jit-stats", "--jit-threshold", "1", "tests/jit/small.lua"])
        .run();
    assert_eq!(on.status, Some(0), "{}", on.describe());
    assert!(stat(&on.err(), "requests") >= 1.0, "{}", on.err());
    // no as, ld or cc on PATH, none asked for: no warning, interpreted
    let empty = tempfile::tempdir().unwrap();
    let off = Run::lunajit()
        .args(["--jit-stats", "--jit-threshold", "1", "tests/jit/small.lua"])
        .env("PATH", empty.path())
        .run();
    assert_eq!(off.status, Some(0), "{}", off.describe());
    assert_eq!(off.out(), on.out());
    assert_eq!(off.err(), "jit: off\n");
    // --profile reports the interpreter's counts: no JIT unless asked for
    let prof = Run::lunajit()
        .args(["--jit-stats", "--profile", "tests/jit/small.lua"])
        .run();
    assert!(prof.err().ends_with("jit: off\n"), "{}", prof.err());
}

#[test]
fn jit_stats_are_printed_at_os_exit_too() {
    for close in ["false", "true"] {
        let out = Run::lunajit()
            .args(["--jit-stats", "--jit-threshold", "1", "-e"])
            .arg(format!(
                "local function f(x) return x + 1 end for i = 1, 10 do f(i) end \
                 print('bye') os.exit(3, {close})"
            ))
            .run();
        assert_eq!(out.status, Some(3), "{}", out.describe());
        assert_eq!(out.out(), "bye\n");
        assert!(
            stat(&out.err(), "functions compiled") >= 1.0,
            "{}",
            out.err()
        );
    }
}

#[test]
fn missing_assembler_and_compiler_warn_once_and_run_interpreted() {
    let out = Run::lunajit()
        .args([
            "--jit=external",
            "--jit-threshold",
            "1",
            "tests/jit/deopt_types.lua",
        ])
        .env("LUNAJIT_AS", "/nonexistent")
        .env("LUNAJIT_CC", "/nonexistent-cc")
        .run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    assert_eq!(out.out(), "811200.0\tfloat\n15161.5\n");
    let err = out.err();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("LUNAJIT_AS=/nonexistent") && err.contains("without the JIT"),
        "{err}"
    );
}

#[test]
fn missing_assembler_falls_back_to_cc_with_one_warning() {
    let out = Run::lunajit()
        .args([
            "--jit=external",
            "--jit-threshold",
            "1",
            "--jit-stats",
            "tests/jit/deopt_types.lua",
        ])
        .env("LUNAJIT_AS", "/nonexistent")
        .run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    assert_eq!(out.out(), "811200.0\tfloat\n15161.5\n");
    let err = out.err();
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(stat(&err, "functions compiled") >= 1.0, "{err}");
}

/// A fake tool: a shell script in a temporary directory.
fn fake_tool(dir: &std::path::Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn failing_assembler_blacklists_and_the_script_completes() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fake_tool(dir.path(), "as", "echo 'fake as: refusing' >&2; exit 1");
    let (out, err) = jit_run(
        "tests/jit/deopt_types.lua",
        &["--jit-threshold", "1"],
        &[("LUNAJIT_AS", &bad)],
    );
    assert_eq!(out, "811200.0\tfloat\n15161.5\n");
    assert!(stat(&err, "blacklisted") >= 1.0, "{err}");
    assert!(stat(&err, "toolchain failures") >= 1.0, "{err}");
    assert!(
        err.contains("fake as: refusing"),
        "the toolchain's stderr is shown: {err}"
    );
    assert_eq!(err.matches("warning").count(), 1, "{err}");
}

#[test]
fn hanging_assembler_times_out_and_the_script_completes() {
    let dir = tempfile::tempdir().unwrap();
    let slow = fake_tool(dir.path(), "as", "sleep 30");
    let start = std::time::Instant::now();
    let (out, err) = jit_run(
        "tests/jit/deopt_types.lua",
        &["--jit-threshold", "1"],
        &[
            ("LUNAJIT_AS", &slow),
            ("LUNAJIT_TOOLCHAIN_TIMEOUT_MS", "300"),
        ],
    );
    assert_eq!(out, "811200.0\tfloat\n15161.5\n");
    assert!(stat(&err, "blacklisted") >= 1.0, "{err}");
    assert!(err.contains("timed out after"), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn emit_asm_keeps_commented_assembly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    jit_run(
        "tests/jit/small.lua",
        &["--jit-threshold", "1", "--emit-asm", &d],
        &[],
    );
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    // each instruction group is under a comment with its line and listing
    assert!(text.contains("# [1] ADD 2 0 1"), "{text}");
    assert!(text.contains("# [5] MODK"), "{text}");
}

#[test]
fn asm_command_prints_a_file_that_as_accepts() {
    let out = Run::lunajit().args(["asm", "tests/jit/small.lua"]).run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("small.s");
    std::fs::write(&s, out.out()).unwrap();
    let o = dir.path().join("small.o");
    let r = std::process::Command::new("as")
        .arg("-o")
        .arg(&o)
        .arg(&s)
        .output();
    match r {
        Ok(r) => assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr)),
        Err(e) => eprintln!("skipped assembling: no `as` ({e})"),
    }
    // --function picks one function
    let one = Run::lunajit()
        .args(["asm", "tests/jit/small.lua", "--function", "count"])
        .run();
    assert_eq!(one.status, Some(0), "{}", one.describe());
    assert_eq!(one.out().matches(".globl").count(), 1);
    let none = Run::lunajit()
        .args(["asm", "tests/jit/small.lua", "--function", "nope"])
        .run();
    assert_eq!(none.status, Some(1));
    assert!(
        none.err().contains("no function named 'nope'"),
        "{}",
        none.err()
    );
}

#[test]
fn assembly_snapshots() {
    for f in ["add", "count", "fma"] {
        let out = Run::lunajit()
            .args(["asm", "tests/jit/small.lua", "--function", f])
            .run();
        assert_eq!(out.status, Some(0), "{}", out.describe());
        insta::assert_snapshot!(format!("small_{f}"), out.out());
    }
}

#[test]
fn calls_from_compiled_code_keep_errors_tracebacks_recursion_and_yields() {
    let script = "tests/jit/calls_errors.lua";
    let interp = Run::lunajit().args(["--jit=off", script]).run();
    let jit = Run::lunajit()
        .args([
            "--jit=external",
            "--jit-threshold",
            "1",
            "--jit-enter=always",
            "--jit-stats",
            "--jit-wait",
            script,
        ])
        .run();
    assert_eq!(interp.status, Some(1), "{}", interp.describe());
    assert_eq!(jit.status, Some(1), "{}", jit.describe());
    assert_eq!(jit.out(), interp.out());
    // the uncaught error's message and traceback, then the statistics
    let jerr = jit.err();
    assert!(
        jerr.starts_with(&interp.err()),
        "{jerr}\n---\n{}",
        interp.err()
    );
    assert!(interp.out().contains("stack overflow"), "{}", interp.out());
    assert!(
        interp.out().contains("in upvalue 'inner'"),
        "{}",
        interp.out()
    );
    assert!(stat(&jerr, "native entries") > 100.0, "{jerr}");
    assert_eq!(stat(&jerr, "blacklisted"), 0.0, "{jerr}");
}
