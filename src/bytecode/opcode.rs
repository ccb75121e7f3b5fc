//! Instruction encoding and the opcode set.
//!
//! Instructions are 32-bit words in Lua 5.4's layout (PUC `lopcodes.h`, described
//! in "The Implementation of Lua 5.0" and the 5.4 sources' comments):
//!
//! ```text
//!  31      24 23      16 15 14      7 6      0
//! |    C     |    B     |k |    A    |   op   |   iABC
//! |          Bx (17 bits)  |    A    |   op   |   iABx  (sBx = Bx - 65535)
//! |          Ax (25 bits)            |   op   |   iAx
//! |          sJ (25 bits, minus 16777215)      |   op   |   isJ
//! ```
//! `sB` / `sC` are signed immediates stored as `B - 127` / `C - 127`.
//!
//! Notation in the opcode docs: `R[x]` is register x of the current frame,
//! `K[x]` constant x, `UpValue[x]` upvalue x of the running closure,
//! `RK(C)` is `K[C]` when k = 1 and `R[C]` otherwise, `pc++` skips the next
//! instruction, `top` is the top of the stack set by a previous multi-result
//! instruction (`CALL` with C = 0, `VARARG` with C = 0).
//!
//! Differences from PUC Lua 5.4, on purpose:
//! - There are no `MMBIN`/`MMBINI`/`MMBINK` instructions: each arithmetic and
//!   bitwise instruction falls back to its metamethod (§2.4) itself.
//! - `NEWTABLE` is not followed by `EXTRAARG`; its sizes are hints.
//! - `RETURN`/`TAILCALL` ignore C: the frame records how its varargs are stored.
//! - `LTI`, `LEI`, `GTI`, `GEI` have C = 1 when the immediate stands for a
//!   float constant (metamethods then receive a float); `EQI` is integer-only.
//! - `ADDI`, `ADDK` and `MULK` have k = 1 when the compiler swapped the
//!   operands of a commutative `k + x` / `k * x`: the result is the same, and
//!   the metamethod fallback receives the operands in source order.

/// One 32-bit instruction.
pub type Instruction = u32;

/// Largest value of the 8-bit A, B and C fields.
pub const MAXARG_A: u32 = 255;
pub const MAXARG_B: u32 = 255;
pub const MAXARG_C: u32 = 255;
/// Largest unsigned Bx (17 bits).
pub const MAXARG_BX: u32 = (1 << 17) - 1;
/// Offset of the signed sBx field.
pub const OFFSET_SBX: i32 = (MAXARG_BX >> 1) as i32;
/// Largest Ax (25 bits).
pub const MAXARG_AX: u32 = (1 << 25) - 1;
/// Offset of the signed sJ field.
pub const OFFSET_SJ: i32 = (MAXARG_AX >> 1) as i32;
/// Offset of the signed 8-bit sB / sC fields.
pub const OFFSET_SC: i32 = 127;

macro_rules! opcodes {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// The opcodes. Each variant's doc gives its exact semantics; the
        /// interpreter (`interp`) and the JIT lowering implement exactly these.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        #[allow(clippy::upper_case_acronyms)]
        pub enum OpCode {
            $( $(#[$doc])* $name, )*
        }

        impl OpCode {
            /// All opcodes in numeric order.
            pub const ALL: &'static [OpCode] = &[ $( OpCode::$name, )* ];

            /// The opcode's name as `luac -l` prints it (e.g. `"GETTABUP"`).
            pub fn name(self) -> &'static str {
                match self { $( OpCode::$name => stringify!($name), )* }
            }
        }
    };
}

