//! The walk over statements (§3.3): blocks, assignments, locals, control
//! structures, loops, gotos/labels and returns.
//!
//! Code shapes (as PUC Lua 5.4):
//! - `while c do b end`: test c (exit jump), b, `JMP` back;
//! - `repeat b until c`: b, test c (jump back when false); the condition
//!   sees b's locals, and when b's locals are captured the back edge runs
//!   through a `CLOSE`;
//! - numeric `for`: 3 hidden registers + the variable, `FORPREP` ...
//!   `FORLOOP`; generic `for`: 4 hidden registers (the 4th to-be-closed) +
//!   the variables, `TFORPREP` ... `TFORCALL`, `TFORLOOP`;
//! - `if`: each arm tests and skips its block, blocks jump to the end;
//!   `if c then break` becomes a single conditional jump;
//! - multiple assignment evaluates every right-hand value, then stores
//!   right to left; a local or upvalue used as a table or key by an earlier
//!   target is first copied (PUC's `check_conflict`).

use crate::bytecode::opcode::OpCode;
use crate::syntax::ast::{
    Attrib, Block, Expr, ExprKind, FuncBody, LocalName, Return, Stat, StatKind,
};

use super::code::{err, CResult};
use super::exp::{ExpDesc, ExpKind};
use super::scope::VarKind;
use super::Compiler;

impl<'a> Compiler<'a> {
    /// The statements of `b` from index `start`, then its `return`.
    /// `labels_end_block`: labels after the last statement end the block
    /// (false for a `repeat` body, whose condition still sees its locals).
    pub(super) fn statlist(
        &mut self,
        b: &'a Block,
        start: usize,
        labels_end_block: bool,
    ) -> CResult<()> {
        let stats = &b.stats;
        let n = stats.len();
        let mut i = start;
        while i < n {
            if !matches!(stats[i].kind, StatKind::Label(_)) {
                self.statement(&stats[i])?;
                i += 1;
                continue;
            }
            // A run of labels: PUC creates them innermost-first (the last
            // one first) once the token after the run is known.
            let mut j = i;
            while j < n && matches!(stats[j].kind, StatKind::Label(_)) {
                j += 1;
            }
            let next_line = match (stats.get(j), &b.ret) {
                (Some(s), _) => s.line,
                (None, Some(r)) => r.line,
                (None, None) => b.end_line,
            };
            let last = j == n && b.ret.is_none() && labels_end_block;
            for s in stats[i..j].iter().rev() {
                if let StatKind::Label(name) = &s.kind {
                    self.check_repeated(name, next_line)?;
                    self.create_label_at(name, s.line, last, next_line)?;
                }
            }
            self.set_line(stats[j - 1].line);
            i = j;
        }
        if let Some(r) = &b.ret {
            self.ret_stat(r)?;
        }
        Ok(())
    }

    /// `do ... end` and other plain blocks.
    fn block(&mut self, b: &'a Block) -> CResult<()> {
        self.enter_block(false);
        self.statlist(b, 0, true)?;
        self.leave_block()
    }

    #[inline(never)]
    fn statement(&mut self, s: &'a Stat) -> CResult<()> {
        self.enter_level()?;
        if s.line > 0 {
            self.cur.line = s.line;
        }
        match &s.kind {
            StatKind::Call(e) => self.call_stat(e, s.line)?,
            StatKind::Local { names, exprs } => self.local_stat(names, exprs, s.line)?,
            StatKind::Assign { targets, exprs } => self.assign_stat(targets, exprs, s.line)?,
            StatKind::LocalFunction { name, func } => self.local_function(name, func)?,
            StatKind::Do(b) => self.block(b)?,
            StatKind::While { cond, body } => self.while_stat(cond, body)?,
            StatKind::Repeat { body, cond } => self.repeat_stat(body, cond)?,
            StatKind::If { arms, else_block } => self.if_stat(arms, else_block.as_ref())?,
            StatKind::NumericFor {
                var,
                start,
                limit,
                step,
                body,
            } => self.for_num(var, start, limit, step.as_ref(), body, s.line)?,
            StatKind::GenericFor { vars, exprs, body } => {
                self.for_list(vars, exprs, body, s.line)?
            }
            StatKind::Goto(name) => self.goto_stat(name, s.line)?,
            StatKind::Label(name) => {
                self.check_repeated(name, s.line)?;
                self.create_label_at(name, s.line, false, s.line)?;
            }
            StatKind::Break => self.break_stat(s.line)?,
        }
        let fs = &mut self.cur;
        debug_assert!(fs.f.max_stack_size as u32 >= fs.freereg && fs.freereg >= fs.nvarstack);
        fs.freereg = fs.nvarstack;
        self.leave_level();
        Ok(())
    }

