//! The io library (§6.8) and the process's buffered standard output.
//!
//! Standard output is one process-wide buffer shared by `print`, `io.write`
//! and `io.stdout`; it is flushed when full, at exit, before reading a
//! terminal, and at every newline when stdout is a terminal (C stdio's line
//! buffering).

use super::aux::*;
use crate::runtime::error::LuaResult;
use crate::runtime::state::State;
use crate::runtime::tm;
use crate::runtime::value::*;
use std::io::{BufRead, Read, Write};
use std::sync::Mutex;

struct StdoutBuf {
    buf: Vec<u8>,
    is_tty: bool,
}

static STDOUT: Mutex<Option<StdoutBuf>> = Mutex::new(None);

fn with_stdout<R>(f: impl FnOnce(&mut StdoutBuf) -> R) -> R {
    let mut g = STDOUT.lock().unwrap_or_else(|e| e.into_inner());
    let s = g.get_or_insert_with(|| StdoutBuf {
        buf: Vec::with_capacity(1 << 16),
        // SAFETY: isatty only inspects the descriptor.
        is_tty: unsafe { libc::isatty(1) == 1 },
    });
    f(s)
}

fn flush_buf(s: &mut StdoutBuf) -> std::io::Result<()> {
    if !s.buf.is_empty() {
        let mut out = std::io::stdout().lock();
        let r = out.write_all(&s.buf).and_then(|_| out.flush());
        s.buf.clear();
        return r;
    }
    Ok(())
}

/// Appends bytes to standard output.
pub fn write_stdout(b: &[u8]) -> std::io::Result<()> {
    with_stdout(|s| {
        s.buf.extend_from_slice(b);
        if s.buf.len() >= 1 << 16 || (s.is_tty && b.contains(&b'\n')) {
            flush_buf(s)
        } else {
            Ok(())
        }
    })
}

/// Flushes standard output.
pub fn flush_stdout() {
    let _ = with_stdout(flush_buf);
}

/// The C library's text for an OS error ("No such file or directory").
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

/// Registers the io library.
pub fn open(l: &mut State) {
    new_lib(
        l,
        "io",
        &[("write", io_write), ("read", io_read), ("lines", io_lines)],
    );
}

fn io_write(l: &mut State) -> LuaResult<usize> {
    let n = nargs(l);
    let mut out = Vec::new();
    for i in 1..=n {
        let v = arg(l, i);
        match v.tt {
            // SAFETY: rooted argument.
            TSTR => out.extend_from_slice(unsafe { bytes(v.as_string()) }),
            TINT | TFLOAT => tm::number_to_buf(&v, &mut out),
            _ => return Err(type_error(l, i, "string")),
        }
    }
    let _ = write_stdout(&out);
    Ok(0)
}

fn read_line(keep_nl: bool) -> Option<Vec<u8>> {
    flush_stdout();
    let mut buf = Vec::new();
    let n = std::io::stdin().lock().read_until(b'\n', &mut buf).ok()?;
    if n == 0 {
        return None;
    }
    if !keep_nl && buf.last() == Some(&b'\n') {
        buf.pop();
    }
    Some(buf)
}

fn io_read(l: &mut State) -> LuaResult<usize> {
    let fmt = match opt_str(l, 1)? {
        // SAFETY: rooted argument.
        Some(s) => unsafe { bytes(s) }.to_vec(),
        None => b"l".to_vec(),
    };
    let f = fmt.strip_prefix(b"*").unwrap_or(&fmt);
    match f.first() {
        Some(b'l') | Some(b'L') => match read_line(f[0] == b'L') {
            Some(b) => ret_str(l, &b),
            None => {
                l.push(TValue::NIL);
                Ok(1)
            }
        },
        Some(b'a') => {
            flush_stdout();
            let mut b = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut b);
            ret_str(l, &b)
        }
        Some(b'n') => {
            let line = read_line(false).unwrap_or_default();
            let v = tm::str_to_number(&line).unwrap_or(TValue::NIL);
            l.push(v);
            Ok(1)
        }
        _ => Err(arg_error(l, 1, "invalid format")),
    }
}

fn lines_aux(l: &mut State) -> LuaResult<usize> {
    match read_line(false) {
        Some(b) => ret_str(l, &b),
        None => {
            l.push(TValue::NIL);
            Ok(1)
        }
    }
}

fn io_lines(l: &mut State) -> LuaResult<usize> {
    let c = l.g().new_native(lines_aux, "lines", Vec::new());
    l.push(TValue::native(c));
    Ok(1)
}
