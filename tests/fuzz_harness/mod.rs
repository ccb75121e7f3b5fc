//! The fuzzing harness shared by the cargo-fuzz targets (`fuzz/fuzz_targets/run.rs`,
//! `fuzz/fuzz_targets/binary.rs`, which include this file by path) and the regression
//! test `tests/fuzz_regressions.rs` (which replays the inputs the fuzzer found).
//!
//! [`check`] feeds one input through everything lunajit does with untrusted bytes and
//! panics on a bug; any Lua error, syntax error or rejected binary chunk is a normal
//! outcome. The path:
//! 1. static checks: text is parsed and compiled (`syntax::parse`, `compile::compile`);
//!    a compiled proto must pass `bytecode::verify` and survive a `string.dump` round
//!    trip (`bytecode::dump`, stripped and not). A binary chunk that `undump` accepts
//!    must verify and round-trip too.
//! 2. a run under limits: a fresh [`Lua`] runs [`SETUP`], which sandboxes the globals
//!    (no process exit, files, sub-processes, stdin/stdout, module loading; `print`
//!    and `warn` do nothing; only the read-only or self-contained part of `debug` is
//!    left) and installs a count hook that raises an error after
//!    [`MAX_HOOK_CALLS`] × [`HOOK_EVERY`] VM instructions or once
//!    `collectgarbage("count")` passes [`MAX_MEMORY_KB`]. Once tripped, the hook fires
//!    on every instruction of every thread that runs, so `pcall` loops cannot swallow
//!    the limit. Coroutines get the hook too: `coroutine.create` and `wrap` are wrapped
//!    so that each body installs it in its thread first (a hook *function* is per
//!    thread in PUC Lua and lunajit alike). Then the input is `load`ed in mode "t"
//!    or "b" and called; a result is fine, an error is fine, an "internal error" (a
//!    Rust panic that `Lua::call` caught) is a bug.
//!
//! Limits not covered, as in any count-hook sandbox of PUC Lua: a single library call
//! that loops in Rust without running Lua code (`table.move` over 2^62 slots,
//! `string.rep("", 2^62)`) is not interrupted; hooks are off inside `__gc` finalizers
//! (PUC's rule too), so an endless finalizer is not either; and one instruction may
//! allocate a few GiB (`s .. s`) before the memory check runs. The fuzzer reports
//! those as time-outs or out-of-memory; they are not lunajit bugs.
//!
//! Uses only the `lunajit` library and `std`.
#![allow(dead_code)] // the fuzz targets and the test each use a subset

use lunajit::{bytecode, compile, syntax, Lua, Value};

/// How the input bytes are read: Lua source (`load` mode "t") or a binary chunk
/// (mode "b").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Text,
    Binary,
}

impl Mode {
    /// The `mode` argument of `load` (§6.1).
    pub fn load_mode(self) -> &'static str {
        match self {
            Mode::Text => "t",
            Mode::Binary => "b",
        }
    }
}

/// VM instructions between two calls of the limit hook (`debug.sethook` count).
pub const HOOK_EVERY: i64 = 1000;
/// Hook calls after which the instruction limit trips (200 × 1000 instructions).
pub const MAX_HOOK_CALLS: i64 = 200;
/// Memory limit in KiB, the unit of `collectgarbage("count")` (200 MiB).
pub const MAX_MEMORY_KB: i64 = 200 * 1024;

/// The chunk name inputs are loaded under.
pub const CHUNK_NAME: &str = "=fuzz";

/// The sandbox-and-limits chunk; called with (HOOK_EVERY, MAX_HOOK_CALLS,
/// MAX_MEMORY_KB), it returns the runner `function(src, mode)`.
pub const SETUP: &str = r#"
local every, max_calls, max_kb = ...
local sethook, collectgarbage, error, load = debug.sethook, collectgarbage, error, load

-- limits: an error after max_calls hook calls or above max_kb of Lua memory;
-- once tripped, the hook fires on every instruction, so no pcall can swallow it
local calls = 0
local function limit()
  calls = calls + 1
  if calls > max_calls then
    sethook(limit, "", 1)
    error("fuzz: instruction limit", 0)
  end
  if collectgarbage("count") > max_kb then
    calls = max_calls
    sethook(limit, "", 1)
    error("fuzz: memory limit", 0)
  end
end

-- sandbox
local function nop() end
print, warn = nop, nop
for _, k in ipairs({ "execute", "exit", "remove", "rename", "tmpname", "setlocale" }) do
  os[k] = nil
