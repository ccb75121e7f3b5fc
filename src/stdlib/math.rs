//! The math library (§6.7), with 5.4's pseudo-random generator:
//! xoshiro256** (Blackman and Vigna, "Scrambled Linear Pseudorandom Number
//! Generators", 2018), floats from the top 53 bits, integer ranges projected
//! by masking and rejection, and `randomseed(n)` seeding the state as
//! `{n, 0xff, 0, 0}` then discarding 16 outputs, so seeded sequences match
//! PUC Lua 5.4.

use super::aux::*;
use crate::runtime::error::LuaResult;
use crate::runtime::state::State;
use crate::runtime::tm;
use crate::runtime::value::*;
use std::cell::RefCell;

/// Registers the math library.
pub fn open(l: &mut State) {
    let t = new_lib(
        l,
        "math",
        &[
            ("abs", abs),
            ("ceil", ceil),
            ("floor", floor),
            ("fmod", fmod),
            ("modf", modf),
            ("sqrt", sqrt),
            ("exp", exp),
            ("log", log),
            ("sin", sin),
            ("cos", cos),
            ("tan", tan),
            ("asin", asin),
            ("acos", acos),
            ("atan", atan),
            ("deg", deg),
            ("rad", rad),
            ("tointeger", tointeger),
            ("type", type_),
            ("ult", ult),
            ("max", max),
            ("min", min),
            ("random", random),
            // LUA_COMPAT_MATHLIB functions, present in Debian's lua5.4
            ("pow", pow),
            ("ldexp", ldexp),
            ("atan2", atan),
            ("log10", log10),
            ("frexp", frexp),
            ("cosh", cosh),
            ("sinh", sinh),
            ("tanh", tanh),
            ("randomseed", randomseed),
        ],
    );
    set_field(l, t, "pi", TValue::float(std::f64::consts::PI));
    set_field(l, t, "huge", TValue::float(f64::INFINITY));
    set_field(l, t, "maxinteger", TValue::int(i64::MAX));
    set_field(l, t, "mininteger", TValue::int(i64::MIN));
    // PUC seeds randomly at start-up
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    RNG.with(|r| set_seed(&mut r.borrow_mut(), seed, l as *mut State as u64));
}

/// `math.abs`: integers stay integers (wrapping on `mininteger`); anything else,
/// numeric strings included, goes through `tonumber` as a float, like PUC.
fn abs(l: &mut State) -> LuaResult<usize> {
    let v = arg(l, 1);
    let v = if v.tt == TINT {
        v
    } else {
        TValue::float(check_f64(l, 1)?)
    };
    l.push(if v.tt == TINT {
        TValue::int(v.as_int().wrapping_abs())
    } else {
        TValue::float(v.as_float().abs())
    });
    Ok(1)
}

fn float_to_int_or_float(f: f64) -> TValue {
    match float_to_int_exact(f) {
        Some(i) => TValue::int(i),
        None => TValue::float(f),
    }
}

fn floor(l: &mut State) -> LuaResult<usize> {
    let v = check_number(l, 1)?;
    l.push(if v.tt == TINT {
        v
    } else {
        float_to_int_or_float(v.as_float().floor())
    });
    Ok(1)
}

fn ceil(l: &mut State) -> LuaResult<usize> {
    let v = check_number(l, 1)?;
    l.push(if v.tt == TINT {
        v
    } else {
        float_to_int_or_float(v.as_float().ceil())
    });
    Ok(1)
}

/// `math.fmod`: the integer path only when both arguments are integers (not
/// numeric strings), as in PUC; otherwise C `fmod` on floats.
fn fmod(l: &mut State) -> LuaResult<usize> {
    let (a, b) = (arg(l, 1), arg(l, 2));
    if a.tt == TINT && b.tt == TINT {
        let d = b.as_int();
        if d == 0 {
            return Err(arg_error(l, 2, "zero"));
        }
        l.push(TValue::int(if d == -1 { 0 } else { a.as_int() % d }));
    } else {
        // PUC's C compiler checks the second argument first (so `fmod()`
        // complains about #2).
        let y = check_f64(l, 2)?;
        let x = check_f64(l, 1)?;
        l.push(TValue::float(x % y));
    }
    Ok(1)
}

