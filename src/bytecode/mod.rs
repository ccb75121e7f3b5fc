//! Compiled Lua functions as plain data: the instruction encoding, the
//! [`Proto`] (function prototype) the compiler produces, and a `luac -l` style
//! listing.
//!
//! A `Proto` here owns its constants as [`Constant`] values (no GC pointers);
//! the runtime turns it into its own garbage-collected prototype when a chunk
//! is loaded, interning the string constants. The JIT worker reads the same
//! plain data, so nothing in this module may point into the Lua heap.

pub mod dump;
pub mod listing;
pub mod opcode;
pub mod verify;

pub use opcode::{ins, Instruction, OpCode};
pub use verify::verify;

/// A constant of a prototype's constant table (`K[x]` in the opcode docs).
#[derive(Debug, Clone, PartialEq)]
pub enum Constant {
    Nil,
    Boolean(bool),
    Integer(i64),
    Float(f64),
    /// Any bytes.
    String(Vec<u8>),
}

/// How a closure finds one of its upvalues when it is created (`CLOSURE`).
#[derive(Debug, Clone, PartialEq)]
pub struct UpvalDesc {
    /// The variable's name, for debug information (`"_ENV"` for the main
    /// chunk's single upvalue).
    pub name: String,
    /// true: the upvalue is the enclosing function's register `index`;
    /// false: it is the enclosing function's upvalue `index`.
    pub in_stack: bool,
    pub index: u8,
}

/// A local variable's name and the range of instructions where it is live
/// (debug information, PUC's `LocVar`).
#[derive(Debug, Clone, PartialEq)]
pub struct LocVar {
    pub name: String,
    /// First instruction (0-based pc) where the variable is active.
    pub start_pc: u32,
    /// First instruction where the variable is dead.
    pub end_pc: u32,
}

/// A function prototype: the result of compiling one function body (§3.4.11).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Proto {
    /// The chunk name as given to `load` (`"@script.lua"`, `"=stdin"`, or the
    /// source text itself).
    pub source: String,
    /// Line of `function`, 0 for a main chunk.
    pub line_defined: u32,
    /// Line of the closing `end`, 0 for a main chunk.
    pub last_line_defined: u32,
    /// Number of fixed parameters.
    pub num_params: u8,
    pub is_vararg: bool,
    /// Registers the function needs (at most 255).
    pub max_stack_size: u8,
    pub code: Vec<Instruction>,
    pub constants: Vec<Constant>,
    pub upvalues: Vec<UpvalDesc>,
    /// Nested prototypes, indexed by `CLOSURE`'s Bx.
    pub protos: Vec<Proto>,
    /// Source line of each instruction (same length as `code`).
    pub line_info: Vec<u32>,
    pub loc_vars: Vec<LocVar>,
}

impl Proto {
    /// Name of the `n`-th (1-based) local variable active at `pc`, as PUC's
    /// `luaF_getlocalname`: the debug API and error messages use it.
    pub fn local_name(&self, n: usize, pc: usize) -> Option<&str> {
        local_name(&self.loc_vars, n, pc)
    }
}

/// Name of the `n`-th (1-based) local variable of `loc_vars` active at `pc`
/// (PUC's `luaF_getlocalname`), shared by the plain and the runtime `Proto`.
pub fn local_name(loc_vars: &[LocVar], mut n: usize, pc: usize) -> Option<&str> {
    if n == 0 {
        return None;
    }
    for v in loc_vars {
        if v.start_pc as usize > pc {
            break;
        }
        if pc < v.end_pc as usize {
            n -= 1;
            if n == 0 {
                return Some(&v.name);
            }
        }
    }
    None
}
