//! Scopes: local variables and their registers, blocks, upvalues, labels and
//! gotos (§3.3.4, §3.3.7, §3.5).
//!
//! - A local is visible from the statement after its declaration to the end
//!   of its block; it lives in register `reg` (locals fill the lowest
//!   registers in declaration order). A `<const>` local initialized with a
//!   literal is a compile-time constant (`Ctc`): it has no register and its
//!   uses are replaced by the value.
//! - A name not found among the function's active locals is searched among
//!   its upvalues, then in the enclosing functions (outermost last); found
//!   there, it becomes an upvalue of every function in between. A name found
//!   nowhere is the global `_ENV.name`.
//! - A block whose locals are captured by a closure (or include a
//!   to-be-closed variable) is marked `upval`: leaving it emits `CLOSE`.
//! - Gotos follow Lua 5.4: a backward goto jumps straight to its label
//!   (closing the variables it leaves); a forward goto stays pending until a
//!   visible label with its name appears in the same or an enclosing block.
//!   It may not jump into the scope of a local, except to a label at the end
//!   of its block (the "void statement" rule). A pending goto that leaves a
//!   block with captured variables gets a `CLOSE` at its label. `break` is a
//!   goto to the implicit label "break" at the end of the loop.
//!
//! Lookups use hash maps by name, so many labels or gotos cost linear time.

use crate::bytecode::{LocVar, OpCode, UpvalDesc};

use super::code::{err, CResult};
use super::exp::ExpKind;
use super::{Compiler, FuncState};

/// Most locals active at once in one function (PUC's `MAXVARS`).
pub(super) const MAX_VARS: usize = 200;
/// Most upvalues of one function (PUC's `MAXUPVAL`).
pub(super) const MAX_UPVAL: usize = 255;

/// The attribute of a local variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VarKind {
    /// A plain local.
    Regular,
    /// `<const>` with a run-time value.
    Const,
    /// `<close>`.
    Close,
    /// `<const>` with a compile-time value (no register).
    Ctc,
}

/// A declared local variable.
#[derive(Debug, Clone, Copy)]
pub(super) struct VarDesc<'a> {
    pub name: &'a str,
    pub kind: VarKind,
    /// Its register (not for `Ctc`).
    pub reg: u32,
    /// Its entry in `Proto::loc_vars` (not for `Ctc`).
    pub pidx: Option<u32>,
    /// The value of a `Ctc` variable.
    pub value: ExpKind<'a>,
}

/// An open block (PUC's `BlockCnt`).
#[derive(Debug, Clone, Copy)]
pub(super) struct BlockCnt {
    /// Active locals outside the block.
    pub nactvar: usize,
    /// First label / pending goto belonging to the block.
    pub first_label: usize,
    pub first_goto: usize,
    /// Some local of the block is captured or to-be-closed.
    pub upval: bool,
    pub is_loop: bool,
    /// Inside the scope of a to-be-closed variable (no tail calls).
    pub inside_tbc: bool,
}

/// A visible label.
#[derive(Debug, Clone, Copy)]
pub(super) struct Label<'a> {
    pub name: &'a str,
    pub line: u32,
    pub pc: u32,
    /// Active locals at the label.
    pub nactvar: usize,
}

/// A pending forward goto (or break).
#[derive(Debug, Clone, Copy)]
pub(super) struct Goto<'a> {
    pub name: &'a str,
    pub line: u32,
    /// Jump list to patch.
    pub pc: i32,
    /// Active locals (and their registers) at the goto, updated as it
    /// leaves blocks.
    pub nactvar: usize,
    pub reglevel: u32,
    /// Leaves the scope of a captured variable: its label must `CLOSE`.
    pub close: bool,
}

/// How a name resolves.
#[derive(Debug, Clone, Copy)]
pub(super) enum VarRef<'a> {
    Local {
        reg: u32,
        vidx: u32,
    },
    Upval(u32),
    /// A compile-time constant local (`Ctc`), with its name.
    Const(ExpKind<'a>),
    Global,
}

impl<'a> FuncState<'a> {
    /// Registers used by the first `nvar` active variables.
    pub(super) fn reglevel(&self, nvar: usize) -> u32 {
        self.vars[..nvar.min(self.vars.len())]
            .iter()
            .rev()
            .find(|v| v.kind != VarKind::Ctc)
            .map_or(0, |v| v.reg + 1)
    }

