//! A human-readable dump of a [`Proto`] tree in the style of `luac -l -l`
//! (PUC Lua 5.4's `luac.c` listing): a header per function, one line per
//! instruction (`index [line] OPCODE operands ; comment`), then the
//! constants, locals and upvalues. Functions are numbered `#0`, `#1`, ... in
//! the order they are printed (preorder) where luac prints addresses.
//!
//! Pure formatting: never fails, never panics, even on malformed protos
//! (out-of-range operands print as `?`).

use std::fmt::Write;

use super::opcode::{ins, OpCode};
use super::{Constant, Proto};

/// Appends the listing of `proto` and of all its nested prototypes (in
/// preorder) to `out`.
pub fn list(proto: &Proto, out: &mut String) {
    let mut next = 0usize;
    list_function(proto, &mut next, out);
}

/// Number of prototypes in the tree rooted at `p` (itself included).
fn count(p: &Proto) -> usize {
    1 + p.protos.iter().map(count).sum::<usize>()
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn list_function(p: &Proto, next: &mut usize, out: &mut String) {
    let id = *next;
    *next += 1;
    // Numbers of the direct children, as they will be printed.
    let mut child_ids = Vec::with_capacity(p.protos.len());
    let mut n = id + 1;
    for c in &p.protos {
        child_ids.push(n);
        n += count(c);
    }
    header(p, id, out);
    for pc in 0..p.code.len() {
        instruction(p, pc, &child_ids, out);
    }
    let _ = writeln!(out, "constants ({}) for #{}:", p.constants.len(), id);
    for (i, k) in p.constants.iter().enumerate() {
        let t = match k {
            Constant::Nil => 'N',
            Constant::Boolean(_) => 'B',
            Constant::Integer(_) => 'I',
            Constant::Float(_) => 'F',
            Constant::String(_) => 'S',
        };
        let _ = writeln!(out, "\t{}\t{}\t{}", i, t, constant_text(k));
    }
    let _ = writeln!(out, "locals ({}) for #{}:", p.loc_vars.len(), id);
    for (i, v) in p.loc_vars.iter().enumerate() {
        let _ = writeln!(
            out,
            "\t{}\t{}\t{}\t{}",
            i,
            v.name,
            v.start_pc + 1,
            v.end_pc + 1
        );
    }
    let _ = writeln!(out, "upvalues ({}) for #{}:", p.upvalues.len(), id);
    for (i, u) in p.upvalues.iter().enumerate() {
        let _ = writeln!(
            out,
            "\t{}\t{}\t{}\t{}",
            i, u.name, u.in_stack as u8, u.index
        );
    }
    for c in &p.protos {
        list_function(c, next, out);
    }
}

fn header(p: &Proto, id: usize, out: &mut String) {
    let src = match p.source.as_bytes().first() {
        Some(b'@') | Some(b'=') => &p.source[1..],
        _ => "(string)",
    };
    let kind = if p.line_defined == 0 {
        "main"
    } else {
        "function"
    };
    let n = p.code.len();
    let _ = writeln!(
        out,
        "\n{} <{}:{},{}> ({} instruction{} at #{})",
        kind,
        src,
        p.line_defined,
        p.last_line_defined,
        n,
        plural(n),
        id
    );
    let _ = writeln!(
        out,
        "{}{} param{}, {} slot{}, {} upvalue{}, {} local{}, {} constant{}, {} function{}",
        p.num_params,
        if p.is_vararg { "+" } else { "" },
        plural(p.num_params as usize),
        p.max_stack_size,
        plural(p.max_stack_size as usize),
        p.upvalues.len(),
        plural(p.upvalues.len()),
        p.loc_vars.len(),
        plural(p.loc_vars.len()),
        p.constants.len(),
        plural(p.constants.len()),
        p.protos.len(),
        plural(p.protos.len())
    );
}

/// `%.14g`, as PUC prints floats (`LUAI_NUMFFORMAT`).
fn fmt_g14(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let sci = format!("{:.13e}", f);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let x: i32 = exp.parse().unwrap_or(0);
    if !(-4..14).contains(&x) {
        format!(
            "{}e{}{:02}",
            strip_zeros(mant),
            if x < 0 { '-' } else { '+' },
            x.abs()
        )
    } else {
        strip_zeros(&format!("{:.*}", (13 - x) as usize, f)).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// A constant as luac prints it (strings quoted and escaped, floats with
/// `%.14g` and a `.0` when they look like integers).
fn constant_text(k: &Constant) -> String {
    match k {
        Constant::Nil => "nil".to_string(),
        Constant::Boolean(b) => b.to_string(),
        Constant::Integer(i) => i.to_string(),
        Constant::Float(f) => {
            let mut s = fmt_g14(*f);
            if s.bytes().all(|c| c == b'-' || c.is_ascii_digit()) {
                s.push_str(".0");
            }
            s
        }
        Constant::String(bytes) => {
            let mut s = String::with_capacity(bytes.len() + 2);
            s.push('"');
            for &c in bytes {
                match c {
                    b'"' => s.push_str("\\\""),
                    b'\\' => s.push_str("\\\\"),
                    7 => s.push_str("\\a"),
                    8 => s.push_str("\\b"),
                    12 => s.push_str("\\f"),
                    b'\n' => s.push_str("\\n"),
                    b'\r' => s.push_str("\\r"),
                    b'\t' => s.push_str("\\t"),
                    11 => s.push_str("\\v"),
                    0x20..=0x7e => s.push(c as char),
                    _ => {
                        let _ = write!(s, "\\{:03}", c);
                    }
                }
            }
            s.push('"');
            s
        }
    }
}

fn k_text(p: &Proto, idx: u32) -> String {
    p.constants
        .get(idx as usize)
        .map_or_else(|| "?".to_string(), constant_text)
}

fn upval_name(p: &Proto, idx: u32) -> &str {
    p.upvalues.get(idx as usize).map_or("-", |u| {
        if u.name.is_empty() {
            "-"
        } else {
            u.name.as_str()
        }
    })
}

/// One instruction as `OPNAME operands ; comment` (the comment, with
/// constant values, upvalue names and jump targets as 1-based indices, is
/// omitted when empty), e.g. `GETTABUP 0 0 1 ; _ENV "print"`. For comments
/// in generated assembly and for debugging; `pc` out of range gives `?`.
pub fn instruction_text(proto: &Proto, pc: usize) -> String {
    let Some((name, operands, comment)) = decode(proto, pc, None) else {
        return "?".to_string();
    };
    let mut s = format!("{} {}", name, operands);
    if !comment.is_empty() {
        s.push_str(" ; ");
        s.push_str(&comment);
    }
    s.trim_end().to_string()
}

fn instruction(p: &Proto, pc: usize, child_ids: &[usize], out: &mut String) {
    let line = p
        .line_info
        .get(pc)
        .map_or_else(|| "-".to_string(), |l| l.to_string());
    let Some((name, s, comment)) = decode(p, pc, Some(child_ids)) else {
        return;
    };
    let _ = write!(out, "\t{}\t[{}]\t{:<9}\t{}", pc + 1, line, name, s);
    if !comment.is_empty() {
        let _ = write!(out, "\t; {}", comment);
    }
    out.push('\n');
}

/// Name, operands and comment of the instruction at `pc`.
fn decode(p: &Proto, pc: usize, child_ids: Option<&[usize]>) -> Option<(String, String, String)> {
    use OpCode::*;
    let i = *p.code.get(pc)?;
    let Some(op) = OpCode::from_u8(ins::op(i)) else {
        return Some((
            format!("<bad opcode {}>", ins::op(i)),
            String::new(),
            String::new(),
        ));
    };
    let (a, b, c, k) = (ins::a(i), ins::b(i), ins::c(i), ins::k(i));
    let (sb, sc, bx, sbx) = (ins::sb(i), ins::sc(i), ins::bx(i), ins::sbx(i));
    let isk = if k { "k" } else { "" };
    let extra_arg = || p.code.get(pc + 1).map_or(0, |&n| ins::ax(n));
    let mut s = String::new();
    let mut comment = String::new();
    match op {
        MOVE | UNM | BNOT | NOT | LEN | CONCAT => {
            let _ = write!(s, "{} {}", a, b);
        }
        LOADI | LOADF => {
            let _ = write!(s, "{} {}", a, sbx);
        }
        LOADK => {
            let _ = write!(s, "{} {}", a, bx);
            comment = k_text(p, bx);
        }
        LOADKX => {
            let _ = write!(s, "{}", a);
            comment = k_text(p, extra_arg());
        }
        LOADFALSE | LFALSESKIP | LOADTRUE | CLOSE | TBC | RETURN1 | VARARGPREP => {
            let _ = write!(s, "{}", a);
        }
        LOADNIL => {
            let _ = write!(s, "{} {}", a, b);
            comment = format!("{} out", b + 1);
        }
        GETUPVAL | SETUPVAL => {
            let _ = write!(s, "{} {}", a, b);
            comment = upval_name(p, b).to_string();
        }
        GETTABUP => {
            let _ = write!(s, "{} {} {}", a, b, c);
            comment = format!("{} {}", upval_name(p, b), k_text(p, c));
        }
        GETTABLE | GETI | ADD | SUB | MUL | MOD | POW | DIV | IDIV | BAND | BOR | BXOR | SHL
        | SHR => {
            let _ = write!(s, "{} {} {}", a, b, c);
        }
        GETFIELD | ADDK | SUBK | MULK | MODK | POWK | DIVK | IDIVK | BANDK | BORK | BXORK => {
            let _ = write!(s, "{} {} {}", a, b, c);
            comment = k_text(p, c);
        }
        SETTABUP => {
            let _ = write!(s, "{} {} {}{}", a, b, c, isk);
            comment = format!("{} {}", upval_name(p, a), k_text(p, b));
            if k {
                let _ = write!(comment, " {}", k_text(p, c));
            }
        }
        SETTABLE | SETI | SELF => {
            let _ = write!(s, "{} {} {}{}", a, b, c, isk);
            if k {
                comment = k_text(p, c);
            }
        }
        SETFIELD => {
            let _ = write!(s, "{} {} {}{}", a, b, c, isk);
            comment = k_text(p, b);
            if k {
                let _ = write!(comment, " {}", k_text(p, c));
            }
        }
        NEWTABLE => {
            let _ = write!(s, "{} {} {}", a, b, c);
        }
        ADDI | SHRI | SHLI => {
            let _ = write!(s, "{} {} {}", a, b, sc);
        }
        JMP => {
            let sj = ins::sj(i);
            let _ = write!(s, "{}", sj);
            comment = format!("to {}", pc as i64 + sj as i64 + 2);
        }
        EQ | LT | LE => {
            let _ = write!(s, "{} {} {}", a, b, k as u8);
        }
        EQK => {
            let _ = write!(s, "{} {} {}", a, b, k as u8);
            comment = k_text(p, b);
        }
        EQI | LTI | LEI | GTI | GEI => {
            let _ = write!(s, "{} {} {}", a, sb, k as u8);
        }
        TEST => {
            let _ = write!(s, "{} {}", a, k as u8);
        }
        TESTSET => {
            let _ = write!(s, "{} {} {}", a, b, k as u8);
        }
        CALL => {
            let _ = write!(s, "{} {} {}", a, b, c);
            let ins_ = if b == 0 {
                "all in".to_string()
            } else {
                format!("{} in", b - 1)
            };
            let outs = if c == 0 {
                "all out".to_string()
            } else {
                format!("{} out", c - 1)
            };
            comment = format!("{} {}", ins_, outs);
        }
        TAILCALL => {
            let _ = write!(s, "{} {} {}{}", a, b, c, isk);
            comment = if b == 0 {
                "all in".to_string()
            } else {
                format!("{} in", b - 1)
            };
        }
        RETURN => {
            let _ = write!(s, "{} {} {}{}", a, b, c, isk);
            comment = if b == 0 {
                "all out".to_string()
            } else {
                format!("{} out", b - 1)
            };
        }
        RETURN0 => {}
        FORLOOP | TFORLOOP => {
            let _ = write!(s, "{} {}", a, bx);
            comment = format!("to {}", pc as i64 - bx as i64 + 2);
        }
        FORPREP => {
            let _ = write!(s, "{} {}", a, bx);
            comment = format!("exit to {}", pc as i64 + bx as i64 + 3);
        }
        TFORPREP => {
            let _ = write!(s, "{} {}", a, bx);
            comment = format!("to {}", pc as i64 + bx as i64 + 2);
        }
        TFORCALL => {
            let _ = write!(s, "{} {}", a, c);
        }
        SETLIST => {
            let _ = write!(s, "{} {} {}", a, b, c);
            if k {
                comment = format!("{}", c as u64 + extra_arg() as u64 * 256);
            }
        }
        CLOSURE => {
            let _ = write!(s, "{} {}", a, bx);
            comment = match child_ids {
                Some(ids) => ids
                    .get(bx as usize)
                    .map_or_else(|| "?".to_string(), |id| format!("#{}", id)),
                None => format!("function {}", bx),
            };
        }
        VARARG => {
            let _ = write!(s, "{} {}", a, c);
            comment = if c == 0 {
                "all out".to_string()
            } else {
                format!("{} out", c - 1)
            };
        }
        EXTRAARG => {
            let _ = write!(s, "{}", ins::ax(i));
        }
    }
    Some((op.name().to_string(), s, comment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_luac() {
        assert_eq!(constant_text(&Constant::Float(1.5)), "1.5");
        assert_eq!(
            constant_text(&Constant::Float(2f64.powi(53))),
            "9.007199254741e+15"
        );
        assert_eq!(constant_text(&Constant::Float(1e100)), "1e+100");
        assert_eq!(constant_text(&Constant::Float(11.0)), "11.0");
        assert_eq!(constant_text(&Constant::Float(0.1)), "0.1");
        assert_eq!(constant_text(&Constant::Float(1e-5)), "1e-05");
        assert_eq!(constant_text(&Constant::Float(f64::INFINITY)), "inf");
        assert_eq!(constant_text(&Constant::Float(123456.789)), "123456.789");
    }

    #[test]
    fn strings_are_escaped() {
        let s = Constant::String(b"a\n\"b\0\x7f".to_vec());
        assert_eq!(constant_text(&s), "\"a\\n\\\"b\\000\\127\"");
    }
}
