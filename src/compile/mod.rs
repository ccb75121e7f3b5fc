//! AST → bytecode: turns a parsed chunk ([`ast::FuncBody`]) into a [`Proto`]
//! tree of Lua 5.4 instructions (see `bytecode::opcode` for their meaning).
//!
//! The compiler follows the design of PUC Lua 5.4's code generator (the
//! register allocation, expression descriptors and jump lists described in
//! "The Implementation of Lua 5.0" and in the 5.4 sources' comments), walking
//! the AST in source order instead of being driven by the parser:
//!
//! - `code`: instruction emission, jump lists, constants, registers;
//! - `exp`: expression descriptors (values not yet placed in a register) and
//!   the operations that place, store, index and test them;
//! - `ops`: unary and binary operators (immediate and constant forms);
//! - `fold`: constant folding of numeric operations (§3.4.1, §3.4.2);
//! - `scope`: local variables, blocks, upvalues, labels and gotos (§3.3.4,
//!   §3.5);
//! - `expr` / `stat`: the walk over expressions and statements.
//!
//! Invariants: locals occupy the lowest registers in declaration order and
//! temporaries sit above them, allocated and freed in stack order (`freereg`);
//! no function uses more than 254 registers, 200 locals or 255 upvalues; every
//! jump is patched before its function is finished. Errors never panic: every
//! limit is a [`CompileError`] with PUC's message. Recursion follows the
//! nesting of the source (bounded: [`MAX_DEPTH`]), never the length of
//! left-associative chains (`a + b + c`, `a.b.c`, `f()()`).
//!
//! May call: `crate::syntax::ast` (input), `crate::syntax::chunk_id` (for
//! messages) and `crate::bytecode` (output) only.

mod code;
mod exp;
mod expr;
mod fold;
#[cfg(test)]
mod fuzz_tests;
mod ops;
mod scope;
mod stat;
#[cfg(test)]
mod stat_tests;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use crate::bytecode::{Proto, UpvalDesc};
use crate::syntax::ast;

use code::CResult;
use exp::ExpKind;
use scope::{BlockCnt, Goto, Label, VarDesc, VarKind};

/// How deeply statements and expressions may nest before the compiler gives
/// up ("chunk has too many syntax levels"). Levels are counted as PUC's
/// parser counts them (one per statement and per sub-expression), so any
/// tree the parser accepts (at most `syntax::parser::MAX_SYNTAX_LEVELS`)
/// fits; this only guards hand-made ASTs. At this depth the compiler uses
/// at most about 300 KB of native stack (debug build).
pub const MAX_DEPTH: u32 = 256;

/// A compile-time error (§3.3.4 and §3.5 semantic errors and the limits of
/// the instruction format), e.g. `input:3: attempt to assign to const
/// variable 'x'` or `input:1: break outside loop at line 1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// The full message: `<chunkid>:<line>: <msg>`, as PUC Lua prints it
    /// (without PUC's trailing `near <token>`, which only the parser knows).
    pub message: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CompileError {}

/// Compiles a main chunk (§3.3.2) into its prototype.
///
/// The result is a vararg function whose single upvalue is `_ENV` (in the
/// enclosing stack, index 0, as PUC's main closure expects); `chunkname`
/// becomes `Proto::source` of it and of every nested prototype, and names
/// the chunk in error messages (through PUC's chunk-id rules).
///
/// Errors: assignment to a `<const>`/`<close>` variable, goto/label/break
/// errors of §3.3.4, and the format limits (200 locals, 255 upvalues, 254
/// registers, jump distances, 2^25 constants, 2^17 nested functions).
pub fn compile(chunk: &ast::FuncBody, chunkname: &str) -> Result<Proto, CompileError> {
    let mut main = Box::new(FuncState::new(chunkname, 0, 0, true));
    main.f.upvalues.push(UpvalDesc {
        name: "_ENV".to_string(),
        in_stack: true,
        index: 0,
    });
    main.upval_kinds.push(VarKind::Regular);
    let mut c = Compiler {
        cur: main,
        outer: Vec::new(),
        depth: 0,
        chunkname,
    };
    match c.main_function(chunk) {
        Ok(()) => Ok(std::mem::take(&mut c.cur.f)),
        Err(e) => Err(CompileError {
            message: format!(
                "{}:{}: {}",
                crate::syntax::chunk_id(chunkname),
                e.line,
                e.msg
            ),
        }),
    }
}

/// Hash key of a non-string constant: floats by their bits, so that `1` and
/// `1.0` (and `0.0` and `-0.0`) stay distinct constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NumKey {
    Nil,
    Bool(bool),
    Int(i64),
    Flt(u64),
}

/// The state of one function being compiled (PUC's `FuncState`).
struct FuncState<'a> {
    /// The prototype being filled.
    f: Proto,
    /// Attribute of each upvalue's variable (for assignments to consts).
    upval_kinds: Vec<VarKind>,
    /// Constant dedup tables.
    kstr: HashMap<&'a [u8], u32>,
    knum: HashMap<NumKey, u32>,
    /// Declared local variables: the first `nactvar` are in scope, the rest
    /// are declared but not yet active (`local x = <exprs being compiled>`).
    vars: Vec<VarDesc<'a>>,
    nactvar: usize,
    /// Registers held by the active locals (PUC's `luaY_nvarstack`).
    nvarstack: u32,
    /// First free register.
    freereg: u32,
    /// pc of the last jump target (no peephole across it).
    last_target: u32,
    /// Open blocks, innermost last.
    blocks: Vec<BlockCnt>,
    /// Some local was captured or is to-be-closed: returns must close.
    needclose: bool,
    /// Active labels (of the open blocks) and their index by name.
    labels: Vec<Label<'a>>,
    label_map: HashMap<&'a str, Vec<usize>>,
    /// Pending forward gotos (`None` once solved) and their index by name.
    gotos: Vec<Option<Goto<'a>>>,
    goto_map: HashMap<&'a str, Vec<usize>>,
    /// Source line given to the next emitted instruction.
    line: u32,
}

