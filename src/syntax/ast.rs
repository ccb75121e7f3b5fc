//! The abstract syntax tree of a Lua 5.4 chunk (reference manual §3 and the
//! complete grammar of §9).
//!
//! The parser (`syntax::parser`) builds it; the compiler (`compile`) consumes it.
//! The tree is plain data: it owns its strings and knows nothing of the VM.
//!
//! Invariants the parser guarantees and the compiler relies on:
//! - `StatKind::Call` holds an expression whose kind is `Call` or `MethodCall`.
//! - Every assignment target is `Name` or `Index`.
//! - `Vararg` appears only inside a function whose `FuncBody::is_vararg` is true.
//! - `function t.a.b:m() end` is desugared to an assignment of a `Function`
//!   expression whose body has the extra first parameter `self`.
//! - `local function f` is its own statement (the local is in scope in its body).
//!
//! Line numbers are 1-based source lines and follow PUC Lua's choice of line for
//! each instruction, so that error messages and `debug.getinfo` agree with it:
//! see [`Expr::line`].

/// A Lua identifier (always ASCII letters, digits and `_`).
pub type Name = String;

/// A block: a sequence of statements with an optional final `return` (§3.3.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    pub stats: Vec<Stat>,
    /// The `return` statement that may end a block (§3.3.4).
    pub ret: Option<Return>,
    /// Line of the token that ends the block (`end`, `until`, `else`, `elseif`,
    /// or end of file); used for the final `RETURN` and for closing scopes.
    pub end_line: u32,
}

/// `return explist` at the end of a block.
#[derive(Debug, Clone, PartialEq)]
pub struct Return {
    pub exprs: Vec<Expr>,
    /// Line of the `return` keyword.
    pub line: u32,
}

/// One statement with the line of its first token.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    pub kind: StatKind,
    pub line: u32,
}

/// The attribute of a local variable (§3.3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attrib {
    /// A plain local.
    None,
    /// `<const>`: assigning to it is a compile error.
    Const,
    /// `<close>`: a to-be-closed variable; its value's `__close` runs when it goes
    /// out of scope (§3.3.8). Also read-only.
    Close,
}

/// A name in a `local` statement, with its attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalName {
    pub name: Name,
    pub attrib: Attrib,
}

/// The kinds of statement (§3.3).
#[derive(Debug, Clone, PartialEq)]
pub enum StatKind {
    /// A function call used as a statement (§3.3.6); the expression is a `Call`
    /// or `MethodCall`.
    Call(Expr),
    /// `local n1 <a1>, n2 = e1, e2` (§3.3.7). At most one `<close>` name.
    Local {
        names: Vec<LocalName>,
        exprs: Vec<Expr>,
    },
    /// `t1, t2 = e1, e2` (§3.3.3); targets are `Name` or `Index` expressions.
    Assign {
        targets: Vec<Expr>,
        exprs: Vec<Expr>,
    },
    /// `local function name body` (§3.4.11).
    LocalFunction { name: Name, func: Box<FuncBody> },
    /// `do block end`.
    Do(Block),
    /// `while cond do block end`.
    While { cond: Expr, body: Block },
    /// `repeat block until cond`; the condition sees the block's locals (§3.3.4).
    Repeat { body: Block, cond: Expr },
    /// `if c1 then b1 elseif c2 then b2 else b3 end`: `(condition, block)` pairs
    /// in order and the optional `else` block.
    If {
        arms: Vec<(Expr, Block)>,
        else_block: Option<Block>,
    },
    /// `for var = start, limit [, step] do body end` (§3.3.5).
    NumericFor {
        var: Name,
        start: Expr,
        limit: Expr,
        step: Option<Expr>,
        body: Block,
    },
    /// `for v1, v2 in e1, e2 do body end` (§3.3.5).
    GenericFor {
        vars: Vec<Name>,
        exprs: Vec<Expr>,
        body: Block,
    },
    /// `goto name` (§3.3.4).
    Goto(Name),
    /// `::name::`.
    Label(Name),
    /// `break`.
    Break,
}