    /// A call statement: the call keeps no results.
    fn call_stat(&mut self, e: &'a Expr, line: u32) -> CResult<()> {
        let v = self.suffixed(e)?;
        match v.k {
            ExpKind::Call(pc) => {
                self.cur.set_c(pc, 1);
                Ok(())
            }
            _ => err(line, "syntax error"),
        }
    }

    /// `local names = exprs` (§3.3.7).
    #[inline(never)]
    fn local_stat(&mut self, names: &'a [LocalName], exprs: &'a [Expr], line: u32) -> CResult<()> {
        if names.is_empty() {
            return err(line, "syntax error");
        }
        let mut toclose = None;
        for (i, n) in names.iter().enumerate() {
            self.new_localvar(&n.name)?;
            let kind = match n.attrib {
                Attrib::None => VarKind::Regular,
                Attrib::Const => VarKind::Const,
                Attrib::Close => VarKind::Close,
            };
            if let Some(v) = self.cur.vars.last_mut() {
                v.kind = kind;
            }
            if kind == VarKind::Close {
                if toclose.is_some() {
                    return err(line, "multiple to-be-closed variables in local list");
                }
                toclose = Some(self.cur.nactvar + i);
            }
        }
        let nvars = names.len();
        let (nexps, mut e) = self.explist(exprs)?;
        let last = self.cur.vars.len() - 1;
        if nvars == nexps && self.cur.vars[last].kind == VarKind::Const {
            if let Some(value) = e.as_constant() {
                // A compile-time constant: no register, no debug entry.
                self.cur.vars[last].kind = VarKind::Ctc;
                self.cur.vars[last].value = value;
                self.adjust_localvars(nvars - 1);
                self.cur.nactvar += 1;
                return self.check_to_close(toclose);
            }
        }
        self.adjust_assign(nvars, nexps, &mut e)?;
        self.adjust_localvars(nvars);
        self.check_to_close(toclose)
    }

    /// Adjusts `nexps` values (the last one `e`, unplaced) to `nvars`
    /// consecutive registers: an open call or vararg provides the missing
    /// values, else they are nils; extra values are dropped.
    pub(super) fn adjust_assign(
        &mut self,
        nvars: usize,
        nexps: usize,
        e: &mut ExpDesc<'a>,
    ) -> CResult<()> {
        let fs = &mut self.cur;
        let needed = nvars as i64 - nexps as i64;
        if e.has_multret() {
            let extra = (needed + 1).clamp(0, 255) as i32;
            fs.set_returns(e, extra)?;
        } else {
            if !matches!(e.k, ExpKind::Void) {
                fs.exp2nextreg(e)?;
            }
            if needed > 0 {
                fs.check_stack(needed.min(255) as u32)?;
                let from = fs.freereg;
                fs.load_nil(from, needed as u32)?;
            }
        }
        if needed > 0 {
            fs.reserve_regs(needed.min(255) as u32)?;
        } else {
            fs.freereg = (fs.freereg as i64 + needed).max(0) as u32;
        }
        Ok(())
    }

