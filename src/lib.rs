//! lunajit: a Lua 5.4 runtime (reference manual: <https://www.lua.org/manual/5.4/>).
//!
//! This file is the embedding API: create a state ([`Lua::new`]), load and
//! run chunks ([`Lua::exec`], [`Lua::load`]), read and write globals, register
//! Rust functions ([`Lua::register`]) and call Lua functions
//! ([`Lua::call`]), with failures as [`Error`]. The modules below it are the
//! engine, in pipeline order: `syntax` (lexer, parser, AST) → `compile`
//! (bytecode) → `runtime` (values, GC, metamethods, coroutines) → `interp`
//! (the Tier-0 interpreter) → `stdlib`.
//!
//! Values cross the boundary as [`Value`]: scalars and strings by value,
//! tables and functions as [`Ref`]s that keep the object alive (in the
//! registry) until [`Lua::release`].

// The VM passes raw pointers to live GC objects between its functions; their
// validity is the collector's invariant (see `runtime::gc`), not something a
// caller can violate through these signatures, so they are not `unsafe fn`.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

pub mod bytecode;
pub mod compile;
pub mod interp;
pub mod jit;
pub mod profile;
pub mod runtime;
pub mod stdlib;
pub mod syntax;

use interp::call::{self, Handler};
use runtime::error::LuaResult;
use runtime::state::State;
use runtime::value::*;

/// An error from the embedding API.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A chunk did not compile; the message is PUC Lua's
    /// (`chunk:line: msg near 'tok'`).
    #[error("{0}")]
    Syntax(String),
    /// A Lua error escaped: its message (`tostring` of the error object, or
    /// "(error object is a X value)") and the traceback at the error point.
    #[error("{message}\n{traceback}")]
    Runtime { message: String, traceback: String },
    /// A file could not be read ("cannot open x.lua").
    #[error("{0}")]
    Io(String),
}

impl Error {
    /// The message without the traceback.
    pub fn message(&self) -> &str {
        match self {
            Error::Syntax(m) | Error::Io(m) => m,
            Error::Runtime { message, .. } => message,
        }
    }
}

/// A reference to a Lua object kept alive in the registry (`luaL_ref`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ref(i64);

/// A Lua value as seen from Rust.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Nil,
    Boolean(bool),
    Integer(i64),
    Float(f64),
    String(Vec<u8>),
    /// A table, function, userdata or coroutine, held by reference.
    Object(Ref),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.as_bytes().to_vec())
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Integer(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Boolean(b)
    }
}

/// A Rust function callable from Lua: receives the arguments, returns the
/// results or an error message (raised as a Lua error).
pub type RustFunction = Box<dyn Fn(&mut Lua, Vec<Value>) -> Result<Vec<Value>, String>>;

/// A Lua state with the standard libraries open.
pub struct Lua {
    main: *mut State,
    next_ref: i64,
}

/// Key of the registry table holding `Ref`s.
const REF_TABLE: &[u8] = b"lunajit.refs";

/// The message handler used by [`Lua::exec`] and the CLI: turns the error
/// object into a message and appends a traceback from the error point
/// (lua.c's `msghandler`).
pub fn traceback_handler(l: &mut State, v: TValue) -> TValue {
    if v.tt != TSTR
        && !v.is_number()
        && !runtime::tm::tm_of(l, &v, runtime::tm::Tm::ToString).is_nil()
    {
        // an error object with __tostring: its text, no traceback (lua.c)
        let msg = runtime::tm::to_display_string(l, &v);
        return l.str_value(format!("{msg}\u{0}").as_bytes());
    }
    let msg = runtime::tm::to_display_string(l, &v);
    let tb = String::from_utf8_lossy(&runtime::debug::traceback_bytes(l, None, 0)).into_owned();
    let s = format!("{msg}\u{0}{tb}");
    l.str_value(s.as_bytes())
}

fn split_traceback(l: &State, v: TValue) -> Error {
    if v.tt == TSTR {
        // SAFETY: v is a live string produced by the handler.
        let s = unsafe { (*v.as_string()).to_str_lossy().into_owned() };
        if let Some((m, t)) = s.split_once('\u{0}') {
            return Error::Runtime {
                message: m.to_string(),
                traceback: t.to_string(),
            };
        }
        return Error::Runtime {
            message: s,
            traceback: String::new(),
        };
    }
    let _ = l;
    Error::Runtime {
        message: format!("(error object is a {} value)", v.type_name()),
        traceback: String::new(),
    }
}

