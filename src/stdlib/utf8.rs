//! The utf8 library (§6.5): `char`, `charpattern`, `codes`, `codepoint`,
//! `len`, `offset`, with the behaviour and messages of PUC Lua 5.4.4,
//! except `codes`, which follows 5.4.6 (it refuses stray continuation bytes).
//!
//! Strings are byte sequences; "UTF-8" here is the original, up-to-6-byte
//! encoding of values up to 2^31 - 1. Strict functions (the default) accept
//! only code points up to U+10FFFF that are not surrogates; the `lax`
//! argument lifts that restriction. Overlong encodings are always rejected.
//!
//! The byte-level helpers (`decode`, `encode`, `rel_pos`) know nothing of the
//! VM and are unit-tested on their own; the library functions only check
//! arguments and push results.

use super::aux::*;
use crate::runtime::error::LuaResult;
use crate::runtime::state::State;
use crate::runtime::value::*;

/// Largest code point accepted in strict mode.
pub const MAX_UNICODE: u32 = 0x10FFFF;
/// Largest value the (extended) encoding can represent.
pub const MAX_UTF: u32 = 0x7FFF_FFFF;

/// The pattern matching exactly one UTF-8 byte sequence (`utf8.charpattern`).
pub const CHARPATTERN: &[u8] = b"[\x00-\x7F\xC2-\xFD][\x80-\xBF]*";

