//! The basic library (§6.1): `print`, `type`, `tostring`, `tonumber`,
//! `pairs`/`ipairs`/`next`, `select`, raw access, metatables, `assert`,
//! `error`, `pcall`/`xpcall`, `load`/`loadfile`/`dofile`, `collectgarbage`,
//! `warn`, `_G` and `_VERSION`.

use super::aux::*;
use crate::interp::call::{self, Handler};
use crate::runtime::error::{ErrorKind, LuaResult};
use crate::runtime::load;
use crate::runtime::state::State;
use crate::runtime::table::Table;
use crate::runtime::tm::{self, Tm};
use crate::runtime::value::*;

/// Registers the basic library in `_G`.
pub fn open(l: &mut State) {
    let g = l.g().globals;
    let funcs: &[(&'static str, crate::runtime::func::NativeFn)] = &[
        ("print", print),
        ("type", type_),
        ("tostring", tostring),
        ("tonumber", tonumber),
        ("pairs", pairs),
        ("ipairs", ipairs),
        ("next", next),
        ("select", select),
        ("rawget", rawget),
        ("rawset", rawset),
        ("rawequal", rawequal),
        ("rawlen", rawlen),
        ("setmetatable", setmetatable),
        ("getmetatable", getmetatable),
        ("assert", assert),
        ("error", error),
        ("pcall", pcall),
        ("xpcall", xpcall),
        ("load", load_),
        ("loadfile", loadfile),
        ("dofile", dofile),
        ("collectgarbage", collectgarbage),
        ("warn", warn),
    ];
    for &(n, f) in funcs {
        set_fn(l, g, n, f);
    }
    let nf = get_field(l, g, "next");
    let reg = l.g().registry;
    set_field(l, reg, "lunajit.next", nf);
    set_field(l, g, "_G", TValue::table(g));
    let v = l.str_value(b"Lua 5.4");
    set_field(l, g, "_VERSION", v);
    register_lib(l, "_G", g);
}

/// Emits a warning on stderr when warnings are on (`warn`, §6.1; errors in
/// finalizers, §2.5.3).
pub fn warning(l: &mut State, msg: &str) {
    if l.g().warn_on {
        super::io::flush_stdout();
        eprintln!("Lua warning: {msg}");
    }
}

fn print(l: &mut State) -> LuaResult<usize> {
    let n = nargs(l);
    let mut out = Vec::with_capacity(64);
    for i in 1..=n {
        if i > 1 {
            out.push(b'\t');
        }
        let v = arg(l, i);
        match v.tt {
            TSTR => out.extend_from_slice(unsafe { bytes(v.as_string()) }),
            TINT | TFLOAT => tm::number_to_buf(&v, &mut out),
            _ => {
                let b = tostring_bytes(l, v)?;
                out.extend_from_slice(&b);
            }
        }
    }
    out.push(b'\n');
    let _ = super::io::write_stdout(&out);
    Ok(0)
}

fn type_(l: &mut State) -> LuaResult<usize> {
    let v = check_any(l, 1)?;
    ret_str(l, v.type_name().as_bytes())
}

fn tostring(l: &mut State) -> LuaResult<usize> {
    let v = check_any(l, 1)?;
    let s = tm::tostring(l, v)?;
    l.push(s);
    Ok(1)
}

/// Converts `s` (trimmed) in `base` to an integer, wrapping like PUC's
/// `luaL_str2int` helper of `tonumber`.
fn str_to_int_base(s: &[u8], base: u32) -> Option<i64> {
    let s = trim(s);
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &c in digits {
        let d = (c as char).to_digit(36)?;
        if d >= base {
            return None;
        }
        n = n.wrapping_mul(base as i64).wrapping_add(d as i64);
    }
    Some(if neg { n.wrapping_neg() } else { n })
}

fn trim(s: &[u8]) -> &[u8] {
    let is_space = |c: &u8| matches!(*c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let start = s.iter().position(|c| !is_space(c)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|c| !is_space(c))
        .map_or(start, |e| e + 1);
    &s[start..end]
}

fn tonumber(l: &mut State) -> LuaResult<usize> {
    if arg(l, 2).is_nil() {
        let v = check_any(l, 1)?;
        let r = match v.tt {
            TINT | TFLOAT => v,
            TSTR => tm::to_number(&v).unwrap_or(TValue::NIL),
            _ => TValue::NIL,
        };
        l.push(r);
        return Ok(1);
    }
    let base = check_int(l, 2)?;
    let v = arg(l, 1);
    if v.tt != TSTR {
        return Err(type_error(l, 1, "string"));
    }
    if !(2..=36).contains(&base) {
        return Err(arg_error(l, 2, "base out of range"));
    }
    // SAFETY: v is rooted in the argument slot.
    let r = str_to_int_base(unsafe { bytes(v.as_string()) }, base as u32);
    l.push(r.map_or(TValue::NIL, TValue::int));
    Ok(1)
}

fn next(l: &mut State) -> LuaResult<usize> {
    let t = check_table(l, 1)?;
    let k = arg(l, 2);
    // SAFETY: t is rooted in the argument slot.
    match unsafe { (*t).next(&k) } {
        Ok(Some((k, v))) => {
            l.push(k);
            l.push(v);
            Ok(2)
        }
        Ok(None) => {
            l.push(TValue::NIL);
            Ok(1)
        }
        Err(_) => Err(l.error_plain("invalid key to 'next'")),
    }
}

fn pairs(l: &mut State) -> LuaResult<usize> {
    let t = check_any(l, 1)?;
    let f = tm::tm_of(l, &t, Tm::Pairs);
    if !f.is_nil() {
        let func = call::call_value_n(l, f, &[t], 3)?;
        let _ = func;
        return Ok(3);
    }
    let nf = next_fn(l);
    l.push(nf);
    l.push(t);
    l.push(TValue::NIL);
    Ok(3)
}

/// The `next` function value shared by `pairs` (kept in the registry).
fn next_fn(l: &mut State) -> TValue {
    let reg = l.g().registry;
    get_field(l, reg, "lunajit.next")
}

fn ipairs_aux(l: &mut State) -> LuaResult<usize> {
    let t = arg(l, 1);
    let i = check_int(l, 2)?.wrapping_add(1);
    let v = if t.tt == TTABLE && unsafe { (*t.as_table()).metatable.is_null() } {
        // SAFETY: t is rooted in the argument slot.
        unsafe { (*t.as_table()).get_int(i) }
    } else {
        let p = l.stack.as_ptr().wrapping_add(l.ci().base);
        tm::index(l, t, TValue::int(i), p)?
    };
    if v.is_nil() {
        l.push(TValue::NIL);
        Ok(1)
    } else {
        l.push(TValue::int(i));
        l.push(v);
        Ok(2)
    }
}

fn ipairs(l: &mut State) -> LuaResult<usize> {
    let t = check_any(l, 1)?;
    let c = l.g().new_native(ipairs_aux, "ipairs_aux", Vec::new());
    l.push(TValue::native(c));
    l.push(t);
    l.push(TValue::int(0));
    Ok(3)
}

fn select(l: &mut State) -> LuaResult<usize> {
    let n = nargs(l) as i64;
    let a1 = arg(l, 1);
    if a1.tt == TSTR && unsafe { bytes(a1.as_string()) } == b"#" {
        l.push(TValue::int(n - 1));
        return Ok(1);
    }
    let i = check_int(l, 1)?;
    let i = if i < 0 {
        n + i
    } else if i > n {
        n
    } else {
        i
    };
    if i < 1 {
        return Err(arg_error(l, 1, "index out of range"));
    }
    Ok((n - i) as usize)
}

fn rawget(l: &mut State) -> LuaResult<usize> {
    let t = check_table(l, 1)?;
    let k = check_any(l, 2)?;
    // SAFETY: t is rooted.
    let v = unsafe { (*t).get(&k) };
    l.push(v);
    Ok(1)
}

fn rawset(l: &mut State) -> LuaResult<usize> {
    let t = check_table(l, 1)?;
    let k = check_any(l, 2)?;
    let v = check_any(l, 3)?;
    // SAFETY: t is rooted.
    if let Err(e) = unsafe { (*t).set(k, v) } {
        return Err(l.error_plain(e.message()));
    }
    l.push(TValue::table(t));
    Ok(1)
}

fn rawequal(l: &mut State) -> LuaResult<usize> {
    let a = check_any(l, 1)?;
    let b = check_any(l, 2)?;
    l.push(TValue::boolean(a.raw_equal(&b)));
    Ok(1)
}

fn rawlen(l: &mut State) -> LuaResult<usize> {
    let v = arg(l, 1);
    let n = match v.tt {
        // SAFETY: v is rooted.
        TTABLE => unsafe { (*v.as_table()).length() },
        TSTR => unsafe { bytes(v.as_string()).len() as i64 },
        _ => return Err(type_error(l, 1, "table or string")),
    };
    l.push(TValue::int(n));
    Ok(1)
}

fn setmetatable(l: &mut State) -> LuaResult<usize> {
    let t = check_table(l, 1)?;
    let mt = arg(l, 2);
    if (mt.tt != TNIL && mt.tt != TTABLE) || nargs(l) < 2 {
        return Err(type_error(l, 2, "nil or table"));
    }
    // SAFETY: t is rooted.
    let old = unsafe { (*t).metatable };
    if !old.is_null() && !tm::fast_tm(l, old, Tm::Metatable).is_nil() {
        return Err(l.error("cannot change a protected metatable"));
    }
    let newmt: *mut Table = if mt.is_nil() {
        std::ptr::null_mut()
    } else {
        mt.as_table()
    };
    // SAFETY: t is rooted.
    unsafe { (*t).metatable = newmt };
    l.check_finalizer(t as *mut crate::runtime::gc::GcHeader, newmt);
    l.push(TValue::table(t));
    Ok(1)
}

fn getmetatable(l: &mut State) -> LuaResult<usize> {
    let v = check_any(l, 1)?;
    let mt = l.g().metatable_of(&v);
    if mt.is_null() {
        l.push(TValue::NIL);
        return Ok(1);
    }
    let protected = tm::fast_tm(l, mt, Tm::Metatable);
    l.push(if protected.is_nil() {
        TValue::table(mt)
    } else {
        protected
    });
    Ok(1)
}

fn assert(l: &mut State) -> LuaResult<usize> {
    let v = check_any(l, 1)?;
    if !v.is_falsy() {
        return Ok(nargs(l));
    }
    if nargs(l) >= 2 {
        let msg = arg(l, 2);
        return Err(crate::runtime::error::LuaError::runtime(msg));
    }
    Err(l.error("assertion failed!"))
}

fn error(l: &mut State) -> LuaResult<usize> {
    let v = arg(l, 1);
    let level = opt_int(l, 2, 1)?;
    if v.tt == TSTR && level > 0 {
        let w = l.where_(level as usize);
        if !w.is_empty() {
            let mut s = w.into_bytes();
            // SAFETY: v is rooted.
            s.extend_from_slice(unsafe { bytes(v.as_string()) });
            let nv = l.str_value(&s);
            return Err(crate::runtime::error::LuaError::runtime(nv));
        }
    }
    Err(crate::runtime::error::LuaError::runtime(v))
}

fn pcall(l: &mut State) -> LuaResult<usize> {
    check_any(l, 1)?;
    let base = l.ci().base;
    let top = l.top;
    // make room for the status below the function: [_, f, args...]
    l.check_stack(1)?;
    l.stack.copy_within(base..top, base + 1);
    l.top = top + 1;
    finish_pcall(l, base, Handler::None)
}

fn finish_pcall(l: &mut State, base: usize, h: Handler) -> LuaResult<usize> {
    let func = base + 1;
    match call::pcall(l, func, -1, h) {
        Ok(()) => {
            l.stack[base] = TValue::TRUE;
            Ok(l.top - base)
        }
        Err(e) => {
            let v = if e.kind == ErrorKind::Memory {
                l.str_value(b"not enough memory")
            } else {
                e.value
            };
            l.stack[base] = TValue::FALSE;
            l.stack[base + 1] = v;
            l.top = base + 2;
            Ok(2)
        }
    }
}

fn xpcall(l: &mut State) -> LuaResult<usize> {
    let h = check_function(l, 2)?;
    let base = l.ci().base;
    // [f, h, args...] -> [_, f, args...]: the arguments already follow at
    // base+2; f moves over the handler; base becomes the status slot
    l.stack[base + 1] = l.stack[base];
    finish_pcall(l, base, Handler::Lua(h))
}

/// Reads a chunk from a reader function (`load` with a function argument).
fn read_chunk_fn(l: &mut State, f: TValue) -> LuaResult<Vec<u8>> {
    let mut buf = Vec::new();
    loop {
        let r = call::pcall_value_1(l, f, &[])?;
        match r.tt {
            TNIL => break,
            TSTR => {
                // SAFETY: r is a live string just returned.
                let b = unsafe { bytes(r.as_string()) };
                if b.is_empty() {
                    break;
                }
                buf.extend_from_slice(b);
            }
            _ => return Err(l.error("reader function must return a string")),
        }
    }
    Ok(buf)
}

fn push_loaded(
    l: &mut State,
    r: Result<*mut crate::runtime::func::LuaClosure, String>,
    env: Option<TValue>,
) -> usize {
    match r {
        Ok(cl) => {
            if let Some(e) = env {
                // SAFETY: cl is a live closure; its first upvalue is _ENV.
                unsafe {
                    if let Some(&uv) = (*cl).upvals.first() {
                        (*uv).set(e);
                    }
                }
            }
            l.push(TValue::lua_closure(cl));
            1
        }
        Err(msg) => {
            l.push(TValue::NIL);
            l.push_str(msg.as_bytes());
            2
        }
    }
}

fn load_(l: &mut State) -> LuaResult<usize> {
    let chunk = arg(l, 1);
    let mode = match opt_str(l, 3)? {
        // SAFETY: rooted argument.
        Some(s) => String::from_utf8_lossy(unsafe { bytes(s) }).into_owned(),
        None => "bt".into(),
    };
    let env = if nargs(l) >= 4 { Some(arg(l, 4)) } else { None };
    let (src, default_name) = match chunk.tt {
        TSTR | TINT | TFLOAT => {
            check_str(l, 1)?;
            let chunk = arg(l, 1);
            // SAFETY: rooted argument.
            let b = unsafe { bytes(chunk.as_string()) }.to_vec();
            let name = String::from_utf8_lossy(&b).into_owned();
            (b, name)
        }
        TLCL | TNCL => match read_chunk_fn(l, chunk) {
            Ok(b) => (b, "=(load)".to_string()),
            Err(e) => {
                l.push(TValue::NIL);
                l.push(e.value);
                return Ok(2);
            }
        },
        _ => return Err(type_error(l, 1, "function")),
    };
    let name = match opt_str(l, 2)? {
        // SAFETY: rooted argument.
        Some(s) => String::from_utf8_lossy(unsafe { bytes(s) }).into_owned(),
        None => default_name,
    };
    let r = load::load(l, &src, &name, &mode, false);
    Ok(push_loaded(l, r, env))
}

/// Loads a file as a chunk (`luaL_loadfilex`): `None` reads stdin. Errors are
/// messages like "cannot open x.lua".
pub fn load_file(
    l: &mut State,
    path: Option<&str>,
    mode: &str,
) -> Result<*mut crate::runtime::func::LuaClosure, String> {
    let (src, name) = match path {
        Some(p) => match std::fs::read(p) {
            Ok(b) => (b, format!("@{p}")),
            Err(e) => return Err(format!("cannot open {p}: {}", super::io::os_error_text(&e))),
        },
        None => {
            let mut b = Vec::new();
            use std::io::Read;
            if let Err(e) = std::io::stdin().read_to_end(&mut b) {
                return Err(format!("cannot read stdin: {e}"));
            }
            (b, "=stdin".to_string())
        }
    };
    load::load(l, &src, &name, mode, true)
}

fn loadfile(l: &mut State) -> LuaResult<usize> {
    let path = opt_str(l, 1)?.map(|s| String::from_utf8_lossy(unsafe { bytes(s) }).into_owned());
    let mode = match opt_str(l, 2)? {
        Some(s) => String::from_utf8_lossy(unsafe { bytes(s) }).into_owned(),
        None => "bt".into(),
    };
    let env = if nargs(l) >= 3 { Some(arg(l, 3)) } else { None };
    let r = load_file(l, path.as_deref(), &mode);
    Ok(push_loaded(l, r, env))
}

fn dofile(l: &mut State) -> LuaResult<usize> {
    let path = opt_str(l, 1)?.map(|s| String::from_utf8_lossy(unsafe { bytes(s) }).into_owned());
    let cl = match load_file(l, path.as_deref(), "bt") {
        Ok(c) => c,
        Err(m) => return Err(l.error_plain(m)),
    };
    let base = l.top;
    l.push(TValue::lua_closure(cl));
    call::call(l, base, -1)?;
    Ok(l.top - base)
}

fn collectgarbage(l: &mut State) -> LuaResult<usize> {
    const OPTS: &[&str] = &[
        "collect",
        "stop",
        "restart",
        "count",
        "step",
        "setpause",
        "setstepmul",
        "isrunning",
        "generational",
        "incremental",
    ];
    let o = check_option(l, 1, Some("collect"), OPTS)?;
    match OPTS[o] {
        "collect" => {
            l.full_gc();
            l.run_pending_finalizers()?;
            l.push(TValue::int(0));
        }
        "stop" => {
            l.g().gc_stopped = true;
            l.push(TValue::int(0));
        }
        "restart" => {
            l.g().gc_stopped = false;
            l.push(TValue::int(0));
        }
        "count" => {
            l.g().sync_bytes();
            let kb = l.g().total_bytes as f64 / 1024.0;
            l.push(TValue::float(kb));
        }
        "step" => {
            let stopped = l.g().gc_stopped;
            l.g().gc_stopped = false;
            l.full_gc();
            l.g().gc_stopped = stopped;
            l.run_pending_finalizers()?;
            l.push(TValue::TRUE);
        }
        "setpause" => {
            let p = opt_int(l, 2, 0)?;
            let old = l.g().gc_pause;
            l.g().gc_pause = p.clamp(0, 1000) as u32;
            l.push(TValue::int(old as i64));
        }
        "setstepmul" => {
            let p = opt_int(l, 2, 0)?;
            let old = l.g().gc_stepmul;
            l.g().gc_stepmul = p.clamp(0, 1000) as u32;
            l.push(TValue::int(old as i64));
        }
        "isrunning" => {
            let r = !l.g().gc_stopped;
            l.push(TValue::boolean(r));
        }
        "generational" | "incremental" => {
            let was = if l.g().gc_generational {
                "generational"
            } else {
                "incremental"
            };
            l.g().gc_generational = OPTS[o] == "generational";
            l.push_str(was.as_bytes());
        }
        _ => unreachable!(),
    }
    Ok(1)
}

fn warn(l: &mut State) -> LuaResult<usize> {
    let n = nargs(l);
    check_str(l, 1)?;
    let mut msg = Vec::new();
    for i in 1..=n {
        let s = check_str(l, i)?;
        // SAFETY: rooted argument.
        msg.extend_from_slice(unsafe { bytes(s) });
    }
    if n == 1 && msg.first() == Some(&b'@') {
        match &msg[..] {
            b"@on" => l.g().warn_on = true,
            b"@off" => l.g().warn_on = false,
            _ => {}
        }
        return Ok(0);
    }
    let text = String::from_utf8_lossy(&msg).into_owned();
    warning(l, &text);
    Ok(0)
}
