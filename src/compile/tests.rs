//! Compiler tests for expressions: instruction sequences (compared with
//! what `luac5.4 -l` prints, minus the `MMBIN*` and `EXTRAARG`-after-
//! `NEWTABLE` instructions this instruction set does not have), register
//! and scope behaviour, error messages (checked against `lua5.4`), limits,
//! and the structural verifier over every compiled program.

use super::*;
use crate::bytecode::listing;
use crate::bytecode::opcode::{ins, OpCode};
use crate::bytecode::{verify, Constant, Proto};
use crate::syntax;

/// Parses and compiles `src` (named by itself, as `load` does) and checks
/// the result with the verifier.
pub(super) fn comp(src: &str) -> Proto {
    let ast = syntax::parse(src.as_bytes(), src).unwrap_or_else(|e| panic!("parse error: {}", e));
    let p = compile(&ast, src).unwrap_or_else(|e| panic!("compile error: {}", e));
    if let Err(e) = verify(&p) {
        let mut s = String::new();
        listing::list(&p, &mut s);
        panic!("verify: {}\n{}", e, s);
    }
    p
}

/// The compile error message for `src`.
pub(super) fn comp_err(src: &str) -> String {
    let ast = syntax::parse(src.as_bytes(), src).unwrap_or_else(|e| panic!("parse error: {}", e));
    match compile(&ast, src) {
        Ok(_) => panic!("expected a compile error for {:?}", src),
        Err(e) => e.message,
    }
}

/// The code of `p` as `OPNAME operands` lines (no comments).
pub(super) fn code(p: &Proto) -> Vec<String> {
    (0..p.code.len())
        .map(|pc| {
            let t = listing::instruction_text(p, pc);
            t.split(" ; ").next().unwrap_or("").trim_end().to_string()
        })
        .collect()
}

/// Asserts the code of `p` (as [`code`]) equals `expected`.
pub(super) fn assert_code(p: &Proto, expected: &[&str]) {
    let got = code(p);
    if got != expected {
        let mut s = String::new();
        listing::list(p, &mut s);
        panic!(
            "code mismatch\n got: {:#?}\nwant: {:#?}\n{}",
            got, expected, s
        );
    }
}

pub(super) fn ops(p: &Proto) -> Vec<OpCode> {
    p.code.iter().map(|&i| ins::opcode(i)).collect()
}

// ----- expressions -----

#[test]
fn global_plus_immediate() {
    let p = comp("local a = b + 1");
    assert_code(
        &p,
        &["VARARGPREP 0", "GETTABUP 0 0 0", "ADDI 0 0 1", "RETURN0"],
    );
    assert_eq!(p.constants, vec![Constant::String(b"b".to_vec())]);
    assert_eq!(p.upvalues.len(), 1);
    assert_eq!(
        (
            p.upvalues[0].name.as_str(),
            p.upvalues[0].in_stack,
            p.upvalues[0].index
        ),
        ("_ENV", true, 0)
    );
    assert!(p.is_vararg);
    assert_eq!(p.source, "local a = b + 1");
}

#[test]
fn arithmetic_forms() {
    let p = comp(
        "local x = ... local a, b, c, d, e, f = x + 128, x + 129, x + 1.0, x - 1, x * 2, x // 0",
    );
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "VARARG 0 2",
            "ADDI 1 0 128",
            "ADDK 2 0 0",
            "ADDK 3 0 1",
            "SUBK 4 0 2",
            "MULK 5 0 3",
            "IDIVK 6 0 4",
            "RETURN0",
        ],
    );
    assert_eq!(
        p.constants,
        vec![
            Constant::Integer(129),
            Constant::Float(1.0),
            Constant::Integer(1),
            Constant::Integer(2),
            Constant::Integer(0)
        ]
    );
}

#[test]
fn constant_on_the_left_is_flipped() {
    // `k + x` and `k * x` compute `x op k` with the k flag set, so the
    // metamethod fallback can restore the source order.
    let p = comp("local x = ... local a = 1 + x local b = 2 * x local c = 1 - x");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "VARARG 0 2",
            "ADDI 1 0 1",
            "MULK 2 0 0",
            "LOADI 3 1",
            "SUB 3 3 0",
            "RETURN0",
        ],
    );
    use crate::bytecode::ins;
    assert!(ins::k(p.code[2]) && ins::k(p.code[3]));
}

#[test]
fn float_immediates_in_comparisons() {
    let p = comp("local x = ... if x <= 4.0 then x = 1 end if 2.0 < x then x = 2 end");
    use crate::bytecode::{ins, OpCode};
    let lei = p
        .code
        .iter()
        .find(|&&i| ins::opcode(i) == OpCode::LEI)
        .expect("LEI");
    assert_eq!((ins::sb(*lei), ins::c(*lei)), (4, 1));
    let gti = p
        .code
        .iter()
        .find(|&&i| ins::opcode(i) == OpCode::GTI)
        .expect("GTI");
    assert_eq!((ins::sb(*gti), ins::c(*gti)), (2, 1));
}

