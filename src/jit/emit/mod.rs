//! Emitters: bytecode (and feedback) to assembly text, one module per
//! architecture. Only x86-64 ELF exists so far.

pub mod x86_64;
