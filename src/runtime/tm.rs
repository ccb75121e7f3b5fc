//! Metamethods (§2.4) and the generic (slow-path) semantics of every operator:
//! arithmetic and bitwise operations with string coercion (§3.4.1–§3.4.3),
//! comparisons (§3.4.4), concatenation (§3.4.6), length (§3.4.7), indexing
//! with `__index`/`__newindex` chains, and `tostring` (§6.1).
//!
//! The interpreter and the JIT helpers run their fast paths inline and come
//! here for everything else. Functions that may call Lua code may move the
//! value stack: callers reload stack pointers afterwards. Errors name the
//! offending variable when the operand is a register or upvalue of the running
//! frame (`debug::varinfo`), like PUC Lua.

use super::debug::varinfo;
use super::error::{LuaError, LuaResult};
use super::state::State;
use super::table::Table;
use super::value::*;
use crate::interp::call;
use crate::syntax::numeral::{str2number, Numeral};

/// Metamethod events; the order of the first ones matches the table
/// `flags` cache bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Tm {
    Index,
    NewIndex,
    Gc,
    Mode,
    Len,
    Eq,
    Add,
    Sub,
    Mul,
    Mod,
    Pow,
    Div,
    IDiv,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
    Unm,
    BNot,
    Lt,
    Le,
    Concat,
    Call,
    Close,
    ToString,
    Name,
    Metatable,
    Pairs,
}

/// Metamethod names, by `Tm`.
pub const TM_NAMES: [&str; 29] = [
    "__index",
    "__newindex",
    "__gc",
    "__mode",
    "__len",
    "__eq",
    "__add",
    "__sub",
    "__mul",
    "__mod",
    "__pow",
    "__div",
    "__idiv",
    "__band",
    "__bor",
    "__bxor",
    "__shl",
    "__shr",
    "__unm",
    "__bnot",
    "__lt",
    "__le",
    "__concat",
    "__call",
    "__close",
    "__tostring",
    "__name",
    "__metatable",
    "__pairs",
];

/// Arithmetic and bitwise operators (`LUA_OP*` order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Mod,
    Pow,
    Div,
    IDiv,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
    Unm,
    BNot,
}

impl ArithOp {
    fn tm(self) -> Tm {
        match self {
            ArithOp::Add => Tm::Add,
            ArithOp::Sub => Tm::Sub,
            ArithOp::Mul => Tm::Mul,
            ArithOp::Mod => Tm::Mod,
            ArithOp::Pow => Tm::Pow,
            ArithOp::Div => Tm::Div,
            ArithOp::IDiv => Tm::IDiv,
            ArithOp::BAnd => Tm::BAnd,
            ArithOp::BOr => Tm::BOr,
            ArithOp::BXor => Tm::BXor,
            ArithOp::Shl => Tm::Shl,
            ArithOp::Shr => Tm::Shr,
            ArithOp::Unm => Tm::Unm,
            ArithOp::BNot => Tm::BNot,
        }
    }

    fn is_bitwise(self) -> bool {
        matches!(
            self,
            ArithOp::BAnd
                | ArithOp::BOr
                | ArithOp::BXor
                | ArithOp::Shl
                | ArithOp::Shr
                | ArithOp::BNot
        )
    }
}

/// A metamethod of a metatable, using and filling the absence cache.
#[inline]
pub fn fast_tm(l: &State, mt: *mut Table, tm: Tm) -> TValue {
    if mt.is_null() {
        return TValue::NIL;
    }
    // SAFETY: mt is a live table.
    unsafe {
        let bit = 1u32 << (tm as u32);
        if (*mt).flags & bit != 0 {
            return TValue::NIL;
        }
        let v = (*mt).get_str(l.g().tm_name(tm));
        if v.is_nil() {
            (*mt).flags |= bit;
        }
        v
    }
}

/// The metamethod `tm` of value `v` (nil if none).
#[inline]
pub fn tm_of(l: &State, v: &TValue, tm: Tm) -> TValue {
    let mt = l.g().metatable_of(v);
    fast_tm(l, mt, tm)
}

