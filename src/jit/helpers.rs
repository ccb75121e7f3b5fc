//! Runtime helpers that native code calls through the table in
//! [`JitVm::helpers`](super::abi::JitVm) (`call [table + 8*k]`), so the shared
//! objects have no undefined symbols and no baked addresses.
//!
//! The table helpers are `extern "C"`, never unwind (nothing in them can
//! panic), never run Lua code and never collect garbage; they answer 1 when
//! they did the whole operation and 0 when the interpreter must do it
//! (metamethods, new keys in the hash part, non-tables): the native code then
//! exits at that instruction's pc with nothing changed. [`call`] runs Lua code
//! (see there).

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
    pub const CALL: usize = 7;
    pub const SELF_STR: usize = 8;
    pub const NEWTABLE: usize = 9;
    pub const CLOSURE: usize = 10;
    pub const POW: usize = 11;
    pub const CONCAT: usize = 12;
    pub const SETLIST: usize = 13;
    pub const CLOSE: usize = 14;
}

/// The helper table: entry points in [`index`] order.
pub struct HelperTable(pub [*const (); 15]);

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
    call as *const (),
    self_str as *const (),
    newtable as *const (),
    closure as *const (),
    pow as *const (),
    concat as *const (),
    setlist as *const (),
    close as *const (),
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

/// Stores a raw get's result unless it is nil and `h` has a metatable (then
/// `__index` decides: the interpreter's job). 1 when stored.
///
/// # Safety
/// `h` is live and `out` writable.
unsafe fn answer(h: *mut Table, v: TValue, out: *mut TValue) -> u32 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        if v.is_nil() && !(*h).metatable.is_null() {
            return 0;
        }
        *out = v;
    }
    1
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
        answer(h, v, out)
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
        answer(h, v, out)
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
        answer(h, v, out)
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

/// The interpreter's `savepc` for the running native frame at instruction
/// `pc`: its `savedpc` points after it, so error positions, tracebacks and
/// `debug.getinfo` see the frame there.
fn save_pc(l: &mut crate::runtime::state::State, pc: u32) {
    // SAFETY: native code runs only inside a Lua frame, the last of the
    // call stack: its function slot is in the stack and holds a live Lua
    // closure, and `pc + 1` is within or one past that closure's code. (No
    // bounds checks: this is on every call's path.)
    unsafe {
        let ci = l.cis.as_mut_ptr().add(l.cis.len() - 1);
        let f = *l.stack.as_ptr().add((*ci).func);
        (*ci).savedpc = (*(*f.as_lua_closure()).proto)
            .code
            .as_ptr()
            .add(pc as usize + 1);
    }
}

/// Runs `f` with a panic turned into a Lua error: generated code must never
/// be unwound through (`../shared/DESIGN.md`, "Generated code").
fn unpanicked<T>(
    l: &mut crate::runtime::state::State,
    f: impl FnOnce(&mut crate::runtime::state::State) -> crate::runtime::error::LuaResult<T>,
) -> crate::runtime::error::LuaResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(l))) {
        Ok(r) => r,
        Err(_) => Err(l.rt_error("internal error: panic in a call from native code")),
    }
}

/// Keeps `e` in `Jit::pending_error` for the interpreter to rethrow;
/// returns the error status (1).
fn pend(l: &mut crate::runtime::state::State, e: crate::runtime::error::LuaError) -> u64 {
    if let Some(jit) = l.g().jit.as_deref_mut() {
        jit.pending_error = Some(e);
    }
    1
}

/// What [`call`] returns: a status (in `rax`, AArch64 `x0`) and the frame's
/// base after the call (in `rdx`, AArch64 `x1`; the Lua stack may have
/// moved).
#[repr(C)]
pub struct CallResult {
    /// 0: done; 1: the callee raised an error (kept in `Jit::pending_error`);
    /// 2: not done, native recursion is at its limit (exit at this `CALL` and
    /// let the interpreter make it, which does not nest on the native stack);
    /// 3: done, but a debug hook is now set (exit at the next instruction, so
    /// the interpreter runs the rest of the frame with hooks).
    pub status: u64,
    pub base: *mut TValue,
}

