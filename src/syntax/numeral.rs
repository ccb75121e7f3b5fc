//! Conversion of numerals and numeric strings to Lua numbers (§3.1 numerals,
//! §3.4.3 string coercions, `lua_stringtonumber`).
//!
//! The lexer reads a numeral greedily and hands its text to [`str2number`]; the
//! runtime uses the same function for `tonumber` and for arithmetic coercions,
//! so both agree on every input.
//!
//! Algorithm (the behaviour of PUC Lua 5.4 on a C99 libc):
//! 1. Try an integer: optional whitespace, optional sign, then either decimal
//!    digits (rejected on overflow, so that step 2 turns them into a float) or
//!    `0x` and hex digits (wrapping around modulo 2^64), optional whitespace.
//! 2. Otherwise try a float with `strtod` syntax restricted to what Lua accepts:
//!    no `inf`/`nan` (any `n`/`N` rejects the string), decimal floats with an
//!    optional `e` exponent, hex floats with an optional binary `p` exponent.
//!    Decimal floats are converted by Rust's correctly rounded parser; hex
//!    floats by exact bit accumulation with round-half-to-even.
//!
//! Invariants: never panics, never allocates, accepts any bytes (a NUL or any
//! non-ASCII byte simply makes the conversion fail).
//! Calls nothing outside `core`/`std`.

/// A Lua number as produced by a numeral: the two subtypes of §2.1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Numeral {
    /// A 64-bit integer.
    Int(i64),
    /// A double-precision float.
    Float(f64),
}

/// The whitespace accepted around a numeric string (C `isspace` in the C locale).
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Value of an ASCII hex digit, or `None`.
fn hex_value(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

/// Index of the first byte of `s` at or after `i` that is not whitespace.
fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    i
}

/// Converts a string to a Lua number following `lua_stringtonumber` (§3.4.3):
/// an integer if the text is a decimal integer that fits in 64 bits or any hex
/// integer (which wraps around), otherwise a float; `None` if the text (after
/// trimming surrounding whitespace) is not a valid numeral.
///
/// Examples: `"0x10"` → `Int(16)`, `"9223372036854775808"` → `Float(2^63)`,
/// `"0xA.8p1"` → `Float(21.0)`, `"1e"` → `None`, `"inf"` → `None`.
pub fn str2number(s: &[u8]) -> Option<Numeral> {
    if let Some(i) = str2int(s) {
        return Some(Numeral::Int(i));
    }
    str2float(s).map(Numeral::Float)
}

/// Converts a string to an integer the way Lua 5.4's `l_str2int` does:
/// surrounding whitespace, an optional sign, then decimal digits (`None` on
/// overflow) or `0x`/`0X` and hex digits (wrapping modulo 2^64). Returns `None`
/// for anything else, including floats such as `"1.0"`.
pub fn str2int(s: &[u8]) -> Option<i64> {
    let mut i = skip_spaces(s, 0);
    let mut neg = false;
    match s.get(i) {
        Some(b'-') => {
            neg = true;
            i += 1;
        }
        Some(b'+') => i += 1,
        _ => {}
    }
    let mut acc: u64 = 0;
    let mut empty = true;
    if s.get(i) == Some(&b'0') && matches!(s.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while let Some(d) = s.get(i).and_then(|&c| hex_value(c)) {
            acc = acc.wrapping_mul(16).wrapping_add(u64::from(d));
            empty = false;
            i += 1;
        }
    } else {
        // The magnitude may reach 2^63 only for a negative number.
        let max_by_10 = (i64::MAX as u64) / 10;
        let max_last_digit = (i64::MAX as u64) % 10;
        while let Some(&c) = s.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            let d = u64::from(c - b'0');
            if acc >= max_by_10 && (acc > max_by_10 || d > max_last_digit + u64::from(neg)) {
                return None; // overflow: not an integer (may still be a float)
            }
            acc = acc * 10 + d;
            empty = false;
            i += 1;
        }
    }
    i = skip_spaces(s, i);
    if empty || i != s.len() {
        return None;
    }
    let value = if neg { 0u64.wrapping_sub(acc) } else { acc };
    Some(value as i64)
}

/// Converts a string to a float the way Lua 5.4's `l_str2d` does (C `strtod`
/// syntax without `inf`/`nan`): surrounding whitespace, an optional sign, then a
/// decimal float (`digits[.digits][e[sign]digits]`, at least one digit) or a
/// hex float (`0x hexdigits[.hexdigits][p[sign]digits]`, at least one hex
/// digit). Overflow gives ±infinity and underflow ±0 or a subnormal, like
/// `strtod`. Returns `None` for anything else.
pub fn str2float(s: &[u8]) -> Option<f64> {
    if s.iter().any(|&c| c == b'n' || c == b'N') {
        return None; // rejects 'inf' and 'nan'
    }
    let mut i = skip_spaces(s, 0);
    let num_start = i;
    let mut neg = false;
    match s.get(i) {
        Some(b'-') => {
            neg = true;
            i += 1;
        }
        Some(b'+') => i += 1,
        _ => {}
    }
    let (value, end) = if s.get(i) == Some(&b'0') && matches!(s.get(i + 1), Some(b'x' | b'X')) {
        let (v, end) = scan_hex_float(s, i + 2)?;
        (if neg { -v } else { v }, end)
    } else {
        let end = scan_decimal_float(s, i)?;
        // The slice is validated ASCII in Rust's accepted float syntax.
        let text = std::str::from_utf8(&s[num_start..end]).ok()?;
        (text.parse::<f64>().ok()?, end)
    };
    if skip_spaces(s, end) != s.len() {
        return None;
    }
    Some(value)
}