/// Calls metamethod `f(a, b)` and returns its first result.
pub fn call_tm_res(l: &mut State, f: TValue, a: TValue, b: TValue) -> LuaResult<TValue> {
    call::call_value_1(l, f, &[a, b])
}

// ---------------------------------------------------------------------------
// Number coercions (§3.4.3)

/// A string converted to a number, if it is a numeral.
pub fn str_to_number(s: &[u8]) -> Option<TValue> {
    match str2number(s)? {
        Numeral::Int(i) => Some(TValue::int(i)),
        Numeral::Float(f) => Some(TValue::float(f)),
    }
}

/// The value as a number, converting strings (§3.4.3).
#[inline]
pub fn to_number(v: &TValue) -> Option<TValue> {
    match v.tt {
        TINT | TFLOAT => Some(*v),
        // SAFETY: string payloads are live strings.
        TSTR => str_to_number(unsafe { (*v.as_string()).as_bytes() }),
        _ => None,
    }
}

/// The value as an integer: integers, floats with an exact integer value,
/// and strings convertible to those (§3.4.3).
#[inline]
pub fn to_integer(v: &TValue) -> Option<i64> {
    match v.tt {
        TINT => Some(v.as_int()),
        TFLOAT => float_to_int_exact(v.as_float()),
        TSTR => to_number(v).and_then(|n| to_integer(&n)),
        _ => None,
    }
}

/// The value as a float (numbers and numeric strings).
#[inline]
pub fn to_float(v: &TValue) -> Option<f64> {
    match v.tt {
        TINT => Some(v.as_int() as f64),
        TFLOAT => Some(v.as_float()),
        TSTR => to_number(v).and_then(|n| n.to_f64()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Arithmetic (§3.4.1, §3.4.2)

/// Floor division of integers; `None` for division by zero.
#[inline]
pub fn int_idiv(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        return Some(a.wrapping_neg());
    }
    let q = a / b;
    if (a % b != 0) && ((a ^ b) < 0) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

/// Integer modulo with the sign of the divisor; `None` for zero.
#[inline]
pub fn int_mod(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        return Some(0);
    }
    let m = a % b;
    if m != 0 && (m ^ b) < 0 {
        Some(m + b)
    } else {
        Some(m)
    }
}

/// Float modulo (§3.4.1: `a - floor(a/b)*b`, computed as C's fmod adjusted).
#[inline]
pub fn float_mod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if (m > 0.0 && b < 0.0) || (m < 0.0 && b > 0.0) {
        m + b
    } else {
        m
    }
}

/// Logical shift left; negative counts shift right (§3.4.2).
#[inline]
pub fn shift_left(x: i64, n: i64) -> i64 {
    if n <= -64 || n >= 64 {
        0
    } else if n >= 0 {
        ((x as u64) << n) as i64
    } else {
        ((x as u64) >> (-n)) as i64
    }
}

/// Raw arithmetic on two numbers (no coercion, no metamethods); `None` when
/// the operands do not fit the operation (non-numbers, non-integral floats for
/// bitwise operators). Integer division or modulo by zero is reported as
/// `Err`.
#[inline]
pub fn arith_raw(op: ArithOp, a: &TValue, b: &TValue) -> Result<Option<TValue>, &'static str> {
    use ArithOp::*;
    if op.is_bitwise() {
        let (x, y) = match (num_to_int(a), num_to_int(b)) {
            (Some(x), Some(y)) => (x, y),
            _ => return Ok(None),
        };
        return Ok(Some(TValue::int(match op {
            BAnd => x & y,
            BOr => x | y,
            BXor => x ^ y,
            Shl => shift_left(x, y),
            Shr => shift_left(x, y.wrapping_neg()),
            BNot => !x,
            _ => unreachable!(),
        })));
    }
    if a.tt == TINT && b.tt == TINT {
        let (x, y) = (a.as_int(), b.as_int());
        return Ok(Some(match op {
            Add => TValue::int(x.wrapping_add(y)),
            Sub => TValue::int(x.wrapping_sub(y)),
            Mul => TValue::int(x.wrapping_mul(y)),
            Mod => TValue::int(int_mod(x, y).ok_or("attempt to perform 'n%0'")?),
            IDiv => TValue::int(int_idiv(x, y).ok_or("attempt to divide by zero")?),
            Unm => TValue::int(x.wrapping_neg()),
            Div => TValue::float(x as f64 / y as f64),
            Pow => TValue::float((x as f64).powf(y as f64)),
            _ => unreachable!(),
        }));
    }
    let (x, y) = match (a.to_f64(), b.to_f64()) {
        (Some(x), Some(y)) => (x, y),
        _ => return Ok(None),
    };
    Ok(Some(TValue::float(match op {
        Add => x + y,
        Sub => x - y,
        Mul => x * y,
        Div => x / y,
        Mod => {
            if y.is_infinite() && x.is_finite() {
                if (x >= 0.0) == (y > 0.0) {
                    x
                } else {
                    y
                }
            } else {
                float_mod(x, y)
            }
        }
        IDiv => (x / y).floor(),
        Pow => {
            if y == 2.0 {
                x * x
            } else {
                x.powf(y)
            }
        }
        Unm => -x,
        _ => unreachable!(),
    })))
}

