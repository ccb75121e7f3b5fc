//! The table library (§6.6): `concat`, `insert`, `move`, `pack`, `remove`,
//! `sort`, `unpack`. Element access honours `__index`/`__newindex` and `#`
//! honours `__len`, as in 5.4; tables without a metatable take raw fast paths.
//!
//! `sort` is an in-place quicksort (median-of-three pivot, Hoare-style
//! partition) over the table itself, so elements stay reachable while a Lua
//! comparator runs; an inconsistent comparator is detected when a partition
//! scan runs past the array bounds ("invalid order function for sorting").
//! Arrays of plain numbers or strings with the default order are copied,
//! sorted with Rust's sort (no Lua code can run) and written back.

use super::aux::*;
use crate::interp::call;
use crate::runtime::error::LuaResult;
use crate::runtime::state::State;
use crate::runtime::tm;
use crate::runtime::value::*;

/// Registers the table library.
pub fn open(l: &mut State) {
    new_lib(
        l,
        "table",
        &[
            ("concat", concat),
            ("insert", insert),
            ("move", move_),
            ("pack", pack),
            ("remove", remove),
            ("sort", sort),
            ("unpack", unpack),
        ],
    );
}

/// A table argument, or any value with the metamethods the function needs.
fn check_tab(l: &mut State, n: usize) -> LuaResult<TValue> {
    let v = arg(l, n);
    if v.tt == TTABLE {
        return Ok(v);
    }
    let mt = l.g().metatable_of(&v);
    if !mt.is_null() {
        return Ok(v);
    }
    Err(type_error(l, n, "table"))
}

fn is_raw(t: &TValue) -> bool {
    // SAFETY: t is a live table when tagged so.
    t.tt == TTABLE && unsafe { (*t.as_table()).metatable.is_null() }
}

fn geti(l: &mut State, t: TValue, i: i64) -> LuaResult<TValue> {
    if is_raw(&t) {
        // SAFETY: live table.
        return Ok(unsafe { (*t.as_table()).get_int(i) });
    }
    tm::index(l, t, TValue::int(i), std::ptr::null())
}

fn seti(l: &mut State, t: TValue, i: i64, v: TValue) -> LuaResult<()> {
    if is_raw(&t) {
        // SAFETY: live table.
        unsafe { (*t.as_table()).set_int(i, v) };
        return Ok(());
    }
    tm::set_index(l, t, TValue::int(i), v, std::ptr::null())
}

/// `#t` honouring `__len`; the result must be an integer.
fn len(l: &mut State, t: TValue) -> LuaResult<i64> {
    if is_raw(&t) {
        // SAFETY: live table.
        return Ok(unsafe { (*t.as_table()).length() });
    }
    let v = tm::length(l, t, std::ptr::null())?;
    match tm::to_integer(&v) {
        Some(i) if v.tt == TINT || v.is_number() => Ok(i),
        _ => Err(l.error("object length is not an integer")),
    }
}

fn concat(l: &mut State) -> LuaResult<usize> {
    let t = check_tab(l, 1)?;
    let sep = match opt_str(l, 2)? {
        // SAFETY: rooted argument.
        Some(s) => unsafe { bytes(s) }.to_vec(),
        None => Vec::new(),
    };
    let i = opt_int(l, 3, 1)?;
    let j = if arg(l, 4).is_nil() {
        len(l, t)?
    } else {
        check_int(l, 4)?
    };
    let mut out = Vec::new();
    let mut k = i;
    while k <= j {
        let v = geti(l, t, k)?;
        match v.tt {
            // SAFETY: v is reachable from the table.
            TSTR => out.extend_from_slice(unsafe { bytes(v.as_string()) }),
            TINT | TFLOAT => tm::number_to_buf(&v, &mut out),
            _ => {
                let tn = v.type_name();
                return Err(l.error(format!(
                    "invalid value ({tn}) at index {k} in table for 'concat'"
                )));
            }
        }
        if k < j {
            out.extend_from_slice(&sep);
        }
        if k == i64::MAX {
            break;
        }
        k += 1;
    }
    ret_str(l, &out)
}