fn modf(l: &mut State) -> LuaResult<usize> {
    let v = check_number(l, 1)?;
    if v.tt == TINT {
        l.push(v);
        l.push(TValue::float(0.0));
        return Ok(2);
    }
    let x = v.as_float();
    let ip = if x < 0.0 { x.ceil() } else { x.floor() };
    l.push(float_to_int_or_float(ip));
    l.push(TValue::float(if x.is_infinite() { 0.0 } else { x - ip }));
    Ok(2)
}

macro_rules! float_fn {
    ($name:ident, $f:expr) => {
        fn $name(l: &mut State) -> LuaResult<usize> {
            let x = check_f64(l, 1)?;
            l.push(TValue::float($f(x)));
            Ok(1)
        }
    };
}

float_fn!(sqrt, f64::sqrt);
float_fn!(exp, f64::exp);
float_fn!(sin, f64::sin);
float_fn!(cos, f64::cos);
float_fn!(tan, f64::tan);
float_fn!(asin, f64::asin);
float_fn!(acos, f64::acos);
float_fn!(log10, f64::log10);
float_fn!(cosh, f64::cosh);
float_fn!(sinh, f64::sinh);
float_fn!(tanh, f64::tanh);

fn pow(l: &mut State) -> LuaResult<usize> {
    let x = check_f64(l, 1)?;
    let y = check_f64(l, 2)?;
    l.push(TValue::float(x.powf(y)));
    Ok(1)
}

fn ldexp(l: &mut State) -> LuaResult<usize> {
    let x = check_f64(l, 1)?;
    let e = check_int(l, 2)?.clamp(-100_000, 100_000) as i32;
    // x * 2^e without intermediate overflow
    let mut r = x;
    let mut e = e;
    while e > 1000 {
        r *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        r *= 2f64.powi(-1000);
        e += 1000;
    }
    l.push(TValue::float(r * 2f64.powi(e)));
    Ok(1)
}

fn frexp(l: &mut State) -> LuaResult<usize> {
    let x = check_f64(l, 1)?;
    if x == 0.0 || !x.is_finite() {
        l.push(TValue::float(x));
        l.push(TValue::int(0));
        return Ok(2);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let (m, e) = if exp == 0 {
        // subnormal: normalise first
        let y = x * 2f64.powi(64);
        let b = y.to_bits();
        let ex = ((b >> 52) & 0x7ff) as i64;
        (
            f64::from_bits((b & !(0x7ff << 52)) | (1022 << 52)),
            ex - 1022 - 64,
        )
    } else {
        (
            f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52)),
            exp - 1022,
        )
    };
    l.push(TValue::float(m));
    l.push(TValue::int(e));
    Ok(2)
}

/// `math.deg(x)`: radians to degrees (always a float).
fn deg(l: &mut State) -> LuaResult<usize> {
    let x = check_f64(l, 1)?;
    l.push(TValue::float(x * (180.0 / std::f64::consts::PI)));
    Ok(1)
}

/// `math.rad(x)`: degrees to radians (always a float).
fn rad(l: &mut State) -> LuaResult<usize> {
    let x = check_f64(l, 1)?;
    l.push(TValue::float(x * (std::f64::consts::PI / 180.0)));
    Ok(1)
}

fn atan(l: &mut State) -> LuaResult<usize> {
    let y = check_f64(l, 1)?;
    let x = opt_f64(l, 2, 1.0)?;
    l.push(TValue::float(y.atan2(x)));
    Ok(1)
}

fn log(l: &mut State) -> LuaResult<usize> {
    let x = check_f64(l, 1)?;
    let r = if arg(l, 2).is_nil() {
        x.ln()
    } else {
        let b = check_f64(l, 2)?;
        if b == 2.0 {
            x.log2()
        } else if b == 10.0 {
            x.log10()
        } else {
            x.ln() / b.ln()
        }
    };
    l.push(TValue::float(r));
    Ok(1)
}

fn tointeger(l: &mut State) -> LuaResult<usize> {
    let v = arg(l, 1);
    let r = match v.tt {
        TINT => v,
        TFLOAT => float_to_int_exact(v.as_float()).map_or(TValue::NIL, TValue::int),
        TSTR => match tm::to_number(&v) {
            Some(n) if n.tt == TINT => n,
            Some(n) => float_to_int_exact(n.as_float()).map_or(TValue::NIL, TValue::int),
            None => TValue::NIL,
        },
        _ => {
            check_any(l, 1)?;
            TValue::NIL
        }
    };
    l.push(r);
    Ok(1)
}

