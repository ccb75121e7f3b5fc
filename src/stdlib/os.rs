//! The os library (§6.9): time and date through the C library (`time`,
//! `mktime`, `strftime`, `clock`), environment, files, process exit.

use super::aux::*;
use crate::runtime::error::LuaResult;
use crate::runtime::state::State;
use crate::runtime::value::*;

/// Registers the os library.
pub fn open(l: &mut State) {
    new_lib(
        l,
        "os",
        &[
            ("clock", clock),
            ("date", date),
            ("difftime", difftime),
            ("execute", execute),
            ("exit", exit),
            ("getenv", getenv),
            ("remove", remove),
            ("rename", rename),
            ("setlocale", setlocale),
            ("time", time),
            ("tmpname", tmpname),
        ],
    );
}

fn clock(l: &mut State) -> LuaResult<usize> {
    // C's clock(): processor time of the process.
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out-parameter.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    l.push(TValue::float(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9));
    Ok(1)
}

fn getenv(l: &mut State) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    // SAFETY: rooted argument.
    let name = String::from_utf8_lossy(unsafe { bytes(s) }).into_owned();
    match std::env::var_os(&name) {
        Some(v) => {
            use std::os::unix::ffi::OsStrExt;
            ret_str(l, v.as_bytes())
        }
        None => {
            l.push(TValue::NIL);
            Ok(1)
        }
    }
}

/// `os.exit([code [, close]])`: flushes output and ends the process.
fn exit(l: &mut State) -> LuaResult<usize> {
    let v = arg(l, 1);
    let code = match v.tt {
        TNIL | TTRUE => 0,
        TFALSE => 1,
        _ => check_int(l, 1)? as i32,
    };
    // batches being compiled still reach the code cache (before closing the
    // state: their results are installed in prototypes); --jit-stats
    crate::jit::exit_report(l.g());
    if !arg(l, 2).is_falsy() {
        // close the state: run finalizers
        let main = l.g().main_thread;
        super::io::flush_all();
        // SAFETY: the process ends right after; nothing uses the universe.
        unsafe { crate::runtime::gc::close_universe(main) };
    }
    super::io::flush_all();
    crate::profile::finish_session(l.g());
    std::process::exit(code);
}

fn push_result(l: &mut State, r: std::io::Result<()>, name: &str) -> LuaResult<usize> {
    match r {
        Ok(()) => {
            l.push(TValue::TRUE);
            Ok(1)
        }
        Err(e) => {
            l.push(TValue::NIL);
            let msg = format!("{}: {}", name, super::io::os_error_text(&e));
            l.push_str(msg.as_bytes());
            l.push(TValue::int(e.raw_os_error().unwrap_or(0) as i64));
            Ok(3)
        }
    }
}

fn remove(l: &mut State) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    // SAFETY: rooted argument.
    let name = String::from_utf8_lossy(unsafe { bytes(s) }).into_owned();
    let r = match std::fs::metadata(&name) {
        Ok(m) if m.is_dir() => std::fs::remove_dir(&name),
        _ => std::fs::remove_file(&name),
    };
    push_result(l, r, &name)
}

fn rename(l: &mut State) -> LuaResult<usize> {
    let a = check_str(l, 1)?;
    let b = check_str(l, 2)?;
    // SAFETY: rooted arguments.
    let (a, b) = unsafe {
        (
            String::from_utf8_lossy(bytes(a)).into_owned(),
            String::from_utf8_lossy(bytes(b)).into_owned(),
        )
    };
    let r = std::fs::rename(&a, &b);
    // PUC reports rename failures without a file name
    match r {
        Ok(()) => push_result(l, Ok(()), &a),
        Err(e) => {
            l.push(TValue::NIL);
            l.push_str(super::io::os_error_text(&e).as_bytes());
            l.push(TValue::int(e.raw_os_error().unwrap_or(0) as i64));
            Ok(3)
        }
    }
}

fn tmpname(l: &mut State) -> LuaResult<usize> {
    let mut template = *b"/tmp/lua_XXXXXX\0";
    // SAFETY: mkstemp writes into the NUL-terminated template we own.
    let fd = unsafe { libc::mkstemp(template.as_mut_ptr() as *mut libc::c_char) };
    if fd < 0 {
        return Err(l.error("unable to generate a unique filename"));
    }
    // SAFETY: fd was just opened by mkstemp.
    unsafe { libc::close(fd) };
    ret_str(l, &template[..template.len() - 1])
}

fn execute(l: &mut State) -> LuaResult<usize> {
    let cmd = opt_str(l, 1)?;
    let Some(cmd) = cmd else {
        l.push(TValue::TRUE);
        return Ok(1);
    };
    super::io::flush_stdout();
    // SAFETY: rooted argument.
    let c = String::from_utf8_lossy(unsafe { bytes(cmd) }).into_owned();
    use std::os::unix::process::CommandExt;
    // like C's system(): argv[0] is "sh", so shell errors read "sh: ..."
    match std::process::Command::new("/bin/sh")
        .arg0("sh")
        .arg("-c")
        .arg(&c)
        .status()
    {
        Ok(st) => Ok(super::io::push_exec_result(l, st)),
        Err(e) => push_result(l, Err(e), &c),
    }
}

