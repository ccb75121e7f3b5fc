//! End to end: hand-written x86-64 assembly → `Toolchain::build_shared_object`
//! (both routes) → `loader::open` → a call through the symbol's address.

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use std::path::{Path, PathBuf};
use std::time::Duration;

use lunajit::jit::loader::{self, LoaderError};
use lunajit::jit::toolchain::{Route, Toolchain, ToolchainError};

const TIMEOUT: Duration = Duration::from_secs(30);

/// `lj_test_add(a, b) = a + b` (System V: arguments in rdi, rsi; result in
/// rax).
const ADD_ASM: &str = r#"    .text
    .globl lj_test_add
    .type lj_test_add, @function
lj_test_add:
    movq %rdi, %rax
    addq %rsi, %rax
    ret
    .size lj_test_add, .-lj_test_add
    .section .note.GNU-stack,"",@progbits
"#;

/// Calls `lj_missing_helper`, which nothing defines.
const UNDEFINED_ASM: &str = r#"    .text
    .globl lj_test_calls_missing
    .type lj_test_calls_missing, @function
lj_test_calls_missing:
    jmp lj_missing_helper@PLT
    .size lj_test_calls_missing, .-lj_test_calls_missing
    .section .note.GNU-stack,"",@progbits
"#;

type AddFn = extern "C" fn(i64, i64) -> i64;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn system_toolchain() -> Toolchain {
    let tc = Toolchain::detect();
    assert!(tc.assembler.is_some(), "no assembler found");
    assert!(tc.linker.is_some(), "no linker found");
    assert!(tc.cc.is_some(), "no C compiler found");
    tc
}

/// Builds `ADD_ASM` with `tc`, loads it, and checks the function adds.
fn build_load_and_call(tc: &Toolchain, expected_route: Route) {
    let dir = tempfile::tempdir().unwrap();
    let asm = write(dir.path(), "add.s", ADD_ASM);
    let out = dir.path().join("add.so");
    let report = tc.build_shared_object(&asm, &out, TIMEOUT).unwrap();
    assert_eq!(report.route, expected_route);
    match expected_route {
        Route::AsLd => assert!(report.as_ms > 0.0 && report.ld_ms > 0.0, "{report:?}"),
        Route::Cc => assert!(report.as_ms == 0.0 && report.ld_ms > 0.0, "{report:?}"),
    }
    assert_eq!(report.total_ms(), report.as_ms + report.ld_ms);
    // The temporary object and link output are gone.
    assert_eq!(files_in(dir.path()), ["add.s", "add.so"]);

    let (library, open_ms) = loader::open_timed(&out).unwrap();
    assert!(open_ms >= 0.0);
    let library = library.leak();
    assert_eq!(library.path(), out);
    // SAFETY: the object was built from ADD_ASM just above: plain functions,
    // no IFUNC resolvers.
    let address = unsafe { library.symbol_address("lj_test_add") }.unwrap();
    assert!(!address.is_null());
    // SAFETY: `lj_test_add` follows the System V ABI with two integer
    // arguments and an integer result, i.e. `extern "C" fn(i64, i64) -> i64`,
    // and its library stays loaded for the rest of the process.
    let add: AddFn = unsafe { std::mem::transmute::<*const u8, AddFn>(address) };
    assert_eq!(add(2, 40), 42);
    assert_eq!(add(-5, 3), -2);
    assert_eq!(add(i64::MAX, 1), i64::MIN, "wrapping machine addition");

    // SAFETY: as above.
    let err = unsafe { library.symbol_address("lj_not_defined") }.unwrap_err();
    let LoaderError::Symbol { path, symbol, .. } = &err else {
        panic!("expected Symbol, got {err:?}");
    };
    assert_eq!(
        (path.as_path(), symbol.as_str()),
        (out.as_path(), "lj_not_defined")
    );
}

#[test]
fn as_ld_route_builds_a_loadable_object() {
    build_load_and_call(&system_toolchain(), Route::AsLd);
}

#[test]
fn cc_route_is_used_without_an_assembler() {
    let mut tc = system_toolchain();
    tc.assembler = None;
    build_load_and_call(&tc, Route::Cc);
}

#[test]
fn cc_route_is_used_without_a_linker() {
    let mut tc = system_toolchain();
    tc.linker = None;
    build_load_and_call(&tc, Route::Cc);
}

/// Both routes reject an undefined symbol at link time, naming it, and
/// leave neither the output nor temporary files behind.
#[test]
fn undefined_symbol_fails_the_link_on_both_routes() {
    let full = system_toolchain();
    let mut cc_only = full.clone();
    cc_only.assembler = None;
    for tc in [full, cc_only] {
        let dir = tempfile::tempdir().unwrap();
        let asm = write(dir.path(), "bad.s", UNDEFINED_ASM);
        let out = dir.path().join("bad.so");
        let err = tc.build_shared_object(&asm, &out, TIMEOUT).unwrap_err();
        let ToolchainError::Failed {
            command, stderr, ..
        } = &err
        else {
            panic!("expected Failed, got {err:?}");
        };
        assert!(stderr.contains("lj_missing_helper"), "{stderr}");
        assert!(command.contains("defs"), "{command}");
        assert!(err.to_string().contains("lj_missing_helper"), "{err}");
        assert_eq!(files_in(dir.path()), ["bad.s"]);
    }
}

/// A rebuild replaces the output atomically (rename over the old file).
#[test]
fn rebuilding_replaces_the_output() {
    let tc = system_toolchain();
    let dir = tempfile::tempdir().unwrap();
    let asm = write(dir.path(), "add.s", ADD_ASM);
    let out = write(dir.path(), "add.so", "stale contents");
    tc.build_shared_object(&asm, &out, TIMEOUT).unwrap();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF");
    assert_eq!(files_in(dir.path()), ["add.s", "add.so"]);
}

#[test]
fn relative_output_path_in_the_current_directory() {
    // `out_so` with no directory part links next to it in ".".
    let tc = system_toolchain();
    let dir = tempfile::tempdir().unwrap();
    let asm = write(dir.path(), "add.s", ADD_ASM);
    let out_name = format!("lj-rel-{}.so", std::process::id());
    let report = tc.build_shared_object(&asm, Path::new(&out_name), TIMEOUT);
    let built = Path::new(&out_name).exists();
    let _ = std::fs::remove_file(&out_name);
    report.unwrap();
    assert!(built);
}