#[inline]
fn num_to_int(v: &TValue) -> Option<i64> {
    match v.tt {
        TINT => Some(v.as_int()),
        TFLOAT => float_to_int_exact(v.as_float()),
        _ => None,
    }
}

/// The full semantics of a binary (or unary, with `b == a`) arithmetic or
/// bitwise operator: coercion of strings, then `__add`-style metamethods of
/// the first then the second operand, else an error naming the culprit.
/// `pa`/`pb` are where the operands live (for the variable name in errors).
pub fn arith(
    l: &mut State,
    op: ArithOp,
    a: TValue,
    b: TValue,
    pa: *const TValue,
    pb: *const TValue,
) -> LuaResult<TValue> {
    match arith_raw(op, &a, &b) {
        Ok(Some(v)) => return Ok(v),
        Ok(None) => {}
        Err(m) => return Err(l.rt_error(m)),
    }
    let tm = op.tm();
    let mut f = tm_of(l, &a, tm);
    if f.is_nil() {
        f = tm_of(l, &b, tm);
    }
    if !f.is_nil() {
        return call_tm_res(l, f, a, b);
    }
    // error
    if op.is_bitwise() {
        if a.is_number() && b.is_number() {
            let p = if num_to_int(&a).is_none() { pa } else { pb };
            let vi = varinfo(l, p);
            return Err(l.rt_error(format!("number{vi} has no integer representation")));
        }
        let (bad, p) = if !a.is_number() { (a, pa) } else { (b, pb) };
        let vi = varinfo(l, p);
        return Err(l.rt_error(format!(
            "attempt to perform bitwise operation on a {} value{}",
            type_name_mt(l, &bad),
            vi
        )));
    }
    let (bad, p) = if to_number(&a).is_none() {
        (a, pa)
    } else {
        (b, pb)
    };
    let vi = varinfo(l, p);
    Err(l.rt_error(format!(
        "attempt to perform arithmetic on a {} value{}",
        type_name_mt(l, &bad),
        vi
    )))
}

/// The type name used in error messages: `__name` of the metatable when it
/// is a string (PUC's `luaT_objtypename`), else the basic type name.
pub fn type_name_mt(l: &State, v: &TValue) -> String {
    if v.tt == TTABLE || v.tt == TUSERDATA {
        let mt = l.g().metatable_of(v);
        if !mt.is_null() {
            // SAFETY: mt is a live table.
            let n = unsafe { (*mt).get_str(l.g().tm_name(Tm::Name)) };
            if n.tt == TSTR {
                // SAFETY: n is a live string.
                return unsafe { (*n.as_string()).to_str_lossy().into_owned() };
            }
        }
    }
    v.type_name().to_string()
}

// ---------------------------------------------------------------------------
// Comparison (§3.4.4)