/// `os.setlocale([locale [, category]])` (§6.9): C's `setlocale` for the category
/// (`"all"` by default); returns the new (or, with no locale, the current) locale's
/// name, or nil when the request cannot be honoured. `""` selects the locale of the
/// environment. What follows it is C-library behaviour: `os.date` (strftime)
/// and `string.format('%c')` see the locale, but lunajit's own number formatting
/// and parsing (`tostring`, `tonumber`, `%g`) always use `.` as the decimal point,
/// where PUC Lua would follow `LC_NUMERIC`.
fn setlocale(l: &mut State) -> LuaResult<usize> {
    let loc = opt_str(l, 1)?;
    const CATEGORIES: [libc::c_int; 6] = [
        libc::LC_ALL,
        libc::LC_COLLATE,
        libc::LC_CTYPE,
        libc::LC_MONETARY,
        libc::LC_NUMERIC,
        libc::LC_TIME,
    ];
    let cat = check_option(
        l,
        2,
        Some("all"),
        &["all", "collate", "ctype", "monetary", "numeric", "time"],
    )?;
    // C sees the name up to its first zero byte, as with PUC's `const char *`.
    let name = loc.map(|s| {
        // SAFETY: rooted argument.
        let b = unsafe { bytes(s) };
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        std::ffi::CString::new(&b[..end]).expect("no interior zero byte")
    });
    let ptr = name.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
    // SAFETY: `ptr` is null or a NUL-terminated string that outlives the call; the
    // returned pointer, when not null, is a NUL-terminated string owned by the C
    // library, valid until the next setlocale call, and copied before then. lunajit
    // calls setlocale only from the thread running Lua.
    let r = unsafe { libc::setlocale(CATEGORIES[cat], ptr) };
    if r.is_null() {
        l.push(TValue::NIL);
        Ok(1)
    } else {
        // SAFETY: see above.
        let out = unsafe { std::ffi::CStr::from_ptr(r) }.to_bytes().to_vec();
        ret_str(l, &out)
    }
}

/// `t[k]` for a date table, honouring `__index` like PUC's `lua_getfield`.
fn get_field_meta(
    l: &mut State,
    t: *mut crate::runtime::table::Table,
    k: &str,
) -> LuaResult<TValue> {
    let key = TValue::string(l.g().intern(k.as_bytes()));
    crate::runtime::tm::index(l, TValue::table(t), key, std::ptr::null())
}

/// Field `k` of a date table minus `delta` (1900 for years, 1 for months), as
/// PUC's `getfield`: a missing field takes default `d` (or is an error), a
/// non-integer is an error, and the result must fit in a C `int` after
/// subtracting `delta`.
fn get_field_int(
    l: &mut State,
    t: *mut crate::runtime::table::Table,
    k: &str,
    d: Option<i64>,
    delta: i64,
) -> LuaResult<i64> {
    let v = get_field_meta(l, t, k)?;
    if v.is_nil() {
        return match d {
            Some(d) => Ok(d - delta),
            None => Err(l.error(format!("field '{k}' missing in date table"))),
        };
    }
    match crate::runtime::tm::to_integer(&v) {
        Some(i) => {
            let r = i.checked_sub(delta);
            match r {
                Some(r) if (i32::MIN as i64..=i32::MAX as i64).contains(&r) => Ok(r),
                _ => Err(l.error(format!("field '{k}' is out-of-bound"))),
            }
        }
        None => Err(l.error(format!("field '{k}' is not an integer"))),
    }
}

fn time(l: &mut State) -> LuaResult<usize> {
    if arg(l, 1).is_nil() {
        // SAFETY: time(NULL) has no preconditions.
        let t = unsafe { libc::time(std::ptr::null_mut()) };
        l.push(TValue::int(t as i64));
        return Ok(1);
    }
    let t = check_table(l, 1)?;
    // SAFETY: tm is plain data; mktime normalises it.
    let mut tmv: libc::tm = unsafe { std::mem::zeroed() };
    // PUC reads the fields in this order (so it reports the first bad one of these)
    tmv.tm_year = get_field_int(l, t, "year", None, 1900)? as i32;
    tmv.tm_mon = get_field_int(l, t, "month", None, 1)? as i32;
    tmv.tm_mday = get_field_int(l, t, "day", None, 0)? as i32;
    tmv.tm_hour = get_field_int(l, t, "hour", Some(12), 0)? as i32;
    tmv.tm_min = get_field_int(l, t, "min", Some(0), 0)? as i32;
    tmv.tm_sec = get_field_int(l, t, "sec", Some(0), 0)? as i32;
    let isdst = get_field_meta(l, t, "isdst")?;
    tmv.tm_isdst = if isdst.is_nil() {
        -1
    } else {
        (!isdst.is_falsy()) as i32
    };
    // SAFETY: tmv is a valid tm.
    let r = unsafe { libc::mktime(&mut tmv) };
    // Like PUC 5.4.4: the fields are updated first, and -1 is always an error
    // (even when it is the true answer, 1969-12-31 23:59:59 UTC).
    set_date_fields(l, t, &tmv);
    if r == -1 {
        return Err(l.error("time result cannot be represented in this installation"));
    }
    l.push(TValue::int(r as i64));
    Ok(1)
}

