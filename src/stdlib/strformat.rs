//! `string.format` (§6.4): walks the format string, fetches and checks each
//! argument in PUC's order (see `fmt`'s module docs) and appends the
//! conversions produced by `fmt`.

use super::aux::*;
use super::fmt::{self, FormatError};
use crate::runtime::error::{LuaError, LuaResult};
use crate::runtime::state::State;
use crate::runtime::value::*;

fn fmt_error(l: &mut State, e: FormatError) -> LuaError {
    let m = String::from_utf8_lossy(e.message()).into_owned();
    l.error(m)
}

/// `string.format(fmt, ...)`.
pub fn format(l: &mut State) -> LuaResult<usize> {
    let fs = check_str(l, 1)?;
    // SAFETY: the format string is rooted in argument 1.
    let f = unsafe { bytes(fs) };
    let n = nargs(l);
    let mut out = Vec::with_capacity(f.len() + 16);
    let mut argi = 1;
    let mut i = 0;
    while i < f.len() {
        let c = f[i];
        if c != b'%' {
            out.push(c);
            i += 1;
            continue;
        }
        if f.get(i + 1) == Some(&b'%') {
            out.push(b'%');
            i += 2;
            continue;
        }
        argi += 1;
        if argi > n {
            return Err(arg_error(l, argi, "no value"));
        }
        let (spec, next) = match fmt::parse_spec(f, i + 1) {
            Ok(r) => r,
            Err(e) => return Err(fmt_error(l, e)),
        };
        i = next;
        match spec.conversion {
            b'c' => {
                spec.check().map_err(|e| fmt_error(l, e))?;
                let v = check_int(l, argi)?;
                fmt::format_integer(&spec, v, &mut out);
            }
            b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => {
                let v = check_int(l, argi)?;
                spec.check().map_err(|e| fmt_error(l, e))?;
                fmt::format_integer(&spec, v, &mut out);
            }
            b'a' | b'A' => {
                spec.check().map_err(|e| fmt_error(l, e))?;
                let v = check_f64(l, argi)?;
                fmt::format_float(&spec, v, &mut out);
            }
            b'e' | b'E' | b'f' | b'g' | b'G' => {
                let v = check_f64(l, argi)?;
                spec.check().map_err(|e| fmt_error(l, e))?;
                fmt::format_float(&spec, v, &mut out);
            }
            b'p' => {
                spec.check().map_err(|e| fmt_error(l, e))?;
                let v = arg(l, argi);
                let addr = if v.is_collectable() || v.tt == TLIGHTUD {
                    v.val as usize
                } else {
                    0
                };
                fmt::format_pointer(&spec, addr, &mut out);
            }
            b'q' => {
                spec.check().map_err(|e| fmt_error(l, e))?;
                let v = arg(l, argi);
                match v.tt {
                    // SAFETY: rooted argument.
                    TSTR => fmt::quote_string(unsafe { bytes(v.as_string()) }, &mut out),
                    TINT => fmt::quote_integer(v.as_int(), &mut out),
                    TFLOAT => fmt::quote_float(v.as_float(), &mut out),
                    TNIL | TFALSE | TTRUE => {
                        let b = tostring_bytes(l, v)?;
                        out.extend_from_slice(&b);
                    }
                    _ => return Err(arg_error(l, argi, "value has no literal form")),
                }
            }
            b's' => {
                let v = arg(l, argi);
                let s = tostring_bytes(l, v)?;
                if !spec.has_modifiers() {
                    out.extend_from_slice(&s);
                } else {
                    if s.contains(&0) {
                        return Err(arg_error(l, argi, "string contains zeros"));
                    }
                    spec.check().map_err(|e| fmt_error(l, e))?;
                    fmt::format_string(&spec, &s, &mut out);
                }
            }
            _ => {
                let t = String::from_utf8_lossy(spec.text()).into_owned();
                return Err(l.error(format!("invalid conversion '{t}' to 'format'")));
            }
        }
    }
    ret_str(l, &out)
}
