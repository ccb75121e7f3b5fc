//! The generated assembly for every target (issue 7): each `tests/lua`
//! script's `lunajit asm --target T` output assembles and links into a
//! shared object (ELF `.so` with binutils, Mach-O `.dylib` with clang and
//! `ld64.lld`) without undefined symbols, with every `.globl` of the file
//! defined; generated scripts push the AArch64 emitter past its immediate
//! ranges (constant offsets beyond `ldr`'s scaled 12-bit field, a function
//! too big for `b.cond`); and snapshots of the AArch64 code of the same
//! small functions as the x86-64 snapshots in tests/jit.rs.
//!
//! The cross tools (`aarch64-linux-gnu-as`/`-ld`, `clang`, `ld64.lld`,
//! `llvm-nm`) are installed in CI; where one is missing, the check of that
//! target prints one line saying so and passes.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The crate root (every `lunajit` run starts there, so script paths are
/// relative to it).
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The first of `names` found as an executable file on `PATH`.
fn find_tool(names: &[&str]) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    for name in names {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p.to_string_lossy().into_owned());
            }
        }
    }
    None
}

/// How to turn a `.s` file into a shared object for one target.
struct Toolchain {
    /// Assembler command; the input and `-o object` are appended.
    assemble: Vec<String>,
    /// Linker command; the object and `-o output` are appended.
    link: Vec<String>,
    nm: String,
}

/// The toolchain of `target`, or why it is unavailable.
fn toolchain(target: &str) -> Result<Toolchain, String> {
    let need = |names: &[&str], why: &str| {
        find_tool(names).ok_or_else(|| format!("{} not found ({why})", names.join(" or ")))
    };
    let nm = need(&["llvm-nm", "llvm-nm-14"], "checks the symbols")?;
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match target {
        "aarch64-linux" => {
            let as_ = need(&["aarch64-linux-gnu-as"], "assembles ELF AArch64")?;
            let ld = need(&["aarch64-linux-gnu-ld"], "links ELF AArch64")?;
            Ok(Toolchain {
                assemble: vec![as_],
                link: vec![ld, "-shared".into()],
                nm,
            })
        }
        "x86_64-linux" => {
            // the native binutils only on an x86-64 host
            let native: &[&str] = if cfg!(target_arch = "x86_64") {
                &["x86_64-linux-gnu-as", "as"]
            } else {
                &["x86_64-linux-gnu-as"]
            };
            let as_ = need(native, "assembles ELF x86-64")?;
            let native_ld: &[&str] = if cfg!(target_arch = "x86_64") {
                &["x86_64-linux-gnu-ld", "ld"]
            } else {
                &["x86_64-linux-gnu-ld"]
            };
            let ld = need(native_ld, "links ELF x86-64")?;
            Ok(Toolchain {
                assemble: vec![as_],
                link: vec![ld, "-shared".into()],
                nm,
            })
        }
        "aarch64-macos" | "x86_64-macos" => {
            let (triple, arch) = if target == "aarch64-macos" {
                ("arm64-apple-macos11", "arm64")
            } else {
                ("x86_64-apple-macos11", "x86_64")
            };
            let clang = need(&["clang"], "assembles Mach-O")?;
            let ld = need(
                &[
                    "ld64.lld",
                    "ld64.lld-18",
                    "ld64.lld-17",
                    "ld64.lld-15",
                    "ld64.lld-14",
                ],
                "links Mach-O",
            )?;
            let mut assemble = vec![clang];
            // `-x assembler`: no preprocessor pass (which clang otherwise
            // runs over `.s` files for Apple targets, a second process)
            assemble.extend(s(&["-target", triple, "-x", "assembler", "-c"]));
            let mut link = vec![ld];
            link.extend(s(&[
                "-arch",
                arch,
                "-platform_version",
                "macos",
                "11.0",
                "11.0",
                "-dylib",
            ]));
            Ok(Toolchain { assemble, link, nm })
        }
        _ => Err(format!("unknown target {target}")),
    }
}