/// An expression with the line used for the instruction that computes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    /// PUC Lua's line for this expression's instruction:
    /// - `Binary`: the line of the operator token;
    /// - `Unary`: the line of the operator token;
    /// - `Call` / `MethodCall`: the line where the called prefix expression
    ///   starts (PUC's `suffixedexp` line);
    /// - `Index`: the line of the `.`, `:` or `[` token;
    /// - `Function`: the line of the `function` keyword;
    /// - otherwise the line of the expression's first token.
    pub line: u32,
}

/// Binary operators (§3.4.1–§3.4.5), in the manual's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    /// `/`, always float division.
    Div,
    /// `//`, floor division.
    IDiv,
    Mod,
    Pow,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
}

/// Unary operators: `-`, `not`, `#`, `~`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
    Len,
    BNot,
}

/// A field of a table constructor (§3.4.9).
#[derive(Debug, Clone, PartialEq)]
pub enum TableField {
    /// `exp`: the next positional item.
    Positional(Expr),
    /// `name = exp`.
    Named(Name, Expr),
    /// `[k] = v`.
    Keyed(Expr, Expr),
}

/// The kinds of expression (§3.4).
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Nil,
    True,
    False,
    /// `...`
    Vararg,
    /// An integer numeral (hex numerals wrap around, §3.1).
    Integer(i64),
    /// A float numeral, or a decimal integer numeral that overflows.
    Float(f64),
    /// A string literal, escapes already decoded (any bytes).
    String(Vec<u8>),
    /// `function (params) body end`.
    Function(Box<FuncBody>),
    /// `{ fields }`.
    Table(Vec<TableField>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    /// A variable name: a local, an upvalue, or a global (`_ENV.name`).
    Name(Name),
    /// `prefix[key]`; `prefix.name` is `Index` with a `String` key.
    Index(Box<Expr>, Box<Expr>),
    /// `f(args)`, `f "str"`, `f {table}`.
    Call(Box<Expr>, Vec<Expr>),
    /// `obj:name(args)`.
    MethodCall(Box<Expr>, Name, Vec<Expr>),
    /// `(exp)`: adjusts a multi-valued expression to one value.
    Paren(Box<Expr>),
}

/// A function body: parameters and block (§3.4.11). The main chunk is a vararg
/// `FuncBody` with no parameters, `line == 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncBody {
    /// Fixed parameter names, including the implicit `self` of methods.
    pub params: Vec<Name>,
    pub is_vararg: bool,
    pub body: Block,
    /// Line of the `function` keyword (`linedefined`), 0 for the main chunk.
    pub line: u32,
    /// Line of the closing `end` (`lastlinedefined`), 0 for the main chunk.
    pub end_line: u32,
}

impl Expr {
    /// A `nil` expression (placeholder used when dismantling trees).
    pub const fn placeholder() -> Expr {
        Expr {
            kind: ExprKind::Nil,
            line: 0,
        }
    }
}

/// Moves the sub-expressions of `kind` that can nest deeply onto `out`.
fn take_children(kind: &mut ExprKind, out: &mut Vec<Expr>) {
    match kind {
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            out.push(std::mem::replace(&mut **a, Expr::placeholder()));
            out.push(std::mem::replace(&mut **b, Expr::placeholder()));
        }
        ExprKind::Unary(_, a) | ExprKind::Paren(a) => {
            out.push(std::mem::replace(&mut **a, Expr::placeholder()));
        }
        ExprKind::Call(f, args) | ExprKind::MethodCall(f, _, args) => {
            out.push(std::mem::replace(&mut **f, Expr::placeholder()));
            out.append(args);
        }
        _ => {}
    }
}

/// Drops expression trees iteratively: an operator chain of any length (the
/// parser accepts `a+a+...` with 100,000 terms) would otherwise overflow the
/// native stack in the compiler-generated recursive drop.
impl Drop for Expr {
    fn drop(&mut self) {
        let mut work = Vec::new();
        take_children(&mut self.kind, &mut work);
        while let Some(mut e) = work.pop() {
            take_children(&mut e.kind, &mut work);
        }
    }
}