fn insert(l: &mut State) -> LuaResult<usize> {
    let t = check_tab(l, 1)?;
    let e = len(l, t)?.wrapping_add(1);
    match nargs(l) {
        2 => {
            let v = arg(l, 2);
            seti(l, t, e, v)?;
        }
        3 => {
            let pos = check_int(l, 2)?;
            if (pos as u64).wrapping_sub(1) >= e as u64 {
                return Err(arg_error(l, 2, "position out of bounds"));
            }
            let mut i = e;
            while i > pos {
                let v = geti(l, t, i - 1)?;
                seti(l, t, i, v)?;
                i -= 1;
            }
            let v = arg(l, 3);
            seti(l, t, pos, v)?;
        }
        _ => return Err(l.error("wrong number of arguments to 'insert'")),
    }
    Ok(0)
}

fn remove(l: &mut State) -> LuaResult<usize> {
    let t = check_tab(l, 1)?;
    let size = len(l, t)?;
    let mut pos = opt_int(l, 2, size)?;
    if pos != size && (pos as u64).wrapping_sub(1) > size as u64 {
        return Err(arg_error(l, 1, "position out of bounds"));
    }
    let v = geti(l, t, pos)?;
    l.push(v);
    while pos < size {
        let nv = geti(l, t, pos + 1)?;
        seti(l, t, pos, nv)?;
        pos += 1;
    }
    seti(l, t, pos, TValue::NIL)?;
    Ok(1)
}

fn move_(l: &mut State) -> LuaResult<usize> {
    let a1 = check_tab(l, 1)?;
    let f = check_int(l, 2)?;
    let e = check_int(l, 3)?;
    let t = check_int(l, 4)?;
    let a2 = if arg(l, 5).is_nil() {
        a1
    } else {
        check_tab(l, 5)?
    };
    if e >= f {
        if !(f > 0 || e < i64::MAX + f) {
            return Err(arg_error(l, 3, "too many elements to move"));
        }
        if t > i64::MAX - (e - f) {
            return Err(arg_error(l, 4, "destination wrap around"));
        }
        let same = a1.raw_equal(&a2);
        if t > e || t <= f || !same {
            for i in 0..=(e - f) {
                let v = geti(l, a1, f + i)?;
                seti(l, a2, t + i, v)?;
            }
        } else {
            let mut i = e - f;
            loop {
                let v = geti(l, a1, f + i)?;
                seti(l, a2, t + i, v)?;
                if i == 0 {
                    break;
                }
                i -= 1;
            }
        }
    }
    l.push(a2);
    Ok(1)
}

fn pack(l: &mut State) -> LuaResult<usize> {
    let n = nargs(l);
    let t = l.g().new_table(n, 1);
    let base = l.ci().base;
    for i in 0..n {
        // SAFETY: t is new and live.
        unsafe { (*t).set_int(i as i64 + 1, l.stack[base + i]) };
    }
    set_field(l, t, "n", TValue::int(n as i64));
    l.push(TValue::table(t));
    Ok(1)
}

fn unpack(l: &mut State) -> LuaResult<usize> {
    let t = arg(l, 1);
    let i = opt_int(l, 2, 1)?;
    let e = if arg(l, 3).is_nil() {
        len(l, t)?
    } else {
        check_int(l, 3)?
    };
    if i > e {
        return Ok(0);
    }
    let n = (e as u64).wrapping_sub(i as u64);
    if n >= (i32::MAX as u64) || l.check_stack(n as usize + 1).is_err() {
        return Err(l.error("too many results to unpack"));
    }
    let n = n as usize + 1;
    for k in 0..n {
        let v = geti(l, t, i + k as i64)?;
        l.push(v);
    }
    Ok(n)
}

// ---------------------------------------------------------------------------
// sort

fn sort_lt(l: &mut State, f: TValue, a: TValue, b: TValue) -> LuaResult<bool> {
    if f.is_nil() {
        if a.tt == TINT && b.tt == TINT {
            return Ok(a.as_int() < b.as_int());
        }
        return tm::less_than(l, a, b);
    }
    Ok(!call::call_value_1(l, f, &[a, b])?.is_falsy())
}

fn sort(l: &mut State) -> LuaResult<usize> {
    let t = check_tab(l, 1)?;
    let n = len(l, t)?;
    if n > 1 {
        if n >= i32::MAX as i64 {
            return Err(arg_error(l, 1, "array too big"));
        }
        let f = arg(l, 2);
        if !f.is_nil() && !f.is_function() {
            return Err(type_error(l, 2, "function"));
        }
        if f.is_nil() && is_raw(&t) && sort_fast(t, n as usize) {
            return Ok(0);
        }
        auxsort(l, t, f, 1, n as usize)?;
    }
    Ok(0)
}

