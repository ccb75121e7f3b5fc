//! Unary and binary operators (§3.4.1–§3.4.6): constant folding first, then
//! the most specific instruction form.
//!
//! Forms chosen (PUC Lua 5.4's, minus the operand swaps that rely on
//! `MMBIN*`'s flip flag, which this instruction set does not have — an
//! instruction's operands are always in source order, so the metamethod
//! fallback of each instruction sees them in the right order):
//! - `x + i` with a small integer `i` → `ADDI`; `x op k` with a numeric
//!   constant → `ADDK`/`SUBK`/.../`BANDK` (bitwise ones only for integer
//!   constants); `x >> i` → `SHRI`; `i << x` → `SHLI`;
//! - `a > b` / `a >= b` are compiled as `b < a` / `b <= a`; comparisons with
//!   a small integer use `LTI`/`LEI`/`GTI`/`GEI`/`EQI`, with another
//!   constant `EQK`;
//! - `a .. b .. c` is one `CONCAT` over consecutive registers;
//! - `and`/`or` become jump lists (see `exp`).

use crate::bytecode::opcode::OpCode;
use crate::syntax::ast::{BinOp, UnOp};

use super::code::{int2sc, CResult};
use super::exp::{ExpDesc, ExpKind};
use super::fold::{self, Num};
use super::FuncState;

/// The numeric value of a numeral expression.
fn numeral(e: &ExpDesc<'_>) -> Option<Num> {
    if e.has_jumps() {
        return None;
    }
    match e.k {
        ExpKind::KInt(i) => Some(Num::Int(i)),
        ExpKind::KFlt(f) => Some(Num::Flt(f)),
        _ => None,
    }
}

/// Stores a folded value into `e`.
fn set_num(e: &mut ExpDesc<'_>, n: Num) {
    e.k = match n {
        Num::Int(i) => ExpKind::KInt(i),
        Num::Flt(f) => ExpKind::KFlt(f),
    };
}

/// The register-register opcode of an arithmetic or bitwise operator.
fn reg_op(op: BinOp) -> Option<OpCode> {
    Some(match op {
        BinOp::Add => OpCode::ADD,
        BinOp::Sub => OpCode::SUB,
        BinOp::Mul => OpCode::MUL,
        BinOp::Div => OpCode::DIV,
        BinOp::IDiv => OpCode::IDIV,
        BinOp::Mod => OpCode::MOD,
        BinOp::Pow => OpCode::POW,
        BinOp::BAnd => OpCode::BAND,
        BinOp::BOr => OpCode::BOR,
        BinOp::BXor => OpCode::BXOR,
        BinOp::Shl => OpCode::SHL,
        BinOp::Shr => OpCode::SHR,
        _ => return None,
    })
}

/// The register-constant opcode of an arithmetic or bitwise operator.
fn k_op(op: BinOp) -> Option<OpCode> {
    Some(match op {
        BinOp::Add => OpCode::ADDK,
        BinOp::Sub => OpCode::SUBK,
        BinOp::Mul => OpCode::MULK,
        BinOp::Div => OpCode::DIVK,
        BinOp::IDiv => OpCode::IDIVK,
        BinOp::Mod => OpCode::MODK,
        BinOp::Pow => OpCode::POWK,
        BinOp::BAnd => OpCode::BANDK,
        BinOp::BOr => OpCode::BORK,
        BinOp::BXor => OpCode::BXORK,
        _ => return None,
    })
}

/// Operators subject to constant folding (arithmetic and bitwise).
fn foldable(op: BinOp) -> bool {
    reg_op(op).is_some()
}

impl<'a> FuncState<'a> {
    /// Applies unary operator `op` to `e` (operator on line `line`).
    pub(super) fn prefix(&mut self, op: UnOp, e: &mut ExpDesc<'a>, line: u32) -> CResult<()> {
        self.discharge_vars(e)?;
        match op {
            UnOp::Neg | UnOp::BNot => {
                if let Some(n) = numeral(e) {
                    if let Some(r) = fold::fold_unary(op, n) {
                        set_num(e, r);
                        return Ok(());
                    }
                }
                let opc = if op == UnOp::Neg {
                    OpCode::UNM
                } else {
                    OpCode::BNOT
                };
                self.code_unexpval(opc, e, line)
            }
            UnOp::Len => self.code_unexpval(OpCode::LEN, e, line),
            UnOp::Not => self.code_not(e),
        }
    }

