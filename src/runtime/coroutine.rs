//! Coroutines (§2.6): each Lua coroutine runs its frames on its own native
//! stack (a `corosensei` coroutine), so `yield` can suspend from anywhere —
//! inside `pcall`, metamethods, iterators, `table.sort` comparators, library
//! callbacks — without continuations.
//!
//! Values cross between threads through their value stacks: `resume` moves
//! its arguments onto the coroutine's stack and resumes the native coroutine
//! with their count; `yield` suspends with the count of values on top of the
//! coroutine's stack, which `resume` then moves to the resumer. A coroutine
//! that finishes or fails is dead; its native stack returns to a pool.
//!
//! Native stacks are [`CORO_STACK_SIZE`] bytes of virtual memory with a
//! guard page (committed lazily by the OS); native→Lua nesting inside a
//! coroutine is bounded by `MAX_CCALLS`, which keeps it well inside.

use super::error::LuaResult;
use super::state::{CallInfo, NativeCoroutine, State, ThreadStatus, MAX_CCALLS, MIN_STACK};
use super::value::TValue;
use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult};

/// Size of each coroutine's native stack in bytes.
pub const CORO_STACK_SIZE: usize = 1 << 20;

/// Outcome of a resume.
pub enum ResumeOutcome {
    /// The coroutine yielded or returned this many values, now on top of the
    /// resumer's stack.
    Values(usize),
    /// The coroutine failed with this error value (it is now dead).
    Error(TValue),
}

/// Creates a coroutine thread whose body is `f` (`coroutine.create`).
pub fn create(l: &mut State, f: TValue) -> *mut State {
    let co = l.new_thread();
    // SAFETY: co is a new live thread; its base frame is a native frame with
    // the body function in slot 0.
    unsafe {
        let c = &mut *co;
        c.stack[0] = f;
        c.top = 1;
        c.cis.push(CallInfo {
            func: 0,
            ret: 0,
            base: 1,
            top: 1 + MIN_STACK,
            savedpc: std::ptr::null(),
            nresults: -1,
            nextra: 0,
            status: 0,
        });
    }
    co
}

/// Resumes `co` with the `nargs` values on top of `l`'s stack
/// (`coroutine.resume`). Status errors ("cannot resume dead coroutine") are
/// returned as `Error` with a message value.
pub fn resume(l: &mut State, co: *mut State, nargs: usize) -> LuaResult<ResumeOutcome> {
    // SAFETY: co is a live thread (rooted by the caller's argument slot);
    // l and co are distinct threads of the same universe.
    let c = unsafe { &mut *co };
    if std::ptr::eq(c, l) {
        let m = l.str_value(b"cannot resume non-suspended coroutine");
        return Ok(ResumeOutcome::Error(m));
    }
    match c.status {
        ThreadStatus::Suspended => {}
        ThreadStatus::Dead => {
            let m = l.str_value(b"cannot resume dead coroutine");
            return Ok(ResumeOutcome::Error(m));
        }
        _ => {
            let m = l.str_value(b"cannot resume non-suspended coroutine");
            return Ok(ResumeOutcome::Error(m));
        }
    }
    if l.n_ccalls + 1 >= MAX_CCALLS {
        let m = l.str_value(b"C stack overflow");
        return Ok(ResumeOutcome::Error(m));
    }
    // move the arguments
    c.check_stack(nargs)?;
    let from = l.top - nargs;
    for i in 0..nargs {
        c.stack[c.top + i] = l.stack[from + i];
    }
    c.top += nargs;
    l.top = from;
    // Native calls pending inside the coroutine (on its own stack, e.g. made
    // from compiled code before it yielded) keep counting on top of the
    // resumer's depth, so they unwind to the base they started from.
    let pending = c.n_ccalls.saturating_sub(c.ccalls_base);
    c.ccalls_base = l.n_ccalls + 1;
    c.n_ccalls = c.ccalls_base + pending;
    if c.coro.is_none() {
        let stack = match l.g().stack_pool.pop() {
            Some(s) => s,
            None => match DefaultStack::new(CORO_STACK_SIZE) {
                Ok(s) => s,
                Err(_) => return Err(l.mem_error()),
            },
        };
        let cp = co as usize;
        let coro: NativeCoroutine = Coroutine::with_stack(stack, move |yielder, n: usize| {
            // SAFETY: the thread object outlives its native coroutine (the
            // collector drops the coroutine before freeing the thread).
            let c = unsafe { &mut *(cp as *mut State) };
            c.yielder = yielder as *const _;
            let func = c.top - n - 1;
            crate::interp::call::call(c, func, -1)?;
            Ok(c.top - func)
        });
        c.coro = Some(Box::new(coro));
    }
    let prev_status = l.status;
    l.status = ThreadStatus::Normal;
    c.status = ThreadStatus::Running;
    let r = c.coro.as_mut().expect("coroutine body").resume(nargs);
    l.status = prev_status;
    match r {
        CoroutineResult::Yield(n) => {
            c.status = ThreadStatus::Suspended;
            Ok(ResumeOutcome::Values(transfer(c, l, n)?))
        }
        CoroutineResult::Return(Ok(n)) => {
            c.status = ThreadStatus::Dead;
            c.yielder = std::ptr::null();
            let n = transfer(c, l, n)?;
            recycle_stack(l, c);
            Ok(ResumeOutcome::Values(n))
        }
        CoroutineResult::Return(Err(e)) => {
            c.status = ThreadStatus::Dead;
            c.yielder = std::ptr::null();
            c.dead_error = Some(e.value);
            // keep the frames for debug.traceback(co); free the native stack
            recycle_stack(l, c);
            Ok(ResumeOutcome::Error(e.value))
        }
    }
}

