//! Tier 0: the bytecode interpreter (PUC's `lvm.c` role).
//!
//! `execute` runs the Lua frame on top of the `CallInfo` stack (marked
//! `FRESH`) until that frame returns. Lua-to-Lua calls and returns switch
//! frames inside the loop (no native recursion); native functions and
//! metamethods are called from Rust and may re-enter `execute`.
//!
//! Hot state lives in locals: `pc` (pointer into the prototype's code),
//! `base` (pointer to register 0), `k` (constants). `base` is reloaded after
//! anything that can move the stack (the `protect!` macro), and `pc` is
//! saved into the frame before anything that can raise an error or inspect
//! the frame (`savepc!`). Fast paths for numbers and plain tables come first;
//! everything else goes to `runtime::tm`. Registers are reached through raw
//! pointers: the compiler guarantees every operand register is below the
//! prototype's `max_stack_size`, and `precall` made that many slots available.

pub mod call;
pub mod ic;

use crate::bytecode::ins;
use crate::bytecode::OpCode;
#[allow(unused_imports)] // unused without the `profiling` feature
use crate::profile::{self, key1, key2};
use crate::runtime::debug::{self as rdebug, hook_mask};
use crate::runtime::error::LuaResult;
use crate::runtime::state::{cist, CallInfo, State, EXTRA_STACK};
use crate::runtime::tm::{self, ArithOp};
use crate::runtime::value::*;
use call::{poscall, precall};

/// "bad 'for' limit (number expected, got table)".
fn for_error(l: &mut State, what: &str, v: &TValue) -> crate::runtime::error::LuaError {
    let tn = tm::type_name_mt(l, v);
    l.rt_error(format!("bad 'for' {what} (number expected, got {tn})"))
}

/// Integer limit of a numeric for loop and whether the loop is skipped
/// (PUC's `forlimit`).
fn for_limit(l: &mut State, init: i64, lim: &TValue, step: i64) -> LuaResult<(i64, bool)> {
    let ilim = match lim.tt {
        TINT => Some(lim.as_int()),
        _ => match tm::to_number(lim) {
            Some(n) if n.tt == TINT => Some(n.as_int()),
            Some(n) => {
                let f = n.as_float();
                let r = if step < 0 { f.ceil() } else { f.floor() };
                match float_to_int_exact(r) {
                    Some(i) => Some(i),
                    None => {
                        if 0.0 < f {
                            if step < 0 {
                                return Ok((0, true));
                            }
                            Some(i64::MAX)
                        } else {
                            if step > 0 {
                                return Ok((0, true));
                            }
                            Some(i64::MIN)
                        }
                    }
                }
            }
            None => return Err(for_error(l, "limit", lim)),
        },
    };
    let p = ilim.unwrap_or(0);
    Ok((p, if step > 0 { init > p } else { init < p }))
}

/// `h[key]` for a constant string key without calling metamethods, the
/// shared path of `GETTABUP`, `GETFIELD` and `SELF`. In the recording copy of
/// the loop (`rec`) the inline cache is probed and updated first (`count_hits`
/// counts its hits). Then the object's own field (its probe skipped when
/// `bloom` and the table's Bloom bits prove the key absent), then, in the
/// steady state, the cache's inherited entries, then a chain of `__index`
/// tables. `None`: the generic path (`tm::index`) must run.
///
/// # Safety
/// `h` and the tables reachable through metatables are live; `ic` is the
/// running instruction's cache.
#[inline(always)]
unsafe fn lookup_str(
    l: &mut State,
    h: *mut crate::runtime::table::Table,
    key: *mut crate::runtime::string::LuaString,
    ic: &mut profile::InlineCache,
    rec: bool,
    count_hits: bool,
    bloom: bool,
) -> Option<TValue> {
    let caches = cfg!(feature = "inline-caches");
    // SAFETY: guaranteed by the caller.
    unsafe {
        if caches && rec {
            let index_name = l.g().tm_name(tm::Tm::Index);
            if let Some(v) = ic::get(ic, h, key, index_name, count_hits) {
                return Some(v);
            }
            if (*h).metatable.is_null() {
                return Some(TValue::NIL);
            }
        }
        let v = if !bloom || (*h).may_have_str(key) {
            (*h).get_str(key)
        } else {
            TValue::NIL
        };
        if !v.is_nil() || (*h).metatable.is_null() {
            return Some(v);
        }
        if caches && !rec {
            let index_name = l.g().tm_name(tm::Tm::Index);
            if let Some(v) = ic::inherited(ic, h, key, index_name, false) {
                return Some(v);
            }
        }
        tm::index_str_chain(l, h, key)
    }
}

/// How native code left the frame.
enum NativeExit {
    /// The function returned `n` values from register `first`.
    Return(usize, usize),
    /// Continue interpreting the frame at this pc.
    Resume(usize),
}

/// Runs the prototype's native code from `entry` (0 = start, else an OSR
/// loop header) on the frame at `base`; errors raised by calls made from it
/// come back as `Err`. Kept out of line so the dispatch loop stays small.
///
/// # Safety
/// `proto` is the running prototype and `prof` its profile, with native
/// code installed,
/// `k`/`upvals` the running closure's constants and upvalues, `base` its
/// frame's register 0, and the frame's `savedpc` saved.
#[inline(never)]
unsafe fn run_native(
    l: &mut State,
    proto: *mut crate::runtime::func::Proto,
    prof: *mut profile::ProtoProfile,
    k: *const TValue,
    upvals: *const *mut crate::runtime::func::UpVal,
    base: *mut TValue,
    entry: u32,
) -> LuaResult<NativeExit> {
    use crate::jit::abi::{decode, JitVm, Status};
    // SAFETY: guaranteed by the caller; the JIT exists whenever native code
    // is installed.
    unsafe {
        let Some(nc) = (*prof).native.as_mut() else {
            return Err(l.rt_error("internal error: no native code"));
        };
        nc.entries += 1;
        let f = nc.entry;
        let Some(jit) = l.g().jit.as_deref_mut() else {
            return Err(l.rt_error("internal error: native code without a JIT"));
        };
        let vm: *mut JitVm = &mut *jit.vm;
        (*vm).state = l as *mut State;
        (*vm).k = k;
        (*vm).upvals = upvals;
        let st = f(vm, base, entry);
        match decode(st) {
            Some(Status::Return { first, n }) => Ok(NativeExit::Return(first, n)),
            Some(Status::Deopt { pc }) => {
                crate::jit::guard_failed(l, proto, pc);
                Ok(NativeExit::Resume(pc))
            }
            Some(Status::Resume { pc }) => {
                crate::jit::resumed(l);
                Ok(NativeExit::Resume(pc))
            }
            Some(Status::Error) => Err(crate::jit::take_error(l)),
            None => Err(l.rt_error("internal error: bad status from native code")),
        }
    }
}

/// Delivers "function became hot" to the VM's hot policy.
#[cold]
#[inline(never)]
#[cfg_attr(not(feature = "profiling"), allow(dead_code))]
fn hot_function(l: &mut State, proto: &crate::runtime::func::Proto) {
    hot_event(l, proto, profile::HotKind::Function);
}