    /// `op A B` with the operand in a register; the result is relocatable.
    fn code_unexpval(&mut self, op: OpCode, e: &mut ExpDesc<'a>, line: u32) -> CResult<()> {
        let r = self.exp2anyreg(e)?;
        self.free_exp(e);
        let pc = self.code_abc(op, 0, r, 0)?;
        e.k = ExpKind::Reloc(pc);
        self.fixline(line);
        Ok(())
    }

    /// Prepares the first operand of a binary operator before the second
    /// one is compiled.
    pub(super) fn infix(&mut self, op: BinOp, v: &mut ExpDesc<'a>) -> CResult<()> {
        self.discharge_vars(v)?;
        match op {
            BinOp::And => self.go_if_true(v)?,
            BinOp::Or => self.go_if_false(v)?,
            // Operands of CONCAT must be consecutive registers.
            BinOp::Concat => self.exp2nextreg(v)?,
            BinOp::Eq | BinOp::Ne => {
                if !v.is_numeral() {
                    self.exp2rk(v)?;
                }
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                if v.sc_num().is_none() {
                    self.exp2anyreg(v)?;
                }
            }
            _ => {
                // Keep numerals: they may be folded or become K operands.
                if !v.is_numeral() {
                    self.exp2anyreg(v)?;
                }
            }
        }
        Ok(())
    }

    /// Completes binary operator `op` on `e1` (prepared by [`Self::infix`])
    /// and `e2`; the result is left in `e1`. `line` is the operator's line.
    pub(super) fn posfix(
        &mut self,
        op: BinOp,
        e1: &mut ExpDesc<'a>,
        mut e2: ExpDesc<'a>,
        line: u32,
    ) -> CResult<()> {
        self.discharge_vars(&mut e2)?;
        if foldable(op) {
            if let (Some(a), Some(b)) = (numeral(e1), numeral(&e2)) {
                if let Some(r) = fold::fold_binary(op, a, b) {
                    set_num(e1, r);
                    return Ok(());
                }
            }
        }
        match op {
            BinOp::And => {
                debug_assert_eq!(e1.t, super::code::NO_JUMP);
                self.concat(&mut e2.f, e1.f)?;
                *e1 = e2;
            }
            BinOp::Or => {
                debug_assert_eq!(e1.f, super::code::NO_JUMP);
                self.concat(&mut e2.t, e1.t)?;
                *e1 = e2;
            }
            BinOp::Concat => {
                self.exp2nextreg(&mut e2)?;
                self.code_concat(e1, &mut e2, line)?;
            }
            BinOp::Add | BinOp::Mul if e1.is_numeral() && !e2.is_numeral() => {
                // `k + x`, `k * x`: commutative, so compute `x op k` with the
                // k flag set; the metamethod fallback swaps the operands back
                std::mem::swap(e1, &mut e2);
                if let (BinOp::Add, Some(i)) = (op, e2.sc_int()) {
                    self.finish_bin_k(OpCode::ADDI, e1, &e2, int2sc(i), line, true)?;
                } else if self.exp2k(&mut e2)? {
                    match (k_op(op), e2.k) {
                        (Some(opc), ExpKind::K(idx)) => {
                            self.finish_bin_k(opc, e1, &e2, idx, line, true)?
                        }
                        _ => {
                            return super::code::err(line, "internal error: not a constant operand")
                        }
                    }
                } else {
                    // constant table full: back to source order in registers
                    std::mem::swap(e1, &mut e2);
                    self.exp2anyreg(e1)?;
                    self.code_bin_reg(op, e1, &mut e2, line)?;
                }
            }
            BinOp::Add => {
                if let Some(i) = e2.sc_int() {
                    self.code_bin_imm(OpCode::ADDI, e1, &e2, int2sc(i), line)?;
                } else {
                    self.code_arith(op, e1, &mut e2, line)?;
                }
            }
            BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::IDiv | BinOp::Mod | BinOp::Pow => {
                self.code_arith(op, e1, &mut e2, line)?;
            }
            BinOp::BAnd | BinOp::BOr | BinOp::BXor => {
                let is_int = matches!(e2.k, ExpKind::KInt(_)) && !e2.has_jumps();
                if is_int && self.exp2k(&mut e2)? {
                    self.code_bin_k(op, e1, &e2, line)?;
                } else {
                    self.code_bin_reg(op, e1, &mut e2, line)?;
                }
            }
            BinOp::Shl => {
                if let Some(i) = e1.sc_int() {
                    // `i << x`: SHLI A B sC computes sC << R[B].
                    let r = self.exp2anyreg(&mut e2)?;
                    let pc = self.code_abc(OpCode::SHLI, 0, r, int2sc(i))?;
                    self.free_exps(e1, &e2);
                    e1.k = ExpKind::Reloc(pc);
                    self.fixline(line);
                } else {
                    self.code_bin_reg(op, e1, &mut e2, line)?;
                }
            }
            BinOp::Shr => {
                if let Some(i) = e2.sc_int() {
                    self.code_bin_imm(OpCode::SHRI, e1, &e2, int2sc(i), line)?;
                } else {
                    self.code_bin_reg(op, e1, &mut e2, line)?;
                }
            }
            BinOp::Eq | BinOp::Ne => self.code_eq(op == BinOp::Eq, e1, e2)?,
            BinOp::Lt => self.code_order(false, e1, e2)?,
            BinOp::Le => self.code_order(true, e1, e2)?,
            BinOp::Gt => {
                // a > b  <=>  b < a
                let a = *e1;
                *e1 = e2;
                self.code_order(false, e1, a)?;
            }
            BinOp::Ge => {
                let a = *e1;
                *e1 = e2;
                self.code_order(true, e1, a)?;
            }
        }
        Ok(())
    }