/// Runs a command; its stdout, or a description of the failure.
fn run(cmd: &[String], extra: &[&str]) -> Result<String, String> {
    let out = Command::new(&cmd[0])
        .args(&cmd[1..])
        .args(extra)
        .current_dir(root())
        .output()
        .map_err(|e| format!("{}: {e}", cmd[0]))?;
    if !out.status.success() {
        return Err(format!(
            "{} {} failed ({}):\n{}{}",
            cmd.join(" "),
            extra.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            tail(&String::from_utf8_lossy(&out.stderr)),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The last lines of a long tool message.
fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let from = lines.len().saturating_sub(30);
    lines[from..].join("\n")
}

/// `lunajit asm --target T script [extra]`.
fn asm(target: &str, script: &Path, extra: &[&str]) -> Result<String, String> {
    let cmd = vec![env!("CARGO_BIN_EXE_lunajit").to_string()];
    let mut args = vec!["asm", "--target", target];
    let s = script.to_string_lossy();
    args.push(&s);
    args.extend(extra);
    run(&cmd, &args)
}

/// Assembles and links `text` (the file for `target`) in `dir` under the
/// name `stem`, then checks the shared object's symbols.
fn build_and_check(tc: &Toolchain, text: &str, dir: &Path, stem: &str) -> Result<usize, String> {
    let s = dir.join(format!("{stem}.s"));
    let o = dir.join(format!("{stem}.o"));
    let so = dir.join(format!("{stem}.so"));
    std::fs::write(&s, text).map_err(|e| format!("{}: {e}", s.display()))?;
    let (s, o, so) = (
        s.to_string_lossy().into_owned(),
        o.to_string_lossy().into_owned(),
        so.to_string_lossy().into_owned(),
    );
    run(&tc.assemble, &[&s, "-o", &o])?;
    run(&tc.link, &[&o, "-o", &so])?;
    // one listing of the external symbols: `ADDRESS TYPE NAME` when
    // defined, `TYPE NAME` (U, or w/v when weak) when undefined
    let nm = run(std::slice::from_ref(&tc.nm), &["--extern-only", &so])?;
    let mut defined = Vec::new();
    let mut undefined = Vec::new();
    for l in nm.lines() {
        match l.split_whitespace().collect::<Vec<_>>()[..] {
            [_, _, name] => defined.push(name),
            [_, name] => undefined.push(name),
            _ => {}
        }
    }
    if !undefined.is_empty() {
        return Err(format!("undefined symbols in {stem}: {undefined:?}"));
    }
    let globals: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".globl "))
        .map(str::trim)
        .collect();
    if globals.is_empty() {
        return Err(format!("{stem}: no .globl symbol in the file"));
    }
    for g in &globals {
        if !defined.contains(g) {
            return Err(format!("{stem}: {g} is not defined in the output"));
        }
    }
    Ok(globals.len())
}

/// Every `tests/lua/*.lua` script, sorted.
fn scripts() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("tests/lua"))
        .expect("tests/lua")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "lua"))
        .map(|p| p.strip_prefix(root()).map(Path::to_path_buf).unwrap_or(p))
        .collect();
    v.sort();
    v
}

/// The toolchain of `target`, or `None` after printing why its check is
/// skipped.
fn toolchain_or_skip(target: &str) -> Option<Toolchain> {
    match toolchain(target) {
        Ok(tc) => Some(tc),
        Err(why) => {
            println!("asm_targets: skipping the {target} check: {why}");
            None
        }
    }
}