/// 2^63 as a float: the first float above every `i64`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// `i < f` exactly.
#[inline]
pub fn lt_int_float(i: i64, f: f64) -> bool {
    if f.is_nan() {
        false
    } else if f >= TWO_POW_63 {
        true
    } else if f > -TWO_POW_63 {
        i < f.ceil() as i64
    } else {
        false
    }
}

/// `i <= f` exactly.
#[inline]
pub fn le_int_float(i: i64, f: f64) -> bool {
    if f.is_nan() {
        false
    } else if f >= TWO_POW_63 {
        true
    } else if f >= -TWO_POW_63 {
        i <= f.floor() as i64
    } else {
        false
    }
}

/// `f < i` exactly.
#[inline]
pub fn lt_float_int(f: f64, i: i64) -> bool {
    if f.is_nan() || f >= TWO_POW_63 {
        false
    } else if f >= -TWO_POW_63 {
        (f.floor() as i64) < i
    } else {
        true
    }
}

/// `f <= i` exactly.
#[inline]
pub fn le_float_int(f: f64, i: i64) -> bool {
    if f.is_nan() || f >= TWO_POW_63 {
        false
    } else if f > -TWO_POW_63 {
        (f.ceil() as i64) <= i
    } else {
        true
    }
}

/// Numeric `<` of two numbers.
#[inline]
pub fn num_lt(a: &TValue, b: &TValue) -> bool {
    match (a.tt, b.tt) {
        (TINT, TINT) => a.as_int() < b.as_int(),
        (TFLOAT, TFLOAT) => a.as_float() < b.as_float(),
        (TINT, _) => lt_int_float(a.as_int(), b.as_float()),
        _ => lt_float_int(a.as_float(), b.as_int()),
    }
}

/// Numeric `<=` of two numbers.
#[inline]
pub fn num_le(a: &TValue, b: &TValue) -> bool {
    match (a.tt, b.tt) {
        (TINT, TINT) => a.as_int() <= b.as_int(),
        (TFLOAT, TFLOAT) => a.as_float() <= b.as_float(),
        (TINT, _) => le_int_float(a.as_int(), b.as_float()),
        _ => le_float_int(a.as_float(), b.as_int()),
    }
}

fn str_bytes(v: &TValue) -> &[u8] {
    // SAFETY: called only for string values, which are live.
    unsafe { (*v.as_string()).as_bytes() }
}

/// `a < b` with metamethods (§3.4.4).
pub fn less_than(l: &mut State, a: TValue, b: TValue) -> LuaResult<bool> {
    if a.is_number() && b.is_number() {
        return Ok(num_lt(&a, &b));
    }
    if a.tt == TSTR && b.tt == TSTR {
        return Ok(str_bytes(&a) < str_bytes(&b));
    }
    compare_tm(l, a, b, Tm::Lt)
}

/// `a <= b` with metamethods (§3.4.4). Like Debian's lua5.4 (built with
/// LUA_COMPAT_5_3), a missing `__le` falls back to `not (b < a)` with `__lt`.
pub fn less_equal(l: &mut State, a: TValue, b: TValue) -> LuaResult<bool> {
    if a.is_number() && b.is_number() {
        return Ok(num_le(&a, &b));
    }
    if a.tt == TSTR && b.tt == TSTR {
        return Ok(str_bytes(&a) <= str_bytes(&b));
    }
    let le_a = tm_of(l, &a, Tm::Le);
    if le_a.is_nil() && tm_of(l, &b, Tm::Le).is_nil() {
        let mut f = tm_of(l, &b, Tm::Lt);
        if f.is_nil() {
            f = tm_of(l, &a, Tm::Lt);
        }
        if !f.is_nil() {
            return Ok(call_tm_res(l, f, b, a)?.is_falsy());
        }
    }
    compare_tm(l, a, b, Tm::Le)
}

fn compare_tm(l: &mut State, a: TValue, b: TValue, tm: Tm) -> LuaResult<bool> {
    let mut f = tm_of(l, &a, tm);
    if f.is_nil() {
        f = tm_of(l, &b, tm);
    }
    if f.is_nil() {
        let (ta, tb) = (type_name_mt(l, &a), type_name_mt(l, &b));
        return Err(if ta == tb {
            l.rt_error(format!("attempt to compare two {ta} values"))
        } else {
            l.rt_error(format!("attempt to compare {ta} with {tb}"))
        });
    }
    Ok(!call_tm_res(l, f, a, b)?.is_falsy())
}