/// Native calls nested on the machine stack before `CALL`s exit to the
/// interpreter instead (which runs Lua-to-Lua calls without native recursion),
/// so deep recursion never exhausts the native stack (1 MiB for coroutines).
pub const MAX_NATIVE_DEPTH: u32 = 100;

/// `CALL A B C` at `pc` from native code: the interpreter's semantics
/// (`R[A](R[A+1], ...)`, B-1 arguments or up to `top` when B = 0, C-1
/// results or all when C = 0): directly (`direct_call`) for a Lua callee with
/// native code or a Rust function, else through `interp::call::call`, so the
/// callee may be a Lua function (interpreted or native), a Rust function or a
/// `__call` object, may yield (the whole native stack is suspended with the
/// coroutine), and may raise an error, which is returned as status 1.
///
/// # Safety
/// `l` is the running thread and its top frame the native function's Lua
/// frame; `a`, `b`, `c` and `pc` come from that frame's `CALL` instruction.
pub unsafe extern "C" fn call(
    l: *mut crate::runtime::state::State,
    a: u32,
    b: u32,
    c: u32,
    pc: u32,
) -> CallResult {
    // SAFETY: guaranteed by the caller (generated code passes the thread it
    // was entered on and its own instruction's operands).
    let l = unsafe { &mut *l };
    // SAFETY: as above.
    if let Some(r) = unsafe { direct_call(l, a, b, c, pc) } {
        return r;
    }
    general_call(l, a, b, c, pc)
}

/// [`call`] for every callee and situation `direct_call` leaves (kept out of
/// line, so the direct path's frame stays small).
#[cold]
#[inline(never)]
fn general_call(
    l: &mut crate::runtime::state::State,
    a: u32,
    b: u32,
    c: u32,
    pc: u32,
) -> CallResult {
    let ci_idx = l.cis.len() - 1;
    let base_idx = l.cis[ci_idx].base;
    let here = |l: &mut crate::runtime::state::State| {
        // SAFETY: base_idx is inside the stack (the frame is live).
        unsafe { l.stack.as_mut_ptr().add(base_idx) }
    };
    let Some(jit) = l.g().jit.as_deref_mut() else {
        return CallResult {
            status: 2,
            base: here(l),
        };
    };
    if jit.native_depth >= MAX_NATIVE_DEPTH {
        return CallResult {
            status: 2,
            base: here(l),
        };
    }
    jit.native_depth += 1;
    // error positions and tracebacks see this frame at its CALL
    save_pc(l, pc);
    let func = base_idx + a as usize;
    if b != 0 {
        l.top = func + b as usize;
    }
    let nresults = c as i32 - 1;
    // (a Lua callee with native code is entered by the interpreter at its
    // start, as from any interpreted call)
    let r = unpanicked(l, |l| crate::interp::call::call(l, func, nresults));
    if let Some(jit) = l.g().jit.as_deref_mut() {
        jit.native_depth -= 1;
    }
    let status = match r {
        Ok(()) => {
            if nresults >= 0 {
                l.top = l.cis[ci_idx].top;
            }
            // a hook set during the call must fire from the next
            // instruction on: finish this frame in the interpreter
            if l.hook_mask != 0 {
                3
            } else {
                0
            }
        }
        Err(e) => pend(l, e),
    };
    CallResult {
        status,
        base: here(l),
    }
}

