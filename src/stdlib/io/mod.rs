//! The io library (§6.8): `io.open`, `io.lines`, `io.read`, `io.write`,
//! `io.popen`, ..., the methods of file handles, and the process's buffered
//! standard output, with PUC Lua 5.4's results and messages.
//!
//! A file handle is a full userdata holding a `FileBox`, a shared
//! reference to a `Stream` (the buffered descriptor of `stream.rs`), with
//! the metatable `FILE*` (`__index` = the methods, `__gc` and `__close`
//! close the file, `__tostring`, `__name`). A handle is *closed* when its
//! stream is; the standard files can never be closed (closing them returns
//! fail, "cannot close standard file").
//!
//! Every `io.*` function holds as its first upvalue the library's state
//! table: `[1]` default input, `[2]` default output, `[3]` the handle
//! metatable (PUC keeps these in the registry; an upvalue is faster to
//! reach). The metatable is also `registry["FILE*"]`.
//!
//! Failures of the operating system come back as `fail, message, errno`
//! (`luaL_fileresult`); misuse raises errors ("attempt to use a closed
//! file", "bad argument #1 to 'read' (invalid format)").
//!
//! Standard output is one process-wide buffer shared by `print`, `io.write`
//! and `io.stdout` (`stdout.rs`); it is flushed when full, at exit
//! ([`flush_stdout`]), before reading from a terminal, and at every newline
//! when stdout is a terminal (C stdio's line buffering).
//!
//! The `lines` iterator is a collector safepoint (the generic `for` calls it
//! without one); opening a file when the process is out of descriptors runs
//! a full collection and retries, since unreachable handles hold them.
//!
//! May call: `aux` helpers, the runtime's state, collector (registration of
//! finalizers, safepoints) and number conversions, `fmt` for "%.14g".

mod stdout;
mod stream;

use super::aux::*;
use super::fmt::{format_float, Spec};
use crate::runtime::error::{LuaError, LuaResult};
use crate::runtime::gc::GcHeader;
use crate::runtime::state::{State, MIN_STACK};
use crate::runtime::table::Table;
use crate::runtime::tm;
use crate::runtime::value::*;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use stream::{BufMode, Closed, Stream, Whence};

/// Appends bytes to standard output (the buffer shared with `print`).
pub fn write_stdout(b: &[u8]) -> std::io::Result<()> {
    stdout::stdout_write(b)
}

/// Writes out the standard output buffer (at exit, before reading a
/// terminal, before running a command); errors are ignored.
pub fn flush_stdout() {
    let _ = stdout::stdout_flush();
}

/// Writes out the pending output of every open file of this thread's Lua
/// states, then standard output: what C's `exit` does for stdio streams
/// (for `os.exit` without closing the state).
pub fn flush_all() {
    let _ = OPEN_FILES.try_with(|files| {
        if let Ok(files) = files.try_borrow() {
            for w in files.iter() {
                if let Some(h) = w.upgrade() {
                    if let Ok(mut s) = h.try_borrow_mut() {
                        s.flush_pending();
                    }
                }
            }
        }
    });
    flush_stdout();
}

/// The C library's text for an OS error ("No such file or directory").
/// Pushes `luaL_execresult`'s results for a finished process (`os.execute`,
/// closing an `io.popen` file): true or fail, "exit" or "signal", the code.
/// Returns the number of values pushed (3).
pub fn push_exec_result(l: &mut State, status: std::process::ExitStatus) -> usize {
    use std::os::unix::process::ExitStatusExt;
    let (what, code) = match (status.code(), status.signal()) {
        (Some(c), _) => ("exit", c),
        (None, Some(s)) => ("signal", s),
        (None, None) => ("exit", -1),
    };
    l.push(if what == "exit" && code == 0 {
        TValue::TRUE
    } else {
        TValue::NIL
    });
    l.push_str(what.as_bytes());
    l.push(TValue::int(code as i64));
    3
}

pub fn os_error_text(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => {
            // SAFETY: strerror returns a valid C string for any code.
            unsafe {
                let p = libc::strerror(code);
                std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        }
        None => e.to_string(),
    }
}