fn type_(l: &mut State) -> LuaResult<usize> {
    let v = check_any(l, 1)?;
    match v.tt {
        TINT => ret_str(l, b"integer"),
        TFLOAT => ret_str(l, b"float"),
        _ => {
            l.push(TValue::NIL);
            Ok(1)
        }
    }
}

fn ult(l: &mut State) -> LuaResult<usize> {
    let a = check_int(l, 1)?;
    let b = check_int(l, 2)?;
    l.push(TValue::boolean((a as u64) < (b as u64)));
    Ok(1)
}

fn minmax(l: &mut State, want_max: bool) -> LuaResult<usize> {
    let n = nargs(l);
    if n < 1 {
        return Err(arg_error(l, 1, "value expected"));
    }
    // Like PUC: the arguments are not checked; they are compared with `<`
    // (so "10" vs 9 fails, strings compare as strings) and the winner is
    // returned unconverted.
    let mut best = arg(l, 1);
    for i in 2..=n {
        let v = arg(l, i);
        let better = if want_max {
            tm::less_than(l, best, v)?
        } else {
            tm::less_than(l, v, best)?
        };
        if better {
            best = v;
        }
    }
    l.push(best);
    Ok(1)
}

fn max(l: &mut State) -> LuaResult<usize> {
    minmax(l, true)
}

fn min(l: &mut State) -> LuaResult<usize> {
    minmax(l, false)
}

// ---------------------------------------------------------------------------
// xoshiro256**

thread_local! {
    static RNG: RefCell<[u64; 4]> = const { RefCell::new([0; 4]) };
}

fn next_rand(s: &mut [u64; 4]) -> u64 {
    let s0 = s[0];
    let s1 = s[1];
    let s2 = s[2] ^ s0;
    let s3 = s[3] ^ s1;
    let res = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ (s1 << 17);
    s[3] = s3.rotate_left(45);
    res
}

fn set_seed(s: &mut [u64; 4], n1: u64, n2: u64) {
    *s = [n1, 0xff, n2, 0];
    for _ in 0..16 {
        next_rand(s);
    }
}

/// Projects a random value into `[0, n]` (mask, then reject).
fn project(mut ran: u64, n: u64, s: &mut [u64; 4]) -> u64 {
    if n & n.wrapping_add(1) == 0 {
        return ran & n;
    }
    let mut lim = n;
    lim |= lim >> 1;
    lim |= lim >> 2;
    lim |= lim >> 4;
    lim |= lim >> 8;
    lim |= lim >> 16;
    lim |= lim >> 32;
    loop {
        ran &= lim;
        if ran <= n {
            return ran;
        }
        ran = next_rand(s);
    }
}

fn random(l: &mut State) -> LuaResult<usize> {
    let rv = RNG.with(|r| next_rand(&mut r.borrow_mut()));
    let (low, up) = match nargs(l) {
        0 => {
            l.push(TValue::float((rv >> 11) as f64 * (0.5f64).powi(53)));
            return Ok(1);
        }
        1 => {
            let up = check_int(l, 1)?;
            if up == 0 {
                l.push(TValue::int(rv as i64));
                return Ok(1);
            }
            (1, up)
        }
        2 => (check_int(l, 1)?, check_int(l, 2)?),
        _ => return Err(l.error("wrong number of arguments")),
    };
    if low > up {
        return Err(arg_error(l, 1, "interval is empty"));
    }
    let p = RNG.with(|r| {
        project(
            rv,
            (up as u64).wrapping_sub(low as u64),
            &mut r.borrow_mut(),
        )
    });
    l.push(TValue::int(p.wrapping_add(low as u64) as i64));
    Ok(1)
}

fn randomseed(l: &mut State) -> LuaResult<usize> {
    let (n1, n2) = if nargs(l) == 0 {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        (t, l as *mut State as u64)
    } else {
        // 5.4.4 takes integer seeds (floats must have an exact integer value)
        let n1 = check_int(l, 1)? as u64;
        (n1, opt_int(l, 2, 0)? as u64)
    };
    RNG.with(|r| set_seed(&mut r.borrow_mut(), n1, n2));
    l.push(TValue::int(n1 as i64));
    l.push(TValue::int(n2 as i64));
    Ok(2)
}