/// Is `b` a continuation byte (10xxxxxx)?
#[inline]
fn is_cont(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// The byte at `i`, or 0 past the end (PUC strings end with a NUL that the
/// decoder may look at; 0 is never a continuation byte).
#[inline]
fn byte_at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// Decodes one sequence starting at byte `i` of `s`: `Some((code, next))`
/// with `next` the index after the sequence, or `None` when the bytes there
/// are not a valid (non-overlong) sequence. With `strict`, values above
/// U+10FFFF and surrogates are invalid too.
///
/// Algorithm: the count of leading 1 bits of the first byte (after the
/// first) is the number of continuation bytes; each contributes 6 low bits;
/// the rest of the first byte supplies the high bits. The result must need
/// that many bytes (no overlong forms) and fit in 31 bits.
pub fn decode(s: &[u8], i: usize, strict: bool) -> Option<(u32, usize)> {
    // Smallest value that needs 1..=5 continuation bytes.
    const LIMITS: [u32; 6] = [u32::MAX, 0x80, 0x800, 0x1_0000, 0x20_0000, 0x400_0000];
    let c = byte_at(s, i) as u32;
    let (res, next) = if c < 0x80 {
        (c, i + 1)
    } else {
        let mut count = 0usize;
        let mut res: u32 = 0;
        let mut lead = c;
        while lead & 0x40 != 0 {
            count += 1;
            if count > 5 {
                return None;
            }
            let cc = byte_at(s, i + count);
            if !is_cont(cc) {
                return None;
            }
            res = (res << 6) | (cc as u32 & 0x3F);
            lead <<= 1;
        }
        // the payload bits left in the first byte
        let high = (lead & 0x7F) as u64;
        let full = ((high) << (count * 5)) | res as u64;
        if count == 0 || full > MAX_UTF as u64 || (full as u32) < LIMITS[count] {
            return None;
        }
        (full as u32, i + count + 1)
    };
    if strict && (res > MAX_UNICODE || (0xD800..=0xDFFF).contains(&res)) {
        return None;
    }
    Some((res, next))
}

/// Encodes `x` (at most [`MAX_UTF`]) in the extended UTF-8 form, appending
/// to `out` (PUC's `luaO_utf8esc`): 1 byte below 0x80, else a lead byte and
/// up to 5 continuation bytes.
pub fn encode(x: u32, out: &mut Vec<u8>) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let mut tail = [0u8; 6];
    let mut n = 0;
    let mut x = x;
    // largest payload that still fits in the lead byte
    let mut mfb: u32 = 0x3F;
    loop {
        tail[n] = 0x80 | (x & 0x3F) as u8;
        n += 1;
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    out.push(((!mfb << 1) | x) as u8);
    for k in (0..n).rev() {
        out.push(tail[k]);
    }
}

/// A relative string position (negative counts from the end) made absolute
/// (`u_posrelat`): 0 when it falls before the start.
pub fn rel_pos(pos: i64, len: usize) -> i64 {
    if pos >= 0 {
        pos
    } else if pos.unsigned_abs() > len as u64 {
        0
    } else {
        len as i64 + pos + 1
    }
}

/// Registers the utf8 library.
pub fn open(l: &mut State) {
    let t = new_lib(
        l,
        "utf8",
        &[
            ("offset", offset),
            ("codepoint", codepoint),
            ("char", char_),
            ("len", len),
        ],
    );
    // `codes` keeps its two iterators as upvalues so every call returns the
    // same function value, as PUC's light C functions are equal. They have
    // no name of their own: messages name them "?" unless called by a
    // generic `for` ("for iterator").
    let strict = l.g().new_native(iter_strict, "", Vec::new());
    let lax = l.g().new_native(iter_lax, "", Vec::new());
    let codes_fn = l.g().new_native(
        codes,
        "codes",
        vec![TValue::native(strict), TValue::native(lax)],
    );
    set_field(l, t, "codes", TValue::native(codes_fn));
    let pat = l.str_value(CHARPATTERN);
    set_field(l, t, "charpattern", pat);
}

/// The string argument `n` as bytes (copied, so the stack may change).
fn check_bytes(l: &mut State, n: usize) -> LuaResult<Vec<u8>> {
    let s = check_str(l, n)?;
    // SAFETY: s is rooted in its argument slot while we copy it.
    Ok(unsafe { bytes(s) }.to_vec())
}

/// `utf8.char(...)`: the concatenation of the encodings of its integer
/// arguments; "value out of range" above 0x7FFFFFFF or below 0.
fn char_(l: &mut State) -> LuaResult<usize> {
    let n = nargs(l);
    let mut out = Vec::with_capacity(n * 2);
    for i in 1..=n {
        let code = check_int(l, i)?;
        if code as u64 > MAX_UTF as u64 {
            return Err(arg_error(l, i, "value out of range"));
        }
        encode(code as u32, &mut out);
    }
    ret_str(l, &out)
}

/// `utf8.len(s [, i [, j [, lax]]])`: number of characters between byte
/// positions i and j, or fail plus the position of the first invalid byte.
fn len(l: &mut State) -> LuaResult<usize> {
    let s = check_bytes(l, 1)?;
    let slen = s.len();
    let i = opt_int(l, 2, 1)?;
    let mut posi = rel_pos(i, slen);
    let j = opt_int(l, 3, -1)?;
    let posj = rel_pos(j, slen) - 1;
    let lax = !arg(l, 4).is_falsy();
    if !(1 <= posi && posi - 1 <= slen as i64) {
        return Err(arg_error(l, 2, "initial position out of bounds"));
    }
    posi -= 1;
    if posj >= slen as i64 {
        return Err(arg_error(l, 3, "final position out of bounds"));
    }
    let mut count: i64 = 0;
    while posi <= posj {
        match decode(&s, posi as usize, !lax) {
            Some((_, next)) => {
                posi = next as i64;
                count += 1;
            }
            None => {
                l.push(TValue::NIL);
                l.push(TValue::int(posi + 1));
                return Ok(2);
            }
        }
    }
    l.push(TValue::int(count));
    Ok(1)
}

/// `utf8.codepoint(s [, i [, j [, lax]]])`: the code points of the
/// characters starting between byte positions i and j (default j = i).
fn codepoint(l: &mut State) -> LuaResult<usize> {
    let s = check_bytes(l, 1)?;
    let slen = s.len();
    let i = opt_int(l, 2, 1)?;
    let posi = rel_pos(i, slen);
    let j = opt_int(l, 3, posi)?;
    let pose = rel_pos(j, slen);
    let lax = !arg(l, 4).is_falsy();
    if posi < 1 {
        return Err(arg_error(l, 2, "out of bounds"));
    }
    if pose > slen as i64 {
        return Err(arg_error(l, 3, "out of bounds"));
    }
    if posi > pose {
        return Ok(0);
    }
    if pose - posi >= i32::MAX as i64 {
        return Err(l.error("string slice too long"));
    }
    // room for the largest possible number of results, checked up front
    // as PUC's `luaL_checkstack` does
    if l.check_stack((pose - posi + 1) as usize).is_err() {
        return Err(l.error("stack overflow (string slice too long)"));
    }
    let mut p = posi as usize - 1;
    let end = pose as usize;
    let mut n = 0;
    while p < end {
        match decode(&s, p, !lax) {
            Some((code, next)) => {
                l.push(TValue::int(code as i64));
                n += 1;
                p = next;
            }
            None => return Err(l.error("invalid UTF-8 code")),
        }
    }
    Ok(n)
}

/// `utf8.offset(s, n [, i])`: byte position where the n-th character
/// (counting from position i) starts; n = 0 finds the start of the
/// character containing byte i. Fail when there is no such character.
fn offset(l: &mut State) -> LuaResult<usize> {
    let s = check_bytes(l, 1)?;
    let slen = s.len() as i64;
    let mut n = check_int(l, 2)?;
    let default_i = if n >= 0 { 1 } else { slen + 1 };
    let i = opt_int(l, 3, default_i)?;
    let mut posi = rel_pos(i, s.len());
    if !(1 <= posi && posi - 1 <= slen) {
        return Err(arg_error(l, 3, "position out of bounds"));
    }
    posi -= 1;
    let cont = |p: i64| is_cont(byte_at(&s, p as usize));
    if n == 0 {
        while posi > 0 && cont(posi) {
            posi -= 1;
        }
    } else {
        if cont(posi) {
            return Err(l.error("initial position is a continuation byte"));
        }
        if n < 0 {
            while n < 0 && posi > 0 {
                loop {
                    posi -= 1;
                    if !(posi > 0 && cont(posi)) {
                        break;
                    }
                }
                n += 1;
            }
        } else {
            n -= 1;
            while n > 0 && posi < slen {
                loop {
                    posi += 1;
                    if !cont(posi) {
                        break;
                    }
                }
                n -= 1;
            }
        }
    }
    l.push(if n == 0 {
        TValue::int(posi + 1)
    } else {
        TValue::NIL
    });
    Ok(1)
}

/// One step of `utf8.codes` (Lua 5.4.6 semantics, lutf8lib.c `iter_aux`): the
/// control value is the 1-based position of the previous character, which is the
/// 0-based index of the byte after its first byte; continuation bytes there are
/// skipped and the next character decoded. A character followed by a stray
/// continuation byte is invalid ("invalid UTF-8 code"), which 5.4.4 let through.
/// A non-integer control value counts as 0; a negative one (huge as unsigned)
/// ends the loop.
fn iter_step(l: &mut State, strict: bool) -> LuaResult<usize> {
    let s = check_bytes(l, 1)?;
    let ctl = arg(l, 2);
    let n0 = crate::runtime::tm::to_integer(&ctl).unwrap_or(0);
    let mut n = n0 as u64;
    let len = s.len() as u64;
    if n < len {
        while is_cont(byte_at(&s, n as usize)) {
            n += 1;
        }
    }
    if n >= len {
        return Ok(0);
    }
    match decode(&s, n as usize, strict) {
        Some((code, next)) if !is_cont(byte_at(&s, next)) => {
            l.push(TValue::int(n as i64 + 1));
            l.push(TValue::int(code as i64));
            Ok(2)
        }
        _ => Err(l.error("invalid UTF-8 code")),
    }
}

fn iter_strict(l: &mut State) -> LuaResult<usize> {
    iter_step(l, true)
}

fn iter_lax(l: &mut State) -> LuaResult<usize> {
    iter_step(l, false)
}

/// `utf8.codes(s [, lax])`: the generic-for triple (iterator, s, 0).
fn codes(l: &mut State) -> LuaResult<usize> {
    let lax = !arg(l, 2).is_falsy();
    let bytes = check_bytes(l, 1)?;
    // 5.4.6: a subject that starts with a continuation byte is refused up front.
    if is_cont(byte_at(&bytes, 0)) {
        return Err(arg_error(l, 1, "invalid UTF-8 code"));
    }
    let s = arg(l, 1);
    let f = l.stack[l.ci().func];
    let it = if f.tt == TNCL {
        // SAFETY: the running native closure is live; `open` gave it two
        // upvalues.
        unsafe {
            let ups = &(*f.as_native()).upvals;
            ups.get(if lax { 1 } else { 0 }).copied()
        }
    } else {
        None
    };
    let it = match it {
        Some(v) => v,
        None => {
            let c = l
                .g()
                .new_native(if lax { iter_lax } else { iter_strict }, "", Vec::new());
            TValue::native(c)
        }
    };
    l.push(it);
    l.push(s);
    l.push(TValue::int(0));
    Ok(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(x: u32) -> Vec<u8> {
        let mut v = Vec::new();
        encode(x, &mut v);
        v
    }

    #[test]
    fn encode_matches_standard_utf8() {
        for &c in &[
            0u32, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF,
        ] {
            if let Some(ch) = char::from_u32(c) {
                let mut buf = [0u8; 4];
                assert_eq!(enc(c), ch.encode_utf8(&mut buf).as_bytes());
            }
        }
        // lua5.4: utf8.char(0x7FFFFFFF):byte(1,-1) = 253 191 191 191 191 191
        assert_eq!(enc(0x7FFF_FFFF), vec![253, 191, 191, 191, 191, 191]);
        assert_eq!(enc(0x110000), vec![0xF4, 0x90, 0x80, 0x80]);
    }

    #[test]
    fn decode_round_trips_and_rejects() {
        for &c in &[0u32, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0x10FFFF] {
            let e = enc(c);
            assert_eq!(decode(&e, 0, true), Some((c, e.len())));
        }
        for &c in &[0xD800u32, 0x110000, 0x7FFF_FFFF] {
            let e = enc(c);
            assert_eq!(decode(&e, 0, true), None);
            assert_eq!(decode(&e, 0, false), Some((c, e.len())));
        }
        // continuation byte as lead, overlong forms, truncated, 0xFE/0xFF
        assert_eq!(decode(b"\x80", 0, false), None);
        assert_eq!(decode(b"\xC0\x80", 0, false), None);
        assert_eq!(decode(b"\xE0\x80\x80", 0, false), None);
        assert_eq!(decode(b"\xE4\x80", 0, false), None);
        assert_eq!(decode(b"\xFE\x80\x80\x80\x80\x80\x80", 0, false), None);
        assert_eq!(decode(b"\xFF", 0, false), None);
        assert_eq!(decode(b"", 0, true), Some((0, 1)));
    }

    #[test]
    fn relative_positions() {
        assert_eq!(rel_pos(3, 5), 3);
        assert_eq!(rel_pos(-1, 5), 5);
        assert_eq!(rel_pos(-5, 5), 1);
        assert_eq!(rel_pos(-6, 5), 0);
        assert_eq!(rel_pos(i64::MIN, 5), 0);
    }

    #[test]
    fn library_functions_through_lua() {
        use crate::{Lua, Value};
        let mut lua = Lua::new();
        let r = lua
            .exec(
                "return utf8.len('h\u{e9}llo'), utf8.char(0x20ac, 65), \
                 utf8.offset('a\u{e9}b', 3), select(2, utf8.len('ab\\xffc')), \
                 utf8.codepoint('\u{10FFFF}')",
            )
            .unwrap();
        assert_eq!(
            r,
            vec![
                Value::Integer(5),
                Value::String("\u{20ac}A".as_bytes().to_vec()),
                Value::Integer(4),
                Value::Integer(3),
                Value::Integer(0x10FFFF),
            ]
        );
        let e = lua.exec("return utf8.char(-1)").unwrap_err();
        assert!(e
            .message()
            .ends_with("bad argument #1 to 'char' (value out of range)"));
    }
}