/// Registers the io library (§6.8): the `io` table with `stdin`, `stdout`
/// and `stderr`, and the `FILE*` metatable of handles.
pub fn open(l: &mut State) {
    let g = l.g();
    let mt = g.new_table(0, 8);
    let methods = g.new_table(0, 8);
    let method_fns: &[(&str, crate::runtime::func::NativeFn)] = &[
        ("close", f_close),
        ("flush", f_flush),
        ("lines", f_lines),
        ("read", f_read),
        ("seek", f_seek),
        ("setvbuf", f_setvbuf),
        ("write", f_write),
    ];
    for &(name, f) in method_fns {
        // Nameless like PUC's methods: "bad argument #1 to '?'" unless
        // called as a method.
        let c = l.g().new_native(f, "", Vec::new());
        set_field(l, methods, name, TValue::native(c));
    }
    set_field(l, mt, "__index", TValue::table(methods));
    for (name, f) in [
        ("__gc", f_gc as crate::runtime::func::NativeFn),
        ("__close", f_gc),
        ("__tostring", f_tostring),
    ] {
        let c = l.g().new_native(f, "", Vec::new());
        set_field(l, mt, name, TValue::native(c));
    }
    let tname = l.str_value(b"FILE*");
    set_field(l, mt, "__name", tname);
    let registry = l.g().registry;
    set_field(l, registry, "FILE*", TValue::table(mt));

    let state = l.g().new_table(4, 0);
    let stdin = new_file(l, mt, Stream::stdin());
    let stdout = new_file(l, mt, Stream::stdout());
    let stderr = new_file(l, mt, Stream::stderr());
    // SAFETY: state is a live table (no collection runs during `open`).
    unsafe {
        (*state).set_int(INPUT, stdin);
        (*state).set_int(OUTPUT, stdout);
        (*state).set_int(METATABLE, TValue::table(mt));
    }
    let lib_fns: &[(&'static str, crate::runtime::func::NativeFn)] = &[
        ("close", io_close),
        ("flush", io_flush),
        ("input", io_input),
        ("lines", io_lines),
        ("open", io_open),
        ("output", io_output),
        ("popen", io_popen),
        ("read", io_read),
        ("tmpfile", io_tmpfile),
        ("type", io_type),
        ("write", io_write),
    ];
    let io = l.g().new_table(0, lib_fns.len() + 3);
    for &(name, f) in lib_fns {
        let c = l.g().new_native(f, name, vec![TValue::table(state)]);
        set_field(l, io, name, TValue::native(c));
    }
    set_field(l, io, "stdin", stdin);
    set_field(l, io, "stdout", stdout);
    set_field(l, io, "stderr", stderr);
    register_lib(l, "io", io);
}

// ---------------------------------------------------------------------------
// Handles

/// The payload of a file handle userdata.
struct FileBox(Handle);

type Handle = Rc<RefCell<Stream>>;

/// Keys of the state table (see the module comment).
const INPUT: i64 = 1;
const OUTPUT: i64 = 2;
const METATABLE: i64 = 3;

/// Most formats `io.lines`/`file:lines` accept (PUC's `MAXARGLINE`).
const MAX_LINE_FORMATS: usize = 250;

/// `LUAI_NUMFFORMAT`: how `write` prints floats ("%.14g", so `1.0` is "1").
const NUMBER_FORMAT: Spec = {
    let mut s = Spec::new(b'g');
    s.precision = Some(14);
    s
};

thread_local! {
    /// Every file stream opened by this thread, for [`flush_all`].
    static OPEN_FILES: RefCell<Vec<Weak<RefCell<Stream>>>> = const { RefCell::new(Vec::new()) };
}

fn remember(h: &Handle) {
    let _ = OPEN_FILES.try_with(|files| {
        if let Ok(mut files) = files.try_borrow_mut() {
            if files.len() >= 64 && files.len().is_power_of_two() {
                files.retain(|w| w.strong_count() > 0);
            }
            files.push(Rc::downgrade(h));
        }
    });
}

/// A new handle object for `s` with metatable `mt`, registered for
/// finalization. The caller must root it (push it or store it) before
/// anything can run a collection.
fn new_file(l: &mut State, mt: *mut Table, s: Stream) -> TValue {
    let h = Rc::new(RefCell::new(s));
    remember(&h);
    let u = l.g().new_userdata(Box::new(FileBox(h)));
    // SAFETY: u is the new userdata.
    unsafe { (*u).metatable = mt };
    l.check_finalizer(u as *mut GcHeader, mt);
    TValue::userdata(u)
}

/// The library state table (first upvalue of the running `io.*` function).
fn io_state(l: &mut State) -> LuaResult<*mut Table> {
    let f = l.stack[l.ci().func];
    if f.tt == TNCL {
        // SAFETY: f is the running native closure, rooted in its frame.
        let up = unsafe { (*f.as_native()).upvals.first().copied() };
        if let Some(t) = up {
            if t.tt == TTABLE {
                return Ok(t.as_table());
            }
        }
    }
    Err(l.error("io library state not found"))
}

fn state_get(st: *mut Table, k: i64) -> TValue {
    // SAFETY: the state table is rooted by the running closure.
    unsafe { (*st).get_int(k) }
}

/// Pushes a new handle for `s` (`newfile` + `fopen` of PUC).
fn push_file(l: &mut State, s: Stream) -> LuaResult<TValue> {
    let st = io_state(l)?;
    let mt = state_get(st, METATABLE);
    if mt.tt != TTABLE {
        return Err(l.error("io library state not found"));
    }
    let v = new_file(l, mt.as_table(), s);
    l.push(v);
    Ok(v)
}

/// Runs `open`; if the process is out of file descriptors, collects
/// garbage (closing unreachable files) and tries once more. Files left for
/// the collector are common in scripts, and its pace is set by memory, not
/// descriptors. The caller's values must all be rooted (on the stack).
fn with_descriptors<T>(l: &mut State, open: impl Fn() -> std::io::Result<T>) -> std::io::Result<T> {
    match open() {
        Err(e) if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) => {
            let g = l.g();
            if g.gc_stopped || g.gc_running {
                return Err(e);
            }
            l.full_gc();
            // errors in finalizers become warnings
            let _ = l.run_pending_finalizers();
            open()
        }
        r => r,
    }
}