    /// `targets = exprs` (§3.3.3).
    #[inline(never)]
    fn assign_stat(&mut self, targets: &'a [Expr], exprs: &'a [Expr], line: u32) -> CResult<()> {
        let mut lhs: Vec<ExpDesc<'a>> = Vec::with_capacity(targets.len());
        for t in targets {
            let v = self.assign_target(t)?;
            if !is_indexed(&v) {
                self.check_conflict(&mut lhs, &v)?;
            }
            lhs.push(v);
        }
        let Some(&last) = lhs.last() else {
            return err(line, "syntax error");
        };
        let nvars = lhs.len();
        let (nexps, mut e) = self.explist(exprs)?;
        if nexps == nvars {
            self.cur.set_one_ret(&mut e);
            self.cur.store_var(&last, &mut e)?;
            if let [Expr {
                kind: ExprKind::Function(f),
                ..
            }] = exprs
            {
                if nvars == 1 && f.line == line {
                    // `function name() ... end`: PUC gives the store the
                    // line of `function` (its `funcstat`).
                    self.cur.fixline(line);
                }
            }
        } else {
            self.adjust_assign(nvars, nexps, &mut e)?;
            let mut v = ExpDesc::new(ExpKind::NonReloc(self.cur.freereg.saturating_sub(1)));
            self.cur.store_var(&last, &mut v)?;
        }
        // The other targets take the values below, right to left.
        for var in lhs[..nvars - 1].iter().rev() {
            let mut v = ExpDesc::new(ExpKind::NonReloc(self.cur.freereg.saturating_sub(1)));
            self.cur.store_var(var, &mut v)?;
        }
        Ok(())
    }

