//! Helpers for native library functions (the role of PUC's `lauxlib`):
//! argument access and checking with PUC's messages ("bad argument #1 to
//! 'insert' (table expected, got nil)"), and registration of functions.
//!
//! Arguments of the running native function are the stack slots
//! `ci.base .. l.top`; `arg(l, 1)` is the first. Results are pushed and their
//! count returned.

use crate::runtime::debug;
use crate::runtime::error::{LuaError, LuaResult};
use crate::runtime::func::NativeFn;
use crate::runtime::state::State;
use crate::runtime::string::LuaString;
use crate::runtime::table::Table;
use crate::runtime::tm;
use crate::runtime::value::*;

/// Number of arguments of the running native function.
#[inline]
pub fn nargs(l: &State) -> usize {
    l.top - l.ci().base
}

/// Argument `n` (1-based); nil when absent.
#[inline]
pub fn arg(l: &State, n: usize) -> TValue {
    let i = l.ci().base + n - 1;
    if i < l.top {
        l.stack[i]
    } else {
        TValue::NIL
    }
}

/// Stores into argument slot `n` (which must exist).
pub fn set_arg(l: &mut State, n: usize, v: TValue) {
    let i = l.ci().base + n - 1;
    if i < l.top {
        l.stack[i] = v;
    }
}

/// The name of the running native function for messages, and whether it was
/// called as a method.
fn current_func_name(l: &State) -> (String, bool) {
    let idx = l.cis.len() - 1;
    if let Some((what, name)) = debug::func_name_from_caller(l, idx) {
        return (name, what == "method");
    }
    let f = l.stack[l.ci().func];
    if let Some(g) = debug::global_func_name(l, &f) {
        return (g, false);
    }
    if f.tt == TNCL {
        // SAFETY: a live native closure.
        let n = unsafe { (*f.as_native()).name };
        if !n.is_empty() {
            return (n.to_string(), false);
        }
    }
    ("?".into(), false)
}

/// "bad argument #n to 'f' (msg)" (`luaL_argerror`).
pub fn arg_error(l: &mut State, n: usize, msg: &str) -> LuaError {
    let (name, is_method) = current_func_name(l);
    let mut n = n as i64;
    if is_method {
        n -= 1;
        if n == 0 {
            return l.error(format!("calling '{name}' on bad self ({msg})"));
        }
    }
    l.error(format!("bad argument #{n} to '{name}' ({msg})"))
}

/// The type name for "X expected, got Y" (`luaL_typeerror`): `__name`, or
/// "light userdata", or "no value" for a missing argument.
pub fn type_error(l: &mut State, n: usize, expected: &str) -> LuaError {
    let got = if n > nargs(l) {
        "no value".to_string()
    } else {
        let v = arg(l, n);
        if v.tt == TLIGHTUD {
            "light userdata".into()
        } else {
            tm::type_name_mt(l, &v)
        }
    };
    arg_error(l, n, &format!("{expected} expected, got {got}"))
}

/// Any value (error "value expected" when absent).
pub fn check_any(l: &mut State, n: usize) -> LuaResult<TValue> {
    if n > nargs(l) {
        return Err(arg_error(l, n, "value expected"));
    }
    Ok(arg(l, n))
}

/// An integer argument (§6 conventions: floats with integral value and
/// numeric strings are accepted).
pub fn check_int(l: &mut State, n: usize) -> LuaResult<i64> {
    let v = arg(l, n);
    if v.tt == TINT {
        return Ok(v.as_int());
    }
    match tm::to_integer(&v) {
        Some(i) => Ok(i),
        None => {
            if tm::to_number(&v).is_some() {
                Err(arg_error(l, n, "number has no integer representation"))
            } else {
                Err(type_error(l, n, "number"))
            }
        }
    }
}

/// An optional integer argument.
pub fn opt_int(l: &mut State, n: usize, default: i64) -> LuaResult<i64> {
    if arg(l, n).is_nil() {
        Ok(default)
    } else {
        check_int(l, n)
    }
}

/// A number argument (numeric strings converted).
pub fn check_number(l: &mut State, n: usize) -> LuaResult<TValue> {
    let v = arg(l, n);
    if v.is_number() {
        return Ok(v);
    }
    match tm::to_number(&v) {
        Some(x) => Ok(x),
        None => Err(type_error(l, n, "number")),
    }
}

/// A number argument as a float.
pub fn check_f64(l: &mut State, n: usize) -> LuaResult<f64> {
    Ok(check_number(l, n)?.to_f64().unwrap_or(0.0))
}

/// An optional number argument as a float.
pub fn opt_f64(l: &mut State, n: usize, default: f64) -> LuaResult<f64> {
    if arg(l, n).is_nil() {
        Ok(default)
    } else {
        check_f64(l, n)
    }
}

/// A string argument; numbers are converted and the slot updated
/// (`luaL_checklstring`).
pub fn check_str(l: &mut State, n: usize) -> LuaResult<*mut LuaString> {
    let v = arg(l, n);
    if v.tt == TSTR {
        return Ok(v.as_string());
    }
    if v.is_number() {
        let s = tm::to_str_coerce(l, &v).unwrap_or(TValue::NIL);
        set_arg(l, n, s);
        return Ok(s.as_string());
    }
    Err(type_error(l, n, "string"))
}