opcodes! {
    /// `MOVE A B`: R[A] := R[B]
    MOVE,
    /// `LOADI A sBx`: R[A] := sBx (integer)
    LOADI,
    /// `LOADF A sBx`: R[A] := (float) sBx
    LOADF,
    /// `LOADK A Bx`: R[A] := K[Bx]
    LOADK,
    /// `LOADKX A`: R[A] := K[extra arg]; the next instruction is `EXTRAARG Ax`
    LOADKX,
    /// `LOADFALSE A`: R[A] := false
    LOADFALSE,
    /// `LFALSESKIP A`: R[A] := false; pc++
    LFALSESKIP,
    /// `LOADTRUE A`: R[A] := true
    LOADTRUE,
    /// `LOADNIL A B`: R[A], R[A+1], ..., R[A+B] := nil (B+1 registers)
    LOADNIL,
    /// `GETUPVAL A B`: R[A] := UpValue[B]
    GETUPVAL,
    /// `SETUPVAL A B`: UpValue[B] := R[A]
    SETUPVAL,
    /// `GETTABUP A B C`: R[A] := UpValue[B][K[C]] (K[C] a string)
    GETTABUP,
    /// `GETTABLE A B C`: R[A] := R[B][R[C]]
    GETTABLE,
    /// `GETI A B C`: R[A] := R[B][C] (C an unsigned integer key)
    GETI,
    /// `GETFIELD A B C`: R[A] := R[B][K[C]] (K[C] a string)
    GETFIELD,
    /// `SETTABUP A B C k`: UpValue[A][K[B]] := RK(C) (K[B] a string)
    SETTABUP,
    /// `SETTABLE A B C k`: R[A][R[B]] := RK(C)
    SETTABLE,
    /// `SETI A B C k`: R[A][B] := RK(C) (B an unsigned integer key)
    SETI,
    /// `SETFIELD A B C k`: R[A][K[B]] := RK(C) (K[B] a string)
    SETFIELD,
    /// `NEWTABLE A B C`: R[A] := {} with room for about B hash entries and C
    /// array items (hints only, each at most 255)
    NEWTABLE,
    /// `SELF A B C k`: R[A+1] := R[B]; R[A] := R[B][RK(C)] (RK(C) a string)
    SELF,
    /// `ADDI A B sC k`: R[A] := R[B] + sC (k: source order was `sC + R[B]`)
    ADDI,
    /// `ADDK A B C k`: R[A] := R[B] + K[C] (K[C] a number; k: source order
    /// was `K[C] + R[B]`)
    ADDK,
    /// `SUBK A B C`: R[A] := R[B] - K[C] (K[C] a number)
    SUBK,
    /// `MULK A B C k`: R[A] := R[B] * K[C] (K[C] a number; k: source order
    /// was `K[C] * R[B]`)
    MULK,
    /// `MODK A B C`: R[A] := R[B] % K[C] (K[C] a number)
    MODK,
    /// `POWK A B C`: R[A] := R[B] ^ K[C] (K[C] a number)
    POWK,
    /// `DIVK A B C`: R[A] := R[B] / K[C] (K[C] a number)
    DIVK,
    /// `IDIVK A B C`: R[A] := R[B] // K[C] (K[C] a number)
    IDIVK,
    /// `BANDK A B C`: R[A] := R[B] & K[C] (K[C] an integer)
    BANDK,
    /// `BORK A B C`: R[A] := R[B] | K[C] (K[C] an integer)
    BORK,
    /// `BXORK A B C`: R[A] := R[B] ~ K[C] (K[C] an integer)
    BXORK,
    /// `SHRI A B sC`: R[A] := R[B] >> sC
    SHRI,
    /// `SHLI A B sC`: R[A] := sC << R[B]
    SHLI,
    /// `ADD A B C`: R[A] := R[B] + R[C]
    ADD,
    /// `SUB A B C`: R[A] := R[B] - R[C]
    SUB,
    /// `MUL A B C`: R[A] := R[B] * R[C]
    MUL,
    /// `MOD A B C`: R[A] := R[B] % R[C]
    MOD,
    /// `POW A B C`: R[A] := R[B] ^ R[C]
    POW,
    /// `DIV A B C`: R[A] := R[B] / R[C]
    DIV,
    /// `IDIV A B C`: R[A] := R[B] // R[C]
    IDIV,
    /// `BAND A B C`: R[A] := R[B] & R[C]
    BAND,
    /// `BOR A B C`: R[A] := R[B] | R[C]
    BOR,
    /// `BXOR A B C`: R[A] := R[B] ~ R[C]
    BXOR,
    /// `SHL A B C`: R[A] := R[B] << R[C]
    SHL,
    /// `SHR A B C`: R[A] := R[B] >> R[C]
    SHR,
    /// `UNM A B`: R[A] := -R[B]
    UNM,
    /// `BNOT A B`: R[A] := ~R[B]
    BNOT,
    /// `NOT A B`: R[A] := not R[B]
    NOT,
    /// `LEN A B`: R[A] := #R[B] (length operator)
    LEN,
    /// `CONCAT A B`: R[A] := R[A] .. ... .. R[A+B-1] (B >= 2 values)
    CONCAT,
    /// `CLOSE A`: close all upvalues and to-be-closed variables >= R[A]
    CLOSE,
    /// `TBC A`: mark R[A] as a to-be-closed variable (§3.3.8); errors if the
    /// value is neither false/nil nor has a `__close` metamethod
    TBC,
    /// `JMP sJ`: pc += sJ
    JMP,
    /// `EQ A B k`: if ((R[A] == R[B]) ~= k) then pc++
    EQ,
    /// `LT A B k`: if ((R[A] < R[B]) ~= k) then pc++
    LT,
    /// `LE A B k`: if ((R[A] <= R[B]) ~= k) then pc++
    LE,
    /// `EQK A B k`: if ((R[A] == K[B]) ~= k) then pc++
    EQK,
    /// `EQI A sB k`: if ((R[A] == sB) ~= k) then pc++
    EQI,
    /// `LTI A sB k C`: if ((R[A] < sB) ~= k) then pc++ (C = 1: sB is a float)
    LTI,
    /// `LEI A sB k`: if ((R[A] <= sB) ~= k) then pc++
    LEI,
    /// `GTI A sB k`: if ((R[A] > sB) ~= k) then pc++
    GTI,
    /// `GEI A sB k`: if ((R[A] >= sB) ~= k) then pc++
    GEI,
    /// `TEST A k`: if (not R[A] == k) then pc++ (i.e. skip the next
    /// instruction unless the truthiness of R[A] equals k)
    TEST,
    /// `TESTSET A B k`: if (not R[B] == k) then pc++ else R[A] := R[B]
    TESTSET,
    /// `CALL A B C`: R[A], ..., R[A+C-2] := R[A](R[A+1], ..., R[A+B-1]).
    /// B = 0: arguments run up to top. C = 0: keep all results and set top.
    CALL,
    /// `TAILCALL A B C k`: return R[A](R[A+1], ..., R[A+B-1]) as a proper tail
    /// call; B = 0: arguments up to top. k = 1: close upvalues first. C unused.
    TAILCALL,
    /// `RETURN A B C k`: return R[A], ..., R[A+B-2]; B = 0: up to top.
    /// k = 1: close upvalues and to-be-closed variables first. C unused.
    RETURN,
    /// `RETURN0`: return no values (only when nothing needs closing)
    RETURN0,
    /// `RETURN1 A`: return R[A] (only when nothing needs closing)
    RETURN1,
    /// `FORLOOP A Bx`: numeric loop step (§3.3.5). Registers: R[A] internal
    /// index, R[A+1] limit (float loop) or remaining iteration count (integer
    /// loop), R[A+2] step, R[A+3] the visible control variable. If the loop
    /// continues: update R[A] and R[A+3] and pc -= Bx.
    FORLOOP,
    /// `FORPREP A Bx`: check and prepare a numeric loop (errors: "'for' initial
    /// value must be a number", "'for' limit must be a number", "'for' step
    /// must be a number", "'for' step is zero"); if the loop does not run,
    /// pc += Bx + 1; otherwise R[A+3] := R[A] and fall through into the body.
    FORPREP,
    /// `TFORPREP A Bx`: mark R[A+3] to-be-closed (if not nil); pc += Bx
    TFORPREP,
    /// `TFORCALL A C`: R[A+4], ..., R[A+3+C] := R[A](R[A+1], R[A+2])
    TFORCALL,
    /// `TFORLOOP A Bx`: if R[A+4] ~= nil then { R[A+2] := R[A+4]; pc -= Bx }
    TFORLOOP,
    /// `SETLIST A B C k`: R[A][C+i] := R[A+i], 1 <= i <= B. B = 0: up to top.
    /// k = 1: the next instruction is `EXTRAARG Ax` and the real C is
    /// C + Ax * 256.
    SETLIST,
    /// `CLOSURE A Bx`: R[A] := closure(the Bx-th nested prototype)
    CLOSURE,
    /// `VARARG A C`: R[A], ..., R[A+C-2] = vararg; C = 0: all, and set top
    VARARG,
    /// `VARARGPREP A`: first instruction of a vararg function with A fixed
    /// parameters: moves the fixed parameters above the varargs
    VARARGPREP,
    /// `EXTRAARG Ax`: an extra argument for the previous instruction
    EXTRAARG,
}