/// The stream of a handle value, if it is one.
fn file_of(v: &TValue) -> Option<Handle> {
    if v.tt != TUSERDATA {
        return None;
    }
    // SAFETY: v is a live userdata held by the caller.
    unsafe { (*v.as_userdata()).data.downcast_ref::<FileBox>() }.map(|b| b.0.clone())
}

/// Argument `n` as a handle, open or closed (`luaL_checkudata`).
fn check_handle(l: &mut State, n: usize) -> LuaResult<Handle> {
    match file_of(&arg(l, n)) {
        Some(h) => Ok(h),
        None => Err(type_error(l, n, "FILE*")),
    }
}

/// Argument `n` as an open handle (PUC's `tofile`).
fn check_file(l: &mut State, n: usize) -> LuaResult<Handle> {
    let h = check_handle(l, n)?;
    if h.borrow().is_closed() {
        return Err(l.error("attempt to use a closed file"));
    }
    Ok(h)
}

/// The default input or output file, which must be open (`getiofile`).
fn default_file(l: &mut State, which: i64) -> LuaResult<(TValue, Handle)> {
    let st = io_state(l)?;
    let v = state_get(st, which);
    match file_of(&v) {
        Some(h) if !h.borrow().is_closed() => Ok((v, h)),
        _ => {
            let what = if which == INPUT { "input" } else { "output" };
            Err(l.error(format!("default {what} file is closed")))
        }
    }
}

// ---------------------------------------------------------------------------
// Results and errors

/// An error message of raw bytes with the caller's position (`luaL_error`).
fn error_bytes(l: &mut State, msg: &[u8]) -> LuaError {
    let mut m = l.where_(1).into_bytes();
    m.extend_from_slice(msg);
    let v = l.str_value(&m);
    LuaError::runtime(v)
}

/// "cannot open file 'name' (reason)" (PUC's `opencheckfile`).
fn open_error(l: &mut State, name: &[u8], e: &std::io::Error) -> LuaError {
    let mut m = b"cannot open file '".to_vec();
    m.extend_from_slice(stream::c_prefix(name));
    m.extend_from_slice(b"' (");
    m.extend_from_slice(os_error_text(e).as_bytes());
    m.push(b')');
    error_bytes(l, &m)
}

