//! The debug library (§6.10), with the behaviour and messages of PUC Lua
//! 5.4.4: `traceback`, `getinfo`, `getlocal`/`setlocal`,
//! `getupvalue`/`setupvalue`, `upvalueid`/`upvaluejoin`,
//! `getmetatable`/`setmetatable` (raw, any type), `getregistry`,
//! `getuservalue`/`setuservalue`, `sethook`/`gethook` and `debug`.
//!
//! Stack levels follow `lua_getstack`: level 0 is the running function (the
//! debug function itself when the thread is the running one), 1 its caller,
//! and so on; a thread's base frame (`cis[0]`) is never a level
//! (`runtime::debug::level_to_ci`). Functions taking an optional thread
//! first argument operate on that thread's frames.
//!
//! Hooks: `sethook` stores the hook function in the registry table
//! `_HOOKKEY` (weak keys, thread → function) and the mask and count in the
//! thread (`hook`, `hook_mask`, `hook_count`, `hook_count_left`); the
//! interpreter calls `runtime::debug::run_hook` and friends, which look the
//! function up in that table for the running thread, as PUC's `hookf` does.
//!
//! May call: `runtime::debug` (names, levels, tracebacks, hooks),
//! `runtime::load` and `interp::call::pcall` (for `debug.debug`). The only
//! terminal I/O is `debug.debug`'s prompt and error messages on stderr,
//! which is that function's documented job.

use super::aux::*;
use crate::interp::call::{self, Handler};
use crate::runtime::debug::{self as rdebug, ci_lua_closure, hook_mask, level_to_ci};
use crate::runtime::error::LuaResult;
use crate::runtime::func::Proto;
use crate::runtime::state::{cist, pc_index, State};
use crate::runtime::table::Table;
use crate::runtime::value::*;

/// Registers the debug library.
pub fn open(l: &mut State) {
    new_lib(
        l,
        "debug",
        &[
            ("debug", debug_),
            ("getuservalue", getuservalue),
            ("gethook", gethook),
            ("getinfo", getinfo),
            ("getlocal", getlocal),
            ("getregistry", getregistry),
            ("getmetatable", getmetatable),
            ("getupvalue", getupvalue),
            ("upvaluejoin", upvaluejoin),
            ("upvalueid", upvalueid),
            ("setuservalue", setuservalue),
            ("sethook", sethook),
            ("setlocal", setlocal),
            ("setmetatable", setmetatable),
            ("setupvalue", setupvalue),
            ("traceback", traceback),
        ],
    );
}

/// The optional thread argument: `(Some(thread), 1)` when argument 1 is
/// another thread, `(None, 1)` when it is the running thread itself,
/// `(None, 0)` when there is none (PUC's `getthread`; the offset shifts
/// the other arguments).
fn get_thread(l: &State) -> (Option<*mut State>, usize) {
    let v = arg(l, 1);
    if v.tt == TTHREAD {
        let p = v.as_thread();
        if std::ptr::eq(p, l) {
            (None, 1)
        } else {
            (Some(p), 1)
        }
    } else {
        (None, 0)
    }
}

/// The target thread: `l` itself or another live thread.
fn thread_ref(l: &mut State, th: Option<*mut State>) -> &mut State {
    match th {
        None => l,
        // SAFETY: the thread is rooted by argument 1 and is not `l`
        // (get_thread maps the running thread to None).
        Some(p) => unsafe { &mut *p },
    }
}

/// An integer argument truncated to a C `int`, as PUC's `(int)` casts do.
fn check_c_int(l: &mut State, n: usize) -> LuaResult<i64> {
    Ok(check_int(l, n)? as i32 as i64)
}

// ---------------------------------------------------------------------------
// getinfo

/// What `getinfo` reports about a function (the "S" and "u" parts).
struct FuncInfo {
    /// The source (`None` for native functions: "=[C]").
    source: Option<TValue>,
    short_src: String,
    what: &'static str,
    linedefined: i64,
    lastlinedefined: i64,
    nups: usize,
    nparams: u8,
    isvararg: bool,
}