/// An optional string argument.
pub fn opt_str(l: &mut State, n: usize) -> LuaResult<Option<*mut LuaString>> {
    if arg(l, n).is_nil() {
        Ok(None)
    } else {
        check_str(l, n).map(Some)
    }
}

/// The bytes of a string object.
///
/// # Safety
/// The string must stay alive (rooted in a stack slot) while the slice is used.
#[inline]
pub unsafe fn bytes<'a>(s: *mut LuaString) -> &'a [u8] {
    (*s).as_bytes()
}

/// A table argument.
pub fn check_table(l: &mut State, n: usize) -> LuaResult<*mut Table> {
    let v = arg(l, n);
    if v.tt == TTABLE {
        Ok(v.as_table())
    } else {
        Err(type_error(l, n, "table"))
    }
}

/// A function argument.
pub fn check_function(l: &mut State, n: usize) -> LuaResult<TValue> {
    let v = arg(l, n);
    if v.is_function() {
        Ok(v)
    } else {
        Err(type_error(l, n, "function"))
    }
}

/// Checks an argument's type.
pub fn check_type(l: &mut State, n: usize, t: LuaType) -> LuaResult<TValue> {
    let v = arg(l, n);
    if v.ltype() == t && !(t == LuaType::Nil && n > nargs(l)) {
        Ok(v)
    } else {
        Err(type_error(l, n, t.name()))
    }
}

/// An option among names (`luaL_checkoption`).
pub fn check_option(
    l: &mut State,
    n: usize,
    default: Option<&str>,
    opts: &[&str],
) -> LuaResult<usize> {
    let name = match (arg(l, n).is_nil(), default) {
        (true, Some(d)) => d.to_string(),
        _ => {
            let s = check_str(l, n)?;
            // SAFETY: s is rooted in the argument slot.
            String::from_utf8_lossy(unsafe { bytes(s) }).into_owned()
        }
    };
    match opts.iter().position(|o| *o == name) {
        Some(i) => Ok(i),
        None => Err(arg_error(l, n, &format!("invalid option '{name}'"))),
    }
}

/// Pushes a string and returns 1 (common tail of string functions).
pub fn ret_str(l: &mut State, s: &[u8]) -> LuaResult<usize> {
    l.push_str(s);
    Ok(1)
}

/// Sets `t[name] = native function`.
pub fn set_fn(l: &mut State, t: *mut Table, name: &'static str, f: NativeFn) {
    let c = l.g().new_native(f, name, Vec::new());
    let k = l.g().intern(name.as_bytes());
    // SAFETY: t is a live table.
    unsafe { (*t).set_str(k, TValue::native(c)) };
}

/// Creates a library table with functions and registers it as a global and
/// in `package.loaded` (`luaL_newlib` + `luaL_requiref`).
pub fn new_lib(l: &mut State, name: &str, funcs: &[(&'static str, NativeFn)]) -> *mut Table {
    let t = l.g().new_table(0, funcs.len());
    for &(n, f) in funcs {
        set_fn(l, t, n, f);
    }
    register_lib(l, name, t);
    t
}

/// `_G[name] = t` and `package.loaded[name] = t`.
pub fn register_lib(l: &mut State, name: &str, t: *mut Table) {
    let g = l.g();
    let k = g.intern(name.as_bytes());
    // SAFETY: globals and the loaded table are live.
    unsafe {
        (*g.globals).set_str(k, TValue::table(t));
        let loaded = loaded_table(l);
        (*loaded).set_str(k, TValue::table(t));
    }
}

/// `registry._LOADED` (created on first use).
pub fn loaded_table(l: &mut State) -> *mut Table {
    let g = l.g();
    let k = g.intern(b"_LOADED");
    // SAFETY: the registry is live.
    unsafe {
        let v = (*g.registry).get_str(k);
        if v.tt == TTABLE {
            return v.as_table();
        }
        let t = g.new_table(0, 16);
        (*g.registry).set_str(k, TValue::table(t));
        t
    }
}

/// Reads `t[name]` raw for a static name.
pub fn get_field(l: &mut State, t: *mut Table, name: &str) -> TValue {
    let k = l.g().intern(name.as_bytes());
    // SAFETY: t is a live table.
    unsafe { (*t).get_str(k) }
}

/// Sets `t[name] = v` raw for a static name.
pub fn set_field(l: &mut State, t: *mut Table, name: &str, v: TValue) {
    let k = l.g().intern(name.as_bytes());
    // SAFETY: t is a live table.
    unsafe { (*t).set_str(k, v) };
}

/// `tostring` of any value into bytes (`luaL_tolstring`).
pub fn tostring_bytes(l: &mut State, v: TValue) -> LuaResult<Vec<u8>> {
    match v.tt {
        TSTR => Ok(unsafe_bytes(&v).to_vec()),
        TINT | TFLOAT => {
            let mut b = Vec::new();
            tm::number_to_buf(&v, &mut b);
            Ok(b)
        }
        _ => {
            let s = tm::tostring(l, v)?;
            Ok(unsafe_bytes(&s).to_vec())
        }
    }
}

fn unsafe_bytes(v: &TValue) -> &[u8] {
    // SAFETY: v is a live string value held by the caller.
    unsafe { (*v.as_string()).as_bytes() }
}
