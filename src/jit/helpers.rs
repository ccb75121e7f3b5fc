//! Runtime helpers that native code calls through the table in
//! [`JitVm::helpers`](super::abi::JitVm) (`call [table + 8*k]`), so the shared
//! objects have no undefined symbols and no baked addresses.
//!
//! Each helper is `extern "C"`, never unwinds (nothing in it can panic),
//! never runs Lua code and never collects garbage; it answers 1 when it did
//! the whole operation and 0 when the interpreter must do it (metamethods,
//! new keys in the hash part, non-tables): the native code then exits at that
//! instruction's pc with nothing changed.

use crate::runtime::table::Table;
use crate::runtime::value::{TValue, TINT, TSTR, TTABLE};

/// Indices into [`HELPERS`]; the emitter uses `8 * index`.
pub mod index {
    pub const GET_INT: usize = 0;
    pub const GET: usize = 1;
    pub const SET_INT: usize = 2;
    pub const SET: usize = 3;
    pub const GET_STR: usize = 4;
    pub const SET_STR: usize = 5;
    pub const LEN: usize = 6;
}

/// The helper table: entry points in [`index`] order.
pub struct HelperTable(pub [*const (); 7]);

// SAFETY: the table holds addresses of functions, immutable and valid from
// any thread.
unsafe impl Sync for HelperTable {}

/// The helper table native code receives.
pub static HELPERS: HelperTable = HelperTable([
    get_int as *const (),
    get as *const (),
    set_int as *const (),
    set as *const (),
    get_str as *const (),
    set_str as *const (),
    len as *const (),
]);

/// The table in `*t`, if it is one.
///
/// # Safety
/// `t` points to a live value whose object, if any, is live.
unsafe fn table(t: *const TValue) -> Option<*mut Table> {
    // SAFETY: guaranteed by the caller.
    let v = unsafe { *t };
    (v.tt == TTABLE).then(|| v.as_table())
}

/// `*out = t[key]` for an integer key, raw, when that is the whole story
/// (the value is not nil, or `t` has no metatable).
///
/// # Safety
/// `t` and `out` point to live stack slots (or constants); objects are live.
pub unsafe extern "C" fn get_int(t: *const TValue, key: i64, out: *mut TValue) -> u32 {
    // SAFETY: the caller (generated code) passes frame slots of a live frame.
    unsafe {
        let Some(h) = table(t) else { return 0 };
        let v = (*h).get_int(key);
        if v.is_nil() && !(*h).metatable.is_null() {
            return 0;
        }
        *out = v;
        1
    }
}

/// `*out = t[*key]` for any key, under the same conditions as [`get_int`].
///
/// # Safety
/// As for [`get_int`]; `key` points to a live value.
pub unsafe extern "C" fn get(t: *const TValue, key: *const TValue, out: *mut TValue) -> u32 {
    // SAFETY: as in `get_int`.
    unsafe {
        let Some(h) = table(t) else { return 0 };
        let k = *key;
        let v = if k.tt == TINT {
            (*h).get_int(k.as_int())
        } else {
            (*h).get(&k)
        };
        if v.is_nil() && !(*h).metatable.is_null() {
            return 0;
        }
        *out = v;
        1
    }
}

/// `*out = t[key]` for a string constant `key`.
///
/// # Safety
/// As for [`get`].
pub unsafe extern "C" fn get_str(t: *const TValue, key: *const TValue, out: *mut TValue) -> u32 {
    // SAFETY: as in `get_int`.
    unsafe {
        let Some(h) = table(t) else { return 0 };
        let k = *key;
        if k.tt != TSTR {
            return 0;
        }
        let v = (*h).get_str(k.as_string());
        if v.is_nil() && !(*h).metatable.is_null() {
            return 0;
        }
        *out = v;
        1
    }
}

/// `t[key] = *v` for an integer key when the key is present with a non-nil
/// value, or `t` has no metatable (then the array part may grow: allocation
/// without collection, which only runs at the interpreter's safepoints).
///
/// # Safety
/// As for [`get_int`]; `v` points to a live value.
pub unsafe extern "C" fn set_int(t: *const TValue, key: i64, v: *const TValue) -> u32 {
    // SAFETY: as in `get_int`.
    unsafe {
        let Some(h) = table(t) else { return 0 };
        if let Some(slot) = (*h).get_present_slot(&TValue::int(key)) {
            *slot = *v;
            return 1;
        }
        if (*h).metatable.is_null() {
            (*h).set_int(key, *v);
            return 1;
        }
        0
    }
}

/// `t[*key] = *v` when the key is present with a non-nil value (no new keys:
/// they may need `__newindex` or a rehash, which the interpreter does).
///
/// # Safety
/// As for [`set_int`]; `key` points to a live value.
pub unsafe extern "C" fn set(t: *const TValue, key: *const TValue, v: *const TValue) -> u32 {
    // SAFETY: as in `get_int`.
    unsafe {
        let Some(h) = table(t) else { return 0 };
        let k = *key;
        if k.tt == TINT {
            return set_int(t, k.as_int(), v);
        }
        if let Some(slot) = (*h).get_present_slot(&k) {
            *slot = *v;
            return 1;
        }
        0
    }
}

/// `t.key = *v` for a string constant key already present with a non-nil
/// value.
///
/// # Safety
/// As for [`set`].
pub unsafe extern "C" fn set_str(t: *const TValue, key: *const TValue, v: *const TValue) -> u32 {
    // SAFETY: as in `get_int`.
    unsafe {
        let Some(h) = table(t) else { return 0 };
        let k = *key;
        if k.tt != TSTR {
            return 0;
        }
        if let Some(slot) = (*h).get_str_present_slot(k.as_string()) {
            *slot = *v;
            return 1;
        }
        0
    }
}

/// `*out = #v` for a table without a metatable or a string.
///
/// # Safety
/// As for [`get`].
pub unsafe extern "C" fn len(v: *const TValue, out: *mut TValue) -> u32 {
    // SAFETY: as in `get_int`.
    unsafe {
        let x = *v;
        if x.tt == TSTR {
            *out = TValue::int((*x.as_string()).len as i64);
            return 1;
        }
        let Some(h) = table(v) else { return 0 };
        if !(*h).metatable.is_null() {
            return 0;
        }
        *out = TValue::int((*h).length());
        1
    }
}
