//! Debug information derived from bytecode: variable names for error
//! messages, function names from call sites, and tracebacks.
//!
//! The names come from symbolic execution of the calling function's bytecode,
//! as PUC Lua's `ldebug.c` does it: to name register `r` at `pc`, find the
//! last instruction before `pc` that set `r` (ignoring instructions skipped
//! over by a forward jump that lands before `pc`, which make the setter
//! uncertain) and describe it: a `GETTABUP` from `_ENV` is a global, a
//! `GETFIELD` a field, a `MOVE` from a local that local, and so on.

use super::func::{LuaClosure, Proto};
use super::state::{pc_index, CallInfo, State};
use super::value::*;
use crate::bytecode::{ins, OpCode};

/// " (global 'x')"-style suffix naming the variable at `p`, if `p` is a
/// register or upvalue of the running Lua frame (PUC's `varinfo`).
pub fn varinfo(l: &State, p: *const TValue) -> String {
    if p.is_null() {
        return String::new();
    }
    let ci = l.ci();
    if !ci.is_lua() {
        return String::new();
    }
    let f = l.stack[ci.func];
    if f.tt != TLCL {
        return String::new();
    }
    // SAFETY: the running Lua frame's closure and prototype are live.
    unsafe {
        let cl = &*f.as_lua_closure();
        let proto = &*cl.proto;
        for (i, &uv) in cl.upvals.iter().enumerate() {
            if !uv.is_null() && std::ptr::eq((*uv).v, p) {
                let name = proto
                    .upvalues
                    .get(i)
                    .map(|u| u.name.as_str())
                    .unwrap_or("?");
                return format!(" (upvalue '{name}')");
            }
        }
        let base = l.stack.as_ptr().add(ci.base);
        let end = base.add(proto.max_stack_size as usize);
        if p >= base && p < end {
            let reg = p.offset_from(base) as usize;
            let pc = pc_index(proto, ci.savedpc);
            if let Some((kind, name)) = getobjname(proto, pc, reg) {
                return format!(" ({kind} '{name}')");
            }
        }
    }
    String::new()
}

fn upval_name(p: &Proto, i: usize) -> &str {
    p.upvalues.get(i).map(|u| u.name.as_str()).unwrap_or("?")
}

fn kstr(p: &Proto, k: usize) -> Option<String> {
    let v = p.k.get(k)?;
    if v.tt == TSTR {
        // SAFETY: constants of a live proto are live.
        Some(unsafe { (*v.as_string()).to_str_lossy().into_owned() })
    } else {
        None
    }
}

/// Does instruction `op` write register A?
fn sets_a(op: OpCode) -> bool {
    use OpCode::*;
    !matches!(
        op,
        SETUPVAL
            | SETTABUP
            | SETTABLE
            | SETI
            | SETFIELD
            | CLOSE
            | TBC
            | JMP
            | EQ
            | LT
            | LE
            | EQK
            | EQI
            | LTI
            | LEI
            | GTI
            | GEI
            | TEST
            | RETURN
            | RETURN0
            | RETURN1
            | TFORPREP
            | TFORCALL
            | SETLIST
            | VARARGPREP
            | EXTRAARG
    )
}

/// The pc of the last instruction before `lastpc` that certainly set `reg`.
fn find_set_reg(p: &Proto, lastpc: usize, reg: usize) -> Option<usize> {
    let mut setreg = None;
    let mut jmptarget = 0usize;
    for pc in 0..lastpc.min(p.code.len()) {
        let i = p.code[pc];
        let op = ins::opcode(i);
        let a = ins::a(i) as usize;
        let change = match op {
            OpCode::LOADNIL => a <= reg && reg <= a + ins::b(i) as usize,
            OpCode::TFORCALL => reg >= a + 2,
            OpCode::CALL | OpCode::TAILCALL => reg >= a,
            OpCode::JMP => {
                let dest = pc as i64 + 1 + ins::sj(i) as i64;
                if dest > pc as i64 && dest <= lastpc as i64 && dest as usize > jmptarget {
                    jmptarget = dest as usize;
                }
                false
            }
            _ => sets_a(op) && reg == a,
        };
        if change {
            setreg = if pc < jmptarget { None } else { Some(pc) };
        }
    }
    setreg
}