#[test]
fn shifts_and_bitwise() {
    let p = comp("local x = ... local a, b, c, d, e = 1 << x, x << 1, x >> 1, x & 3, x | 1.5");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "VARARG 0 2",
            "SHLI 1 0 1",
            "LOADI 2 1",
            "SHL 2 0 2",
            "SHRI 3 0 1",
            "BANDK 4 0 0",
            "LOADK 5 1",
            "BOR 5 0 5",
            "RETURN0",
        ],
    );
}

#[test]
fn constant_folding() {
    let p = comp(
        "return 2^53, 10 // 3, 7 % -3, 1 << 63, ~0, -(-9223372036854775807 - 1), 3 & 1.0, 2.5 * 2",
    );
    assert_eq!(
        p.constants,
        vec![
            Constant::Float(9007199254740992.0),
            Constant::Integer(i64::MIN)
        ],
        "{:?}",
        code(&p)
    );
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADK 0 0",
            "LOADI 1 3",
            "LOADI 2 -2",
            "LOADK 3 1",
            "LOADI 4 -1",
            "LOADK 5 1",
            "LOADI 6 1",
            "LOADF 7 5",
            "RETURN 0 9 0",
            "RETURN0",
        ],
    );
}

#[test]
fn no_folding_of_errors_nan_and_negative_zero() {
    let p = comp("return 1 // 0, 1 % 0, 0/0, -0.0, 1.5 & 1, 1 / 0");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADI 0 1",
            "IDIVK 0 0 0",
            "LOADI 1 1",
            "MODK 1 1 0",
            "LOADI 2 0",
            "DIVK 2 2 0",
            "LOADF 3 0",
            "UNM 3 3",
            "LOADK 4 2",
            "BANDK 4 4 1",
            "LOADI 5 1",
            "DIVK 5 5 0",
            "RETURN 0 7 0",
            "RETURN0",
        ],
    );
}

#[test]
fn loads_of_constants() {
    let p = comp("local a, b, c, d, e, f, g = 65536, 65537, -65535, -65536, 1.0, 1.5, 'x'");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADI 0 65536",
            "LOADK 1 0",
            "LOADI 2 -65535",
            "LOADK 3 1",
            "LOADF 4 1",
            "LOADK 5 2",
            "LOADK 6 3",
            "RETURN0",
        ],
    );
    // 1 and 1.0 are distinct constants; equal values are shared.
    let p =
        comp("local t = {} t[1.5], t[2^53], t['k'], t[2^53] = 1.5, 'k', 2^53, 9007199254740992");
    let floats = p
        .constants
        .iter()
        .filter(|k| matches!(k, Constant::Float(_)))
        .count();
    let ints = p
        .constants
        .iter()
        .filter(|k| matches!(k, Constant::Integer(_)))
        .count();
    assert_eq!((floats, ints), (2, 1), "{:?}", p.constants);
}

#[test]
fn comparisons() {
    let p = comp("local a, b = ... return a > b, a > 1, 1 < a, a >= 2.5, a == 'x', a == 1, a ~= 1.0, nil == a");
    let c = code(&p);
    let tests: Vec<&str> = c
        .iter()
        .filter(|l| {
            ["LT", "LE", "GT", "GE", "EQ"]
                .iter()
                .any(|o| l.starts_with(o))
        })
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        tests,
        [
            "LT 1 0 1",
            "GTI 0 1 1",
            "GTI 0 1 1",
            "LE 5 0 1",
            "EQK 0 1 1",
            "EQI 0 1 1",
            "EQK 0 2 0",
            "EQK 0 3 1"
        ]
    );
}

#[test]
fn and_or_value_semantics() {
    let p = comp("local a, b = ... local c = a and b or 3");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "VARARG 0 3",
            "TEST 0 0",
            "JMP 2",
            "TESTSET 2 1 1",
            "JMP 1",
            "LOADI 2 3",
            "RETURN0",
        ],
    );
    let p = comp("local a, b = ... local c = not (a and b)");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "VARARG 0 3",
            "TEST 0 0",
            "JMP 3",
            "NOT 2 1",
            "JMP 2",
            "LFALSESKIP 2",
            "LOADTRUE 2",
            "RETURN0",
        ],
    );
}

#[test]
fn comparison_as_value() {
    let p = comp("local a = ... local c = a == 'x'");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "VARARG 0 2",
            "EQK 0 0 1",
            "JMP 1",
            "LFALSESKIP 1",
            "LOADTRUE 1",
            "RETURN0",
        ],
    );
}