fn set_date_fields(l: &mut State, t: *mut crate::runtime::table::Table, tmv: &libc::tm) {
    set_field(l, t, "year", TValue::int(tmv.tm_year as i64 + 1900));
    set_field(l, t, "month", TValue::int(tmv.tm_mon as i64 + 1));
    set_field(l, t, "day", TValue::int(tmv.tm_mday as i64));
    set_field(l, t, "hour", TValue::int(tmv.tm_hour as i64));
    set_field(l, t, "min", TValue::int(tmv.tm_min as i64));
    set_field(l, t, "sec", TValue::int(tmv.tm_sec as i64));
    set_field(l, t, "yday", TValue::int(tmv.tm_yday as i64 + 1));
    set_field(l, t, "wday", TValue::int(tmv.tm_wday as i64 + 1));
    if tmv.tm_isdst >= 0 {
        set_field(l, t, "isdst", TValue::boolean(tmv.tm_isdst != 0));
    }
}

fn difftime(l: &mut State) -> LuaResult<usize> {
    // 5.4.4 requires both arguments
    let a = check_int(l, 1)?;
    let b = check_int(l, 2)?;
    l.push(TValue::float(a as f64 - b as f64));
    Ok(1)
}

fn date(l: &mut State) -> LuaResult<usize> {
    let fmt = match opt_str(l, 1)? {
        // SAFETY: rooted argument.
        Some(s) => unsafe { bytes(s) }.to_vec(),
        None => b"%c".to_vec(),
    };
    let t = if arg(l, 2).is_nil() {
        // SAFETY: no preconditions.
        unsafe { libc::time(std::ptr::null_mut()) }
    } else {
        check_int(l, 2)? as libc::time_t
    };
    let (utc, fmt) = match fmt.strip_prefix(b"!") {
        Some(f) => (true, f.to_vec()),
        None => (false, fmt),
    };
    // SAFETY: tm is plain data filled by gmtime_r/localtime_r.
    let mut tmv: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe {
        if utc {
            !libc::gmtime_r(&t, &mut tmv).is_null()
        } else {
            !libc::localtime_r(&t, &mut tmv).is_null()
        }
    };
    if !ok {
        return Err(l.error("date result cannot be represented in this installation"));
    }
    if fmt.starts_with(b"*t") {
        let tab = l.g().new_table(0, 9);
        set_date_fields(l, tab, &tmv);
        l.push(TValue::table(tab));
        return Ok(1);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            out.push(fmt[i]);
            i += 1;
            continue;
        }
        // one conversion (with optional E or O modifier)
        let mut spec = vec![b'%'];
        i += 1;
        // PUC quotes the whole rest of the format (up to a NUL) when the
        // conversion is invalid
        let rest = &fmt[i..];
        let rest = &rest[..rest.iter().position(|&b| b == 0).unwrap_or(rest.len())];
        let bad = || {
            format!(
                "invalid conversion specifier '%{}'",
                String::from_utf8_lossy(rest)
            )
        };
        if i < fmt.len() && (fmt[i] == b'E' || fmt[i] == b'O') {
            spec.push(fmt[i]);
            i += 1;
        }
        if i >= fmt.len() {
            return Err(arg_error(l, 1, &bad()));
        }
        let c = fmt[i];
        i += 1;
        spec.push(c);
        const VALID: &[u8] = b"aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
        let valid = if spec.len() == 3 {
            (spec[1] == b'E' && b"cCxXyY".contains(&c))
                || (spec[1] == b'O' && b"deHImMSuUVwWy".contains(&c))
        } else {
            VALID.contains(&c)
        };
        if !valid {
            return Err(arg_error(l, 1, &bad()));
        }
        spec.push(0);
        let mut buf = [0u8; 256];
        // SAFETY: spec is NUL-terminated, buf has room, tmv is valid.
        let n = unsafe {
            libc::strftime(
                buf.as_mut_ptr() as *mut libc::c_char,
                buf.len(),
                spec.as_ptr() as *const libc::c_char,
                &tmv,
            )
        };
        out.extend_from_slice(&buf[..n]);
    }
    ret_str(l, &out)
}