impl OpCode {
    /// Decodes the opcode field; `None` for an unused code.
    #[inline]
    pub fn from_u8(b: u8) -> Option<OpCode> {
        OpCode::ALL.get(b as usize).copied()
    }

    /// The instruction format this opcode uses.
    pub fn mode(self) -> OpMode {
        use OpCode::*;
        match self {
            LOADI | LOADF => OpMode::IAsBx,
            LOADK | LOADKX | FORLOOP | FORPREP | TFORPREP | TFORLOOP | CLOSURE => OpMode::IABx,
            JMP => OpMode::IsJ,
            EXTRAARG => OpMode::IAx,
            _ => OpMode::IABC,
        }
    }
}

/// The four instruction formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpMode {
    IABC,
    IABx,
    IAsBx,
    IAx,
    IsJ,
}

/// Field accessors and constructors for [`Instruction`].
pub mod ins {
    use super::*;

    #[inline(always)]
    pub fn op(i: Instruction) -> u8 {
        (i & 0x7f) as u8
    }
    #[inline(always)]
    pub fn opcode(i: Instruction) -> OpCode {
        // Every instruction in a Proto was produced by the compiler, which only
        // emits valid opcodes; fall back to EXTRAARG defensively.
        OpCode::from_u8(op(i)).unwrap_or(OpCode::EXTRAARG)
    }
    #[inline(always)]
    pub fn a(i: Instruction) -> u32 {
        (i >> 7) & 0xff
    }
    #[inline(always)]
    pub fn k(i: Instruction) -> bool {
        (i >> 15) & 1 != 0
    }
    #[inline(always)]
    pub fn b(i: Instruction) -> u32 {
        (i >> 16) & 0xff
    }
    #[inline(always)]
    pub fn c(i: Instruction) -> u32 {
        i >> 24
    }
    #[inline(always)]
    pub fn sb(i: Instruction) -> i32 {
        b(i) as i32 - OFFSET_SC
    }
    #[inline(always)]
    pub fn sc(i: Instruction) -> i32 {
        c(i) as i32 - OFFSET_SC
    }
    #[inline(always)]
    pub fn bx(i: Instruction) -> u32 {
        i >> 15
    }
    #[inline(always)]
    pub fn sbx(i: Instruction) -> i32 {
        bx(i) as i32 - OFFSET_SBX
    }
    #[inline(always)]
    pub fn ax(i: Instruction) -> u32 {
        i >> 7
    }
    #[inline(always)]
    pub fn sj(i: Instruction) -> i32 {
        (i >> 7) as i32 - OFFSET_SJ
    }

