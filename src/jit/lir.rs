//! The LIR: the machine-independent low-level code the JIT lowers bytecode
//! to, and that each emitter (`emit::x86_64`, `emit::aarch64`) turns into
//! assembly text for its target.
//!
//! Tier 1a is a baseline compiler: Lua registers stay in their stack slots
//! (a 16-byte [`TValue`](crate::runtime::value::TValue): value word at `+0`,
//! tag byte at `+8`), so the LIR names memory directly ([`Addr`], [`Mem`])
//! and uses a handful of scratch registers ([`Gpr`], [`Fpr`]) that hold
//! values only within one bytecode instruction. Control flow is labels and
//! compare-and-branch. A function is a flat list of [`Op`]s; the emitters add
//! the prologue (saving the callee-saved registers that hold the frame base,
//! the VM block, the constants, the upvalues and the helper table; the OSR
//! dispatch on the entry id) and the common exit (`Op::Exit`).
//!
//! The semantics every emitter must give each operation are on the
//! operation. The machine registers behind the scratch registers, and the
//! emitter's own temporaries for operands an instruction set cannot take
//! directly (large immediates, memory-to-memory), are the emitter's business;
//! a LIR register keeps its value until an operation writes it, except that
//! [`Op::CallHelper`] and [`Op::CallFloatHelper`] clobber them all.
//!
//! [`lower`] is the only producer: bytecode plus the snapshot's constants and
//! feedback decisions (`ProtoSnapshot::generic`) → [`Function`]. Its fast
//! paths test the tags they need; any other case, and every instruction
//! without a native form, leaves with a deopt or resume status carrying that
//! instruction's pc (the ABI in `jit::abi`), and the interpreter resumes the
//! intact frame there.

use crate::bytecode::{ins, OpCode};
use crate::jit::abi::{deopt_word, resume_word, return_word, status};
use crate::jit::helpers::index as h;
use crate::jit::snapshot::{ConstKind, ProtoSnapshot};
use crate::runtime::value::{TFALSE, TFLOAT, TINT, TNIL, TSTR, TTABLE, TTRUE, TUSERDATA};

/// A scratch integer register (64 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gpr {
    R0,
    R1,
    R2,
    R3,
    R4,
    R5,
}

/// A scratch floating-point register (an IEEE 754 double).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fpr {
    F0,
    F1,
}

/// A 16-byte value in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addr {
    /// Register `r` of the running frame (`base + 16 * r`).
    Slot(u32),
    /// Constant `k` of the running prototype (`K + 16 * k`).
    Const(u32),
    /// The value upvalue `i` of the running closure refers to (through the
    /// upvalue cell: `upvals[i]->v`).
    Upval(u32),
    /// The value at the address in a register (an element of a table's
    /// array part).
    Ptr(Gpr),
}

/// A word-sized field of a runtime object, named by its `jit::abi` offset
/// (emitters write the `.set` name, so the layout is never baked in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// `Table::array`'s data pointer (`LJ_T_ARR_PTR`).
    TableArrayPtr,
    /// `Table::array`'s length in values (`LJ_T_ARR_LEN`).
    TableArrayLen,
    /// `Table::node`'s data pointer (`LJ_T_NODE_PTR`).
    TableNodePtr,
    /// `Table::node`'s length in nodes, 0 or a power of two
    /// (`LJ_T_NODE_LEN`).
    TableNodeLen,
    /// A string's 32-bit hash, zero-extended (`LJ_STR_HASH`).
    StrHash,
}

impl Field {
    /// The name of the offset in `jit::abi::offsets`.
    pub fn abi_name(self) -> &'static str {
        match self {
            Field::TableArrayPtr => "LJ_T_ARR_PTR",
            Field::TableArrayLen => "LJ_T_ARR_LEN",
            Field::TableNodePtr => "LJ_T_NODE_PTR",
            Field::TableNodeLen => "LJ_T_NODE_LEN",
            Field::StrHash => "LJ_STR_HASH",
        }
    }

    /// Whether the field is 32 bits wide (zero-extended when loaded);
    /// the others are 64.
    pub fn is_u32(self) -> bool {
        self == Field::StrHash
    }
}

/// One word of a value in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mem {
    /// The 64-bit value word (`+0`): an integer, a float's bits, a pointer.
    Val(Addr),
    /// The tag byte (`+8`), zero-extended when loaded or compared.
    Tag(Addr),
}

/// An operand of integer operations and comparisons.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    Reg(Gpr),
    /// Any 64-bit immediate (emitters materialise what the instruction set
    /// cannot encode).
    Imm(i64),
    Mem(Mem),
}

/// An integer condition between two 64-bit operands `a` and `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    Eq,
    Ne,
    /// Signed.
    Lt,
    Le,
    Gt,
    Ge,
    /// Unsigned.
    Below,
    BelowEq,
    Above,
    AboveEq,
}

impl Cond {
    /// Every condition.
    pub const ALL: [Cond; 10] = [
        Cond::Eq,
        Cond::Ne,
        Cond::Lt,
        Cond::Le,
        Cond::Gt,
        Cond::Ge,
        Cond::Below,
        Cond::BelowEq,
        Cond::Above,
        Cond::AboveEq,
    ];

    /// The condition that holds exactly when this one does not.
    pub fn negate(self) -> Cond {
        match self {
            Cond::Eq => Cond::Ne,
            Cond::Ne => Cond::Eq,
            Cond::Lt => Cond::Ge,
            Cond::Le => Cond::Gt,
            Cond::Gt => Cond::Le,
            Cond::Ge => Cond::Lt,
            Cond::Below => Cond::AboveEq,
            Cond::BelowEq => Cond::Above,
            Cond::Above => Cond::BelowEq,
            Cond::AboveEq => Cond::Below,
        }
    }

    /// The condition with the operands exchanged (`a < b` ⇔ `b > a`).
    pub fn swap(self) -> Cond {
        match self {
            Cond::Eq | Cond::Ne => self,
            Cond::Lt => Cond::Gt,
            Cond::Le => Cond::Ge,
            Cond::Gt => Cond::Lt,
            Cond::Ge => Cond::Le,
            Cond::Below => Cond::Above,
            Cond::BelowEq => Cond::AboveEq,
            Cond::Above => Cond::Below,
            Cond::AboveEq => Cond::BelowEq,
        }
    }
}

/// A condition between two doubles. The first five are false when either
/// operand is NaN (IEEE 754 "unordered"); their negations (`N…`, `Ne`) are
/// therefore true then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FCond {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    /// not (a < b)
    NLt,
    /// not (a <= b)
    NLe,
    /// not (a > b)
    NGt,
    /// not (a >= b)
    NGe,
    /// not (a == b)
    Ne,
}

impl FCond {
    /// Every condition: the five ordered ones, then their negations.
    pub const ALL: [FCond; 10] = [
        FCond::Lt,
        FCond::Le,
        FCond::Gt,
        FCond::Ge,
        FCond::Eq,
        FCond::NLt,
        FCond::NLe,
        FCond::NGt,
        FCond::NGe,
        FCond::Ne,
    ];

    /// The condition that holds exactly when this one does not.
    pub fn negate(self) -> FCond {
        match self {
            FCond::Lt => FCond::NLt,
            FCond::Le => FCond::NLe,
            FCond::Gt => FCond::NGt,
            FCond::Ge => FCond::NGe,
            FCond::Eq => FCond::Ne,
            FCond::NLt => FCond::Lt,
            FCond::NLe => FCond::Le,
            FCond::NGt => FCond::Gt,
            FCond::NGe => FCond::Ge,
            FCond::Ne => FCond::Eq,
        }
    }
}

/// A two-operand integer operation, wrapping on overflow (Lua 5.4 manual
/// §3.4.1: integer arithmetic wraps around).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AluOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
}