end
for _, k in ipairs({ "open", "popen", "lines", "input", "output", "read", "write",
                     "close", "flush", "stdin", "stdout", "stderr" }) do
  io[k] = nil
end
loadfile, dofile, require = nil, nil, nil
package.searchers, package.searchpath, package.loadlib = nil, nil, nil
-- what is left of debug cannot reach the hook, the runner, the registry or the
-- upvalues of the sandbox's own functions (getinfo, getlocal and the upvalue
-- accessors could: coroutine.create below is a Lua closure)
local safe = {}
for _, k in ipairs({ "traceback", "getmetatable", "setmetatable", "getuservalue",
                     "setuservalue", "upvalueid" }) do
  safe[k] = debug[k]
end
debug = safe
package.loaded.debug = safe

-- a Lua hook function is per thread (new coroutines copy only the mask and count,
-- as in PUC Lua): every coroutine body first installs the limit hook in its thread
local create, wrap = coroutine.create, coroutine.wrap
local function limited(f)
  return function(...)
    sethook(limit, "", calls > max_calls and 1 or every)
    return f(...)
  end
end
coroutine.create = function(f)
  if type(f) ~= "function" then return create(f) end
  return create(limited(f))
end
coroutine.wrap = function(f)
  if type(f) ~= "function" then return wrap(f) end
  return wrap(limited(f))
end

sethook(limit, "", every)
return function(src, mode)
  local f = load(src, "=fuzz", mode)
  if f then
    return f()
  end
end
"#;

/// Runs one input through the static checks and the limited run; panics (with a
/// description) if lunajit misbehaves. Returns the outcome of the run as text, for
/// logging: "ok", or the error message.
pub fn check(input: &[u8], mode: Mode) -> String {
    match mode {
        Mode::Text => check_compiler(input),
        Mode::Binary => check_undump(input),
    }
    run_limited(input, mode)
}

/// parse → compile → verify → dump/undump round trip.
fn check_compiler(input: &[u8]) {
    let Ok(ast) = syntax::parse(input, CHUNK_NAME) else {
        return;
    };
    let proto = match compile::compile(&ast, CHUNK_NAME) {
        Ok(p) => p,
        Err(e) if e.message.contains("internal error") => {
            panic!("the compiler reports an internal error: {}", e.message)
        }
        Err(_) => return,
    };
    drop(ast);
    if let Err(e) = bytecode::verify(&proto) {
        panic!("a compiled proto fails verification: {e}");
    }
    check_round_trip(&proto);
}

/// undump → verify → dump/undump round trip.
fn check_undump(input: &[u8]) {
    let Ok(proto) = bytecode::dump::undump(input, CHUNK_NAME) else {
        return;
    };
    if let Err(e) = bytecode::verify(&proto) {
        panic!("an undumped proto fails verification: {e}");
    }
    check_round_trip(&proto);
}

fn check_round_trip(proto: &bytecode::Proto) {
    for strip in [false, true] {
        let bytes = bytecode::dump::dump(proto, strip);
        if let Err(e) = bytecode::dump::undump(&bytes, CHUNK_NAME) {
            panic!("string.dump output (strip = {strip}) does not load back: {e}");
        }
    }
}

/// Runs the input in a sandboxed state under the limits of [`SETUP`].
fn run_limited(input: &[u8], mode: Mode) -> String {
    let mut lua = Lua::new();
    let setup = match lua.load(SETUP.as_bytes(), "=fuzz_setup") {
        Ok(f) => f,
        Err(e) => panic!("the setup chunk does not compile: {e}"),
    };
    let limits = [
        Value::Integer(HOOK_EVERY),
        Value::Integer(MAX_HOOK_CALLS),
        Value::Integer(MAX_MEMORY_KB),
    ];
    let runner = match lua.call(&setup, &limits).as_deref() {
        Ok([r @ Value::Object(_)]) => r.clone(),
        other => panic!("the setup chunk failed: {other:?}"),
    };
    let args = [Value::String(input.to_vec()), Value::from(mode.load_mode())];
    match lua.call(&runner, &args) {
        Ok(_) => "ok".to_string(),
        // `Lua::call` turns a caught Rust panic into this error, with no traceback
        // (a Lua error always gets one from the message handler)
        Err(lunajit::Error::Runtime { message, traceback })
            if message.starts_with("internal error: ") && traceback.is_empty() =>
        {
            panic!("lunajit caught a panic: {message}")
        }
        Err(e) => e.message().to_string(),
    }
}
