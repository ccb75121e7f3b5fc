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
            if !uv.is_null() && (*uv).v as *const TValue == p {
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

/// `luaL_traceback`: "stack traceback:" and one line per frame from `level`
/// (0 = the running frame) down, eliding the middle of very deep stacks.
pub fn traceback(l: &State, msg: Option<&str>, level: usize) -> String {
    let mut out = String::new();
    if let Some(m) = msg {
        out.push_str(m);
        out.push('\n');
    }
    out.push_str("stack traceback:");
    let n = l.cis.len();
    // frame 0 of the main thread is the base frame: not shown
    let levels: Vec<usize> = (0..n)
        .rev()
        .skip(level)
        .filter(|&i| !(i == 0 && l.stack[0].is_nil()))
        .collect();
    let total = levels.len();
    const LEVELS1: usize = 10;
    const LEVELS2: usize = 11;
    for (shown, &idx) in levels.iter().enumerate() {
        if total > LEVELS1 + LEVELS2 && shown == LEVELS1 {
            let skip = total - LEVELS1 - LEVELS2;
            out.push_str(&format!("\n\t...\t(skipping {skip} levels)"));
        }
        if total > LEVELS1 + LEVELS2 && shown >= LEVELS1 && shown < total - LEVELS2 {
            continue;
        }
        let ci = &l.cis[idx];
        out.push_str("\n\t");
        out.push_str(&frame_description(l, idx, ci));
    }
    out
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