/// Pushes fail, "[name: ]reason", errno (`luaL_fileresult` on failure).
fn push_error(l: &mut State, e: &std::io::Error, name: Option<&[u8]>) -> usize {
    let mut m = Vec::new();
    if let Some(n) = name {
        m.extend_from_slice(stream::c_prefix(n));
        m.extend_from_slice(b": ");
    }
    m.extend_from_slice(os_error_text(e).as_bytes());
    l.push(TValue::NIL);
    l.push_str(&m);
    l.push(TValue::int(e.raw_os_error().unwrap_or(0) as i64));
    3
}

fn push_errno(l: &mut State, errno: i32) -> usize {
    push_error(l, &std::io::Error::from_raw_os_error(errno), None)
}

/// Pushes `true`, or the error triple (`luaL_fileresult`).
fn push_result(l: &mut State, r: std::io::Result<()>) -> usize {
    match r {
        Ok(()) => {
            l.push(TValue::TRUE);
            1
        }
        Err(e) => push_error(l, &e, None),
    }
}

/// Closes a handle and pushes the results of `close` (PUC's `aux_close`).
fn aux_close(l: &mut State, h: &Handle) -> usize {
    let r = h.borrow_mut().close();
    match r {
        Closed::Standard => {
            l.push(TValue::NIL);
            l.push_str(b"cannot close standard file");
            2
        }
        Closed::File(r) => push_result(l, r),
        Closed::Process(Ok(status)) => push_exec_result(l, status),
        Closed::Process(Err(e)) => push_error(l, &e, None),
    }
}

// ---------------------------------------------------------------------------
// Reading and writing

/// Reads with the formats in arguments `first..` (none = one line) and
/// pushes one result per format, stopping at the first failure, which
/// yields fail (PUC's `g_read`). A read error yields fail, message, errno.
fn g_read(l: &mut State, h: &Handle, first: usize) -> LuaResult<usize> {
    let last = nargs(l);
    let mut s = h.borrow_mut();
    s.clear_flags();
    let mut scratch = Vec::new();
    let mut count = 0;
    if last < first {
        push_line(l, &mut s, false, &mut scratch);
        count = 1;
    } else {
        l.check_stack(last - first + 1 + MIN_STACK)?;
        for idx in first..=last {
            let v = arg(l, idx);
            let success = if v.is_number() {
                let n = check_int(l, idx)?;
                if n == 0 {
                    let more = s.test_eof();
                    let v = if more { l.str_value(b"") } else { TValue::NIL };
                    l.push(v);
                    more
                } else if n < 0 {
                    // a "negative" size_t count: PUC cannot allocate it
                    return Err(l.mem_error());
                } else {
                    scratch.clear();
                    let got = s.read_chars(n as usize, &mut scratch);
                    let v = if got {
                        l.str_value(&scratch)
                    } else {
                        TValue::NIL
                    };
                    l.push(v);
                    got
                }
            } else {
                let p = check_str(l, idx)?;
                // SAFETY: the format string is rooted in its argument slot.
                let f = unsafe { bytes(p) };
                let f = f.strip_prefix(b"*").unwrap_or(f);
                match f.first() {
                    Some(b'n') => push_number(l, &mut s),
                    Some(b'l') => push_line(l, &mut s, false, &mut scratch),
                    Some(b'L') => push_line(l, &mut s, true, &mut scratch),
                    Some(b'a') => {
                        scratch.clear();
                        s.read_all(&mut scratch);
                        l.push_str(&scratch);
                        true
                    }
                    _ => return Err(arg_error(l, idx, "invalid format")),
                }
            };
            count += 1;
            if !success {
                break;
            }
        }
    }
    if let Some(e) = s.read_error() {
        return Ok(push_errno(l, e));
    }
    Ok(count)
}

/// Pushes a line, or fail at end of file; returns whether a line was read.
fn push_line(l: &mut State, s: &mut Stream, keep_nl: bool, scratch: &mut Vec<u8>) -> bool {
    match s.read_line(keep_nl, scratch) {
        Some(line) => {
            l.push_str(line);
            true
        }
        None => {
            l.push(TValue::NIL);
            false
        }
    }
}