/// The fast path of [`call`]: a Lua callee with native code entered at its
/// start, fixed parameters, a fixed argument count, room on the stack, no
/// hook and native recursion below its limit. Its frame is pushed exactly
/// as `interp::call::precall` pushes it (so tracebacks, `debug.getinfo` and
/// errors see it), its entry is called right here, and a return is finished
/// as `poscall` does. No checks that can panic: `None` (before anything was
/// changed) hands every other case to the general path.
///
/// # Safety
/// As for [`call`].
#[inline(always)]
unsafe fn direct_call(
    l: &mut crate::runtime::state::State,
    a: u32,
    b: u32,
    c: u32,
    pc: u32,
) -> Option<CallResult> {
    use crate::runtime::state::{cist, CallInfo, EXTRA_STACK};
    use crate::runtime::value::TLCL;
    if b == 0 || l.hook_mask != 0 {
        return None;
    }
    let ncis = l.cis.len();
    if ncis == 0 || ncis == l.cis.capacity() {
        return None;
    }
    let jit: *mut crate::jit::Jit = l.g().jit.as_deref_mut()?;
    // SAFETY (this block and the ones below): the JIT controller lives in
    // the global state for the whole run; `ncis - 1` is the running
    // (caller's) frame, whose register `a` is below its top and so inside
    // the stack; Lua closure values hold live closures and prototypes; the
    // profile is only touched between instructions, as here.
    unsafe {
        if (*jit).native_depth >= MAX_NATIVE_DEPTH {
            return None;
        }
        let caller_base = (*l.cis.as_ptr().add(ncis - 1)).base;
        let func = caller_base + a as usize;
        let fv = *l.stack.as_ptr().add(func);
        if fv.tt == crate::runtime::value::TNCL {
            let top = func + b as usize;
            if top + crate::runtime::state::MIN_STACK + EXTRA_STACK > l.stack.len() {
                return None;
            }
            return Some(direct_rust_call(l, jit, ncis, func, top, c, pc));
        }
        if fv.tt != TLCL {
            return None;
        }
        let cl = fv.as_lua_closure();
        let p = (*cl).proto;
        let prof = (*p).profile.get();
        let nc = match &mut (*prof).native {
            // a pending placeholder is never entered at its start
            Some(nc) if nc.at_start && !(*p).is_vararg => nc,
            _ => return None,
        };
        let fsize = (*p).max_stack_size as usize;
        let base = func + 1;
        if base + fsize + EXTRA_STACK > l.stack.len() {
            return None;
        }
        // from here on the call is made
        save_pc(l, pc);
        let stack = l.stack.as_mut_ptr();
        for i in b as usize - 1..(*p).num_params as usize {
            *stack.add(base + i) = TValue::NIL;
        }
        // within the capacity checked above
        l.cis.as_mut_ptr().add(ncis).write(CallInfo {
            func,
            ret: func,
            base,
            top: base + fsize,
            savedpc: (*p).code.as_ptr(),
            nresults: c as i32 - 1,
            nextra: 0,
            status: cist::LUA,
        });
        l.cis.set_len(ncis + 1);
        l.top = base + fsize;
        (*prof).calls += 1;
        nc.entries += 1;
        let entry = nc.entry;
        (*jit).native_depth += 1;
        let vm: *mut crate::jit::abi::JitVm = &mut *(*jit).vm;
        (*vm).state = l as *mut _;
        (*vm).k = (*p).k.as_ptr();
        (*vm).upvals = (*cl).upvals.as_ptr();
        let st = entry(vm, stack.add(base), 0);
        if st & 0xff != crate::jit::abi::status::RETURN {
            return Some(direct_call_exit(l, jit, p, st, c, caller_base));
        }
        (*jit).native_depth -= 1;
        // the callee returned: `poscall`, with one result inline (the stack
        // may have moved during the call)
        let first = base + ((st >> 8) & 0xff_ffff) as usize;
        let n = (st >> 32) as usize;
        if c == 2 {
            let stack = l.stack.as_mut_ptr();
            *stack.add(func) = if n > 0 {
                *stack.add(first)
            } else {
                TValue::NIL
            };
            l.cis.set_len(ncis);
        } else {
            crate::interp::call::poscall(l, first, n);
        }
        if c != 0 {
            l.top = (*l.cis.as_ptr().add(ncis - 1)).top;
        }
        Some(CallResult {
            // a hook set during the call: finish the caller in the
            // interpreter
            status: if l.hook_mask != 0 { 3 } else { 0 },
            base: l.stack.as_mut_ptr().add(caller_base),
        })
    }
}

