//! The call/return protocol (PUC's `ldo.c`): setting up frames for Lua and
//! native functions, `__call`, moving results, protected calls, and closing
//! upvalues and to-be-closed variables (§3.3.8).
//!
//! Stack shape of a call: the function at `func`, its arguments above it up
//! to `top`. Results are moved to `func..` (the frame's `ret` slot), then
//! `top` is set after them when the caller wants all results.
//!
//! A vararg Lua function's frame is shifted: the function and its fixed
//! parameters are copied above the actual arguments, so the extra arguments
//! stay just below the new `func` (`nextra` of them), as in PUC Lua 5.4.

use super::execute;
use crate::runtime::debug::{self as rdebug, hook_mask, varinfo};
use crate::runtime::error::{ErrorKind, LuaError, LuaResult};
use crate::runtime::state::{cist, CallInfo, State, MAX_CCALLS, MIN_STACK};
use crate::runtime::tm::{self, Tm};
use crate::runtime::value::*;

/// Prepares the call of the value at `func` with arguments up to `l.top`.
/// A native function runs to completion here (results placed, `Ok(false)`);
/// for a Lua function a frame is pushed and `Ok(true)` returned: the caller
/// runs it (`execute`).
#[inline]
pub fn precall(l: &mut State, func: usize, nresults: i32) -> LuaResult<bool> {
    let mut func_v = l.stack[func];
    let mut tries = 0;
    loop {
        match func_v.tt {
            TLCL => {
                // SAFETY: a Lua closure value holds a live closure and proto.
                let p = unsafe { &*(*func_v.as_lua_closure()).proto };
                let fsize = p.max_stack_size as usize;
                let nargs = l.top - func - 1;
                let nfixed = p.num_params as usize;
                if !p.is_vararg {
                    l.check_stack(fsize)?;
                    for i in nargs..nfixed {
                        l.stack[func + 1 + i] = TValue::NIL;
                    }
                    let base = func + 1;
                    l.cis.push(CallInfo {
                        func,
                        ret: func,
                        base,
                        top: base + fsize,
                        savedpc: p.code.as_ptr(),
                        nresults,
                        nextra: 0,
                        status: cist::LUA,
                    });
                    l.top = base + fsize;
                } else {
                    l.check_stack(fsize + nfixed + 1)?;
                    let newfunc = func + 1 + nargs;
                    l.stack[newfunc] = func_v;
                    for i in 0..nfixed {
                        l.stack[newfunc + 1 + i] = if i < nargs {
                            l.stack[func + 1 + i]
                        } else {
                            TValue::NIL
                        };
                    }
                    let base = newfunc + 1;
                    l.cis.push(CallInfo {
                        func: newfunc,
                        ret: func,
                        base,
                        top: base + fsize,
                        savedpc: p.code.as_ptr(),
                        nresults,
                        nextra: nargs.saturating_sub(nfixed) as u32,
                        status: cist::LUA,
                    });
                    l.top = base + fsize;
                }
                return Ok(true);
            }
            TNCL => {
                l.check_stack(MIN_STACK)?;
                let c = func_v.as_native();
                l.cis.push(CallInfo {
                    func,
                    ret: func,
                    base: func + 1,
                    top: l.top + MIN_STACK,
                    savedpc: std::ptr::null(),
                    nresults,
                    nextra: 0,
                    status: 0,
                });
                // SAFETY: c is a live native closure.
                let f = unsafe { (*c).f };
                if l.hook_mask & hook_mask::CALL != 0 {
                    let nargs = l.top - func - 1;
                    rdebug::hook_native_call(l, nargs)?;
                }
                let n = f(l)?;
                let first = l.top - n;
                if l.hook_mask != 0 {
                    rdebug::hook_return(l, first, n, |l| &mut l.hook_oldpc)?;
                }
                poscall(l, first, n);
                return Ok(false);
            }
            _ => {
                // __call: insert the metamethod below the arguments
                let h = tm::tm_of(l, &func_v, Tm::Call);
                if h.is_nil() || tries > 100 {
                    return Err(call_error(l, func));
                }
                tries += 1;
                l.check_stack(1)?;
                let top = l.top;
                l.stack.copy_within(func..top, func + 1);
                l.stack[func] = h;
                l.top = top + 1;
                func_v = h;
            }
        }
    }
}

/// "attempt to call a X value (global 'f')".
pub fn call_error(l: &mut State, func: usize) -> LuaError {
    let v = l.stack[func];
    // 5.4.4's luaG_callerror: the name comes from the calling instruction
    let mut vi = String::new();
    if let Some(cl) = crate::runtime::debug::ci_lua_closure(l, l.ci()) {
        // SAFETY: the running frame's closure, proto and savedpc are live.
        unsafe {
            let p = &*(*cl).proto;
            let pc = crate::runtime::state::pc_index(p, l.ci().savedpc);
            if let Some((kind, name)) = crate::runtime::debug::func_name_from_code(p, pc) {
                vi = format!(" ({kind} '{name}')");
            }
        }
    }
    if vi.is_empty() {
        let p = l.stack.as_ptr().wrapping_add(func);
        vi = varinfo(l, p);
    }
    let tn = tm::type_name_mt(l, &v);
    l.rt_error(format!("attempt to call a {tn} value{vi}"))
}

