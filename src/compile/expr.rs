//! The walk over expressions (§3.4): literals, variables, indexing, calls,
//! table constructors, function bodies and operators, producing
//! [`ExpDesc`]s.
//!
//! Left-associative chains are walked iteratively, as PUC's parser loops
//! over them: the left spine of a binary expression (`a + b + c`) and the
//! prefix spine of suffixed expressions (`a.b[c]:m()(x)`) are collected
//! first and then compiled bottom-up, so their length never costs native
//! stack. Only genuine nesting (parentheses, right operands, arguments,
//! nested functions) recurses, bounded by `Compiler::enter_level`.

use crate::bytecode::opcode::OpCode;
use crate::syntax::ast::{BinOp, Expr, ExprKind, TableField};

use super::code::{err, CResult};
use super::exp::{ExpDesc, ExpKind};
use super::scope::VarRef;
use super::Compiler;

/// Positional items stored per `SETLIST` (PUC's `LFIELDS_PER_FLUSH`).
const LFIELDS_PER_FLUSH: u32 = 50;

impl<'a> Compiler<'a> {
    /// Compiles an expression; the result is not yet placed anywhere.
    pub(super) fn expr(&mut self, e: &'a Expr) -> CResult<ExpDesc<'a>> {
        self.enter_level()?;
        let r = self.expr_inner(e);
        self.leave_level();
        r
    }

    fn expr_inner(&mut self, e: &'a Expr) -> CResult<ExpDesc<'a>> {
        if e.line > 0 {
            self.cur.line = e.line;
        }
        Ok(match &e.kind {
            ExprKind::Nil => ExpDesc::new(ExpKind::Nil),
            ExprKind::True => ExpDesc::new(ExpKind::True),
            ExprKind::False => ExpDesc::new(ExpKind::False),
            ExprKind::Integer(i) => ExpDesc::new(ExpKind::KInt(*i)),
            ExprKind::Float(f) => ExpDesc::new(ExpKind::KFlt(*f)),
            ExprKind::String(s) => ExpDesc::new(ExpKind::KStr(s)),
            ExprKind::Vararg => {
                if !self.cur.f.is_vararg {
                    return err(e.line, "cannot use '...' outside a vararg function");
                }
                let pc = self.cur.code_abc(OpCode::VARARG, 0, 0, 1)?;
                ExpDesc::new(ExpKind::Vararg(pc))
            }
            ExprKind::Function(body) => self.function_expr(body)?,
            ExprKind::Table(fields) => self.constructor(fields)?,
            ExprKind::Binary(..) => self.binary(e)?,
            ExprKind::Unary(op, operand) => {
                let mut v = self.expr(operand)?;
                self.cur.prefix(*op, &mut v, e.line)?;
                v
            }
            ExprKind::Name(_)
            | ExprKind::Index(..)
            | ExprKind::Call(..)
            | ExprKind::MethodCall(..)
            | ExprKind::Paren(_) => self.suffixed(e)?,
        })
    }

    /// A chain of binary operators, walked along its left spine.
    #[inline(never)]
    fn binary(&mut self, e: &'a Expr) -> CResult<ExpDesc<'a>> {
        let mut spine: Vec<(BinOp, &'a Expr, u32)> = Vec::new();
        let mut cur = e;
        while let ExprKind::Binary(op, l, r) = &cur.kind {
            spine.push((*op, &**r, cur.line));
            cur = l;
        }
        let mut v = self.expr(cur)?;
        for &(op, r, line) in spine.iter().rev() {
            if line > 0 {
                self.cur.line = line;
            }
            self.cur.infix(op, &mut v)?;
            let v2 = self.expr(r)?;
            self.cur.posfix(op, &mut v, v2, line)?;
        }
        Ok(v)
    }

    /// A variable, a parenthesized expression, or any of them followed by
    /// indexing and calls (PUC's `suffixedexp`). The last index is left as a
    /// variable, so this also compiles assignment targets.
    #[inline(never)]
    pub(super) fn suffixed(&mut self, e: &'a Expr) -> CResult<ExpDesc<'a>> {
        let mut spine: Vec<&'a Expr> = Vec::new();
        let mut cur = e;
        while let ExprKind::Index(obj, _)
        | ExprKind::Call(obj, _)
        | ExprKind::MethodCall(obj, _, _) = &cur.kind
        {
            spine.push(cur);
            cur = obj;
        }
        let mut v = self.primary(cur)?;
        for node in spine.into_iter().rev() {
            match &node.kind {
                ExprKind::Index(_, key) => {
                    if node.line > 0 {
                        self.cur.line = node.line;
                    }
                    self.cur.exp2anyregup(&mut v)?;
                    let mut k = self.expr(key)?;
                    self.cur.exp2val(&mut k)?;
                    self.cur.indexed(&mut v, &mut k)?;
                }
                ExprKind::Call(_, args) => {
                    self.cur.exp2nextreg(&mut v)?;
                    self.funcargs(&mut v, args, node.line)?;
                }
                ExprKind::MethodCall(_, name, args) => {
                    let mut key = ExpDesc::new(ExpKind::KStr(name.as_bytes()));
                    self.cur.self_(&mut v, &mut key)?;
                    self.funcargs(&mut v, args, node.line)?;
                }
                _ => {}
            }
        }
        Ok(v)
    }

    /// A name or `(exp)`; anything else is compiled as an expression.
    fn primary(&mut self, e: &'a Expr) -> CResult<ExpDesc<'a>> {
        match &e.kind {
            ExprKind::Name(n) => {
                if e.line > 0 {
                    self.cur.line = e.line;
                }
                self.single_var(n)
            }
            ExprKind::Paren(inner) => {
                // Parentheses adjust calls and varargs to one value.
                let mut v = self.expr(inner)?;
                self.cur.discharge_vars(&mut v)?;
                Ok(v)
            }
            _ => self.expr(e),
        }
    }

    /// The expression for variable `name` (local, upvalue, constant or
    /// `_ENV.name`).
    pub(super) fn single_var(&mut self, name: &'a str) -> CResult<ExpDesc<'a>> {
        let r = self.resolve(name)?;
        self.var_exp(r, name)
    }

    /// Turns a resolved variable into an expression.
    #[inline(never)]
    pub(super) fn var_exp(&mut self, r: VarRef<'a>, name: &'a str) -> CResult<ExpDesc<'a>> {
        Ok(match r {
            VarRef::Local { reg, vidx } => ExpDesc::new(ExpKind::Local { reg, vidx }),
            VarRef::Upval(idx) => ExpDesc::new(ExpKind::Upval(idx)),
            VarRef::Const(k) => ExpDesc::new(k),
            VarRef::Global => {
                let mut env = match self.resolve("_ENV")? {
                    VarRef::Local { reg, vidx } => ExpDesc::new(ExpKind::Local { reg, vidx }),
                    VarRef::Upval(idx) => ExpDesc::new(ExpKind::Upval(idx)),
                    VarRef::Const(k) => ExpDesc::new(k),
                    VarRef::Global => return err(self.cur.line, "internal error: no _ENV"),
                };
                self.cur.exp2anyregup(&mut env)?;
                let mut key = ExpDesc::new(ExpKind::KStr(name.as_bytes()));
                self.cur.indexed(&mut env, &mut key)?;
                env
            }
        })
    }

    /// Compiles an expression list: all but the last into consecutive
    /// registers; returns the count and the (unplaced) last one.
    pub(super) fn explist(&mut self, exprs: &'a [Expr]) -> CResult<(usize, ExpDesc<'a>)> {
        let Some((last, init)) = exprs.split_last() else {
            return Ok((0, ExpDesc::new(ExpKind::Void)));
        };
        for e in init {
            let mut v = self.expr(e)?;
            self.cur.exp2nextreg(&mut v)?;
        }
        let v = self.expr(last)?;
        Ok((exprs.len(), v))
    }

    /// Arguments and `CALL` of a call whose function is in register
    /// `f` (the top one); leaves an open call with one result.
    #[inline(never)]
    fn funcargs(&mut self, f: &mut ExpDesc<'a>, args: &'a [Expr], line: u32) -> CResult<()> {
        let base = f.reg();
        let (_, mut a) = self.explist(args)?;
        let nparams: i32 = if a.has_multret() {
            self.cur.set_multret(&mut a)?;
            -1
        } else {
            if !matches!(a.k, ExpKind::Void) {
                self.cur.exp2nextreg(&mut a)?;
            }
            (self.cur.freereg - (base + 1)) as i32
        };
        let pc = self
            .cur
            .code_abc(OpCode::CALL, base, (nparams + 1) as u32, 2)?;
        self.cur.fixline(line);
        // The call consumes the function and arguments and leaves one result.
        self.cur.freereg = base + 1;
        f.k = ExpKind::Call(pc);
        Ok(())
    }

    /// A table constructor (§3.4.9): `NEWTABLE`, then named fields stored
    /// one by one and positional ones in `SETLIST` batches.
    #[inline(never)]
    fn constructor(&mut self, fields: &'a [TableField]) -> CResult<ExpDesc<'a>> {
        let pc = self.cur.code_abc(OpCode::NEWTABLE, 0, 0, 0)?;
        let t = self.cur.freereg;
        self.cur.reserve_regs(1)?;
        let (mut na, mut nh, mut tostore) = (0u32, 0u32, 0u32);
        let mut pending = ExpDesc::new(ExpKind::Void);
        for field in fields {
            if !matches!(pending.k, ExpKind::Void) {
                // Close the previous positional item.
                self.cur.exp2nextreg(&mut pending)?;
                pending = ExpDesc::new(ExpKind::Void);
                if tostore == LFIELDS_PER_FLUSH {
                    self.cur.set_list(t, na, tostore as i32)?;
                    na += tostore;
                    tostore = 0;
                }
            }
            match field {
                TableField::Positional(e) => {
                    pending = self.expr(e)?;
                    tostore += 1;
                }
                TableField::Named(name, val) => {
                    nh = nh.saturating_add(1);
                    self.recfield(t, None, name.as_bytes(), val)?;
                }
                TableField::Keyed(k, val) => {
                    nh = nh.saturating_add(1);
                    self.recfield(t, Some(k), b"", val)?;
                }
            }
        }
        if tostore > 0 {
            if pending.has_multret() {
                self.cur.set_multret(&mut pending)?;
                self.cur.set_list(t, na, -1)?;
                // The open item's count is unknown.
                na += tostore - 1;
            } else {
                if !matches!(pending.k, ExpKind::Void) {
                    self.cur.exp2nextreg(&mut pending)?;
                }
                self.cur.set_list(t, na, tostore as i32)?;
                na += tostore;
            }
        }
        let i = crate::bytecode::ins::abc(OpCode::NEWTABLE, t, nh.min(255), na.min(255), false);
        self.cur.set_ins(pc, i);
        Ok(ExpDesc::new(ExpKind::NonReloc(t)))
    }

    /// `[key] = val` (or `name = val` when `key` is `None`) in a
    /// constructor for the table in register `t`.
    #[inline(never)]
    fn recfield(
        &mut self,
        t: u32,
        key: Option<&'a Expr>,
        name: &'a [u8],
        val: &'a Expr,
    ) -> CResult<()> {
        let reg = self.cur.freereg;
        let mut key = match key {
            Some(k) => {
                let mut key = self.expr(k)?;
                self.cur.exp2val(&mut key)?;
                key
            }
            None => ExpDesc::new(ExpKind::KStr(name)),
        };
        let mut tab = ExpDesc::new(ExpKind::NonReloc(t));
        self.cur.indexed(&mut tab, &mut key)?;
        let mut v = self.expr(val)?;
        self.cur.store_var(&tab, &mut v)?;
        self.cur.freereg = reg;
        Ok(())
    }
}