/// A native trampoline so that chunks run under a native frame, as under
/// lua.c's `pmain` (tracebacks end with "[C]: in ?").
fn run_trampoline(l: &mut State) -> LuaResult<usize> {
    let base = l.ci().base;
    call::call(l, base, -1)?;
    Ok(l.top - base)
}

impl Default for Lua {
    fn default() -> Self {
        Self::new()
    }
}

impl Lua {
    /// A new state with all standard libraries.
    pub fn new() -> Lua {
        let main = runtime::state::new_universe();
        // SAFETY: main is the fresh main thread.
        let l = unsafe { &mut *main };
        stdlib::open_libs(l);
        let refs = l.g().new_table(0, 0);
        let reg = l.g().registry;
        let k = l.g().intern(REF_TABLE);
        // SAFETY: registry is live.
        unsafe { (*reg).set_str(k, TValue::table(refs)) };
        Lua { main, next_ref: 1 }
    }

    /// The main thread, for library-level access (native functions, tests).
    pub fn state(&mut self) -> &mut State {
        // SAFETY: main lives until drop; &mut self gives exclusive access.
        unsafe { &mut *self.main }
    }

    fn refs(&mut self) -> *mut runtime::table::Table {
        let l = self.state();
        let reg = l.g().registry;
        let k = l.g().intern(REF_TABLE);
        // SAFETY: registry is live and holds the refs table.
        unsafe { (*reg).get_str(k).as_table() }
    }

    fn lua_value(&mut self, v: &Value) -> TValue {
        match v {
            Value::Nil => TValue::NIL,
            Value::Boolean(b) => TValue::boolean(*b),
            Value::Integer(i) => TValue::int(*i),
            Value::Float(f) => TValue::float(*f),
            Value::String(s) => self.state().str_value(s),
            Value::Object(r) => {
                let refs = self.refs();
                // SAFETY: live table.
                unsafe { (*refs).get_int(r.0) }
            }
        }
    }

    fn rust_value(&mut self, v: TValue) -> Value {
        match v.tt {
            TNIL => Value::Nil,
            TFALSE => Value::Boolean(false),
            TTRUE => Value::Boolean(true),
            TINT => Value::Integer(v.as_int()),
            TFLOAT => Value::Float(v.as_float()),
            // SAFETY: live string.
            TSTR => Value::String(unsafe { (*v.as_string()).as_bytes().to_vec() }),
            _ => {
                let r = self.next_ref;
                self.next_ref += 1;
                let refs = self.refs();
                // SAFETY: live table.
                unsafe { (*refs).set_int(r, v) };
                Value::Object(Ref(r))
            }
        }
    }

    /// Drops a reference so its object can be collected.
    pub fn release(&mut self, r: Ref) {
        let refs = self.refs();
        // SAFETY: live table.
        unsafe { (*refs).set_int(r.0, TValue::NIL) };
    }

    /// Compiles a chunk into a function (`load`). `chunkname` follows
    /// `load`'s convention ("@file", "=name").
    pub fn load(&mut self, source: &[u8], chunkname: &str) -> Result<Value, Error> {
        let l = self.state();
        match runtime::load::load(l, source, chunkname, "bt", true) {
            Ok(cl) => Ok(self.rust_value(TValue::lua_closure(cl))),
            Err(m) => Err(Error::Syntax(m)),
        }
    }

