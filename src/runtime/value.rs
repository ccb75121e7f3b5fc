//! `TValue`: the tagged value every register, constant, table slot and upvalue
//! holds (reference manual §2.1).
//!
//! Layout (part of the ABI with generated code, see `jit::abi`): `#[repr(C)]`,
//! 16 bytes, an 8-byte payload then a tag byte. The payload is an `i64`
//! (integer), the bits of an `f64` (float), or a pointer to a GC object. The
//! booleans are two tags (`FALSE`, `TRUE`) so that "is falsy" is `tag <= FALSE`.
//! Integers are full 64-bit and wrap around (§3.4.1).

use super::func::{LuaClosure, NativeClosure};
use super::gc::GcHeader;
use super::state::State;
use super::string::LuaString;
use super::table::Table;
use super::userdata::Userdata;

/// Tag of `nil`.
pub const TNIL: u8 = 0;
/// Tag of `false`.
pub const TFALSE: u8 = 1;
/// Tag of `true`.
pub const TTRUE: u8 = 2;
/// Tag of an integer (payload: `i64`).
pub const TINT: u8 = 3;
/// Tag of a float (payload: `f64` bits).
pub const TFLOAT: u8 = 4;
/// Tag of a string (payload: `*mut LuaString`).
pub const TSTR: u8 = 5;
/// Tag of a table (payload: `*mut Table`).
pub const TTABLE: u8 = 6;
/// Tag of a Lua closure (payload: `*mut LuaClosure`).
pub const TLCL: u8 = 7;
/// Tag of a Rust function with upvalues (payload: `*mut NativeClosure`).
pub const TNCL: u8 = 8;
/// Tag of a full userdata (payload: `*mut Userdata`).
pub const TUSERDATA: u8 = 9;
/// Tag of a coroutine (payload: `*mut State`).
pub const TTHREAD: u8 = 10;
/// Tag of a light userdata (payload: an address).
pub const TLIGHTUD: u8 = 11;
/// Number of tags.
pub const NUM_TAGS: usize = 12;

/// A Lua value. `Copy`: copying never touches the GC; reachability is the
/// collector's job (see `gc`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct TValue {
    /// Integer, float bits, or object pointer, depending on `tt`.
    pub val: u64,
    /// One of the `T*` tags.
    pub tt: u8,
}

impl Default for TValue {
    fn default() -> Self {
        TValue::NIL
    }
}

/// The basic types of §2.1, in the order of `lua_type`'s codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LuaType {
    Nil,
    Boolean,
    LightUserdata,
    Number,
    String,
    Table,
    Function,
    Userdata,
    Thread,
}

