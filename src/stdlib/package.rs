//! The package library (§6.3): `require`, `package.path`, `package.cpath`,
//! `package.loaded`, `package.preload`, `package.searchers`,
//! `package.searchpath`, `package.config`. Lua modules only: C modules cannot
//! be loaded (the C searchers report that).

use super::aux::*;
use crate::interp::call;
use crate::runtime::error::LuaResult;
use crate::runtime::state::State;
use crate::runtime::table::Table;
use crate::runtime::value::*;

/// The default `package.path` (PUC's LUA_PATH_DEFAULT for /usr/local).
pub const DEFAULT_PATH: &str = "/usr/local/share/lua/5.4/?.lua;/usr/local/share/lua/5.4/?/init.lua;/usr/local/lib/lua/5.4/?.lua;/usr/local/lib/lua/5.4/?/init.lua;./?.lua;./?/init.lua";
/// The default `package.cpath`.
pub const DEFAULT_CPATH: &str =
    "/usr/local/lib/lua/5.4/?.so;/usr/local/lib/lua/5.4/loadall.so;./?.so";

/// Registers the package library and the global `require`.
pub fn open(l: &mut State) {
    let pkg = new_lib(l, "package", &[("searchpath", searchpath)]);
    let loaded = loaded_table(l);
    set_field(l, pkg, "loaded", TValue::table(loaded));
    let preload = l.g().new_table(0, 4);
    set_field(l, pkg, "preload", TValue::table(preload));
    let reg = l.g().registry;
    set_field(l, reg, "_PRELOAD", TValue::table(preload));
    let path = env_path("LUA_PATH_5_4", "LUA_PATH", DEFAULT_PATH);
    let v = l.str_value(path.as_bytes());
    set_field(l, pkg, "path", v);
    let cpath = env_path("LUA_CPATH_5_4", "LUA_CPATH", DEFAULT_CPATH);
    let v = l.str_value(cpath.as_bytes());
    set_field(l, pkg, "cpath", v);
    let v = l.str_value(b"/\n;\n?\n!\n-\n");
    set_field(l, pkg, "config", v);
    let searchers = l.g().new_table(4, 0);
    for (i, f) in [
        searcher_preload as crate::runtime::func::NativeFn,
        searcher_lua,
        searcher_c,
        searcher_croot,
    ]
    .into_iter()
    .enumerate()
    {
        let c = l.g().new_native(f, "searcher", vec![TValue::table(pkg)]);
        // SAFETY: searchers is live.
        unsafe { (*searchers).set_int(i as i64 + 1, TValue::native(c)) };
    }
    set_field(l, pkg, "searchers", TValue::table(searchers));
    let req = l
        .g()
        .new_native(require, "require", vec![TValue::table(pkg)]);
    let g = l.g().globals;
    set_field(l, g, "require", TValue::native(req));
}

/// A path from the environment, with ";;" replaced by the default.
fn env_path(v1: &str, v2: &str, default: &str) -> String {
    let p = std::env::var(v1).or_else(|_| std::env::var(v2));
    match p {
        Ok(p) => {
            if let Some(pos) = p.find(";;") {
                let mut s = String::new();
                s.push_str(&p[..pos]);
                if pos > 0 {
                    s.push(';');
                }
                s.push_str(default);
                let rest = &p[pos + 2..];
                if !rest.is_empty() {
                    s.push(';');
                    s.push_str(rest);
                }
                s
            } else {
                p
            }
        }
        Err(_) => default.to_string(),
    }
}

fn upvalue_pkg(l: &State) -> *mut Table {
    let f = l.stack[l.ci().func];
    // SAFETY: these natives are created with the package table as upvalue 1.
    unsafe { (*f.as_native()).upvals[0].as_table() }
}

/// Searches `path` for `name` (§6.3 `package.searchpath`); returns the file
/// or the tried names ("no file 'a'\n\tno file 'b'").
pub fn search_path(name: &str, path: &str, sep: &str, rep: &str) -> Result<String, String> {
    let name = if sep.is_empty() {
        name.to_string()
    } else {
        name.replace(sep, rep)
    };
    let mut tried: Vec<String> = Vec::new();
    for templ in path.split(';') {
        if templ.is_empty() {
            continue;
        }
        let file = templ.replace('?', &name);
        if std::fs::File::open(&file).is_ok() {
            return Ok(file);
        }
        tried.push(format!("no file '{file}'"));
    }
    Err(tried.join("\n\t"))
}

fn searchpath(l: &mut State) -> LuaResult<usize> {
    let name = check_str(l, 1)?;
    let path = check_str(l, 2)?;
    let sep = opt_str(l, 3)?;
    let rep = opt_str(l, 4)?;
    // SAFETY: rooted arguments.
    let (name, path) = unsafe {
        (
            String::from_utf8_lossy(bytes(name)).into_owned(),
            String::from_utf8_lossy(bytes(path)).into_owned(),
        )
    };
    let sep = sep.map_or(".".to_string(), |s| {
        String::from_utf8_lossy(unsafe { bytes(s) }).into_owned()
    });
    let rep = rep.map_or("/".to_string(), |s| {
        String::from_utf8_lossy(unsafe { bytes(s) }).into_owned()
    });
    match search_path(&name, &path, &sep, &rep) {
        Ok(f) => ret_str(l, f.as_bytes()),
        Err(tried) => {
            l.push(TValue::NIL);
            l.push_str(tried.as_bytes());
            Ok(2)
        }
    }
}

