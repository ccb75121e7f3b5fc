//! A structural checker for [`Proto`] trees: everything the interpreter and
//! the JIT assume about compiled code without checking it at run time.
//!
//! Checked, for every prototype: valid opcodes; every register operand
//! (including the ranges of `CALL`, `RETURN`, `CONCAT`, `LOADNIL`, loops and
//! `SETLIST`) below `max_stack_size`; constant, upvalue and nested-proto
//! indices in range, with the constant kinds the opcodes require (string
//! keys for the field forms, numbers for arithmetic K forms, integers for
//! bitwise ones); jump targets inside the code; every test followed by a
//! `JMP`; `EXTRAARG` exactly after `LOADKX` / `SETLIST` with k; loops
//! paired (`FORPREP`/`FORLOOP`, `TFORPREP`/`TFORCALL`/`TFORLOOP`); "up to
//! top" operands preceded by an instruction that sets top; `VARARGPREP`
//! first in (and only in) vararg functions; no falling off the end of the
//! code; line info and local-variable ranges consistent; upvalue
//! descriptors valid against the enclosing function.
//!
//! Iterative over the proto tree (no recursion); never panics.

use super::opcode::{ins, OpCode};
use super::{Constant, Proto};

/// Checks `proto` and all nested prototypes. Errors name the function (by
/// its `line_defined`), the 1-based instruction index and the problem.
pub fn verify(proto: &Proto) -> Result<(), String> {
    let mut stack: Vec<(&Proto, Option<&Proto>)> = vec![(proto, None)];
    while let Some((p, parent)) = stack.pop() {
        check_proto(p, parent)
            .map_err(|e| format!("function at line {}: {}", p.line_defined, e))?;
        for c in &p.protos {
            stack.push((c, Some(p)));
        }
    }
    Ok(())
}

fn check_proto(p: &Proto, parent: Option<&Proto>) -> Result<(), String> {
    let n = p.code.len();
    if n == 0 {
        return Err("empty code".into());
    }
    if p.line_info.len() != n {
        return Err(format!(
            "{} line entries for {} instructions",
            p.line_info.len(),
            n
        ));
    }
    if (p.num_params as u32) > p.max_stack_size as u32 {
        return Err("parameters exceed the frame".into());
    }
    for (i, lv) in p.loc_vars.iter().enumerate() {
        if lv.start_pc > lv.end_pc || lv.end_pc as usize > n {
            return Err(format!(
                "local {} ('{}') has range {}..{}",
                i, lv.name, lv.start_pc, lv.end_pc
            ));
        }
    }
    if let Some(parent) = parent {
        for (i, u) in p.upvalues.iter().enumerate() {
            let ok = if u.in_stack {
                (u.index as u32) < parent.max_stack_size as u32
            } else {
                (u.index as usize) < parent.upvalues.len()
            };
            if !ok {
                return Err(format!(
                    "upvalue {} ('{}') refers to a missing slot",
                    i, u.name
                ));
            }
        }
    }
    let last = ins::opcode(p.code[n - 1]);
    if !matches!(
        last,
        OpCode::RETURN | OpCode::RETURN0 | OpCode::RETURN1 | OpCode::JMP
    ) {
        return Err("code may run past its end".into());
    }
    for pc in 0..n {
        check_instruction(p, pc).map_err(|e| format!("instruction {}: {}", pc + 1, e))?;
    }
    Ok(())
}

/// Does this instruction read `top` (an "up to top" operand)? Jumps may not
/// land on one: its operand count comes from the instruction before it.
fn uses_top(i: u32) -> bool {
    matches!(
        ins::opcode(i),
        OpCode::CALL | OpCode::TAILCALL | OpCode::RETURN | OpCode::SETLIST
    ) && ins::b(i) == 0
}

/// Does the instruction at `pc` set `top` for a following "up to top" use?
fn sets_top(p: &Proto, pc: usize) -> bool {
    let i = p.code[pc];
    match ins::opcode(i) {
        OpCode::CALL | OpCode::VARARG => ins::c(i) == 0,
        OpCode::TAILCALL => true,
        _ => false,
    }
}