    /// Emits `op A R[e1] v2` (v2 an immediate or K index already encoded),
    /// leaving a relocatable result in `e1`.
    fn finish_bin(
        &mut self,
        op: OpCode,
        e1: &mut ExpDesc<'a>,
        e2: &ExpDesc<'a>,
        v2: u32,
        line: u32,
    ) -> CResult<()> {
        self.finish_bin_k(op, e1, e2, v2, line, false)
    }

    /// Like `finish_bin`, with the k flag (set when the operands were
    /// swapped).
    fn finish_bin_k(
        &mut self,
        op: OpCode,
        e1: &mut ExpDesc<'a>,
        e2: &ExpDesc<'a>,
        v2: u32,
        line: u32,
        k: bool,
    ) -> CResult<()> {
        let v1 = self.exp2anyreg(e1)?;
        let pc = self.code_abck(op, 0, v1, v2, k)?;
        self.free_exps(e1, e2);
        e1.k = ExpKind::Reloc(pc);
        self.fixline(line);
        Ok(())
    }

    /// `R[e1] op sC`.
    fn code_bin_imm(
        &mut self,
        op: OpCode,
        e1: &mut ExpDesc<'a>,
        e2: &ExpDesc<'a>,
        sc: u32,
        line: u32,
    ) -> CResult<()> {
        self.finish_bin(op, e1, e2, sc, line)
    }

    /// `R[e1] op K[e2]` (`e2` already a K expression).
    fn code_bin_k(
        &mut self,
        op: BinOp,
        e1: &mut ExpDesc<'a>,
        e2: &ExpDesc<'a>,
        line: u32,
    ) -> CResult<()> {
        match (k_op(op), e2.k) {
            (Some(opc), ExpKind::K(idx)) => self.finish_bin(opc, e1, e2, idx, line),
            _ => super::code::err(line, "internal error: not a constant operand"),
        }
    }