fn searcher_preload(l: &mut State) -> LuaResult<usize> {
    let name = check_str(l, 1)?;
    let reg = l.g().registry;
    let preload = get_field(l, reg, "_PRELOAD");
    if preload.tt != TTABLE {
        return Err(l.error("'package.preload' must be a table"));
    }
    // SAFETY: live table, rooted name.
    let v = unsafe { (*preload.as_table()).get_str(name) };
    if v.is_nil() {
        // SAFETY: rooted argument.
        let n = String::from_utf8_lossy(unsafe { bytes(name) }).into_owned();
        return ret_str(l, format!("no field package.preload['{n}']").as_bytes());
    }
    l.push(v);
    l.push_str(b":preload:");
    Ok(2)
}

fn searcher_lua(l: &mut State) -> LuaResult<usize> {
    let name = check_str(l, 1)?;
    // SAFETY: rooted argument.
    let name = String::from_utf8_lossy(unsafe { bytes(name) }).into_owned();
    let pkg = upvalue_pkg(l);
    let path = get_field(l, pkg, "path");
    if path.tt != TSTR {
        return Err(l.error("'package.path' must be a string"));
    }
    // SAFETY: live string.
    let path = unsafe { (*path.as_string()).to_str_lossy().into_owned() };
    match search_path(&name, &path, ".", "/") {
        Ok(file) => match super::base::load_file(l, Some(&file), "bt") {
            Ok(cl) => {
                l.push(TValue::lua_closure(cl));
                l.push_str(file.as_bytes());
                Ok(2)
            }
            Err(msg) => Err(l.error(format!(
                "error loading module '{name}' from file '{file}':\n\t{msg}"
            ))),
        },
        Err(tried) => ret_str(l, tried.as_bytes()),
    }
}

fn searcher_c(l: &mut State) -> LuaResult<usize> {
    let name = check_str(l, 1)?;
    // SAFETY: rooted argument.
    let name = String::from_utf8_lossy(unsafe { bytes(name) }).into_owned();
    let pkg = upvalue_pkg(l);
    let cpath = get_field(l, pkg, "cpath");
    if cpath.tt != TSTR {
        return Err(l.error("'package.cpath' must be a string"));
    }
    // SAFETY: live string.
    let cpath = unsafe { (*cpath.as_string()).to_str_lossy().into_owned() };
    match search_path(&name, &cpath, ".", "/") {
        Ok(file) => Err(l.error(format!("error loading module '{name}' from file '{file}':\n\tC modules are not supported by lunajit"))),
        Err(tried) => ret_str(l, tried.as_bytes()),
    }
}

fn searcher_croot(l: &mut State) -> LuaResult<usize> {
    let name = check_str(l, 1)?;
    // SAFETY: rooted argument.
    let name = String::from_utf8_lossy(unsafe { bytes(name) }).into_owned();
    if !name.contains('.') {
        return Ok(0);
    }
    let root = name.split('.').next().unwrap_or("").to_string();
    let pkg = upvalue_pkg(l);
    let cpath = get_field(l, pkg, "cpath");
    // SAFETY: live string when tagged so.
    let cpath = if cpath.tt == TSTR {
        unsafe { (*cpath.as_string()).to_str_lossy().into_owned() }
    } else {
        String::new()
    };
    match search_path(&root, &cpath, ".", "/") {
        Ok(file) => Err(l.error(format!("error loading module '{name}' from file '{file}':\n\tC modules are not supported by lunajit"))),
        Err(tried) => ret_str(l, tried.as_bytes()),
    }
}

fn require(l: &mut State) -> LuaResult<usize> {
    let name_s = check_str(l, 1)?;
    let loaded = loaded_table(l);
    // SAFETY: live table, rooted name.
    let v = unsafe { (*loaded).get_str(name_s) };
    if !v.is_falsy() {
        l.push(v);
        return Ok(1);
    }
    // SAFETY: rooted argument.
    let name = String::from_utf8_lossy(unsafe { bytes(name_s) }).into_owned();
    let pkg = upvalue_pkg(l);
    let searchers = get_field(l, pkg, "searchers");
    if searchers.tt != TTABLE {
        return Err(l.error("'package.searchers' must be a table"));
    }
    let mut msg = String::new();
    let mut i = 1;
    let (loader, data) = loop {
        msg.push_str("\n\t");
        // SAFETY: live table.
        let s = unsafe { (*searchers.as_table()).get_int(i) };
        if s.is_nil() {
            msg.truncate(msg.len() - 2);
            return Err(l.error(format!("module '{name}' not found:{msg}")));
        }
        let saved = l.top;
        let func = call::call_value_n(l, s, &[TValue::string(name_s)], 2)?;
        let f = l.stack[func];
        let d = l.stack[func + 1];
        l.top = saved;
        if f.is_function() {
            break (f, d);
        }
        if f.tt == TSTR || f.is_number() {
            // SAFETY: live string.
            let mut b = Vec::new();
            crate::runtime::tm::number_to_buf(&f, &mut b);
            if f.tt == TSTR {
                msg.push_str(&unsafe { (*f.as_string()).to_str_lossy() });
            } else {
                msg.push_str(&String::from_utf8_lossy(&b));
            }
        } else {
            msg.truncate(msg.len() - 2);
        }
        i += 1;
    };
    // keep loader data rooted while the loader runs
    l.push(data);
    let r = call::call_value_1(l, loader, &[TValue::string(name_s), data])?;
    // SAFETY: live table.
    unsafe {
        if !r.is_nil() {
            (*loaded).set_str(name_s, r);
        }
        if (*loaded).get_str(name_s).is_nil() {
            (*loaded).set_str(name_s, TValue::TRUE);
        }
        let v = (*loaded).get_str(name_s);
        l.push(v);
    }
    l.push(data);
    Ok(2)
}
