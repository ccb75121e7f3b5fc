//! Instruction emission for one function: encoding with line info, jump
//! lists, the constant table, and register reservation.
//!
//! Jump lists (PUC's technique): a list of pending `JMP`s is threaded
//! through their own sJ fields; each points to the next one and the last
//! holds `NO_JUMP`. A list is named by the pc of its head. Patching walks
//! the list and writes the real offsets. A `TESTSET` guarding a jump in a
//! list can still be turned into a `TEST` (when its value is not needed) or
//! get its destination register (when it is).
//!
//! Invariants: `code` and `line_info` always have the same length; every
//! register below `freereg` is reserved and `max_stack_size >= freereg`;
//! registers never exceed 254; constants are deduplicated through hash maps
//! (floats by bit pattern, so `1`/`1.0` and `0.0`/`-0.0` stay distinct).

use crate::bytecode::opcode::{ins, OpCode, MAXARG_AX, MAXARG_BX, MAXARG_C, OFFSET_SBX, OFFSET_SJ};
use crate::bytecode::{Constant, Instruction};

use super::{FuncState, NumKey};

/// End of a jump list / no jump.
pub(super) const NO_JUMP: i32 = -1;
/// "No register" for `TESTSET` patching (never a real register: at most 254).
pub(super) const NO_REG: u32 = 255;
/// Registers are 0..MAX_REGS-1 (PUC's `MAXREGS`).
pub(super) const MAX_REGS: u32 = 255;
/// Largest length of a string constant usable as a field key in the
/// `*FIELD`/`*TABUP`/`SELF` forms (PUC's short strings, `LUAI_MAXSHORTLEN`).
pub(super) const MAX_SHORT_STR: usize = 40;
/// Largest constant index of an RK / K operand.
pub(super) const MAX_INDEX_RK: u32 = 255;
/// The code of one function may not reach this many instructions.
const MAX_CODE: usize = (i32::MAX / 2) as usize;

/// An internal error: the line it belongs to and PUC's message.
#[derive(Debug)]
pub(super) struct CErr {
    pub line: u32,
    pub msg: String,
}

/// Result of compiler steps; the error is boxed to keep results small.
pub(super) type CResult<T> = Result<T, Box<CErr>>;

/// Builds an error result.
pub(super) fn err<T>(line: u32, msg: impl Into<String>) -> CResult<T> {
    Err(Box::new(CErr {
        line,
        msg: msg.into(),
    }))
}

/// Is `op` a test that conditionally skips the following jump?
pub(super) fn is_test_op(op: OpCode) -> bool {
    use OpCode::*;
    matches!(
        op,
        EQ | LT | LE | EQK | EQI | LTI | LEI | GTI | GEI | TEST | TESTSET
    )
}

/// Does `i` fit the signed Bx field of `LOADI`/`LOADF`?
pub(super) fn fits_sbx(i: i64) -> bool {
    (-(OFFSET_SBX as i64)..=(MAXARG_BX as i64 - OFFSET_SBX as i64)).contains(&i)
}

/// Does `i` fit a signed sB/sC immediate?
pub(super) fn fits_sc(i: i64) -> bool {
    (-127..=128).contains(&i)
}

/// Encodes an sB/sC immediate (call only when [`fits_sc`]).
pub(super) fn int2sc(i: i64) -> u32 {
    (i + 127) as u32
}

impl<'a> FuncState<'a> {
    /// pc of the next instruction.
    pub(super) fn pc(&self) -> u32 {
        self.f.code.len() as u32
    }

    /// Appends an instruction with the current line; returns its pc.
    pub(super) fn code(&mut self, i: Instruction) -> CResult<u32> {
        let pc = self.f.code.len();
        if pc >= MAX_CODE {
            return err(self.line, "function or expression too complex");
        }
        self.f.code.push(i);
        self.f.line_info.push(self.line);
        Ok(pc as u32)
    }

    pub(super) fn code_abck(
        &mut self,
        op: OpCode,
        a: u32,
        b: u32,
        c: u32,
        k: bool,
    ) -> CResult<u32> {
        self.code(ins::abc(op, a, b, c, k))
    }

    pub(super) fn code_abc(&mut self, op: OpCode, a: u32, b: u32, c: u32) -> CResult<u32> {
        self.code(ins::abc(op, a, b, c, false))
    }

    pub(super) fn code_abx(&mut self, op: OpCode, a: u32, bx: u32) -> CResult<u32> {
        self.code(ins::abx(op, a, bx))
    }