/// The path of [`direct_call`] for a Rust function (a `lua_CFunction`
/// like `math.sqrt`): `precall`'s frame for it, the call, `poscall`; an
/// error stays pending (status 1), a panic becomes an error.
///
/// # Safety
/// As for [`direct_call`] (`jit` is the run's controller, below its native
/// depth limit): frame `ncis - 1` is the running Lua frame, the
/// callee is at `func` with its arguments up to `top`, the stack has room
/// for `MIN_STACK` more slots, and the call stack one more frame.
#[inline(never)]
unsafe fn direct_rust_call(
    l: &mut crate::runtime::state::State,
    jit: *mut crate::jit::Jit,
    ncis: usize,
    func: usize,
    top: usize,
    c: u32,
    pc: u32,
) -> CallResult {
    use crate::runtime::state::{CallInfo, MIN_STACK};
    // SAFETY: guaranteed by the caller (see `direct_call`).
    save_pc(l, pc);
    let (f, caller_base) = unsafe {
        let cis = l.cis.as_mut_ptr();
        let caller = cis.add(ncis - 1);
        let stack = l.stack.as_ptr();
        cis.add(ncis).write(CallInfo {
            func,
            ret: func,
            base: func + 1,
            top: top + MIN_STACK,
            savedpc: std::ptr::null(),
            nresults: c as i32 - 1,
            nextra: 0,
            status: 0,
        });
        l.cis.set_len(ncis + 1);
        ((*(*stack.add(func)).as_native()).f, (*caller).base)
    };
    l.top = top;
    // a Rust function may call Lua code, which may enter native code: that
    // nesting counts towards the native depth as through the general path
    // SAFETY: the controller lives for the whole run.
    unsafe { (*jit).native_depth += 1 };
    let r = unpanicked(l, f);
    // SAFETY: as above.
    unsafe { (*jit).native_depth -= 1 };
    // a hook the function set (debug.sethook) sees its return, as in
    // `precall`
    let r = r.and_then(|n| {
        let first = l.top - n;
        if l.hook_mask != 0 {
            crate::runtime::debug::hook_return(l, first, n, |l| &mut l.hook_oldpc)?;
        }
        Ok((first, n))
    });
    let status = match r {
        Ok((first, n)) => {
            crate::interp::call::poscall(l, first, n);
            if c != 0 {
                l.top = l.ci().top;
            }
            if l.hook_mask != 0 {
                3
            } else {
                0
            }
        }
        Err(e) => pend(l, e),
    };
    CallResult {
        status,
        // SAFETY: the caller's frame is live, so its base is in the stack.
        base: unsafe { l.stack.as_mut_ptr().add(caller_base) },
    }
}

/// The end of [`direct_call`] when the callee's native code exited (a
/// deopt, a resume or an error): the interpreter finishes the callee's
/// frame, or the error stays pending.
///
/// # Safety
/// As for [`direct_call`], right after the callee's entry returned `st`.
#[cold]
#[inline(never)]
unsafe fn direct_call_exit(
    l: &mut crate::runtime::state::State,
    jit: *mut crate::jit::Jit,
    p: *mut crate::runtime::func::Proto,
    st: u64,
    c: u32,
    caller_base: usize,
) -> CallResult {
    let status = if st & 0xff == crate::jit::abi::status::ERROR {
        1
    } else {
        // SAFETY: the callee's frame is the top frame and `st` its status.
        match unpanicked(l, |l| unsafe { finish_exit(l, p, st) }) {
            Ok(()) => 0,
            Err(e) => pend(l, e),
        }
    };
    // only now: an exit finished in the interpreter (`finish_exit`) still
    // counts as nested, so its calls do not nest native frames further
    // SAFETY: the controller lives for the whole run.
    unsafe { (*jit).native_depth -= 1 };
    if status == 0 && c != 0 {
        l.top = l.ci().top;
    }
    let status = if status == 0 && l.hook_mask != 0 {
        3
    } else {
        status
    };
    CallResult {
        status,
        // SAFETY: the caller's frame is live, so its base is in the stack.
        base: unsafe { l.stack.as_mut_ptr().add(caller_base) },
    }
}

