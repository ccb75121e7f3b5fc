//! The string library (§6.4) and the string metatable (`("x"):upper()`).
//! The byte-level algorithms live in `pattern` (Lua patterns), `fmt`
//! (printf conversions) and `pack` (binary packing); this file converts
//! between them and Lua values.

use super::aux::*;
use super::pattern::{self, Capture, Match, PatternError};
use crate::interp::call;
use crate::runtime::error::{LuaError, LuaResult};
use crate::runtime::state::State;
use crate::runtime::tm;
use crate::runtime::value::*;

/// Registers the string library and sets it as `__index` of the string
/// metatable.
pub fn open(l: &mut State) {
    let t = new_lib(
        l,
        "string",
        &[
            ("byte", byte),
            ("char", char_),
            ("find", find),
            ("format", format),
            ("gmatch", gmatch),
            ("gsub", gsub),
            ("len", len),
            ("lower", lower),
            ("match", match_),
            ("rep", rep),
            ("reverse", reverse),
            ("sub", sub),
            ("upper", upper),
            ("pack", super::strpack::pack),
            ("packsize", super::strpack::packsize),
            ("unpack", super::strpack::unpack),
            ("dump", super::strpack::dump),
        ],
    );
    let mt = l.g().new_table(0, 10);
    set_field(l, mt, "__index", TValue::table(t));
    let arith: &[(&'static str, crate::runtime::func::NativeFn)] = &[
        ("__add", arith_add),
        ("__sub", arith_sub),
        ("__mul", arith_mul),
        ("__mod", arith_mod),
        ("__pow", arith_pow),
        ("__div", arith_div),
        ("__idiv", arith_idiv),
        ("__unm", arith_unm),
    ];
    for &(n, f) in arith {
        set_fn(l, mt, n, f);
    }
    l.g().type_mt[LuaType::String.index()] = mt;
}

/// A string argument's bytes (numbers converted).
fn str_arg<'a>(l: &mut State, n: usize) -> LuaResult<&'a [u8]> {
    let s = check_str(l, n)?;
    // SAFETY: the string is rooted in its argument slot for the whole call.
    Ok(unsafe { bytes(s) })
}

/// Converts a relative start position (§6.4: negatives count from the end).
fn posrelat_start(pos: i64, len: usize) -> usize {
    if pos > 0 {
        pos as usize
    } else if pos == 0 || pos < -(len as i64) {
        1
    } else {
        (len as i64 + pos + 1) as usize
    }
}

/// Converts an end position, clipping to the length.
fn get_end_pos(pos: i64, len: usize) -> usize {
    if pos > len as i64 {
        len
    } else if pos >= 0 {
        pos as usize
    } else if pos < -(len as i64) {
        0
    } else {
        (len as i64 + pos + 1) as usize
    }
}

fn len(l: &mut State) -> LuaResult<usize> {
    let s = str_arg(l, 1)?;
    l.push(TValue::int(s.len() as i64));
    Ok(1)
}

fn sub(l: &mut State) -> LuaResult<usize> {
    let s = str_arg(l, 1)?;
    let i = posrelat_start(check_int(l, 2)?, s.len());
    let j = get_end_pos(opt_int(l, 3, -1)?, s.len());
    if i <= j {
        ret_str(l, &s[i - 1..j])
    } else {
        ret_str(l, b"")
    }
}

fn upper(l: &mut State) -> LuaResult<usize> {
    let s = str_arg(l, 1)?.to_ascii_uppercase();
    ret_str(l, &s)
}

fn lower(l: &mut State) -> LuaResult<usize> {
    let s = str_arg(l, 1)?.to_ascii_lowercase();
    ret_str(l, &s)
}

fn reverse(l: &mut State) -> LuaResult<usize> {
    let mut s = str_arg(l, 1)?.to_vec();
    s.reverse();
    ret_str(l, &s)
}

/// Largest string `rep`/`format` will build (PUC's MAXSIZE is larger; beyond
/// this we report "resulting string too large" instead of exhausting memory).
const MAX_STRING: usize = 1 << 31;

fn rep(l: &mut State) -> LuaResult<usize> {
    let s = str_arg(l, 1)?;
    let n = check_int(l, 2)?;
    let sep = match opt_str(l, 3)? {
        // SAFETY: rooted argument.
        Some(p) => unsafe { bytes(p) },
        None => b"",
    };
    if n <= 0 {
        return ret_str(l, b"");
    }
    let total = (s.len() as u128 + sep.len() as u128) * n as u128;
    if total >= MAX_STRING as u128 {
        return Err(l.error("resulting string too large"));
    }
    let mut out = Vec::new();
    if out.try_reserve(total as usize).is_err() {
        return Err(l.mem_error());
    }
    for k in 0..n {
        out.extend_from_slice(s);
        if k + 1 < n {
            out.extend_from_slice(sep);
        }
    }
    ret_str(l, &out)
}

fn byte(l: &mut State) -> LuaResult<usize> {
    let s = str_arg(l, 1)?;
    let pi = opt_int(l, 2, 1)?;
    let i = posrelat_start(pi, s.len());
    let j = get_end_pos(opt_int(l, 3, pi)?, s.len());
    if i > j {
        return Ok(0);
    }
    let n = j - i + 1;
    if l.check_stack(n).is_err() {
        return Err(l.error("string slice too long"));
    }
    for k in 0..n {
        l.push(TValue::int(s[i - 1 + k] as i64));
    }
    Ok(n)
}

fn char_(l: &mut State) -> LuaResult<usize> {
    let n = nargs(l);
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let c = check_int(l, i)?;
        if !(0..=255).contains(&c) {
            return Err(arg_error(l, i, "value out of range"));
        }
        out.push(c as u8);
    }
    ret_str(l, &out)
}

