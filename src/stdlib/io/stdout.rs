//! The process-wide standard output buffer, shared by `print`, `io.write`
//! and the `io.stdout` handle (§6.8: all of them write to C's `stdout`).
//!
//! Bytes are kept in one buffer behind a mutex (descriptor 1 is
//! process-wide) and written out through Rust's `std::io::stdout` so that
//! text printed with `print!` elsewhere stays in order. The buffering mode is
//! C's default: line buffering when descriptor 1 is a terminal, else full
//! buffering with a [`STDOUT_BUF_SIZE`] threshold; `io.stdout:setvbuf`
//! changes it. Calls only std and libc.

use super::stream::BufMode;
use std::io;
use std::sync::Mutex;

/// Flush threshold of the standard output buffer, bytes.
pub const STDOUT_BUF_SIZE: usize = 64 * 1024;

/// The buffer, its mode, and whether descriptor 1 is a terminal.
struct StdoutBuf {
    buf: Vec<u8>,
    mode: BufMode,
    is_tty: bool,
}

static STDOUT: Mutex<Option<StdoutBuf>> = Mutex::new(None);

fn with_stdout<R>(f: impl FnOnce(&mut StdoutBuf) -> R) -> R {
    let mut g = STDOUT.lock().unwrap_or_else(|e| e.into_inner());
    let s = g.get_or_insert_with(|| {
        // SAFETY: isatty only inspects the descriptor.
        let is_tty = unsafe { libc::isatty(1) == 1 };
        StdoutBuf {
            buf: Vec::with_capacity(STDOUT_BUF_SIZE),
            mode: if is_tty { BufMode::Line } else { BufMode::Full },
            is_tty,
        }
    });
    f(s)
}

fn flush_buf(s: &mut StdoutBuf) -> io::Result<()> {
    if s.buf.is_empty() {
        return Ok(());
    }
    use std::io::Write;
    // Through Rust's stdout so that text printed with `print!` elsewhere in
    // the process stays in order.
    let mut out = io::stdout().lock();
    let r = out.write_all(&s.buf).and_then(|_| out.flush());
    s.buf.clear();
    r
}

/// Appends bytes to standard output, flushing as its buffering mode says
/// (full buffering by default, line buffering on a terminal).
pub fn stdout_write(b: &[u8]) -> io::Result<()> {
    with_stdout(|s| {
        s.buf.extend_from_slice(b);
        let flush = match s.mode {
            BufMode::No => true,
            BufMode::Line => b.contains(&b'\n') || s.buf.len() >= STDOUT_BUF_SIZE,
            BufMode::Full => s.buf.len() >= STDOUT_BUF_SIZE,
        };
        if flush {
            flush_buf(s)
        } else {
            Ok(())
        }
    })
}

/// Writes out the standard output buffer.
pub fn stdout_flush() -> io::Result<()> {
    with_stdout(flush_buf)
}

/// Sets standard output's buffering mode, flushing it first.
pub fn stdout_set_mode(mode: BufMode) {
    with_stdout(|s| {
        let _ = flush_buf(s);
        s.mode = mode;
    })
}

/// Whether standard output is a terminal.
pub fn stdout_is_tty() -> bool {
    with_stdout(|s| s.is_tty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_writes_and_flushes_succeed() {
        // Only empty output: the test harness owns the real stdout.
        assert!(stdout_write(b"").is_ok());
        assert!(stdout_flush().is_ok());
        let _ = stdout_is_tty();
    }
}