/// Finishes the top frame (prototype `p`, entered natively) after its
/// native code exited with status word `st`: a deopt or resume runs the
/// rest in the interpreter from the pc in `st`.
///
/// # Safety
/// The top frame is `p`'s, entered at its start, and `st` is what its entry
/// returned.
unsafe fn finish_exit(
    l: &mut crate::runtime::state::State,
    p: *mut crate::runtime::func::Proto,
    st: u64,
) -> crate::runtime::error::LuaResult<()> {
    use crate::jit::abi::{decode, Status};
    use crate::runtime::state::cist;
    let pc = match decode(st) {
        Some(Status::Deopt { pc }) => {
            crate::jit::guard_failed(l, p, pc);
            pc
        }
        Some(Status::Resume { pc }) => {
            crate::jit::resumed(l);
            pc
        }
        Some(Status::Error) => return Err(crate::jit::take_error(l)),
        Some(Status::Return { first, n }) => {
            let base = l.ci().base;
            crate::interp::call::poscall(l, base + first, n);
            return Ok(());
        }
        None => return Err(l.rt_error("internal error: bad status from native code")),
    };
    // SAFETY: pc is an instruction index of the callee's code.
    let code0 = unsafe { (*p).code.as_ptr() };
    let ci = l.ci_mut();
    // SAFETY: as above.
    ci.savedpc = unsafe { code0.add(pc) };
    ci.status |= cist::FRESH;
    crate::interp::execute(l)
}

/// `SELF` with a string key: `*out = obj[key]` through the object and a
/// chain of `__index` tables (no `__index` functions: those answer 0 and the
/// interpreter calls them).
///
/// # Safety
/// `l` is the running thread; `obj`, `key` and `out` point to live values.
pub unsafe extern "C" fn self_str(
    l: *mut crate::runtime::state::State,
    obj: *const TValue,
    key: *const TValue,
    out: *mut TValue,
) -> u32 {
    // SAFETY: guaranteed by the caller (generated code).
    unsafe {
        let Some(h) = table(obj) else { return 0 };
        let k = *key;
        if k.tt != TSTR {
            return 0;
        }
        let v = (*h).get_str(k.as_string());
        if !v.is_nil() || (*h).metatable.is_null() {
            *out = v;
            return 1;
        }
        match crate::runtime::tm::index_str_chain(&*l, h, k.as_string()) {
            Some(v) => {
                *out = v;
                1
            }
            None => 0,
        }
    }
}

/// Runs a collection step if one is due, as the interpreter does after an
/// allocating instruction; the native frame's registers are in its stack
/// slots, so the collector sees them. Finalizers may run Lua code.
fn gc_safepoint(
    l: &mut crate::runtime::state::State,
    pc: u32,
) -> Result<(), crate::runtime::error::LuaError> {
    if !l.g().gc_due() {
        return Ok(());
    }
    save_pc(l, pc);
    l.check_gc()
}

/// Finishes an allocating helper: a GC safepoint, then the frame's base.
fn after_alloc(l: &mut crate::runtime::state::State, pc: u32) -> CallResult {
    let r = gc_safepoint(l, pc);
    status_of(l, r)
}

/// The status of a helper that ran `r`: 0, or 1 with the error kept in
/// `Jit::pending_error`; with the frame's base (a collection or a call may
/// have moved the stack).
fn status_of(
    l: &mut crate::runtime::state::State,
    r: Result<(), crate::runtime::error::LuaError>,
) -> CallResult {
    let base_idx = l.ci().base;
    // SAFETY: base_idx is inside the stack (the frame is live).
    let base = unsafe { l.stack.as_mut_ptr().add(base_idx) };
    match r {
        Ok(()) => CallResult { status: 0, base },
        Err(e) => CallResult {
            status: pend(l, e),
            base,
        },
    }
}

/// `SETLIST A B C` with B = `n` > 0 and C (with its EXTRAARG) = `last`:
/// `R[A][last + j] = R[A + j]` for j in 1..=n, as the interpreter does
/// (the array part grows as needed; no metamethods). `ra` points to
/// `R[A]`. 0 if `R[A]` is not a table (only damaged code), else 1.
///
/// # Safety
/// `ra` points into the running frame with `n` registers after it.
pub unsafe extern "C" fn setlist(ra: *const TValue, n: u32, last: u32) -> u32 {
    // SAFETY: guaranteed by the caller; a table value holds a live table.
    unsafe {
        let Some(t) = table(ra) else { return 0 };
        let (n, last) = (n as usize, last as usize);
        (*t).ensure_array(last + n);
        let arr = (*t).array.as_mut_ptr();
        for j in 1..=n {
            *arr.add(last + j - 1) = *ra.add(j);
        }
        1
    }
}