fn recycle_stack(l: &mut State, c: &mut State) {
    if let Some(coro) = c.coro.take() {
        if coro.done() {
            let s = coro.into_stack();
            let g = l.g();
            if g.stack_pool.len() < 16 {
                g.stack_pool.push(s);
            }
        }
    }
}

/// Moves the top `n` values of `from` onto `to`.
fn transfer(from: &mut State, to: &mut State, n: usize) -> LuaResult<usize> {
    to.check_stack(n)?;
    let start = from.top - n;
    for i in 0..n {
        to.stack[to.top + i] = from.stack[start + i];
    }
    to.top += n;
    from.top = start;
    Ok(n)
}

/// Suspends the running coroutine with the `n` values on top of its stack
/// (`coroutine.yield`); returns the number of values the next `resume`
/// passed, which are then on top of the stack.
pub fn yield_(l: &mut State, n: usize) -> LuaResult<usize> {
    if l.yielder.is_null() {
        return Err(l.error_plain("attempt to yield from outside a coroutine"));
    }
    // SAFETY: yielder was set by this coroutine's body and stays valid while
    // the body runs; we are running on this coroutine's native stack.
    let y = unsafe { &*l.yielder };
    let _ = n;
    let nargs = y.suspend(n);
    Ok(nargs)
}

/// Closes a suspended or dead coroutine (`coroutine.close`): runs pending
/// `__close` handlers and kills it. Returns the error that ends it, if any.
pub fn close(l: &mut State, co: *mut State) -> Result<Option<TValue>, String> {
    // SAFETY: co is a live thread rooted by the caller.
    let c = unsafe { &mut *co };
    match c.status {
        ThreadStatus::Suspended | ThreadStatus::Dead => {}
        ThreadStatus::Normal => return Err("cannot close a normal coroutine".into()),
        ThreadStatus::Running => return Err("cannot close a running coroutine".into()),
    }
    let mut err = c.dead_error.take();
    if !c.tbc.is_empty() || !c.open_upval.is_null() {
        // Run the pending closing methods on the coroutine's state, from this
        // native stack (the coroutine cannot yield meanwhile). Its frames are
        // dead: closers run above everything they used.
        c.yielder = std::ptr::null();
        c.n_ccalls = l.n_ccalls;
        let mut used = c.top;
        for ci in c.cis.iter() {
            used = used.max(ci.top);
        }
        c.cis.truncate(1);
        c.top = used.min(c.stack.len() - super::state::EXTRA_STACK).max(1);
        err = match err {
            Some(e) => Some(
                crate::interp::call::close_on_error(
                    c,
                    1,
                    crate::runtime::error::LuaError::runtime(e),
                )
                .value,
            ),
            None => match crate::interp::call::close_normal(c, 1) {
                Ok(()) => None,
                Err(e) => Some(crate::interp::call::close_on_error(c, 1, e).value),
            },
        };
    }
    c.cis.truncate(1);
    c.status = ThreadStatus::Dead;
    c.yielder = std::ptr::null();
    // drop the suspended native stack (unwinds its Rust frames)
    c.coro = None;
    c.top = 1;
    Ok(err)
}