/// `a == b` with `__eq` (§3.4.4).
pub fn equal(l: &mut State, a: TValue, b: TValue) -> LuaResult<bool> {
    if a.tt != b.tt {
        return Ok(a.raw_equal(&b));
    }
    if a.raw_equal(&b) {
        return Ok(true);
    }
    if a.tt != TTABLE && a.tt != TUSERDATA {
        return Ok(false);
    }
    let mut f = tm_of(l, &a, Tm::Eq);
    if f.is_nil() {
        f = tm_of(l, &b, Tm::Eq);
    }
    if f.is_nil() {
        return Ok(false);
    }
    Ok(!call_tm_res(l, f, a, b)?.is_falsy())
}

// ---------------------------------------------------------------------------
// Indexing (§2.4 __index / __newindex)

/// Longest `__index`/`__newindex` chain (PUC's MAXTAGLOOP).
const MAX_TAG_LOOP: usize = 2000;

/// `t[s]` for a table and a string key when every `__index` on the way is a
/// table (the method-lookup case); `None` when a function or a non-table
/// `__index` needs the general path.
#[inline]
pub fn index_str_chain(
    l: &State,
    t: *mut Table,
    key: *mut crate::runtime::string::LuaString,
) -> Option<TValue> {
    let mut t = t;
    for _ in 0..MAX_TAG_LOOP {
        // SAFETY: t is a live table (the argument, or an __index table
        // reachable from its metatable).
        unsafe {
            let v = (*t).get_str(key);
            if !v.is_nil() {
                return Some(v);
            }
            let mt = (*t).metatable;
            if mt.is_null() {
                return Some(TValue::NIL);
            }
            let h = fast_tm(l, mt, Tm::Index);
            if h.tt != TTABLE {
                return if h.is_nil() { Some(TValue::NIL) } else { None };
            }
            t = h.as_table();
        }
    }
    None
}

/// `t[k]` with `__index`. `pt` locates `t` for the error message.
pub fn index(l: &mut State, t: TValue, k: TValue, pt: *const TValue) -> LuaResult<TValue> {
    let mut t = t;
    for loop_n in 0..MAX_TAG_LOOP {
        let tm;
        if t.tt == TTABLE {
            let h = t.as_table();
            // SAFETY: t is a live table.
            let v = unsafe { (*h).get(&k) };
            if !v.is_nil() {
                return Ok(v);
            }
            // SAFETY: as above.
            tm = fast_tm(l, unsafe { (*h).metatable }, Tm::Index);
            if tm.is_nil() {
                return Ok(TValue::NIL);
            }
        } else {
            tm = tm_of(l, &t, Tm::Index);
            if tm.is_nil() {
                return Err(index_error(
                    l,
                    t,
                    k,
                    if loop_n == 0 { pt } else { std::ptr::null() },
                ));
            }
        }
        if tm.is_function() {
            return call_tm_res(l, tm, t, k);
        }
        t = tm;
    }
    Err(l.rt_error("'__index' chain too long; possible loop"))
}

/// The "attempt to index" error, with the variable name, and for a constant
/// string key the key (5.4.6: "(field 'x')" describes the indexed value).
pub fn index_error(l: &mut State, t: TValue, k: TValue, pt: *const TValue) -> LuaError {
    let vi = varinfo(l, pt);
    let _ = k;
    l.rt_error(format!(
        "attempt to index a {} value{}",
        type_name_mt(l, &t),
        vi
    ))
}