    /// Innermost active local named `name`.
    fn search_var(&self, name: &str) -> Option<usize> {
        self.vars[..self.nactvar]
            .iter()
            .rposition(|v| v.name == name)
    }

    fn search_upvalue(&self, name: &str) -> Option<usize> {
        self.f.upvalues.iter().position(|u| u.name == name)
    }

    /// Marks the block declaring variable `vidx` as having a captured
    /// variable (so leaving it closes upvalues).
    fn mark_upval(&mut self, vidx: usize) {
        if let Some(bl) = self.blocks.iter_mut().rev().find(|bl| bl.nactvar <= vidx) {
            bl.upval = true;
        }
        self.needclose = true;
    }

    /// The current block gets a to-be-closed variable.
    pub(super) fn mark_to_be_closed(&mut self) {
        if let Some(bl) = self.blocks.last_mut() {
            bl.upval = true;
            bl.inside_tbc = true;
        }
        self.needclose = true;
    }

    /// Is the current block inside the scope of a to-be-closed variable?
    pub(super) fn inside_tbc(&self) -> bool {
        self.blocks.last().is_some_and(|b| b.inside_tbc)
    }

    fn new_upvalue(
        &mut self,
        name: &str,
        in_stack: bool,
        index: u32,
        kind: VarKind,
    ) -> CResult<u32> {
        if self.f.upvalues.len() >= MAX_UPVAL {
            return self.error_limit(MAX_UPVAL as u32, "upvalues");
        }
        self.f.upvalues.push(UpvalDesc {
            name: name.to_string(),
            in_stack,
            index: index as u8,
        });
        self.upval_kinds.push(kind);
        Ok(self.f.upvalues.len() as u32 - 1)
    }

    fn find_label(&self, name: &str) -> Option<Label<'a>> {
        self.label_map
            .get(name)
            .and_then(|v| v.last())
            .map(|&i| self.labels[i])
    }
}

impl<'a> Compiler<'a> {
    // ----- local variables -----

    /// Declares a local (not yet active).
    pub(super) fn new_localvar(&mut self, name: &'a str) -> CResult<()> {
        let fs = &mut self.cur;
        if fs.vars.len() + 1 > MAX_VARS {
            return fs.error_limit(MAX_VARS as u32, "local variables");
        }
        fs.vars.push(VarDesc {
            name,
            kind: VarKind::Regular,
            reg: 0,
            pidx: None,
            value: ExpKind::Nil,
        });
        Ok(())
    }

    /// Activates the next `n` declared locals, giving them registers and
    /// debug entries starting at the current pc.
    pub(super) fn adjust_localvars(&mut self, n: usize) {
        let fs = &mut self.cur;
        for _ in 0..n {
            let vidx = fs.nactvar;
            fs.nactvar += 1;
            let reg = fs.nvarstack;
            fs.nvarstack += 1;
            let pc = fs.f.code.len() as u32;
            let pidx = fs.f.loc_vars.len() as u32;
            if let Some(v) = fs.vars.get_mut(vidx) {
                v.reg = reg;
                v.pidx = Some(pidx);
                fs.f.loc_vars.push(LocVar {
                    name: v.name.to_string(),
                    start_pc: pc,
                    end_pc: pc,
                });
            }
        }
    }

    /// Ends the scope of the locals above `tolevel`.
    pub(super) fn remove_vars(&mut self, tolevel: usize) {
        let fs = &mut self.cur;
        let pc = fs.f.code.len() as u32;
        while fs.nactvar > tolevel {
            fs.nactvar -= 1;
            if let Some(p) = fs.vars.get(fs.nactvar).and_then(|v| v.pidx) {
                if let Some(lv) = fs.f.loc_vars.get_mut(p as usize) {
                    lv.end_pc = pc;
                }
            }
        }
        fs.vars.truncate(tolevel);
        fs.nvarstack = fs.reglevel(tolevel);
    }

