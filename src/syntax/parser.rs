//! The Lua 5.4 parser: recursive descent over the grammar of §9, building the
//! [`ast`](super::ast) of a chunk.
//!
//! It follows PUC Lua's `lparser.c` decision by decision, so that the first
//! error found, its message, its line and its "near" token are PUC's:
//! - one token of lookahead (only table fields `name =` need it);
//! - operator precedence from low to high: `or`; `and`; comparisons; `|`; `~`;
//!   `&`; shifts; `..` (right assoc.); `+ -`; `* / // %`; unary `not # - ~`;
//!   `^` (right assoc., binds tighter than a unary operator on its left);
//! - every statement and every sub-expression (and every extra target of a
//!   multiple assignment) counts one nesting level; past
//!   [`MAX_SYNTAX_LEVELS`] parsing stops with PUC's `C stack overflow`, which
//!   also bounds the native stack used by the recursion;
//! - scoping errors (local limit, `<const>` assignment, labels, `goto`,
//!   `break`) are checked on the fly by `syntax::scope`.
//!
//! Native stack: at the deepest nesting, parsing uses about 400 KiB of stack
//! (measured, debug and release). The statement parsers push their `Stat`
//! themselves and are `#[inline(never)]`, so that the frame of `statement`,
//! which every nesting level passes through, stays small.
//!
//! `FuncBody::line` is PUC's `linedefined`: the `function` keyword's line for
//! `function name()` statements, but the line of the `(` for anonymous
//! functions and `local function` (PUC reads it after the keyword / name).
//!
//! Lines stored in the tree follow the rules documented in `ast.rs`; "the
//! current line" below means PUC's `ls->linenumber` ([`Lexer::line`]).
//! Uses `syntax::lexer`, `syntax::token`, `syntax::scope`, `syntax::ast`.

use super::ast::{
    Attrib, BinOp, Block, Expr, ExprKind, FuncBody, LocalName, Return, Stat, StatKind, TableField,
    UnOp,
};
use super::lexer::{Lexeme, Lexer};
use super::scope::{ScopeError, Scopes};
use super::token::Token;
use super::SyntaxError;

/// PUC's `LUAI_MAXCCALLS`: the bound on nested C calls plus parser levels.
const MAX_C_CALLS: u32 = 200;
/// C calls already active when `load` is called from a Lua main chunk.
const BASE_C_CALLS: u32 = 2;
/// The deepest nesting of statements and sub-expressions accepted; one more
/// gives `C stack overflow`. Equals what `load` accepts in PUC Lua 5.4 when
/// called from a script's main chunk (e.g. `x = ` and 195 nested parentheses).
pub const MAX_SYNTAX_LEVELS: u32 = MAX_C_CALLS - BASE_C_CALLS - 1;

/// The message PUC gives when nesting is too deep (without position).
const OVERFLOW_MESSAGE: &str = "C stack overflow";

/// Priority of unary operators: above every binary operator but `^`.
const UNARY_PRIORITY: u8 = 12;

type PResult<T> = Result<T, SyntaxError>;

/// The unary operator a token starts, if any.
fn unary_op(t: &Token) -> Option<UnOp> {
    Some(match t {
        Token::Not => UnOp::Not,
        Token::Char(b'-') => UnOp::Neg,
        Token::Char(b'~') => UnOp::BNot,
        Token::Char(b'#') => UnOp::Len,
        _ => return None,
    })
}

/// The binary operator a token is, if any.
fn binary_op(t: &Token) -> Option<BinOp> {
    Some(match t {
        Token::Char(b'+') => BinOp::Add,
        Token::Char(b'-') => BinOp::Sub,
        Token::Char(b'*') => BinOp::Mul,
        Token::Char(b'%') => BinOp::Mod,
        Token::Char(b'^') => BinOp::Pow,
        Token::Char(b'/') => BinOp::Div,
        Token::IDiv => BinOp::IDiv,
        Token::Char(b'&') => BinOp::BAnd,
        Token::Char(b'|') => BinOp::BOr,
        Token::Char(b'~') => BinOp::BXor,
        Token::Shl => BinOp::Shl,
        Token::Shr => BinOp::Shr,
        Token::Concat => BinOp::Concat,
        Token::Ne => BinOp::Ne,
        Token::Eq => BinOp::Eq,
        Token::Char(b'<') => BinOp::Lt,
        Token::Le => BinOp::Le,
        Token::Char(b'>') => BinOp::Gt,
        Token::Ge => BinOp::Ge,
        Token::And => BinOp::And,
        Token::Or => BinOp::Or,
        _ => return None,
    })
}

/// (left, right) binding priorities; right < left means right associative.
fn priority(op: BinOp) -> (u8, u8) {
    match op {
        BinOp::Or => (1, 1),
        BinOp::And => (2, 2),
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => (3, 3),
        BinOp::BOr => (4, 4),
        BinOp::BXor => (5, 5),
        BinOp::BAnd => (6, 6),
        BinOp::Shl | BinOp::Shr => (7, 7),
        BinOp::Concat => (9, 8),
        BinOp::Add | BinOp::Sub => (10, 10),
        BinOp::Mul | BinOp::Div | BinOp::IDiv | BinOp::Mod => (11, 11),
        BinOp::Pow => (14, 13),
    }
}