/// Delivers "the loop whose back-edge is at `pc` became hot".
#[cold]
#[inline(never)]
#[cfg_attr(not(feature = "profiling"), allow(dead_code))]
fn hot_loop(l: &mut State, proto: &crate::runtime::func::Proto, pc: u32) {
    hot_event(l, proto, profile::HotKind::Loop { pc });
}

#[cfg_attr(not(feature = "profiling"), allow(dead_code))]
fn hot_event(l: &mut State, proto: &crate::runtime::func::Proto, kind: profile::HotKind) {
    // SAFETY: profile access between instructions of the interpreter's own thread.
    let id = unsafe { proto.profile.view() }.id;
    if !l.g().profile.always_record {
        // warm-up is over: the feedback gathered so far is what the JIT uses
        // SAFETY: as above; no reference to the profile is live.
        unsafe { (*proto.profile.get()).recording = false };
    }
    let where_ = format!(
        "{}:{}",
        crate::syntax::chunk_id(&proto.source_name()),
        proto.line_defined
    );
    l.g().profile.policy.on_hot(profile::HotEvent {
        proto_id: id,
        kind,
        where_,
    });
    if l.g().jit.is_some() {
        crate::jit::on_hot(l, proto as *const _ as *mut _);
    }
}

/// Runs the Lua frame on top of the frame stack until it returns.
pub fn execute(l: &mut State) -> LuaResult<()> {
    // Two copies of the loop: one records type feedback, back-edge counts and
    // cache hits (prototypes still warming up, or `--profile`), one has no
    // profiling code at all. A frame runs in the copy matching its prototype's
    // `recording` flag; when they differ the running copy returns `Ok(false)`
    // with the frame state saved and the other one resumes it.
    loop {
        let done = if cfg!(feature = "profiling") && recording_frame(l) {
            run::<true>(l)?
        } else {
            run::<false>(l)?
        };
        if done {
            return Ok(());
        }
    }
}

/// Does the running Lua frame belong to a prototype that records feedback?
fn recording_frame(l: &State) -> bool {
    let Some(ci) = l.cis.last() else {
        return false;
    };
    let f = l.stack[ci.func];
    // SAFETY: `execute` runs Lua frames only: the function slot holds a live
    // Lua closure whose prototype is live; the profile is read between
    // instructions.
    f.tt == TLCL && unsafe { (*(*(*f.as_lua_closure()).proto).profile.get()).recording }
}