/// A double operation (IEEE 754, round to nearest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// A branch target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Label {
    /// The first operation of bytecode instruction `pc`.
    Pc(u32),
    /// The out-of-line deopt exit of the instruction at `pc`.
    Deopt(u32),
    /// A label local to one instruction's code (numbered per function).
    Local(u32),
}

/// An argument of a helper call, in the platform ABI's integer argument
/// registers, in order (System V AMD64: rdi, rsi, rdx, rcx, r8; AAPCS64:
/// x0–x4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg {
    /// The running thread (`*mut State`), saved by the prologue from
    /// `JitVm::state`.
    Thread,
    /// The address of a value.
    Addr(Addr),
    /// An immediate.
    Imm(i64),
    /// The word loaded from memory.
    Load(Mem),
}

/// One LIR operation. Registers are the scratch registers; `Slot` addresses
/// are relative to the frame base the prologue loaded (and
/// [`Op::ReloadBase`] updates).
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// The start of bytecode instruction `pc`: a comment with its source
    /// line and listing, then [`Label::Pc`]`(pc)`.
    Pc { pc: u32, line: u32, listing: String },
    /// A comment line.
    Comment(String),
    /// Defines a label here.
    Label(Label),
    /// Unconditional jump.
    Jump(Label),
    /// Copies a whole 16-byte value (clobbers no LIR register).
    Copy { from: Addr, to: Addr },
    /// Stores a whole value: value word `bits` and tag `tag` into a slot.
    SetImm { slot: u32, bits: i64, tag: u8 },
    /// Stores tag `tag` into a slot's tag byte (the value word is kept).
    SetTag { slot: u32, tag: u8 },
    /// `dst = src` (the tag zero-extended).
    Load { dst: Gpr, src: Mem },
    /// Stores `src` into a slot's value word.
    Store { slot: u32, src: Gpr },
    /// `dst = src`.
    Mov { dst: Gpr, src: Operand },
    /// `dst = a op b`, wrapping.
    Alu {
        op: AluOp,
        dst: Gpr,
        a: Gpr,
        b: Operand,
    },
    /// `dst = -src` (wrapping).
    Neg { dst: Gpr, src: Gpr },
    /// `dst = !src` (bitwise).
    Not { dst: Gpr, src: Gpr },
    /// `dst = a << amount` for a constant `amount` in 0..=63.
    ShlImm { dst: Gpr, a: Gpr, amount: u8 },
    /// `dst` = the 64-bit field `field` of the object at the address in
    /// `base`.
    LoadField { dst: Gpr, base: Gpr, field: Field },
    /// `dst = a << amount`; `amount` is in 0..=63.
    Shl { dst: Gpr, a: Gpr, amount: Gpr },
    /// `dst = a >> amount`, logical; `amount` is in 0..=63.
    Shr { dst: Gpr, a: Gpr, amount: Gpr },
    /// Signed division truncating towards zero: `quot = a / b`,
    /// `rem = a - quot * b`. The lowering guarantees `b` is neither 0 nor
    /// -1. `quot` and `rem` differ.
    DivRem { quot: Gpr, rem: Gpr, a: Gpr, b: Gpr },
    /// Unsigned division `dst = a / b`; `b` is not 0.
    UDiv { dst: Gpr, a: Gpr, b: Gpr },
    /// Jumps to `target` when `a cond b`. `a` is never an immediate.
    Branch {
        cond: Cond,
        a: Operand,
        b: Operand,
        target: Label,
    },
    /// Jumps to `target` when `reg` is zero (`if_zero`) or non-zero; with
    /// `w32`, only the low 32 bits count (a helper returning `u32` leaves the
    /// upper half undefined).
    BranchZero {
        reg: Gpr,
        w32: bool,
        if_zero: bool,
        target: Label,
    },
    /// `dst` = the double in a value word.
    FLoad { dst: Fpr, src: Addr },
    /// Stores `src` into a value word.
    FStore { dst: Addr, src: Fpr },
    /// `dst` = the double with these bits.
    FBits { dst: Fpr, bits: u64 },
    /// `dst` = the integer `src` converted to the nearest double.
    FFromInt { dst: Fpr, src: Operand },
    /// `dst = a op b`.
    FArith { op: FOp, dst: Fpr, a: Fpr, b: Fpr },
    /// Jumps to `target` when `a cond b`.
    FBranch {
        cond: FCond,
        a: Fpr,
        b: Fpr,
        target: Label,
    },
    /// Calls helper `index` of the helper table (`jit::helpers::HELPERS`)
    /// with `args`. Afterwards `R0` holds the first return word and `R1` the
    /// second (both halves of a `CallResult`); every other scratch register
    /// is undefined.
    CallHelper { index: usize, args: Vec<Arg> },
    /// `F0 = helper(F0, F1)` for a helper taking and returning doubles; every
    /// other scratch register is undefined afterwards.
    CallFloatHelper { index: usize },
    /// The frame base becomes `R1` (the `base` of the `CallResult` of the
    /// last [`Op::CallHelper`]: the helper may have reallocated the stack).
    ReloadBase,
    /// Returns `word` (a status of `jit::abi`) to the interpreter.
    Exit { word: u64 },
}

/// What the lowering tells the controller about one function (independent
/// of the target).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Emitted {
    /// The global symbol of the entry point, without the target's prefix
    /// (`_` on Mach-O).
    pub symbol: String,
    /// pcs of the OSR entries, in entry-id order (id = index + 1).
    pub osr_pcs: Vec<u32>,
    /// Instructions that got a native fast path (the rest exit at once).
    pub native_instructions: usize,
    /// pcs of the instructions without a native form (they always exit).
    pub exits: Vec<u32>,
    /// For each OSR entry (same order as `osr_pcs`): whether the whole loop,
    /// from its header to its back-edge, is native (calls included), so
    /// entering it pays off.
    pub osr_native_loop: Vec<bool>,
}

/// One lowered function.
#[derive(Clone, Debug)]
pub struct Function {
    /// The prototype's id, for label names.
    pub id: u32,
    /// The comment above the function (name, source, lines).
    pub header: String,
    /// The operations, in order, including the out-of-line deopt exits.
    pub ops: Vec<Op>,
    pub info: Emitted,
}

/// Back-edges: (header pc, back-edge pc) of every loop.
fn loops(code: &[u32]) -> Vec<(u32, u32)> {
    let mut v = Vec::new();
    for (pc, &i) in code.iter().enumerate() {
        let t = match ins::opcode(i) {
            OpCode::FORLOOP | OpCode::TFORLOOP => Some(pc as i64 + 1 - ins::bx(i) as i64),
            OpCode::JMP if ins::sj(i) < 0 => Some(pc as i64 + 1 + ins::sj(i) as i64),
            _ => None,
        };
        if let Some(t) = t {
            if t >= 0 {
                v.push((t as u32, pc as u32));
            }
        }
    }
    v
}

/// Targets of loop back-edges: the pcs where OSR may enter, each once.
fn loop_headers(code: &[u32]) -> Vec<u32> {
    let mut v: Vec<u32> = Vec::new();
    for (h, _) in loops(code) {
        if !v.contains(&h) {
            v.push(h);
        }
    }
    v
}

/// An integer key of an array access: a constant, or a register known to
/// hold an integer.
#[derive(Clone, Copy)]
enum ArrayKey {
    Const(i64),
    Slot(u32),
}

/// The right operand of an arithmetic instruction: a register, or a number
/// constant or immediate.
#[derive(Clone, Copy)]
enum Rhs {
    Reg(u32),
    Int(i64),
    Float(f64),
}

fn tag(r: u32) -> Operand {
    Operand::Mem(Mem::Tag(Addr::Slot(r)))
}

fn val(r: u32) -> Operand {
    Operand::Mem(Mem::Val(Addr::Slot(r)))
}

use Gpr::*;

