//! The interpreter's inline caches (see `crate::profile::InlineCache` for the
//! validity argument): field and global reads and writes with constant string
//! keys, and `obj:m()` / `t.x` lookups that go through a metatable's `__index`
//! table. Every function returns `None`/`false` when the cached and the plain
//! lookup both fail; the caller then takes the generic path (`tm::index`,
//! `tm::set_index`), which handles everything else (functions as `__index`,
//! chains, `__newindex`, new keys).
//!
//! Hits are counted only when `count_hits` is set (while the prototype records
//! feedback, see `crate::profile`), so a warmed-up site pays nothing for them;
//! misses are always counted.

use crate::profile::{IcEntry, InlineCache};
use crate::runtime::string::LuaString;
use crate::runtime::table::Table;
use crate::runtime::value::{TValue, TTABLE};

/// `h[key]` for a constant string key: a cached slot of `h` itself, or of the
/// `__index` table of `h`'s metatable (one level, the common class pattern).
/// `index_name` is the interned `"__index"`.
///
/// # Safety
/// `h`, its metatable and their `__index` tables must be live; `key` and
/// `index_name` interned strings.
#[inline(always)]
pub unsafe fn get(
    ic: &mut InlineCache,
    h: *mut Table,
    key: *mut LuaString,
    index_name: *mut LuaString,
    count_hits: bool,
) -> Option<TValue> {
    // SAFETY: the caller guarantees every table reached here is live.
    unsafe {
        if !ic.megamorphic {
            for e in ic.live() {
                if e.guard == 0 {
                    if let Some(v) = (*h).str_value_at(e.slot, key) {
                        if count_hits {
                            ic.hit();
                        }
                        return Some(v);
                    }
                } else if (*h).metatable as usize == e.guard {
                    // the object must not have the key itself (the Bloom bits
                    // usually prove it without probing)
                    if (*h).may_have_str(key) && !(*h).get_str(key).is_nil() {
                        continue;
                    }
                    if let Some(v) = entry_value((*h).metatable, e, key, index_name) {
                        if count_hits {
                            ic.hit();
                        }
                        return Some(v);
                    }
                }
            }
        }
        get_miss(ic, h, key, index_name)
    }
}

/// The value an inherited entry points at: `mt.__index` at slot `e.aux` must
/// be a table holding `key` at slot `e.slot`.
///
/// # Safety
/// `mt` and its `__index` table are live.
#[inline(always)]
unsafe fn entry_value(
    mt: *mut Table,
    e: &IcEntry,
    key: *mut LuaString,
    index_name: *mut LuaString,
) -> Option<TValue> {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let idx = (*mt).str_value_at(e.aux, index_name)?;
        if idx.tt != TTABLE {
            return None;
        }
        (*idx.as_table()).str_value_at(e.slot, key)
    }
}

#[cold]
#[inline(never)]
unsafe fn get_miss(
    ic: &mut InlineCache,
    h: *mut Table,
    key: *mut LuaString,
    index_name: *mut LuaString,
) -> Option<TValue> {
    // SAFETY: as in `get`.
    unsafe {
        if let Some((slot, v)) = (*h).find_str_slot(key) {
            if !v.is_nil() {
                ic.miss(IcEntry {
                    slot,
                    aux: 0,
                    guard: 0,
                });
                return Some(v);
            }
        }
        let mt = (*h).metatable;
        if mt.is_null() {
            ic.uncached();
            return None;
        }
        inherited_miss(ic, mt, key, index_name)
    }
}

/// `h[key]` through `h`'s metatable's `__index` table, for a table `h` known
/// to lack `key` and to have a metatable: the steady-state method and
/// inherited-field path, which skips own-field entries. The hit check is the
/// metatable pointer, the `__index` field's slot in it and the key's slot in
/// the `__index` table; a miss looks one `__index` level up and remembers it.
///
/// # Safety
/// As for [`get`]; `(*h).metatable` must not be null.
#[inline(always)]
pub unsafe fn inherited(
    ic: &mut InlineCache,
    h: *mut Table,
    key: *mut LuaString,
    index_name: *mut LuaString,
    count_hits: bool,
) -> Option<TValue> {
    // SAFETY: the caller guarantees every table reached here is live.
    unsafe {
        let mt = (*h).metatable;
        if !ic.megamorphic {
            for e in ic.live() {
                if e.guard == mt as usize {
                    if let Some(v) = entry_value(mt, e, key, index_name) {
                        if count_hits {
                            ic.hit();
                        }
                        return Some(v);
                    }
                }
            }
        }
        inherited_miss(ic, mt, key, index_name)
    }
}

#[cold]
#[inline(never)]
unsafe fn inherited_miss(
    ic: &mut InlineCache,
    mt: *mut Table,
    key: *mut LuaString,
    index_name: *mut LuaString,
) -> Option<TValue> {
    // SAFETY: as in `inherited`.
    unsafe {
        if let Some((aux, idx)) = (*mt).find_str_slot(index_name) {
            if idx.tt == TTABLE {
                if let Some((slot, v)) = (*idx.as_table()).find_str_slot(key) {
                    if !v.is_nil() {
                        ic.miss(IcEntry {
                            slot,
                            aux,
                            guard: mt as usize,
                        });
                        return Some(v);
                    }
                }
            }
        }
        ic.uncached();
        None
    }
}

/// `h[key] = v` for a constant string key that `h` already holds with a
/// non-nil value (the only stores that need neither `__newindex` nor a new
/// slot). Returns false when the caller must take the generic path.
///
/// # Safety
/// `h` must be live and `key` interned.
#[inline(always)]
pub unsafe fn set(
    ic: &mut InlineCache,
    h: *mut Table,
    key: *mut LuaString,
    v: TValue,
    count_hits: bool,
) -> bool {
    // SAFETY: the caller guarantees `h` is live.
    unsafe {
        if !ic.megamorphic {
            for e in ic.live() {
                if let Some(slot) = (*h).str_value_at_mut(e.slot, key) {
                    *slot = v;
                    if count_hits {
                        ic.hit();
                    }
                    return true;
                }
            }
        }
        set_miss(ic, h, key, v)
    }
}

#[cold]
#[inline(never)]
unsafe fn set_miss(ic: &mut InlineCache, h: *mut Table, key: *mut LuaString, v: TValue) -> bool {
    // SAFETY: as in `set`.
    unsafe {
        if let Some((slot, old)) = (*h).find_str_slot(key) {
            if !old.is_nil() {
                if let Some(p) = (*h).str_value_at_mut(slot, key) {
                    *p = v;
                }
                ic.miss(IcEntry {
                    slot,
                    aux: 0,
                    guard: 0,
                });
                return true;
            }
        }
        ic.uncached();
        false
    }
}

/// Records a call's callee (`id` = prototype id + 1, or 0 for a native
/// function or a `__call` object, which the cache does not describe).
#[inline(always)]
pub fn call(ic: &mut InlineCache, id: usize, count_hits: bool) {
    if id == 0 {
        ic.uncached();
        return;
    }
    if !ic.megamorphic && ic.live().iter().any(|e| e.guard == id) {
        if count_hits {
            ic.hit();
        }
    } else {
        ic.miss(IcEntry {
            slot: 0,
            aux: 0,
            guard: id,
        });
    }
}
