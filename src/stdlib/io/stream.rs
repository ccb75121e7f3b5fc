//! Buffered byte streams over file descriptors: the `FILE*` behind the io
//! library's file handles (§6.8), written for Lua's needs on top of libc's
//! `open`/`read`/`write`/`lseek` instead of C stdio.
//!
//! A [`Stream`] owns a descriptor (or uses a standard one), a read-ahead
//! buffer and a write buffer. Invariants:
//! - At most one of the two buffers holds data. Writing first drops the
//!   unread read-ahead, seeking the descriptor back over it; reading first
//!   flushes the pending writes. So the logical position (what `seek`
//!   reports) is the descriptor's offset minus the unread read-ahead plus
//!   the pending writes, which is what C stdio gives for "r+" files.
//! - End of file is sticky (like C's `feof`): once a read hits it, reads
//!   return nothing until [`Stream::clear_flags`] or a seek. The error flag
//!   keeps the errno of the last failed read.
//! - The standard output stream writes into the process-wide stdout buffer
//!   (also used by `print`, see `stdout.rs`). Before reading from a
//!   terminal, or from anything while stdout is a terminal, that buffer is
//!   flushed, so prompts show.
//!
//! Buffers are not reported to the collector (as in PUC Lua, whose stdio
//! buffers are invisible to it); read buffers start small
//! ([`MIN_BUF_SIZE`], like glibc's) so that files left for the collector to
//! close cost little. This module knows nothing of the VM; it calls only
//! std and libc.

use super::stdout::{stdout_flush, stdout_is_tty, stdout_set_mode, stdout_write};
use std::ffi::CString;
use std::io;
use std::process::{Child, ExitStatus};

/// Largest size in bytes of the read-ahead buffer of file streams, and the
/// flush threshold of their write buffer. Read buffers start at
/// [`MIN_BUF_SIZE`] and double at each refill that fills them, so small
/// files cost little and big ones are read in big chunks.
pub const BUF_SIZE: usize = 64 * 1024;

/// First size in bytes of a read-ahead buffer.
pub const MIN_BUF_SIZE: usize = 4 * 1024;

/// Longest numeral `read("n")` accepts, in bytes (PUC's `L_MAXLENNUM`).
pub const MAX_NUMERAL: usize = 200;

/// Buffering mode (`file:setvbuf`, §6.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BufMode {
    /// Every write goes out at once; reads take one byte at a time.
    No,
    /// Writes go out when the buffer is full, on flush, seek and close.
    Full,
    /// Like `Full`, and also after every write containing a newline.
    Line,
}

/// Origin of a seek (`file:seek`, §6.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whence {
    Set,
    Cur,
    End,
}

/// How a stream is closed.
#[derive(Debug)]
enum Kind {
    /// Closing closes the descriptor.
    File,
    /// One end of a pipe to a child process (`io.popen`): closing closes
    /// the descriptor and waits for the child.
    Pipe(Child),
    /// stdin, stdout or stderr: cannot be closed.
    Standard,
}

/// The outcome of [`Stream::close`].
#[derive(Debug)]
pub enum Closed {
    /// A file was closed; the error of its last flush or of `close(2)`.
    File(io::Result<()>),
    /// A pipe was closed and its child waited for.
    Process(io::Result<ExitStatus>),
    /// A standard stream: it stays open.
    Standard,
}

/// A buffered stream (see the module comment).
#[derive(Debug)]
pub struct Stream {
    fd: i32,
    kind: Kind,
    /// Writes go to the process-wide stdout buffer.
    to_stdout: bool,
    readable: bool,
    writable: bool,
    /// The descriptor is a terminal: flush stdout before reading it.
    is_tty: bool,
    mode: BufMode,
    /// Read-ahead: `rbuf[rpos..rlen]` is unread (allocated on first read).
    rbuf: Vec<u8>,
    rpos: usize,
    rlen: usize,
    /// Pending writes.
    wbuf: Vec<u8>,
    eof: bool,
    /// errno of the last failed read since `clear_flags`.
    error: Option<i32>,
    closed: bool,
}