/// Pushes a number read with format "n", or fail.
fn push_number(l: &mut State, s: &mut Stream) -> bool {
    match s.read_numeral().and_then(|t| tm::str_to_number(&t)) {
        Some(v) => {
            l.push(v);
            true
        }
        None => {
            l.push(TValue::NIL);
            false
        }
    }
}

/// Writes arguments `first..` (strings, or numbers as "%d"/"%.14g") and
/// returns `file`, or fail, message, errno after a failed write; later
/// arguments are still checked but not written (PUC's `g_write`).
fn g_write(l: &mut State, h: &Handle, first: usize, file: TValue) -> LuaResult<usize> {
    let last = nargs(l);
    let mut s = h.borrow_mut();
    let mut status = Ok(());
    let mut num = Vec::new();
    for idx in first..=last {
        let v = arg(l, idx);
        match v.tt {
            TSTR => {
                if status.is_ok() {
                    // SAFETY: the string is rooted in its argument slot.
                    status = s.write(unsafe { bytes(v.as_string()) });
                }
            }
            TINT => {
                if status.is_ok() {
                    let mut buf = [0u8; 20];
                    status = s.write(int_text(v.as_int(), &mut buf));
                }
            }
            TFLOAT => {
                if status.is_ok() {
                    num.clear();
                    format_float(&NUMBER_FORMAT, v.as_float(), &mut num);
                    status = s.write(&num);
                }
            }
            _ => return Err(type_error(l, idx, "string")),
        }
    }
    match status {
        Ok(()) => {
            l.push(file);
            Ok(1)
        }
        Err(e) => Ok(push_errno(l, e)),
    }
}

