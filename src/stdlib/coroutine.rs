//! The coroutine library (§6.2): `create`, `resume`, `yield`, `status`,
//! `wrap`, `isyieldable`, `running`, `close`. The mechanics are in
//! `runtime::coroutine`.

use super::aux::*;
use crate::runtime::coroutine::{self, ResumeOutcome};
use crate::runtime::error::{LuaError, LuaResult};
use crate::runtime::state::{State, ThreadStatus};
use crate::runtime::value::*;

/// Registers the coroutine library.
pub fn open(l: &mut State) {
    new_lib(
        l,
        "coroutine",
        &[
            ("create", create),
            ("resume", resume),
            ("yield", yield_),
            ("status", status),
            ("wrap", wrap),
            ("isyieldable", isyieldable),
            ("running", running),
            ("close", close),
        ],
    );
}

fn check_co(l: &mut State, n: usize) -> LuaResult<*mut State> {
    let v = arg(l, n);
    if v.tt == TTHREAD {
        Ok(v.as_thread())
    } else {
        Err(type_error(l, n, "thread"))
    }
}

fn create(l: &mut State) -> LuaResult<usize> {
    let f = check_function(l, 1)?;
    let co = coroutine::create(l, f);
    l.push(TValue::thread(co));
    Ok(1)
}

fn resume(l: &mut State) -> LuaResult<usize> {
    let co = check_co(l, 1)?;
    let nargs = nargs(l) - 1;
    let base = l.ci().base;
    match coroutine::resume(l, co, nargs)? {
        ResumeOutcome::Values(n) => {
            // results are on top; put `true` before them
            let first = l.top - n;
            l.check_stack(1)?;
            l.stack.copy_within(first..first + n, base + 1);
            l.stack[base] = TValue::TRUE;
            l.top = base + 1 + n;
            Ok(n + 1)
        }
        ResumeOutcome::Error(e) => {
            l.top = base;
            l.push(TValue::FALSE);
            l.push(e);
            Ok(2)
        }
    }
}

fn yield_(l: &mut State) -> LuaResult<usize> {
    let n = nargs(l);
    coroutine::yield_(l, n)
}

fn status_name(l: &State, co: *mut State) -> &'static str {
    if std::ptr::eq(co, l) {
        return "running";
    }
    // SAFETY: co is a live thread.
    match unsafe { (*co).status } {
        ThreadStatus::Suspended => "suspended",
        ThreadStatus::Running => "running",
        ThreadStatus::Normal => "normal",
        ThreadStatus::Dead => "dead",
    }
}

fn status(l: &mut State) -> LuaResult<usize> {
    let co = check_co(l, 1)?;
    let s = status_name(l, co);
    ret_str(l, s.as_bytes())
}

fn wrap_aux(l: &mut State) -> LuaResult<usize> {
    let f = l.stack[l.ci().func];
    // SAFETY: wrap's closure has the coroutine as its only upvalue.
    let co = unsafe { (*f.as_native()).upvals[0] }.as_thread();
    let nargs = nargs(l);
    let base = l.ci().base;
    match coroutine::resume(l, co, nargs)? {
        ResumeOutcome::Values(n) => {
            let first = l.top - n;
            l.stack.copy_within(first..first + n, base);
            l.top = base + n;
            Ok(n)
        }
        ResumeOutcome::Error(e) => {
            // 5.4: close the coroutine, and add position to string errors
            // SAFETY: co is live (upvalue).
            let dead = unsafe { (*co).status == ThreadStatus::Dead };
            let mut ev = e;
            if dead {
                if let Ok(Some(v)) = coroutine::close(l, co) {
                    ev = v;
                }
            }
            if ev.tt == TSTR {
                let w = l.where_(1);
                let mut s = w.into_bytes();
                // SAFETY: ev is a live string.
                s.extend_from_slice(unsafe { bytes(ev.as_string()) });
                ev = l.str_value(&s);
            }
            Err(LuaError::runtime(ev))
        }
    }
}

fn wrap(l: &mut State) -> LuaResult<usize> {
    let f = check_function(l, 1)?;
    let co = coroutine::create(l, f);
    let c = l.g().new_native(wrap_aux, "wrap", vec![TValue::thread(co)]);
    l.push(TValue::native(c));
    Ok(1)
}

fn isyieldable(l: &mut State) -> LuaResult<usize> {
    let co = if nargs(l) >= 1 {
        check_co(l, 1)?
    } else {
        l as *mut State
    };
    // SAFETY: live thread.
    let y = unsafe { !std::ptr::eq(co, (*co).g().main_thread) };
    l.push(TValue::boolean(y));
    Ok(1)
}

fn running(l: &mut State) -> LuaResult<usize> {
    let me = l as *mut State;
    let is_main = std::ptr::eq(me, l.g().main_thread);
    l.push(TValue::thread(me));
    l.push(TValue::boolean(is_main));
    Ok(2)
}

fn close(l: &mut State) -> LuaResult<usize> {
    let co = check_co(l, 1)?;
    match coroutine::close(l, co) {
        Ok(None) => {
            l.push(TValue::TRUE);
            Ok(1)
        }
        Ok(Some(e)) => {
            l.push(TValue::FALSE);
            l.push(e);
            Ok(2)
        }
        Err(msg) => Err(l.error(msg)),
    }
}
