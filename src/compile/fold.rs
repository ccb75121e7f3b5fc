//! Constant folding of arithmetic and bitwise operators on numerals
//! (§3.4.1 arithmetic, §3.4.2 bitwise, §3.4.3 conversions).
//!
//! Folding follows PUC Lua 5.4's rules: integers wrap around; `/` and `^`
//! always give floats; nothing is folded that would raise an error at run
//! time (integer division or modulo by zero — PUC refuses any division or
//! modulo by zero —, bitwise operations on floats without an exact integer
//! value), and no fold may produce NaN or a float zero (whose sign `-0.0`
//! could be lost in the constant table or in `LOADF`).
//!
//! Pure functions of their operands; no dependencies.

use crate::syntax::ast::{BinOp, UnOp};

/// A numeric constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Num {
    Int(i64),
    Flt(f64),
}

impl Num {
    fn to_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Flt(f) => f,
        }
    }

    /// The exact integer value (floats only when integral and in range).
    fn to_int(self) -> Option<i64> {
        match self {
            Num::Int(i) => Some(i),
            Num::Flt(f) => float_to_int(f),
        }
    }

    fn is_zero(self) -> bool {
        match self {
            Num::Int(i) => i == 0,
            Num::Flt(f) => f == 0.0,
        }
    }
}

/// `f` as an integer if it has an exact integer value in range (§3.4.3).
pub(super) fn float_to_int(f: f64) -> Option<i64> {
    // -2^63 <= f < 2^63, and integral.
    if f.floor() == f && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

/// Lua's integer floor division (`b != 0`).
fn int_floor_div(a: i64, b: i64) -> i64 {
    if b == -1 {
        return a.wrapping_neg();
    }
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

/// Lua's integer modulo (`b != 0`): the result has the sign of `b`.
fn int_mod(a: i64, b: i64) -> i64 {
    if b == -1 {
        return 0;
    }
    let m = a % b;
    if m != 0 && ((m ^ b) < 0) {
        m + b
    } else {
        m
    }
}

/// Lua's float modulo: `a - floor(a/b)*b` computed through `fmod`.
fn float_mod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if (m > 0.0 && b < 0.0) || (m < 0.0 && b > 0.0) {
        m + b
    } else {
        m
    }
}

/// Logical shift left (negative `n` shifts right), as Lua's `<<`.
fn shift_left(x: i64, n: i64) -> i64 {
    if n <= -64 || n >= 64 {
        0
    } else if n >= 0 {
        ((x as u64) << n) as i64
    } else {
        ((x as u64) >> (-n)) as i64
    }
}

/// Folds `a op b`, or `None` when the operation must stay at run time.
pub(super) fn fold_binary(op: BinOp, a: Num, b: Num) -> Option<Num> {
    let r = match op {
        BinOp::BAnd | BinOp::BOr | BinOp::BXor | BinOp::Shl | BinOp::Shr => {
            let (x, y) = (a.to_int()?, b.to_int()?);
            Num::Int(match op {
                BinOp::BAnd => x & y,
                BinOp::BOr => x | y,
                BinOp::BXor => x ^ y,
                BinOp::Shl => shift_left(x, y),
                _ => shift_left(x, y.wrapping_neg()),
            })
        }
        BinOp::Div | BinOp::IDiv | BinOp::Mod if b.is_zero() => return None,
        BinOp::Div => Num::Flt(a.to_f64() / b.to_f64()),
        BinOp::Pow => Num::Flt(a.to_f64().powf(b.to_f64())),
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::IDiv | BinOp::Mod => match (a, b) {
            (Num::Int(x), Num::Int(y)) => Num::Int(match op {
                BinOp::Add => x.wrapping_add(y),
                BinOp::Sub => x.wrapping_sub(y),
                BinOp::Mul => x.wrapping_mul(y),
                BinOp::IDiv => int_floor_div(x, y),
                _ => int_mod(x, y),
            }),
            _ => {
                let (x, y) = (a.to_f64(), b.to_f64());
                Num::Flt(match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    BinOp::IDiv => (x / y).floor(),
                    _ => float_mod(x, y),
                })
            }
        },
        _ => return None,
    };
    accept(r)
}

