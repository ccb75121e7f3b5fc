//! The immutable input of the compiler: what the JIT needs of a prototype,
//! copied out of the heap so the lowering can run on any thread and holds no
//! GC pointers (`../shared/DESIGN.md`, "Values and the VM").

use crate::runtime::func::Proto;
use crate::runtime::value::{TFLOAT, TINT};

/// A constant as the emitter sees it: numbers by value (they become
/// immediates); anything else only by kind (the code loads it from the
/// constant array at run time).
#[derive(Clone, Debug, PartialEq)]
pub enum ConstKind {
    Int(i64),
    Float(f64),
    Other,
}

/// A copy of one prototype for the compiler.
#[derive(Clone, Debug)]
pub struct ProtoSnapshot {
    /// The prototype's id (`profile::ProtoProfile::id`).
    pub id: u32,
    /// A short hex digest of the code and constants, so symbol names differ
    /// when the function does.
    pub key_suffix: String,
    /// A readable name for comments, e.g. `function <fib.lua:3>`.
    pub name: String,
    pub source: String,
    pub line_defined: u32,
    pub last_line_defined: u32,
    pub code: Vec<u32>,
    pub consts: Vec<ConstKind>,
    /// Source line of each instruction.
    pub line_info: Vec<u32>,
    /// One listing line per instruction (opcode and operands), for comments.
    pub listing: Vec<String>,
    /// Sorted pcs to compile without specialisation: they exit to the
    /// interpreter (a resume) because their guards kept failing. Empty from
    /// [`ProtoSnapshot::of`]; the controller fills it in.
    pub generic: Vec<u32>,
}

impl ProtoSnapshot {
    /// Copies what the compiler needs out of a live prototype.
    ///
    /// # Safety
    /// `p` must be live, and no Lua code may run meanwhile.
    pub unsafe fn of(p: *const Proto) -> ProtoSnapshot {
        // SAFETY: guaranteed by the caller.
        let pr = unsafe { &*p };
        // SAFETY: as above.
        let id = unsafe { pr.profile.view() }.id;
        let consts: Vec<ConstKind> =
            pr.k.iter()
                .map(|v| match v.tt {
                    TINT => ConstKind::Int(v.as_int()),
                    TFLOAT => ConstKind::Float(v.as_float()),
                    _ => ConstKind::Other,
                })
                .collect();
        // SAFETY: `p` and its nested prototypes are live (caller's promise).
        let plain = unsafe { crate::stdlib::strpack::plain_proto(pr) };
        let listing = (0..pr.code.len())
            .map(|pc| crate::bytecode::listing::instruction_text(&plain, pc))
            .collect();
        let source = crate::syntax::chunk_id(&pr.source_name());
        let mut h = blake3::Hasher::new();
        for i in pr.code.iter() {
            h.update(&i.to_le_bytes());
        }
        for c in &consts {
            h.update(format!("{c:?}").as_bytes());
        }
        let key_suffix = h.finalize().to_hex()[..12].to_string();
        ProtoSnapshot {
            id,
            key_suffix,
            name: if pr.line_defined == 0 {
                format!("main chunk <{source}>")
            } else {
                format!("function <{source}:{}>", pr.line_defined)
            },
            source,
            line_defined: pr.line_defined,
            last_line_defined: pr.last_line_defined,
            code: pr.code.to_vec(),
            consts,
            line_info: pr.line_info.to_vec(),
            listing,
            generic: Vec::new(),
        }
    }
}