    fn code_asbx(&mut self, op: OpCode, a: u32, sbx: i32) -> CResult<u32> {
        self.code(ins::asbx(op, a, sbx))
    }

    /// `EXTRAARG ax` (errors if `ax` does not fit its 25 bits).
    pub(super) fn code_extraarg(&mut self, ax: u32) -> CResult<u32> {
        if ax > MAXARG_AX {
            return err(self.line, "function or expression too complex");
        }
        self.code(ins::ax_ins(OpCode::EXTRAARG, ax))
    }

    /// Gives the last emitted instruction the line `line` (PUC's `luaK_fixline`).
    pub(super) fn fixline(&mut self, line: u32) {
        if let Some(l) = self.f.line_info.last_mut() {
            *l = line;
        }
    }

    /// Drops the last instruction (used to fuse `NOT` into a test).
    pub(super) fn remove_last_instruction(&mut self) {
        self.f.code.pop();
        self.f.line_info.pop();
    }

    /// The instruction at `pc`.
    pub(super) fn ins_at(&self, pc: u32) -> Instruction {
        self.f.code[pc as usize]
    }

    pub(super) fn set_ins(&mut self, pc: u32, i: Instruction) {
        self.f.code[pc as usize] = i;
    }

    /// Sets field A of the instruction at `pc`.
    pub(super) fn set_a(&mut self, pc: u32, a: u32) {
        let i = self.ins_at(pc);
        self.set_ins(pc, (i & !(0xff << 7)) | (a << 7));
    }

    /// Sets field B of the instruction at `pc`.
    pub(super) fn set_b(&mut self, pc: u32, b: u32) {
        let i = self.ins_at(pc);
        self.set_ins(pc, (i & !(0xff << 16)) | (b << 16));
    }

    /// Sets field C of the instruction at `pc`.
    pub(super) fn set_c(&mut self, pc: u32, c: u32) {
        let i = self.ins_at(pc);
        self.set_ins(pc, (i & !(0xff << 24)) | (c << 24));
    }

    /// Sets the k bit of the instruction at `pc`.
    pub(super) fn set_k(&mut self, pc: u32, k: bool) {
        let i = self.ins_at(pc);
        self.set_ins(pc, (i & !(1 << 15)) | ((k as u32) << 15));
    }

    /// Replaces the opcode of the instruction at `pc`.
    pub(super) fn set_op(&mut self, pc: u32, op: OpCode) {
        let i = self.ins_at(pc);
        self.set_ins(pc, (i & !0x7f) | op as u32);
    }

    /// The instruction just emitted, if no jump may land between it and the
    /// next one (peephole optimizations must not cross a jump target).
    pub(super) fn previous_instruction(&self) -> Option<Instruction> {
        if self.pc() > self.last_target {
            self.f.code.last().copied()
        } else {
            None
        }
    }

    /// Marks the current pc as a jump target and returns it.
    pub(super) fn get_label(&mut self) -> u32 {
        self.last_target = self.pc();
        self.pc()
    }

    // ----- jumps -----

    /// Emits a pending `JMP` (a one-element jump list).
    pub(super) fn jump(&mut self) -> CResult<u32> {
        self.code(ins::sj_ins(OpCode::JMP, NO_JUMP))
    }

    /// Destination of the jump at `pc` as a list link: the next element of
    /// its list, or `NO_JUMP`.
    fn get_jump(&self, pc: u32) -> i32 {
        let offset = ins::sj(self.ins_at(pc));
        if offset == NO_JUMP {
            NO_JUMP
        } else {
            pc as i32 + 1 + offset
        }
    }

    /// Points the jump at `pc` to `dest`.
    pub(super) fn fix_jump(&mut self, pc: u32, dest: u32) -> CResult<()> {
        let offset = dest as i64 - (pc as i64 + 1);
        if !(-(OFFSET_SJ as i64) <= offset && offset <= MAXARG_AX as i64 - OFFSET_SJ as i64) {
            return err(self.line, "control structure too long");
        }
        let i = self.ins_at(pc);
        let op = ins::opcode(i);
        self.set_ins(pc, ins::sj_ins(op, offset as i32));
        Ok(())
    }