fn func_info(f: &TValue) -> FuncInfo {
    match f.tt {
        TLCL => {
            // SAFETY: a Lua closure value holds a live closure and proto.
            let (cl, p) = unsafe {
                let cl = &*f.as_lua_closure();
                (cl, &*cl.proto)
            };
            let source = if p.source.is_null() {
                None
            } else {
                Some(TValue::string(p.source))
            };
            let name = if p.source.is_null() {
                "=?".to_string()
            } else {
                p.source_name()
            };
            FuncInfo {
                source,
                short_src: crate::syntax::chunk_id(&name),
                what: if p.line_defined == 0 { "main" } else { "Lua" },
                linedefined: p.line_defined as i64,
                lastlinedefined: p.last_line_defined as i64,
                nups: cl.upvals.len(),
                nparams: p.num_params,
                isvararg: p.is_vararg,
            }
        }
        _ => {
            let nups = if f.tt == TNCL {
                // SAFETY: a native closure value holds a live closure.
                unsafe {
                    let c = &*f.as_native();
                    c.upvals.len()
                }
            } else {
                0
            };
            FuncInfo {
                source: None,
                short_src: "[C]".into(),
                what: "C",
                linedefined: -1,
                lastlinedefined: -1,
                nups,
                nparams: 0,
                isvararg: true,
            }
        }
    }
}

/// The lines with code of a prototype (option "L"), skipping a vararg
/// function's `VARARGPREP` as PUC 5.4.4 does.
fn active_lines(p: &Proto) -> Vec<u32> {
    let start = usize::from(p.is_vararg);
    p.line_info.get(start..).map_or(Vec::new(), |s| s.to_vec())
}

/// How frame `idx` was called, for option "n": `(namewhat, name)`.
fn frame_name(l1: &State, idx: usize) -> Option<(&'static str, String)> {
    let ci = &l1.cis[idx];
    if ci.status & cist::TAIL != 0 || idx == 0 {
        return None;
    }
    if l1.cis[idx - 1].status & cist::HOOKED != 0 {
        return Some(("hook", "?".into()));
    }
    rdebug::func_name_from_caller(l1, idx)
}