/// Folds a unary `-` or `~`; `None` when it must stay at run time.
pub(super) fn fold_unary(op: UnOp, a: Num) -> Option<Num> {
    let r = match op {
        UnOp::Neg => match a {
            Num::Int(i) => Num::Int(i.wrapping_neg()),
            Num::Flt(f) => Num::Flt(-f),
        },
        UnOp::BNot => Num::Int(!a.to_int()?),
        _ => return None,
    };
    accept(r)
}

/// Rejects float results that are NaN or zero.
fn accept(r: Num) -> Option<Num> {
    match r {
        Num::Flt(f) if f.is_nan() || f == 0.0 => None,
        _ => Some(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_arithmetic_wraps_and_floors() {
        assert_eq!(
            fold_binary(BinOp::Add, Num::Int(i64::MAX), Num::Int(1)),
            Some(Num::Int(i64::MIN))
        );
        assert_eq!(
            fold_binary(BinOp::IDiv, Num::Int(7), Num::Int(-2)),
            Some(Num::Int(-4))
        );
        assert_eq!(
            fold_binary(BinOp::Mod, Num::Int(-7), Num::Int(3)),
            Some(Num::Int(2))
        );
        assert_eq!(
            fold_binary(BinOp::Mod, Num::Int(7), Num::Int(-3)),
            Some(Num::Int(-2))
        );
        assert_eq!(
            fold_binary(BinOp::IDiv, Num::Int(i64::MIN), Num::Int(-1)),
            Some(Num::Int(i64::MIN))
        );
        assert_eq!(
            fold_binary(BinOp::Mod, Num::Int(i64::MIN), Num::Int(-1)),
            Some(Num::Int(0))
        );
    }

    #[test]
    fn no_fold_for_errors_nan_or_zero() {
        assert_eq!(fold_binary(BinOp::IDiv, Num::Int(1), Num::Int(0)), None);
        assert_eq!(fold_binary(BinOp::Mod, Num::Flt(1.0), Num::Flt(0.0)), None);
        assert_eq!(fold_binary(BinOp::Div, Num::Flt(1.0), Num::Int(0)), None);
        assert_eq!(fold_binary(BinOp::Sub, Num::Flt(1.0), Num::Flt(1.0)), None);
        assert_eq!(fold_binary(BinOp::BAnd, Num::Flt(1.5), Num::Int(1)), None);
        assert_eq!(fold_unary(UnOp::Neg, Num::Flt(0.0)), None);
        assert_eq!(fold_binary(BinOp::Pow, Num::Flt(-1.0), Num::Flt(0.5)), None);
    }

    #[test]
    fn floats_and_bitwise() {
        assert_eq!(
            fold_binary(BinOp::Pow, Num::Int(2), Num::Int(10)),
            Some(Num::Flt(1024.0))
        );
        assert_eq!(
            fold_binary(BinOp::Div, Num::Int(7), Num::Int(2)),
            Some(Num::Flt(3.5))
        );
        assert_eq!(
            fold_binary(BinOp::Mod, Num::Flt(-5.5), Num::Int(2)),
            Some(Num::Flt(0.5))
        );
        assert_eq!(
            fold_binary(BinOp::IDiv, Num::Flt(7.0), Num::Int(2)),
            Some(Num::Flt(3.0))
        );
        assert_eq!(
            fold_binary(BinOp::BOr, Num::Flt(2.0), Num::Int(1)),
            Some(Num::Int(3))
        );
        assert_eq!(
            fold_binary(BinOp::Shl, Num::Int(1), Num::Int(64)),
            Some(Num::Int(0))
        );
        assert_eq!(
            fold_binary(BinOp::Shr, Num::Int(-1), Num::Int(63)),
            Some(Num::Int(1))
        );
        assert_eq!(
            fold_binary(BinOp::Shr, Num::Int(1), Num::Int(i64::MIN)),
            Some(Num::Int(0))
        );
        assert_eq!(fold_unary(UnOp::BNot, Num::Int(0)), Some(Num::Int(-1)));
        assert_eq!(
            fold_unary(UnOp::Neg, Num::Int(i64::MIN)),
            Some(Num::Int(i64::MIN))
        );
    }
}