/// Sorts arrays of only numbers (no NaN) or only strings without running Lua
/// code. Returns false when the array does not qualify.
fn sort_fast(t: TValue, n: usize) -> bool {
    // SAFETY: t is a live table without metatable; no Lua code runs here.
    let tab = unsafe { &mut *t.as_table() };
    if tab.array.len() < n {
        return false;
    }
    let a = &mut tab.array[..n];
    if a.iter().all(|v| v.tt == TINT) {
        a.sort_unstable_by_key(|v| v.as_int());
        return true;
    }
    if a.iter()
        .all(|v| v.is_number() && !(v.tt == TFLOAT && v.as_float().is_nan()))
    {
        a.sort_unstable_by(|x, y| {
            if tm::num_lt(x, y) {
                std::cmp::Ordering::Less
            } else if tm::num_lt(y, x) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
        return true;
    }
    if a.iter().all(|v| v.tt == TSTR) {
        // SAFETY: strings in the array are live.
        a.sort_unstable_by(|x, y| unsafe {
            (*x.as_string()).as_bytes().cmp((*y.as_string()).as_bytes())
        });
        return true;
    }
    false
}

fn order_error(l: &mut State) -> crate::runtime::error::LuaError {
    l.error("invalid order function for sorting")
}

/// Quicksort of `t[lo..=up]` (1-based), recursing on the smaller part.
fn auxsort(l: &mut State, t: TValue, f: TValue, mut lo: usize, mut up: usize) -> LuaResult<()> {
    while lo < up {
        // sort lo, mid, up
        let a_lo = geti(l, t, lo as i64)?;
        let a_up = geti(l, t, up as i64)?;
        if sort_lt(l, f, a_up, a_lo)? {
            seti(l, t, lo as i64, a_up)?;
            seti(l, t, up as i64, a_lo)?;
        }
        if up - lo == 1 {
            break;
        }
        let p = lo + (up - lo) / 2;
        let a_p = geti(l, t, p as i64)?;
        let a_lo = geti(l, t, lo as i64)?;
        if sort_lt(l, f, a_p, a_lo)? {
            seti(l, t, p as i64, a_lo)?;
            seti(l, t, lo as i64, a_p)?;
        } else {
            let a_up = geti(l, t, up as i64)?;
            if sort_lt(l, f, a_up, a_p)? {
                seti(l, t, p as i64, a_up)?;
                seti(l, t, up as i64, a_p)?;
            }
        }
        if up - lo == 2 {
            break;
        }
        let pivot = geti(l, t, p as i64)?;
        // move pivot to up-1
        let a_up1 = geti(l, t, (up - 1) as i64)?;
        seti(l, t, p as i64, a_up1)?;
        seti(l, t, (up - 1) as i64, pivot)?;
        // partition: invariant t[lo] <= P == t[up-1] <= t[up]
        let mut i = lo;
        let mut j = up - 1;
        loop {
            i += 1;
            let mut ai = geti(l, t, i as i64)?;
            while sort_lt(l, f, ai, pivot)? {
                if i == up - 1 {
                    return Err(order_error(l));
                }
                i += 1;
                ai = geti(l, t, i as i64)?;
            }
            j -= 1;
            let mut aj = geti(l, t, j as i64)?;
            while sort_lt(l, f, pivot, aj)? {
                if j < i || j == lo {
                    return Err(order_error(l));
                }
                j -= 1;
                aj = geti(l, t, j as i64)?;
            }
            if j < i {
                break;
            }
            seti(l, t, i as i64, aj)?;
            seti(l, t, j as i64, ai)?;
        }
        // put pivot in its place
        let a_i = geti(l, t, i as i64)?;
        let a_up1 = geti(l, t, (up - 1) as i64)?;
        seti(l, t, (up - 1) as i64, a_i)?;
        seti(l, t, i as i64, a_up1)?;
        // recurse into the smaller half
        if i - lo < up - i {
            if i > lo + 1 {
                auxsort(l, t, f, lo, i - 1)?;
            }
            lo = i + 1;
        } else {
            if up > i + 1 {
                auxsort(l, t, f, i + 1, up)?;
            }
            if i == 0 {
                break;
            }
            up = i - 1;
        }
    }
    Ok(())
}