#[test]
fn concat_chain_is_one_instruction() {
    let p = comp("local a, b, c = ... local s = a .. b .. c .. 'x'");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "VARARG 0 4",
            "MOVE 3 0",
            "MOVE 4 1",
            "MOVE 5 2",
            "LOADK 6 0",
            "CONCAT 3 4",
            "RETURN0",
        ],
    );
}

#[test]
fn indexing_forms() {
    let long = "k".repeat(41);
    let src = format!(
        "local t = ... return t.x, t[1], t[255], t[256], t[-1], t['{}'], t[t]",
        long
    );
    let p = comp(&src);
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "VARARG 0 2",
            "GETFIELD 1 0 0",
            "GETI 2 0 1",
            "GETI 3 0 255",
            "LOADI 4 256",
            "GETTABLE 4 0 4",
            "LOADI 5 -1",
            "GETTABLE 5 0 5",
            "LOADK 6 1",
            "GETTABLE 6 0 6",
            "GETTABLE 7 0 0",
            "RETURN 1 8 0",
            "RETURN0",
        ],
    );
}

#[test]
fn field_keys_beyond_255_constants_use_registers() {
    // 300 distinct constants first, then a global access.
    let mut src = String::from("local t = {");
    for i in 0..300 {
        src.push_str(&format!("'s{}',", i));
    }
    src.push_str("} return zz, t.yy");
    let p = comp(&src);
    let c = code(&p);
    let n = c.len();
    assert_eq!(
        &c[n - 7..n - 2],
        [
            "GETUPVAL 1 0",
            "LOADK 2 300",
            "GETTABLE 1 1 2",
            "LOADK 2 301",
            "GETTABLE 2 0 2"
        ]
    );
}

#[test]
fn method_calls_use_self() {
    let p = comp("local o = ... o:m(1, 2)");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "VARARG 0 2",
            "SELF 1 0 0k",
            "LOADI 3 1",
            "LOADI 4 2",
            "CALL 1 4 1",
            "RETURN0",
        ],
    );
}

#[test]
fn multiple_results() {
    let p = comp("local a, b, c = f() g(f()) local d = (f()) return f()");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "GETTABUP 0 0 0",
            "CALL 0 1 4",
            "GETTABUP 3 0 1",
            "GETTABUP 4 0 0",
            "CALL 4 1 0",
            "CALL 3 0 1",
            "GETTABUP 3 0 0",
            "CALL 3 1 2",
            "GETTABUP 4 0 0",
            "TAILCALL 4 1 0",
            "RETURN 4 0 0",
            "RETURN0",
        ],
    );
    let p = comp("return (f())");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "GETTABUP 0 0 0",
            "CALL 0 1 2",
            "RETURN1 0",
            "RETURN0",
        ],
    );
}

#[test]
fn varargs() {
    let p = comp("local function f(a, ...) local b, c = ... return ... end");
    let f = &p.protos[0];
    assert_eq!((f.num_params, f.is_vararg), (1, true));
    assert_code(
        f,
        &[
            "VARARGPREP 1",
            "VARARG 1 3",
            "VARARG 3 0",
            "RETURN 3 0 0",
            "RETURN0",
        ],
    );
    let p = comp("local t = {...} local n = select('#', ...)");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "NEWTABLE 0 0 0",
            "VARARG 1 0",
            "SETLIST 0 0 0",
            "GETTABUP 1 0 0",
            "LOADK 2 1",
            "VARARG 3 0",
            "CALL 1 0 2",
            "RETURN0",
        ],
    );
}

#[test]
fn table_constructor_batches() {
    let items: Vec<String> = (1..=120).map(|i| i.to_string()).collect();
    let p = comp(&format!("local t = {{{}, x = 1, f()}}", items.join(",")));
    let setlists: Vec<String> = code(&p)
        .into_iter()
        .filter(|l| l.starts_with("SETLIST"))
        .collect();
    assert_eq!(
        setlists,
        ["SETLIST 0 50 0", "SETLIST 0 50 50", "SETLIST 0 0 100"]
    );
    assert!(code(&p).iter().any(|l| l == "NEWTABLE 0 1 120"));
    // Past 255 stored items the count continues in EXTRAARG.
    let items: Vec<String> = (1..=320).map(|i| i.to_string()).collect();
    let p = comp(&format!("local t = {{{}}}", items.join(",")));
    let c = code(&p);
    let i = c
        .iter()
        .position(|l| l == "SETLIST 0 20 44")
        .expect("SETLIST with k");
    assert_eq!(c[i + 1], "EXTRAARG 1");
    assert!(c.iter().any(|l| l == "NEWTABLE 0 0 255"));
}