/// Name of the value in the register of a table operand: a constant string
/// key, else "?".
fn rname(p: &Proto, pc: usize, c: usize) -> String {
    match getobjname(p, pc, c) {
        Some(("constant", n)) => n,
        _ => "?".into(),
    }
}

fn is_env(p: &Proto, pc: usize, i: u32, isup: bool) -> &'static str {
    let t = ins::b(i) as usize;
    let name = if isup {
        Some(upval_name(p, t).to_string())
    } else {
        getobjname(p, pc, t).map(|(_, n)| n)
    };
    if name.as_deref() == Some("_ENV") {
        "global"
    } else {
        "field"
    }
}

/// Describes register `reg` at `lastpc`: `(kind, name)` with kind one of
/// "local", "global", "field", "upvalue", "constant", "method".
pub fn getobjname(p: &Proto, lastpc: usize, reg: usize) -> Option<(&'static str, String)> {
    if let Some(n) = p.local_name(reg + 1, lastpc) {
        if !n.starts_with('(') {
            return Some(("local", n.to_string()));
        }
    }
    let pc = find_set_reg(p, lastpc, reg)?;
    let i = p.code[pc];
    match ins::opcode(i) {
        OpCode::MOVE => {
            let b = ins::b(i) as usize;
            if b < ins::a(i) as usize {
                return getobjname(p, pc, b);
            }
            None
        }
        OpCode::GETTABUP => {
            let k = ins::c(i) as usize;
            Some((
                is_env(p, pc, i, true),
                kstr(p, k).unwrap_or_else(|| "?".into()),
            ))
        }
        OpCode::GETTABLE => {
            let k = ins::c(i) as usize;
            Some((is_env(p, pc, i, false), rname(p, pc, k)))
        }
        OpCode::GETI => Some(("field", "integer index".into())),
        OpCode::GETFIELD => {
            let k = ins::c(i) as usize;
            Some((
                is_env(p, pc, i, false),
                kstr(p, k).unwrap_or_else(|| "?".into()),
            ))
        }
        OpCode::GETUPVAL => Some(("upvalue", upval_name(p, ins::b(i) as usize).to_string())),
        OpCode::LOADK => kstr(p, ins::bx(i) as usize).map(|s| ("constant", s)),
        OpCode::LOADKX => {
            let ax = p.code.get(pc + 1).map(|&e| ins::ax(e) as usize)?;
            kstr(p, ax).map(|s| ("constant", s))
        }
        OpCode::SELF => {
            let c = ins::c(i) as usize;
            let name = if ins::k(i) {
                kstr(p, c)
            } else {
                Some(rname(p, pc, c))
            };
            Some(("method", name.unwrap_or_else(|| "?".into())))
        }
        _ => None,
    }
}

/// How the function running in `cis[idx]` was named by its caller:
/// `(namewhat, name)` as `debug.getinfo`'s "n" option reports it.
pub fn func_name_from_caller(l: &State, idx: usize) -> Option<(&'static str, String)> {
    let ci = &l.cis[idx];
    if ci.status & super::state::cist::FIN != 0 {
        return Some(("metamethod", "__gc".into()));
    }
    if ci.status & super::state::cist::TAIL != 0 || idx == 0 {
        return None;
    }
    let caller = &l.cis[idx - 1];
    if !caller.is_lua() {
        return None;
    }
    let f = l.stack[caller.func];
    if f.tt != TLCL {
        return None;
    }
    // SAFETY: the caller's closure and proto are live.
    let p = unsafe { &*(*f.as_lua_closure()).proto };
    // SAFETY: savedpc points into p's code.
    let pc = unsafe { pc_index(p, caller.savedpc) };
    func_name_from_code(p, pc)
}