struct Builder<'a> {
    p: &'a ProtoSnapshot,
    ops: Vec<Op>,
    next_local: u32,
    deopts: Vec<u32>,
}

impl Builder<'_> {
    fn op(&mut self, op: Op) {
        self.ops.push(op);
    }
    fn local(&mut self) -> Label {
        self.next_local += 1;
        Label::Local(self.next_local)
    }
    fn label(&mut self, l: Label) {
        self.op(Op::Label(l));
    }
    fn jump(&mut self, l: Label) {
        self.op(Op::Jump(l));
    }
    /// `dst` = the value word of register `r`.
    fn load_val(&mut self, dst: Gpr, r: u32) {
        self.op(Op::Load {
            dst,
            src: Mem::Val(Addr::Slot(r)),
        });
    }
    /// Register `slot` = `src` with tag `tag`.
    fn store(&mut self, slot: u32, src: Gpr, tag: u8) {
        self.op(Op::Store { slot, src });
        self.op(Op::SetTag { slot, tag });
    }
    fn alu(&mut self, op: AluOp, dst: Gpr, a: Gpr, b: Operand) {
        self.op(Op::Alu { op, dst, a, b });
    }
    fn br(&mut self, cond: Cond, a: Operand, b: Operand, target: Label) {
        self.op(Op::Branch { cond, a, b, target });
    }
    /// Jumps to `otherwise` unless register `r` has tag `t`.
    fn guard_tag(&mut self, r: u32, t: u8, otherwise: Label) {
        self.br(Cond::Ne, tag(r), Operand::Imm(t as i64), otherwise);
    }
    /// The deopt exit of `pc` (registered so it gets emitted).
    fn fail(&mut self, pc: usize) -> Label {
        self.deopts.push(pc as u32);
        Label::Deopt(pc as u32)
    }
    fn exit_resume(&mut self, pc: usize) {
        self.op(Op::Exit {
            word: resume_word(pc),
        });
    }
    fn pc_label(pc: i64) -> Label {
        Label::Pc(pc as u32)
    }
    /// Labels of a test at `pc` followed by its `JMP`: (the jump's target,
    /// the instruction after the jump).
    fn jump_labels(&self, pc: usize) -> (Label, Label) {
        let jmp_i = self.p.code.get(pc + 1).copied().unwrap_or(0);
        (
            Self::pc_label(pc as i64 + 2 + ins::sj(jmp_i) as i64),
            Self::pc_label(pc as i64 + 2),
        )
    }
    /// Where a comparison at `pc` with flag `k` goes when it holds and when
    /// it does not: the jump is taken when the result equals `k`.
    fn outcome_labels(&self, pc: usize, k: bool) -> (Label, Label) {
        let (take, skip) = self.jump_labels(pc);
        if k {
            (take, skip)
        } else {
            (skip, take)
        }
    }
    /// A comparison whose result decides the jump that follows
    /// (`condjump`): when `a cond b` equals `k`, take the jump, else skip it
    /// (go to pc + 2).
    fn cond_branch(&mut self, pc: usize, k: bool, cond: Cond, a: Operand, b: Operand) {
        let (take, skip) = self.jump_labels(pc);
        let cond = if k { cond } else { cond.negate() };
        self.br(cond, a, b, take);
        self.jump(skip);
    }
    /// [`Builder::cond_branch`] on doubles.
    fn fcond_branch(&mut self, pc: usize, k: bool, cond: FCond, a: Fpr, b: Fpr) {
        let (take, skip) = self.jump_labels(pc);
        let cond = if k { cond } else { cond.negate() };
        self.op(Op::FBranch {
            cond,
            a,
            b,
            target: take,
        });
        self.jump(skip);
    }
    /// `x` = register `r`'s number as a double (an integer converted);
    /// jumps to `fail` unless it is a number.
    fn load_num(&mut self, r: u32, x: Fpr, fail: Label) {
        let (isf, done) = (self.local(), self.local());
        self.br(Cond::Eq, tag(r), Operand::Imm(TFLOAT as i64), isf);
        self.guard_tag(r, TINT, fail);
        self.op(Op::FFromInt {
            dst: x,
            src: val(r),
        });
        self.jump(done);
        self.label(isf);
        self.op(Op::FLoad {
            dst: x,
            src: Addr::Slot(r),
        });
        self.label(done);
    }
    /// `R0` = the address of `R[t][key]` in the array part of the table in
    /// register `t`; jumps to `slow` unless `R[t]` is a table and `key` is
    /// in `1..=#array` (an integer key register's tag is already checked).
    fn array_slot(&mut self, t: u32, key: ArrayKey, slow: Label) {
        self.guard_tag(t, TTABLE, slow);
        self.load_val(R0, t);
        self.op(Op::LoadField {
            dst: R1,
            base: R0,
            field: Field::TableArrayLen,
        });
        match key {
            ArrayKey::Const(k) if !(1..=1 << 20).contains(&k) => self.jump(slow),
            ArrayKey::Const(k) => {
                self.br(Cond::BelowEq, Operand::Reg(R1), Operand::Imm(k - 1), slow);
                self.op(Op::LoadField {
                    dst: R0,
                    base: R0,
                    field: Field::TableArrayPtr,
                });
                if k > 1 {
                    self.alu(AluOp::Add, R0, R0, Operand::Imm(16 * (k - 1)));
                }
            }
            ArrayKey::Slot(r) => {
                self.load_val(R2, r);
                self.alu(AluOp::Sub, R2, R2, Operand::Imm(1));
                // unsigned: keys below 1 wrap around to huge indices
                self.br(Cond::AboveEq, Operand::Reg(R2), Operand::Reg(R1), slow);
                // a value is 16 bytes
                self.element(Field::TableArrayPtr, R2, 4);
            }
        }
    }
    /// `R0` = the address of the value slot of string constant `K[k]` in
    /// the hash part of the table at `t`, when the key sits in its first
    /// slot (`hash & (len - 1)`, the usual case; a collision, a missing key or
    /// a non-table jumps to `slow`, where the helper probes further).
    fn field_slot(&mut self, t: Addr, k: u32, slow: Label) {
        self.br(
            Cond::Ne,
            Operand::Mem(Mem::Tag(t)),
            Operand::Imm(TTABLE as i64),
            slow,
        );
        // the compiler only makes string keys here; any other constant
        // (damaged bytecode) takes the helper, so only a string is read
        self.br(
            Cond::Ne,
            Operand::Mem(Mem::Tag(Addr::Const(k))),
            Operand::Imm(TSTR as i64),
            slow,
        );
        self.op(Op::Load {
            dst: R0,
            src: Mem::Val(t),
        });
        // the key: an interned string, compared by pointer
        self.op(Op::Load {
            dst: R2,
            src: Mem::Val(Addr::Const(k)),
        });
        self.op(Op::LoadField {
            dst: R1,
            base: R2,
            field: Field::StrHash,
        });
        self.op(Op::LoadField {
            dst: R3,
            base: R0,
            field: Field::TableNodeLen,
        });
        // no hash part: nothing to find
        self.br(Cond::Eq, Operand::Reg(R3), Operand::Imm(0), slow);
        self.alu(AluOp::Sub, R3, R3, Operand::Imm(1));
        self.alu(AluOp::And, R1, R1, Operand::Reg(R3));
        // a node is two values (32 bytes: `jit::abi`'s LJ_NODE_SIZE)
        self.element(Field::TableNodePtr, R1, 5);
        self.br(
            Cond::Ne,
            Operand::Mem(Mem::Tag(Addr::Ptr(R0))),
            Operand::Imm(TSTR as i64),
            slow,
        );
        self.br(
            Cond::Ne,
            Operand::Mem(Mem::Val(Addr::Ptr(R0))),
            Operand::Reg(R2),
            slow,
        );
        // the value follows the key
        self.alu(AluOp::Add, R0, R0, Operand::Imm(16));
    }
    /// `R0` = the address of element `index` (clobbered) of the array whose
    /// data pointer is `field` of the object at `R0`, for elements of
    /// `1 << shift` bytes.
    fn element(&mut self, field: Field, index: Gpr, shift: u8) {
        self.op(Op::ShlImm {
            dst: index,
            a: index,
            amount: shift,
        });
        self.op(Op::LoadField {
            dst: R0,
            base: R0,
            field,
        });
        self.alu(AluOp::Add, R0, R0, Operand::Reg(index));
    }
    /// Copies `from` to `to`, one of them the slot at `R0`, when the value
    /// at `R0` is not nil (a nil may need `__index`/`__newindex`), then to
    /// `done`; else to `slow`. No write barrier: the collector is
    /// stop-the-world (`runtime::gc`).
    fn copy_if_present(&mut self, from: Addr, to: Addr, slow: Label, done: Label) {
        self.br(
            Cond::Eq,
            Operand::Mem(Mem::Tag(Addr::Ptr(R0))),
            Operand::Imm(TNIL as i64),
            slow,
        );
        self.op(Op::Copy { from, to });
        self.jump(done);
    }
    /// Calls a helper answering 1 when it did the work, 0 when the
    /// interpreter must (then the instruction exits at `fail`).
    fn call_or_fail(&mut self, index: usize, args: Vec<Arg>, fail: Label) {
        self.op(Op::CallHelper { index, args });
        self.op(Op::BranchZero {
            reg: R0,
            w32: true,
            if_zero: true,
            target: fail,
        });
    }
    /// An allocating helper (`CallResult`): status 0 with the new base, 1 =
    /// an error (a finalizer's, or the operation's own).
    fn call_alloc(&mut self, index: usize, args: Vec<Arg>) {
        self.op(Op::CallHelper { index, args });
        self.op(Op::ReloadBase);
        let ok = self.local();
        self.op(Op::BranchZero {
            reg: R0,
            w32: false,
            if_zero: true,
            target: ok,
        });
        self.op(Op::Exit {
            word: status::ERROR,
        });
        self.label(ok);
    }
}