#[test]
fn closures_and_upvalues() {
    let p = comp("local a local function f() local b return function() return a, b, c end end");
    let f = &p.protos[0];
    let g = &f.protos[0];
    let up = |p: &Proto| {
        p.upvalues
            .iter()
            .map(|u| (u.name.clone(), u.in_stack, u.index))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        up(f),
        [("a".to_string(), true, 0), ("_ENV".to_string(), false, 0)]
    );
    assert_eq!(
        up(g),
        [
            ("a".to_string(), false, 0),
            ("b".to_string(), true, 0),
            ("_ENV".to_string(), false, 1)
        ]
    );
    assert_code(
        g,
        &[
            "GETUPVAL 0 0",
            "GETUPVAL 1 1",
            "GETTABUP 2 2 0",
            "RETURN 0 4 0",
            "RETURN0",
        ],
    );
    // `a` is captured: the main function's returns close upvalues.
    assert_eq!(code(&p).last().map(String::as_str), Some("RETURN 2 1 0k"));
}

#[test]
fn local_env_redirects_globals() {
    let p = comp("local _ENV = {} x = 1 return y");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "NEWTABLE 0 0 0",
            "SETFIELD 0 0 1k",
            "GETFIELD 1 0 2",
            "RETURN1 1",
            "RETURN0",
        ],
    );
    let p = comp("local function f(_ENV) return z end");
    assert_code(&p.protos[0], &["GETFIELD 1 0 0", "RETURN1 1", "RETURN0"]);
}

#[test]
fn local_scoping() {
    // `local x = x` reads the outer x; locals get the lowest registers.
    let p = comp("local x = 1 do local x = x + 1 local y = x end local z = x");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADI 0 1",
            "ADDI 1 0 1",
            "MOVE 2 1",
            "MOVE 1 0",
            "RETURN0",
        ],
    );
    let names: Vec<(&str, u32, u32)> = p
        .loc_vars
        .iter()
        .map(|v| (v.name.as_str(), v.start_pc, v.end_pc))
        .collect();
    assert_eq!(names, [("x", 2, 6), ("x", 3, 4), ("y", 4, 4), ("z", 5, 6)]);
    assert_eq!(p.local_name(1, 3), Some("x"));
    assert_eq!(p.local_name(2, 3), Some("x"));
}

#[test]
fn local_function_sees_itself() {
    let p = comp("local function f(n) return f(n) end");
    assert_code(&p, &["VARARGPREP 0", "CLOSURE 0 0", "RETURN 1 1 0k"]);
    assert_code(
        &p.protos[0],
        &[
            "GETUPVAL 1 0",
            "MOVE 2 0",
            "TAILCALL 1 2 0",
            "RETURN 1 0 0",
            "RETURN0",
        ],
    );
    assert_eq!((p.loc_vars[0].start_pc, p.loc_vars[0].end_pc), (2, 3));
}

#[test]
fn multiple_assignment_order_and_conflicts() {
    // All values first, then stores right to left; `t[a]` uses a copy of `a`.
    let p = comp("local a, t = 1, {} t[a], a = 10, 20");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADI 0 1",
            "NEWTABLE 1 0 0",
            "MOVE 2 0",
            "LOADI 3 10",
            "LOADI 0 20",
            "SETTABLE 1 2 3",
            "RETURN0",
        ],
    );
    let p = comp("local t = {} t.x, t = 1, 2");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "NEWTABLE 0 0 0",
            "MOVE 1 0",
            "LOADI 2 1",
            "LOADI 0 2",
            "SETFIELD 1 0 2",
            "RETURN0",
        ],
    );
    let p = comp("a, b, c = f()");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "GETTABUP 0 0 3",
            "CALL 0 1 4",
            "SETTABUP 0 2 2",
            "SETTABUP 0 1 1",
            "SETTABUP 0 0 0",
            "RETURN0",
        ],
    );
    let p = comp("local a, b = 1");
    assert_code(&p, &["VARARGPREP 0", "LOADI 0 1", "LOADNIL 1 0", "RETURN0"]);
    let p = comp("local a, b = 1, 2, 3, f()");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADI 0 1",
            "LOADI 1 2",
            "LOADI 2 3",
            "GETTABUP 3 0 0",
            "CALL 3 1 1",
            "RETURN0",
        ],
    );
}

#[test]
fn upvalue_table_conflict() {
    let p = comp("local t = {} function g() t.x, t = 1, 2 end");
    assert_code(
        &p.protos[0],
        &[
            "GETUPVAL 0 0",
            "LOADI 1 1",
            "LOADI 2 2",
            "SETUPVAL 2 0",
            "SETFIELD 0 0 1",
            "RETURN0",
        ],
    );
}

#[test]
fn nil_loads_merge() {
    let p = comp("local a local b, c local d");
    assert_code(&p, &["VARARGPREP 0", "LOADNIL 0 3", "RETURN0"]);
}
