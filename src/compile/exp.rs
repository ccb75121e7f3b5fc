//! Expression descriptors: where the value of a compiled expression is (or
//! will be), and the operations that move it into registers, store into it,
//! index it and branch on it (the expression half of PUC's `lcode.c`).
//!
//! An [`ExpDesc`] delays code generation: a constant stays a constant until
//! an instruction needs it in a register or in the K table, a variable stays
//! a variable until it is read, and a relocatable instruction (`Reloc`) gets
//! its destination register only when the consumer knows it. `t` and `f` are
//! jump lists of pending jumps taken when the expression is true / false
//! (from `and`, `or`, comparisons).
//!
//! Invariants: an expression in a temporary register (`NonReloc` above the
//! locals) owns that register and frees it when consumed; consumers free
//! operands in stack order (the higher register first).

use crate::bytecode::opcode::{ins, OpCode};

use super::code::{err, CResult, MAX_INDEX_RK, NO_JUMP};
use super::FuncState;

/// Where an expression's value is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum ExpKind<'a> {
    /// No value (empty expression list).
    Void,
    Nil,
    True,
    False,
    /// Constant `K[idx]`.
    K(u32),
    /// Numeric and string literals not yet in the K table.
    KFlt(f64),
    KInt(i64),
    KStr(&'a [u8]),
    /// In a fixed register.
    NonReloc(u32),
    /// A local variable: its register and its index among the function's
    /// variables.
    Local {
        reg: u32,
        vidx: u32,
    },
    /// Upvalue `idx`.
    Upval(u32),
    /// `R[t][R[key]]`.
    Indexed {
        t: u32,
        key: u32,
    },
    /// `UpValue[t][K[key]]` (K[key] a short string).
    IndexUp {
        t: u32,
        key: u32,
    },
    /// `R[t][key]` (integer key 0..=255).
    IndexI {
        t: u32,
        key: u32,
    },
    /// `R[t][K[key]]` (K[key] a short string).
    IndexStr {
        t: u32,
        key: u32,
    },
    /// A test instruction whose jump is at `pc` (taken when true).
    Jmp(u32),
    /// The instruction at `pc` computes the value; its A is still free.
    Reloc(u32),
    /// An open call at `pc` (its number of results can still change).
    Call(u32),
    /// An open `VARARG` at `pc`.
    Vararg(u32),
}

/// An expression being compiled.
#[derive(Debug, Clone, Copy)]
pub(super) struct ExpDesc<'a> {
    pub k: ExpKind<'a>,
    /// Jumps taken when the expression is true.
    pub t: i32,
    /// Jumps taken when the expression is false.
    pub f: i32,
}

impl<'a> ExpDesc<'a> {
    pub(super) fn new(k: ExpKind<'a>) -> Self {
        ExpDesc {
            k,
            t: NO_JUMP,
            f: NO_JUMP,
        }
    }

    pub(super) fn has_jumps(&self) -> bool {
        self.t != self.f
    }

    /// Can the expression produce several values (open call or `...`)?
    pub(super) fn has_multret(&self) -> bool {
        matches!(self.k, ExpKind::Call(_) | ExpKind::Vararg(_))
    }

    /// Is it a numeric literal without jumps?
    pub(super) fn is_numeral(&self) -> bool {
        !self.has_jumps() && matches!(self.k, ExpKind::KInt(_) | ExpKind::KFlt(_))
    }

    /// The integer literal if it fits an sB/sC immediate.
    pub(super) fn sc_int(&self) -> Option<i64> {
        match self.k {
            ExpKind::KInt(i) if !self.has_jumps() && super::code::fits_sc(i) => Some(i),
            _ => None,
        }
    }