/// Lowers one prototype. Never fails: an instruction without a native form
/// becomes an exit to the interpreter.
pub fn lower(p: &ProtoSnapshot) -> Function {
    let mut b = Builder {
        p,
        ops: Vec::new(),
        next_local: 0,
        deopts: Vec::new(),
    };
    let osr = loop_headers(&p.code);
    let mut native = 0;
    let mut exits = Vec::new();
    for pc in 0..p.code.len() {
        let i = p.code[pc];
        b.op(Op::Pc {
            pc: pc as u32,
            line: p.line_info.get(pc).copied().unwrap_or(0),
            listing: p.listing.get(pc).cloned().unwrap_or_else(|| "?".into()),
        });
        if p.generic.binary_search(&(pc as u32)).is_ok() {
            // its guard kept failing: the interpreter runs it
            b.op(Op::Comment("generic: left to the interpreter".into()));
            b.exit_resume(pc);
            exits.push(pc as u32);
        } else if lower_instruction(&mut b, pc, i) {
            native += 1;
        } else {
            exits.push(pc as u32);
        }
    }
    let mut deopts = std::mem::take(&mut b.deopts);
    deopts.sort_unstable();
    deopts.dedup();
    for pc in deopts {
        b.label(Label::Deopt(pc));
        b.op(Op::Exit {
            word: deopt_word(pc as usize),
        });
    }
    let all_loops = loops(&p.code);
    let osr_native_loop = osr
        .iter()
        .map(|&h| {
            all_loops
                .iter()
                .filter(|(hh, _)| *hh == h)
                .all(|&(h, b)| !exits.iter().any(|&x| x >= h && x <= b))
        })
        .collect();
    Function {
        id: p.id,
        header: format!(
            "function {} (source {}, lines {}-{})",
            p.name, p.source, p.line_defined, p.last_line_defined
        ),
        ops: b.ops,
        info: Emitted {
            symbol: format!("lj_p{}_{}", p.id, p.key_suffix),
            osr_pcs: osr,
            native_instructions: native,
            exits,
            osr_native_loop,
        },
    }
}

/// Binary arithmetic `R[a] = R[b] op rhs` with integer and float paths.
fn arith(b: &mut Builder, pc: usize, op: OpCode, a: u32, rb: u32, rhs: Rhs) {
    let fail = b.fail(pc);
    let (float_path, done) = (b.local(), b.local());
    let int_op = match op {
        OpCode::ADD | OpCode::ADDK | OpCode::ADDI => Some(AluOp::Add),
        OpCode::SUB | OpCode::SUBK => Some(AluOp::Sub),
        OpCode::MUL | OpCode::MULK => Some(AluOp::Mul),
        OpCode::BAND | OpCode::BANDK => Some(AluOp::And),
        OpCode::BOR | OpCode::BORK => Some(AluOp::Or),
        OpCode::BXOR | OpCode::BXORK => Some(AluOp::Xor),
        _ => None,
    };
    let float_op = match op {
        OpCode::ADD | OpCode::ADDK | OpCode::ADDI => Some(FOp::Add),
        OpCode::SUB | OpCode::SUBK => Some(FOp::Sub),
        OpCode::MUL | OpCode::MULK => Some(FOp::Mul),
        OpCode::DIV | OpCode::DIVK => Some(FOp::Div),
        _ => None,
    };
    // integer path: both operands integers (not for '/')
    if let Some(iop) = int_op {
        b.guard_tag(rb, TINT, float_path);
        let rhs_op = match rhs {
            Rhs::Reg(r) => {
                b.guard_tag(r, TINT, float_path);
                Some(val(r))
            }
            Rhs::Int(k) => Some(Operand::Imm(k)),
            Rhs::Float(_) => None,
        };
        match rhs_op {
            Some(o) => {
                b.load_val(R0, rb);
                b.op(Op::Alu {
                    op: iop,
                    dst: R0,
                    a: R0,
                    b: o,
                });
                b.store(a, R0, TINT);
                b.jump(done);
            }
            None => b.jump(float_path),
        }
    }
    b.label(float_path);
    match float_op {
        Some(fop) => {
            b.load_num(rb, Fpr::F0, fail);
            match rhs {
                Rhs::Reg(r) => b.load_num(r, Fpr::F1, fail),
                Rhs::Int(k) => b.op(Op::FBits {
                    dst: Fpr::F1,
                    bits: (k as f64).to_bits(),
                }),
                Rhs::Float(x) => b.op(Op::FBits {
                    dst: Fpr::F1,
                    bits: x.to_bits(),
                }),
            }
            b.op(Op::FArith {
                op: fop,
                dst: Fpr::F0,
                a: Fpr::F0,
                b: Fpr::F1,
            });
            b.op(Op::FStore {
                dst: Addr::Slot(a),
                src: Fpr::F0,
            });
            b.op(Op::SetTag {
                slot: a,
                tag: TFLOAT,
            });
        }
        // bitwise on floats (with integral values) and strings: the
        // interpreter converts
        None => b.jump(fail),
    }
    b.label(done);
}