/// The name of the function called by instruction `pc` of `p`.
pub fn func_name_from_code(p: &Proto, pc: usize) -> Option<(&'static str, String)> {
    let i = *p.code.get(pc)?;
    let tm = match ins::opcode(i) {
        OpCode::CALL | OpCode::TAILCALL => return getobjname(p, pc, ins::a(i) as usize),
        OpCode::TFORCALL => return Some(("for iterator", "for iterator".into())),
        OpCode::SELF | OpCode::GETTABUP | OpCode::GETTABLE | OpCode::GETI | OpCode::GETFIELD => {
            "index"
        }
        OpCode::SETTABUP | OpCode::SETTABLE | OpCode::SETI | OpCode::SETFIELD => "newindex",
        OpCode::ADDI | OpCode::ADDK | OpCode::ADD => "add",
        OpCode::SUBK | OpCode::SUB => "sub",
        OpCode::MULK | OpCode::MUL => "mul",
        OpCode::MODK | OpCode::MOD => "mod",
        OpCode::POWK | OpCode::POW => "pow",
        OpCode::DIVK | OpCode::DIV => "div",
        OpCode::IDIVK | OpCode::IDIV => "idiv",
        OpCode::BANDK | OpCode::BAND => "band",
        OpCode::BORK | OpCode::BOR => "bor",
        OpCode::BXORK | OpCode::BXOR => "bxor",
        OpCode::SHLI | OpCode::SHL => "shl",
        OpCode::SHRI | OpCode::SHR => "shr",
        OpCode::UNM => "unm",
        OpCode::BNOT => "bnot",
        OpCode::LEN => "len",
        OpCode::CONCAT => "concat",
        OpCode::EQ | OpCode::EQK | OpCode::EQI => "eq",
        OpCode::LT | OpCode::LTI | OpCode::GTI => "lt",
        OpCode::LE | OpCode::LEI | OpCode::GEI => "le",
        OpCode::CLOSE | OpCode::RETURN => "close",
        _ => return None,
    };
    Some(("metamethod", tm.into()))
}

/// The Lua closure running in a frame, if it is a Lua frame.
pub fn ci_lua_closure(l: &State, ci: &CallInfo) -> Option<*mut LuaClosure> {
    let f = l.stack[ci.func];
    if ci.is_lua() && f.tt == TLCL {
        Some(f.as_lua_closure())
    } else {
        None
    }
}

/// Searches `package.loaded` for a function value and returns "mod.name"
/// (or "name" for `_G`), as `luaL_traceback` does.
pub fn global_func_name(l: &State, f: &TValue) -> Option<String> {
    let g = l.g();
    // SAFETY: registry and loaded tables are live.
    unsafe {
        let loaded_key = g
            .strings
            .find(b"_LOADED", super::string::hash_bytes(b"_LOADED"));
        if loaded_key.is_null() {
            return None;
        }
        let loaded = (*g.registry).get_str(loaded_key);
        if loaded.tt != TTABLE {
            return None;
        }
        let lt = &*loaded.as_table();
        let mut k = TValue::NIL;
        while let Ok(Some((mk, mv))) = lt.next(&k) {
            k = mk;
            if mv.tt != TTABLE || mk.tt != TSTR {
                continue;
            }
            let mt = &*mv.as_table();
            let mut k2 = TValue::NIL;
            while let Ok(Some((fk, fv))) = mt.next(&k2) {
                k2 = fk;
                if fk.tt == TSTR && fv.raw_equal(f) && fv.tt == f.tt {
                    let modname = (*mk.as_string()).to_str_lossy();
                    let fname = (*fk.as_string()).to_str_lossy();
                    return Some(if modname == "_G" {
                        fname.into_owned()
                    } else {
                        format!("{modname}.{fname}")
                    });
                }
            }
        }
    }
    None
}