    /// Appends list `l2` to list `*l1` (walks `*l1`).
    pub(super) fn concat(&mut self, l1: &mut i32, l2: i32) -> CResult<()> {
        if l2 == NO_JUMP {
            return Ok(());
        }
        if *l1 == NO_JUMP {
            *l1 = l2;
            return Ok(());
        }
        let mut list = *l1 as u32;
        loop {
            let next = self.get_jump(list);
            if next == NO_JUMP {
                break;
            }
            list = next as u32;
        }
        self.fix_jump(list, l2 as u32)
    }

    /// Adds the single fresh jump `pc` to list `*l` in O(1) (the order of a
    /// list is irrelevant: every element gets the same destination).
    pub(super) fn add_jump(&mut self, l: &mut i32, pc: i32) -> CResult<()> {
        if pc == NO_JUMP {
            return Ok(());
        }
        if *l != NO_JUMP {
            debug_assert_eq!(self.get_jump(pc as u32), NO_JUMP);
            self.fix_jump(pc as u32, *l as u32)?;
        }
        *l = pc;
        Ok(())
    }

    /// pc of the instruction that controls the jump at `pc`: the test before
    /// it, if any, else the jump itself.
    pub(super) fn jump_control(&self, pc: u32) -> u32 {
        if pc >= 1 && is_test_op(ins::opcode(self.ins_at(pc - 1))) {
            pc - 1
        } else {
            pc
        }
    }

    /// If the jump at `node` is guarded by a `TESTSET`, makes it store into
    /// `reg` (or become a plain `TEST` when `reg` is `NO_REG` or the tested
    /// register itself). Returns false for other guards.
    fn patch_test_reg(&mut self, node: u32, reg: u32) -> bool {
        let ctl = self.jump_control(node);
        let i = self.ins_at(ctl);
        if ins::opcode(i) != OpCode::TESTSET {
            return false;
        }
        if reg != NO_REG && reg != ins::b(i) {
            self.set_a(ctl, reg);
        } else {
            self.set_ins(ctl, ins::abc(OpCode::TEST, ins::b(i), 0, 0, ins::k(i)));
        }
        true
    }

    /// Turns every `TESTSET` of a list into a `TEST` (values not needed).
    pub(super) fn remove_values(&mut self, mut list: i32) {
        while list != NO_JUMP {
            self.patch_test_reg(list as u32, NO_REG);
            list = self.get_jump(list as u32);
        }
    }

    /// Does some jump of the list need to produce a value (is not guarded
    /// by a `TESTSET`, which produces its own)?
    pub(super) fn need_value(&self, mut list: i32) -> bool {
        while list != NO_JUMP {
            let i = self.ins_at(self.jump_control(list as u32));
            if ins::opcode(i) != OpCode::TESTSET {
                return true;
            }
            list = self.get_jump(list as u32);
        }
        false
    }

    /// Patches a list: jumps guarded by a `TESTSET` go to `vtarget` storing
    /// into `reg`; the others go to `dtarget`.
    pub(super) fn patch_list_aux(
        &mut self,
        mut list: i32,
        vtarget: u32,
        reg: u32,
        dtarget: u32,
    ) -> CResult<()> {
        while list != NO_JUMP {
            let next = self.get_jump(list as u32);
            if self.patch_test_reg(list as u32, reg) {
                self.fix_jump(list as u32, vtarget)?;
            } else {
                self.fix_jump(list as u32, dtarget)?;
            }
            list = next;
        }
        Ok(())
    }

    /// Sends every jump of `list` to `target`.
    pub(super) fn patch_list(&mut self, list: i32, target: u32) -> CResult<()> {
        self.patch_list_aux(list, target, NO_REG, target)
    }

    /// Sends every jump of `list` to the current pc (a jump target).
    pub(super) fn patch_to_here(&mut self, list: i32) -> CResult<()> {
        let here = self.get_label();
        self.patch_list(list, here)
    }

    /// `JMP` to an already known `target`.
    pub(super) fn jump_to(&mut self, target: u32) -> CResult<()> {
        let j = self.jump()?;
        self.patch_list(j as i32, target)
    }

    /// Points the `FOR*`/`TFOR*` instruction at `pc` to `dest` (`back`:
    /// a backward jump; the offset is stored unsigned).
    pub(super) fn fix_for_jump(&mut self, pc: u32, dest: u32, back: bool) -> CResult<()> {
        let mut offset = dest as i64 - (pc as i64 + 1);
        if back {
            offset = -offset;
        }
        if !(0..=MAXARG_BX as i64).contains(&offset) {
            return err(self.line, "control structure too long");
        }
        let i = self.ins_at(pc);
        self.set_ins(pc, ins::abx(ins::opcode(i), ins::a(i), offset as u32));
        Ok(())
    }