    /// Resolves a variable name (PUC's `singlevaraux`, iteratively over the
    /// enclosing functions), creating the upvalues it needs.
    pub(super) fn resolve(&mut self, name: &'a str) -> CResult<VarRef<'a>> {
        if let Some(vidx) = self.cur.search_var(name) {
            let v = self.cur.vars[vidx];
            if v.kind == VarKind::Ctc {
                return Ok(VarRef::Const(v.value));
            }
            return Ok(VarRef::Local {
                reg: v.reg,
                vidx: vidx as u32,
            });
        }
        if let Some(idx) = self.cur.search_upvalue(name) {
            return Ok(VarRef::Upval(idx as u32));
        }
        // Search the enclosing functions, innermost first.
        let mut found = None; // (level, in_stack, index, kind)
        for level in (0..self.outer.len()).rev() {
            let fs = &mut self.outer[level];
            if let Some(vidx) = fs.search_var(name) {
                let v = fs.vars[vidx];
                if v.kind == VarKind::Ctc {
                    return Ok(VarRef::Const(v.value));
                }
                fs.mark_upval(vidx);
                found = Some((level, true, v.reg, v.kind));
                break;
            }
            if let Some(idx) = fs.search_upvalue(name) {
                found = Some((level, false, idx as u32, fs.upval_kinds[idx]));
                break;
            }
        }
        let Some((level, mut in_stack, mut index, kind)) = found else {
            return Ok(VarRef::Global);
        };
        // Thread the variable through every function below `level`.
        for l in level + 1..self.outer.len() {
            index = self.outer[l].new_upvalue(name, in_stack, index, kind)?;
            in_stack = false;
        }
        let idx = self.cur.new_upvalue(name, in_stack, index, kind)?;
        Ok(VarRef::Upval(idx))
    }

    /// Is the variable `v` (an assignment target) read-only? Errors if so.
    pub(super) fn check_readonly(&self, r: &VarRef<'a>, name: &str, line: u32) -> CResult<()> {
        let readonly = match *r {
            VarRef::Const(_) => true,
            VarRef::Local { vidx, .. } => self.cur.vars[vidx as usize].kind != VarKind::Regular,
            VarRef::Upval(idx) => self.cur.upval_kinds[idx as usize] != VarKind::Regular,
            VarRef::Global => false,
        };
        if readonly {
            return err(
                line,
                format!("attempt to assign to const variable '{}'", name),
            );
        }
        Ok(())
    }

    // ----- blocks -----

    pub(super) fn enter_block(&mut self, is_loop: bool) {
        let fs = &mut self.cur;
        let inside_tbc = fs.inside_tbc();
        fs.blocks.push(BlockCnt {
            nactvar: fs.nactvar,
            first_label: fs.labels.len(),
            first_goto: fs.gotos.len(),
            upval: false,
            is_loop,
            inside_tbc,
        });
        debug_assert_eq!(fs.freereg, fs.nvarstack);
    }

    /// Closes the current block: ends its locals' scope, solves its breaks,
    /// emits a `CLOSE` if needed, forgets its labels and hands its pending
    /// gotos to the enclosing block (or reports them at function level).
    pub(super) fn leave_block(&mut self) -> CResult<()> {
        let Some(bl) = self.cur.blocks.last().copied() else {
            return err(self.cur.line, "internal error: no block to leave");
        };
        let has_previous = self.cur.blocks.len() > 1;
        let stklevel = self.cur.reglevel(bl.nactvar);
        self.remove_vars(bl.nactvar);
        let mut has_close = false;
        if bl.is_loop {
            has_close = self.create_label("break", 0, false)?;
        }
        let fs = &mut self.cur;
        if !has_close && has_previous && bl.upval {
            fs.code_abc(OpCode::CLOSE, stklevel, 0, 0)?;
        }
        fs.freereg = stklevel;
        // Forget the block's labels.
        while fs.labels.len() > bl.first_label {
            if let Some(l) = fs.labels.pop() {
                if let Some(v) = fs.label_map.get_mut(l.name) {
                    v.pop();
                }
            }
        }
        fs.blocks.pop();
        if has_previous {
            // Pending gotos now belong to the enclosing block.
            let outer_level = fs.reglevel(bl.nactvar);
            for g in fs.gotos[bl.first_goto..].iter_mut().flatten() {
                if g.reglevel > outer_level {
                    g.close |= bl.upval;
                }
                g.nactvar = bl.nactvar;
                g.reglevel = outer_level;
            }
        } else if let Some(g) = fs.gotos[bl.first_goto..].iter().flatten().next() {
            return if g.name == "break" {
                err(fs.line, format!("break outside loop at line {}", g.line))
            } else {
                err(
                    fs.line,
                    format!(
                        "no visible label '{}' for <goto> at line {}",
                        g.name, g.line
                    ),
                )
            };
        }
        Ok(())
    }

    // ----- labels and gotos -----

    /// Records a pending goto whose jump list is `pc`.
    pub(super) fn new_goto(&mut self, name: &'a str, line: u32, pc: i32) {
        let fs = &mut self.cur;
        let idx = fs.gotos.len();
        fs.gotos.push(Some(Goto {
            name,
            line,
            pc,
            nactvar: fs.nactvar,
            reglevel: fs.nvarstack,
            close: false,
        }));
        fs.goto_map.entry(name).or_default().push(idx);
    }

    /// `goto name` (PUC's `gotostat`).
    pub(super) fn goto_stat(&mut self, name: &'a str, line: u32) -> CResult<()> {
        let fs = &mut self.cur;
        if let Some(lb) = fs.find_label(name) {
            // Backward jump: close what it leaves, then jump.
            let lblevel = fs.reglevel(lb.nactvar);
            if fs.nvarstack > lblevel {
                fs.code_abc(OpCode::CLOSE, lblevel, 0, 0)?;
            }
            let j = fs.jump()?;
            fs.patch_list(j as i32, lb.pc)?;
        } else {
            let j = fs.jump()?;
            self.new_goto(name, line, j as i32);
        }
        Ok(())
    }

    /// Errors if a label `name` is already visible (PUC's `checkrepeated`).
    pub(super) fn check_repeated(&self, name: &str, err_line: u32) -> CResult<()> {
        if let Some(lb) = self.cur.find_label(name) {
            return err(
                err_line,
                format!("label '{}' already defined on line {}", name, lb.line),
            );
        }
        Ok(())
    }

    /// Creates a label at the current pc and solves the pending gotos of
    /// the current block that target it. `last`: the label ends its block
    /// (its block's locals count as out of scope). Returns whether a
    /// `CLOSE` was emitted for them. `err_line` is used for scope errors.
    pub(super) fn create_label_at(
        &mut self,
        name: &'a str,
        line: u32,
        last: bool,
        err_line: u32,
    ) -> CResult<bool> {
        let fs = &mut self.cur;
        let pc = fs.get_label();
        let nactvar = if last {
            fs.blocks.last().map_or(fs.nactvar, |b| b.nactvar)
        } else {
            fs.nactvar
        };
        let label = Label {
            name,
            line,
            pc,
            nactvar,
        };
        fs.label_map.entry(name).or_default().push(fs.labels.len());
        fs.labels.push(label);
        // Solve the pending gotos of this block with this name, in order.
        let first_goto = fs.blocks.last().map_or(0, |b| b.first_goto);
        let mut matching = Vec::new();
        if let Some(list) = fs.goto_map.get_mut(name) {
            while let Some(&g) = list.last() {
                if g < first_goto {
                    break;
                }
                list.pop();
                matching.push(g);
            }
        }
        let mut needs_close = false;
        for &g in matching.iter().rev() {
            let Some(gt) = fs.gotos[g].take() else {
                continue;
            };
            if gt.nactvar < label.nactvar {
                let var = fs.vars.get(gt.nactvar).map_or("?", |v| v.name);
                return err(
                    err_line,
                    format!(
                        "<goto {}> at line {} jumps into the scope of local '{}'",
                        gt.name, gt.line, var
                    ),
                );
            }
            needs_close |= gt.close;
            fs.patch_list(gt.pc, label.pc)?;
        }
        if needs_close {
            let level = fs.nvarstack;
            fs.code_abc(OpCode::CLOSE, level, 0, 0)?;
        }
        Ok(needs_close)
    }

    /// [`Self::create_label_at`] for labels that cannot fail on scope.
    fn create_label(&mut self, name: &'a str, line: u32, last: bool) -> CResult<bool> {
        let l = self.cur.line;
        self.create_label_at(name, line, last, l)
    }

    /// `break`: a goto to the enclosing loop's end.
    pub(super) fn break_stat(&mut self, line: u32) -> CResult<()> {
        let j = self.cur.jump()?;
        self.new_goto("break", line, j as i32);
        Ok(())
    }

    /// The to-be-closed variable at variable index `level` was just
    /// initialized: mark the block and emit `TBC`.
    pub(super) fn check_to_close(&mut self, level: Option<usize>) -> CResult<()> {
        if let Some(level) = level {
            self.cur.mark_to_be_closed();
            let reg = self.cur.reglevel(level);
            self.cur.code_abc(OpCode::TBC, reg, 0, 0)?;
        }
        Ok(())
    }
}