/// Everything `getinfo` may report about one frame (or function), gathered
/// from the target thread before anything is pushed.
struct Info {
    func: TValue,
    fi: FuncInfo,
    currentline: i64,
    name: Option<(&'static str, String)>,
    istailcall: bool,
    transfer: (u16, u16),
    lines: Option<Vec<u32>>,
}

fn gather_info(l1: &State, func: TValue, ci_idx: Option<usize>) -> Info {
    let fi = func_info(&func);
    let lines = if func.tt == TLCL {
        // SAFETY: a live Lua closure and its proto.
        Some(active_lines(unsafe { &*(*func.as_lua_closure()).proto }))
    } else {
        None
    };
    let mut info = Info {
        func,
        fi,
        currentline: -1,
        name: None,
        istailcall: false,
        transfer: (0, 0),
        lines,
    };
    if let Some(idx) = ci_idx {
        let ci = &l1.cis[idx];
        if ci_lua_closure(l1, ci).is_some() {
            info.currentline = l1.ci_line(ci) as i64;
        }
        info.name = frame_name(l1, idx);
        info.istailcall = ci.status & cist::TAIL != 0;
        info.transfer = rdebug::transfer_info(l1, idx);
    }
    info
}

/// `debug.getinfo([thread,] f | level [, what])`: a table describing a
/// function or a stack level (fail for a level out of range); `what`
/// selects fields: S, l, u, n, r, t, L, f (default "flnSrtu").
fn getinfo(l: &mut State) -> LuaResult<usize> {
    let (th, a) = get_thread(l);
    let opts: Vec<u8> = match opt_str(l, a + 2)? {
        // SAFETY: the option string is rooted in its argument slot. PUC
        // reads it as a C string, which ends at a NUL.
        Some(s) => unsafe { bytes(s) }
            .iter()
            .take_while(|&&c| c != 0)
            .copied()
            .collect(),
        None => b"flnSrtu".to_vec(),
    };
    if opts.first() == Some(&b'>') {
        return Err(arg_error(l, a + 2, "invalid option '>'"));
    }
    let target = arg(l, a + 1);
    let (func, ci_idx) = if target.is_function() {
        (target, None)
    } else {
        let level = check_c_int(l, a + 1)?;
        let l1 = thread_ref(l, th);
        match level_to_ci(l1, level) {
            Some(idx) => (l1.stack[l1.cis[idx].func], Some(idx)),
            None => {
                l.push(TValue::NIL);
                return Ok(1);
            }
        }
    };
    if opts.iter().any(|c| !b"SlnrutLf".contains(c)) {
        return Err(arg_error(l, a + 2, "invalid option"));
    }
    let info = gather_info(thread_ref(l, th), func, ci_idx);
    let t = l.g().new_table(0, 16);
    l.push(TValue::table(t));
    let has = |c: u8| opts.contains(&c);
    if has(b'S') {
        let src = match info.fi.source {
            Some(s) => s,
            None => l.str_value(b"=[C]"),
        };
        set_field(l, t, "source", src);
        let ss = l.str_value(info.fi.short_src.as_bytes());
        set_field(l, t, "short_src", ss);
        set_field(l, t, "linedefined", TValue::int(info.fi.linedefined));
        set_field(
            l,
            t,
            "lastlinedefined",
            TValue::int(info.fi.lastlinedefined),
        );
        let w = l.str_value(info.fi.what.as_bytes());
        set_field(l, t, "what", w);
    }
    if has(b'l') {
        set_field(l, t, "currentline", TValue::int(info.currentline));
    }
    if has(b'u') {
        set_field(l, t, "nups", TValue::int(info.fi.nups as i64));
        set_field(l, t, "nparams", TValue::int(info.fi.nparams as i64));
        set_field(l, t, "isvararg", TValue::boolean(info.fi.isvararg));
    }
    if has(b'n') {
        let (namewhat, name) = match &info.name {
            Some((w, n)) => (*w, l.str_value(n.as_bytes())),
            None => ("", TValue::NIL),
        };
        set_field(l, t, "name", name);
        let nw = l.str_value(namewhat.as_bytes());
        set_field(l, t, "namewhat", nw);
    }
    if has(b'r') {
        set_field(l, t, "ftransfer", TValue::int(info.transfer.0 as i64));
        set_field(l, t, "ntransfer", TValue::int(info.transfer.1 as i64));
    }
    if has(b't') {
        set_field(l, t, "istailcall", TValue::boolean(info.istailcall));
    }
    if has(b'L') {
        if let Some(lines) = &info.lines {
            let lt = l.g().new_table(0, lines.len());
            set_field(l, t, "activelines", TValue::table(lt));
            for &ln in lines {
                // SAFETY: lt is reachable from t, which is on the stack.
                unsafe { (*lt).set_int(ln as i64, TValue::TRUE) };
            }
        }
    }
    if has(b'f') {
        set_field(l, t, "func", info.func);
    }
    Ok(1)
}

// ---------------------------------------------------------------------------
// Locals

/// Finds local `n` of frame `idx` (PUC's `luaG_findlocal`): its name and
/// stack slot. Positive `n`: named locals active at the frame's pc, then
/// "(temporary)" / "(C temporary)" for other slots in use by the frame;
/// negative `n`: the varargs of a vararg Lua function, "(vararg)".
fn find_local(l1: &State, idx: usize, n: i64) -> Option<(String, usize)> {
    let ci = &l1.cis[idx];
    let base = ci.func + 1;
    let mut name: Option<String> = None;
    let is_lua = if let Some(cl) = ci_lua_closure(l1, ci) {
        // SAFETY: the frame's closure and prototype are live; savedpc
        // points into its code.
        let p = unsafe { &*(*cl).proto };
        if n < 0 {
            let nextra = ci.nextra as i64;
            if p.is_vararg && n >= -nextra {
                let slot = ci.func as i64 - nextra + (-n - 1);
                return Some(("(vararg)".into(), slot as usize));
            }
            return None;
        }
        let pc = unsafe { pc_index(p, ci.savedpc) };
        name = p.local_name(n as usize, pc).map(str::to_string);
        true
    } else {
        false
    };
    if name.is_none() {
        let limit = if idx + 1 == l1.cis.len() {
            l1.top
        } else {
            l1.cis[idx + 1].func
        };
        if n > 0 && limit as i64 - base as i64 >= n {
            name = Some(
                if is_lua {
                    "(temporary)"
                } else {
                    "(C temporary)"
                }
                .into(),
            );
        } else {
            return None;
        }
    }
    let slot = base + n as usize - 1;
    if slot >= l1.stack.len() {
        return None;
    }
    name.map(|nm| (nm, slot))
}

/// `debug.getlocal([thread,] f | level, n)`: the name and value of local
/// `n` of a stack level (fail if none; "level out of range"), or the name of
/// parameter `n` of a Lua function.
fn getlocal(l: &mut State) -> LuaResult<usize> {
    let (th, a) = get_thread(l);
    let nvar = check_c_int(l, a + 2)?;
    let target = arg(l, a + 1);
    if target.is_function() {
        let name = if target.tt == TLCL && nvar > 0 {
            // SAFETY: a live Lua closure and its proto.
            let p = unsafe { &*(*target.as_lua_closure()).proto };
            p.local_name(nvar as usize, 0).map(str::to_string)
        } else {
            None
        };
        match name {
            Some(n) => l.push_str(n.as_bytes()),
            None => l.push(TValue::NIL),
        }
        return Ok(1);
    }
    let level = check_c_int(l, a + 1)?;
    let found = {
        let l1 = thread_ref(l, th);
        level_to_ci(l1, level)
            .map(|idx| find_local(l1, idx, nvar).map(|(nm, slot)| (nm, l1.stack[slot])))
    };
    match found {
        None => Err(arg_error(l, a + 1, "level out of range")),
        Some(None) => {
            l.push(TValue::NIL);
            Ok(1)
        }
        Some(Some((name, v))) => {
            l.push_str(name.as_bytes());
            l.push(v);
            Ok(2)
        }
    }
}

/// `debug.setlocal([thread,] level, n, value)`: assigns local `n` of a
/// stack level; returns its name, or fail when there is no such local.
fn setlocal(l: &mut State) -> LuaResult<usize> {
    let (th, a) = get_thread(l);
    let level = check_c_int(l, a + 1)?;
    let nvar = check_c_int(l, a + 2)?;
    let idx = match level_to_ci(thread_ref(l, th), level) {
        Some(i) => i,
        None => return Err(arg_error(l, a + 1, "level out of range")),
    };
    let v = check_any(l, a + 3)?;
    let name = {
        let l1 = thread_ref(l, th);
        match find_local(l1, idx, nvar) {
            Some((name, slot)) => {
                l1.stack[slot] = v;
                Some(name)
            }
            None => None,
        }
    };
    match name {
        Some(n) => l.push_str(n.as_bytes()),
        None => l.push(TValue::NIL),
    }
    Ok(1)
}

// ---------------------------------------------------------------------------
// Upvalues

/// Name of upvalue `i` (0-based) of a prototype; "(no name)" when unknown.
fn upvalue_name(p: &Proto, i: usize) -> String {
    match p.upvalues.get(i) {
        Some(d) if !d.name.is_empty() => d.name.clone(),
        _ => "(no name)".into(),
    }
}

/// Reads (`set` = None) or writes upvalue `n` (1-based) of function `f`;
/// returns its name and old value, or None when there is no such upvalue.
/// Native functions' upvalues have the empty name and are read-only: the
/// natives trust the types of their own upvalues (a `gmatch` iterator's
/// string, a `coroutine.wrap` function's thread), so writing one fails
/// (PUC Lua writes it and then crashes).
fn access_upvalue(f: TValue, n: i64, set: Option<TValue>) -> Option<(String, TValue)> {
    if n < 1 {
        return None;
    }
    let i = (n - 1) as usize;
    match f.tt {
        TLCL => {
            // SAFETY: a live Lua closure; its upvalue pointers are live
            // upvalues (or null before `CLOSURE` filled them).
            unsafe {
                let cl = &*f.as_lua_closure();
                let p = &*cl.proto;
                if i >= cl.upvals.len() || i >= p.upvalues.len() {
                    return None;
                }
                let uv = cl.upvals[i];
                let old = if uv.is_null() {
                    TValue::NIL
                } else {
                    (*uv).get()
                };
                if let (Some(v), false) = (set, uv.is_null()) {
                    (*uv).set(v);
                }
                Some((upvalue_name(p, i), old))
            }
        }
        TNCL => {
            // SAFETY: a live native closure.
            unsafe {
                let c = &*f.as_native();
                let old = *c.upvals.get(i)?;
                if set.is_some() {
                    return None;
                }
                Some((String::new(), old))
            }
        }
        _ => None,
    }
}

/// `debug.getupvalue(f, n)`: name and value of upvalue `n`, or nothing.
fn getupvalue(l: &mut State) -> LuaResult<usize> {
    let n = check_c_int(l, 2)?;
    let f = check_type(l, 1, LuaType::Function)?;
    match access_upvalue(f, n, None) {
        Some((name, v)) => {
            l.push_str(name.as_bytes());
            l.push(v);
            Ok(2)
        }
        None => Ok(0),
    }
}

/// `debug.setupvalue(f, n, value)`: assigns upvalue `n`; returns its name,
/// or nothing when there is no such upvalue.
fn setupvalue(l: &mut State) -> LuaResult<usize> {
    let v = check_any(l, 3)?;
    let n = check_c_int(l, 2)?;
    let f = check_type(l, 1, LuaType::Function)?;
    match access_upvalue(f, n, Some(v)) {
        Some((name, _)) => {
            l.push_str(name.as_bytes());
            Ok(1)
        }
        None => Ok(0),
    }
}

/// The identity of upvalue `n` of function argument `argf` (index argument
/// `argn`): the address of the shared upvalue object (Lua functions) or of
/// the upvalue slot (native functions); None when out of range. Also
/// returns the function and the index.
fn upvalue_ref(l: &mut State, argf: usize, argn: usize) -> LuaResult<(TValue, i64, Option<usize>)> {
    let n = check_c_int(l, argn)?;
    let f = check_type(l, argf, LuaType::Function)?;
    let id = if n < 1 {
        None
    } else {
        let i = (n - 1) as usize;
        match f.tt {
            // SAFETY: live closures.
            TLCL => unsafe {
                let cl = &*f.as_lua_closure();
                let p = &*cl.proto;
                if i < cl.upvals.len() && i < p.upvalues.len() && !cl.upvals[i].is_null() {
                    Some(cl.upvals[i] as usize)
                } else {
                    None
                }
            },
            TNCL => unsafe {
                let c = &*f.as_native();
                c.upvals.get(i).map(|s| s as *const TValue as usize)
            },
            _ => None,
        }
    };
    Ok((f, n, id))
}

/// `debug.upvalueid(f, n)`: a light userdata identifying upvalue `n`
/// (equal for upvalues shared between closures), or fail.
fn upvalueid(l: &mut State) -> LuaResult<usize> {
    let (_, _, id) = upvalue_ref(l, 1, 2)?;
    l.push(id.map_or(TValue::NIL, TValue::light_userdata));
    Ok(1)
}

/// `debug.upvaluejoin(f1, n1, f2, n2)`: makes upvalue `n1` of Lua function
/// `f1` refer to upvalue `n2` of Lua function `f2`.
fn upvaluejoin(l: &mut State) -> LuaResult<usize> {
    let (f1, n1, id1) = upvalue_ref(l, 1, 2)?;
    if id1.is_none() {
        return Err(arg_error(l, 2, "invalid upvalue index"));
    }
    let (f2, n2, id2) = upvalue_ref(l, 3, 4)?;
    if id2.is_none() {
        return Err(arg_error(l, 4, "invalid upvalue index"));
    }
    if f1.tt != TLCL {
        return Err(arg_error(l, 1, "Lua function expected"));
    }
    if f2.tt != TLCL {
        return Err(arg_error(l, 3, "Lua function expected"));
    }
    // SAFETY: both are live Lua closures and the indices were checked by
    // upvalue_ref.
    unsafe {
        let uv = (&(*f2.as_lua_closure()).upvals)[(n2 - 1) as usize];
        (&mut (*f1.as_lua_closure()).upvals)[(n1 - 1) as usize] = uv;
    }
    Ok(0)
}

// ---------------------------------------------------------------------------
// Metatables, registry, user values

/// `debug.getmetatable(v)`: the metatable of any value, ignoring
/// `__metatable`; nil if none.
fn getmetatable(l: &mut State) -> LuaResult<usize> {
    let v = check_any(l, 1)?;
    let mt = l.g().metatable_of(&v);
    l.push(if mt.is_null() {
        TValue::NIL
    } else {
        TValue::table(mt)
    });
    Ok(1)
}

/// `debug.setmetatable(v, t)`: sets the metatable of any value (for types
/// other than tables and full userdata, the metatable shared by all values
/// of the type); returns `v`.
fn setmetatable(l: &mut State) -> LuaResult<usize> {
    let t = arg(l, 2);
    if nargs(l) < 2 || !(t.tt == TNIL || t.tt == TTABLE) {
        return Err(type_error(l, 2, "nil or table"));
    }
    let mt: *mut Table = if t.is_nil() {
        std::ptr::null_mut()
    } else {
        t.as_table()
    };
    let v = arg(l, 1);
    match v.tt {
        TTABLE => {
            // SAFETY: v is a live table rooted in argument 1.
            unsafe { (*v.as_table()).metatable = mt };
            l.check_finalizer(v.as_gc(), mt);
        }
        TUSERDATA => {
            // SAFETY: v is a live userdata rooted in argument 1.
            unsafe { (*v.as_userdata()).metatable = mt };
            l.check_finalizer(v.as_gc(), mt);
        }
        _ => {
            l.g().type_mt[v.ltype().index()] = mt;
        }
    }
    l.push(v);
    Ok(1)
}

/// `debug.getregistry()`: the registry table.
fn getregistry(l: &mut State) -> LuaResult<usize> {
    let r = l.g().registry;
    l.push(TValue::table(r));
    Ok(1)
}

/// `debug.getuservalue(u [, n])`: user value `n` of a full userdata and
/// true; fail when `u` is not a full userdata, nil alone when it has no
/// user value `n` (every userdata here has exactly one).
fn getuservalue(l: &mut State) -> LuaResult<usize> {
    let n = opt_int(l, 2, 1)? as i32;
    let v = arg(l, 1);
    if v.tt != TUSERDATA || n != 1 {
        l.push(TValue::NIL);
        return Ok(1);
    }
    // SAFETY: a live userdata rooted in argument 1.
    let uv = unsafe { (*v.as_userdata()).user_value };
    l.push(uv);
    l.push(TValue::TRUE);
    Ok(2)
}

/// `debug.setuservalue(u, value [, n])`: sets user value `n`; returns `u`,
/// or fail when the userdata has no user value `n`.
fn setuservalue(l: &mut State) -> LuaResult<usize> {
    let n = opt_int(l, 3, 1)? as i32;
    let u = check_type(l, 1, LuaType::Userdata)?;
    let v = check_any(l, 2)?;
    if n != 1 {
        l.push(TValue::NIL);
        return Ok(1);
    }
    // SAFETY: a live userdata rooted in argument 1.
    unsafe { (*u.as_userdata()).user_value = v };
    l.push(u);
    Ok(1)
}

// ---------------------------------------------------------------------------
// Hooks

/// The registry's thread → hook function table, created on first use with
/// weak keys (its own metatable, `__mode = "k"`).
fn hook_table(l: &mut State) -> *mut Table {
    let reg = l.g().registry;
    let key = l.g().intern(rdebug::HOOK_KEY);
    // SAFETY: the registry is live.
    let v = unsafe { (*reg).get_str(key) };
    if v.tt == TTABLE {
        return v.as_table();
    }
    let t = l.g().new_table(0, 2);
    let mode = l.str_value(b"k");
    set_field(l, t, "__mode", mode);
    // SAFETY: t is live; it is rooted by the registry right after.
    unsafe {
        (*t).metatable = t;
        (*reg).set_str(key, TValue::table(t));
    }
    t
}

/// The mask string of `gethook`: "c", "r", "l" in that order.
fn mask_string(mask: u8) -> String {
    let mut s = String::new();
    if mask & hook_mask::CALL != 0 {
        s.push('c');
    }
    if mask & hook_mask::RET != 0 {
        s.push('r');
    }
    if mask & hook_mask::LINE != 0 {
        s.push('l');
    }
    s
}

/// `debug.sethook([thread,] hook, mask [, count])` sets the hook of a
/// thread (mask letters "c", "r", "l"; count > 0 adds the count event);
/// `debug.sethook([thread])` turns it off.
fn sethook(l: &mut State) -> LuaResult<usize> {
    let (th, a) = get_thread(l);
    let hv = arg(l, a + 1);
    let (func, mut mask, count) = if hv.is_nil() {
        (TValue::NIL, 0u8, 0i32)
    } else {
        let smask = check_str(l, a + 2)?;
        // SAFETY: rooted in its argument slot; PUC reads a C string.
        let sm: Vec<u8> = unsafe { bytes(smask) }
            .iter()
            .take_while(|&&c| c != 0)
            .copied()
            .collect();
        let f = check_type(l, a + 1, LuaType::Function)?;
        let count = opt_int(l, a + 3, 0)? as i32;
        let mut mask = 0u8;
        if sm.contains(&b'c') {
            mask |= hook_mask::CALL;
        }
        if sm.contains(&b'r') {
            mask |= hook_mask::RET;
        }
        if sm.contains(&b'l') {
            mask |= hook_mask::LINE;
        }
        if count > 0 {
            mask |= hook_mask::COUNT;
        }
        (f, mask, count)
    };
    let ht = hook_table(l);
    let key = match th {
        Some(p) => TValue::thread(p),
        None => TValue::thread(l as *mut State),
    };
    // SAFETY: ht is live (rooted by the registry); a thread key is valid.
    let _ = unsafe { (*ht).set(key, func) };
    let l1 = thread_ref(l, th);
    let mut hook = func;
    if func.is_nil() || mask == 0 {
        mask = 0;
        hook = TValue::NIL;
    }
    l1.hook = hook;
    l1.hook_mask = mask;
    l1.hook_count = count;
    l1.hook_count_left = count;
    Ok(0)
}

/// `debug.gethook([thread])`: the hook function, mask and count of a
/// thread, or fail when it has no hook.
fn gethook(l: &mut State) -> LuaResult<usize> {
    let (th, _) = get_thread(l);
    let (mask, count, key) = {
        let l1 = thread_ref(l, th);
        let key = TValue::thread(l1 as *mut State);
        (l1.hook_mask, l1.hook_count, key)
    };
    if mask == 0 {
        l.push(TValue::NIL);
        return Ok(1);
    }
    let ht = hook_table(l);
    // SAFETY: ht is live.
    let f = unsafe { (*ht).get(&key) };
    l.push(f);
    let ms = mask_string(mask);
    l.push_str(ms.as_bytes());
    l.push(TValue::int(count as i64));
    Ok(3)
}

// ---------------------------------------------------------------------------
// traceback and debug

/// `debug.traceback([thread,] [message [, level]])`: the message (if any)
/// and a traceback of the thread from `level` (default 1 for the running
/// thread, 0 for another). A message that is neither a string, a number
/// nor nil is returned untouched.
fn traceback(l: &mut State) -> LuaResult<usize> {
    let (th, a) = get_thread(l);
    let mv = arg(l, a + 1);
    let msg: Option<Vec<u8>> = match mv.tt {
        // SAFETY: rooted in its argument slot.
        TSTR => Some(unsafe { bytes(mv.as_string()) }.to_vec()),
        TINT | TFLOAT => {
            let mut b = Vec::new();
            crate::runtime::tm::number_to_buf(&mv, &mut b);
            Some(b)
        }
        TNIL => None,
        _ => {
            l.push(mv);
            return Ok(1);
        }
    };
    let default_level = if th.is_none() { 1 } else { 0 };
    let level = opt_int(l, a + 2, default_level)? as i32 as i64;
    let tb = rdebug::traceback_bytes(thread_ref(l, th), msg.as_deref(), level);
    ret_str(l, &tb)
}

/// Reads one command line for `debug.debug` like C's `fgets` with a
/// 250-byte buffer: up to and including a newline, at most 249 bytes.
/// None at end of input (with nothing read) or on a read error.
///
/// It reads descriptor 0 one byte at a time, without buffering, so that
/// input after the line is left for the io library's `io.stdin` (C stdio
/// shares one `stdin` buffer; here the io library has its own).
fn read_command() -> Option<Vec<u8>> {
    let mut out = Vec::new();
    while out.len() < 249 {
        let mut b = 0u8;
        // SAFETY: reads at most one byte into a live local.
        let n = unsafe { libc::read(0, (&mut b as *mut u8).cast::<libc::c_void>(), 1) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return None;
        }
        if n == 0 {
            break;
        }
        out.push(b);
        if b == b'\n' {
            break;
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// Writes to stderr (the prompt and errors of `debug.debug`), ignoring
/// failures as PUC does.
fn write_stderr(b: &[u8]) {
    use std::io::Write;
    let mut e = std::io::stderr();
    let _ = e.write_all(b);
    let _ = e.flush();
}

/// `debug.debug()`: an interactive loop on stdin/stderr; each line is run as
/// a chunk named "(debug command)", errors are printed on stderr; a line
/// "cont" (or end of input) returns.
fn debug_(l: &mut State) -> LuaResult<usize> {
    loop {
        super::io::flush_stdout();
        write_stderr(b"lua_debug> ");
        let line = match read_command() {
            Some(b) if b != b"cont\n" => b,
            _ => return Ok(0),
        };
        let saved_top = l.top;
        match crate::runtime::load::load(l, &line, "=(debug command)", "bt", false) {
            Err(msg) => {
                let mut m = msg.into_bytes();
                m.push(b'\n');
                write_stderr(&m);
            }
            Ok(cl) => {
                l.push(TValue::lua_closure(cl));
                let func = l.top - 1;
                if let Err(e) = call::pcall(l, func, 0, Handler::None) {
                    l.push(e.value);
                    let mut m = tostring_bytes(l, e.value)?;
                    m.push(b'\n');
                    write_stderr(&m);
                }
            }
        }
        l.top = saved_top;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Lua, Value};

    fn run(lua: &mut Lua, src: &str) -> Vec<Value> {
        lua.exec(src).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    fn s(v: &str) -> Value {
        Value::String(v.as_bytes().to_vec())
    }

    #[test]
    fn mask_strings() {
        assert_eq!(mask_string(0), "");
        assert_eq!(
            mask_string(hook_mask::LINE | hook_mask::CALL | hook_mask::COUNT),
            "cl"
        );
        assert_eq!(
            mask_string(hook_mask::RET | hook_mask::LINE | hook_mask::CALL),
            "crl"
        );
    }

    #[test]
    fn native_function_info() {
        let fi = func_info(&TValue::NIL);
        assert_eq!(fi.what, "C");
        assert_eq!(fi.short_src, "[C]");
        assert_eq!((fi.linedefined, fi.lastlinedefined), (-1, -1));
        assert!(fi.isvararg);
    }

    #[test]
    fn sethook_stores_mask_and_count_in_the_thread() {
        let mut lua = Lua::new();
        run(&mut lua, "debug.sethook(function() end, 'lrc', 7)");
        let l = lua.state();
        assert_eq!(
            l.hook_mask,
            hook_mask::CALL | hook_mask::RET | hook_mask::LINE | hook_mask::COUNT
        );
        // (the countdown may have moved if the interpreter runs hooks)
        assert_eq!(l.hook_count, 7);
        assert!((1..=7).contains(&l.hook_count_left));
        assert!(l.hook.is_function());
        let r = run(
            &mut lua,
            "local f, m, c = debug.gethook() return type(f), m, c",
        );
        assert_eq!(r, vec![s("function"), s("crl"), Value::Integer(7)]);
        run(&mut lua, "debug.sethook()");
        let l = lua.state();
        assert_eq!(l.hook_mask, 0);
        assert!(l.hook.is_nil());
        // a hook with an empty mask and no count is no hook (lua_sethook)
        let r = run(&mut lua, "debug.sethook(print, '') return debug.gethook()");
        assert_eq!(r, vec![Value::Nil]);
    }

    #[test]
    fn user_values_of_full_userdata() {
        let mut lua = Lua::new();
        {
            let l = lua.state();
            let u = l.g().new_userdata(Box::new(0u8));
            let g = l.g().globals;
            set_field(l, g, "U", TValue::userdata(u));
        }
        let r = run(
            &mut lua,
            "local a, b = debug.getuservalue(U)
             local same = debug.setuservalue(U, 'v') == U
             local c, d = debug.getuservalue(U, 1)
             local e = debug.setuservalue(U, 'w', 2)
             local n = select('#', debug.getuservalue(U, 2))
             return a, b, same, c, d, e, n",
        );
        assert_eq!(
            r,
            vec![
                Value::Nil,
                Value::Boolean(true),
                Value::Boolean(true),
                s("v"),
                Value::Boolean(true),
                Value::Nil,
                Value::Integer(1),
            ]
        );
    }

    #[test]
    fn getinfo_and_locals_of_levels() {
        let mut lua = Lua::new();
        let r = run(
            &mut lua,
            "local function f(a, b)
               local i = debug.getinfo(1, 'nSlu')
               local n1, v1 = debug.getlocal(1, 1)
               return i.name, i.namewhat, i.what, i.currentline, i.nparams, n1, v1
             end
             local x = f(10, 20)
             return f(10, 20)",
        );
        assert_eq!(
            r,
            vec![
                Value::Nil,
                s(""),
                s("Lua"),
                Value::Integer(2),
                Value::Integer(2),
                s("a"),
                Value::Integer(10),
            ]
        );
    }

    #[test]
    fn upvalue_identity_and_join() {
        let mut lua = Lua::new();
        let r = run(
            &mut lua,
            "local a, b = 1, 2
             local function f() return a end
             local function g() return b end
             local before = debug.upvalueid(f, 1) == debug.upvalueid(g, 1)
             debug.upvaluejoin(f, 1, g, 1)
             return before, debug.upvalueid(f, 1) == debug.upvalueid(g, 1), f()",
        );
        assert_eq!(
            r,
            vec![
                Value::Boolean(false),
                Value::Boolean(true),
                Value::Integer(2)
            ]
        );
    }

    #[test]
    fn traceback_of_a_suspended_coroutine() {
        let mut lua = Lua::new();
        let r = run(
            &mut lua,
            "local co = coroutine.create(function() coroutine.yield() end)
             coroutine.resume(co)
             return debug.traceback(co, 'm'), debug.traceback(co, nil, 1)",
        );
        let Value::String(tb) = &r[0] else {
            panic!("not a string: {r:?}")
        };
        let tb = String::from_utf8_lossy(tb);
        let lines: Vec<&str> = tb.lines().collect();
        assert_eq!(lines.len(), 4, "{tb}");
        assert_eq!(lines[0], "m");
        assert_eq!(lines[1], "stack traceback:");
        assert_eq!(lines[2], "\t[C]: in function 'coroutine.yield'");
        assert!(lines[3].starts_with("\t[string \"local co = "), "{tb}");
        assert!(lines[3].contains("\"]:1: in function <[string "), "{tb}");
        let Value::String(tb1) = &r[1] else {
            panic!("not a string: {r:?}")
        };
        assert_eq!(String::from_utf8_lossy(tb1).lines().count(), 2);
    }

    /// Native upvalues can be read but not written: a write would let Lua
    /// code hand a native a value of the wrong type (PUC Lua crashes here).
    #[test]
    fn native_upvalues_are_read_only() {
        let mut lua = Lua::new();
        let r = run(
            &mut lua,
            "local it = string.gmatch('abc', '.')
             local w = coroutine.wrap(function() return 'w' end)
             local n, v = debug.getupvalue(it, 1)
             return n, v, debug.setupvalue(it, 1, 5), debug.setupvalue(w, 1, 5),
                    debug.setupvalue(it, 9, 5), it(), w()",
        );
        assert_eq!(r[..2], [s(""), s("abc")]);
        assert_eq!(r[2..5], [Value::Nil, Value::Nil, Value::Nil]);
        assert_eq!(r[5..], [s("a"), s("w")]);
    }
}