/// Every script for `target`, assembled, linked and checked. The test
/// harness runs the four targets' tests in parallel (one core each on a
/// two-core machine), so the scripts of one target run in order.
fn all_scripts_link(target: &str) {
    let Some(tc) = toolchain_or_skip(target) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut failures = Vec::new();
    let mut symbols = 0;
    let list = scripts();
    assert!(!list.is_empty(), "no tests/lua scripts");
    for script in &list {
        let stem = script
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let result = asm(target, script, &[])
            .and_then(|text| build_and_check(&tc, &text, dir.path(), &stem));
        match result {
            Ok(n) => symbols += n,
            Err(e) => failures.push(format!("{target} {}: {e}", script.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scripts failed for {target}:\n{}",
        failures.len(),
        list.len(),
        failures.join("\n\n")
    );
    println!(
        "asm_targets: {target}: {} scripts, {symbols} functions linked",
        list.len()
    );
}

#[test]
fn every_script_links_for_aarch64_linux() {
    all_scripts_link("aarch64-linux");
}

#[test]
fn every_script_links_for_aarch64_macos() {
    all_scripts_link("aarch64-macos");
}

#[test]
fn every_script_links_for_x86_64_macos() {
    all_scripts_link("x86_64-macos");
}

#[test]
fn every_script_links_for_x86_64_linux() {
    all_scripts_link("x86_64-linux");
}

/// A function loading 5000 string and float constants (offsets from the
/// constant base up to 80000 bytes, beyond `ldr q`'s 65520 and `add`'s
/// 4095) and reading fields named by them.
fn many_constants() -> String {
    let mut s = String::from("local function many(t)\n  local v, w\n");
    for i in 0..2500 {
        s.push_str(&format!("  v = \"k{i}\"\n  w = {i}.25\n"));
    }
    s.push_str("  v = t.k2499 + t[\"k2498\"] + w * 0.5\n  return v, w\nend\n");
    s.push_str("return many\n");
    s
}

/// A function of about 10000 additions: well over a megabyte of AArch64
/// code, so its guards' branches to the deopt exits at the end are out of
/// `b.cond`'s range and the emitter must use far branches.
fn huge_function() -> String {
    let mut s = String::from("local function huge(a, b)\n");
    for i in 0..10000 {
        s.push_str(if i % 2 == 0 {
            "  a = a + b\n"
        } else {
            "  b = b - a\n"
        });
    }
    s.push_str("  return a, b\nend\nreturn huge\n");
    s
}

#[test]
fn generated_scripts_beyond_immediate_ranges_link() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let cases = [
        ("many_constants", many_constants()),
        ("huge_function", huge_function()),
    ];
    let mut failures = Vec::new();
    for target in ["aarch64-linux", "aarch64-macos"] {
        let Some(tc) = toolchain_or_skip(target) else {
            continue;
        };
        for (name, source) in &cases {
            if *name == "huge_function" && target != "aarch64-linux" {
                // the same code as on Linux; clang takes seconds over it
                continue;
            }
            let script = dir.path().join(format!("{name}.lua"));
            std::fs::write(&script, source).expect("write the script");
            let stem = format!("{name}_{target}");
            let result = asm(target, &script, &[])
                .and_then(|text| build_and_check(&tc, &text, dir.path(), &stem).map(|_| text));
            match result {
                Ok(text) if *name == "huge_function" && !text.contains("_u1:") => failures.push(
                    format!("{target} {name}: expected far branches (own labels) in the output"),
                ),
                Ok(_) => {}
                Err(e) => failures.push(format!("{target} {name}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn aarch64_assembly_snapshots() {
    for f in ["add", "count", "fma"] {
        let text = asm(
            "aarch64-linux",
            Path::new("tests/jit/small.lua"),
            &["--function", f],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        insta::assert_snapshot!(format!("aarch64_small_{f}"), text);
    }
}

/// A hand-made LIR function with every operation and the operand shapes
/// the lowering rarely or never produces (slot, constant and upvalue
/// offsets past every immediate range, wide immediates, aliased registers,
/// too many helper arguments, more OSR entries than `cmp`'s immediate
/// takes), emitted for both AArch64 dialects, assembled and linked.
fn every_operation() -> lunajit::jit::lir::Function {
    use lunajit::jit::lir::{
        Addr, AluOp, Arg, Cond, Emitted, FCond, FOp, Field, Fpr, Function, Gpr, Label, Mem, Op,
        Operand,
    };
    use Gpr::*;
    let mut ops = Vec::new();
    let osr: Vec<u32> = (0..4100).collect();
    for pc in 0..4100u32 {
        ops.push(Op::Pc {
            pc,
            line: pc,
            listing: format!("OP {pc} ; \"a\nb\""),
        });
    }
    let slots = [
        0u32,
        1,
        255,
        256,
        300,
        2047,
        4000,
        4096,
        70_000,
        1_100_000,
        u32::MAX,
    ];
    let consts = [0u32, 2047, 4096, 100_000, u32::MAX];
    let ups = [0u32, 255, 4095, 5000];
    let mut addrs: Vec<Addr> = slots.iter().map(|&s| Addr::Slot(s)).collect();
    addrs.extend(consts.iter().map(|&k| Addr::Const(k)));
    addrs.extend(ups.iter().map(|&u| Addr::Upval(u)));
    addrs.extend([R0, R3, R5].map(Addr::Ptr));
    let imms = [
        0i64,
        1,
        -1,
        255,
        4095,
        4096,
        -4095,
        -4096,
        0xff,
        0xff00_ff00_ff00_ff00u64 as i64,
        0x1234_5678_9abc_def0,
        i64::MIN,
        i64::MAX,
        -65536,
    ];
    let regs = [R0, R1, R2, R3, R4, R5];
    for &a in &addrs {
        ops.push(Op::Copy { from: a, to: a });
        ops.push(Op::Copy {
            from: a,
            to: Addr::Slot(70_000),
        });
        ops.push(Op::Load {
            dst: R0,
            src: Mem::Val(a),
        });
        ops.push(Op::Load {
            dst: R5,
            src: Mem::Tag(a),
        });
        ops.push(Op::FLoad {
            dst: Fpr::F1,
            src: a,
        });
        ops.push(Op::FStore {
            dst: a,
            src: Fpr::F0,
        });
        ops.push(Op::Branch {
            cond: Cond::Eq,
            a: Operand::Mem(Mem::Tag(a)),
            b: Operand::Mem(Mem::Val(a)),
            target: Label::Local(1),
        });
        ops.push(Op::FFromInt {
            dst: Fpr::F0,
            src: Operand::Mem(Mem::Tag(a)),
        });
        ops.push(Op::CallHelper {
            index: 3,
            args: vec![
                Arg::Addr(a),
                Arg::Load(Mem::Val(a)),
                Arg::Load(Mem::Tag(a)),
                Arg::Thread,
            ],
        });
    }
    for (dst, base) in [(R0, R0), (R1, R0), (R5, R2)] {
        for field in [
            Field::TableArrayPtr,
            Field::TableArrayLen,
            Field::TableNodePtr,
            Field::TableNodeLen,
            Field::StrHash,
        ] {
            ops.push(Op::LoadField { dst, base, field });
        }
        for amount in [0, 4, 63] {
            ops.push(Op::ShlImm {
                dst,
                a: base,
                amount,
            });
        }
    }
    for &s in &slots {
        for &v in &imms {
            ops.push(Op::SetImm {
                slot: s,
                bits: v,
                tag: (v & 0xff) as u8,
            });
        }
        ops.push(Op::SetTag { slot: s, tag: 0 });
        ops.push(Op::SetTag { slot: s, tag: 255 });
        ops.push(Op::Store { slot: s, src: R3 });
    }
    let alus = [
        AluOp::Add,
        AluOp::Sub,
        AluOp::Mul,
        AluOp::And,
        AluOp::Or,
        AluOp::Xor,
    ];
    for &v in &imms {
        ops.push(Op::Mov {
            dst: R1,
            src: Operand::Imm(v),
        });
        ops.push(Op::FBits {
            dst: Fpr::F0,
            bits: v as u64,
        });
        ops.push(Op::FFromInt {
            dst: Fpr::F1,
            src: Operand::Imm(v),
        });
        for op in alus {
            ops.push(Op::Alu {
                op,
                dst: R2,
                a: R2,
                b: Operand::Imm(v),
            });
        }
        for c in [Cond::Lt, Cond::AboveEq] {
            ops.push(Op::Branch {
                cond: c,
                a: Operand::Reg(R4),
                b: Operand::Imm(v),
                target: Label::Pc(7),
            });
            ops.push(Op::Branch {
                cond: c,
                a: Operand::Imm(v),
                b: Operand::Reg(R4),
                target: Label::Pc(7),
            });
            ops.push(Op::Branch {
                cond: c,
                a: Operand::Imm(v),
                b: Operand::Imm(v),
                target: Label::Pc(7),
            });
            ops.push(Op::Branch {
                cond: c,
                a: Operand::Mem(Mem::Val(Addr::Upval(5000))),
                b: Operand::Imm(v),
                target: Label::Pc(7),
            });
        }
        ops.push(Op::CallHelper {
            index: 5000,
            args: vec![Arg::Imm(v); 10],
        });
    }
    for &d in &regs {
        for &a in &regs {
            ops.push(Op::Mov {
                dst: d,
                src: Operand::Reg(a),
            });
            ops.push(Op::Neg { dst: d, src: a });
            ops.push(Op::Not { dst: d, src: a });
            for &b in &regs {
                for op in alus {
                    ops.push(Op::Alu {
                        op,
                        dst: d,
                        a,
                        b: Operand::Reg(b),
                    });
                }
                ops.push(Op::Shl {
                    dst: d,
                    a,
                    amount: b,
                });
                ops.push(Op::Shr {
                    dst: d,
                    a,
                    amount: b,
                });
                ops.push(Op::UDiv { dst: d, a, b });
                if d != a {
                    ops.push(Op::DivRem {
                        quot: d,
                        rem: a,
                        a: b,
                        b: d,
                    });
                    ops.push(Op::DivRem {
                        quot: d,
                        rem: a,
                        a,
                        b,
                    });
                }
            }
        }
        for (w32, if_zero) in [(false, false), (false, true), (true, false), (true, true)] {
            ops.push(Op::BranchZero {
                reg: d,
                w32,
                if_zero,
                target: Label::Deopt(3),
            });
        }
    }
    for c in Cond::ALL {
        ops.push(Op::Branch {
            cond: c,
            a: Operand::Reg(R0),
            b: Operand::Mem(Mem::Tag(Addr::Slot(2))),
            target: Label::Local(1),
        });
    }
    for c in FCond::ALL {
        ops.push(Op::FBranch {
            cond: c,
            a: Fpr::F1,
            b: Fpr::F0,
            target: Label::Local(1),
        });
    }
    for op in [FOp::Add, FOp::Sub, FOp::Mul, FOp::Div] {
        for (d, a, b) in [
            (Fpr::F0, Fpr::F0, Fpr::F1),
            (Fpr::F1, Fpr::F0, Fpr::F1),
            (Fpr::F0, Fpr::F1, Fpr::F1),
        ] {
            ops.push(Op::FArith { op, dst: d, a, b });
        }
    }
    ops.push(Op::FFromInt {
        dst: Fpr::F0,
        src: Operand::Reg(R5),
    });
    ops.push(Op::CallFloatHelper { index: 11 });
    ops.push(Op::CallFloatHelper { index: 4096 });
    ops.push(Op::ReloadBase);
    ops.push(Op::Comment("a comment\nover two lines".into()));
    ops.push(Op::Label(Label::Local(1)));
    ops.push(Op::Jump(Label::Pc(0)));
    ops.push(Op::Label(Label::Deopt(3)));
    for word in [0, 1, u64::MAX, 0x1_0000_0003, 0xffff_0000_ffff_0000] {
        ops.push(Op::Exit { word });
    }
    Function {
        id: 77,
        header: "hand-made\nfunction".into(),
        ops,
        info: Emitted {
            symbol: "lj_every_operation".into(),
            osr_pcs: osr,
            ..Emitted::default()
        },
    }
}

#[test]
fn every_lir_operation_assembles_for_aarch64() {
    let func = every_operation();
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut failures = Vec::new();
    for target in ["aarch64-linux", "aarch64-macos"] {
        let t: lunajit::jit::target::Target = target.parse().expect("a target");
        let mut text = String::new();
        lunajit::jit::emit::aarch64::file_header(t, &mut text);
        lunajit::jit::emit::aarch64::emit_function(t, &func, &mut text);
        lunajit::jit::emit::aarch64::file_trailer(t, &mut text);
        let x18 = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|tok| tok == "x18" || tok == "w18");
        assert!(!x18, "x18 is reserved on Apple platforms");
        let Some(tc) = toolchain_or_skip(target) else {
            continue;
        };
        if let Err(e) = build_and_check(&tc, &text, dir.path(), &format!("every_{target}")) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