/// `t[k] = v` with `__newindex`. `pt` locates `t` for the error message.
pub fn set_index(
    l: &mut State,
    t: TValue,
    k: TValue,
    v: TValue,
    pt: *const TValue,
) -> LuaResult<()> {
    let mut t = t;
    for loop_n in 0..MAX_TAG_LOOP {
        let tm;
        if t.tt == TTABLE {
            let h = t.as_table();
            // SAFETY: t is a live table.
            unsafe {
                if let Some(slot) = (*h).get_present_slot(&k) {
                    *slot = v;
                    return Ok(());
                }
                tm = fast_tm(l, (*h).metatable, Tm::NewIndex);
                if tm.is_nil() {
                    return raw_set_checked(l, h, k, v);
                }
            }
        } else {
            tm = tm_of(l, &t, Tm::NewIndex);
            if tm.is_nil() {
                return Err(index_error(
                    l,
                    t,
                    k,
                    if loop_n == 0 { pt } else { std::ptr::null() },
                ));
            }
        }
        if tm.is_function() {
            let saved = l.top;
            call::call_value_n(l, tm, &[t, k, v], 0)?;
            l.top = saved;
            return Ok(());
        }
        t = tm;
    }
    Err(l.rt_error("'__newindex' chain too long; possible loop"))
}

/// `rawset` with the nil/NaN key errors.
pub fn raw_set_checked(l: &mut State, h: *mut Table, k: TValue, v: TValue) -> LuaResult<()> {
    // SAFETY: h is a live table.
    match unsafe { (*h).set(k, v) } {
        Ok(()) => Ok(()),
        Err(e) => Err(l.rt_error(e.message())),
    }
}

// ---------------------------------------------------------------------------
// Length (§3.4.7)