    /// Calls a function value with arguments; returns all its results.
    /// Errors carry the traceback.
    pub fn call(&mut self, f: &Value, args: &[Value]) -> Result<Vec<Value>, Error> {
        let fv = self.lua_value(f);
        let argv: Vec<TValue> = args.iter().map(|a| self.lua_value(a)).collect();
        let l = self.state();
        let base = l.top;
        let _ = l.check_stack(argv.len() + 3);
        let t = l.g().new_native(run_trampoline, "?", Vec::new());
        l.push(TValue::native(t));
        l.push(fv);
        for a in argv {
            l.push(a);
        }
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            call::pcall(l, base, -1, Handler::Native(traceback_handler))
        }));
        let l = self.state();
        match r {
            Ok(Ok(())) => {
                let vals: Vec<TValue> = l.stack[base..l.top].to_vec();
                l.top = base;
                Ok(vals.into_iter().map(|v| self.rust_value(v)).collect())
            }
            Ok(Err(e)) => {
                let err = split_traceback(l, e.value);
                l.top = base;
                Err(err)
            }
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                l.top = base;
                l.cis.truncate(1);
                Err(Error::Runtime {
                    message: format!("internal error: {msg}"),
                    traceback: String::new(),
                })
            }
        }
    }

    /// Loads and runs a chunk of source text; returns its results.
    pub fn exec(&mut self, source: &str) -> Result<Vec<Value>, Error> {
        let f = self.load(source.as_bytes(), &format!("={}", first_line_name(source)))?;
        let r = self.call(&f, &[]);
        if let Value::Object(rf) = f {
            self.release(rf);
        }
        r
    }

    /// Reads a global variable.
    pub fn get_global(&mut self, name: &str) -> Value {
        let l = self.state();
        let g = l.g().globals;
        let k = l.g().intern(name.as_bytes());
        // SAFETY: globals is live.
        let v = unsafe { (*g).get_str(k) };
        self.rust_value(v)
    }

    /// Sets a global variable.
    pub fn set_global(&mut self, name: &str, v: Value) {
        let tv = self.lua_value(&v);
        let l = self.state();
        let g = l.g().globals;
        let k = l.g().intern(name.as_bytes());
        // SAFETY: globals is live.
        unsafe { (*g).set_str(k, tv) };
    }

    /// Registers a Rust function as a global.
    pub fn register(&mut self, name: &str, f: RustFunction) {
        let me: *mut Lua = self;
        let l = self.state();
        let ud = l.g().new_userdata(Box::new(RustFnBox { f, lua: me }));
        let c = l
            .g()
            .new_native(rust_fn_trampoline, "?", vec![TValue::userdata(ud)]);
        let g = l.g().globals;
        let k = l.g().intern(name.as_bytes());
        // SAFETY: globals is live.
        unsafe { (*g).set_str(k, TValue::native(c)) };
    }

    /// Runs a script file with the given script arguments (`...`).
    pub fn exec_file(&mut self, path: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
        let src = std::fs::read(path).map_err(|e| {
            Error::Io(format!(
                "cannot open {path}: {}",
                stdlib::io::os_error_text(&e)
            ))
        })?;
        let f = self.load(&src, &format!("@{path}"))?;
        self.call(&f, args)
    }
}

fn first_line_name(src: &str) -> String {
    let line = src.lines().next().unwrap_or("");
    format!("[string \"{}\"]", line.chars().take(40).collect::<String>())
}

struct RustFnBox {
    f: RustFunction,
    lua: *mut Lua,
}

fn rust_fn_trampoline(l: &mut State) -> LuaResult<usize> {
    let f = l.stack[l.ci().func];
    // SAFETY: the closure was created by `register` with a RustFnBox upvalue.
    let ud = unsafe { (*f.as_native()).upvals[0].as_userdata() };
    // SAFETY: the userdata holds a RustFnBox whose `lua` outlives the call.
    let bx = unsafe { (*ud).data.downcast_ref::<RustFnBox>() };
    let Some(bx) = bx else { return Ok(0) };
    // SAFETY: the Lua wrapper is alive while its functions can be called.
    let lua = unsafe { &mut *bx.lua };
    let n = stdlib::aux::nargs(l);
    let base = l.ci().base;
    let argv: Vec<TValue> = l.stack[base..base + n].to_vec();
    let args: Vec<Value> = argv.into_iter().map(|v| lua.rust_value(v)).collect();
    let fptr: *const RustFunction = &bx.f;
    // SAFETY: the box lives in a userdata rooted by the running closure.
    match unsafe { (*fptr)(lua, args) } {
        Ok(results) => {
            let tv: Vec<TValue> = results.iter().map(|r| lua.lua_value(r)).collect();
            l.check_stack(tv.len())?;
            for v in tv.iter() {
                l.push(*v);
            }
            Ok(tv.len())
        }
        Err(msg) => Err(l.error(msg)),
    }
}

impl Drop for Lua {
    fn drop(&mut self) {
        // SAFETY: main was created by new_universe and is not used afterwards.
        unsafe { runtime::gc::close_universe(self.main) };
        // finalizers may have printed
        stdlib::io::flush_stdout();
    }
}