impl LuaType {
    /// The name `type()` returns (§6.1).
    pub fn name(self) -> &'static str {
        match self {
            LuaType::Nil => "nil",
            LuaType::Boolean => "boolean",
            LuaType::LightUserdata | LuaType::Userdata => "userdata",
            LuaType::Number => "number",
            LuaType::String => "string",
            LuaType::Table => "table",
            LuaType::Function => "function",
            LuaType::Thread => "thread",
        }
    }

    /// Index into the per-type metatable array of the global state.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl TValue {
    pub const NIL: TValue = TValue { val: 0, tt: TNIL };
    pub const FALSE: TValue = TValue { val: 0, tt: TFALSE };
    pub const TRUE: TValue = TValue { val: 1, tt: TTRUE };

    #[inline(always)]
    pub fn int(i: i64) -> TValue {
        TValue {
            val: i as u64,
            tt: TINT,
        }
    }
    #[inline(always)]
    pub fn float(f: f64) -> TValue {
        TValue {
            val: f.to_bits(),
            tt: TFLOAT,
        }
    }
    #[inline(always)]
    pub fn boolean(b: bool) -> TValue {
        if b {
            TValue::TRUE
        } else {
            TValue::FALSE
        }
    }
    #[inline(always)]
    pub fn string(s: *mut LuaString) -> TValue {
        TValue {
            val: s as u64,
            tt: TSTR,
        }
    }
    #[inline(always)]
    pub fn table(t: *mut Table) -> TValue {
        TValue {
            val: t as u64,
            tt: TTABLE,
        }
    }
    #[inline(always)]
    pub fn lua_closure(c: *mut LuaClosure) -> TValue {
        TValue {
            val: c as u64,
            tt: TLCL,
        }
    }
    #[inline(always)]
    pub fn native(c: *mut NativeClosure) -> TValue {
        TValue {
            val: c as u64,
            tt: TNCL,
        }
    }
    #[inline(always)]
    pub fn userdata(u: *mut Userdata) -> TValue {
        TValue {
            val: u as u64,
            tt: TUSERDATA,
        }
    }
    #[inline(always)]
    pub fn thread(t: *mut State) -> TValue {
        TValue {
            val: t as u64,
            tt: TTHREAD,
        }
    }
    #[inline(always)]
    pub fn light_userdata(p: usize) -> TValue {
        TValue {
            val: p as u64,
            tt: TLIGHTUD,
        }
    }

    #[inline(always)]
    pub fn is_nil(&self) -> bool {
        self.tt == TNIL
    }
    /// `nil` and `false` are false, everything else is true (§3.3.4).
    #[inline(always)]
    pub fn is_falsy(&self) -> bool {
        self.tt <= TFALSE
    }
    #[inline(always)]
    pub fn is_int(&self) -> bool {
        self.tt == TINT
    }
    #[inline(always)]
    pub fn is_float(&self) -> bool {
        self.tt == TFLOAT
    }
    #[inline(always)]
    pub fn is_number(&self) -> bool {
        self.tt == TINT || self.tt == TFLOAT
    }
    #[inline(always)]
    pub fn is_string(&self) -> bool {
        self.tt == TSTR
    }
    #[inline(always)]
    pub fn is_table(&self) -> bool {
        self.tt == TTABLE
    }
    #[inline(always)]
    pub fn is_function(&self) -> bool {
        self.tt == TLCL || self.tt == TNCL
    }
    /// True for values whose payload is a GC object pointer.
    #[inline(always)]
    pub fn is_collectable(&self) -> bool {
        (TSTR..=TTHREAD).contains(&self.tt)
    }

    #[inline(always)]
    pub fn as_int(&self) -> i64 {
        self.val as i64
    }
    #[inline(always)]
    pub fn as_float(&self) -> f64 {
        f64::from_bits(self.val)
    }
    #[inline(always)]
    pub fn as_string(&self) -> *mut LuaString {
        self.val as *mut LuaString
    }
    #[inline(always)]
    pub fn as_table(&self) -> *mut Table {
        self.val as *mut Table
    }
    #[inline(always)]
    pub fn as_lua_closure(&self) -> *mut LuaClosure {
        self.val as *mut LuaClosure
    }
    #[inline(always)]
    pub fn as_native(&self) -> *mut NativeClosure {
        self.val as *mut NativeClosure
    }
    #[inline(always)]
    pub fn as_userdata(&self) -> *mut Userdata {
        self.val as *mut Userdata
    }
    #[inline(always)]
    pub fn as_thread(&self) -> *mut State {
        self.val as *mut State
    }
    #[inline(always)]
    pub fn as_gc(&self) -> *mut GcHeader {
        self.val as *mut GcHeader
    }

    /// The value as a float if it is a number (no string coercion).
    #[inline(always)]
    pub fn to_f64(&self) -> Option<f64> {
        match self.tt {
            TINT => Some(self.as_int() as f64),
            TFLOAT => Some(self.as_float()),
            _ => None,
        }
    }

    /// The basic type (§2.1).
    pub fn ltype(&self) -> LuaType {
        match self.tt {
            TNIL => LuaType::Nil,
            TFALSE | TTRUE => LuaType::Boolean,
            TINT | TFLOAT => LuaType::Number,
            TSTR => LuaType::String,
            TTABLE => LuaType::Table,
            TLCL | TNCL => LuaType::Function,
            TUSERDATA => LuaType::Userdata,
            TTHREAD => LuaType::Thread,
            _ => LuaType::LightUserdata,
        }
    }

    /// The type name as `type()` returns it.
    pub fn type_name(&self) -> &'static str {
        self.ltype().name()
    }

    /// Raw equality (§3.4.4 without metamethods): integers and floats compare
    /// by mathematical value, strings by content (they are interned, so by
    /// pointer), everything else by identity.
    #[inline]
    pub fn raw_equal(&self, other: &TValue) -> bool {
        if self.tt == other.tt {
            if self.tt == TFLOAT {
                self.as_float() == other.as_float()
            } else {
                self.val == other.val || self.tt == TNIL
            }
        } else if self.tt == TINT && other.tt == TFLOAT {
            int_eq_float(self.as_int(), other.as_float())
        } else if self.tt == TFLOAT && other.tt == TINT {
            int_eq_float(other.as_int(), self.as_float())
        } else {
            false
        }
    }
}

/// `i == f` exactly (no rounding of `i`).
#[inline]
pub fn int_eq_float(i: i64, f: f64) -> bool {
    match float_to_int_exact(f) {
        Some(fi) => fi == i,
        None => false,
    }
}

/// The integer a float equals exactly, if any (§3.4.3 "float to integer").
#[inline]
pub fn float_to_int_exact(f: f64) -> Option<i64> {
    // -2^63 <= f < 2^63 and integral
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        let i = f as i64;
        if i as f64 == f {
            return Some(i);
        }
    }
    None
}

/// Floor of a float as an integer if it fits (used by `for` loops and
/// comparisons).
#[inline]
pub fn float_floor_to_int(f: f64) -> Option<i64> {
    float_to_int_exact(f.floor())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_16_bytes() {
        assert_eq!(std::mem::size_of::<TValue>(), 16);
        assert_eq!(std::mem::offset_of!(TValue, val), 0);
        assert_eq!(std::mem::offset_of!(TValue, tt), 8);
    }

    #[test]
    fn equality_of_numbers() {
        assert!(TValue::int(3).raw_equal(&TValue::float(3.0)));
        assert!(!TValue::int(3).raw_equal(&TValue::float(3.5)));
        assert!(!TValue::float(f64::NAN).raw_equal(&TValue::float(f64::NAN)));
        assert!(TValue::float(0.0).raw_equal(&TValue::float(-0.0)));
        assert!(!TValue::int(i64::MAX).raw_equal(&TValue::float(i64::MAX as f64)));
        assert!(TValue::NIL.raw_equal(&TValue::NIL));
        assert!(TValue::FALSE.is_falsy() && TValue::NIL.is_falsy() && !TValue::int(0).is_falsy());
    }
}