impl<'a> FuncState<'a> {
    fn new(source: &str, line_defined: u32, last_line_defined: u32, is_vararg: bool) -> Self {
        let f = Proto {
            source: source.to_string(),
            line_defined,
            last_line_defined,
            is_vararg,
            max_stack_size: 2,
            ..Proto::default()
        };
        FuncState {
            f,
            upval_kinds: Vec::new(),
            kstr: HashMap::new(),
            knum: HashMap::new(),
            vars: Vec::new(),
            nactvar: 0,
            nvarstack: 0,
            freereg: 0,
            last_target: 0,
            blocks: Vec::new(),
            needclose: false,
            labels: Vec::new(),
            label_map: HashMap::new(),
            gotos: Vec::new(),
            goto_map: HashMap::new(),
            line: line_defined.max(1),
        }
    }

    /// The "in main function" / "in function at line N" part of limit errors.
    fn where_(&self) -> String {
        if self.f.line_defined == 0 {
            "main function".to_string()
        } else {
            format!("function at line {}", self.f.line_defined)
        }
    }

    /// PUC's `errorlimit`: "too many <what> (limit is N) in <function>".
    fn error_limit<T>(&self, limit: u32, what: &str) -> CResult<T> {
        code::err(
            self.line,
            format!(
                "too many {} (limit is {}) in {}",
                what,
                limit,
                self.where_()
            ),
        )
    }
}

/// The compiler: the function being compiled and the enclosing ones.
struct Compiler<'a> {
    /// Boxed so that entering/leaving a nested function moves pointers, not
    /// whole states, on the native stack.
    cur: Box<FuncState<'a>>,
    /// Enclosing functions, outermost (the main chunk) first.
    #[allow(clippy::vec_box)] // boxed for cheap moves in and out of `cur`
    outer: Vec<Box<FuncState<'a>>>,
    /// Current nesting depth of statements/expressions/functions.
    depth: u32,
    chunkname: &'a str,
}

impl<'a> Compiler<'a> {
    /// Enters one level of syntactic nesting (bounded by [`MAX_DEPTH`]).
    fn enter_level(&mut self) -> CResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return code::err(self.cur.line, "chunk has too many syntax levels");
        }
        Ok(())
    }

    fn leave_level(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Compiles the main chunk into `self.cur` (PUC's `mainfunc`).
    fn main_function(&mut self, chunk: &'a ast::FuncBody) -> CResult<()> {
        self.enter_block(false);
        self.cur.line = 1;
        self.cur
            .code_abc(crate::bytecode::OpCode::VARARGPREP, 0, 0, 0)?;
        self.statlist(&chunk.body, 0, true)?;
        self.close_function(chunk.body.end_line.max(chunk.end_line))
    }

    /// Compiles a nested function body into a new prototype of the current
    /// function and leaves its closure in the next free register (PUC's
    /// `body` + `codeclosure`).
    #[inline(never)]
    fn function_expr(&mut self, body: &'a ast::FuncBody) -> CResult<exp::ExpDesc<'a>> {
        let child = Box::new(FuncState::new(
            self.chunkname,
            body.line,
            body.end_line,
            body.is_vararg,
        ));
        let parent = std::mem::replace(&mut self.cur, child);
        self.outer.push(parent);
        let result = self.function_inner(body);
        let Some(parent) = self.outer.pop() else {
            return code::err(body.line, "internal error: lost enclosing function");
        };
        let mut child = std::mem::replace(&mut self.cur, parent);
        result?;
        let fs = &mut self.cur;
        let index = fs.f.protos.len() as u32;
        if index >= crate::bytecode::opcode::MAXARG_BX {
            return fs.error_limit(crate::bytecode::opcode::MAXARG_BX, "functions");
        }
        fs.f.protos.push(std::mem::take(&mut child.f));
        fs.line = body.end_line;
        let pc = fs.code_abx(crate::bytecode::OpCode::CLOSURE, 0, index)?;
        let mut e = exp::ExpDesc::new(ExpKind::Reloc(pc));
        fs.exp2nextreg(&mut e)?;
        Ok(e)
    }

    /// Parameters, body and final return of a nested function.
    #[inline(never)]
    fn function_inner(&mut self, body: &'a ast::FuncBody) -> CResult<()> {
        self.enter_block(false);
        for p in &body.params {
            self.new_localvar(p)?;
        }
        self.adjust_localvars(body.params.len());
        let nparams = self.cur.nactvar as u32;
        self.cur.f.num_params = nparams as u8;
        if body.is_vararg {
            self.cur.line = body.line;
            self.cur
                .code_abc(crate::bytecode::OpCode::VARARGPREP, nparams, 0, 0)?;
        }
        self.cur.reserve_regs(nparams)?;
        self.statlist(&body.body, 0, true)?;
        self.close_function(body.end_line.max(body.body.end_line))
    }

    /// Final return, closing of the outermost block, and the fix-ups of
    /// PUC's `luaK_finish`.
    fn close_function(&mut self, end_line: u32) -> CResult<()> {
        self.cur.line = end_line;
        let first = self.cur.nvarstack;
        self.cur.ret(first, 0)?;
        self.leave_block()?;
        self.cur.finish()
    }
}