    /// The opcode of an instruction known to be valid, without a range check.
    ///
    /// # Safety
    /// `op(i)` must be the number of an `OpCode` (`< OpCode::ALL.len()`):
    /// true for every instruction the compiler emits and for every
    /// instruction of a prototype that passed `bytecode::verify`.
    #[inline(always)]
    pub unsafe fn opcode_unchecked(i: Instruction) -> OpCode {
        debug_assert!((op(i) as usize) < OpCode::ALL.len());
        // SAFETY: OpCode is repr(u8) with consecutive discriminants from 0,
        // and the caller guarantees the value is one of them.
        std::mem::transmute::<u8, OpCode>(op(i))
    }

    /// iABC. Panics in debug builds if a field is out of range.
    pub fn abc(op: OpCode, a: u32, b: u32, c: u32, k: bool) -> Instruction {
        debug_assert!(a <= MAXARG_A && b <= MAXARG_B && c <= MAXARG_C);
        (op as u32) | (a << 7) | ((k as u32) << 15) | (b << 16) | (c << 24)
    }
    /// iABx with an unsigned Bx.
    pub fn abx(op: OpCode, a: u32, bx: u32) -> Instruction {
        debug_assert!(a <= MAXARG_A && bx <= MAXARG_BX);
        (op as u32) | (a << 7) | (bx << 15)
    }
    /// iAsBx with a signed sBx.
    pub fn asbx(op: OpCode, a: u32, sbx: i32) -> Instruction {
        abx(op, a, (sbx + OFFSET_SBX) as u32)
    }
    /// iAx.
    pub fn ax_ins(op: OpCode, ax: u32) -> Instruction {
        debug_assert!(ax <= MAXARG_AX);
        (op as u32) | (ax << 7)
    }
    /// isJ with a signed jump offset.
    pub fn sj_ins(op: OpCode, sj: i32) -> Instruction {
        (op as u32) | (((sj + OFFSET_SJ) as u32) << 7)
    }
}

#[cfg(test)]
mod tests {
    use super::ins::*;
    use super::*;

    #[test]
    fn fields_round_trip() {
        let i = abc(OpCode::ADD, 200, 17, 255, true);
        assert_eq!(opcode(i), OpCode::ADD);
        assert_eq!((a(i), b(i), c(i), k(i)), (200, 17, 255, true));
        let j = asbx(OpCode::LOADI, 3, -65535);
        assert_eq!((opcode(j), a(j), sbx(j)), (OpCode::LOADI, 3, -65535));
        let s = sj_ins(OpCode::JMP, -12345);
        assert_eq!(sj(s), -12345);
        let x = ax_ins(OpCode::EXTRAARG, MAXARG_AX);
        assert_eq!(ax(x), MAXARG_AX);
    }

    #[test]
    fn opcodes_fit_seven_bits() {
        assert!(OpCode::ALL.len() <= 128);
        for (n, op) in OpCode::ALL.iter().enumerate() {
            assert_eq!(*op as usize, n);
        }
    }
}
