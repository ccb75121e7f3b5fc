//! Functions: prototypes, Lua closures, native (Rust) closures and upvalues
//! (§2.1, §3.5 visibility rules, §4.6 of the C API for the native side).
//!
//! An open upvalue points into a thread's value stack (`v` = that slot) and is
//! linked in the thread's open-upvalue list ordered by stack level; closing it
//! copies the value into `closed` and points `v` there. When a stack is
//! reallocated, `State::grow_stack` rewrites `v` of every open upvalue.

use super::error::LuaResult;
use super::gc::{GcHeader, GcKind};
use super::state::State;
use super::string::LuaString;
use super::value::TValue;
use crate::bytecode::{Instruction, LocVar, UpvalDesc};

/// A function prototype as the runtime holds it: the compiler's
/// [`crate::bytecode::Proto`] with constants as values (strings interned).
#[repr(C)]
pub struct Proto {
    pub hdr: GcHeader,
    pub code: Box<[Instruction]>,
    /// Constants (`K[x]`).
    pub k: Box<[TValue]>,
    /// Nested prototypes (`CLOSURE`'s Bx).
    pub protos: Box<[*mut Proto]>,
    pub upvalues: Box<[UpvalDesc]>,
    pub num_params: u8,
    pub is_vararg: bool,
    pub max_stack_size: u8,
    pub line_defined: u32,
    pub last_line_defined: u32,
    /// Source line of each instruction.
    pub line_info: Box<[u32]>,
    pub loc_vars: Box<[LocVar]>,
    /// The chunk name (`"@file.lua"`, `"=stdin"`, or source text).
    pub source: *mut LuaString,
    /// Hotness counters, type feedback and inline caches (`crate::profile`).
    pub profile: crate::profile::ProfileCell,
}

impl Proto {
    /// Source line of the instruction at `pc` (0-based), 0 if unknown.
    pub fn line_at(&self, pc: usize) -> u32 {
        self.line_info.get(pc).copied().unwrap_or(0)
    }

    /// Name of the `n`-th (1-based) local active at `pc` (`luaF_getlocalname`).
    pub fn local_name(&self, n: usize, pc: usize) -> Option<&str> {
        crate::bytecode::local_name(&self.loc_vars, n, pc)
    }

    /// The chunk name as text.
    pub fn source_name(&self) -> String {
        if self.source.is_null() {
            return "?".into();
        }
        // SAFETY: the source string is kept alive by this proto (GC marks it).
        unsafe { (*self.source).to_str_lossy().into_owned() }
    }
}

/// An upvalue: a variable of an enclosing function captured by a closure.
#[repr(C)]
pub struct UpVal {
    pub hdr: GcHeader,
    /// Where the value lives: a stack slot while open, `&closed` once closed.
    pub v: *mut TValue,
    /// The value after closing.
    pub closed: TValue,
    /// Stack index of the captured slot while open.
    pub level: usize,
    /// Next open upvalue of the same thread (lower level), null when closed.
    pub next_open: *mut UpVal,
    /// True while the upvalue still points into the stack.
    pub open: bool,
}

impl UpVal {
    /// Reads the upvalue's current value.
    #[inline(always)]
    pub fn get(&self) -> TValue {
        // SAFETY: `v` is either a live stack slot (open) or `&self.closed`.
        unsafe { *self.v }
    }

    /// Writes the upvalue.
    #[inline(always)]
    pub fn set(&mut self, val: TValue) {
        // SAFETY: as in `get`.
        unsafe { *self.v = val }
    }
}

/// A Lua function value: a prototype plus its upvalues.
#[repr(C)]
pub struct LuaClosure {
    pub hdr: GcHeader,
    pub proto: *mut Proto,
    pub upvals: Box<[*mut UpVal]>,
}

/// Signature of a native function: arguments are the stack slots
/// `L.func_slot()+1 .. L.top`; it pushes its results and returns how many
/// (like a `lua_CFunction`, manual §4.6).
pub type NativeFn = fn(&mut State) -> LuaResult<usize>;

/// A Rust function value with optional upvalues.
#[repr(C)]
pub struct NativeClosure {
    pub hdr: GcHeader,
    pub f: NativeFn,
    /// Name for error messages when no better name is known.
    pub name: &'static str,
    pub upvals: Box<[TValue]>,
}

impl NativeClosure {
    pub fn new(f: NativeFn, name: &'static str, upvals: Vec<TValue>) -> NativeClosure {
        NativeClosure {
            hdr: GcHeader::new(GcKind::NativeClosure),
            f,
            name,
            upvals: upvals.into_boxed_slice(),
        }
    }
}