fn pattern_error(l: &mut State, e: PatternError) -> LuaError {
    l.error(e.message())
}

fn push_capture(l: &mut State, src: &[u8], c: Capture) {
    match c {
        Capture::Substring { start, end } => l.push_str(&src[start..end]),
        Capture::Position(p) => l.push(TValue::int(p as i64)),
    }
}

fn push_captures(l: &mut State, src: &[u8], m: &Match, whole_if_none: bool) -> LuaResult<usize> {
    let vals = match m.values(whole_if_none) {
        Ok(v) => v,
        Err(e) => return Err(pattern_error(l, e)),
    };
    l.check_stack(vals.len())?;
    for c in vals.iter() {
        push_capture(l, src, *c);
    }
    Ok(vals.len())
}

fn str_find_aux(l: &mut State, find: bool) -> LuaResult<usize> {
    let s = str_arg(l, 1)?;
    let p = str_arg(l, 2)?;
    let init = posrelat_start(opt_int(l, 3, 1)?, s.len());
    if init > s.len() + 1 {
        l.push(TValue::NIL);
        return Ok(1);
    }
    let plain = find && (!arg(l, 4).is_falsy() || !pattern::has_specials(p));
    if plain {
        return match pattern::find_plain(s, p, init - 1) {
            Some(pos) => {
                l.push(TValue::int(pos as i64 + 1));
                l.push(TValue::int((pos + p.len()) as i64));
                Ok(2)
            }
            None => {
                l.push(TValue::NIL);
                Ok(1)
            }
        };
    }
    match pattern::find(s, p, init - 1) {
        Ok(Some(m)) => {
            if find {
                l.push(TValue::int(m.start as i64 + 1));
                l.push(TValue::int(m.end as i64));
                Ok(2 + push_captures(l, s, &m, false)?)
            } else {
                push_captures(l, s, &m, true)
            }
        }
        Ok(None) => {
            l.push(TValue::NIL);
            Ok(1)
        }
        Err(e) => Err(pattern_error(l, e)),
    }
}

fn find(l: &mut State) -> LuaResult<usize> {
    str_find_aux(l, true)
}

fn match_(l: &mut State) -> LuaResult<usize> {
    str_find_aux(l, false)
}