    /// A numeral usable as a signed 8-bit immediate of a comparison: an
    /// integer, or a float with an integral value (then `true`, so the
    /// instruction's C flag makes metamethods see a float, PUC's `isfloat`).
    pub(super) fn sc_num(&self) -> Option<(i64, bool)> {
        if let Some(i) = self.sc_int() {
            return Some((i, false));
        }
        match self.k {
            ExpKind::KFlt(f)
                if !self.has_jumps()
                    && f.fract() == 0.0
                    && f.abs() <= 127.0
                    && !(f == 0.0 && f.is_sign_negative()) =>
            {
                let i = f as i64;
                if super::code::fits_sc(i) {
                    Some((i, true))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Register of a `NonReloc` expression.
    pub(super) fn reg(&self) -> u32 {
        match self.k {
            ExpKind::NonReloc(r) => r,
            _ => {
                debug_assert!(false, "expression not in a register: {:?}", self.k);
                0
            }
        }
    }

    /// The constant value of an expression that is a literal without jumps
    /// (for `<const>` locals, PUC's `luaK_exp2const`).
    pub(super) fn as_constant(&self) -> Option<ExpKind<'a>> {
        if self.has_jumps() {
            return None;
        }
        match self.k {
            ExpKind::Nil
            | ExpKind::True
            | ExpKind::False
            | ExpKind::KStr(_)
            | ExpKind::KInt(_)
            | ExpKind::KFlt(_) => Some(self.k),
            _ => None,
        }
    }
}

impl<'a> FuncState<'a> {
    /// Frees the register of a temporary.
    pub(super) fn free_exp(&mut self, e: &ExpDesc<'a>) {
        if let ExpKind::NonReloc(r) = e.k {
            self.free_reg(r);
        }
    }

    /// Frees the registers of two operands in stack order.
    pub(super) fn free_exps(&mut self, e1: &ExpDesc<'a>, e2: &ExpDesc<'a>) {
        match (e1.k, e2.k) {
            (ExpKind::NonReloc(r1), ExpKind::NonReloc(r2)) => self.free_regs(r1, r2),
            (ExpKind::NonReloc(r1), _) => self.free_reg(r1),
            (_, ExpKind::NonReloc(r2)) => self.free_reg(r2),
            _ => {}
        }
    }

    /// Sets the number of results of an open call or vararg (`nresults` -1:
    /// all of them).
    pub(super) fn set_returns(&mut self, e: &mut ExpDesc<'a>, nresults: i32) -> CResult<()> {
        if nresults + 1 > 255 {
            return err(self.line, "function or expression needs too many registers");
        }
        match e.k {
            ExpKind::Call(pc) => self.set_c(pc, (nresults + 1) as u32),
            ExpKind::Vararg(pc) => {
                self.set_c(pc, (nresults + 1) as u32);
                self.set_a(pc, self.freereg);
                self.reserve_regs(1)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// An open call or vararg returns all its values.
    pub(super) fn set_multret(&mut self, e: &mut ExpDesc<'a>) -> CResult<()> {
        self.set_returns(e, -1)
    }

    /// An open call or vararg is adjusted to one value.
    pub(super) fn set_one_ret(&mut self, e: &mut ExpDesc<'a>) {
        match e.k {
            // A call already returns one value (C = 2) unless changed.
            ExpKind::Call(pc) => e.k = ExpKind::NonReloc(ins::a(self.ins_at(pc))),
            ExpKind::Vararg(pc) => {
                self.set_c(pc, 2);
                e.k = ExpKind::Reloc(pc);
            }
            _ => {}
        }
    }

    /// Emits the read of a variable: afterwards the expression is a value
    /// (constant, register or relocatable instruction), not a variable.
    pub(super) fn discharge_vars(&mut self, e: &mut ExpDesc<'a>) -> CResult<()> {
        match e.k {
            ExpKind::Local { reg, .. } => e.k = ExpKind::NonReloc(reg),
            ExpKind::Upval(idx) => {
                let pc = self.code_abc(OpCode::GETUPVAL, 0, idx, 0)?;
                e.k = ExpKind::Reloc(pc);
            }
            ExpKind::IndexUp { t, key } => {
                let pc = self.code_abc(OpCode::GETTABUP, 0, t, key)?;
                e.k = ExpKind::Reloc(pc);
            }
            ExpKind::IndexI { t, key } => {
                self.free_reg(t);
                let pc = self.code_abc(OpCode::GETI, 0, t, key)?;
                e.k = ExpKind::Reloc(pc);
            }
            ExpKind::IndexStr { t, key } => {
                self.free_reg(t);
                let pc = self.code_abc(OpCode::GETFIELD, 0, t, key)?;
                e.k = ExpKind::Reloc(pc);
            }
            ExpKind::Indexed { t, key } => {
                self.free_regs(t, key);
                let pc = self.code_abc(OpCode::GETTABLE, 0, t, key)?;
                e.k = ExpKind::Reloc(pc);
            }
            ExpKind::Call(_) | ExpKind::Vararg(_) => self.set_one_ret(e),
            _ => {}
        }
        Ok(())
    }

    /// Puts the value of `e` (ignoring its jump lists) into `reg`.
    fn discharge2reg(&mut self, e: &mut ExpDesc<'a>, reg: u32) -> CResult<()> {
        self.discharge_vars(e)?;
        match e.k {
            ExpKind::Nil => self.load_nil(reg, 1)?,
            ExpKind::False => {
                self.code_abc(OpCode::LOADFALSE, reg, 0, 0)?;
            }
            ExpKind::True => {
                self.code_abc(OpCode::LOADTRUE, reg, 0, 0)?;
            }
            ExpKind::KStr(s) => {
                let k = self.string_k(s)?;
                self.code_k(reg, k)?;
            }
            ExpKind::K(k) => {
                self.code_k(reg, k)?;
            }
            ExpKind::KFlt(f) => self.code_float(reg, f)?,
            ExpKind::KInt(i) => self.code_int(reg, i)?,
            ExpKind::Reloc(pc) => self.set_a(pc, reg),
            ExpKind::NonReloc(r) => {
                if r != reg {
                    self.code_abc(OpCode::MOVE, reg, r, 0)?;
                }
            }
            // A test: its value comes from its jump lists (see exp2reg).
            _ => return Ok(()),
        }
        e.k = ExpKind::NonReloc(reg);
        Ok(())
    }

    /// Puts the value of `e` in some register (a new one if needed),
    /// ignoring its jump lists.
    pub(super) fn discharge2anyreg(&mut self, e: &mut ExpDesc<'a>) -> CResult<()> {
        if !matches!(e.k, ExpKind::NonReloc(_)) {
            self.reserve_regs(1)?;
            let reg = self.freereg - 1;
            self.discharge2reg(e, reg)?;
        }
        Ok(())
    }

    /// Emits `R[a] := false; pc++` or `R[a] := true` as a jump target.
    fn code_loadbool(&mut self, a: u32, op: OpCode) -> CResult<u32> {
        self.get_label();
        self.code_abc(op, a, 0, 0)
    }

    /// Puts the complete value of `e`, jump lists included, into `reg`.
    pub(super) fn exp2reg(&mut self, e: &mut ExpDesc<'a>, reg: u32) -> CResult<()> {
        self.discharge2reg(e, reg)?;
        if let ExpKind::Jmp(pc) = e.k {
            // The test itself is one more "true" jump.
            self.add_jump(&mut e.t, pc as i32)?;
        }
        if e.has_jumps() {
            let mut p_f = NO_JUMP as u32; // position of a "load false"
            let mut p_t = NO_JUMP as u32; // position of a "load true"
            let mut has_loads = false;
            if self.need_value(e.t) || self.need_value(e.f) {
                let fj = if matches!(e.k, ExpKind::Jmp(_)) {
                    NO_JUMP
                } else {
                    self.jump()? as i32
                };
                p_f = self.code_loadbool(reg, OpCode::LFALSESKIP)?;
                p_t = self.code_loadbool(reg, OpCode::LOADTRUE)?;
                has_loads = true;
                // Jump around the booleans if `e` is not a test.
                self.patch_to_here(fj)?;
            }
            let end = self.get_label();
            if !has_loads {
                // No jump needs a boolean: all of them are TESTSETs.
                p_f = end;
                p_t = end;
            }
            self.patch_list_aux(e.f, end, reg, p_f)?;
            self.patch_list_aux(e.t, end, reg, p_t)?;
        }
        e.t = NO_JUMP;
        e.f = NO_JUMP;
        e.k = ExpKind::NonReloc(reg);
        Ok(())
    }

    /// Puts the value of `e` in the next free register.
    pub(super) fn exp2nextreg(&mut self, e: &mut ExpDesc<'a>) -> CResult<()> {
        self.discharge_vars(e)?;
        self.free_exp(e);
        self.reserve_regs(1)?;
        let reg = self.freereg - 1;
        self.exp2reg(e, reg)
    }

    /// Puts the value of `e` in some register and returns it (a local's own
    /// register when possible).
    pub(super) fn exp2anyreg(&mut self, e: &mut ExpDesc<'a>) -> CResult<u32> {
        self.discharge_vars(e)?;
        if let ExpKind::NonReloc(r) = e.k {
            if !e.has_jumps() {
                return Ok(r);
            }
            if r >= self.nvarstack {
                // A temporary can receive the jump values itself.
                self.exp2reg(e, r)?;
                return Ok(r);
            }
            // A local must not be overwritten: fall through to a new register.
        }
        self.exp2nextreg(e)?;
        Ok(e.reg())
    }

    /// Like [`Self::exp2anyreg`], but an upvalue may stay an upvalue (for
    /// `GETTABUP`).
    pub(super) fn exp2anyregup(&mut self, e: &mut ExpDesc<'a>) -> CResult<()> {
        if !matches!(e.k, ExpKind::Upval(_)) || e.has_jumps() {
            self.exp2anyreg(e)?;
        }
        Ok(())
    }

    /// Makes `e` a value (in a register if it has jumps).
    pub(super) fn exp2val(&mut self, e: &mut ExpDesc<'a>) -> CResult<()> {
        if e.has_jumps() {
            self.exp2anyreg(e)?;
        } else {
            self.discharge_vars(e)?;
        }
        Ok(())
    }

    /// Makes a literal a `K` expression if its index fits an operand;
    /// returns whether `e` is now `K`.
    pub(super) fn exp2k(&mut self, e: &mut ExpDesc<'a>) -> CResult<bool> {
        if e.has_jumps() {
            return Ok(false);
        }
        let idx = match e.k {
            ExpKind::True => self.bool_k(true)?,
            ExpKind::False => self.bool_k(false)?,
            ExpKind::Nil => self.nil_k()?,
            ExpKind::KInt(i) => self.int_k(i)?,
            ExpKind::KFlt(f) => self.float_k(f)?,
            ExpKind::KStr(s) => self.string_k(s)?,
            ExpKind::K(k) => k,
            _ => return Ok(false),
        };
        if idx <= MAX_INDEX_RK {
            e.k = ExpKind::K(idx);
            return Ok(true);
        }
        Ok(false)
    }

    /// Makes `e` a `K` operand or puts it in a register; returns true for K.
    pub(super) fn exp2rk(&mut self, e: &mut ExpDesc<'a>) -> CResult<bool> {
        if self.exp2k(e)? {
            Ok(true)
        } else {
            self.exp2anyreg(e)?;
            Ok(false)
        }
    }

    /// Emits `op A B RK(e)`.
    fn code_abrk(&mut self, op: OpCode, a: u32, b: u32, e: &mut ExpDesc<'a>) -> CResult<()> {
        let k = self.exp2rk(e)?;
        let c = match e.k {
            ExpKind::K(idx) => idx,
            _ => e.reg(),
        };
        self.code_abck(op, a, b, c, k)?;
        Ok(())
    }

    /// Stores `ex` into the variable `var` (PUC's `luaK_storevar`).
    pub(super) fn store_var(&mut self, var: &ExpDesc<'a>, ex: &mut ExpDesc<'a>) -> CResult<()> {
        match var.k {
            ExpKind::Local { reg, .. } => {
                self.free_exp(ex);
                return self.exp2reg(ex, reg);
            }
            ExpKind::Upval(idx) => {
                let r = self.exp2anyreg(ex)?;
                self.code_abc(OpCode::SETUPVAL, r, idx, 0)?;
            }
            ExpKind::IndexUp { t, key } => self.code_abrk(OpCode::SETTABUP, t, key, ex)?,
            ExpKind::IndexI { t, key } => self.code_abrk(OpCode::SETI, t, key, ex)?,
            ExpKind::IndexStr { t, key } => self.code_abrk(OpCode::SETFIELD, t, key, ex)?,
            ExpKind::Indexed { t, key } => self.code_abrk(OpCode::SETTABLE, t, key, ex)?,
            _ => return err(self.line, "syntax error"),
        }
        self.free_exp(ex);
        Ok(())
    }

    /// `e:key` — `SELF`: the method into a fresh register, the object into
    /// the one after (PUC's `luaK_self`).
    pub(super) fn self_(&mut self, e: &mut ExpDesc<'a>, key: &mut ExpDesc<'a>) -> CResult<()> {
        self.exp2anyreg(e)?;
        let ereg = e.reg();
        self.free_exp(e);
        let base = self.freereg;
        e.k = ExpKind::NonReloc(base);
        self.reserve_regs(2)?;
        self.code_abrk(OpCode::SELF, base, ereg, key)?;
        self.free_exp(key);
        Ok(())
    }

    /// Is `e` a string constant usable as a field key?
    fn is_kstr(&self, e: &ExpDesc<'a>) -> bool {
        match e.k {
            ExpKind::K(idx) => !e.has_jumps() && idx <= MAX_INDEX_RK && self.is_short_string_k(idx),
            _ => false,
        }
    }

    /// Turns table `t` (a local, a register or an upvalue) into the indexed
    /// variable `t[k]`, choosing the most specific form.
    pub(super) fn indexed(&mut self, t: &mut ExpDesc<'a>, k: &mut ExpDesc<'a>) -> CResult<()> {
        if let ExpKind::KStr(s) = k.k {
            let idx = self.string_k(s)?;
            k.k = ExpKind::K(idx);
        }
        if matches!(t.k, ExpKind::Upval(_)) && !self.is_kstr(k) {
            // An upvalue is indexed directly only by a short string constant.
            self.exp2anyreg(t)?;
        }
        if let ExpKind::Upval(u) = t.k {
            if let ExpKind::K(idx) = k.k {
                t.k = ExpKind::IndexUp { t: u, key: idx };
                return Ok(());
            }
        }
        let treg = match t.k {
            ExpKind::Local { reg, .. } => reg,
            ExpKind::NonReloc(r) => r,
            _ => {
                self.exp2anyreg(t)?;
                t.reg()
            }
        };
        if self.is_kstr(k) {
            if let ExpKind::K(idx) = k.k {
                t.k = ExpKind::IndexStr { t: treg, key: idx };
                return Ok(());
            }
        }
        if let ExpKind::KInt(i) = k.k {
            if !k.has_jumps() && (0..=255).contains(&i) {
                t.k = ExpKind::IndexI {
                    t: treg,
                    key: i as u32,
                };
                return Ok(());
            }
        }
        let kreg = self.exp2anyreg(k)?;
        t.k = ExpKind::Indexed { t: treg, key: kreg };
        Ok(())
    }

    // ----- conditions -----

    /// Flips the condition of the test controlling the jump at `pc`.
    fn negate_condition(&mut self, pc: u32) {
        let ctl = self.jump_control(pc);
        let k = ins::k(self.ins_at(ctl));
        self.set_k(ctl, !k);
    }

    /// Emits a jump taken when `e` is `cond` (truthy/falsy); returns it.
    fn jump_on_cond(&mut self, e: &mut ExpDesc<'a>, cond: bool) -> CResult<u32> {
        if let ExpKind::Reloc(pc) = e.k {
            let i = self.ins_at(pc);
            if ins::opcode(i) == OpCode::NOT && pc + 1 == self.pc() {
                // Test the operand of the `not` instead, with the opposite sense.
                self.remove_last_instruction();
                return self.cond_jump(OpCode::TEST, ins::b(i), 0, 0, !cond);
            }
        }
        self.discharge2anyreg(e)?;
        self.free_exp(e);
        let r = e.reg();
        self.cond_jump(OpCode::TESTSET, super::code::NO_REG, r, 0, cond)
    }

    /// Falls through when `e` is true, jumps (via `e.f`) when false.
    pub(super) fn go_if_true(&mut self, e: &mut ExpDesc<'a>) -> CResult<()> {
        self.discharge_vars(e)?;
        let pc = match e.k {
            ExpKind::Jmp(pc) => {
                self.negate_condition(pc);
                pc as i32
            }
            // Always true: never jumps.
            ExpKind::K(_)
            | ExpKind::KFlt(_)
            | ExpKind::KInt(_)
            | ExpKind::KStr(_)
            | ExpKind::True => NO_JUMP,
            _ => self.jump_on_cond(e, false)? as i32,
        };
        self.add_jump(&mut e.f, pc)?;
        self.patch_to_here(e.t)?;
        e.t = NO_JUMP;
        Ok(())
    }

    /// Falls through when `e` is false, jumps (via `e.t`) when true.
    pub(super) fn go_if_false(&mut self, e: &mut ExpDesc<'a>) -> CResult<()> {
        self.discharge_vars(e)?;
        let pc = match e.k {
            ExpKind::Jmp(pc) => pc as i32,
            ExpKind::Nil | ExpKind::False => NO_JUMP,
            _ => self.jump_on_cond(e, true)? as i32,
        };
        self.add_jump(&mut e.t, pc)?;
        self.patch_to_here(e.f)?;
        e.f = NO_JUMP;
        Ok(())
    }

    /// `not e`.
    pub(super) fn code_not(&mut self, e: &mut ExpDesc<'a>) -> CResult<()> {
        match e.k {
            ExpKind::Nil | ExpKind::False => e.k = ExpKind::True,
            ExpKind::K(_)
            | ExpKind::KFlt(_)
            | ExpKind::KInt(_)
            | ExpKind::KStr(_)
            | ExpKind::True => e.k = ExpKind::False,
            ExpKind::Jmp(pc) => self.negate_condition(pc),
            ExpKind::Reloc(_) | ExpKind::NonReloc(_) => {
                self.discharge2anyreg(e)?;
                self.free_exp(e);
                let pc = self.code_abc(OpCode::NOT, 0, e.reg(), 0)?;
                e.k = ExpKind::Reloc(pc);
            }
            _ => {
                return err(
                    self.line,
                    "internal error: 'not' of an undischarged expression",
                )
            }
        }
        std::mem::swap(&mut e.t, &mut e.f);
        // Values are useless when negated.
        self.remove_values(e.f);
        self.remove_values(e.t);
        Ok(())
    }
}