/// Finishes a call: moves `n` results starting at stack index `first` to the
/// frame's `ret` slot, adjusts to the wanted count, pops the frame.
#[inline(always)]
pub fn poscall(l: &mut State, first: usize, n: usize) {
    let ci = l.cis.pop().expect("poscall without a frame");
    let res = ci.ret;
    let wanted = ci.nresults;
    debug_assert!(first + n <= l.stack.len() && res <= first);
    let stack = l.stack.as_mut_ptr();
    // SAFETY: `first + n` and `res + wanted` are within the stack: results
    // were produced in it, and the caller's frame reserved room for the
    // wanted results (res <= first).
    unsafe {
        if wanted == 1 {
            *stack.add(res) = if n > 0 {
                *stack.add(first)
            } else {
                TValue::NIL
            };
            l.top = res + 1;
            return;
        }
        if wanted < 0 {
            if first != res {
                for i in 0..n {
                    *stack.add(res + i) = *stack.add(first + i);
                }
            }
            l.top = res + n;
        } else {
            let wanted = wanted as usize;
            let m = n.min(wanted);
            if first != res {
                for i in 0..m {
                    *stack.add(res + i) = *stack.add(first + i);
                }
            }
            for i in m..wanted {
                *stack.add(res + i) = TValue::NIL;
            }
            l.top = res + wanted;
        }
    }
}

/// Calls the value at `func` with the arguments up to `l.top`, unprotected
/// (`lua_call`). Results at `func..`, `l.top` after them when `nresults` is
/// -1, else `func + nresults`.
pub fn call(l: &mut State, func: usize, nresults: i32) -> LuaResult<()> {
    l.n_ccalls += 1;
    if l.n_ccalls >= MAX_CCALLS {
        if l.n_ccalls >= MAX_CCALLS + MAX_CCALLS / 10 {
            let v = l.str_value(b"error in error handling");
            return Err(LuaError {
                kind: ErrorKind::ErrorHandler,
                value: v,
            });
        }
        return Err(l.rt_error("C stack overflow"));
    }
    if precall(l, func, nresults)? {
        l.ci_mut().status |= cist::FRESH;
        execute(l)?;
    }
    l.n_ccalls -= 1;
    Ok(())
}

/// Calls `f(args...)` from native code and returns its first result.
pub fn call_value_1(l: &mut State, f: TValue, args: &[TValue]) -> LuaResult<TValue> {
    let saved_top = l.top;
    let func = push_call(l, f, args)?;
    call(l, func, 1)?;
    let r = l.stack[func];
    l.top = saved_top;
    Ok(r)
}

/// Calls `f(args...)` keeping `nresults` results on the stack (-1: all);
/// returns the index of the first result.
pub fn call_value_n(l: &mut State, f: TValue, args: &[TValue], nresults: i32) -> LuaResult<usize> {
    let func = push_call(l, f, args)?;
    call(l, func, nresults)?;
    Ok(func)
}

/// Calls `f(args...)` protected and returns its first result; on error the
/// failed frames are removed (unlike the unprotected calls, whose errors
/// leave frames for the catcher). For natives that handle errors themselves.
pub fn pcall_value_1(l: &mut State, f: TValue, args: &[TValue]) -> Result<TValue, LuaError> {
    let saved_top = l.top;
    let func = push_call(l, f, args)?;
    let r = pcall(l, func, 1, Handler::None).map(|_| l.stack[func]);
    l.top = saved_top;
    r
}

/// Pushes a function and its arguments above everything live in the running
/// frame (a Lua frame's registers end at its `top`).
fn push_call(l: &mut State, f: TValue, args: &[TValue]) -> LuaResult<usize> {
    let ci_top = l.ci().top;
    if l.ci().is_lua() && l.top < ci_top {
        l.top = ci_top;
    }
    l.check_stack(args.len() + 1)?;
    let func = l.top;
    l.stack[func] = f;
    l.stack[func + 1..func + 1 + args.len()].copy_from_slice(args);
    l.top = func + 1 + args.len();
    Ok(func)
}

/// A message handler for [`pcall`]: a Lua function (`xpcall`) or a Rust one
/// (the CLI's traceback handler).
#[derive(Clone, Copy)]
pub enum Handler {
    None,
    Lua(TValue),
    Native(fn(&mut State, TValue) -> TValue),
}

