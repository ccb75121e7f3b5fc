//! Emitters: LIR (`jit::lir`) to assembly text, one module per architecture,
//! each with the ELF and Mach-O dialects of its target.

pub mod aarch64;
pub mod x86_64;

use std::fmt::Write;

use crate::jit::lir::{self, Emitted, Label};
use crate::jit::snapshot::ProtoSnapshot;
use crate::jit::target::{Arch, Target};

/// Lowers and emits `protos` as one complete assembly file for `target`
/// (header, one global symbol per function, trailer), and what the lowering
/// found out about each, in order.
pub fn emit_file<'a>(
    target: Target,
    protos: impl IntoIterator<Item = &'a ProtoSnapshot>,
) -> (String, Vec<Emitted>) {
    let mut text = String::new();
    let mut infos = Vec::new();
    match target.arch {
        Arch::X86_64 => x86_64::file_header(target, &mut text),
        Arch::Aarch64 => aarch64::file_header(target, &mut text),
    }
    for p in protos {
        let f = lir::lower(p);
        match target.arch {
            Arch::X86_64 => x86_64::emit_function(target, &f, &mut text),
            Arch::Aarch64 => aarch64::emit_function(target, &f, &mut text),
        }
        infos.push(f.info);
    }
    match target.arch {
        Arch::X86_64 => x86_64::file_trailer(target, &mut text),
        Arch::Aarch64 => aarch64::file_trailer(target, &mut text),
    }
    (text, infos)
}

/// The `.set` constants of `jit::abi::offsets()` and the start of the text
/// section, which every emitted file has after its first lines (both
/// assemblers and both object formats take them as written).
fn abi_constants(out: &mut String) {
    for (name, value) in crate::jit::abi::offsets() {
        let _ = writeln!(out, "\t.set {name}, {value}");
    }
    let _ = writeln!(out, "\t.text");
}

/// The assembler-local name of LIR label `l` in function `f` (`f<id>`),
/// in `target`'s dialect.
fn label_name(target: Target, f: &str, l: Label) -> String {
    let p = target.local_prefix();
    match l {
        Label::Pc(pc) => format!("{p}{f}_{pc}"),
        Label::Deopt(pc) => format!("{p}{f}_d{pc}"),
        Label::Local(n) => format!("{p}{f}_l{n}"),
    }
}

/// The name of function `f`'s common exit (the epilogue).
fn exit_label(target: Target, f: &str) -> String {
    format!("{}{f}_exit", target.local_prefix())
}