/// "file:line: in function 'name'" or "[C]: in ?" for one frame.
pub fn frame_description(l: &State, idx: usize, ci: &CallInfo) -> String {
    let f = l.stack[ci.func];
    let mut s = String::new();
    let what_main;
    if let Some(cl) = ci_lua_closure(l, ci) {
        // SAFETY: live closure and proto.
        let p = unsafe { &*(*cl).proto };
        let src = crate::syntax::chunk_id(&p.source_name());
        s.push_str(&format!("{}:{}: in ", src, l.ci_line(ci)));
        what_main = p.line_defined == 0;
        if let Some(gname) = global_func_name(l, &f) {
            s.push_str(&format!("function '{gname}'"));
        } else if let Some((what, name)) = func_name_from_caller(l, idx) {
            s.push_str(&format!("{what} '{name}'"));
        } else if what_main {
            s.push_str("main chunk");
        } else {
            s.push_str(&format!("function <{}:{}>", src, p.line_defined));
        }
    } else {
        s.push_str("[C]: in ");
        if let Some(gname) = global_func_name(l, &f) {
            s.push_str(&format!("function '{gname}'"));
        } else if let Some((what, name)) = func_name_from_caller(l, idx) {
            s.push_str(&format!("{what} '{name}'"));
        } else {
            s.push('?');
        }
    }
    if ci.status & super::state::cist::TAIL != 0 {
        s.push_str("\n\t(...tail calls...)");
    }
    s
}

// ---------------------------------------------------------------------------
// Stack levels, tracebacks and debug hooks (used by the debug library, §6.10)

/// The frame index (into `l.cis`) of stack level `level` (0 = the running
/// frame, 1 = its caller, ...), as `lua_getstack` counts: the base frame
/// `cis[0]` is never a level. `None` when out of range or negative.
pub fn level_to_ci(l: &State, level: i64) -> Option<usize> {
    if level < 0 {
        return None;
    }
    let n = l.cis.len() as i64;
    let idx = n - 1 - level;
    if idx >= 1 {
        Some(idx as usize)
    } else {
        None
    }
}

/// `luaL_traceback` of thread `l` as bytes: `msg` (if any) and a newline,
/// "stack traceback:", then one line per level from `level` down (none when
/// `level` is negative or past the last level). With more than 22 levels to
/// show, only the first 10 and the last 11 are listed, with PUC's
/// "\n\t...\t(skipping N levels)" line between them, where N is the number
/// of levels left out minus one (PUC 5.4.4 prints exactly that).
pub fn traceback_bytes(l: &State, msg: Option<&[u8]>, level: i64) -> Vec<u8> {
    const LEVELS1: i64 = 10;
    const LEVELS2: i64 = 11;
    let mut out = Vec::new();
    if let Some(m) = msg {
        out.extend_from_slice(m);
        out.push(b'\n');
    }
    out.extend_from_slice(b"stack traceback:");
    // the last valid level: cis[1] is level len-2
    let last = l.cis.len() as i64 - 2;
    let mut limit2show = if last - level > LEVELS1 + LEVELS2 {
        LEVELS1
    } else {
        -1
    };
    let mut lv = level;
    while let Some(idx) = level_to_ci(l, lv) {
        lv += 1;
        if limit2show == 0 {
            let n = last - lv - LEVELS2 + 1;
            out.extend_from_slice(format!("\n\t...\t(skipping {n} levels)").as_bytes());
            lv += n;
        } else {
            let ci = &l.cis[idx];
            out.extend_from_slice(b"\n\t");
            out.extend_from_slice(frame_description(l, idx, ci).as_bytes());
        }
        limit2show -= 1;
    }
    out
}