const LPAREN: Token = Token::Char(b'(');
const RPAREN: Token = Token::Char(b')');
const LBRACE: Token = Token::Char(b'{');
const RBRACE: Token = Token::Char(b'}');
const RBRACKET: Token = Token::Char(b']');
const COMMA: Token = Token::Char(b',');
const SEMI: Token = Token::Char(b';');
const ASSIGN: Token = Token::Char(b'=');

/// A parser over one chunk.
pub struct Parser<'a> {
    lex: Lexer<'a>,
    /// The current token.
    cur: Lexeme,
    /// The lookahead token, if one was read.
    ahead: Option<Lexeme>,
    /// Current nesting level (statements and sub-expressions).
    level: u32,
    scopes: Scopes,
    /// `is_vararg` of each open function, innermost last.
    vararg: Vec<bool>,
}

impl<'a> Parser<'a> {
    /// A parser positioned on the first token of `lex`'s source.
    pub fn new(mut lex: Lexer<'a>) -> PResult<Self> {
        let cur = lex.next_token()?;
        Ok(Parser {
            lex,
            cur,
            ahead: None,
            level: 0,
            scopes: Scopes::default(),
            vararg: Vec::new(),
        })
    }

    /// Parses the whole chunk into its main function (§3.3.2): vararg, no
    /// parameters, `line == end_line == 0`.
    pub fn parse_chunk(mut self) -> PResult<FuncBody> {
        self.scopes.open_func(0);
        self.vararg.push(true);
        let body = self.block_body()?;
        if self.cur.token != Token::Eof {
            return Err(self.error_expected(&Token::Eof));
        }
        self.close_func()?;
        Ok(FuncBody {
            params: Vec::new(),
            is_vararg: true,
            body,
            line: 0,
            end_line: 0,
        })
    }

    // ----- tokens and errors -------------------------------------------------

    fn line(&self) -> u32 {
        self.lex.line()
    }

    fn next(&mut self) -> PResult<()> {
        self.cur = match self.ahead.take() {
            Some(t) => t,
            None => self.lex.next_token()?,
        };
        Ok(())
    }

    /// Whether the token after the current one is `=` (reads it if needed).
    fn lookahead_is_assign(&mut self) -> PResult<bool> {
        if self.ahead.is_none() {
            self.ahead = Some(self.lex.next_token()?);
        }
        Ok(self.ahead.as_ref().is_some_and(|t| t.token == ASSIGN))
    }

    /// An error with position and "near <current token>".
    fn err_near(&self, msg: &str) -> SyntaxError {
        // PUC quirk: a NUL byte is token number 0, which means "no token".
        if self.cur.token == Token::Char(0) {
            return self.err_sem(msg);
        }
        let near = self.lex.near_text(&self.cur);
        self.lex.error(msg, Some(&near))
    }

    /// An error with position but no "near" part (PUC's `luaK_semerror`).
    fn err_sem(&self, msg: &str) -> SyntaxError {
        self.lex.error(msg, None)
    }

    fn scope_err(&self, e: ScopeError) -> SyntaxError {
        match e {
            ScopeError::Near(msg) => self.err_near(&msg),
            ScopeError::Sem(msg) => self.err_sem(&msg),
            ScopeError::Bare(message) => SyntaxError { message },
        }
    }

    fn error_expected(&self, t: &Token) -> SyntaxError {
        self.err_near(&format!("{} expected", t.describe()))
    }

    fn check(&self, t: &Token) -> PResult<()> {
        if self.cur.token == *t {
            Ok(())
        } else {
            Err(self.error_expected(t))
        }
    }

    fn checknext(&mut self, t: &Token) -> PResult<()> {
        self.check(t)?;
        self.next()
    }

