//! Emitters: LIR (`jit::lir`) to assembly text, one module per architecture,
//! each with the ELF and Mach-O dialects of its target.

pub mod aarch64;
pub mod x86_64;

use crate::jit::lir::{self, Emitted};
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