/// Bits of `State::hook_mask` (PUC's `LUA_MASK*` values): which events call
/// the hook set by `debug.sethook`.
pub mod hook_mask {
    /// "c": calls of Lua and native functions.
    pub const CALL: u8 = 1;
    /// "r": returns.
    pub const RET: u8 = 2;
    /// "l": entering a new line (or jumping back).
    pub const LINE: u8 = 4;
    /// A count > 0: every `hook_count` instructions.
    pub const COUNT: u8 = 8;
}

/// The events a debug hook receives (§6.10 `debug.sethook`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookEvent {
    /// A function was called ("call").
    Call,
    /// A function is returning ("return").
    Return,
    /// A Lua function enters a new line or jumps back ("line").
    Line,
    /// `hook_count` instructions have run ("count").
    Count,
    /// A Lua function was entered by a tail call ("tail call"); no return
    /// event follows for the frame it replaced.
    TailCall,
}

impl HookEvent {
    /// The event name passed as the hook function's first argument.
    pub fn name(self) -> &'static str {
        match self {
            HookEvent::Call => "call",
            HookEvent::Return => "return",
            HookEvent::Line => "line",
            HookEvent::Count => "count",
            HookEvent::TailCall => "tail call",
        }
    }
}

/// Registry key of the weak-keyed table thread → hook function that
/// `debug.sethook` maintains (PUC's `HOOKKEY`). A coroutine inherits its
/// creator's mask and count but has no entry here until `debug.sethook` is
/// called for it, so no hook runs in it (PUC 5.4.4 behaves the same).
pub const HOOK_KEY: &[u8] = b"_HOOKKEY";