/// `x ^ y` on floats (§3.4.1: exponentiation always converts to floats),
/// with the C library's `pow` as PUC Lua uses (Rust's `powf` is that call).
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}

/// `CONCAT A B` at `pc`: `R[A] = R[A] .. ... .. R[A+B-1]` with the
/// interpreter's semantics (numbers converted, `__concat` metamethods, which
/// may run Lua code and raise errors), then a GC safepoint. Status as for
/// [`newtable`].
///
/// # Safety
/// As for [`newtable`].
pub unsafe extern "C" fn concat(
    l: *mut crate::runtime::state::State,
    a: u32,
    n: u32,
    pc: u32,
) -> CallResult {
    // SAFETY: guaranteed by the caller.
    let l = unsafe { &mut *l };
    save_pc(l, pc);
    let base_idx = l.ci().base;
    l.top = base_idx + a as usize + n as usize;
    let r = match crate::runtime::tm::concat(l, n as usize) {
        Ok(()) => gc_safepoint(l, pc),
        Err(e) => Err(e),
    };
    status_of(l, r)
}

/// Closes the frame's upvalues and to-be-closed variables from register
/// `level` up (`CLOSE A`, and the closing part of `RETURN` with k set),
/// with the interpreter's semantics (`__close` metamethods may run Lua code
/// and raise errors). `top` is the register above the values to keep (a
/// `RETURN`'s results), or `u32::MAX` to keep the whole frame. Status as for
/// [`concat`].
///
/// # Safety
/// `l` is the running thread, its top frame the native function's frame.
pub unsafe extern "C" fn close(
    l: *mut crate::runtime::state::State,
    level: u32,
    top: u32,
    pc: u32,
) -> CallResult {
    // SAFETY: guaranteed by the caller.
    let l = unsafe { &mut *l };
    save_pc(l, pc);
    let ci = l.ci();
    let (base_idx, frame_top) = (ci.base, ci.top);
    l.top = if top == u32::MAX {
        frame_top
    } else {
        base_idx + top as usize
    };
    let r = crate::interp::call::close_normal(l, base_idx + level as usize);
    l.top = frame_top;
    status_of(l, r)
}

/// `NEWTABLE A B C` at `pc`: `R[A] = {}` with the interpreter's size hints,
/// then a GC safepoint. Status as for [`call`] (1: a finalizer's error).
///
/// # Safety
/// `l` is the running thread, its top frame the native function's frame.
pub unsafe extern "C" fn newtable(
    l: *mut crate::runtime::state::State,
    a: u32,
    b: u32,
    c: u32,
    pc: u32,
) -> CallResult {
    // SAFETY: guaranteed by the caller.
    let l = unsafe { &mut *l };
    let t = l.g().new_table(c as usize, b as usize);
    let base_idx = l.ci().base;
    l.stack[base_idx + a as usize] = TValue::table(t);
    after_alloc(l, pc)
}

/// `CLOSURE A Bx` at `pc`: `R[A]` = a new closure of nested prototype `Bx`,
/// capturing upvalues as the interpreter does, then a GC safepoint.
///
/// # Safety
/// As for [`newtable`].
pub unsafe extern "C" fn closure(
    l: *mut crate::runtime::state::State,
    a: u32,
    bx: u32,
    pc: u32,
) -> CallResult {
    // SAFETY: guaranteed by the caller; the running closure and its nested
    // prototypes are live.
    unsafe {
        let l = &mut *l;
        let base_idx = l.ci().base;
        let cl = l.stack[l.ci().func].as_lua_closure();
        let parent = &*(*cl).proto;
        let p = *parent.protos.get_unchecked(bx as usize);
        let child = &*p;
        let nup = child.upvalues.len();
        let ncl = l.g().new_lua_closure(p, nup);
        let enclosing = &(*cl).upvals;
        for (j, d) in child.upvalues.iter().enumerate() {
            let uv = if d.in_stack {
                l.find_upval(base_idx + d.index as usize)
            } else {
                enclosing[d.index as usize]
            };
            *(*ncl).upvals.as_mut_ptr().add(j) = uv;
        }
        l.stack[base_idx + a as usize] = TValue::lua_closure(ncl);
        after_alloc(l, pc)
    }
}
