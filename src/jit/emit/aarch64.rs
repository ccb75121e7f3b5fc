//! The AArch64 emitter (being written; see issue 7). Until it exists,
//! every function is emitted as a comment and nothing is executable.

use crate::jit::lir::Function;
use crate::jit::target::Target;

pub fn file_header(_target: Target, _out: &mut String) {}

pub fn file_trailer(_target: Target, _out: &mut String) {}

pub fn emit_function(_target: Target, _func: &Function, _out: &mut String) {}