    /// `R[e1] op R[e2]`.
    fn code_bin_reg(
        &mut self,
        op: BinOp,
        e1: &mut ExpDesc<'a>,
        e2: &mut ExpDesc<'a>,
        line: u32,
    ) -> CResult<()> {
        let Some(opc) = reg_op(op) else {
            return super::code::err(line, "internal error: not an arithmetic operator");
        };
        let v2 = self.exp2anyreg(e2)?;
        self.finish_bin(opc, e1, e2, v2, line)
    }

    /// Arithmetic with a K operand when `e2` is a numeral that fits.
    fn code_arith(
        &mut self,
        op: BinOp,
        e1: &mut ExpDesc<'a>,
        e2: &mut ExpDesc<'a>,
        line: u32,
    ) -> CResult<()> {
        if e2.is_numeral() && self.exp2k(e2)? {
            self.code_bin_k(op, e1, e2, line)
        } else {
            self.code_bin_reg(op, e1, e2, line)
        }
    }

    /// `e1 .. e2` with `e2` in the register after `e1`: extends the
    /// `CONCAT` that computed `e2` when there is one.
    fn code_concat(
        &mut self,
        e1: &mut ExpDesc<'a>,
        e2: &mut ExpDesc<'a>,
        line: u32,
    ) -> CResult<()> {
        let r1 = e1.reg();
        if let Some(prev) = self.previous_instruction() {
            use crate::bytecode::opcode::ins;
            if ins::opcode(prev) == OpCode::CONCAT && ins::a(prev) == r1 + 1 {
                let n = ins::b(prev);
                self.free_exp(e2);
                let pc = self.pc() - 1;
                self.set_a(pc, r1);
                self.set_b(pc, n + 1);
                return Ok(());
            }
        }
        self.code_abc(OpCode::CONCAT, r1, 2, 0)?;
        self.free_exp(e2);
        self.fixline(line);
        Ok(())
    }

    /// `e1 == e2` (`eq`) or `e1 ~= e2`, as a test.
    fn code_eq(&mut self, eq: bool, e1: &mut ExpDesc<'a>, mut e2: ExpDesc<'a>) -> CResult<()> {
        if !matches!(e1.k, ExpKind::NonReloc(_)) {
            // e1 is a constant (K or numeral): compare the other way round.
            std::mem::swap(e1, &mut e2);
        }
        let r1 = self.exp2anyreg(e1)?;
        let (op, r2) = if let Some(i) = e2.sc_int() {
            (OpCode::EQI, int2sc(i))
        } else if self.exp2rk(&mut e2)? {
            match e2.k {
                ExpKind::K(idx) => (OpCode::EQK, idx),
                _ => (OpCode::EQ, e2.reg()),
            }
        } else {
            (OpCode::EQ, e2.reg())
        };
        self.free_exps(e1, &e2);
        let pc = self.cond_jump(op, r1, r2, 0, eq)?;
        e1.k = ExpKind::Jmp(pc);
        Ok(())
    }

    /// `e1 < e2` (or `<=` when `le`), as a test.
    fn code_order(&mut self, le: bool, e1: &mut ExpDesc<'a>, mut e2: ExpDesc<'a>) -> CResult<()> {
        let (op, r1, r2, isfloat) = if let Some((i, isf)) = e2.sc_num() {
            let r1 = self.exp2anyreg(e1)?;
            (
                if le { OpCode::LEI } else { OpCode::LTI },
                r1,
                int2sc(i),
                isf,
            )
        } else if let Some((i, isf)) = e1.sc_num() {
            // i < x  <=>  x > i
            let r1 = self.exp2anyreg(&mut e2)?;
            (
                if le { OpCode::GEI } else { OpCode::GTI },
                r1,
                int2sc(i),
                isf,
            )
        } else {
            let r1 = self.exp2anyreg(e1)?;
            let r2 = self.exp2anyreg(&mut e2)?;
            (if le { OpCode::LE } else { OpCode::LT }, r1, r2, false)
        };
        self.free_exps(e1, &e2);
        let pc = self.cond_jump(op, r1, r2, isfloat as u32, true)?;
        e1.k = ExpKind::Jmp(pc);
        Ok(())
    }
}