    fn testnext(&mut self, t: &Token) -> PResult<bool> {
        if self.cur.token == *t {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Expects `what` closing `who` opened on `line`.
    fn check_match(&mut self, what: &Token, who: &Token, line: u32) -> PResult<()> {
        if self.testnext(what)? {
            return Ok(());
        }
        if line == self.line() {
            Err(self.error_expected(what))
        } else {
            Err(self.err_near(&format!(
                "{} expected (to close {} at line {})",
                what.describe(),
                who.describe(),
                line
            )))
        }
    }

    /// Consumes a name token and returns the name.
    fn str_checkname(&mut self) -> PResult<String> {
        let Token::Name(name) = &mut self.cur.token else {
            return Err(self.error_expected(&Token::Name(String::new())));
        };
        let name = std::mem::take(name);
        self.next()?;
        Ok(name)
    }

    /// Consumes the current string token and returns its bytes.
    fn take_string(&mut self) -> PResult<Vec<u8>> {
        let s = match &mut self.cur.token {
            Token::String(s) => std::mem::take(s),
            _ => Vec::new(),
        };
        self.next()?;
        Ok(s)
    }

    /// Whether the current token ends a block.
    fn block_follow(&self, with_until: bool) -> bool {
        match self.cur.token {
            Token::Else | Token::ElseIf | Token::End | Token::Eof => true,
            Token::Until => with_until,
            _ => false,
        }
    }

    fn enter_level(&mut self) -> PResult<()> {
        self.level += 1;
        if self.level > MAX_SYNTAX_LEVELS {
            return Err(SyntaxError {
                message: OVERFLOW_MESSAGE.to_string(),
            });
        }
        Ok(())
    }

    fn leave_level(&mut self) {
        self.level -= 1;
    }

    // ----- scopes --------------------------------------------------------------

    fn new_local(&mut self, name: &str) -> PResult<()> {
        self.scopes
            .new_local(name, false)
            .map_err(|e| self.scope_err(e))
    }

    fn leave_block(&mut self) -> PResult<()> {
        self.scopes.leave_block().map_err(|e| self.scope_err(e))
    }

    fn close_func(&mut self) -> PResult<()> {
        self.scopes.close_func().map_err(|e| self.scope_err(e))
    }

    fn is_vararg(&self) -> bool {
        self.vararg.last().copied().unwrap_or(false)
    }

    // ----- blocks and statements -----------------------------------------------

    /// `{stat} [retstat]` into `stats`; returns the final `return`, if any.
    fn statlist(&mut self, stats: &mut Vec<Stat>) -> PResult<Option<Return>> {
        while !self.block_follow(true) {
            if self.cur.token == Token::Return {
                return Ok(Some(self.retstat()?));
            }
            self.statement(stats)?;
        }
        Ok(None)
    }

    /// A statement list as a `Block` (no new scope).
    fn block_body(&mut self) -> PResult<Block> {
        let mut stats = Vec::new();
        let ret = self.statlist(&mut stats)?;
        Ok(Block {
            stats,
            ret,
            end_line: self.line(),
        })
    }

    /// A statement list in its own scope.
    fn block(&mut self) -> PResult<Block> {
        self.scopes.enter_block(false);
        let b = self.block_body()?;
        self.leave_block()?;
        Ok(b)
    }

    fn statement(&mut self, stats: &mut Vec<Stat>) -> PResult<()> {
        let line = self.line();
        self.enter_level()?;
        match self.cur.token {
            Token::Char(b';') => self.next()?,
            Token::If => self.ifstat(line, stats)?,
            Token::While => self.whilestat(line, stats)?,
            Token::Do => self.dostat(line, stats)?,
            Token::For => self.forstat(line, stats)?,
            Token::Repeat => self.repeatstat(line, stats)?,
            Token::Function => self.funcstat(line, stats)?,
            Token::Local => {
                self.next()?;
                if self.testnext(&Token::Function)? {
                    self.localfunc(line, stats)?;
                } else {
                    self.localstat(line, stats)?;
                }
            }
            Token::DbColon => {
                self.next()?;
                let name = self.str_checkname()?;
                self.labelstat(name, line, stats)?;
            }
            Token::Break => {
                self.next()?;
                self.scopes
                    .break_stat(line)
                    .map_err(|e| self.scope_err(e))?;
                stats.push(Stat {
                    kind: StatKind::Break,
                    line,
                });
            }
            Token::Goto => {
                self.next()?;
                let goto_line = self.line();
                let name = self.str_checkname()?;
                self.scopes
                    .goto(&name, goto_line)
                    .map_err(|e| self.scope_err(e))?;
                stats.push(Stat {
                    kind: StatKind::Goto(name),
                    line,
                });
            }
            _ => self.exprstat(line, stats)?,
        }
        self.leave_level();
        Ok(())
    }

    /// `return [explist] [';']`
    #[inline(never)]
    fn retstat(&mut self) -> PResult<Return> {
        let line = self.line();
        self.enter_level()?;
        self.next()?;
        let exprs = if self.block_follow(true) || self.cur.token == SEMI {
            Vec::new()
        } else {
            self.explist()?
        };
        self.testnext(&SEMI)?;
        self.leave_level();
        Ok(Return { exprs, line })
    }

    /// `do block end`
    fn dostat(&mut self, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        self.next()?;
        let body = self.block()?;
        self.check_match(&Token::End, &Token::Do, line)?;
        stats.push(Stat {
            kind: StatKind::Do(body),
            line,
        });
        Ok(())
    }

    /// `if cond then block {elseif cond then block} [else block] end`
    #[inline(never)]
    fn ifstat(&mut self, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        let mut arms = vec![self.test_then_block()?];
        while self.cur.token == Token::ElseIf {
            arms.push(self.test_then_block()?);
        }
        let else_block = if self.testnext(&Token::Else)? {
            Some(self.block()?)
        } else {
            None
        };
        self.check_match(&Token::End, &Token::If, line)?;
        stats.push(Stat {
            kind: StatKind::If { arms, else_block },
            line,
        });
        Ok(())
    }

    /// `[if | elseif] cond then block`; like PUC, a `break` right after
    /// `then` is read without counting a statement level.
    #[inline(never)]
    fn test_then_block(&mut self) -> PResult<(Expr, Block)> {
        self.next()?;
        let cond = self.expr()?;
        self.checknext(&Token::Then)?;
        let mut stats = Vec::new();
        self.scopes.enter_block(false);
        if self.cur.token == Token::Break {
            let line = self.line();
            self.next()?;
            self.scopes
                .break_stat(line)
                .map_err(|e| self.scope_err(e))?;
            stats.push(Stat {
                kind: StatKind::Break,
                line,
            });
            while self.testnext(&SEMI)? {}
            if self.block_follow(false) {
                let end_line = self.line();
                self.leave_block()?;
                return Ok((
                    cond,
                    Block {
                        stats,
                        ret: None,
                        end_line,
                    },
                ));
            }
        }
        let ret = self.statlist(&mut stats)?;
        let end_line = self.line();
        self.leave_block()?;
        Ok((
            cond,
            Block {
                stats,
                ret,
                end_line,
            },
        ))
    }

    /// `while cond do block end`
    #[inline(never)]
    fn whilestat(&mut self, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        self.next()?;
        let cond = self.expr()?;
        self.scopes.enter_block(true);
        self.checknext(&Token::Do)?;
        let body = self.block()?;
        self.check_match(&Token::End, &Token::While, line)?;
        self.leave_block()?;
        stats.push(Stat {
            kind: StatKind::While { cond, body },
            line,
        });
        Ok(())
    }

    /// `repeat block until cond`; the condition is inside the block's scope.
    #[inline(never)]
    fn repeatstat(&mut self, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        self.scopes.enter_block(true);
        self.scopes.enter_block(false);
        self.next()?;
        let body = self.block_body()?;
        self.check_match(&Token::Until, &Token::Repeat, line)?;
        let cond = self.expr()?;
        self.leave_block()?;
        self.leave_block()?;
        stats.push(Stat {
            kind: StatKind::Repeat { body, cond },
            line,
        });
        Ok(())
    }

    /// `for name = ... do block end` or `for names in explist do block end`.
    #[inline(never)]
    fn forstat(&mut self, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        self.scopes.enter_block(true);
        self.next()?;
        let var = self.str_checkname()?;
        match self.cur.token {
            Token::Char(b'=') => self.fornum(var, line, stats)?,
            Token::Char(b',') | Token::In => self.forlist(var, line, stats)?,
            _ => return Err(self.err_near("'=' or 'in' expected")),
        }
        self.check_match(&Token::End, &Token::For, line)?;
        self.leave_block()
    }

    #[inline(never)]
    fn fornum(&mut self, var: String, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        // Three hidden control variables, as in PUC (they count as locals).
        for _ in 0..3 {
            self.new_local("(for state)")?;
        }
        self.new_local(&var)?;
        self.checknext(&ASSIGN)?;
        let start = self.expr()?;
        self.checknext(&COMMA)?;
        let limit = self.expr()?;
        let step = if self.testnext(&COMMA)? {
            Some(self.expr()?)
        } else {
            None
        };
        self.scopes.activate(3);
        let body = self.forbody(1)?;
        stats.push(Stat {
            kind: StatKind::NumericFor {
                var,
                start,
                limit,
                step,
                body,
            },
            line,
        });
        Ok(())
    }

    #[inline(never)]
    fn forlist(&mut self, first: String, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        // Four hidden control variables, as in PUC.
        for _ in 0..4 {
            self.new_local("(for state)")?;
        }
        self.new_local(&first)?;
        let mut vars = vec![first];
        while self.testnext(&COMMA)? {
            let name = self.str_checkname()?;
            self.new_local(&name)?;
            vars.push(name);
        }
        self.checknext(&Token::In)?;
        let exprs = self.explist()?;
        self.scopes.activate(4);
        let body = self.forbody(vars.len())?;
        stats.push(Stat {
            kind: StatKind::GenericFor { vars, exprs, body },
            line,
        });
        Ok(())
    }

    fn forbody(&mut self, nvars: usize) -> PResult<Block> {
        self.checknext(&Token::Do)?;
        self.scopes.enter_block(false);
        self.scopes.activate(nvars);
        let body = self.block()?;
        self.leave_block()?;
        Ok(body)
    }

    /// `function funcname body`, desugared to an assignment (§3.4.11).
    #[inline(never)]
    fn funcstat(&mut self, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        self.next()?;
        let name_line = self.cur.line;
        let name = self.str_checkname()?;
        let mut target = Expr {
            kind: ExprKind::Name(name),
            line: name_line,
        };
        while self.cur.token == Token::Char(b'.') {
            target = self.fieldsel(target)?;
        }
        let is_method = self.cur.token == Token::Char(b':');
        if is_method {
            target = self.fieldsel(target)?;
        }
        let func = self.body(is_method, line)?;
        if let ExprKind::Name(name) = &target.kind {
            self.scopes
                .check_assign(name)
                .map_err(|e| self.scope_err(e))?;
        }
        let value = Expr {
            kind: ExprKind::Function(Box::new(func)),
            line,
        };
        stats.push(Stat {
            kind: StatKind::Assign {
                targets: vec![target],
                exprs: vec![value],
            },
            line,
        });
        Ok(())
    }

    /// `local function name body`
    #[inline(never)]
    fn localfunc(&mut self, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        let name = self.str_checkname()?;
        self.new_local(&name)?;
        self.scopes.activate(1);
        let func = self.body(false, self.line())?;
        stats.push(Stat {
            kind: StatKind::LocalFunction {
                name,
                func: Box::new(func),
            },
            line,
        });
        Ok(())
    }

    /// `local name attrib {, name attrib} [= explist]`
    #[inline(never)]
    fn localstat(&mut self, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        let mut names = Vec::new();
        let mut has_close = false;
        loop {
            let name = self.str_checkname()?;
            self.new_local(&name)?;
            let attrib = self.attrib()?;
            if attrib != Attrib::None {
                self.scopes.set_last_readonly();
            }
            if attrib == Attrib::Close {
                if has_close {
                    return Err(self.err_sem("multiple to-be-closed variables in local list"));
                }
                has_close = true;
            }
            names.push(LocalName { name, attrib });
            if !self.testnext(&COMMA)? {
                break;
            }
        }
        let exprs = if self.testnext(&ASSIGN)? {
            self.explist()?
        } else {
            Vec::new()
        };
        self.scopes.activate(names.len());
        stats.push(Stat {
            kind: StatKind::Local { names, exprs },
            line,
        });
        Ok(())
    }

    /// `['<' name '>']` after a local name.
    fn attrib(&mut self) -> PResult<Attrib> {
        if !self.testnext(&Token::Char(b'<'))? {
            return Ok(Attrib::None);
        }
        let name = self.str_checkname()?;
        self.checknext(&Token::Char(b'>'))?;
        match name.as_str() {
            "const" => Ok(Attrib::Const),
            "close" => Ok(Attrib::Close),
            _ => Err(self.err_sem(&format!("unknown attribute '{name}'"))),
        }
    }

    /// `:: name ::` (the name is read). Like PUC, the void statements after
    /// it (`;` and other labels) are read first, so that a label at the end
    /// of its block is known to be last.
    #[inline(never)]
    fn labelstat(&mut self, name: String, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        self.checknext(&Token::DbColon)?;
        stats.push(Stat {
            kind: StatKind::Label(name.clone()),
            line,
        });
        while matches!(self.cur.token, Token::Char(b';') | Token::DbColon) {
            self.statement(stats)?;
        }
        self.scopes
            .check_repeated(&name)
            .map_err(|e| self.scope_err(e))?;
        let last = self.block_follow(false);
        self.scopes
            .create_label(&name, line, last)
            .map_err(|e| self.scope_err(e))
    }

    /// An assignment or a call statement.
    #[inline(never)]
    fn exprstat(&mut self, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        let e = self.suffixedexp()?;
        if matches!(self.cur.token, Token::Char(b'=' | b',')) {
            return self.restassign(e, line, stats);
        }
        if !matches!(e.kind, ExprKind::Call(..) | ExprKind::MethodCall(..)) {
            return Err(self.err_near("syntax error"));
        }
        stats.push(Stat {
            kind: StatKind::Call(e),
            line,
        });
        Ok(())
    }

    /// Checks an assignment target (PUC checks each one as soon as it is read).
    fn check_target(&self, e: &Expr) -> PResult<()> {
        match &e.kind {
            ExprKind::Name(name) => self
                .scopes
                .check_assign(name)
                .map_err(|er| self.scope_err(er)),
            ExprKind::Index(..) => Ok(()),
            _ => Err(self.err_near("syntax error")),
        }
    }

    /// `{',' suffixedexp} '=' explist` after the first target. Each extra
    /// target counts one nesting level until the end of the statement.
    #[inline(never)]
    fn restassign(&mut self, first: Expr, line: u32, stats: &mut Vec<Stat>) -> PResult<()> {
        self.check_target(&first)?;
        let mut targets = vec![first];
        let mut extra_levels = 0;
        while self.testnext(&COMMA)? {
            let target = self.suffixedexp()?;
            self.enter_level()?;
            extra_levels += 1;
            self.check_target(&target)?;
            targets.push(target);
        }
        self.checknext(&ASSIGN)?;
        let exprs = self.explist()?;
        self.level -= extra_levels;
        stats.push(Stat {
            kind: StatKind::Assign { targets, exprs },
            line,
        });
        Ok(())
    }

    // ----- functions -------------------------------------------------------------

    /// `'(' parlist ')' block end`; `line` is PUC's `linedefined`.
    #[inline(never)]
    fn body(&mut self, is_method: bool, line: u32) -> PResult<FuncBody> {
        self.scopes.open_func(line);
        let mut params = Vec::new();
        if is_method {
            self.new_local("self")?;
            self.scopes.activate(1);
            params.push("self".to_string());
        }
        self.checknext(&LPAREN)?;
        let mut is_vararg = false;
        if self.cur.token != RPAREN {
            loop {
                match self.cur.token {
                    Token::Name(_) => {
                        let name = self.str_checkname()?;
                        self.new_local(&name)?;
                        params.push(name);
                    }
                    Token::Dots => {
                        self.next()?;
                        is_vararg = true;
                    }
                    _ => return Err(self.err_near("<name> or '...' expected")),
                }
                if is_vararg || !self.testnext(&COMMA)? {
                    break;
                }
            }
        }
        self.scopes.activate(params.len() - usize::from(is_method));
        self.vararg.push(is_vararg);
        self.checknext(&RPAREN)?;
        let body = self.block_body()?;
        let end_line = self.line();
        self.check_match(&Token::End, &Token::Function, line)?;
        self.vararg.pop();
        self.close_func()?;
        Ok(FuncBody {
            params,
            is_vararg,
            body,
            line,
            end_line,
        })
    }

    // ----- expressions -----------------------------------------------------------

    fn explist(&mut self) -> PResult<Vec<Expr>> {
        let mut list = vec![self.expr()?];
        while self.testnext(&COMMA)? {
            list.push(self.expr()?);
        }
        Ok(list)
    }

    fn expr(&mut self) -> PResult<Expr> {
        self.subexpr(0)
    }

    /// `(simpleexp | unop subexpr) {binop subexpr}` where only operators
    /// binding tighter than `limit` are taken.
    fn subexpr(&mut self, limit: u8) -> PResult<Expr> {
        self.enter_level()?;
        let mut e = match unary_op(&self.cur.token) {
            Some(op) => {
                let line = self.line();
                self.next()?;
                let operand = self.subexpr(UNARY_PRIORITY)?;
                Expr {
                    kind: ExprKind::Unary(op, Box::new(operand)),
                    line,
                }
            }
            None => self.simpleexp()?,
        };
        while let Some(op) = binary_op(&self.cur.token) {
            let (left, right) = priority(op);
            if left <= limit {
                break;
            }
            let line = self.line();
            self.next()?;
            let rhs = self.subexpr(right)?;
            e = Expr {
                kind: ExprKind::Binary(op, Box::new(e), Box::new(rhs)),
                line,
            };
        }
        self.leave_level();
        Ok(e)
    }

    fn simpleexp(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        let kind = match self.cur.token {
            Token::Float(f) => ExprKind::Float(f),
            Token::Int(i) => ExprKind::Integer(i),
            Token::String(_) => {
                return Ok(Expr {
                    kind: ExprKind::String(self.take_string()?),
                    line,
                });
            }
            Token::Nil => ExprKind::Nil,
            Token::True => ExprKind::True,
            Token::False => ExprKind::False,
            Token::Dots => {
                if !self.is_vararg() {
                    return Err(self.err_near("cannot use '...' outside a vararg function"));
                }
                ExprKind::Vararg
            }
            Token::Char(b'{') => return self.constructor(),
            Token::Function => {
                self.next()?;
                let func = self.body(false, self.line())?;
                return Ok(Expr {
                    kind: ExprKind::Function(Box::new(func)),
                    line,
                });
            }
            _ => return self.suffixedexp(),
        };
        self.next()?;
        Ok(Expr { kind, line })
    }

    /// `name | '(' expr ')'`
    fn primaryexp(&mut self) -> PResult<Expr> {
        match self.cur.token {
            Token::Char(b'(') => {
                let line = self.line();
                self.next()?;
                let e = self.expr()?;
                self.check_match(&RPAREN, &LPAREN, line)?;
                Ok(Expr {
                    kind: ExprKind::Paren(Box::new(e)),
                    line,
                })
            }
            Token::Name(_) => {
                let line = self.cur.line;
                let name = self.str_checkname()?;
                Ok(Expr {
                    kind: ExprKind::Name(name),
                    line,
                })
            }
            _ => Err(self.err_near("unexpected symbol")),
        }
    }

    /// `primaryexp { '.' name | '[' exp ']' | ':' name funcargs | funcargs }`
    fn suffixedexp(&mut self) -> PResult<Expr> {
        let line = self.line();
        let mut e = self.primaryexp()?;
        loop {
            match self.cur.token {
                Token::Char(b'.') => e = self.fieldsel(e)?,
                Token::Char(b'[') => {
                    let index_line = self.line();
                    self.next()?;
                    let key = self.expr()?;
                    self.checknext(&RBRACKET)?;
                    e = Expr {
                        kind: ExprKind::Index(Box::new(e), Box::new(key)),
                        line: index_line,
                    };
                }
                Token::Char(b':') => {
                    self.next()?;
                    let name = self.str_checkname()?;
                    let args = self.funcargs(line)?;
                    e = Expr {
                        kind: ExprKind::MethodCall(Box::new(e), name, args),
                        line,
                    };
                }
                Token::Char(b'(' | b'{') | Token::String(_) => {
                    let args = self.funcargs(line)?;
                    e = Expr {
                        kind: ExprKind::Call(Box::new(e), args),
                        line,
                    };
                }
                _ => return Ok(e),
            }
        }
    }

    /// `['.' | ':'] name` applied to `e`: an `Index` with a string key.
    fn fieldsel(&mut self, e: Expr) -> PResult<Expr> {
        let line = self.line();
        self.next()?;
        let key_line = self.cur.line;
        let name = self.str_checkname()?;
        let key = Expr {
            kind: ExprKind::String(name.into_bytes()),
            line: key_line,
        };
        Ok(Expr {
            kind: ExprKind::Index(Box::new(e), Box::new(key)),
            line,
        })
    }

    /// `'(' [explist] ')' | constructor | string`; `line` is where the call's
    /// prefix expression started.
    #[inline(never)]
    fn funcargs(&mut self, line: u32) -> PResult<Vec<Expr>> {
        match self.cur.token {
            Token::Char(b'(') => {
                self.next()?;
                let args = if self.cur.token == RPAREN {
                    Vec::new()
                } else {
                    self.explist()?
                };
                self.check_match(&RPAREN, &LPAREN, line)?;
                Ok(args)
            }
            Token::Char(b'{') => Ok(vec![self.constructor()?]),
            Token::String(_) => {
                let str_line = self.cur.line;
                let s = self.take_string()?;
                Ok(vec![Expr {
                    kind: ExprKind::String(s),
                    line: str_line,
                }])
            }
            _ => Err(self.err_near("function arguments expected")),
        }
    }

    /// `'{' [field {sep field} [sep]] '}'`
    #[inline(never)]
    fn constructor(&mut self) -> PResult<Expr> {
        let line = self.line();
        self.checknext(&LBRACE)?;
        let mut fields = Vec::new();
        loop {
            if self.cur.token == RBRACE {
                break;
            }
            fields.push(self.field()?);
            if !(self.testnext(&COMMA)? || self.testnext(&SEMI)?) {
                break;
            }
        }
        self.check_match(&RBRACE, &LBRACE, line)?;
        Ok(Expr {
            kind: ExprKind::Table(fields),
            line,
        })
    }

    fn field(&mut self) -> PResult<TableField> {
        let named = matches!(self.cur.token, Token::Name(_)) && self.lookahead_is_assign()?;
        match self.cur.token {
            Token::Name(_) if named => {
                let name = self.str_checkname()?;
                self.checknext(&ASSIGN)?;
                Ok(TableField::Named(name, self.expr()?))
            }
            Token::Char(b'[') => {
                self.next()?;
                let key = self.expr()?;
                self.checknext(&RBRACKET)?;
                self.checknext(&ASSIGN)?;
                Ok(TableField::Keyed(key, self.expr()?))
            }
            _ => Ok(TableField::Positional(self.expr()?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn chunk(src: &str) -> Block {
        match parse(src.as_bytes(), "=test") {
            Ok(f) => f.body,
            Err(e) => panic!("{src:?}: {}", e.message),
        }
    }

    /// The expression of `return <src>`.
    fn ret_expr(src: &str) -> Expr {
        let b = chunk(&format!("return {src}"));
        b.ret.unwrap().exprs.into_iter().next().unwrap()
    }

    /// A compact rendering of an expression tree, for precedence tests.
    fn show(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Nil => "nil".into(),
            ExprKind::True => "true".into(),
            ExprKind::False => "false".into(),
            ExprKind::Vararg => "...".into(),
            ExprKind::Integer(i) => i.to_string(),
            ExprKind::Float(f) => format!("{f:?}"),
            ExprKind::String(s) => format!("{:?}", String::from_utf8_lossy(s)),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Binary(op, a, b) => format!("({} {:?} {})", show(a), op, show(b)),
            ExprKind::Unary(op, a) => format!("({:?} {})", op, show(a)),
            ExprKind::Paren(a) => format!("[{}]", show(a)),
            ExprKind::Index(a, k) => format!("{}.{}", show(a), show(k)),
            ExprKind::Call(f, args) => {
                format!(
                    "{}({})",
                    show(f),
                    args.iter().map(show).collect::<Vec<_>>().join(",")
                )
            }
            ExprKind::MethodCall(o, m, args) => {
                format!(
                    "{}:{}({})",
                    show(o),
                    m,
                    args.iter().map(show).collect::<Vec<_>>().join(",")
                )
            }
            ExprKind::Function(_) => "fn".into(),
            ExprKind::Table(fields) => format!("{{{}}}", fields.len()),
        }
    }

    #[test]
    fn precedence() {
        let cases = [
            ("1 + 2 * 3", "(1 Add (2 Mul 3))"),
            ("1 * 2 + 3", "((1 Mul 2) Add 3)"),
            ("1 - 2 - 3", "((1 Sub 2) Sub 3)"),
            ("-x ^ 2", "(Neg (x Pow 2))"),
            ("2 ^ -x", "(2 Pow (Neg x))"),
            ("2 ^ 3 ^ 4", "(2 Pow (3 Pow 4))"),
            ("a .. b .. c", "(a Concat (b Concat c))"),
            ("a + b .. c", "((a Add b) Concat c)"),
            ("a .. b == c", "((a Concat b) Eq c)"),
            ("not a == b", "((Not a) Eq b)"),
            ("a or b and c", "(a Or (b And c))"),
            ("a and b or c and d", "((a And b) Or (c And d))"),
            ("a < b and b <= c", "((a Lt b) And (b Le c))"),
            ("a | b ~ c & d", "(a BOr (b BXor (c BAnd d)))"),
            ("a & b << 1", "(a BAnd (b Shl 1))"),
            ("1 << 2 .. 3", "(1 Shl (2 Concat 3))"),
            ("a ~= b", "(a Ne b)"),
            ("~a // b % c", "(((BNot a) IDiv b) Mod c)"),
            ("#t / 2", "((Len t) Div 2)"),
            ("- - 1", "(Neg (Neg 1))"),
            ("a > b >= c", "((a Gt b) Ge c)"),
            ("a >> b", "(a Shr b)"),
            ("(a or b) and c", "([(a Or b)] And c)"),
            ("f(x).y[z]:m(1)", "f(x).\"y\".z:m(1)"),
            ("f{} 'a'", "f({0})(\"a\")"),
            ("a.b.c", "a.\"b\".\"c\""),
            ("...", "..."),
        ];
        for (src, want) in cases {
            assert_eq!(show(&ret_expr(src)), want, "{src}");
        }
    }

    #[test]
    fn method_definition_is_desugared() {
        let b = chunk("function a.b:m(x, ...) return self end");
        let Stat {
            kind: StatKind::Assign { targets, exprs },
            line: 1,
        } = &b.stats[0]
        else {
            panic!("{:?}", b.stats[0]);
        };
        assert_eq!(show(&targets[0]), "a.\"b\".\"m\"");
        let ExprKind::Function(f) = &exprs[0].kind else {
            panic!()
        };
        assert_eq!(f.params, vec!["self".to_string(), "x".to_string()]);
        assert!(f.is_vararg);
        assert_eq!((f.line, f.end_line), (1, 1));
    }

    #[test]
    fn global_and_local_functions() {
        let b = chunk("function f() end\nlocal function g() return g end");
        match &b.stats[0].kind {
            StatKind::Assign { targets, exprs } => {
                assert_eq!(targets[0].kind, ExprKind::Name("f".into()));
                assert!(matches!(exprs[0].kind, ExprKind::Function(_)));
            }
            other => panic!("{other:?}"),
        }
        match &b.stats[1].kind {
            StatKind::LocalFunction { name, func } => {
                assert_eq!(name, "g");
                assert!(func.params.is_empty() && !func.is_vararg);
                assert_eq!(func.line, 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn statements() {
        let b = chunk(
            "local a <const>, b <close>, c = 1\n\
             e, b.c, d[1] = f()\n\
             for i = 1, 10, 2 do break end\n\
             for k, v in pairs(t) do end\n\
             while x do end repeat local y until y\n\
             if a then elseif b then else end\n\
             do goto l end ::l:: ; ;\n\
             obj:m'x'",
        );
        let kinds: Vec<String> = b.stats.iter().map(|s| format!("{}", s.line)).collect();
        assert_eq!(kinds, ["1", "2", "3", "4", "5", "5", "6", "7", "7", "8"]);
        match &b.stats[0].kind {
            StatKind::Local { names, exprs } => {
                let attribs: Vec<Attrib> = names.iter().map(|n| n.attrib).collect();
                assert_eq!(attribs, [Attrib::Const, Attrib::Close, Attrib::None]);
                assert_eq!(exprs.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&b.stats[1].kind, StatKind::Assign { targets, .. } if targets.len() == 3));
        match &b.stats[2].kind {
            StatKind::NumericFor {
                var,
                step: Some(_),
                body,
                ..
            } => {
                assert_eq!(var, "i");
                assert_eq!(body.stats[0].kind, StatKind::Break);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&b.stats[3].kind, StatKind::GenericFor { vars, exprs, .. } if vars.len() == 2 && exprs.len() == 1)
        );
        assert!(matches!(&b.stats[5].kind, StatKind::Repeat { .. }));
        assert!(
            matches!(&b.stats[6].kind, StatKind::If { arms, else_block: Some(_) } if arms.len() == 2)
        );
        assert!(matches!(&b.stats[8].kind, StatKind::Label(l) if l == "l"));
        match &b.stats[9].kind {
            StatKind::Call(Expr {
                kind: ExprKind::MethodCall(_, m, args),
                line: 8,
            }) => {
                assert_eq!(m, "m");
                assert_eq!(args[0].kind, ExprKind::String(b"x".to_vec()));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lines() {
        let b =
            chunk("x = a\n+\nb\ny = f\n(\n1\n)\nz = t\n.\nk\nw = function\n()\nend\nreturn\n-\n1");
        let rhs = |i: usize| match &b.stats[i].kind {
            StatKind::Assign { exprs, .. } => exprs[0].clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(rhs(0).line, 2); // binary: operator line
        assert_eq!(rhs(1).line, 4); // call: line where the prefix starts
        assert_eq!(rhs(2).line, 9); // index: line of '.'
        let f = rhs(3);
        assert_eq!(f.line, 11); // function keyword
        let ExprKind::Function(body) = &f.kind else {
            panic!()
        };
        assert_eq!((body.line, body.end_line), (12, 13)); // PUC's linedefined
        let ret = b.ret.as_ref().unwrap();
        assert_eq!(ret.line, 14);
        assert_eq!(ret.exprs[0].line, 15); // unary: operator line
        assert_eq!(b.end_line, 16);
        let b = chunk("if x then\n  y()\nelse\n  z()\nend");
        let StatKind::If {
            arms,
            else_block: Some(e),
        } = &b.stats[0].kind
        else {
            panic!()
        };
        assert_eq!((arms[0].1.end_line, e.end_line), (3, 5));
        let b = chunk("local function\nf\n(\n)\nend");
        let StatKind::LocalFunction { func, .. } = &b.stats[0].kind else {
            panic!()
        };
        assert_eq!((func.line, func.end_line), (3, 5));
    }

    #[test]
    fn main_chunk_is_vararg() {
        let f = parse(b"return ...", "=x").unwrap();
        assert!(f.is_vararg && f.params.is_empty());
        assert_eq!((f.line, f.end_line), (0, 0));
        assert_eq!(f.body.ret.unwrap().exprs[0].kind, ExprKind::Vararg);
    }

    #[test]
    fn table_fields() {
        let e = ret_expr("{1, x = 2; [3] = 4, y, f(), }");
        let ExprKind::Table(fields) = &e.kind else {
            panic!()
        };
        assert!(matches!(&fields[0], TableField::Positional(_)));
        assert!(matches!(&fields[1], TableField::Named(n, _) if n == "x"));
        assert!(matches!(&fields[2], TableField::Keyed(..)));
        assert!(
            matches!(&fields[3], TableField::Positional(Expr { kind: ExprKind::Name(n), .. }) if n == "y")
        );
        assert_eq!(fields.len(), 5);
    }

    #[test]
    fn numbers_and_strings() {
        assert_eq!(ret_expr("0x10").kind, ExprKind::Integer(16));
        assert_eq!(
            ret_expr("9223372036854775808").kind,
            ExprKind::Float(9223372036854775808.0)
        );
        assert_eq!(ret_expr("[[\nx]]").kind, ExprKind::String(b"x".to_vec()));
    }
}