std::thread_local! {
    /// Transfer information (`getinfo` option "r") of frames whose hook is
    /// running: (thread address, frame index, ftransfer, ntransfer). A stack:
    /// pushed and popped around each hook call by [`run_hook`].
    static HOOK_TRANSFER: std::cell::RefCell<Vec<(usize, usize, u16, u16)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `(ftransfer, ntransfer)` of frame `ci_idx` of `l` while a call or return
/// hook runs for it (option "r" of `debug.getinfo`), else `(0, 0)`.
pub fn transfer_info(l: &State, ci_idx: usize) -> (u16, u16) {
    let Some(ci) = l.cis.get(ci_idx) else {
        return (0, 0);
    };
    if ci.status & super::state::cist::HOOKED == 0 {
        return (0, 0);
    }
    let key = l as *const State as usize;
    HOOK_TRANSFER.with(|t| {
        t.borrow()
            .iter()
            .rev()
            .find(|e| e.0 == key && e.1 == ci_idx)
            .map_or((0, 0), |e| (e.2, e.3))
    })
}

/// The hook function registered for thread `l` (`registry._HOOKKEY[l]`),
/// nil if none.
fn registered_hook(l: &mut State) -> TValue {
    let g = l.g();
    let key = g.intern(HOOK_KEY);
    // SAFETY: the registry and the hook table are live tables.
    unsafe {
        let ht = (*g.registry).get_str(key);
        if ht.tt != TTABLE {
            return TValue::NIL;
        }
        (*ht.as_table()).get(&TValue::thread(l as *mut State))
    }
}

/// Runs the debug hook for `event` in the running frame (`l.ci()`), like
/// PUC's `luaD_hook` with the debug library's `hookf`: the registered hook
/// function is called as `hook(event_name, line)` (`line` is nil when
/// negative) with hooks disabled (`allow_hook`) and the frame marked
/// `cist::HOOKED`; `l.top` and the frame's `top` are restored afterwards.
/// `ftransfer`/`ntransfer` are what `getinfo(.., "r")` reports meanwhile.
/// Does nothing when hooks are off or disallowed. Errors of the hook
/// function propagate. For a Lua frame, `savedpc` must be current.
pub fn run_hook(
    l: &mut State,
    event: HookEvent,
    line: i32,
    ftransfer: u16,
    ntransfer: u16,
) -> super::error::LuaResult<()> {
    use super::state::{cist, MIN_STACK};
    if l.hook_mask == 0 || !l.allow_hook {
        return Ok(());
    }
    let f = registered_hook(l);
    if !f.is_function() {
        return Ok(());
    }
    let ci_idx = l.cis.len() - 1;
    let saved_top = l.top;
    let saved_ci_top = l.cis[ci_idx].top;
    if l.cis[ci_idx].is_lua() && l.top < saved_ci_top {
        l.top = saved_ci_top;
    }
    l.check_stack(MIN_STACK)?;
    if l.cis[ci_idx].top < l.top + MIN_STACK {
        l.cis[ci_idx].top = l.top + MIN_STACK;
    }
    l.allow_hook = false;
    l.cis[ci_idx].status |= cist::HOOKED;
    let key = l as *const State as usize;
    if ntransfer != 0 {
        HOOK_TRANSFER.with(|t| t.borrow_mut().push((key, ci_idx, ftransfer, ntransfer)));
    }
    let ev = l.str_value(event.name().as_bytes());
    let ln = if line >= 0 {
        TValue::int(line as i64)
    } else {
        TValue::NIL
    };
    let r = crate::interp::call::call_value_n(l, f, &[ev, ln], 0);
    if ntransfer != 0 {
        HOOK_TRANSFER.with(|t| {
            let mut t = t.borrow_mut();
            if let Some(pos) = t.iter().rposition(|e| e.0 == key && e.1 == ci_idx) {
                t.remove(pos);
            }
        });
    }
    l.allow_hook = true;
    if let Some(ci) = l.cis.get_mut(ci_idx) {
        ci.status &= !cist::HOOKED;
        if r.is_ok() {
            ci.top = saved_ci_top;
        }
    }
    if r.is_ok() {
        l.top = saved_top;
    }
    r.map(|_| ())
}

/// Accessor of the thread's line-tracking pc (PUC's `L->oldpc`): the pc
/// of the last instruction the line hook looked at. The hook functions
/// below read and update it through this accessor, e.g.
/// `|l| &mut l.hook_oldpc`, so that a hook that runs Lua code (and thus
/// moves it) is seen exactly as PUC sees it.
pub type OldPc = fn(&mut State) -> &mut usize;

/// The call hook of the Lua frame just entered (PUC's `luaD_hookcall`):
/// event "call", or "tail call" when the frame has `cist::TAIL`. Call it
/// when `l.hook_mask != 0`, with the frame's `savedpc` pointing at the next
/// instruction to run: the first one for a fixed-parameter function (at
/// entry), the one after `VARARGPREP` for a vararg function (right after
/// `VARARGPREP` ran, so `getlocal` sees the parameters). Afterwards the
/// thread's `oldpc` is 0, or 1 for a vararg function, so that the next
/// instruction counts as a new line.
pub fn hook_lua_call(l: &mut State, oldpc: OldPc) -> super::error::LuaResult<()> {
    let ci = *l.ci();
    let Some(cl) = ci_lua_closure(l, &ci) else {
        return Ok(());
    };
    // SAFETY: the running frame's closure and prototype are live.
    let (nparams, vararg) = unsafe {
        let p = &*(*cl).proto;
        (p.num_params, p.is_vararg)
    };
    *oldpc(l) = 0;
    if l.hook_mask & hook_mask::CALL != 0 {
        let event = if ci.status & super::state::cist::TAIL != 0 {
            HookEvent::TailCall
        } else {
            HookEvent::Call
        };
        let idx = l.cis.len() - 1;
        // hooks see the pc already advanced, as in PUC
        l.cis[idx].savedpc = ci.savedpc.wrapping_add(1);
        let r = run_hook(l, event, -1, 1, nparams as u16);
        if let Some(c) = l.cis.get_mut(idx) {
            c.savedpc = ci.savedpc;
        }
        r?;
    }
    *oldpc(l) = usize::from(vararg);
    Ok(())
}

/// The call hook of a native function (PUC's `precallC`): call it when
/// `l.hook_mask & hook_mask::CALL != 0`, after the native frame is pushed
/// and before the function runs; `nargs` is its number of arguments.
pub fn hook_native_call(l: &mut State, nargs: usize) -> super::error::LuaResult<()> {
    if l.hook_mask & hook_mask::CALL != 0 {
        run_hook(
            l,
            HookEvent::Call,
            -1,
            1,
            nargs.min(u16::MAX as usize) as u16,
        )?;
    }
    Ok(())
}

/// The return hook (PUC's `rethook`) of the running frame, Lua or native,
/// whose `nres` results start at stack index `first`; `l.top` must be
/// `first + nres`. Call it when `l.hook_mask != 0` (any event), before the
/// results are moved and the frame popped. When the caller is a Lua frame,
/// the thread's `oldpc` becomes the pc of the caller's call instruction, so
/// that returning into the middle of a line is not a new line.
pub fn hook_return(
    l: &mut State,
    first: usize,
    nres: usize,
    oldpc: OldPc,
) -> super::error::LuaResult<()> {
    if l.hook_mask & hook_mask::RET != 0 {
        let func = l.ci().func;
        let ftransfer = first.saturating_sub(func).min(u16::MAX as usize) as u16;
        run_hook(
            l,
            HookEvent::Return,
            -1,
            ftransfer,
            nres.min(u16::MAX as usize) as u16,
        )?;
    }
    let n = l.cis.len();
    if n >= 2 {
        let caller = l.cis[n - 2];
        if let Some(cl) = ci_lua_closure(l, &caller) {
            // SAFETY: the caller's closure and prototype are live and its
            // savedpc points into the prototype's code.
            let pc = unsafe { pc_index(&*(*cl).proto, caller.savedpc) };
            *oldpc(l) = pc;
        }
    }
    Ok(())
}

/// The line and count hooks before instruction `npc` (0-based) of the
/// running Lua frame runs (PUC's `luaG_traceexec`); the frame's `savedpc`
/// must already be past it (`code + npc + 1`). Call it for every
/// instruction except `VARARGPREP` while `l.hook_mask` has `LINE` or
/// `COUNT`, including inside hook functions (their instructions count,
/// and they move `oldpc`, as in PUC).
///
/// A count hook fires when the countdown `hook_count_left` reaches 0 (it is
/// then reset to `hook_count`); a line hook fires when `npc` is on another
/// line than the thread's `oldpc`, or is not after it (a jump back, a new
/// function, or a count hook that just ran Lua code); `oldpc` becomes
/// `npc`.
pub fn hook_instruction(l: &mut State, npc: usize, oldpc: OldPc) -> super::error::LuaResult<()> {
    let mask = l.hook_mask;
    if mask & (hook_mask::LINE | hook_mask::COUNT) == 0 {
        return Ok(());
    }
    let mut counthook = false;
    if mask & hook_mask::COUNT != 0 {
        l.hook_count_left -= 1;
        if l.hook_count_left <= 0 {
            counthook = true;
            l.hook_count_left = l.hook_count;
        }
    }
    if !counthook && mask & hook_mask::LINE == 0 {
        return Ok(());
    }
    if counthook {
        run_hook(l, HookEvent::Count, -1, 0, 0)?;
    }
    if mask & hook_mask::LINE == 0 {
        return Ok(());
    }
    let ci = *l.ci();
    let Some(cl) = ci_lua_closure(l, &ci) else {
        return Ok(());
    };
    let old = *oldpc(l);
    // SAFETY: the running frame's closure and prototype are live.
    let (changed, newline) = unsafe {
        let p = &*(*cl).proto;
        let old = if old < p.code.len() { old } else { 0 };
        (
            npc <= old || p.line_at(old) != p.line_at(npc),
            p.line_at(npc),
        )
    };
    if changed {
        run_hook(l, HookEvent::Line, newline as i32, 0, 0)?;
    }
    *oldpc(l) = npc;
    Ok(())
}