fn check_instruction(p: &Proto, pc: usize) -> Result<(), String> {
    use OpCode::*;
    let n = p.code.len();
    let i = p.code[pc];
    let Some(op) = OpCode::from_u8(ins::op(i)) else {
        return Err(format!("invalid opcode {}", ins::op(i)));
    };
    let max = p.max_stack_size as u64;
    let (a, b, c, k) = (
        ins::a(i) as u64,
        ins::b(i) as u64,
        ins::c(i) as u64,
        ins::k(i),
    );
    let bx = ins::bx(i) as u64;
    let nk = p.constants.len() as u64;
    let nup = p.upvalues.len() as u64;
    let reg = |r: u64| -> Result<(), String> {
        if r < max {
            Ok(())
        } else {
            Err(format!(
                "{}: register {} outside a frame of {}",
                op.name(),
                r,
                max
            ))
        }
    };
    let konst = |x: u64| -> Result<&Constant, String> {
        p.constants
            .get(x as usize)
            .ok_or_else(|| format!("{}: constant {} of {}", op.name(), x, nk))
    };
    let kstr = |x: u64| -> Result<(), String> {
        match konst(x)? {
            Constant::String(_) => Ok(()),
            _ => Err(format!("{}: constant {} is not a string", op.name(), x)),
        }
    };
    let upval = |x: u64| -> Result<(), String> {
        if x < nup {
            Ok(())
        } else {
            Err(format!("{}: upvalue {} of {}", op.name(), x, nup))
        }
    };
    let rk = |x: u64| -> Result<(), String> {
        if k {
            konst(x).map(|_| ())
        } else {
            reg(x)
        }
    };
    let target = |t: i64| -> Result<usize, String> {
        if (0..n as i64).contains(&t)
            && ins::opcode(p.code[t as usize]) != EXTRAARG
            && !uses_top(p.code[t as usize])
        {
            Ok(t as usize)
        } else {
            Err(format!("{}: jump to {} outside the code", op.name(), t + 1))
        }
    };
    let next_is = |want: OpCode| -> Result<u32, String> {
        match p.code.get(pc + 1) {
            Some(&j) if ins::opcode(j) == want => Ok(j),
            _ => Err(format!("{} must be followed by {}", op.name(), want.name())),
        }
    };
    // an "up to top" operand must start at or below where the previous
    // instruction's results start, so `top - first` cannot underflow
    let top_before = || -> Result<(), String> {
        let first = a + if op == RETURN { 0 } else { 1 };
        if pc > 0 && sets_top(p, pc - 1) && first <= ins::a(p.code[pc - 1]) as u64 {
            Ok(())
        } else {
            Err(format!(
                "{}: 'up to top' operand without a preceding open call or vararg",
                op.name()
            ))
        }
    };
    match op {
        MOVE | UNM | BNOT | NOT | LEN => {
            reg(a)?;
            reg(b)?;
        }
        LOADI | LOADF | LOADFALSE | LOADTRUE | NEWTABLE | RETURN1 | TBC => reg(a)?,
        LFALSESKIP => {
            reg(a)?;
            target(pc as i64 + 2)?;
        }
        LOADK => {
            reg(a)?;
            konst(bx)?;
        }
        LOADKX => {
            reg(a)?;
            let x = next_is(EXTRAARG)?;
            konst(ins::ax(x) as u64)?;
        }
        LOADNIL => reg(a + b)?,
        GETUPVAL | SETUPVAL => {
            reg(a)?;
            upval(b)?;
        }
        GETTABUP => {
            reg(a)?;
            upval(b)?;
            kstr(c)?;
        }
        GETTABLE | ADD | SUB | MUL | MOD | POW | DIV | IDIV | BAND | BOR | BXOR | SHL | SHR => {
            reg(a)?;
            reg(b)?;
            reg(c)?;
        }
        GETI | ADDI | SHRI | SHLI => {
            reg(a)?;
            reg(b)?;
        }
        GETFIELD => {
            reg(a)?;
            reg(b)?;
            kstr(c)?;
        }
        SETTABUP => {
            upval(a)?;
            kstr(b)?;
            rk(c)?;
        }
        SETTABLE => {
            reg(a)?;
            reg(b)?;
            rk(c)?;
        }
        SETI => {
            reg(a)?;
            rk(c)?;
        }
        SETFIELD => {
            reg(a)?;
            kstr(b)?;
            rk(c)?;
        }
        SELF => {
            reg(a + 1)?;
            reg(b)?;
            if k {
                kstr(c)?;
            } else {
                reg(c)?;
            }
        }
        ADDK | SUBK | MULK | MODK | POWK | DIVK | IDIVK => {
            reg(a)?;
            reg(b)?;
            if !matches!(konst(c)?, Constant::Integer(_) | Constant::Float(_)) {
                return Err(format!("{}: constant {} is not a number", op.name(), c));
            }
        }
        BANDK | BORK | BXORK => {
            reg(a)?;
            reg(b)?;
            if !matches!(konst(c)?, Constant::Integer(_)) {
                return Err(format!("{}: constant {} is not an integer", op.name(), c));
            }
        }
        CONCAT => {
            if b < 2 {
                return Err("CONCAT of fewer than 2 values".into());
            }
            reg(a + b - 1)?;
        }
        CLOSE => {
            if a > max {
                return Err(format!("CLOSE: register {} outside a frame of {}", a, max));
            }
        }
        JMP => {
            target(pc as i64 + 1 + ins::sj(i) as i64)?;
        }
        EQ | LT | LE | TESTSET => {
            reg(a)?;
            reg(b)?;
            next_is(JMP)?;
        }
        EQK => {
            reg(a)?;
            konst(b)?;
            next_is(JMP)?;
        }
        EQI | LTI | LEI | GTI | GEI | TEST => {
            reg(a)?;
            next_is(JMP)?;
        }
        CALL | TAILCALL => {
            reg(a)?;
            if b == 0 {
                top_before()?;
            } else {
                reg(a + b - 1)?;
            }
            if op == CALL && c > 1 {
                reg(a + c - 2)?;
            }
            if op == TAILCALL {
                next_is(RETURN)?;
            }
        }
        RETURN => {
            if b == 0 {
                top_before()?;
            } else if a + b - 1 > max {
                return Err(format!(
                    "RETURN: registers {}..{} outside a frame of {}",
                    a,
                    a + b - 2,
                    max
                ));
            }
        }
        RETURN0 => {}
        FORPREP => {
            reg(a + 3)?;
            let t = target(pc as i64 + 1 + bx as i64)?;
            let j = p.code[t];
            if ins::opcode(j) != FORLOOP || ins::a(j) as u64 != a || ins::bx(j) as u64 != bx + 1 {
                return Err("FORPREP does not match its FORLOOP".into());
            }
        }
        FORLOOP => {
            reg(a + 3)?;
            let t = target(pc as i64 + 1 - bx as i64)?;
            if t == 0 || ins::opcode(p.code[t - 1]) != FORPREP {
                return Err("FORLOOP does not return after its FORPREP".into());
            }
        }
        TFORPREP => {
            reg(a + 3)?;
            let t = target(pc as i64 + 1 + bx as i64)?;
            let j = p.code[t];
            if ins::opcode(j) != TFORCALL || ins::a(j) as u64 != a {
                return Err("TFORPREP does not jump to its TFORCALL".into());
            }
        }
        TFORCALL => {
            // The iterator is called with copies of R[A..A+2] at R[A+4..A+6].
            reg(a + 6)?;
            reg(a + 3 + c.max(1))?;
            let j = next_is(TFORLOOP)?;
            if ins::a(j) as u64 != a {
                return Err("TFORCALL does not match its TFORLOOP".into());
            }
        }
        TFORLOOP => {
            reg(a + 4)?;
            let t = target(pc as i64 + 1 - bx as i64)?;
            if t == 0 || ins::opcode(p.code[t - 1]) != TFORPREP {
                return Err("TFORLOOP does not return after its TFORPREP".into());
            }
        }
        SETLIST => {
            reg(a)?;
            if b == 0 {
                top_before()?;
            } else {
                reg(a + b)?;
            }
            if k {
                next_is(EXTRAARG)?;
            }
        }
        CLOSURE => {
            reg(a)?;
            if bx as usize >= p.protos.len() {
                return Err(format!("CLOSURE of function {} of {}", bx, p.protos.len()));
            }
        }
        VARARG => {
            if !p.is_vararg {
                return Err("VARARG in a function that is not vararg".into());
            }
            reg(a)?;
            if c > 1 {
                reg(a + c - 2)?;
            }
        }
        VARARGPREP => {
            if pc != 0 || !p.is_vararg || a != p.num_params as u64 {
                return Err("misplaced VARARGPREP".into());
            }
        }
        EXTRAARG => {
            let prev = if pc > 0 { Some(p.code[pc - 1]) } else { None };
            let ok = prev.is_some_and(|x| {
                ins::opcode(x) == LOADKX || (ins::opcode(x) == SETLIST && ins::k(x))
            });
            if !ok {
                return Err("EXTRAARG without LOADKX or SETLIST before it".into());
            }
        }
    }
    if pc == 0 && p.is_vararg && op != VARARGPREP {
        return Err("vararg function without VARARGPREP".into());
    }
    Ok(())
}