    /// Emits a test instruction followed by its jump; returns the jump's pc.
    pub(super) fn cond_jump(
        &mut self,
        op: OpCode,
        a: u32,
        b: u32,
        c: u32,
        k: bool,
    ) -> CResult<u32> {
        self.code_abck(op, a, b, c, k)?;
        self.jump()
    }

    // ----- returns and the final pass -----

    /// `return R[first], ..., R[first+nret-1]` (`nret` -1: up to top).
    pub(super) fn ret(&mut self, first: u32, nret: i32) -> CResult<()> {
        let op = match nret {
            0 => OpCode::RETURN0,
            1 => OpCode::RETURN1,
            _ => OpCode::RETURN,
        };
        self.code_abc(op, first, (nret + 1) as u32, 0)?;
        Ok(())
    }

    /// Last pass over a finished function (PUC's `luaK_finish`): returns
    /// that must close upvalues / to-be-closed variables get k = 1 (and the
    /// `RETURN0`/`RETURN1` shortcuts become `RETURN`); jumps to jumps go
    /// straight to the final target.
    pub(super) fn finish(&mut self) -> CResult<()> {
        for pc in 0..self.pc() {
            let i = self.ins_at(pc);
            match ins::opcode(i) {
                OpCode::RETURN0 | OpCode::RETURN1 if self.needclose => {
                    self.set_ins(pc, ins::abc(OpCode::RETURN, ins::a(i), ins::b(i), 0, true));
                }
                OpCode::RETURN | OpCode::TAILCALL if self.needclose => self.set_k(pc, true),
                OpCode::JMP => {
                    let target = self.final_target(pc);
                    let offset = target as i64 - (pc as i64 + 1);
                    if -(OFFSET_SJ as i64) <= offset
                        && offset <= MAXARG_AX as i64 - OFFSET_SJ as i64
                    {
                        self.fix_jump(pc, target)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Follows a chain of jumps (at most 100, against cycles).
    fn final_target(&self, mut pc: u32) -> u32 {
        for _ in 0..100 {
            let i = self.ins_at(pc);
            if ins::opcode(i) != OpCode::JMP {
                break;
            }
            let next = pc as i64 + 1 + ins::sj(i) as i64;
            if next < 0 || next >= self.pc() as i64 {
                break;
            }
            pc = next as u32;
        }
        pc
    }

    // ----- registers -----

    /// Ensures `n` more registers above `freereg` fit the frame.
    pub(super) fn check_stack(&mut self, n: u32) -> CResult<()> {
        let newstack = self.freereg + n;
        if newstack > self.f.max_stack_size as u32 {
            if newstack >= MAX_REGS {
                return err(self.line, "function or expression needs too many registers");
            }
            self.f.max_stack_size = newstack as u8;
        }
        Ok(())
    }

    /// Reserves `n` registers at the top.
    pub(super) fn reserve_regs(&mut self, n: u32) -> CResult<()> {
        self.check_stack(n)?;
        self.freereg += n;
        Ok(())
    }

    /// Frees `reg` if it is a temporary (it must be the top one).
    pub(super) fn free_reg(&mut self, reg: u32) {
        if reg >= self.nvarstack {
            self.freereg = self.freereg.saturating_sub(1);
            debug_assert_eq!(reg, self.freereg, "registers freed out of order");
        }
    }

    /// Frees two registers in stack order (the higher first).
    pub(super) fn free_regs(&mut self, r1: u32, r2: u32) {
        if r1 > r2 {
            self.free_reg(r1);
            self.free_reg(r2);
        } else {
            self.free_reg(r2);
            self.free_reg(r1);
        }
    }

    /// `R[from], ..., R[from+n-1] := nil`, merged into the previous
    /// `LOADNIL` when the ranges touch.
    pub(super) fn load_nil(&mut self, from: u32, n: u32) -> CResult<()> {
        let mut from = from;
        let mut last = from + n - 1;
        if let Some(prev) = self.previous_instruction() {
            if ins::opcode(prev) == OpCode::LOADNIL {
                let pfrom = ins::a(prev);
                let plast = pfrom + ins::b(prev);
                if (pfrom <= from && from <= plast + 1) || (from <= pfrom && pfrom <= last + 1) {
                    from = from.min(pfrom);
                    last = last.max(plast);
                    let pc = self.pc() - 1;
                    self.set_ins(pc, ins::abc(OpCode::LOADNIL, from, last - from, 0, false));
                    return Ok(());
                }
            }
        }
        self.code_abc(OpCode::LOADNIL, from, n - 1, 0)?;
        Ok(())
    }

    // ----- constants -----

    fn add_constant(&mut self, c: Constant) -> CResult<u32> {
        let idx = self.f.constants.len();
        if idx > MAXARG_AX as usize {
            return err(
                self.line,
                format!("too many constants (limit is {})", MAXARG_AX as u64 + 1),
            );
        }
        self.f.constants.push(c);
        Ok(idx as u32)
    }

    fn num_constant(&mut self, key: NumKey, c: Constant) -> CResult<u32> {
        if let Some(&i) = self.knum.get(&key) {
            return Ok(i);
        }
        let i = self.add_constant(c)?;
        self.knum.insert(key, i);
        Ok(i)
    }

    /// Index of string constant `s`.
    pub(super) fn string_k(&mut self, s: &'a [u8]) -> CResult<u32> {
        if let Some(&i) = self.kstr.get(s) {
            return Ok(i);
        }
        let i = self.add_constant(Constant::String(s.to_vec()))?;
        self.kstr.insert(s, i);
        Ok(i)
    }

    /// Index of integer constant `v`.
    pub(super) fn int_k(&mut self, v: i64) -> CResult<u32> {
        self.num_constant(NumKey::Int(v), Constant::Integer(v))
    }

    /// Index of float constant `v`.
    pub(super) fn float_k(&mut self, v: f64) -> CResult<u32> {
        self.num_constant(NumKey::Flt(v.to_bits()), Constant::Float(v))
    }

    pub(super) fn bool_k(&mut self, v: bool) -> CResult<u32> {
        self.num_constant(NumKey::Bool(v), Constant::Boolean(v))
    }

    pub(super) fn nil_k(&mut self) -> CResult<u32> {
        self.num_constant(NumKey::Nil, Constant::Nil)
    }

    /// Is constant `idx` a string usable as a field key (see [`MAX_SHORT_STR`])?
    pub(super) fn is_short_string_k(&self, idx: u32) -> bool {
        matches!(self.f.constants.get(idx as usize), Some(Constant::String(s)) if s.len() <= MAX_SHORT_STR)
    }

    /// `R[reg] := K[k]` (`LOADKX` + `EXTRAARG` for large indices).
    pub(super) fn code_k(&mut self, reg: u32, k: u32) -> CResult<u32> {
        if k <= MAXARG_BX {
            self.code_abx(OpCode::LOADK, reg, k)
        } else {
            let pc = self.code_abx(OpCode::LOADKX, reg, 0)?;
            self.code_extraarg(k)?;
            Ok(pc)
        }
    }

    /// `R[reg] := i` (`LOADI` when it fits).
    pub(super) fn code_int(&mut self, reg: u32, i: i64) -> CResult<()> {
        if fits_sbx(i) {
            self.code_asbx(OpCode::LOADI, reg, i as i32)?;
        } else {
            let k = self.int_k(i)?;
            self.code_k(reg, k)?;
        }
        Ok(())
    }

    /// `R[reg] := f` (`LOADF` for small integral floats other than -0.0).
    pub(super) fn code_float(&mut self, reg: u32, f: f64) -> CResult<()> {
        let fi = f as i64;
        if fi as f64 == f && !(f == 0.0 && f.is_sign_negative()) && fits_sbx(fi) {
            self.code_asbx(OpCode::LOADF, reg, fi as i32)?;
        } else {
            let k = self.float_k(f)?;
            self.code_k(reg, k)?;
        }
        Ok(())
    }

    /// `SETLIST` of `tostore` items (-1: up to top) after `nelems` stored
    /// ones, into the table at `base`; frees the item registers.
    pub(super) fn set_list(&mut self, base: u32, nelems: u32, tostore: i32) -> CResult<()> {
        let b = if tostore < 0 { 0 } else { tostore as u32 };
        if nelems <= MAXARG_C {
            self.code_abc(OpCode::SETLIST, base, b, nelems)?;
        } else {
            let extra = nelems / (MAXARG_C + 1);
            self.code_abck(OpCode::SETLIST, base, b, nelems % (MAXARG_C + 1), true)?;
            self.code_extraarg(extra)?;
        }
        self.freereg = base + 1;
        Ok(())
    }
}