/// The decimal text of `n` ("%d"), written at the end of `buf`.
fn int_text(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut u = n.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

// ---------------------------------------------------------------------------
// io.* functions

/// `io.open(filename [, mode])`.
fn io_open(l: &mut State) -> LuaResult<usize> {
    let name = check_str(l, 1)?;
    let mode = opt_str(l, 2)?;
    // SAFETY: both strings are rooted in their argument slots.
    let (name, mode) = unsafe { (bytes(name), mode.map_or(&b"r"[..], |m| bytes(m))) };
    let mode = stream::c_prefix(mode);
    if !stream::valid_open_mode(mode) {
        return Err(arg_error(l, 2, "invalid mode"));
    }
    match with_descriptors(l, || Stream::open(name, mode)) {
        Ok(s) => {
            push_file(l, s)?;
            Ok(1)
        }
        Err(e) => Ok(push_error(l, &e, Some(name))),
    }
}

/// `io.close([file])`: closes `file` or the default output.
fn io_close(l: &mut State) -> LuaResult<usize> {
    if nargs(l) == 0 {
        let st = io_state(l)?;
        l.push(state_get(st, OUTPUT));
    }
    f_close(l)
}

/// `io.flush()`: flushes the default output.
fn io_flush(l: &mut State) -> LuaResult<usize> {
    let (_, h) = default_file(l, OUTPUT)?;
    let r = h.borrow_mut().flush();
    Ok(push_result(l, r))
}

/// `io.input([file])` and `io.output([file])` (PUC's `g_iofile`): a name
/// opens that file (error if it cannot), a handle is taken as is; returns
/// the current default.
fn g_iofile(l: &mut State, which: i64, mode: &[u8]) -> LuaResult<usize> {
    let st = io_state(l)?;
    let v = arg(l, 1);
    if !v.is_nil() {
        if v.tt == TSTR || v.is_number() {
            let name = check_str(l, 1)?;
            // SAFETY: rooted in the argument slot.
            let name = unsafe { bytes(name) };
            let s = with_descriptors(l, || Stream::open(name, mode))
                .map_err(|e| open_error(l, name, &e))?;
            let f = push_file(l, s)?;
            // SAFETY: the state table is live.
            unsafe { (*st).set_int(which, f) };
        } else {
            check_file(l, 1)?;
            // SAFETY: the state table is live.
            unsafe { (*st).set_int(which, v) };
        }
    }
    l.push(state_get(st, which));
    Ok(1)
}

fn io_input(l: &mut State) -> LuaResult<usize> {
    g_iofile(l, INPUT, b"r")
}

fn io_output(l: &mut State) -> LuaResult<usize> {
    g_iofile(l, OUTPUT, b"w")
}

/// `io.lines([filename, ...])`: iterates over a named file, closing it at
/// its end (and returning it as the loop's to-be-closed value), or over the
/// default input.
fn io_lines(l: &mut State) -> LuaResult<usize> {
    if nargs(l) == 0 {
        l.push(TValue::NIL);
    }
    let toclose = if arg(l, 1).is_nil() {
        let st = io_state(l)?;
        set_arg(l, 1, state_get(st, INPUT));
        check_file(l, 1)?;
        false
    } else {
        let name = check_str(l, 1)?;
        // SAFETY: rooted in the argument slot.
        let name = unsafe { bytes(name) };
        let s = with_descriptors(l, || Stream::open(name, b"r"))
            .map_err(|e| open_error(l, name, &e))?;
        let f = push_file(l, s)?;
        set_arg(l, 1, f);
        l.top -= 1;
        true
    };
    aux_lines(l, toclose)?;
    if toclose {
        let f = arg(l, 1);
        l.push(TValue::NIL);
        l.push(TValue::NIL);
        l.push(f);
        return Ok(4);
    }
    Ok(1)
}

/// Pushes the line iterator over the file in argument 1 with the formats in
/// the other arguments (upvalues: file, format count, close at end,
/// formats).
fn aux_lines(l: &mut State, toclose: bool) -> LuaResult<()> {
    let n = nargs(l).saturating_sub(1);
    if n > MAX_LINE_FORMATS {
        return Err(arg_error(l, MAX_LINE_FORMATS + 2, "too many arguments"));
    }
    let mut up = Vec::with_capacity(3 + n);
    up.push(arg(l, 1));
    up.push(TValue::int(n as i64));
    up.push(TValue::boolean(toclose));
    for i in 0..n {
        up.push(arg(l, 2 + i));
    }
    let c = l.g().new_native(lines_iter, "", up);
    l.push(TValue::native(c));
    Ok(())
}

/// The iterator of `lines` (PUC's `io_readline`): reads with its formats;
/// at end of file returns nothing, closing the file if it opened it; a read
/// error is raised.
fn lines_iter(l: &mut State) -> LuaResult<usize> {
    let f = l.stack[l.ci().func];
    if f.tt != TNCL {
        return Err(l.error("invalid lines iterator"));
    }
    let cl = f.as_native();
    // SAFETY: cl is the running closure, rooted in its frame.
    let (file, n, toclose) = unsafe {
        let up = &(*cl).upvals;
        if up.len() < 3 || up[1].tt != TINT {
            return Err(l.error("invalid lines iterator"));
        }
        (up[0], up[1].as_int().max(0) as usize, !up[2].is_falsy())
    };
    let Some(h) = file_of(&file) else {
        return Err(l.error("invalid lines iterator"));
    };
    if h.borrow().is_closed() {
        return Err(l.error("file is already closed"));
    }
    // Keep one argument and put the formats after it, as PUC does (argument
    // errors number the formats from 2).
    let base = l.ci().base;
    if l.top > base + 1 {
        l.top = base + 1;
    } else if l.top == base {
        l.push(TValue::NIL);
    }
    // A safepoint (PUC steps its collector when allocating strings): the
    // generic `for` calls iterators without one, and a loop over a big
    // file's lines would otherwise pile up garbage. Everything live is below
    // `top`; finalizers may run here, so the file is checked again.
    l.check_gc()?;
    if h.borrow().is_closed() {
        return Err(l.error("file is already closed"));
    }
    let count = if n == 0 {
        let mut s = h.borrow_mut();
        s.clear_flags();
        let mut scratch = Vec::new();
        if let Some(line) = s.read_line(false, &mut scratch) {
            l.push_str(line);
            return Ok(1);
        }
        if let Some(e) = s.read_error() {
            let msg = os_error_text(&std::io::Error::from_raw_os_error(e));
            return Err(error_bytes(l, msg.as_bytes()));
        }
        l.push(TValue::NIL);
        1
    } else {
        l.check_stack(n + MIN_STACK)?;
        for i in 0..n {
            // SAFETY: as above; the upvalue count was fixed at creation.
            let ups: &[TValue] = unsafe { &(*cl).upvals };
            l.push(ups.get(3 + i).copied().unwrap_or(TValue::NIL));
        }
        g_read(l, &h, 2)?
    };
    if !l.stack[l.top - count].is_falsy() {
        return Ok(count);
    }
    if count > 1 {
        // the error message of a failed read
        let m = l.stack[l.top - count + 1];
        let msg = tostring_bytes(l, m)?;
        return Err(error_bytes(l, &msg));
    }
    if toclose {
        aux_close(l, &h);
    }
    Ok(0)
}

/// `io.popen(prog [, mode])`: mode "r" (read its output) or "w" (write its
/// input); the command runs with `/bin/sh -c`.
fn io_popen(l: &mut State) -> LuaResult<usize> {
    let prog = check_str(l, 1)?;
    let mode = opt_str(l, 2)?;
    // SAFETY: both strings are rooted in their argument slots.
    let (prog, mode) = unsafe { (bytes(prog), mode.map_or(&b"r"[..], |m| bytes(m))) };
    let mode = stream::c_prefix(mode);
    if mode != b"r" && mode != b"w" {
        return Err(arg_error(l, 2, "invalid mode"));
    }
    // the child shares our stdout: give it what we printed so far
    flush_stdout();
    match with_descriptors(l, || Stream::popen(prog, mode == b"w")) {
        Ok(s) => {
            push_file(l, s)?;
            Ok(1)
        }
        Err(e) => Ok(push_error(l, &e, Some(prog))),
    }
}

/// `io.read(...)`: reads from the default input.
fn io_read(l: &mut State) -> LuaResult<usize> {
    let (_, h) = default_file(l, INPUT)?;
    g_read(l, &h, 1)
}

/// `io.tmpfile()`: a temporary file in update mode, removed when closed.
fn io_tmpfile(l: &mut State) -> LuaResult<usize> {
    match with_descriptors(l, Stream::tmpfile) {
        Ok(s) => {
            push_file(l, s)?;
            Ok(1)
        }
        Err(e) => Ok(push_error(l, &e, None)),
    }
}

/// `io.type(obj)`: "file", "closed file", or fail.
fn io_type(l: &mut State) -> LuaResult<usize> {
    let v = check_any(l, 1)?;
    match file_of(&v) {
        Some(h) => {
            let t: &[u8] = if h.borrow().is_closed() {
                b"closed file"
            } else {
                b"file"
            };
            ret_str(l, t)
        }
        None => {
            l.push(TValue::NIL);
            Ok(1)
        }
    }
}

/// `io.write(...)`: writes to the default output.
fn io_write(l: &mut State) -> LuaResult<usize> {
    let (f, h) = default_file(l, OUTPUT)?;
    g_write(l, &h, 1, f)
}

// ---------------------------------------------------------------------------
// File methods and metamethods

/// `file:close()`.
fn f_close(l: &mut State) -> LuaResult<usize> {
    let h = check_file(l, 1)?;
    Ok(aux_close(l, &h))
}

/// `file:flush()`.
fn f_flush(l: &mut State) -> LuaResult<usize> {
    let h = check_file(l, 1)?;
    let r = h.borrow_mut().flush();
    Ok(push_result(l, r))
}

/// `file:lines(...)`: the iterator does not close the file.
fn f_lines(l: &mut State) -> LuaResult<usize> {
    check_file(l, 1)?;
    aux_lines(l, false)?;
    Ok(1)
}

/// `file:read(...)`.
fn f_read(l: &mut State) -> LuaResult<usize> {
    let h = check_file(l, 1)?;
    g_read(l, &h, 2)
}

/// `file:seek([whence [, offset]])`: returns the new position.
fn f_seek(l: &mut State) -> LuaResult<usize> {
    let h = check_file(l, 1)?;
    let op = check_option(l, 2, Some("cur"), &["set", "cur", "end"])?;
    let offset = opt_int(l, 3, 0)?;
    let whence = [Whence::Set, Whence::Cur, Whence::End][op];
    let r = h.borrow_mut().seek(whence, offset);
    match r {
        Ok(p) => {
            l.push(TValue::int(p as i64));
            Ok(1)
        }
        Err(e) => Ok(push_error(l, &e, None)),
    }
}

/// `file:setvbuf(mode [, size])`: the size is checked and, as with glibc's
/// `setvbuf` without a buffer, otherwise ignored.
fn f_setvbuf(l: &mut State) -> LuaResult<usize> {
    let h = check_file(l, 1)?;
    let op = check_option(l, 2, None, &["no", "full", "line"])?;
    opt_int(l, 3, 1024)?;
    let mode = [BufMode::No, BufMode::Full, BufMode::Line][op];
    let r = h.borrow_mut().set_mode(mode);
    Ok(push_result(l, r))
}

/// `file:write(...)`.
fn f_write(l: &mut State) -> LuaResult<usize> {
    let h = check_file(l, 1)?;
    let f = arg(l, 1);
    g_write(l, &h, 2, f)
}

/// `__gc` and `__close`: closes the file if still open.
fn f_gc(l: &mut State) -> LuaResult<usize> {
    let h = check_handle(l, 1)?;
    if !h.borrow().is_closed() {
        aux_close(l, &h);
    }
    Ok(0)
}

/// `__tostring`: "file (0x...)" or "file (closed)".
fn f_tostring(l: &mut State) -> LuaResult<usize> {
    let h = check_handle(l, 1)?;
    let s = if h.borrow().is_closed() {
        "file (closed)".to_string()
    } else {
        format!("file ({:p})", Rc::as_ptr(&h))
    };
    ret_str(l, s.as_bytes())
}

#[cfg(test)]
mod tests {
    use crate::{Lua, Value};

    fn run(src: &str) -> Vec<Value> {
        let mut lua = Lua::new();
        match lua.exec(src) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    fn s(v: &str) -> Value {
        Value::from(v)
    }

    #[test]
    fn open_missing_file_returns_fail_message_errno() {
        let r = run("return io.open('/nonexistent/lunajit')");
        assert_eq!(
            r,
            vec![
                Value::Nil,
                s("/nonexistent/lunajit: No such file or directory"),
                Value::Integer(2)
            ]
        );
    }

    #[test]
    fn invalid_mode_and_closed_file_errors() {
        let r = run("local a = {pcall(io.open, 'x', 'rb+')}
             local f = io.tmpfile() f:close()
             local b = {pcall(f.read, f)}
             return a[2], b[2], io.type(f), tostring(f)");
        assert_eq!(
            r,
            vec![
                s("bad argument #2 to 'io.open' (invalid mode)"),
                s("attempt to use a closed file"),
                s("closed file"),
                s("file (closed)"),
            ]
        );
    }

    #[test]
    fn write_read_round_trip_with_formats() {
        let r = run("local f = io.tmpfile()
             assert(f:write('x', 1, ' ', 2.0, ' ', 0.1, '\\n', '0x10 rest\\n') == f)
             f:seek('set')
             return f:read('l', 'n', 'L', 'a', 'a', 1)");
        assert_eq!(
            r,
            vec![
                s("x1 2 0.1"),
                Value::Integer(16),
                s(" rest\n"),
                s(""),
                s(""),
                Value::Nil
            ]
        );
    }

    #[test]
    fn standard_files_cannot_be_closed() {
        let r = run("return io.stdout:close()");
        assert_eq!(r, vec![Value::Nil, s("cannot close standard file")]);
    }

    #[test]
    fn integers_are_written_as_decimal() {
        let mut buf = [0u8; 20];
        for n in [0, 7, -7, 1234567890, i64::MAX, i64::MIN] {
            assert_eq!(super::int_text(n, &mut buf), n.to_string().as_bytes());
        }
    }

    #[test]
    fn popen_status() {
        let r = run("local p = io.popen('printf abc; exit 2') return p:read('a'), p:close()");
        assert_eq!(r, vec![s("abc"), Value::Nil, s("exit"), Value::Integer(2)]);
    }
}