fn last_errno() -> i32 {
    io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// The bytes before the first NUL (what a C function taking a `char *`
/// sees of a Lua string).
pub fn c_prefix(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == 0) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// Whether `mode` is a valid `io.open` mode: `r`, `w` or `a`, an optional
/// `+`, then only `b`s (the check of PUC's `l_checkmode`).
pub fn valid_open_mode(mode: &[u8]) -> bool {
    match mode.split_first() {
        Some((b'r' | b'w' | b'a', rest)) => {
            let rest = rest.strip_prefix(b"+").unwrap_or(rest);
            rest.iter().all(|&c| c == b'b')
        }
        _ => false,
    }
}

/// Writes all of `data` to `fd`, retrying on EINTR and short writes.
fn write_fd(fd: i32, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        // SAFETY: data is a valid slice for its length.
        let n = unsafe { libc::write(fd, data.as_ptr() as *const libc::c_void, data.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            return Err(io::Error::from_raw_os_error(libc::EIO));
        }
        data = &data[n as usize..];
    }
    Ok(())
}

impl Stream {
    fn new(fd: i32, kind: Kind, readable: bool, writable: bool) -> Stream {
        Stream {
            fd,
            kind,
            to_stdout: false,
            readable,
            writable,
            is_tty: false,
            mode: BufMode::Full,
            rbuf: Vec::new(),
            rpos: 0,
            rlen: 0,
            wbuf: Vec::new(),
            eof: false,
            error: None,
            closed: false,
        }
    }

    /// Opens a file like C's `fopen` (`io.open`, §6.8): `mode` as checked by
    /// [`valid_open_mode`] (EINVAL otherwise). "r" reads, "w" truncates or
    /// creates, "a" appends; "+" adds the other direction; "b" is ignored.
    /// The name is cut at its first NUL.
    pub fn open(path: &[u8], mode: &[u8]) -> io::Result<Stream> {
        if !valid_open_mode(mode) {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        }
        let plus = mode.get(1) == Some(&b'+');
        let (flags, readable, writable) = match (mode[0], plus) {
            (b'r', false) => (libc::O_RDONLY, true, false),
            (b'r', true) => (libc::O_RDWR, true, true),
            (b'w', false) => (libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC, false, true),
            (b'w', true) => (libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC, true, true),
            (_, false) => (libc::O_WRONLY | libc::O_CREAT | libc::O_APPEND, false, true),
            (_, true) => (libc::O_RDWR | libc::O_CREAT | libc::O_APPEND, true, true),
        };
        let name =
            CString::new(c_prefix(path)).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        // SAFETY: name is a NUL-terminated string; open has no other inputs.
        let fd = unsafe {
            libc::open(
                name.as_ptr(),
                flags | libc::O_CLOEXEC,
                0o666 as libc::c_uint,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        if mode[0] == b'a' && !plus {
            // glibc positions write-only append streams at the end, so
            // `seek()` reports the file size (reading "a+" starts at 0).
            // SAFETY: fd is ours.
            unsafe { libc::lseek(fd, 0, libc::SEEK_END) };
        }
        Ok(Stream::new(fd, Kind::File, readable, writable))
    }

    /// A new anonymous temporary file opened for reading and writing, removed
    /// when closed (`io.tmpfile`, §6.8).
    pub fn tmpfile() -> io::Result<Stream> {
        let mut template = *b"/tmp/lua_XXXXXX\0";
        // SAFETY: mkstemp rewrites the NUL-terminated template we own.
        let fd = unsafe { libc::mkstemp(template.as_mut_ptr() as *mut libc::c_char) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: template now names the file just created; fd is ours.
        unsafe {
            libc::unlink(template.as_ptr() as *const libc::c_char);
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
        Ok(Stream::new(fd, Kind::File, true, true))
    }

    /// Starts `/bin/sh -c cmd` with a pipe to its stdin (`write`) or from
    /// its stdout (`io.popen`, §6.8). The command is cut at its first NUL.
    pub fn popen(cmd: &[u8], write: bool) -> io::Result<Stream> {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::io::IntoRawFd;
        use std::os::unix::process::CommandExt;
        use std::process::{Command, Stdio};
        let mut c = Command::new("/bin/sh");
        c.arg0("sh")
            .arg("-c")
            .arg(std::ffi::OsStr::from_bytes(c_prefix(cmd)));
        if write {
            c.stdin(Stdio::piped());
        } else {
            c.stdout(Stdio::piped());
        }
        let mut child = c.spawn()?;
        let fd = if write {
            child.stdin.take().map(|p| p.into_raw_fd())
        } else {
            child.stdout.take().map(|p| p.into_raw_fd())
        };
        match fd {
            Some(fd) => Ok(Stream::new(fd, Kind::Pipe(child), !write, write)),
            None => {
                let _ = child.wait();
                Err(io::Error::from_raw_os_error(libc::EPIPE))
            }
        }
    }

    /// The standard input stream (descriptor 0).
    pub fn stdin() -> Stream {
        let mut s = Stream::new(0, Kind::Standard, true, false);
        // SAFETY: isatty only inspects the descriptor.
        s.is_tty = unsafe { libc::isatty(0) == 1 };
        s
    }

    /// The standard output stream: writes go to the shared stdout buffer.
    pub fn stdout() -> Stream {
        let mut s = Stream::new(1, Kind::Standard, false, true);
        s.to_stdout = true;
        s
    }

    /// The standard error stream (descriptor 2), unbuffered.
    pub fn stderr() -> Stream {
        let mut s = Stream::new(2, Kind::Standard, false, true);
        s.mode = BufMode::No;
        s
    }

    /// Whether the stream was closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Clears the end-of-file and error flags (C's `clearerr`).
    pub fn clear_flags(&mut self) {
        self.eof = false;
        self.error = None;
    }

    /// errno of the last failed read since [`Stream::clear_flags`].
    pub fn read_error(&self) -> Option<i32> {
        self.error
    }

    // -- reading ---------------------------------------------------------

    /// Makes read-ahead available; false at end of file or on an error
    /// (flags set).
    fn fill(&mut self) -> bool {
        if self.rpos < self.rlen {
            return true;
        }
        if self.eof || self.closed {
            return false;
        }
        if !self.readable {
            self.error = Some(libc::EBADF);
            return false;
        }
        if !self.wbuf.is_empty() {
            if let Err(e) = self.flush_writes() {
                self.error = Some(e.raw_os_error().unwrap_or(libc::EIO));
                return false;
            }
        }
        if self.is_tty || stdout_is_tty() {
            let _ = stdout_flush();
        }
        if self.rbuf.len() < BUF_SIZE && self.rlen == self.rbuf.len() {
            // empty, or the last read filled it: a bigger one (all of the
            // old one was consumed, so nothing is copied)
            let new = (self.rbuf.len() * 2).clamp(MIN_BUF_SIZE, BUF_SIZE);
            self.rbuf = vec![0; new];
        }
        let want = if self.mode == BufMode::No {
            1
        } else {
            self.rbuf.len()
        };
        loop {
            // SAFETY: rbuf has at least `want` bytes.
            let n =
                unsafe { libc::read(self.fd, self.rbuf.as_mut_ptr() as *mut libc::c_void, want) };
            if n > 0 {
                self.rpos = 0;
                self.rlen = n as usize;
                return true;
            }
            if n == 0 {
                self.eof = true;
                return false;
            }
            let e = last_errno();
            if e != libc::EINTR {
                self.error = Some(e);
                return false;
            }
        }
    }

    /// The next byte, or `None` at end of file or on an error (C's `getc`).
    #[inline]
    pub fn getc(&mut self) -> Option<u8> {
        if self.rpos >= self.rlen && !self.fill() {
            return None;
        }
        let c = self.rbuf[self.rpos];
        self.rpos += 1;
        Some(c)
    }

    /// Puts back `c`, the byte the last [`Stream::getc`] returned (nothing
    /// for `None`).
    #[inline]
    pub fn ungetc(&mut self, c: Option<u8>) {
        if c.is_some() && self.rpos > 0 {
            self.rpos -= 1;
        }
    }

    /// Reads a line (formats "l" and "L"): the bytes up to the next newline,
    /// which is consumed and kept only with `keep_nl`. `None` when nothing
    /// could be read (end of file or error before any byte). The result is
    /// borrowed from the read-ahead when the line lies in it, else from
    /// `scratch`.
    pub fn read_line<'a>(
        &'a mut self,
        keep_nl: bool,
        scratch: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        scratch.clear();
        loop {
            if !self.fill() {
                return if scratch.is_empty() {
                    None
                } else {
                    Some(&scratch[..])
                };
            }
            let start = self.rpos;
            let avail = &self.rbuf[start..self.rlen];
            // SAFETY: memchr reads only `avail.len()` bytes of `avail`.
            let p = unsafe {
                libc::memchr(
                    avail.as_ptr() as *const libc::c_void,
                    b'\n' as i32,
                    avail.len(),
                )
            };
            if p.is_null() {
                scratch.extend_from_slice(avail);
                self.rpos = self.rlen;
                continue;
            }
            let i = p as usize - avail.as_ptr() as usize;
            self.rpos = start + i + 1;
            let end = if keep_nl { start + i + 1 } else { start + i };
            if scratch.is_empty() {
                return Some(&self.rbuf[start..end]);
            }
            scratch.extend_from_slice(&self.rbuf[start..end]);
            return Some(&scratch[..]);
        }
    }

    /// Appends up to `n` bytes to `out` (a count format); true if at least
    /// one byte was read.
    pub fn read_chars(&mut self, n: usize, out: &mut Vec<u8>) -> bool {
        let before = out.len();
        let mut left = n;
        while left > 0 && self.fill() {
            let take = left.min(self.rlen - self.rpos);
            out.extend_from_slice(&self.rbuf[self.rpos..self.rpos + take]);
            self.rpos += take;
            left -= take;
        }
        out.len() > before
    }

    /// Appends the rest of the stream to `out` (format "a").
    pub fn read_all(&mut self, out: &mut Vec<u8>) {
        while self.fill() {
            out.extend_from_slice(&self.rbuf[self.rpos..self.rlen]);
            self.rpos = self.rlen;
        }
    }

    /// Whether a byte can be read, without consuming it (format 0).
    pub fn test_eof(&mut self) -> bool {
        let c = self.getc();
        self.ungetc(c);
        c.is_some()
    }

    /// Reads the longest prefix that can start a numeral (format "n", the
    /// algorithm of PUC's `read_number`): skips whitespace, then takes an
    /// optional sign, "0x"/"0X" for hexadecimal, digits, a decimal point and
    /// digits, and, after at least one digit, an exponent mark ("e"/"E", or
    /// "p"/"P" in hexadecimal) with an optional sign and decimal digits. The
    /// byte after the numeral is put back. Returns `None` when the text
    /// passed [`MAX_NUMERAL`] bytes (the numeral is then invalid); the
    /// caller converts the text and fails if it is not a numeral.
    pub fn read_numeral(&mut self) -> Option<Vec<u8>> {
        let mut rn = Numeral {
            s: self,
            c: None,
            buf: Vec::with_capacity(32),
            overflow: false,
        };
        rn.c = rn.s.getc();
        while matches!(rn.c, Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)) {
            rn.c = rn.s.getc();
        }
        let mut count = 0;
        let mut hex = false;
        rn.accept(b"-+");
        if rn.accept(b"0") {
            if rn.accept(b"xX") {
                hex = true;
            } else {
                count = 1;
            }
        }
        count += rn.digits(hex);
        if rn.accept(b".") {
            count += rn.digits(hex);
        }
        if count > 0 && rn.accept(if hex { b"pP" } else { b"eE" }) {
            rn.accept(b"-+");
            rn.digits(false);
        }
        let c = rn.c;
        let (buf, overflow) = (rn.buf, rn.overflow);
        self.ungetc(c);
        if overflow {
            None
        } else {
            Some(buf)
        }
    }

    // -- writing ---------------------------------------------------------

    /// Drops unread read-ahead, moving the descriptor back over it so that
    /// its offset is the logical position. With `keep_on_failure`, the
    /// read-ahead is kept when the descriptor cannot seek (a pipe).
    fn drop_read_ahead(&mut self, keep_on_failure: bool) {
        let unread = self.rlen - self.rpos;
        if unread > 0 {
            // SAFETY: plain lseek on our descriptor.
            let r = unsafe { libc::lseek(self.fd, -(unread as libc::off_t), libc::SEEK_CUR) };
            if r < 0 && keep_on_failure {
                return;
            }
        }
        self.rpos = 0;
        self.rlen = 0;
    }

    /// Frees both buffers (when closing).
    fn release_buffers(&mut self) {
        self.rbuf = Vec::new();
        self.wbuf = Vec::new();
    }

    /// Writes pending bytes to the descriptor; they are dropped on failure.
    fn flush_writes(&mut self) -> io::Result<()> {
        if self.wbuf.is_empty() {
            return Ok(());
        }
        let r = write_fd(self.fd, &self.wbuf);
        self.wbuf.clear();
        r
    }

    /// Writes bytes (`file:write`); the error is an errno.
    pub fn write(&mut self, data: &[u8]) -> Result<(), i32> {
        if !self.writable || self.closed {
            return Err(libc::EBADF);
        }
        if self.rlen != 0 {
            self.drop_read_ahead(false);
        }
        let err = |e: io::Error| e.raw_os_error().unwrap_or(libc::EIO);
        if self.to_stdout {
            return stdout_write(data).map_err(err);
        }
        if self.mode == BufMode::No {
            self.flush_writes().map_err(err)?;
            return write_fd(self.fd, data).map_err(err);
        }
        if self.wbuf.len() + data.len() > BUF_SIZE {
            self.flush_writes().map_err(err)?;
            if data.len() >= BUF_SIZE {
                return write_fd(self.fd, data).map_err(err);
            }
        }
        self.wbuf.extend_from_slice(data);
        if self.mode == BufMode::Line && data.contains(&b'\n') {
            self.flush_writes().map_err(err)?;
        }
        Ok(())
    }

    /// Writes out pending bytes (`file:flush`). Like glibc's `fflush`, also
    /// gives back unread read-ahead to a seekable descriptor.
    pub fn flush(&mut self) -> io::Result<()> {
        if self.to_stdout {
            return stdout_flush();
        }
        if self.rlen != 0 {
            self.drop_read_ahead(true);
        }
        self.flush_writes()
    }

    /// Writes out pending bytes only (at process exit).
    pub fn flush_pending(&mut self) {
        if !self.closed {
            let _ = self.flush_writes();
        }
    }

    /// Moves the position (`file:seek`): returns the new position from the
    /// start of the file. Clears end of file.
    pub fn seek(&mut self, whence: Whence, offset: i64) -> io::Result<u64> {
        if self.to_stdout {
            stdout_flush()?;
        } else {
            self.flush_writes()?;
        }
        let unread = (self.rlen - self.rpos) as i64;
        let (w, off) = match whence {
            Whence::Set => (libc::SEEK_SET, Some(offset)),
            Whence::Cur => (libc::SEEK_CUR, offset.checked_sub(unread)),
            Whence::End => (libc::SEEK_END, Some(offset)),
        };
        let off = off.ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
        // SAFETY: plain lseek on our descriptor.
        let r = unsafe { libc::lseek(self.fd, off as libc::off_t, w) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        self.rpos = 0;
        self.rlen = 0;
        self.eof = false;
        Ok(r as u64)
    }

    /// Sets the buffering mode (`file:setvbuf`); pending writes go out first.
    pub fn set_mode(&mut self, mode: BufMode) -> io::Result<()> {
        if self.to_stdout {
            stdout_set_mode(mode);
            return Ok(());
        }
        let r = self.flush_writes();
        self.mode = mode;
        r
    }

    /// Closes the stream (`file:close`): flushes, closes the descriptor and,
    /// for a pipe, waits for the child. Standard streams stay open.
    pub fn close(&mut self) -> Closed {
        if self.closed {
            return Closed::File(Err(io::Error::from_raw_os_error(libc::EBADF)));
        }
        if let Kind::Standard = self.kind {
            return Closed::Standard;
        }
        let flushed = self.flush_writes();
        self.closed = true;
        self.release_buffers();
        self.rpos = 0;
        self.rlen = 0;
        // SAFETY: the descriptor is ours and closed only here.
        let rc = unsafe { libc::close(self.fd) };
        let closed = if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        };
        match std::mem::replace(&mut self.kind, Kind::File) {
            Kind::Pipe(mut child) => Closed::Process(child.wait()),
            _ => Closed::File(flushed.and(closed)),
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        // Normally closed by the handle's finalizer already.
        let _ = self.close();
    }
}

/// State of [`Stream::read_numeral`]: the current byte (look-ahead) and the
/// numeral so far.
struct Numeral<'a> {
    s: &'a mut Stream,
    c: Option<u8>,
    buf: Vec<u8>,
    overflow: bool,
}

impl Numeral<'_> {
    /// Takes the current byte into the numeral and reads the next one;
    /// false (and the numeral invalid) past [`MAX_NUMERAL`] bytes.
    fn take(&mut self) -> bool {
        if self.buf.len() >= MAX_NUMERAL {
            self.overflow = true;
            return false;
        }
        if let Some(c) = self.c {
            self.buf.push(c);
        }
        self.c = self.s.getc();
        true
    }

    /// Takes the current byte if it is in `set`.
    fn accept(&mut self, set: &[u8]) -> bool {
        match self.c {
            Some(c) if set.contains(&c) => self.take(),
            _ => false,
        }
    }

    /// Takes a run of (hexadecimal) digits; returns how many.
    fn digits(&mut self, hex: bool) -> usize {
        let mut n = 0;
        while let Some(c) = self.c {
            let ok = if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            };
            if !ok || !self.take() {
                break;
            }
            n += 1;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path(tag: &str) -> Vec<u8> {
        let p = std::env::temp_dir().join(format!("lunajit_stream_{}_{tag}", std::process::id()));
        p.to_string_lossy().into_owned().into_bytes()
    }

    fn remove(p: &[u8]) {
        let _ = std::fs::remove_file(String::from_utf8_lossy(p).as_ref());
    }

    #[test]
    fn modes_are_checked_like_puc() {
        for m in ["r", "w", "a", "r+", "w+", "a+", "rb", "r+b", "wbb", "a+b"] {
            assert!(valid_open_mode(m.as_bytes()), "{m}");
        }
        for m in ["", "x", "rb+", "rw", "r++", "+", "br"] {
            assert!(!valid_open_mode(m.as_bytes()), "{m}");
        }
    }

    #[test]
    fn missing_file_is_enoent() {
        let e = Stream::open(b"/nonexistent/lunajit/x", b"r").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    }

    #[test]
    fn write_then_read_lines_numbers_and_counts() {
        let p = temp_path("lines");
        let mut w = Stream::open(&p, b"w").unwrap();
        w.write(b"one\ntwo\n 0x1F -2.5e1 1e+ 7\nlast").unwrap();
        assert!(matches!(w.close(), Closed::File(Ok(()))));
        let mut r = Stream::open(&p, b"r").unwrap();
        let mut scratch = Vec::new();
        assert_eq!(r.read_line(false, &mut scratch), Some(&b"one"[..]));
        assert_eq!(r.read_line(true, &mut scratch), Some(&b"two\n"[..]));
        assert_eq!(r.read_numeral().unwrap(), b"0x1F");
        assert_eq!(r.read_numeral().unwrap(), b"-2.5e1");
        // "1e+" is consumed and is not a numeral; the space is put back
        assert_eq!(r.read_numeral().unwrap(), b"1e+");
        assert_eq!(r.read_numeral().unwrap(), b"7");
        let mut out = Vec::new();
        assert!(r.read_chars(2, &mut out));
        assert_eq!(out, b"\nl");
        assert!(r.test_eof());
        out.clear();
        r.read_all(&mut out);
        assert_eq!(out, b"ast");
        assert!(!r.test_eof());
        assert_eq!(r.read_line(false, &mut scratch), None);
        assert_eq!(r.read_error(), None);
        remove(&p);
    }

    #[test]
    fn long_numerals_are_rejected_after_200_bytes() {
        let p = temp_path("numeral");
        let mut w = Stream::open(&p, b"w").unwrap();
        w.write(&[b'1'; 250]).unwrap();
        drop(w);
        let mut r = Stream::open(&p, b"r").unwrap();
        assert_eq!(r.read_numeral(), None);
        let mut rest = Vec::new();
        r.read_all(&mut rest);
        assert_eq!(rest.len(), 50);
        remove(&p);
    }

    #[test]
    fn read_write_file_keeps_positions() {
        let p = temp_path("rplus");
        let mut w = Stream::open(&p, b"w").unwrap();
        w.write(b"abc\ndef\n").unwrap();
        drop(w);
        let mut f = Stream::open(&p, b"r+").unwrap();
        let mut scratch = Vec::new();
        assert_eq!(f.read_line(false, &mut scratch), Some(&b"abc"[..]));
        f.write(b"XY").unwrap();
        let mut out = Vec::new();
        f.read_all(&mut out);
        assert_eq!(out, b"f\n");
        assert_eq!(f.seek(Whence::Set, 0).unwrap(), 0);
        out.clear();
        f.read_all(&mut out);
        assert_eq!(out, b"abc\nXYf\n");
        assert_eq!(f.seek(Whence::Cur, -2).unwrap(), 6);
        assert_eq!(f.seek(Whence::End, 0).unwrap(), 8);
        assert!(f.seek(Whence::Set, -1).is_err());
        remove(&p);
    }

    #[test]
    fn wrong_direction_is_ebadf() {
        let p = temp_path("ebadf");
        let mut w = Stream::open(&p, b"w").unwrap();
        let mut out = Vec::new();
        assert!(!w.read_chars(1, &mut out));
        assert_eq!(w.read_error(), Some(libc::EBADF));
        drop(w);
        let mut r = Stream::open(&p, b"r").unwrap();
        assert_eq!(r.write(b"x"), Err(libc::EBADF));
        remove(&p);
    }

    #[test]
    fn append_modes_position() {
        let p = temp_path("append");
        let mut w = Stream::open(&p, b"w").unwrap();
        w.write(b"12345").unwrap();
        drop(w);
        let mut a = Stream::open(&p, b"a").unwrap();
        assert_eq!(a.seek(Whence::Cur, 0).unwrap(), 5);
        drop(a);
        let mut a = Stream::open(&p, b"a+").unwrap();
        assert_eq!(a.seek(Whence::Cur, 0).unwrap(), 0);
        a.write(b"6").unwrap();
        assert_eq!(a.seek(Whence::Cur, 0).unwrap(), 6);
        remove(&p);
    }

    #[test]
    fn popen_reads_output_and_status() {
        let mut p = Stream::popen(b"echo hi; exit 3", false).unwrap();
        let mut out = Vec::new();
        p.read_all(&mut out);
        assert_eq!(out, b"hi\n");
        match p.close() {
            Closed::Process(Ok(st)) => assert_eq!(st.code(), Some(3)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tmpfile_round_trip_and_unbuffered_writes() {
        let mut t = Stream::tmpfile().unwrap();
        t.set_mode(BufMode::No).unwrap();
        t.write(b"hello").unwrap();
        assert_eq!(t.seek(Whence::Set, 1).unwrap(), 1);
        let mut out = Vec::new();
        assert!(t.read_chars(100, &mut out));
        assert_eq!(out, b"ello");
    }
}