/// Scans a run of decimal digits from `i`; returns the index after it.
fn scan_digits(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// Validates a decimal float `digits[.digits][e[sign]digits]` starting at `i`
/// (after the sign); returns the index after it. An exponent marker not
/// followed by digits is not part of the numeral (as with `strtod`).
fn scan_decimal_float(s: &[u8], i: usize) -> Option<usize> {
    let int_end = scan_digits(s, i);
    let mut ndigits = int_end - i;
    let mut j = int_end;
    if s.get(j) == Some(&b'.') {
        let frac_end = scan_digits(s, j + 1);
        ndigits += frac_end - (j + 1);
        j = frac_end;
    }
    if ndigits == 0 {
        return None;
    }
    if matches!(s.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(s.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        let exp_end = scan_digits(s, k);
        if exp_end > k {
            j = exp_end;
        }
    }
    Some(j)
}

/// Scans and converts the part of a hex float after `0x`, starting at `i`.
/// Returns the (non-negative) value and the index after the numeral.
///
/// The significant hex digits are accumulated into a 64-bit mantissa (at most
/// 16 of them; later digits only set a "sticky" bit and adjust the exponent),
/// then the exact value `mantissa * 2^exp` is rounded to nearest-even.
fn scan_hex_float(s: &[u8], mut i: usize) -> Option<(f64, usize)> {
    let mut mantissa: u64 = 0;
    let mut exp: i64 = 0; // binary exponent applied to `mantissa`
    let mut sticky = false; // some nonzero digit was dropped
    let mut any_digit = false;
    let mut seen_dot = false;
    loop {
        match s.get(i) {
            Some(b'.') if !seen_dot => seen_dot = true,
            Some(&c) => {
                let Some(d) = hex_value(c) else { break };
                any_digit = true;
                if mantissa >> 60 == 0 {
                    mantissa = (mantissa << 4) | u64::from(d);
                    if seen_dot {
                        exp -= 4;
                    }
                } else {
                    sticky |= d != 0;
                    if !seen_dot {
                        exp += 4;
                    }
                }
            }
            None => break,
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if matches!(s.get(i), Some(b'p' | b'P')) {
        let mut k = i + 1;
        let mut eneg = false;
        match s.get(k) {
            Some(b'-') => {
                eneg = true;
                k += 1;
            }
            Some(b'+') => k += 1,
            _ => {}
        }
        let exp_end = scan_digits(s, k);
        if exp_end > k {
            // Saturate: anything beyond this range is already 0 or infinity.
            let mut e: i64 = 0;
            for &c in &s[k..exp_end] {
                e = (e * 10 + i64::from(c - b'0')).min(1 << 40);
            }
            exp += if eneg { -e } else { e };
            i = exp_end;
        }
    }
    Some((compose_float(mantissa, exp, sticky), i))
}

/// Rounds `mantissa * 2^exp` (plus a little more when `sticky`) to the nearest
/// f64, ties to even. `mantissa` may be 0.
fn compose_float(mantissa: u64, exp: i64, sticky: bool) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let lz = mantissa.leading_zeros();
    let m = mantissa << lz; // top bit set: value = m * 2^e
    let e = exp - i64::from(lz);
    // Unbiased exponent of the leading bit.
    let top = e + 63;
    if top > 1023 {
        return f64::INFINITY;
    }
    // Number of low bits of `m` to drop: 11 for a normal result, more for a
    // subnormal one (whose unit is 2^-1074).
    let shift: i64 = if top >= -1022 { 11 } else { -(e + 1074) };
    if shift > 64 {
        return 0.0; // below half of the smallest subnormal
    }
    let (mut q, rem, half) = if shift == 64 {
        (0u64, m, 1u64 << 63)
    } else {
        let sh = shift as u32;
        (m >> sh, m & ((1u64 << sh) - 1), 1u64 << (sh - 1))
    };
    if rem > half || (rem == half && (sticky || q & 1 == 1)) {
        q += 1;
    }
    if shift == 11 {
        // Normal: q has 53 bits, or 54 after rounding up to the next power of 2.
        let mut biased = top + 1023;
        if q >> 53 != 0 {
            q >>= 1;
            biased += 1;
        }
        if biased > 2046 {
            return f64::INFINITY;
        }
        f64::from_bits(((biased as u64) << 52) | (q & ((1u64 << 52) - 1)))
    } else {
        // Subnormal (or the smallest normal after rounding): the bit pattern
        // of q * 2^-1074 is q itself.
        f64::from_bits(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<Numeral> {
        str2number(s.as_bytes())
    }

    fn float(s: &str) -> f64 {
        match num(s) {
            Some(Numeral::Float(f)) => f,
            other => panic!("{s:?} gave {other:?}"),
        }
    }

    #[test]
    fn integers() {
        // Values checked with lua5.4: math.type(tonumber(s)) and the value.
        assert_eq!(num("0x10"), Some(Numeral::Int(16)));
        assert_eq!(num("  0x10  "), Some(Numeral::Int(16)));
        assert_eq!(num("-0x10"), Some(Numeral::Int(-16)));
        assert_eq!(num("+0x10"), Some(Numeral::Int(16)));
        assert_eq!(num("0xffffffffffffffff"), Some(Numeral::Int(-1)));
        assert_eq!(num("0x1ffffffffffffffff"), Some(Numeral::Int(-1)));
        assert_eq!(num("0x8000000000000000"), Some(Numeral::Int(i64::MIN)));
        assert_eq!(num("0x7fffffffffffffff"), Some(Numeral::Int(i64::MAX)));
        assert_eq!(num("9223372036854775807"), Some(Numeral::Int(i64::MAX)));
        assert_eq!(num("-9223372036854775808"), Some(Numeral::Int(i64::MIN)));
        assert_eq!(num(" 12 "), Some(Numeral::Int(12)));
        assert_eq!(num("\t\n1\x0b\x0c\r"), Some(Numeral::Int(1)));
        assert_eq!(num("00012"), Some(Numeral::Int(12)));
        assert_eq!(num("+1"), Some(Numeral::Int(1)));
        assert_eq!(str2int(b"1.0"), None);
        assert_eq!(str2int(b"9223372036854775808"), None);
    }

    #[test]
    fn overflowing_decimal_integers_become_floats() {
        assert_eq!(
            num("9223372036854775808"),
            Some(Numeral::Float(9223372036854775808.0))
        );
        assert_eq!(
            num("-9223372036854775809"),
            Some(Numeral::Float(-9223372036854775808.0))
        );
        assert_eq!(
            float("123456789012345678901234567890"),
            1.2345678901234568e29
        );
    }

    #[test]
    fn decimal_floats() {
        assert_eq!(float("1."), 1.0);
        assert_eq!(float(".5"), 0.5);
        assert_eq!(float("1e10"), 1e10);
        assert_eq!(float("1E2"), 100.0);
        assert_eq!(float("1.5e+3"), 1500.0);
        assert_eq!(float("1e400"), f64::INFINITY);
        assert_eq!(float("5e-324"), 5e-324);
        assert_eq!(float("2.5e-324"), 5e-324);
        assert_eq!(float("-2.5"), -2.5);
    }

    #[test]
    fn hex_floats() {
        assert_eq!(float("0x.8"), 0.5);
        assert_eq!(float("0xA.8p1"), 21.0);
        assert_eq!(float("0x1p4"), 16.0);
        assert_eq!(float("0x1P-2"), 0.25);
        assert_eq!(float("0X1P+3"), 8.0);
        assert_eq!(float("0x.1"), 0.0625);
        assert_eq!(float("0x1."), 1.0);
        assert_eq!(float("-0x1.8p1"), -3.0);
        assert_eq!(float("0x1p-1074"), 5e-324);
        assert_eq!(float("0x1p-1075"), 0.0);
        assert_eq!(float("0x1.8p-1074").to_bits(), 2);
        assert_eq!(float("0x1.0000000000000fffp0"), 1.0000000000000002);
        assert_eq!(float("0x1.00000000000008p0"), 1.0);
        assert_eq!(float("0x1.000000000000080001p0"), 1.0000000000000002);
        assert_eq!(float("0x1.00000000000018p0"), 1.0000000000000004);
        assert_eq!(float("0xffffffffffffffffffffp0"), 1.2089258196146292e24);
        assert_eq!(float("0x1p1024"), f64::INFINITY);
        assert_eq!(float("0x1.fffffffffffffp1023"), f64::MAX);
        assert_eq!(float("0x1.fffffffffffff8p1023"), f64::INFINITY);
        assert_eq!(float("0x1p-1022"), f64::MIN_POSITIVE);
        assert_eq!(float("0x0.fffffffffffff8p-1022"), f64::MIN_POSITIVE);
        assert_eq!(float("0x1p99999999999999999999"), f64::INFINITY);
        assert_eq!(float("0x1p-99999999999999999999"), 0.0);
        assert_eq!(float("0x0p0"), 0.0);
        let many = format!("0x{}p0", "1".repeat(5000));
        assert_eq!(float(&many), f64::INFINITY);
        let frac = format!("0x0.{}1p4", "0".repeat(5000));
        assert_eq!(float(&frac), 0.0);
    }

    #[test]
    fn rejects() {
        for s in [
            "", " ", "1e", "1e+", ".", "0x", "0x.p1", "0x1p", "- 1", "inf", "nan", "-inf",
            "infinity", ".e1", "0x.", "1..2", "1_000", "1 2", "0x1g", "1\0", "\u{e9}1", "++1",
        ] {
            assert_eq!(num(s), None, "{s:?}");
        }
    }
}