/// Protected call (`lua_pcall`): on error, the handler runs with the frames
/// of the error still on the stack, then the frames are removed, upvalues
/// and to-be-closed variables above `func` are closed with the error, and the
/// (handled) error is returned. `l.top` is then `func`.
pub fn pcall(l: &mut State, func: usize, nresults: i32, handler: Handler) -> Result<(), LuaError> {
    let saved_cis = l.cis.len();
    let saved_ccalls = l.n_ccalls;
    let saved_allow_hook = l.allow_hook;
    match call(l, func, nresults) {
        Ok(()) => Ok(()),
        Err(e) => {
            let mut err = e;
            // run the handler on top of the failed frames
            match handler {
                Handler::None => {}
                Handler::Lua(h) => {
                    err = run_handler(l, h, err);
                }
                Handler::Native(f) => {
                    err.value = f(l, err.value);
                }
            }
            // close from above everything the failed frames used
            let mut used = l.top;
            for ci in l.cis[saved_cis..].iter() {
                used = used.max(ci.top);
            }
            l.cis.truncate(saved_cis);
            l.n_ccalls = saved_ccalls;
            l.allow_hook = saved_allow_hook;
            l.top = used
                .min(l.stack.len() - crate::runtime::state::EXTRA_STACK)
                .max(func + 1);
            let err = close_on_error(l, func, err);
            l.top = func;
            Err(err)
        }
    }
}

fn run_handler(l: &mut State, h: TValue, err: LuaError) -> LuaError {
    // the handler runs above the error frames
    let mut used = l.top;
    for ci in l.cis.iter() {
        used = used.max(ci.top);
    }
    l.top = used.min(l.stack.len() - 1);
    if err.kind == ErrorKind::ErrorHandler
        || err.kind == ErrorKind::Memory && l.n_ccalls > MAX_CCALLS
    {
        return err;
    }
    match call_value_1(l, h, &[err.value]) {
        Ok(v) => LuaError {
            kind: err.kind,
            value: v,
        },
        Err(e2) => {
            // an error in the handler: PUC retries the handler on it, which
            // ends in "error in error handling" (LUA_ERRERR)
            if e2.kind == ErrorKind::ErrorHandler {
                e2
            } else {
                let v = l.str_value(b"error in error handling");
                LuaError {
                    kind: ErrorKind::ErrorHandler,
                    value: v,
                }
            }
        }
    }
}

/// Closes upvalues and to-be-closed variables at or above `level` after an
/// error; an error in a `__close` replaces the original (§3.3.8).
pub fn close_on_error(l: &mut State, level: usize, err: LuaError) -> LuaError {
    l.close_upvals(level);
    let mut err = err;
    while let Some(&slot) = l.tbc.last() {
        if slot < level {
            break;
        }
        l.tbc.pop();
        let v = l.stack[slot];
        let f = tm::tm_of(l, &v, Tm::Close);
        if f.is_nil() {
            continue;
        }
        // the call goes above the variable (and everything else still live)
        if l.top <= slot {
            l.top = slot + 1;
        }
        let saved = l.top;
        let saved_cis = l.cis.len();
        let saved_cc = l.n_ccalls;
        if l.check_stack(3).is_err() {
            continue;
        }
        let func = l.top;
        l.stack[func] = f;
        l.stack[func + 1] = v;
        l.stack[func + 2] = err.value;
        l.top = func + 3;
        if let Err(e2) = call(l, func, 0) {
            l.cis.truncate(saved_cis);
            l.n_ccalls = saved_cc;
            err = e2;
        }
        l.top = saved;
    }
    err
}

/// Closes upvalues and calls the `__close` of to-be-closed variables at or
/// above `level` on a normal exit (block end, `return`, `break`); errors
/// propagate.
pub fn close_normal(l: &mut State, level: usize) -> LuaResult<()> {
    l.close_upvals(level);
    while let Some(&slot) = l.tbc.last() {
        if slot < level {
            break;
        }
        l.tbc.pop();
        let v = l.stack[slot];
        let f = tm::tm_of(l, &v, Tm::Close);
        if f.is_nil() {
            continue;
        }
        let saved = l.top;
        call_value_n(l, f, &[v, TValue::NIL], 0)?;
        l.top = saved;
    }
    Ok(())
}

/// Marks stack slot `slot` as a to-be-closed variable (`TBC`); false and nil
/// are ignored; other values need a `__close` metamethod.
pub fn new_tbc(l: &mut State, slot: usize) -> LuaResult<()> {
    let v = l.stack[slot];
    if v.is_falsy() {
        return Ok(());
    }
    if tm::tm_of(l, &v, Tm::Close).is_nil() {
        // name the variable like PUC: "variable 'x' got a non-closable value"
        let name = crate::runtime::debug::ci_lua_closure(l, l.ci())
            .and_then(|cl| {
                // SAFETY: live closure of the running frame.
                let p = unsafe { &*(*cl).proto };
                // SAFETY: savedpc points into p's code.
                let pc = unsafe { crate::runtime::state::pc_index(p, l.ci().savedpc) };
                p.local_name(slot - l.ci().base + 1, pc + 1)
                    .map(|s| s.to_string())
            })
            .unwrap_or_else(|| "?".into());
        return Err(l.rt_error(format!("variable '{name}' got a non-closable value")));
    }
    l.tbc.push(slot);
    Ok(())
}

/// Calls `f(args)` protected, discarding results (finalizers, warnings).
pub fn call_protected_values(
    l: &mut State,
    f: TValue,
    args: &[TValue],
    nresults: i32,
) -> Result<(), LuaError> {
    let saved_top = l.top;
    let func = push_call(l, f, args)?;
    let r = pcall(l, func, nresults, Handler::None);
    l.top = saved_top;
    r
}