/// State of a `gmatch` iterator, kept in a userdata upvalue.
struct GmatchData {
    st: pattern::GmatchState,
}

fn gmatch_aux(l: &mut State) -> LuaResult<usize> {
    let f = l.stack[l.ci().func];
    // SAFETY: the iterator closure has upvalues (subject, pattern, state).
    let (sv, pv, uv) = unsafe {
        let c = &*f.as_native();
        (c.upvals[0], c.upvals[1], c.upvals[2])
    };
    // SAFETY: upvalues keep the strings alive.
    let (s, p) = unsafe { (bytes(sv.as_string()), bytes(pv.as_string())) };
    // SAFETY: the userdata holds a GmatchData.
    let data = unsafe { (*uv.as_userdata()).data.downcast_mut::<GmatchData>() };
    let Some(data) = data else { return Ok(0) };
    match data.st.next(s, p) {
        Ok(Some(m)) => push_captures(l, s, &m, true),
        // Like PUC, an exhausted iterator returns no values at all.
        Ok(None) => Ok(0),
        Err(e) => Err(pattern_error(l, e)),
    }
}

fn gmatch(l: &mut State) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let p = check_str(l, 2)?;
    // SAFETY: rooted argument.
    let slen = unsafe { bytes(s) }.len();
    // lstrlib's gmatch: a 0-based start past the end becomes `len + 1`, so an
    // iteration that starts after the subject matches nothing, not even "".
    let init = posrelat_start(opt_int(l, 3, 1)?, slen) - 1;
    let init = init.min(slen + 1);
    let ud = l.g().new_userdata(Box::new(GmatchData {
        st: pattern::GmatchState::new(slen, init),
    }));
    let c = l.g().new_native(
        gmatch_aux,
        "gmatch_aux",
        vec![TValue::string(s), TValue::string(p), TValue::userdata(ud)],
    );
    l.push(TValue::native(c));
    Ok(1)
}

enum GsubErr {
    Pat(PatternError),
    Lua(LuaError),
    Invalid(String),
}

impl From<PatternError> for GsubErr {
    fn from(e: PatternError) -> Self {
        GsubErr::Pat(e)
    }
}

fn gsub(l: &mut State) -> LuaResult<usize> {
    let src = str_arg(l, 1)?;
    let p = str_arg(l, 2)?;
    let repl = arg(l, 3);
    let tr = repl.tt;
    if !(tr == TINT || tr == TFLOAT || tr == TSTR || tr == TTABLE || tr == TLCL || tr == TNCL) {
        return Err(type_error(l, 3, "string/function/table"));
    }
    let max_n = if arg(l, 4).is_nil() {
        src.len() as i64 + 1
    } else {
        check_int(l, 4)?
    };
    let repl_str: Option<&[u8]> = if tr == TSTR || tr == TINT || tr == TFLOAT {
        let s = check_str(l, 3)?;
        // SAFETY: rooted argument.
        Some(unsafe { bytes(s) })
    } else {
        None
    };
    let mut out = Vec::with_capacity(src.len());
    let lp: *mut State = l;
    let r = pattern::gsub(
        src,
        p,
        max_n,
        &mut out,
        |m: &Match, out: &mut Vec<u8>| -> Result<bool, GsubErr> {
            // SAFETY: `l` is not used elsewhere while the callback runs.
            let l = unsafe { &mut *lp };
            if let Some(rs) = repl_str {
                pattern::expand_replacement(rs, m, src, out)?;
                return Ok(true);
            }
            let first = m.capture(0)?;
            let key = match first {
                Capture::Substring { start, end } => l.str_value(&src[start..end]),
                Capture::Position(pos) => TValue::int(pos as i64),
            };
            let v = if tr == TTABLE {
                tm::index(l, repl, key, std::ptr::null()).map_err(GsubErr::Lua)?
            } else {
                let n = m.value_count(true);
                let mut args = Vec::with_capacity(n);
                for i in 0..n {
                    args.push(match m.capture(i)? {
                        Capture::Substring { start, end } => l.str_value(&src[start..end]),
                        Capture::Position(pos) => TValue::int(pos as i64),
                    });
                }
                let func = l.top;
                l.check_stack(n + 1).map_err(GsubErr::Lua)?;
                l.stack[func] = repl;
                for (i, a) in args.iter().enumerate() {
                    l.stack[func + 1 + i] = *a;
                }
                l.top = func + 1 + n;
                call::call(l, func, 1).map_err(GsubErr::Lua)?;
                let r = l.stack[func];
                l.top = func;
                r
            };
            match v.tt {
                TNIL | TFALSE => Ok(false),
                TSTR => {
                    // SAFETY: v is a live string just produced.
                    out.extend_from_slice(unsafe { bytes(v.as_string()) });
                    Ok(true)
                }
                TINT | TFLOAT => {
                    tm::number_to_buf(&v, out);
                    Ok(true)
                }
                _ => Err(GsubErr::Invalid(format!(
                    "invalid replacement value (a {})",
                    v.type_name()
                ))),
            }
        },
    );
    match r {
        Ok(outcome) => {
            l.push_str(&out);
            l.push(TValue::int(outcome.count as i64));
            Ok(2)
        }
        Err(GsubErr::Pat(e)) => Err(pattern_error(l, e)),
        Err(GsubErr::Lua(e)) => Err(e),
        Err(GsubErr::Invalid(m)) => Err(l.error(m)),
    }
}