    /// An assignment target: a variable (checked not read-only) or an
    /// indexed expression.
    fn assign_target(&mut self, t: &'a Expr) -> CResult<ExpDesc<'a>> {
        match &t.kind {
            ExprKind::Name(name) => {
                if t.line > 0 {
                    self.cur.line = t.line;
                }
                let r = self.resolve(name)?;
                self.check_readonly(&r, name, t.line)?;
                self.var_exp(r, name)
            }
            ExprKind::Index(..) => {
                let v = self.suffixed(t)?;
                if !is_indexed(&v) {
                    return err(t.line, "syntax error");
                }
                Ok(v)
            }
            _ => err(t.line, "syntax error"),
        }
    }

    /// Before assigning to local/upvalue `v`, makes earlier targets that use
    /// it as their table or key use a copy of its current value instead.
    fn check_conflict(&mut self, lhs: &mut [ExpDesc<'a>], v: &ExpDesc<'a>) -> CResult<()> {
        let fs = &mut self.cur;
        let extra = fs.freereg;
        let mut conflict = false;
        for lh in lhs.iter_mut() {
            let new_kind = match (lh.k, v.k) {
                (ExpKind::IndexUp { t, key }, ExpKind::Upval(u)) if t == u => {
                    ExpKind::IndexStr { t: extra, key }
                }
                (ExpKind::Indexed { t, key }, ExpKind::Local { reg, .. }) => ExpKind::Indexed {
                    t: if t == reg { extra } else { t },
                    key: if key == reg { extra } else { key },
                },
                (ExpKind::IndexI { t, key }, ExpKind::Local { reg, .. }) if t == reg => {
                    ExpKind::IndexI { t: extra, key }
                }
                (ExpKind::IndexStr { t, key }, ExpKind::Local { reg, .. }) if t == reg => {
                    ExpKind::IndexStr { t: extra, key }
                }
                (k, _) => k,
            };
            if new_kind != lh.k {
                conflict = true;
                lh.k = new_kind;
            }
        }
        if conflict {
            match v.k {
                ExpKind::Local { reg, .. } => {
                    fs.code_abc(OpCode::MOVE, extra, reg, 0)?;
                }
                ExpKind::Upval(u) => {
                    fs.code_abc(OpCode::GETUPVAL, extra, u, 0)?;
                }
                _ => {}
            }
            fs.reserve_regs(1)?;
        }
        Ok(())
    }

    /// `local function name body`: the local is in scope inside the body.
    fn local_function(&mut self, name: &'a str, func: &'a FuncBody) -> CResult<()> {
        let fvar = self.cur.nactvar;
        self.new_localvar(name)?;
        self.adjust_localvars(1);
        self.function_expr(func)?;
        // Debug information sees the variable only after the closure exists.
        let pc = self.cur.pc();
        if let Some(p) = self.cur.vars.get(fvar).and_then(|v| v.pidx) {
            if let Some(lv) = self.cur.f.loc_vars.get_mut(p as usize) {
                lv.start_pc = pc;
            }
        }
        Ok(())
    }

    /// Compiles a condition; returns the jumps taken when it is false.
    fn cond(&mut self, e: &'a Expr) -> CResult<i32> {
        let mut v = self.expr(e)?;
        if matches!(v.k, ExpKind::Nil) {
            v.k = ExpKind::False;
        }
        self.cur.go_if_true(&mut v)?;
        Ok(v.f)
    }

    #[inline(never)]
    fn while_stat(&mut self, cond: &'a Expr, body: &'a Block) -> CResult<()> {
        let init = self.cur.get_label();
        let exit = self.cond(cond)?;
        self.enter_block(true);
        self.block(body)?;
        self.cur.jump_to(init)?;
        self.set_line(body.end_line);
        self.leave_block()?;
        self.cur.patch_to_here(exit)
    }

    #[inline(never)]
    fn repeat_stat(&mut self, body: &'a Block, cond: &'a Expr) -> CResult<()> {
        let init = self.cur.get_label();
        self.enter_block(true); // loop block
        self.enter_block(false); // scope block
        self.statlist(body, 0, false)?;
        let mut exit = self.cond(cond)?;
        let (upval, nactvar) = self
            .cur
            .blocks
            .last()
            .map_or((false, 0), |b| (b.upval, b.nactvar));
        self.leave_block()?; // scope block (closes on the way out)
        if upval {
            // The back edge must close the body's captured locals too.
            let out = self.cur.jump()?;
            self.cur.patch_to_here(exit)?;
            let level = self.cur.reglevel(nactvar);
            self.cur.code_abc(OpCode::CLOSE, level, 0, 0)?;
            exit = self.cur.jump()? as i32;
            self.cur.patch_to_here(out as i32)?;
        }
        self.cur.patch_list(exit, init)?;
        self.leave_block()
    }

    #[inline(never)]
    fn if_stat(&mut self, arms: &'a [(Expr, Block)], else_block: Option<&'a Block>) -> CResult<()> {
        let mut escapes: Vec<u32> = Vec::new();
        for (i, (c, b)) in arms.iter().enumerate() {
            let has_more = i + 1 < arms.len() || else_block.is_some();
            self.test_then_block(c, b, has_more, &mut escapes)?;
        }
        if let Some(b) = else_block {
            self.block(b)?;
        }
        let here = self.cur.get_label();
        for j in escapes {
            self.cur.patch_list(j as i32, here)?;
        }
        Ok(())
    }

    /// `[if|elseif] c then b`; pushes the jump over the remaining arms.
    #[inline(never)]
    fn test_then_block(
        &mut self,
        c: &'a Expr,
        b: &'a Block,
        has_more: bool,
        escapes: &mut Vec<u32>,
    ) -> CResult<()> {
        let mut v = self.expr(c)?;
        let jf;
        if let Some(Stat {
            kind: StatKind::Break,
            line,
        }) = b.stats.first()
        {
            // `if c then break`: jump out of the loop when c is true.
            self.cur.line = *line;
            self.cur.go_if_false(&mut v)?;
            self.enter_block(false);
            self.new_goto("break", *line, v.t);
            if b.stats.len() == 1 && b.ret.is_none() {
                return self.leave_block();
            }
            jf = self.cur.jump()? as i32;
            self.statlist(b, 1, true)?;
        } else {
            self.cur.go_if_true(&mut v)?;
            self.enter_block(false);
            jf = v.f;
            self.statlist(b, 0, true)?;
        }
        self.leave_block()?;
        if has_more {
            escapes.push(self.cur.jump()?);
        }
        self.cur.patch_to_here(jf)
    }

    /// Compiles `e` into the next register.
    fn exp1(&mut self, e: &'a Expr) -> CResult<()> {
        let mut v = self.expr(e)?;
        self.cur.exp2nextreg(&mut v)
    }

    #[inline(never)]
    fn for_num(
        &mut self,
        var: &'a str,
        start: &'a Expr,
        limit: &'a Expr,
        step: Option<&'a Expr>,
        body: &'a Block,
        line: u32,
    ) -> CResult<()> {
        self.enter_block(true);
        let base = self.cur.freereg;
        for _ in 0..3 {
            self.new_localvar("(for state)")?;
        }
        self.new_localvar(var)?;
        self.exp1(start)?;
        self.exp1(limit)?;
        if let Some(s) = step {
            self.exp1(s)?;
        } else {
            self.cur.reserve_regs(1)?;
            let r = self.cur.freereg - 1;
            self.cur.code_int(r, 1)?;
        }
        self.adjust_localvars(3);
        self.for_body(base, line, 1, false, body)?;
        self.set_line(body.end_line);
        self.leave_block()
    }

    #[inline(never)]
    fn for_list(
        &mut self,
        vars: &'a [String],
        exprs: &'a [Expr],
        body: &'a Block,
        line: u32,
    ) -> CResult<()> {
        self.enter_block(true);
        let base = self.cur.freereg;
        for _ in 0..4 {
            self.new_localvar("(for state)")?;
        }
        for v in vars {
            self.new_localvar(v)?;
        }
        let line = exprs
            .first()
            .map_or(line, |e| if e.line > 0 { e.line } else { line });
        let (nexps, mut e) = self.explist(exprs)?;
        self.adjust_assign(4, nexps, &mut e)?;
        self.adjust_localvars(4);
        // The 4th hidden variable is to-be-closed.
        self.cur.mark_to_be_closed();
        // Room to call the iterator (function + 2 arguments).
        self.cur.check_stack(3)?;
        self.for_body(base, line, vars.len(), true, body)?;
        self.set_line(body.end_line);
        self.leave_block()
    }

    /// The body of a `for` with `nvars` visible variables after the hidden
    /// ones at `base`.
    #[inline(never)]
    fn for_body(
        &mut self,
        base: u32,
        line: u32,
        nvars: usize,
        generic: bool,
        body: &'a Block,
    ) -> CResult<()> {
        let prep_op = if generic {
            OpCode::TFORPREP
        } else {
            OpCode::FORPREP
        };
        let prep = self.cur.code_abx(prep_op, base, 0)?;
        self.enter_block(false);
        self.adjust_localvars(nvars);
        self.cur.reserve_regs(nvars as u32)?;
        self.block(body)?;
        self.leave_block()?;
        let here = self.cur.get_label();
        self.cur.fix_for_jump(prep, here, false)?;
        self.cur.line = line;
        if generic {
            self.cur.code_abc(OpCode::TFORCALL, base, 0, nvars as u32)?;
        }
        let loop_op = if generic {
            OpCode::TFORLOOP
        } else {
            OpCode::FORLOOP
        };
        let endfor = self.cur.code_abx(loop_op, base, 0)?;
        self.cur.fix_for_jump(endfor, prep + 1, true)
    }

    /// `return exprs` (§3.3.4): a tail call, one value in place, or values
    /// moved above the locals.
    #[inline(never)]
    fn ret_stat(&mut self, r: &'a Return) -> CResult<()> {
        if r.line > 0 {
            self.cur.line = r.line;
        }
        let mut first = self.cur.nvarstack;
        let nret: i32 = if r.exprs.is_empty() {
            0
        } else {
            let (n, mut e) = self.explist(&r.exprs)?;
            if e.has_multret() {
                self.cur.set_multret(&mut e)?;
                if let ExpKind::Call(pc) = e.k {
                    if n == 1 && !self.cur.inside_tbc() {
                        self.cur.set_op(pc, OpCode::TAILCALL);
                    }
                }
                -1
            } else if n == 1 {
                first = self.cur.exp2anyreg(&mut e)?;
                1
            } else {
                self.cur.exp2nextreg(&mut e)?;
                n as i32
            }
        };
        self.cur.ret(first, nret)
    }
}

impl Compiler<'_> {
    /// Sets the line of the next instructions (0, unknown, is ignored).
    fn set_line(&mut self, line: u32) {
        if line > 0 {
            self.cur.line = line;
        }
    }
}

/// Is `v` a table field (as opposed to a local or upvalue)?
fn is_indexed(v: &ExpDesc<'_>) -> bool {
    matches!(
        v.k,
        ExpKind::Indexed { .. }
            | ExpKind::IndexUp { .. }
            | ExpKind::IndexI { .. }
            | ExpKind::IndexStr { .. }
    )
}