#[allow(unused_assignments)] // `trap` is refreshed by macros before every possible use
fn run<const REC: bool>(l: &mut State) -> LuaResult<bool> {
    // SAFETY: this function is the VM's core loop. Every raw pointer it uses
    // points into live VM memory: `base` into the thread's stack (reloaded
    // after every operation that may reallocate it), `k` into the running
    // prototype's constants, `pc` into its code (jump targets are produced
    // by the compiler and stay within the code), `ci` into `l.cis` (re-derived
    // after every operation that may push frames). Operand registers are
    // below `max_stack_size`, which `precall` reserved.
    unsafe {
        'newframe: loop {
            let ci_idx = l.cis.len() - 1;
            let mut ci = l.cis.as_mut_ptr().add(ci_idx);
            let cl = l.stack[(*ci).func].as_lua_closure();
            let proto = &*(*cl).proto;
            let k = proto.k.as_ptr();
            let upvals = (*cl).upvals.as_ptr();
            let mut pc = (*ci).savedpc;
            let base_idx = (*ci).base;
            let mut base = l.stack.as_mut_ptr().add(base_idx);
            // profiling state of the running prototype (crate::profile)
            let prof = proto.profile.get();
            if cfg!(feature = "profiling") && (*prof).recording != REC {
                // the other copy of the loop runs this frame (see `execute`)
                return Ok(false);
            }
            #[allow(unused_variables)]
            let code0 = proto.code.as_ptr();
            #[cfg(feature = "profiling")]
            if pc == code0 {
                // a frame starting at pc 0 is a call (plain, tail or coroutine body)
                (*prof).calls += 1;
                if (*prof).calls == l.g().profile.thresholds.call as u64 {
                    hot_function(l, proto);
                }
            }
            // type feedback, back-edge counts and cache hits are recorded while
            // the prototype warms up (always under --profile)
            #[allow(unused_mut, unused_variables)]
            let mut recording = REC;
            if REC && recording {
                l.g().profile.publish((*prof).id);
            }

            // the feedback cell of the instruction being executed
            macro_rules! fb {
                ($key:expr) => {{
                    #[cfg(feature = "profiling")]
                    if REC && recording {
                        (*(&mut *prof)
                            .feedback
                            .as_mut_ptr()
                            .offset(pc.offset_from(code0) - 1))
                        .record($key);
                    }
                }};
            }
            // the inline cache of the instruction being executed
            #[allow(unused_macros)]
            macro_rules! ic {
                () => {
                    &mut *(&mut *prof).ics.as_mut_ptr().add(
                        *(&*prof)
                            .ic_index
                            .as_ptr()
                            .add(pc.offset_from(code0) as usize - 1) as usize,
                    )
                };
            }
            // a loop back-edge is about to be taken
            macro_rules! backedge {
                () => {{
                    #[cfg(feature = "profiling")]
                    if REC && recording {
                        let npc = pc.offset_from(code0) - 1;
                        let cell = &mut *(&mut *prof).feedback.as_mut_ptr().offset(npc);
                        cell.record(profile::KEY_LOOP);
                        if cell.counts[0] == l.g().profile.thresholds.loop_iterations {
                            hot_loop(l, proto, npc as u32);
                            recording = (*prof).recording;
                        }
                    }
                }};
            }
            // type feedback and inline cache of a call site
            macro_rules! record_callee {
                ($fv:expr) => {{
                    #[cfg(feature = "profiling")]
                    if REC && recording {
                        let fv: TValue = $fv;
                        #[allow(unused_variables)]
                        let id = if fv.tt == TLCL {
                            (*(*(*fv.as_lua_closure()).proto).profile.get()).id
                        } else {
                            0
                        };
                        fb!(match fv.tt {
                            TLCL => profile::key_proto(id),
                            TNCL => profile::KEY_NATIVE,
                            _ => profile::KEY_CALL_META,
                        });
                        #[cfg(feature = "inline-caches")]
                        ic::call(ic!(), if id == 0 { 0 } else { id as usize + 1 }, recording);
                    }
                }};
            }
            macro_rules! savepc {
                () => {
                    (*ci).savedpc = pc
                };
            }
            // hooks are on (checked per instruction through this local, which
            // is refreshed after anything that may call `debug.sethook`)
            let mut trap = l.hook_mask != 0;
            macro_rules! reload {
                () => {{
                    base = l.stack.as_mut_ptr().add(base_idx);
                    ci = l.cis.as_mut_ptr().add(ci_idx);
                    trap = l.hook_mask != 0;
                }};
            }
            macro_rules! protect {
                ($e:expr) => {{
                    savepc!();
                    let r = $e;
                    reload!();
                    r?
                }};
            }
            macro_rules! reg {
                ($n:expr) => {
                    base.add($n as usize)
                };
            }
            macro_rules! kst {
                ($n:expr) => {
                    k.add($n as usize)
                };
            }
            // take the jump that follows a test instruction
            macro_rules! donextjump {
                () => {{
                    let ni = *pc;
                    pc = pc.offset(ins::sj(ni) as isize + 1);
                }};
            }
            macro_rules! condjump {
                ($cond:expr, $i:expr) => {{
                    if $cond != ins::k($i) {
                        pc = pc.add(1);
                    } else {
                        donextjump!();
                    }
                }};
            }
            // comparison with an immediate (LTI/LEI/GTI/GEI): integer and float
            // fast paths, else the metamethod with the operands in source
            // order (`swap`: the immediate is the left operand)
            macro_rules! cmp_imm {
                ($i:expr, $iop:expr, $fop:expr, $swap:expr, $slow:path) => {{
                    let va = *reg!(ins::a($i));
                    let im = ins::sb($i) as i64;
                    fb!(key2(va.tt, if ins::c($i) != 0 { TFLOAT } else { TINT }));
                    let cond = if va.tt == TINT {
                        $iop(va.as_int(), im)
                    } else if va.tt == TFLOAT {
                        $fop(va.as_float(), im as f64)
                    } else {
                        // C = 1: the immediate stands for a float constant
                        let vi = if ins::c($i) != 0 {
                            TValue::float(im as f64)
                        } else {
                            TValue::int(im)
                        };
                        if $swap {
                            protect!($slow(l, vi, va))
                        } else {
                            protect!($slow(l, va, vi))
                        }
                    };
                    condjump!(cond, $i);
                }};
            }
            macro_rules! check_gc {
                () => {{
                    if l.g().gc_due() {
                        protect!(l.check_gc());
                    }
                }};
            }
            macro_rules! arith_slow {
                ($op:expr, $ra:expr, $vb:expr, $vc:expr, $pb:expr, $pc:expr) => {{
                    let r = protect!(tm::arith(l, $op, $vb, $vc, $pb, $pc));
                    *reg!($ra) = r;
                }};
            }
            // binary arithmetic with int and float fast paths; with the k flag
            // the operands were swapped by the compiler (commutative `k op x`)
            macro_rules! arith {
                ($i:expr, $vb:expr, $vc:expr, $pb:expr, $pc:expr, $op:expr, $iop:expr, $fop:expr) => {{
                    let a = ins::a($i);
                    let vb: TValue = $vb;
                    let vc: TValue = $vc;
                    fb!(key2(vb.tt, vc.tt));
                    if vb.tt == TINT && vc.tt == TINT {
                        *reg!(a) = TValue::int($iop(vb.as_int(), vc.as_int()));
                    } else if vb.tt == TFLOAT && vc.tt == TFLOAT {
                        *reg!(a) = TValue::float($fop(vb.as_float(), vc.as_float()));
                    } else if vb.is_number() && vc.is_number() {
                        let x = vb.to_f64().unwrap_unchecked();
                        let y = vc.to_f64().unwrap_unchecked();
                        *reg!(a) = TValue::float($fop(x, y));
                    } else if ins::k($i) {
                        arith_slow!($op, a, vc, vb, $pc, $pb);
                    } else {
                        arith_slow!($op, a, vb, vc, $pb, $pc);
                    }
                }};
            }
            // float-only arithmetic (/ and ^)
            macro_rules! arith_f {
                ($i:expr, $vb:expr, $vc:expr, $pb:expr, $pc:expr, $op:expr, $fop:expr) => {{
                    let a = ins::a($i);
                    let vb: TValue = $vb;
                    let vc: TValue = $vc;
                    fb!(key2(vb.tt, vc.tt));
                    if vb.tt == TFLOAT && vc.tt == TFLOAT {
                        *reg!(a) = TValue::float($fop(vb.as_float(), vc.as_float()));
                    } else if vb.is_number() && vc.is_number() {
                        let x = vb.to_f64().unwrap_unchecked();
                        let y = vc.to_f64().unwrap_unchecked();
                        *reg!(a) = TValue::float($fop(x, y));
                    } else {
                        arith_slow!($op, a, vb, vc, $pb, $pc);
                    }
                }};
            }
            // operations with possible integer errors (// and %), and bitwise
            macro_rules! arith_raw {
                ($i:expr, $vb:expr, $vc:expr, $pb:expr, $pc:expr, $op:expr) => {{
                    let a = ins::a($i);
                    let vb: TValue = $vb;
                    let vc: TValue = $vc;
                    match tm::arith_raw($op, &vb, &vc) {
                        Ok(Some(v)) => *reg!(a) = v,
                        _ => arith_slow!($op, a, vb, vc, $pb, $pc),
                    }
                }};
            }
            macro_rules! bitwise {
                ($i:expr, $vb:expr, $vc:expr, $pb:expr, $pc:expr, $op:expr, $iop:expr) => {{
                    let a = ins::a($i);
                    let vb: TValue = $vb;
                    let vc: TValue = $vc;
                    fb!(key2(vb.tt, vc.tt));
                    if vb.tt == TINT && vc.tt == TINT {
                        *reg!(a) = TValue::int($iop(vb.as_int(), vc.as_int()));
                    } else {
                        arith_raw!($i, vb, vc, $pb, $pc, $op);
                    }
                }};
            }
            // return `n` values starting at stack index `first`
            macro_rules! do_return {
                ($first:expr, $n:expr) => {{
                    let first: usize = $first;
                    let n: usize = $n;
                    if trap {
                        savepc!();
                        l.top = first + n;
                        let r = rdebug::hook_return(l, first, n, |l| &mut l.hook_oldpc);
                        reload!();
                        r?;
                    }
                    let fresh = (*ci).status & cist::FRESH != 0;
                    poscall(l, first, n);
                    if fresh {
                        return Ok(true);
                    }
                    continue 'newframe;
                }};
            }

            // run the prototype's native code from entry `$entry` (0 = start,
            // else an OSR loop header); it returns from the function or exits
            // at a pc where this loop resumes the intact frame
            macro_rules! enter_native {
                ($entry:expr) => {{
                    savepc!();
                    let r = run_native(
                        l,
                        proto as *const crate::runtime::func::Proto as *mut _,
                        prof,
                        k,
                        upvals,
                        base,
                        $entry,
                    );
                    // calls made by the native code may have moved the stack,
                    // pushed and popped frames or set a hook
                    reload!();
                    match r? {
                        NativeExit::Return(first, n) => {
                            do_return!(base_idx + first, n);
                        }
                        NativeExit::Resume(npc) => {
                            pc = code0.add(npc);
                        }
                    }
                }};
            }
            // after a back-edge: continue in native code if the loop header
            // has an OSR entry
            macro_rules! osr {
                () => {{
                    if let Some(nc) = (*prof).native.as_ref() {
                        if nc.pending {
                            // a safepoint: install what the JIT worker finished
                            crate::jit::poll(l);
                        } else if !trap {
                            if let Some(e) = nc.osr_entry(pc.offset_from(code0) as usize) {
                                enter_native!(e);
                            }
                        }
                    }
                }};
            }

            // call hook of a fixed-parameter function entered here (a
            // vararg function's runs at VARARGPREP)
            if trap && pc == proto.code.as_ptr() && !proto.is_vararg {
                let r = rdebug::hook_lua_call(l, |l| &mut l.hook_oldpc);
                reload!();
                r?;
            }
            if pc == code0 && !trap {
                if let Some(nc) = (*prof).native.as_ref() {
                    if nc.at_start {
                        enter_native!(0);
                    } else if nc.pending {
                        // a safepoint: install what the JIT worker finished
                        crate::jit::poll(l);
                    }
                }
            }
            loop {
                let i = *pc;
                pc = pc.add(1);
                // line and count hooks (PUC's `luaG_traceexec`)
                if trap
                    && l.hook_mask & (hook_mask::LINE | hook_mask::COUNT) != 0
                    && ins::opcode(i) != OpCode::VARARGPREP
                {
                    savepc!();
                    let npc = pc.offset_from(proto.code.as_ptr()) as usize - 1;
                    let r = rdebug::hook_instruction(l, npc, |l| &mut l.hook_oldpc);
                    reload!();
                    r?;
                }
                // prototypes come from the compiler or passed `verify`
                match ins::opcode_unchecked(i) {
                    OpCode::MOVE => {
                        *reg!(ins::a(i)) = *reg!(ins::b(i));
                    }
                    OpCode::LOADI => {
                        *reg!(ins::a(i)) = TValue::int(ins::sbx(i) as i64);
                    }
                    OpCode::LOADF => {
                        *reg!(ins::a(i)) = TValue::float(ins::sbx(i) as f64);
                    }
                    OpCode::LOADK => {
                        *reg!(ins::a(i)) = *kst!(ins::bx(i));
                    }
                    OpCode::LOADKX => {
                        let ax = ins::ax(*pc);
                        pc = pc.add(1);
                        *reg!(ins::a(i)) = *kst!(ax);
                    }
                    OpCode::LOADFALSE => {
                        *reg!(ins::a(i)) = TValue::FALSE;
                    }
                    OpCode::LFALSESKIP => {
                        *reg!(ins::a(i)) = TValue::FALSE;
                        pc = pc.add(1);
                    }
                    OpCode::LOADTRUE => {
                        *reg!(ins::a(i)) = TValue::TRUE;
                    }
                    OpCode::LOADNIL => {
                        let a = ins::a(i);
                        for j in 0..=ins::b(i) {
                            *reg!(a + j) = TValue::NIL;
                        }
                    }
                    OpCode::GETUPVAL => {
                        *reg!(ins::a(i)) = (**upvals.add(ins::b(i) as usize)).get();
                    }
                    OpCode::SETUPVAL => {
                        (**upvals.add(ins::b(i) as usize)).set(*reg!(ins::a(i)));
                    }
                    OpCode::GETTABUP => {
                        let uv = *upvals.add(ins::b(i) as usize);
                        let t = (*uv).get();
                        let key = *kst!(ins::c(i));
                        fb!(key2(t.tt, TSTR));
                        if t.tt == TTABLE {
                            let h = t.as_table();
                            if let Some(v) = lookup_str(
                                l,
                                h,
                                key.as_string(),
                                ic!(),
                                REC,
                                REC && recording,
                                false,
                            ) {
                                *reg!(ins::a(i)) = v;
                                continue;
                            }
                        }
                        let v = protect!(tm::index(l, t, key, (*uv).v));
                        *reg!(ins::a(i)) = v;
                    }
                    OpCode::GETTABLE => {
                        let t = *reg!(ins::b(i));
                        let key = *reg!(ins::c(i));
                        fb!(key2(t.tt, key.tt));
                        if t.tt == TTABLE {
                            let v = if key.tt == TINT {
                                (*t.as_table()).get_int(key.as_int())
                            } else {
                                (*t.as_table()).get(&key)
                            };
                            if !v.is_nil() || (*t.as_table()).metatable.is_null() {
                                *reg!(ins::a(i)) = v;
                                continue;
                            }
                        }
                        let v = protect!(tm::index(l, t, key, reg!(ins::b(i))));
                        *reg!(ins::a(i)) = v;
                    }
                    OpCode::GETI => {
                        let t = *reg!(ins::b(i));
                        let c = ins::c(i) as i64;
                        fb!(key2(t.tt, TINT));
                        if t.tt == TTABLE {
                            let v = (*t.as_table()).get_int(c);
                            if !v.is_nil() || (*t.as_table()).metatable.is_null() {
                                *reg!(ins::a(i)) = v;
                                continue;
                            }
                        }
                        let v = protect!(tm::index(l, t, TValue::int(c), reg!(ins::b(i))));
                        *reg!(ins::a(i)) = v;
                    }
                    OpCode::GETFIELD => {
                        let t = *reg!(ins::b(i));
                        let key = *kst!(ins::c(i));
                        fb!(key2(t.tt, TSTR));
                        if t.tt == TTABLE {
                            let h = t.as_table();
                            if let Some(v) = lookup_str(
                                l,
                                h,
                                key.as_string(),
                                ic!(),
                                REC,
                                REC && recording,
                                false,
                            ) {
                                *reg!(ins::a(i)) = v;
                                continue;
                            }
                        }
                        let v = protect!(tm::index(l, t, key, reg!(ins::b(i))));
                        *reg!(ins::a(i)) = v;
                    }
                    OpCode::SETTABUP => {
                        let uv = *upvals.add(ins::a(i) as usize);
                        let t = (*uv).get();
                        let key = *kst!(ins::b(i));
                        let v = if ins::k(i) {
                            *kst!(ins::c(i))
                        } else {
                            *reg!(ins::c(i))
                        };
                        fb!(key2(t.tt, v.tt));
                        if t.tt == TTABLE {
                            if cfg!(feature = "inline-caches")
                                && REC
                                && ic::set(
                                    ic!(),
                                    t.as_table(),
                                    key.as_string(),
                                    v,
                                    REC && recording,
                                )
                            {
                                continue;
                            }
                            // the hashed lookup (steady state, or a cache miss)
                            if let Some(slot) =
                                (*t.as_table()).get_str_present_slot(key.as_string())
                            {
                                *slot = v;
                                continue;
                            }
                        }
                        protect!(tm::set_index(l, t, key, v, (*uv).v));
                    }
                    OpCode::SETTABLE => {
                        let t = *reg!(ins::a(i));
                        let key = *reg!(ins::b(i));
                        let v = if ins::k(i) {
                            *kst!(ins::c(i))
                        } else {
                            *reg!(ins::c(i))
                        };
                        fb!(key2(t.tt, key.tt));
                        if t.tt == TTABLE {
                            if let Some(slot) = (*t.as_table()).get_present_slot(&key) {
                                *slot = v;
                                continue;
                            }
                            if key.tt == TINT && (*t.as_table()).metatable.is_null() {
                                (*t.as_table()).set_int(key.as_int(), v);
                                continue;
                            }
                        }
                        protect!(tm::set_index(l, t, key, v, reg!(ins::a(i))));
                    }
                    OpCode::SETI => {
                        let t = *reg!(ins::a(i));
                        let key = TValue::int(ins::b(i) as i64);
                        let v = if ins::k(i) {
                            *kst!(ins::c(i))
                        } else {
                            *reg!(ins::c(i))
                        };
                        fb!(key2(t.tt, TINT));
                        if t.tt == TTABLE {
                            if let Some(slot) = (*t.as_table()).get_present_slot(&key) {
                                *slot = v;
                                continue;
                            }
                        }
                        protect!(tm::set_index(l, t, key, v, reg!(ins::a(i))));
                    }
                    OpCode::SETFIELD => {
                        let t = *reg!(ins::a(i));
                        let key = *kst!(ins::b(i));
                        let v = if ins::k(i) {
                            *kst!(ins::c(i))
                        } else {
                            *reg!(ins::c(i))
                        };
                        fb!(key2(t.tt, TSTR));
                        if t.tt == TTABLE {
                            if cfg!(feature = "inline-caches")
                                && REC
                                && ic::set(
                                    ic!(),
                                    t.as_table(),
                                    key.as_string(),
                                    v,
                                    REC && recording,
                                )
                            {
                                continue;
                            }
                            // the hashed lookup (steady state, or a cache miss)
                            if let Some(slot) =
                                (*t.as_table()).get_str_present_slot(key.as_string())
                            {
                                *slot = v;
                                continue;
                            }
                        }
                        protect!(tm::set_index(l, t, key, v, reg!(ins::a(i))));
                    }
                    OpCode::NEWTABLE => {
                        let t = l.g().new_table(ins::c(i) as usize, ins::b(i) as usize);
                        *reg!(ins::a(i)) = TValue::table(t);
                        check_gc!();
                    }
                    OpCode::SELF => {
                        let a = ins::a(i);
                        let t = *reg!(ins::b(i));
                        let key = if ins::k(i) {
                            *kst!(ins::c(i))
                        } else {
                            *reg!(ins::c(i))
                        };
                        *reg!(a + 1) = t;
                        fb!(key2(t.tt, key.tt));
                        if t.tt == TTABLE && key.tt == TSTR {
                            let h = t.as_table();
                            // the Bloom bits usually prove a method absent from
                            // the object without probing
                            if let Some(v) = lookup_str(
                                l,
                                h,
                                key.as_string(),
                                ic!(),
                                REC,
                                REC && recording,
                                true,
                            ) {
                                *reg!(a) = v;
                                continue;
                            }
                        }
                        let v = protect!(tm::index(l, t, key, reg!(ins::b(i))));
                        *reg!(a) = v;
                    }
                    OpCode::ADDI => {
                        let a = ins::a(i);
                        let vb = *reg!(ins::b(i));
                        let c = ins::sc(i) as i64;
                        fb!(key2(vb.tt, TINT));
                        if vb.tt == TINT {
                            *reg!(a) = TValue::int(vb.as_int().wrapping_add(c));
                        } else if vb.tt == TFLOAT {
                            *reg!(a) = TValue::float(vb.as_float() + c as f64);
                        } else if ins::k(i) {
                            arith_slow!(
                                ArithOp::Add,
                                a,
                                TValue::int(c),
                                vb,
                                std::ptr::null(),
                                reg!(ins::b(i))
                            );
                        } else {
                            arith_slow!(
                                ArithOp::Add,
                                a,
                                vb,
                                TValue::int(c),
                                reg!(ins::b(i)),
                                std::ptr::null()
                            );
                        }
                    }
                    OpCode::ADDK => arith!(
                        i,
                        *reg!(ins::b(i)),
                        *kst!(ins::c(i)),
                        reg!(ins::b(i)),
                        kst!(ins::c(i)),
                        ArithOp::Add,
                        i64::wrapping_add,
                        |x: f64, y: f64| x + y
                    ),
                    OpCode::SUBK => arith!(
                        i,
                        *reg!(ins::b(i)),
                        *kst!(ins::c(i)),
                        reg!(ins::b(i)),
                        kst!(ins::c(i)),
                        ArithOp::Sub,
                        i64::wrapping_sub,
                        |x: f64, y: f64| x - y
                    ),
                    OpCode::MULK => arith!(
                        i,
                        *reg!(ins::b(i)),
                        *kst!(ins::c(i)),
                        reg!(ins::b(i)),
                        kst!(ins::c(i)),
                        ArithOp::Mul,
                        i64::wrapping_mul,
                        |x: f64, y: f64| x * y
                    ),
                    OpCode::MODK => {
                        fb!(key2((*reg!(ins::b(i))).tt, (*kst!(ins::c(i))).tt));
                        arith_raw!(
                            i,
                            *reg!(ins::b(i)),
                            *kst!(ins::c(i)),
                            reg!(ins::b(i)),
                            kst!(ins::c(i)),
                            ArithOp::Mod
                        )
                    }
                    OpCode::POWK => arith_f!(
                        i,
                        *reg!(ins::b(i)),
                        *kst!(ins::c(i)),
                        reg!(ins::b(i)),
                        kst!(ins::c(i)),
                        ArithOp::Pow,
                        |x: f64, y: f64| if y == 2.0 { x * x } else { x.powf(y) }
                    ),
                    OpCode::DIVK => arith_f!(
                        i,
                        *reg!(ins::b(i)),
                        *kst!(ins::c(i)),
                        reg!(ins::b(i)),
                        kst!(ins::c(i)),
                        ArithOp::Div,
                        |x: f64, y: f64| x / y
                    ),
                    OpCode::IDIVK => {
                        fb!(key2((*reg!(ins::b(i))).tt, (*kst!(ins::c(i))).tt));
                        arith_raw!(
                            i,
                            *reg!(ins::b(i)),
                            *kst!(ins::c(i)),
                            reg!(ins::b(i)),
                            kst!(ins::c(i)),
                            ArithOp::IDiv
                        )
                    }
                    OpCode::BANDK => bitwise!(
                        i,
                        *reg!(ins::b(i)),
                        *kst!(ins::c(i)),
                        reg!(ins::b(i)),
                        kst!(ins::c(i)),
                        ArithOp::BAnd,
                        |x: i64, y: i64| x & y
                    ),
                    OpCode::BORK => bitwise!(
                        i,
                        *reg!(ins::b(i)),
                        *kst!(ins::c(i)),
                        reg!(ins::b(i)),
                        kst!(ins::c(i)),
                        ArithOp::BOr,
                        |x: i64, y: i64| x | y
                    ),
                    OpCode::BXORK => bitwise!(
                        i,
                        *reg!(ins::b(i)),
                        *kst!(ins::c(i)),
                        reg!(ins::b(i)),
                        kst!(ins::c(i)),
                        ArithOp::BXor,
                        |x: i64, y: i64| x ^ y
                    ),
                    OpCode::SHRI => bitwise!(
                        i,
                        *reg!(ins::b(i)),
                        TValue::int(ins::sc(i) as i64),
                        reg!(ins::b(i)),
                        std::ptr::null(),
                        ArithOp::Shr,
                        |x: i64, y: i64| tm::shift_left(x, y.wrapping_neg())
                    ),
                    OpCode::SHLI => bitwise!(
                        i,
                        TValue::int(ins::sc(i) as i64),
                        *reg!(ins::b(i)),
                        std::ptr::null(),
                        reg!(ins::b(i)),
                        ArithOp::Shl,
                        tm::shift_left
                    ),
                    OpCode::ADD => arith!(
                        i,
                        *reg!(ins::b(i)),
                        *reg!(ins::c(i)),
                        reg!(ins::b(i)),
                        reg!(ins::c(i)),
                        ArithOp::Add,
                        i64::wrapping_add,
                        |x: f64, y: f64| x + y
                    ),
                    OpCode::SUB => arith!(
                        i,
                        *reg!(ins::b(i)),
                        *reg!(ins::c(i)),
                        reg!(ins::b(i)),
                        reg!(ins::c(i)),
                        ArithOp::Sub,
                        i64::wrapping_sub,
                        |x: f64, y: f64| x - y
                    ),
                    OpCode::MUL => arith!(
                        i,
                        *reg!(ins::b(i)),
                        *reg!(ins::c(i)),
                        reg!(ins::b(i)),
                        reg!(ins::c(i)),
                        ArithOp::Mul,
                        i64::wrapping_mul,
                        |x: f64, y: f64| x * y
                    ),
                    OpCode::MOD => {
                        fb!(key2((*reg!(ins::b(i))).tt, (*reg!(ins::c(i))).tt));
                        arith_raw!(
                            i,
                            *reg!(ins::b(i)),
                            *reg!(ins::c(i)),
                            reg!(ins::b(i)),
                            reg!(ins::c(i)),
                            ArithOp::Mod
                        )
                    }
                    OpCode::POW => arith_f!(
                        i,
                        *reg!(ins::b(i)),
                        *reg!(ins::c(i)),
                        reg!(ins::b(i)),
                        reg!(ins::c(i)),
                        ArithOp::Pow,
                        |x: f64, y: f64| if y == 2.0 { x * x } else { x.powf(y) }
                    ),
                    OpCode::DIV => arith_f!(
                        i,
                        *reg!(ins::b(i)),
                        *reg!(ins::c(i)),
                        reg!(ins::b(i)),
                        reg!(ins::c(i)),
                        ArithOp::Div,
                        |x: f64, y: f64| x / y
                    ),
                    OpCode::IDIV => {
                        fb!(key2((*reg!(ins::b(i))).tt, (*reg!(ins::c(i))).tt));
                        arith_raw!(
                            i,
                            *reg!(ins::b(i)),
                            *reg!(ins::c(i)),
                            reg!(ins::b(i)),
                            reg!(ins::c(i)),
                            ArithOp::IDiv
                        )
                    }
                    OpCode::BAND => bitwise!(
                        i,
                        *reg!(ins::b(i)),
                        *reg!(ins::c(i)),
                        reg!(ins::b(i)),
                        reg!(ins::c(i)),
                        ArithOp::BAnd,
                        |x: i64, y: i64| x & y
                    ),
                    OpCode::BOR => bitwise!(
                        i,
                        *reg!(ins::b(i)),
                        *reg!(ins::c(i)),
                        reg!(ins::b(i)),
                        reg!(ins::c(i)),
                        ArithOp::BOr,
                        |x: i64, y: i64| x | y
                    ),
                    OpCode::BXOR => bitwise!(
                        i,
                        *reg!(ins::b(i)),
                        *reg!(ins::c(i)),
                        reg!(ins::b(i)),
                        reg!(ins::c(i)),
                        ArithOp::BXor,
                        |x: i64, y: i64| x ^ y
                    ),
                    OpCode::SHL => bitwise!(
                        i,
                        *reg!(ins::b(i)),
                        *reg!(ins::c(i)),
                        reg!(ins::b(i)),
                        reg!(ins::c(i)),
                        ArithOp::Shl,
                        tm::shift_left
                    ),
                    OpCode::SHR => bitwise!(
                        i,
                        *reg!(ins::b(i)),
                        *reg!(ins::c(i)),
                        reg!(ins::b(i)),
                        reg!(ins::c(i)),
                        ArithOp::Shr,
                        |x: i64, y: i64| tm::shift_left(x, y.wrapping_neg())
                    ),
                    OpCode::UNM => {
                        let a = ins::a(i);
                        let vb = *reg!(ins::b(i));
                        fb!(key1(vb.tt));
                        if vb.tt == TINT {
                            *reg!(a) = TValue::int(vb.as_int().wrapping_neg());
                        } else if vb.tt == TFLOAT {
                            *reg!(a) = TValue::float(-vb.as_float());
                        } else {
                            arith_slow!(ArithOp::Unm, a, vb, vb, reg!(ins::b(i)), reg!(ins::b(i)));
                        }
                    }
                    OpCode::BNOT => {
                        let a = ins::a(i);
                        let vb = *reg!(ins::b(i));
                        fb!(key1(vb.tt));
                        if vb.tt == TINT {
                            *reg!(a) = TValue::int(!vb.as_int());
                        } else {
                            arith_raw!(i, vb, vb, reg!(ins::b(i)), reg!(ins::b(i)), ArithOp::BNot);
                        }
                    }
                    OpCode::NOT => {
                        *reg!(ins::a(i)) = TValue::boolean((*reg!(ins::b(i))).is_falsy());
                    }
                    OpCode::LEN => {
                        let a = ins::a(i);
                        let vb = *reg!(ins::b(i));
                        fb!(key1(vb.tt));
                        if vb.tt == TTABLE && (*vb.as_table()).metatable.is_null() {
                            *reg!(a) = TValue::int((*vb.as_table()).length());
                        } else {
                            let v = protect!(tm::length(l, vb, reg!(ins::b(i))));
                            *reg!(a) = v;
                        }
                    }
                    OpCode::CONCAT => {
                        let a = ins::a(i) as usize;
                        let n = ins::b(i) as usize;
                        fb!(key2((*reg!(a)).tt, (*reg!(a + 1)).tt));
                        l.top = base_idx + a + n;
                        protect!(tm::concat(l, n));
                        check_gc!();
                    }
                    OpCode::CLOSE => {
                        protect!(call::close_normal(l, base_idx + ins::a(i) as usize));
                    }
                    OpCode::TBC => {
                        protect!(call::new_tbc(l, base_idx + ins::a(i) as usize));
                    }
                    OpCode::JMP => {
                        if ins::sj(i) < 0 {
                            backedge!();
                        }
                        pc = pc.offset(ins::sj(i) as isize);
                        if REC && !recording {
                            // the loop became hot: continue without recording
                            savepc!();
                            return Ok(false);
                        }
                        osr!();
                    }
                    OpCode::EQ => {
                        let va = *reg!(ins::a(i));
                        let vb = *reg!(ins::b(i));
                        fb!(key2(va.tt, vb.tt));
                        let cond = if va.tt != vb.tt || (va.tt != TTABLE && va.tt != TUSERDATA) {
                            va.raw_equal(&vb)
                        } else {
                            protect!(tm::equal(l, va, vb))
                        };
                        condjump!(cond, i);
                    }
                    OpCode::LT => {
                        let va = *reg!(ins::a(i));
                        let vb = *reg!(ins::b(i));
                        fb!(key2(va.tt, vb.tt));
                        let cond = if va.tt == TINT && vb.tt == TINT {
                            va.as_int() < vb.as_int()
                        } else if va.is_number() && vb.is_number() {
                            tm::num_lt(&va, &vb)
                        } else {
                            protect!(tm::less_than(l, va, vb))
                        };
                        condjump!(cond, i);
                    }
                    OpCode::LE => {
                        let va = *reg!(ins::a(i));
                        let vb = *reg!(ins::b(i));
                        fb!(key2(va.tt, vb.tt));
                        let cond = if va.tt == TINT && vb.tt == TINT {
                            va.as_int() <= vb.as_int()
                        } else if va.is_number() && vb.is_number() {
                            tm::num_le(&va, &vb)
                        } else {
                            protect!(tm::less_equal(l, va, vb))
                        };
                        condjump!(cond, i);
                    }
                    OpCode::EQK => {
                        fb!(key2((*reg!(ins::a(i))).tt, (*kst!(ins::b(i))).tt));
                        let cond = (*reg!(ins::a(i))).raw_equal(&*kst!(ins::b(i)));
                        condjump!(cond, i);
                    }
                    OpCode::EQI => {
                        let va = *reg!(ins::a(i));
                        let im = ins::sb(i) as i64;
                        fb!(key2(va.tt, TINT));
                        let cond = match va.tt {
                            TINT => va.as_int() == im,
                            TFLOAT => va.as_float() == im as f64,
                            _ => false,
                        };
                        condjump!(cond, i);
                    }
                    OpCode::LTI => cmp_imm!(i, |x, y| x < y, |x, y| x < y, false, tm::less_than),
                    OpCode::LEI => cmp_imm!(i, |x, y| x <= y, |x, y| x <= y, false, tm::less_equal),
                    OpCode::GTI => cmp_imm!(i, |x, y| x > y, |x, y| x > y, true, tm::less_than),
                    OpCode::GEI => cmp_imm!(i, |x, y| x >= y, |x, y| x >= y, true, tm::less_equal),
                    OpCode::TEST => {
                        let cond = !(*reg!(ins::a(i))).is_falsy();
                        condjump!(cond, i);
                    }
                    OpCode::TESTSET => {
                        let vb = *reg!(ins::b(i));
                        if vb.is_falsy() == ins::k(i) {
                            pc = pc.add(1);
                        } else {
                            *reg!(ins::a(i)) = vb;
                            donextjump!();
                        }
                    }
                    OpCode::CALL => {
                        let a = ins::a(i) as usize;
                        let b = ins::b(i) as usize;
                        let nresults = ins::c(i) as i32 - 1;
                        let func = base_idx + a;
                        if b != 0 {
                            l.top = func + b;
                        }
                        savepc!();
                        let fv = *reg!(a);
                        record_callee!(fv);
                        if fv.tt == TLCL {
                            // fast path: a fixed-parameter Lua function
                            let p = &*(*fv.as_lua_closure()).proto;
                            if !p.is_vararg {
                                let fsize = p.max_stack_size as usize;
                                let newbase = func + 1;
                                if newbase + fsize + EXTRA_STACK > l.stack.len() {
                                    protect!(l.check_stack(fsize + 1));
                                }
                                let nargs = l.top - newbase;
                                let np = p.num_params as usize;
                                if nargs < np {
                                    let st = l.stack.as_mut_ptr();
                                    for j in nargs..np {
                                        *st.add(newbase + j) = TValue::NIL;
                                    }
                                }
                                l.cis.push(CallInfo {
                                    func,
                                    ret: func,
                                    base: newbase,
                                    top: newbase + fsize,
                                    savedpc: p.code.as_ptr(),
                                    nresults,
                                    nextra: 0,
                                    status: cist::LUA,
                                });
                                l.top = newbase + fsize;
                                continue 'newframe;
                            }
                        }
                        let is_lua = precall(l, func, nresults);
                        match is_lua {
                            Ok(true) => continue 'newframe,
                            Ok(false) => {
                                reload!();
                                if REC && recording {
                                    l.g().profile.publish((*prof).id);
                                }
                                check_gc!();
                            }
                            Err(e) => {
                                return Err(e);
                            }
                        }
                    }
                    OpCode::TAILCALL => {
                        let a = ins::a(i) as usize;
                        let b = ins::b(i) as usize;
                        let mut func = base_idx + a;
                        if b != 0 {
                            l.top = func + b;
                        }
                        savepc!();
                        record_callee!(*reg!(a));
                        // resolve __call so we know whether the callee is Lua
                        let mut tries = 0;
                        loop {
                            let f = l.stack[func];
                            if f.tt == TLCL || f.tt == TNCL {
                                break;
                            }
                            let h = tm::tm_of(l, &f, tm::Tm::Call);
                            if h.is_nil() || tries > 100 {
                                return Err(call::call_error(l, func));
                            }
                            tries += 1;
                            protect!(l.check_stack(1));
                            let top = l.top;
                            l.stack.copy_within(func..top, func + 1);
                            l.stack[func] = h;
                            l.top = top + 1;
                        }
                        if ins::k(i) {
                            l.close_upvals(base_idx);
                        }
                        if l.stack[func].tt == TLCL {
                            let old = *ci;
                            let dest = old.ret;
                            let n = l.top - func;
                            l.stack.copy_within(func..func + n, dest);
                            l.top = dest + n;
                            l.cis.pop();
                            let r = precall(l, dest, old.nresults);
                            r?;
                            let nci = l.ci_mut();
                            nci.status |= cist::TAIL | (old.status & cist::FRESH);
                            continue 'newframe;
                        } else {
                            func = func.min(l.top);
                            let r = precall(l, func, -1);
                            reload!();
                            r?;
                            let n = l.top - func;
                            do_return!(func, n);
                        }
                    }
                    OpCode::RETURN => {
                        let a = ins::a(i) as usize;
                        let b = ins::b(i) as usize;
                        let first = base_idx + a;
                        let n = if b != 0 { b - 1 } else { l.top - first };
                        if n > 0 {
                            fb!(key1(l.stack.get_unchecked(first).tt));
                        }
                        if ins::k(i) {
                            l.top = first + n;
                            savepc!();
                            // results are kept below top while closing
                            let r = call::close_normal(l, base_idx);
                            reload!();
                            r?;
                            l.top = first + n;
                        }
                        do_return!(first, n);
                    }
                    OpCode::RETURN0 => {
                        do_return!(base_idx, 0);
                    }
                    OpCode::RETURN1 => {
                        fb!(key1((*reg!(ins::a(i))).tt));
                        do_return!(base_idx + ins::a(i) as usize, 1);
                    }
                    OpCode::FORLOOP => {
                        let ra = reg!(ins::a(i));
                        if (*ra.add(2)).tt == TINT {
                            let count = (*ra.add(1)).val;
                            if count > 0 {
                                let step = (*ra.add(2)).as_int();
                                let idx = (*ra).as_int().wrapping_add(step);
                                *ra.add(1) = TValue::int((count - 1) as i64);
                                *ra = TValue::int(idx);
                                *ra.add(3) = TValue::int(idx);
                                backedge!();
                                pc = pc.sub(ins::bx(i) as usize);
                                if REC && !recording {
                                    // the loop became hot: continue without recording
                                    savepc!();
                                    return Ok(false);
                                }
                                osr!();
                            }
                        } else {
                            let step = (*ra.add(2)).as_float();
                            let limit = (*ra.add(1)).as_float();
                            let idx = (*ra).as_float() + step;
                            let go = if step > 0.0 {
                                idx <= limit
                            } else {
                                limit <= idx
                            };
                            if go {
                                *ra = TValue::float(idx);
                                *ra.add(3) = TValue::float(idx);
                                backedge!();
                                pc = pc.sub(ins::bx(i) as usize);
                                if REC && !recording {
                                    // the loop became hot: continue without recording
                                    savepc!();
                                    return Ok(false);
                                }
                                osr!();
                            }
                        }
                    }
                    OpCode::FORPREP => {
                        let a = ins::a(i);
                        let ra = reg!(a);
                        let init = *ra;
                        let limit = *ra.add(1);
                        let step = *ra.add(2);
                        let skip;
                        if init.tt == TINT && step.tt == TINT {
                            let st = step.as_int();
                            let iv = init.as_int();
                            if st == 0 {
                                savepc!();
                                return Err(l.rt_error("'for' step is zero"));
                            }
                            savepc!();
                            let (ilimit, sk) = for_limit(l, iv, &limit, st)?;
                            skip = sk;
                            if !skip {
                                let count = if st > 0 {
                                    let c = (ilimit as u64).wrapping_sub(iv as u64);
                                    if st != 1 {
                                        c / st as u64
                                    } else {
                                        c
                                    }
                                } else {
                                    let c = (iv as u64).wrapping_sub(ilimit as u64);
                                    c / ((-(st + 1)) as u64 + 1)
                                };
                                let ra = reg!(a);
                                (*ra.add(1)) = TValue::int(count as i64);
                                *ra.add(3) = init;
                            }
                        } else {
                            savepc!();
                            let fl = match tm::to_float(&limit) {
                                Some(f) if limit.is_number() || limit.tt == TSTR => f,
                                _ => return Err(for_error(l, "limit", &limit)),
                            };
                            let fs = match tm::to_float(&step) {
                                Some(f) => f,
                                None => return Err(for_error(l, "step", &step)),
                            };
                            let fi = match tm::to_float(&init) {
                                Some(f) => f,
                                None => return Err(for_error(l, "initial value", &init)),
                            };
                            if fs == 0.0 {
                                return Err(l.rt_error("'for' step is zero"));
                            }
                            skip = if fs > 0.0 { fl < fi } else { fi < fl };
                            if !skip {
                                let ra = reg!(a);
                                *ra = TValue::float(fi);
                                *ra.add(1) = TValue::float(fl);
                                *ra.add(2) = TValue::float(fs);
                                *ra.add(3) = TValue::float(fi);
                            }
                        }
                        if skip {
                            pc = pc.add(ins::bx(i) as usize + 1);
                        }
                    }
                    OpCode::TFORPREP => {
                        protect!(call::new_tbc(l, base_idx + ins::a(i) as usize + 3));
                        pc = pc.add(ins::bx(i) as usize);
                    }
                    OpCode::TFORCALL => {
                        let a = ins::a(i) as usize;
                        let ra = reg!(a);
                        *ra.add(4) = *ra;
                        *ra.add(5) = *ra.add(1);
                        *ra.add(6) = *ra.add(2);
                        let func = base_idx + a + 4;
                        l.top = func + 3;
                        savepc!();
                        match precall(l, func, ins::c(i) as i32) {
                            Ok(true) => continue 'newframe,
                            Ok(false) => {
                                reload!();
                                check_gc!();
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    OpCode::TFORLOOP => {
                        let ra = reg!(ins::a(i));
                        if !(*ra.add(4)).is_nil() {
                            *ra.add(2) = *ra.add(4);
                            backedge!();
                            pc = pc.sub(ins::bx(i) as usize);
                            if REC && !recording {
                                // the loop became hot: continue without recording
                                savepc!();
                                return Ok(false);
                            }
                            osr!();
                        }
                    }
                    OpCode::SETLIST => {
                        let a = ins::a(i) as usize;
                        let mut n = ins::b(i) as usize;
                        let mut last = ins::c(i) as usize;
                        if n == 0 {
                            n = l.top - (base_idx + a) - 1;
                        }
                        if ins::k(i) {
                            last += ins::ax(*pc) as usize * 256;
                            pc = pc.add(1);
                        }
                        let tv = *reg!(a);
                        if tv.tt != TTABLE {
                            // only damaged (binary) code gets here
                            savepc!();
                            return Err(l.rt_error("SETLIST on a non-table"));
                        }
                        let t = tv.as_table();
                        (*t).ensure_array(last + n);
                        let arr = (*t).array.as_mut_ptr();
                        for j in 1..=n {
                            *arr.add(last + j - 1) = *reg!(a + j);
                        }
                    }
                    OpCode::CLOSURE => {
                        let p = *proto.protos.get_unchecked(ins::bx(i) as usize);
                        let nup = (&*p).upvalues.len();
                        let ncl = l.g().new_lua_closure(p, nup);
                        for (j, d) in (*p).upvalues.iter().enumerate() {
                            let uv = if d.in_stack {
                                l.find_upval(base_idx + d.index as usize)
                            } else {
                                *upvals.add(d.index as usize)
                            };
                            *(*ncl).upvals.as_mut_ptr().add(j) = uv;
                        }
                        *reg!(ins::a(i)) = TValue::lua_closure(ncl);
                        check_gc!();
                    }
                    OpCode::VARARG => {
                        let a = ins::a(i) as usize;
                        let nextra = (*ci).nextra as usize;
                        let wanted = ins::c(i) as i32 - 1;
                        let src = (*ci).func - nextra;
                        if wanted < 0 {
                            l.top = base_idx + a;
                            protect!(l.check_stack(nextra));
                            for j in 0..nextra {
                                l.stack[base_idx + a + j] = l.stack[src + j];
                            }
                            l.top = base_idx + a + nextra;
                        } else {
                            let wanted = wanted as usize;
                            for j in 0..wanted {
                                *reg!(a + j) = if j < nextra {
                                    l.stack[src + j]
                                } else {
                                    TValue::NIL
                                };
                            }
                        }
                    }
                    OpCode::VARARGPREP => {
                        // the frame was shifted by `precall`
                        if l.hook_mask != 0 {
                            savepc!();
                            let r = rdebug::hook_lua_call(l, |l| &mut l.hook_oldpc);
                            reload!();
                            r?;
                        }
                    }
                    OpCode::EXTRAARG => {}
                }
            }
        }
    }
}