fn format(l: &mut State) -> LuaResult<usize> {
    super::strformat::format(l)
}

// ---------------------------------------------------------------------------
// String arithmetic metamethods (§3.4.3: strings are converted to numbers by
// the string library's metamethods, as in PUC Lua 5.4's lstrlib).

/// Converts both operands with `tonumber` and computes; otherwise tries the
/// second operand's metamethod ("trymt"), else raises
/// "attempt to add a 'string' with a 'number'".
fn string_arith(l: &mut State, op: tm::ArithOp, event: &str) -> LuaResult<usize> {
    let a = arg(l, 1);
    let b = if op == tm::ArithOp::Unm && nargs(l) < 2 {
        a
    } else {
        arg(l, 2)
    };
    if let (Some(na), Some(nb)) = (tm::to_number(&a), tm::to_number(&b)) {
        return match tm::arith_raw(op, &na, &nb) {
            Ok(Some(v)) => {
                l.push(v);
                Ok(1)
            }
            Ok(None) => Err(l.error_plain("number has no integer representation")),
            Err(m) => Err(l.error_plain(m)),
        };
    }
    if b.tt != TSTR {
        let name = l.g().intern(event.as_bytes());
        let mt = l.g().metatable_of(&b);
        // SAFETY: mt is a live table when not null.
        let f = if mt.is_null() {
            TValue::NIL
        } else {
            unsafe { (*mt).get_str(name) }
        };
        if !f.is_nil() {
            let r = call::call_value_1(l, f, &[a, b])?;
            l.push(r);
            return Ok(1);
        }
    }
    let (ta, tb) = (a.type_name(), b.type_name());
    Err(l.error(format!(
        "attempt to {} a '{}' with a '{}'",
        &event[2..],
        ta,
        tb
    )))
}

macro_rules! string_arith_fn {
    ($name:ident, $op:expr, $event:expr) => {
        fn $name(l: &mut State) -> LuaResult<usize> {
            string_arith(l, $op, $event)
        }
    };
}

string_arith_fn!(arith_add, tm::ArithOp::Add, "__add");
string_arith_fn!(arith_sub, tm::ArithOp::Sub, "__sub");
string_arith_fn!(arith_mul, tm::ArithOp::Mul, "__mul");
string_arith_fn!(arith_mod, tm::ArithOp::Mod, "__mod");
string_arith_fn!(arith_pow, tm::ArithOp::Pow, "__pow");
string_arith_fn!(arith_div, tm::ArithOp::Div, "__div");
string_arith_fn!(arith_idiv, tm::ArithOp::IDiv, "__idiv");
string_arith_fn!(arith_unm, tm::ArithOp::Unm, "__unm");