/// `CALL A B C` semantics at `pc` through `helpers::call`: 0 done (R1 = the
/// frame's new base), 1 error, 2 not done (native recursion limit): resume
/// at `pc`, 3 done but a hook is set: resume at the next instruction.
fn call_via_helper(b: &mut Builder, pc: usize, a: u32, nb: u32, nc: u32) {
    b.op(Op::CallHelper {
        index: h::CALL,
        args: vec![
            Arg::Thread,
            Arg::Imm(a as i64),
            Arg::Imm(nb as i64),
            Arg::Imm(nc as i64),
            Arg::Imm(pc as i64),
        ],
    });
    b.op(Op::ReloadBase);
    let (bad, limit, hooked) = (b.local(), b.local(), b.local());
    b.op(Op::BranchZero {
        reg: R0,
        w32: false,
        if_zero: false,
        target: bad,
    });
    b.jump(Builder::pc_label(pc as i64 + 1));
    b.label(bad);
    b.br(Cond::Eq, Operand::Reg(R0), Operand::Imm(2), limit);
    b.br(Cond::Eq, Operand::Reg(R0), Operand::Imm(3), hooked);
    b.op(Op::Exit {
        word: status::ERROR,
    });
    b.label(limit);
    b.exit_resume(pc);
    b.label(hooked);
    b.exit_resume(pc + 1);
}