/// `#v` with `__len`.
pub fn length(l: &mut State, v: TValue, pv: *const TValue) -> LuaResult<TValue> {
    match v.tt {
        TSTR => Ok(TValue::int(str_bytes(&v).len() as i64)),
        TTABLE => {
            // SAFETY: live table.
            let mt = unsafe { (*v.as_table()).metatable };
            let f = fast_tm(l, mt, Tm::Len);
            if f.is_nil() {
                // SAFETY: live table.
                Ok(TValue::int(unsafe { (*v.as_table()).length() }))
            } else {
                call_tm_res(l, f, v, v)
            }
        }
        _ => {
            let f = tm_of(l, &v, Tm::Len);
            if f.is_nil() {
                let vi = varinfo(l, pv);
                Err(l.rt_error(format!(
                    "attempt to get length of a {} value{}",
                    type_name_mt(l, &v),
                    vi
                )))
            } else {
                call_tm_res(l, f, v, v)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Strings of values

/// Appends the decimal text of a number (`tostring` format: integers as
/// `%d`, floats as `%.14g` with ".0" added when integral-looking).
pub fn number_to_buf(v: &TValue, out: &mut Vec<u8>) {
    use std::io::Write;
    if v.tt == TINT {
        let _ = write!(out, "{}", v.as_int());
    } else {
        crate::stdlib::fmt::write_float(v.as_float(), out);
    }
}

/// The string form of a number or string (for concatenation and coercion);
/// `None` for other types.
pub fn to_str_coerce(l: &mut State, v: &TValue) -> Option<TValue> {
    match v.tt {
        TSTR => Some(*v),
        TINT | TFLOAT => {
            let mut buf = Vec::with_capacity(24);
            number_to_buf(v, &mut buf);
            Some(l.str_value(&buf))
        }
        _ => None,
    }
}

/// `tostring(v)` (§6.1, `luaL_tolstring`): `__tostring`, then `__name`, then
/// the default forms. Errors if `__tostring` returns a non-string.
pub fn tostring(l: &mut State, v: TValue) -> LuaResult<TValue> {
    let f = tm_of(l, &v, Tm::ToString);
    if !f.is_nil() {
        let r = call::call_value_1(l, f, &[v])?;
        if r.is_number() {
            return Ok(to_str_coerce(l, &r).unwrap_or(r));
        }
        if r.tt != TSTR {
            return Err(l.error("'__tostring' must return a string"));
        }
        return Ok(r);
    }
    if v.tt == TSTR {
        return Ok(v);
    }
    let s = default_tostring(l, &v);
    Ok(l.str_value(s.as_bytes()))
}

/// The default text of a value without `__tostring` (`table: 0x...`).
pub fn default_tostring(l: &State, v: &TValue) -> String {
    match v.tt {
        TNIL => "nil".into(),
        TFALSE => "false".into(),
        TTRUE => "true".into(),
        TINT | TFLOAT => {
            let mut b = Vec::new();
            number_to_buf(v, &mut b);
            String::from_utf8_lossy(&b).into_owned()
        }
        TSTR => str_bytes_lossy(v),
        TLIGHTUD => format!("userdata: {:#x}", v.val),
        TNCL => format!("function: {:#x}", v.val),
        _ => {
            let kind = type_name_mt(l, v);
            format!("{}: {:#x}", kind, v.val)
        }
    }
}

fn str_bytes_lossy(v: &TValue) -> String {
    String::from_utf8_lossy(str_bytes(v)).into_owned()
}

/// A value as text for messages (error objects that are not strings get
/// PUC's "(error object is a X value)").
pub fn to_display_string(l: &mut State, v: &TValue) -> String {
    match v.tt {
        TSTR => str_bytes_lossy(v),
        TINT | TFLOAT => default_tostring(l, v),
        _ => {
            let f = tm_of(l, v, Tm::ToString);
            if !f.is_nil() {
                if let Ok(s) = call::pcall_value_1(l, f, &[*v]) {
                    if s.tt == TSTR {
                        return str_bytes_lossy(&s);
                    }
                }
            }
            format!("(error object is a {} value)", v.type_name())
        }
    }
}

// ---------------------------------------------------------------------------
// Concatenation (§3.4.6)

/// Longest string a concatenation may build (bytes); longer is the error
/// "string length overflow" rather than an allocation that could fail.
pub const MAX_STRING_LEN: usize = 1 << 32;

/// Concatenates the `n` values at `l.stack[top-n..top]` into one value left
/// at `top-n`; `top` becomes `top-n+1`. Runs of strings and numbers are
/// joined at once; other pairs go through `__concat`, right to left.
/// `first_reg` is the stack index of the first operand register (for error
/// names).
pub fn concat(l: &mut State, n: usize) -> LuaResult<()> {
    let mut n = n;
    while n > 1 {
        let top = l.top;
        let a = l.stack[top - 2];
        let b = l.stack[top - 1];
        let a_ok = a.tt == TSTR || a.is_number();
        let b_ok = b.tt == TSTR || b.is_number();
        if a_ok && b_ok {
            // collect as many string/number operands as possible
            let mut k = 2;
            while k < n {
                let v = l.stack[top - k - 1];
                if v.tt == TSTR || v.is_number() {
                    k += 1;
                } else {
                    break;
                }
            }
            let mut total = 0usize;
            for i in 0..k {
                let v = l.stack[top - k + i];
                total += if v.tt == TSTR {
                    str_bytes(&v).len()
                } else {
                    24
                };
            }
            if total >= MAX_STRING_LEN {
                return Err(l.rt_error("string length overflow"));
            }
            let mut buf = Vec::new();
            if buf.try_reserve_exact(total).is_err() {
                return Err(l.mem_error());
            }
            for i in 0..k {
                let v = l.stack[top - k + i];
                if v.tt == TSTR {
                    buf.extend_from_slice(str_bytes(&v));
                } else {
                    number_to_buf(&v, &mut buf);
                }
            }
            let s = l.str_value(&buf);
            l.stack[top - k] = s;
            l.top = top - k + 1;
            n -= k - 1;
        } else {
            let mut f = tm_of(l, &a, Tm::Concat);
            if f.is_nil() {
                f = tm_of(l, &b, Tm::Concat);
            }
            if f.is_nil() {
                let (bad, idx) = if a_ok { (b, top - 1) } else { (a, top - 2) };
                let p = l.stack.as_ptr().wrapping_add(idx);
                let vi = varinfo(l, p);
                return Err(l.rt_error(format!(
                    "attempt to concatenate a {} value{}",
                    type_name_mt(l, &bad),
                    vi
                )));
            }
            let r = call_tm_res(l, f, a, b)?;
            l.top = top;
            l.stack[top - 2] = r;
            l.top = top - 1;
            n -= 1;
        }
    }
    Ok(())
}