/// Lowers instruction `i` at `pc`; false when it has no native form (it
/// then exits to the interpreter).
fn lower_instruction(b: &mut Builder, pc: usize, i: u32) -> bool {
    use Operand::Imm;
    let op = ins::opcode(i);
    let a = ins::a(i);
    let rb = ins::b(i);
    let cc = ins::c(i);
    let k = ins::k(i);
    match op {
        OpCode::MOVE => b.op(Op::Copy {
            from: Addr::Slot(rb),
            to: Addr::Slot(a),
        }),
        OpCode::LOADI => b.op(Op::SetImm {
            slot: a,
            bits: ins::sbx(i) as i64,
            tag: TINT,
        }),
        OpCode::LOADF => b.op(Op::SetImm {
            slot: a,
            bits: (ins::sbx(i) as f64).to_bits() as i64,
            tag: TFLOAT,
        }),
        OpCode::LOADK => b.op(Op::Copy {
            from: Addr::Const(ins::bx(i)),
            to: Addr::Slot(a),
        }),
        OpCode::LOADFALSE => b.op(Op::SetImm {
            slot: a,
            bits: 0,
            tag: TFALSE,
        }),
        OpCode::LFALSESKIP => {
            b.op(Op::SetImm {
                slot: a,
                bits: 0,
                tag: TFALSE,
            });
            b.jump(Builder::pc_label(pc as i64 + 2));
        }
        OpCode::LOADTRUE => b.op(Op::SetImm {
            slot: a,
            bits: 1,
            tag: TTRUE,
        }),
        OpCode::LOADNIL => {
            for r in a..=a + rb {
                b.op(Op::SetImm {
                    slot: r,
                    bits: 0,
                    tag: TNIL,
                });
            }
        }
        OpCode::GETUPVAL => b.op(Op::Copy {
            from: Addr::Upval(rb),
            to: Addr::Slot(a),
        }),
        // no write barrier: the collector is stop-the-world (runtime::gc)
        OpCode::SETUPVAL => b.op(Op::Copy {
            from: Addr::Slot(a),
            to: Addr::Upval(rb),
        }),
        OpCode::ADD
        | OpCode::SUB
        | OpCode::MUL
        | OpCode::DIV
        | OpCode::BAND
        | OpCode::BOR
        | OpCode::BXOR => arith(b, pc, op, a, rb, Rhs::Reg(cc)),
        OpCode::ADDK
        | OpCode::SUBK
        | OpCode::MULK
        | OpCode::DIVK
        | OpCode::BANDK
        | OpCode::BORK
        | OpCode::BXORK => {
            let rhs = match b.p.consts.get(cc as usize) {
                Some(ConstKind::Int(k)) => Rhs::Int(*k),
                Some(ConstKind::Float(x))
                    if !matches!(op, OpCode::BANDK | OpCode::BORK | OpCode::BXORK) =>
                {
                    Rhs::Float(*x)
                }
                _ => {
                    b.exit_resume(pc);
                    return false;
                }
            };
            arith(b, pc, op, a, rb, rhs);
        }
        OpCode::ADDI => arith(b, pc, op, a, rb, Rhs::Int(ins::sc(i) as i64)),
        OpCode::MOD | OpCode::IDIV | OpCode::MODK | OpCode::IDIVK => {
            // integers only (floats and zero divisors exit: the interpreter
            // raises "attempt to perform 'n%%0'")
            let divisor = match op {
                OpCode::MOD | OpCode::IDIV => None,
                _ => match b.p.consts.get(cc as usize) {
                    Some(ConstKind::Int(k)) => Some(*k),
                    _ => {
                        // a float divisor: no native form
                        b.exit_resume(pc);
                        return false;
                    }
                },
            };
            let fail = b.fail(pc);
            let (minus1, exact, done) = (b.local(), b.local(), b.local());
            b.guard_tag(rb, TINT, fail);
            match divisor {
                None => {
                    b.guard_tag(cc, TINT, fail);
                    b.load_val(R2, cc);
                }
                Some(k) => b.op(Op::Mov {
                    dst: R2,
                    src: Imm(k),
                }),
            }
            let is_mod = matches!(op, OpCode::MOD | OpCode::MODK);
            b.br(Cond::Eq, Operand::Reg(R2), Imm(0), fail);
            b.br(Cond::Eq, Operand::Reg(R2), Imm(-1), minus1);
            b.load_val(R0, rb);
            b.op(Op::DivRem {
                quot: R0,
                rem: R1,
                a: R0,
                b: R2,
            });
            // floor the truncated result: a non-zero remainder whose sign
            // differs from the divisor's
            b.br(Cond::Eq, Operand::Reg(R1), Imm(0), exact);
            b.alu(AluOp::Xor, R3, R1, Operand::Reg(R2));
            b.br(Cond::Ge, Operand::Reg(R3), Imm(0), exact);
            if is_mod {
                b.alu(AluOp::Add, R1, R1, Operand::Reg(R2));
            } else {
                b.alu(AluOp::Sub, R0, R0, Imm(1));
            }
            b.label(exact);
            b.op(Op::Store {
                slot: a,
                src: if is_mod { R1 } else { R0 },
            });
            b.op(Op::SetTag { slot: a, tag: TINT });
            b.jump(done);
            // x % -1 == 0 and x // -1 == -x (wrapping), without the
            // division's overflow trap
            b.label(minus1);
            if is_mod {
                b.op(Op::SetImm {
                    slot: a,
                    bits: 0,
                    tag: TINT,
                });
            } else {
                b.load_val(R0, rb);
                b.op(Op::Neg { dst: R0, src: R0 });
                b.store(a, R0, TINT);
            }
            b.label(done);
        }
        OpCode::UNM => {
            let fail = b.fail(pc);
            let (fl, done) = (b.local(), b.local());
            b.guard_tag(rb, TINT, fl);
            b.load_val(R0, rb);
            b.op(Op::Neg { dst: R0, src: R0 });
            b.store(a, R0, TINT);
            b.jump(done);
            b.label(fl);
            b.guard_tag(rb, TFLOAT, fail);
            // flip the sign bit
            b.load_val(R0, rb);
            b.alu(AluOp::Xor, R0, R0, Imm(i64::MIN));
            b.store(a, R0, TFLOAT);
            b.label(done);
        }
        OpCode::NOT => {
            // falsy = nil or false (tags 0 and 1)
            let (falsy, done) = (b.local(), b.local());
            b.br(Cond::BelowEq, tag(rb), Imm(TFALSE as i64), falsy);
            b.op(Op::SetImm {
                slot: a,
                bits: 0,
                tag: TFALSE,
            });
            b.jump(done);
            b.label(falsy);
            b.op(Op::SetImm {
                slot: a,
                bits: 1,
                tag: TTRUE,
            });
            b.label(done);
        }
        OpCode::JMP => b.jump(Builder::pc_label(pc as i64 + 1 + ins::sj(i) as i64)),
        OpCode::TEST => {
            // condition: R[A] is truthy (tag > false's)
            b.cond_branch(pc, k, Cond::Above, tag(a), Imm(TFALSE as i64));
        }
        OpCode::TESTSET => {
            // if falsy(R[B]) == k then skip the jump, else R[A] = R[B] and jump
            let (target, skip) = b.jump_labels(pc);
            let falsy_is_k = if k { Cond::BelowEq } else { Cond::Above };
            b.br(falsy_is_k, tag(rb), Imm(TFALSE as i64), skip);
            b.op(Op::Copy {
                from: Addr::Slot(rb),
                to: Addr::Slot(a),
            });
            b.jump(target);
        }
        OpCode::LT | OpCode::LE => {
            let fail = b.fail(pc);
            let fl = b.local();
            b.guard_tag(a, TINT, fl);
            b.guard_tag(rb, TINT, fl);
            b.load_val(R0, a);
            let (c, fc) = if op == OpCode::LT {
                (Cond::Lt, FCond::Lt)
            } else {
                (Cond::Le, FCond::Le)
            };
            b.cond_branch(pc, k, c, Operand::Reg(R0), val(rb));
            b.label(fl);
            b.guard_tag(a, TFLOAT, fail);
            b.guard_tag(rb, TFLOAT, fail);
            b.op(Op::FLoad {
                dst: Fpr::F0,
                src: Addr::Slot(a),
            });
            b.op(Op::FLoad {
                dst: Fpr::F1,
                src: Addr::Slot(rb),
            });
            b.fcond_branch(pc, k, fc, Fpr::F0, Fpr::F1);
        }
        OpCode::EQ => {
            // same tags: integers and pointers (strings are interned) by
            // bits, floats by value, nil/false/true by the tag; different
            // tables or full userdata may have __eq, and an integer against
            // a float is exact maths: both deopt. Other different tags:
            // not equal.
            let fail = b.fail(pc);
            let (eq_t, ne_t) = b.outcome_labels(pc, k);
            let (diff, notint, other) = (b.local(), b.local(), b.local());
            b.op(Op::Load {
                dst: R0,
                src: Mem::Tag(Addr::Slot(a)),
            });
            b.op(Op::Load {
                dst: R2,
                src: Mem::Tag(Addr::Slot(rb)),
            });
            b.br(Cond::Ne, Operand::Reg(R0), Operand::Reg(R2), diff);
            b.br(Cond::Ne, Operand::Reg(R0), Imm(TINT as i64), notint);
            b.load_val(R1, a);
            b.br(Cond::Eq, Operand::Reg(R1), val(rb), eq_t);
            b.jump(ne_t);
            b.label(notint);
            b.br(Cond::Ne, Operand::Reg(R0), Imm(TFLOAT as i64), other);
            b.op(Op::FLoad {
                dst: Fpr::F0,
                src: Addr::Slot(a),
            });
            b.op(Op::FLoad {
                dst: Fpr::F1,
                src: Addr::Slot(rb),
            });
            b.op(Op::FBranch {
                cond: FCond::Eq,
                a: Fpr::F0,
                b: Fpr::F1,
                target: eq_t,
            });
            b.jump(ne_t);
            b.label(other);
            b.br(Cond::BelowEq, Operand::Reg(R0), Imm(TTRUE as i64), eq_t);
            b.load_val(R1, a);
            b.br(Cond::Eq, Operand::Reg(R1), val(rb), eq_t);
            b.br(Cond::Eq, Operand::Reg(R0), Imm(TTABLE as i64), fail);
            b.br(Cond::Eq, Operand::Reg(R0), Imm(TUSERDATA as i64), fail);
            b.jump(ne_t);
            // different tags: both numbers (int and float) deopt
            b.label(diff);
            for r in [R0, R2] {
                b.alu(AluOp::Sub, r, r, Imm(TINT as i64));
                b.br(Cond::Above, Operand::Reg(r), Imm(1), ne_t);
            }
            b.jump(fail);
        }
        OpCode::SHL | OpCode::SHR | OpCode::SHLI | OpCode::SHRI => {
            // integers only (floats with integral values and strings deopt):
            // x << y with Lua's rules (a negative y shifts right, |y| >= 64
            // gives 0; x >> y is x << -y)
            let fail = b.fail(pc);
            let (right, zero, done) = (b.local(), b.local(), b.local());
            b.guard_tag(rb, TINT, fail);
            let load_b = Op::Load {
                dst: R0,
                src: Mem::Val(Addr::Slot(rb)),
            };
            match op {
                OpCode::SHL | OpCode::SHR => {
                    b.guard_tag(cc, TINT, fail);
                    b.op(load_b);
                    b.load_val(R2, cc);
                    if op == OpCode::SHR {
                        b.op(Op::Neg { dst: R2, src: R2 });
                    }
                }
                OpCode::SHRI => {
                    b.op(load_b);
                    b.op(Op::Mov {
                        dst: R2,
                        src: Imm(-(ins::sc(i) as i64)),
                    });
                }
                _ => {
                    // SHLI: the immediate is shifted by R[B]
                    b.op(Op::Mov {
                        dst: R0,
                        src: Imm(ins::sc(i) as i64),
                    });
                    b.load_val(R2, rb);
                }
            }
            b.br(Cond::Gt, Operand::Reg(R2), Imm(63), zero);
            b.br(Cond::Lt, Operand::Reg(R2), Imm(-63), zero);
            b.br(Cond::Lt, Operand::Reg(R2), Imm(0), right);
            b.op(Op::Shl {
                dst: R0,
                a: R0,
                amount: R2,
            });
            b.jump(done);
            b.label(right);
            b.op(Op::Neg { dst: R2, src: R2 });
            b.op(Op::Shr {
                dst: R0,
                a: R0,
                amount: R2,
            });
            b.jump(done);
            b.label(zero);
            b.op(Op::Mov {
                dst: R0,
                src: Imm(0),
            });
            b.label(done);
            b.store(a, R0, TINT);
        }
        OpCode::BNOT => {
            let fail = b.fail(pc);
            b.guard_tag(rb, TINT, fail);
            b.load_val(R0, rb);
            b.op(Op::Not { dst: R0, src: R0 });
            b.store(a, R0, TINT);
        }
        OpCode::EQK => {
            // R[A] == K[B]: a number constant is an immediate (a value of the
            // other number type deopts: int/float equality is exact maths);
            // nil, boolean and string constants are compared by tag and, for
            // strings (all interned), by pointer, reading K at run time
            let (eq_t, ne_t) = b.outcome_labels(pc, k);
            let fl = b.local();
            match b.p.consts.get(rb as usize).cloned() {
                Some(ConstKind::Int(v)) => {
                    let fail = b.fail(pc);
                    b.guard_tag(a, TINT, fl);
                    b.load_val(R0, a);
                    b.br(Cond::Eq, Operand::Reg(R0), Imm(v), eq_t);
                    b.jump(ne_t);
                    b.label(fl);
                    b.br(Cond::Eq, tag(a), Imm(TFLOAT as i64), fail);
                    b.jump(ne_t);
                }
                Some(ConstKind::Float(x)) => {
                    let fail = b.fail(pc);
                    b.guard_tag(a, TFLOAT, fl);
                    b.op(Op::FLoad {
                        dst: Fpr::F0,
                        src: Addr::Slot(a),
                    });
                    b.op(Op::FBits {
                        dst: Fpr::F1,
                        bits: x.to_bits(),
                    });
                    b.op(Op::FBranch {
                        cond: FCond::Eq,
                        a: Fpr::F0,
                        b: Fpr::F1,
                        target: eq_t,
                    });
                    b.jump(ne_t);
                    b.label(fl);
                    b.br(Cond::Eq, tag(a), Imm(TINT as i64), fail);
                    b.jump(ne_t);
                }
                _ => {
                    b.op(Op::Load {
                        dst: R0,
                        src: Mem::Tag(Addr::Slot(a)),
                    });
                    b.br(
                        Cond::Ne,
                        Operand::Reg(R0),
                        Operand::Mem(Mem::Tag(Addr::Const(rb))),
                        ne_t,
                    );
                    // nil, false, true: the tag is the value
                    b.br(Cond::BelowEq, Operand::Reg(R0), Imm(TTRUE as i64), eq_t);
                    b.load_val(R0, a);
                    b.br(
                        Cond::Eq,
                        Operand::Reg(R0),
                        Operand::Mem(Mem::Val(Addr::Const(rb))),
                        eq_t,
                    );
                    b.jump(ne_t);
                }
            }
        }
        OpCode::EQI | OpCode::LTI | OpCode::LEI | OpCode::GTI | OpCode::GEI => {
            // the immediate is an integer whether or not C flags a float
            // operand: its value is the same either way
            let imm = ins::sb(i) as i64;
            let fl = b.local();
            let (c, fc) = match op {
                OpCode::EQI => (Cond::Eq, FCond::Eq),
                OpCode::LTI => (Cond::Lt, FCond::Lt),
                OpCode::LEI => (Cond::Le, FCond::Le),
                OpCode::GTI => (Cond::Gt, FCond::Gt),
                _ => (Cond::Ge, FCond::Ge),
            };
            b.guard_tag(a, TINT, fl);
            b.load_val(R0, a);
            b.cond_branch(pc, k, c, Operand::Reg(R0), Imm(imm));
            b.label(fl);
            let float_load = [
                Op::FLoad {
                    dst: Fpr::F0,
                    src: Addr::Slot(a),
                },
                Op::FBits {
                    dst: Fpr::F1,
                    bits: (imm as f64).to_bits(),
                },
            ];
            if op == OpCode::EQI {
                // any other type: not equal
                let (eq_t, ne_t) = b.outcome_labels(pc, k);
                b.guard_tag(a, TFLOAT, ne_t);
                b.ops.extend(float_load);
                b.op(Op::FBranch {
                    cond: FCond::Eq,
                    a: Fpr::F0,
                    b: Fpr::F1,
                    target: eq_t,
                });
                b.jump(ne_t);
            } else {
                let fail = b.fail(pc);
                b.guard_tag(a, TFLOAT, fail);
                b.ops.extend(float_load);
                b.fcond_branch(pc, k, fc, Fpr::F0, Fpr::F1);
            }
        }
        OpCode::FORPREP => {
            // integer loops only: init, limit and step integers, step != 0
            // (a zero step deopts: the interpreter raises the error)
            let fail = b.fail(pc);
            for r in [a, a + 1, a + 2] {
                b.guard_tag(r, TINT, fail);
            }
            let (neg, store) = (b.local(), b.local());
            let skip = Builder::pc_label(pc as i64 + 2 + ins::bx(i) as i64);
            let load = |dst, r| Op::Load {
                dst,
                src: Mem::Val(Addr::Slot(r)),
            };
            b.op(load(R0, a)); // init
            b.op(load(R2, a + 1)); // limit
            b.op(load(R3, a + 2)); // step
            b.br(Cond::Eq, Operand::Reg(R3), Imm(0), fail);
            b.br(Cond::Lt, Operand::Reg(R3), Imm(0), neg);
            // step > 0: skip if init > limit; count = (limit - init) / step
            b.br(Cond::Gt, Operand::Reg(R0), Operand::Reg(R2), skip);
            b.alu(AluOp::Sub, R4, R2, Operand::Reg(R0));
            b.op(Op::UDiv {
                dst: R0,
                a: R4,
                b: R3,
            });
            b.jump(store);
            // step < 0: skip if init < limit; count = (init - limit) /
            // (-(step + 1) + 1), unsigned (Lua 5.4's forprep)
            b.label(neg);
            b.br(Cond::Lt, Operand::Reg(R0), Operand::Reg(R2), skip);
            b.alu(AluOp::Sub, R4, R0, Operand::Reg(R2));
            b.alu(AluOp::Add, R5, R3, Imm(1));
            b.op(Op::Neg { dst: R5, src: R5 });
            b.alu(AluOp::Add, R5, R5, Imm(1));
            b.op(Op::UDiv {
                dst: R0,
                a: R4,
                b: R5,
            });
            b.label(store);
            b.op(Op::Store {
                slot: a + 1,
                src: R0,
            });
            b.op(Op::Copy {
                from: Addr::Slot(a),
                to: Addr::Slot(a + 3),
            });
        }
        OpCode::FORLOOP => {
            let fail = b.fail(pc);
            let back = Builder::pc_label(pc as i64 + 1 - ins::bx(i) as i64);
            let next = Builder::pc_label(pc as i64 + 1);
            b.guard_tag(a + 2, TINT, fail);
            b.load_val(R0, a + 1);
            b.br(Cond::Eq, Operand::Reg(R0), Imm(0), next);
            b.alu(AluOp::Sub, R0, R0, Imm(1));
            b.op(Op::Store {
                slot: a + 1,
                src: R0,
            });
            b.load_val(R0, a);
            b.alu(AluOp::Add, R0, R0, val(a + 2));
            b.op(Op::Store { slot: a, src: R0 });
            b.store(a + 3, R0, TINT);
            b.jump(back);
        }
        OpCode::RETURN0 => b.op(Op::Exit {
            word: return_word(0, 0),
        }),
        OpCode::RETURN1 => b.op(Op::Exit {
            word: return_word(a, 1),
        }),
        OpCode::RETURN if rb != 0 => {
            if k {
                // close the frame's upvalues and to-be-closed variables
                // first, keeping the results below the top
                b.call_alloc(
                    h::CLOSE,
                    vec![
                        Arg::Thread,
                        Arg::Imm(0),
                        Arg::Imm((a + rb - 1) as i64),
                        Arg::Imm(pc as i64),
                    ],
                );
            }
            b.op(Op::Exit {
                word: return_word(a, rb - 1),
            });
        }
        OpCode::CLOSE => b.call_alloc(
            h::CLOSE,
            vec![
                Arg::Thread,
                Arg::Imm(a as i64),
                Arg::Imm(u32::MAX as i64),
                Arg::Imm(pc as i64),
            ],
        ),
        OpCode::GETTABLE | OpCode::GETI | OpCode::GETFIELD | OpCode::GETTABUP => {
            // a fast path to the value's slot (R0) when there is one, copied
            // if not nil; else the helper, which may decline (exit at pc)
            let fail = b.fail(pc);
            let (slow, done) = (b.local(), b.local());
            let table = if op == OpCode::GETTABUP {
                Addr::Upval(rb)
            } else {
                Addr::Slot(rb)
            };
            let (t, out) = (Arg::Addr(table), Arg::Addr(Addr::Slot(a)));
            let (index, key) = match op {
                OpCode::GETTABLE => {
                    let generic = b.local();
                    b.guard_tag(cc, TINT, generic);
                    b.array_slot(rb, ArrayKey::Slot(cc), slow);
                    b.copy_if_present(Addr::Ptr(R0), Addr::Slot(a), slow, done);
                    b.label(slow);
                    let key = Arg::Load(Mem::Val(Addr::Slot(cc)));
                    b.call_or_fail(h::GET_INT, vec![t, key, out], fail);
                    b.jump(done);
                    b.label(generic);
                    (h::GET, Arg::Addr(Addr::Slot(cc)))
                }
                OpCode::GETI => {
                    b.array_slot(rb, ArrayKey::Const(cc as i64), slow);
                    b.copy_if_present(Addr::Ptr(R0), Addr::Slot(a), slow, done);
                    b.label(slow);
                    (h::GET_INT, Arg::Imm(cc as i64))
                }
                _ => {
                    b.field_slot(table, cc, slow);
                    b.copy_if_present(Addr::Ptr(R0), Addr::Slot(a), slow, done);
                    b.label(slow);
                    (h::GET_STR, Arg::Addr(Addr::Const(cc)))
                }
            };
            b.call_or_fail(index, vec![t, key, out], fail);
            b.label(done);
        }
        OpCode::SETTABLE | OpCode::SETI | OpCode::SETFIELD | OpCode::SETTABUP => {
            // as for the gets: the slot (R0) of a present, non-nil value is
            // overwritten in place (a nil may need __newindex)
            let fail = b.fail(pc);
            let (slow, done) = (b.local(), b.local());
            let table = if op == OpCode::SETTABUP {
                Addr::Upval(a)
            } else {
                Addr::Slot(a)
            };
            // the value: RK(C)
            let value = if k { Addr::Const(cc) } else { Addr::Slot(cc) };
            let (index, key) = match op {
                OpCode::SETTABLE => {
                    b.guard_tag(rb, TINT, slow);
                    b.array_slot(a, ArrayKey::Slot(rb), slow);
                    (h::SET, Arg::Addr(Addr::Slot(rb)))
                }
                OpCode::SETI => {
                    b.array_slot(a, ArrayKey::Const(rb as i64), slow);
                    (h::SET_INT, Arg::Imm(rb as i64))
                }
                _ => {
                    b.field_slot(table, rb, slow);
                    (h::SET_STR, Arg::Addr(Addr::Const(rb)))
                }
            };
            b.copy_if_present(value, Addr::Ptr(R0), slow, done);
            b.label(slow);
            b.call_or_fail(index, vec![Arg::Addr(table), key, Arg::Addr(value)], fail);
            b.label(done);
        }
        OpCode::LEN => {
            let fail = b.fail(pc);
            b.call_or_fail(
                h::LEN,
                vec![Arg::Addr(Addr::Slot(rb)), Arg::Addr(Addr::Slot(a))],
                fail,
            );
        }
        OpCode::SELF if k => {
            let fail = b.fail(pc);
            b.op(Op::Copy {
                from: Addr::Slot(rb),
                to: Addr::Slot(a + 1),
            });
            b.call_or_fail(
                h::SELF_STR,
                vec![
                    Arg::Thread,
                    Arg::Addr(Addr::Slot(a + 1)),
                    Arg::Addr(Addr::Const(cc)),
                    Arg::Addr(Addr::Slot(a)),
                ],
                fail,
            );
        }
        OpCode::POW | OpCode::POWK => {
            // numbers only (as doubles); the C library's pow through the
            // helper table
            let rhs_bits = if op == OpCode::POWK {
                match b.p.consts.get(cc as usize) {
                    Some(ConstKind::Int(k)) => Some((*k as f64).to_bits()),
                    Some(ConstKind::Float(x)) => Some(x.to_bits()),
                    _ => {
                        b.exit_resume(pc);
                        return false;
                    }
                }
            } else {
                None
            };
            let fail = b.fail(pc);
            b.load_num(rb, Fpr::F0, fail);
            match rhs_bits {
                None => b.load_num(cc, Fpr::F1, fail),
                Some(bits) => b.op(Op::FBits { dst: Fpr::F1, bits }),
            }
            b.op(Op::CallFloatHelper { index: h::POW });
            b.op(Op::FStore {
                dst: Addr::Slot(a),
                src: Fpr::F0,
            });
            b.op(Op::SetTag {
                slot: a,
                tag: TFLOAT,
            });
        }
        OpCode::NEWTABLE => b.call_alloc(
            h::NEWTABLE,
            vec![
                Arg::Thread,
                Arg::Imm(a as i64),
                Arg::Imm(rb as i64),
                Arg::Imm(cc as i64),
                Arg::Imm(pc as i64),
            ],
        ),
        OpCode::CLOSURE => b.call_alloc(
            h::CLOSURE,
            vec![
                Arg::Thread,
                Arg::Imm(a as i64),
                Arg::Imm(ins::bx(i) as i64),
                Arg::Imm(pc as i64),
            ],
        ),
        // CONCAT may also raise an error (status 1, like a finalizer's)
        OpCode::CONCAT => b.call_alloc(
            h::CONCAT,
            vec![
                Arg::Thread,
                Arg::Imm(a as i64),
                Arg::Imm(rb as i64),
                Arg::Imm(pc as i64),
            ],
        ),
        OpCode::EXTRAARG => {
            // operand of the instruction before it
        }
        OpCode::TFORPREP => {
            // a to-be-closed iterator state (not nil or false) needs the
            // interpreter; otherwise jump to the TFORCALL
            let target = Builder::pc_label(pc as i64 + 1 + ins::bx(i) as i64);
            let tbc = b.local();
            b.br(Cond::Above, tag(a + 3), Imm(TFALSE as i64), tbc);
            b.jump(target);
            b.label(tbc);
            b.exit_resume(pc);
        }
        OpCode::TFORCALL => {
            // R[A+4], ..., R[A+3+C] = R[A](R[A+1], R[A+2]): copy the three
            // values up, then the CALL helper with 2 arguments and C results
            for j in 0..3u32 {
                b.op(Op::Copy {
                    from: Addr::Slot(a + j),
                    to: Addr::Slot(a + 4 + j),
                });
            }
            call_via_helper(b, pc, a + 4, 3, cc + 1);
        }
        OpCode::SETLIST if rb != 0 => {
            // a fixed count of values into the array part (a count up to
            // the stack top, B = 0, needs the interpreter's top)
            let mut last = cc as i64;
            if k {
                last += ins::ax(b.p.code.get(pc + 1).copied().unwrap_or(0)) as i64 * 256;
            }
            let fail = b.fail(pc);
            b.call_or_fail(
                h::SETLIST,
                vec![
                    Arg::Addr(Addr::Slot(a)),
                    Arg::Imm(rb as i64),
                    Arg::Imm(last),
                ],
                fail,
            );
        }
        OpCode::TFORLOOP => {
            // R[A+4] (the first result) not nil: it becomes the control
            // variable, and back to the loop's header
            let header = Builder::pc_label(pc as i64 + 1 - ins::bx(i) as i64);
            let next = Builder::pc_label(pc as i64 + 1);
            b.br(Cond::Eq, tag(a + 4), Imm(TNIL as i64), next);
            b.op(Op::Copy {
                from: Addr::Slot(a + 4),
                to: Addr::Slot(a + 2),
            });
            b.jump(header);
        }
        OpCode::CALL => call_via_helper(b, pc, a, rb, cc),
        OpCode::VARARGPREP => {
            // the frame was shifted by precall; hooks are off in native code
        }
        _ => {
            b.exit_resume(pc);
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negations_and_swaps_are_involutions() {
        let all = Cond::ALL;
        for c in all {
            assert_eq!(c.negate().negate(), c);
            assert_eq!(c.swap().swap(), c);
            assert_ne!(c.negate(), c);
        }
        for (a, b) in [(1i64, 2i64), (2, 1), (3, 3), (-1, 1)] {
            for c in all {
                let holds = |c: Cond, a: i64, b: i64| match c {
                    Cond::Eq => a == b,
                    Cond::Ne => a != b,
                    Cond::Lt => a < b,
                    Cond::Le => a <= b,
                    Cond::Gt => a > b,
                    Cond::Ge => a >= b,
                    Cond::Below => (a as u64) < b as u64,
                    Cond::BelowEq => a as u64 <= b as u64,
                    Cond::Above => a as u64 > b as u64,
                    Cond::AboveEq => a as u64 >= b as u64,
                };
                assert_eq!(holds(c.negate(), a, b), !holds(c, a, b), "{c:?}");
                assert_eq!(holds(c.swap(), b, a), holds(c, a, b), "{c:?}");
            }
        }
        for c in FCond::ALL {
            assert_eq!(c.negate().negate(), c);
            assert_ne!(c.negate(), c);
        }
    }
}
