//! Compiler tests for statements (§3.3): loops, conditionals, gotos and
//! labels, to-be-closed and const locals, lines; error messages (checked
//! against `lua5.4`, without the parser's "near" part) and limits.

use super::tests::{assert_code, code, comp, comp_err, ops};
use super::*;
use crate::bytecode::listing;
use crate::bytecode::opcode::{ins, OpCode};
use crate::bytecode::verify;
use crate::syntax;
use crate::syntax::ast::{Block, Expr, ExprKind, FuncBody, Stat, StatKind};

// ----- statements -----

#[test]
fn numeric_for() {
    let p = comp("for i = 1, 10 do local y = function() return i end end");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADI 0 1",
            "LOADI 1 10",
            "LOADI 2 1",
            "FORPREP 0 2",
            "CLOSURE 4 0",
            "CLOSE 3",
            "FORLOOP 0 3",
            "RETURN 0 1 0k",
        ],
    );
    let names: Vec<&str> = p.loc_vars.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["(for state)", "(for state)", "(for state)", "i", "y"]
    );
}

#[test]
fn generic_for() {
    let p = comp("for k, v in pairs(t) do print(k, v) end");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "GETTABUP 0 0 0",
            "GETTABUP 1 0 1",
            "CALL 0 2 5",
            "TFORPREP 0 4",
            "GETTABUP 6 0 2",
            "MOVE 7 4",
            "MOVE 8 5",
            "CALL 6 3 1",
            "TFORCALL 0 2",
            "TFORLOOP 0 6",
            "CLOSE 0",
            "RETURN 0 1 0k",
        ],
    );
    assert!(p.max_stack_size >= 9);
}

#[test]
fn while_and_break() {
    let p = comp("local a = 0 while a < 10 do a = a + 1 if a then break end end");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADI 0 0",
            "LTI 0 10 0",
            "JMP 4",
            "ADDI 0 0 1",
            "TEST 0 1",
            "JMP 1",
            "JMP -6",
            "RETURN0",
        ],
    );
}

#[test]
fn break_closes_captured_locals() {
    let p = comp("while true do local x = 1 f = function() return x end if g then break end end");
    let c = code(&p);
    // The break (through the loop end) and the normal back edge both close x.
    assert_eq!(
        c.iter().filter(|l| l.as_str() == "CLOSE 0").count(),
        2,
        "{:#?}",
        c
    );
    let p =
        comp("for k, v in pairs(t) do local f = function() return v end if k then break end end");
    // After the loop everything from the hidden state up is closed (so the
    // to-be-closed 4th value is closed on break too).
    let c = code(&p);
    assert_eq!(c[c.len() - 2], "CLOSE 0", "{:#?}", c);
}

#[test]
fn repeat_until_sees_body_locals() {
    let p = comp("repeat local z = 1 local g = function() return z end until z");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADI 0 1",
            "CLOSURE 1 0",
            "TEST 0 0",
            "JMP 2",
            "CLOSE 0",
            "JMP 2",
            "CLOSE 0",
            "JMP -8",
            "RETURN 0 1 0k",
        ],
    );
    let p = comp("local i = 0 repeat local j = i i = i + 1 until j > 3");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADI 0 0",
            "MOVE 1 0",
            "ADDI 0 0 1",
            "GTI 1 3 0",
            "JMP -4",
            "RETURN0",
        ],
    );
}

#[test]
fn if_elseif_else() {
    let p = comp("local a = ... if a == 1 then a = 2 elseif a then a = 3 else a = 4 end");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "VARARG 0 2",
            "EQI 0 1 0",
            "JMP 2",
            "LOADI 0 2",
            "JMP 5",
            "TEST 0 0",
            "JMP 2",
            "LOADI 0 3",
            "JMP 1",
            "LOADI 0 4",
            "RETURN0",
        ],
    );
}

#[test]
fn goto_continue_and_backward_goto() {
    let p = comp(
        "for i = 1, 3 do\n local x = i\n if x == 2 then goto continue end\n local f = function() return x end\n ::continue::\nend",
    );
    assert!(code(&p).iter().any(|l| l == "CLOSE 4"));
    let p = comp("local n = 0 ::top:: do local x = n f = function() return x end n = n + 1 if n < 3 then goto top end end");
    // The backward goto leaves x's scope: CLOSE before the jump.
    let c = code(&p);
    let i = c.iter().position(|l| l == "CLOSE 1").expect("close");
    assert!(c[i + 1].starts_with("JMP -"), "{:#?}", c);
}

#[test]
fn goto_to_label_at_block_end_skips_locals() {
    // Allowed: the label is the last statement of its block.
    let p = comp("do goto l local a ::l:: end");
    assert_code(&p, &["VARARGPREP 0", "JMP 1", "LOADNIL 0 0", "RETURN0"]);
}

#[test]
fn to_be_closed_variables() {
    let p = comp("local x <close> = f() return g()");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "GETTABUP 0 0 0",
            "CALL 0 1 2",
            "TBC 0",
            "GETTABUP 1 0 1",
            "CALL 1 1 0",
            "RETURN 1 0 0k",
            "RETURN 1 1 0k",
        ],
    );
    let p = comp("do local x <close> = f() end return 1");
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "GETTABUP 0 0 0",
            "CALL 0 1 2",
            "TBC 0",
            "CLOSE 0",
            "LOADI 0 1",
            "RETURN 0 2 0k",
            "RETURN 0 1 0k",
        ],
    );
    // No tail call inside the scope of a to-be-closed variable.
    let p = comp("local x <close> = f() return g(x)");
    assert!(!ops(&p).contains(&OpCode::TAILCALL));
}

#[test]
fn const_locals_fold() {
    let p = comp(
        "local k <const> = 10 local s <const> = 'x' local n <const> = k * 2 + 1 return k + n, s",
    );
    assert_code(
        &p,
        &[
            "VARARGPREP 0",
            "LOADI 0 31",
            "LOADK 1 0",
            "RETURN 0 3 0",
            "RETURN0",
        ],
    );
    assert!(p.loc_vars.is_empty());
    // Not a literal: a read-only local in a register.
    let p = comp("local k <const> = f() return k");
    assert_eq!(p.loc_vars.len(), 1);
    // Captured compile-time constants need no upvalue.
    let p = comp("local k <const> = 3 return function() return k end");
    assert!(p.protos[0].upvalues.is_empty());
}

#[test]
fn function_statement_lines() {
    let p = comp("local t = {}\nfunction t.f()\nend\nlocal g = function()\nend");
    assert_eq!(
        code(&p),
        [
            "VARARGPREP 0",
            "NEWTABLE 0 0 0",
            "CLOSURE 1 0",
            "SETFIELD 0 0 1",
            "CLOSURE 1 1",
            "RETURN0"
        ]
    );
    assert_eq!(p.line_info, [1, 1, 3, 2, 5, 5]);
    let f = &p.protos[0];
    assert_eq!((f.line_defined, f.last_line_defined), (2, 3));
}

#[test]
fn call_and_operator_lines() {
    let p = comp("local x = f(\n1,\n2)\nlocal y = x\n+\n1");
    let lines: Vec<(String, u32)> = code(&p)
        .into_iter()
        .zip(p.line_info.iter().copied())
        .collect();
    assert!(
        lines.contains(&("CALL 0 3 2".to_string(), 1)),
        "{:?}",
        lines
    );
    assert!(
        lines.contains(&("ADDI 1 0 1".to_string(), 5)),
        "{:?}",
        lines
    );
}

#[test]
fn nested_sources_and_stack_sizes() {
    let p = comp("local function f() return function() end end");
    assert_eq!(p.protos[0].source, p.source);
    assert_eq!(p.protos[0].protos[0].source, p.source);
    assert!(p.max_stack_size >= 2 && p.protos[0].protos[0].max_stack_size >= 2);
}

// ----- errors (messages as lua5.4's, without the parser's "near") -----

#[test]
fn register_limit() {
    let names: Vec<String> = (1..=300).map(|i| format!("a{}", i)).collect();
    let src = format!("local f = function() return {}, 1 end", names.join(","));
    assert_eq!(
        comp_err(&src),
        format!(
            "{}:1: function or expression needs too many registers",
            crate::syntax::chunk_id(&src)
        )
    );
    let src = format!("f({})", names.join(","));
    assert!(comp_err(&src).ends_with("function or expression needs too many registers"));
    let src = format!("local t = {{{}}}", names.join(","));
    comp(&src);
}

#[test]
fn upvalue_limit() {
    let mut s = String::from("local function outer() ");
    for i in 1..=150 {
        s.push_str(&format!("local a{} ", i));
    }
    s.push_str("local function mid() ");
    for i in 1..=150 {
        s.push_str(&format!("local b{} ", i));
    }
    s.push_str("\nreturn function() local x ");
    for i in 1..=150 {
        s.push_str(&format!("x = a{} ", i));
    }
    for i in 1..=150 {
        s.push_str(&format!("x = b{} ", i));
    }
    s.push_str(" end end end");
    assert_eq!(
        comp_err(&s),
        format!(
            "{}:2: too many upvalues (limit is 255) in function at line 2",
            crate::syntax::chunk_id(&s)
        )
    );
}

#[test]
fn control_structure_too_long() {
    let src = format!("for i = 1, 2 do {} end", "x = 1 ".repeat(140_000));
    assert!(comp_err(&src).ends_with("control structure too long"));
    // A while loop of that size is fine (sJ has 25 bits).
    comp(&format!("while x do {} end", "x = 1 ".repeat(140_000)));
}

// Semantic errors the parser normally reports first: build the AST by hand.

fn e(kind: ExprKind, line: u32) -> Expr {
    Expr { kind, line }
}

fn s(kind: StatKind, line: u32) -> Stat {
    Stat { kind, line }
}

fn chunk(stats: Vec<Stat>, end_line: u32) -> FuncBody {
    FuncBody {
        params: Vec::new(),
        is_vararg: true,
        body: Block {
            stats,
            ret: None,
            end_line,
        },
        line: 0,
        end_line: 0,
    }
}

fn compile_err(body: &FuncBody, name: &str) -> String {
    compile(body, name)
        .map(|_| ())
        .expect_err("expected an error")
        .message
}

#[test]
fn semantic_errors_match_lua() {
    use crate::syntax::ast::{Attrib, LocalName};
    // lua5.4: [string "goto x"]:1: no visible label 'x' for <goto> at line 1
    let b = chunk(vec![s(StatKind::Goto("x".into()), 1)], 1);
    assert_eq!(
        compile_err(&b, "goto x"),
        "[string \"goto x\"]:1: no visible label 'x' for <goto> at line 1"
    );
    // lua5.4: [string "break"]:1: break outside loop at line 1
    let b = chunk(vec![s(StatKind::Break, 1)], 1);
    assert_eq!(
        compile_err(&b, "break"),
        "[string \"break\"]:1: break outside loop at line 1"
    );
    // lua5.4: [string "local x <const> = 1; x = 2"]:1: attempt to assign to const variable 'x'
    let b = chunk(
        vec![
            s(
                StatKind::Local {
                    names: vec![LocalName {
                        name: "x".into(),
                        attrib: Attrib::Const,
                    }],
                    exprs: vec![e(ExprKind::Integer(1), 1)],
                },
                1,
            ),
            s(
                StatKind::Assign {
                    targets: vec![e(ExprKind::Name("x".into()), 1)],
                    exprs: vec![e(ExprKind::Integer(2), 1)],
                },
                1,
            ),
        ],
        1,
    );
    assert_eq!(
        compile_err(&b, "local x <const> = 1; x = 2"),
        "[string \"local x <const> = 1; x = 2\"]:1: attempt to assign to const variable 'x'"
    );
    // lua5.4: [string "goto l..."]:4: <goto l> at line 1 jumps into the scope of local 'a'
    let b = chunk(
        vec![
            s(StatKind::Goto("l".into()), 1),
            s(
                StatKind::Local {
                    names: vec![LocalName {
                        name: "a".into(),
                        attrib: Attrib::None,
                    }],
                    exprs: vec![],
                },
                2,
            ),
            s(StatKind::Label("l".into()), 3),
            s(
                StatKind::Call(e(
                    ExprKind::Call(
                        Box::new(e(ExprKind::Name("print".into()), 4)),
                        vec![e(ExprKind::Name("a".into()), 4)],
                    ),
                    4,
                )),
                4,
            ),
        ],
        4,
    );
    assert_eq!(
        compile_err(&b, "goto l\nlocal a\n::l::\nprint(a)"),
        "[string \"goto l...\"]:4: <goto l> at line 1 jumps into the scope of local 'a'"
    );
    // lua5.4: [string "::a::..."]:3: label 'a' already defined on line 2
    let b = chunk(
        vec![
            s(StatKind::Label("a".into()), 1),
            s(StatKind::Label("a".into()), 2),
            s(
                StatKind::Assign {
                    targets: vec![e(ExprKind::Name("x".into()), 3)],
                    exprs: vec![e(ExprKind::Integer(1), 3)],
                },
                3,
            ),
        ],
        3,
    );
    assert_eq!(
        compile_err(&b, "::a::\n::a::\nx=1"),
        "[string \"::a::...\"]:3: label 'a' already defined on line 2"
    );
    // Too many locals (lua5.4 adds " near <eof>", which only the parser knows).
    let names = (0..201)
        .map(|i| LocalName {
            name: format!("a{}", i),
            attrib: Attrib::None,
        })
        .collect();
    let b = chunk(
        vec![s(
            StatKind::Local {
                names,
                exprs: vec![],
            },
            1,
        )],
        1,
    );
    assert_eq!(
        compile_err(&b, "=x"),
        "x:1: too many local variables (limit is 200) in main function"
    );
}

#[test]
fn hand_made_asts_do_not_panic() {
    // Vararg outside a vararg function, a non-call call statement, bad
    // assignment targets: clean errors.
    let f = FuncBody {
        params: vec![],
        is_vararg: false,
        body: Block {
            stats: vec![s(StatKind::Call(e(ExprKind::Vararg, 1)), 1)],
            ret: None,
            end_line: 1,
        },
        line: 1,
        end_line: 1,
    };
    let b = chunk(
        vec![s(StatKind::Call(e(ExprKind::Function(Box::new(f)), 1)), 1)],
        1,
    );
    assert!(compile(&b, "=x").is_err());
    let b = chunk(
        vec![s(
            StatKind::Assign {
                targets: vec![e(ExprKind::Integer(1), 1)],
                exprs: vec![e(ExprKind::Nil, 1)],
            },
            1,
        )],
        1,
    );
    assert!(compile(&b, "=x").is_err());
    // Very deep nesting: an error, not a stack overflow.
    let mut x = e(ExprKind::Integer(1), 1);
    for _ in 0..5000 {
        x = e(ExprKind::Paren(Box::new(x)), 1);
    }
    let b = chunk(
        vec![s(
            StatKind::Assign {
                targets: vec![e(ExprKind::Name("y".into()), 1)],
                exprs: vec![x],
            },
            1,
        )],
        1,
    );
    let r = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || compile(&b, "=x").map(|_| ()))
        .unwrap()
        .join();
    let msg = r.expect("no stack overflow").expect_err("too deep");
    assert!(
        msg.message.ends_with("chunk has too many syntax levels"),
        "{}",
        msg
    );
}

// ----- size and robustness -----

#[test]
fn long_left_chains_do_not_recurse() {
    // 50,000-term sums and field chains compile on a small stack.
    let sum = format!("local x = 1 return x{}", " + x".repeat(50_000));
    let chain = format!("return a{}", ".b".repeat(50_000));
    let r = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            for src in [sum, chain] {
                let ast = syntax::parse(src.as_bytes(), "=t").map_err(|e| e.message)?;
                let p = compile(&ast, "=t").map_err(|e| e.message);
                // Dropping a 50,000-deep AST recurses (ast.rs has no
                // iterative Drop): leak it, this test is about the compiler.
                std::mem::forget(ast);
                verify(&p?)?;
            }
            Ok::<(), String>(())
        })
        .unwrap()
        .join();
    match r {
        Ok(res) => res.unwrap(),
        Err(_) => panic!("the thread panicked (parser stack?)"),
    }
}

#[test]
fn many_constants_use_loadkx() {
    let n = 140_000;
    let mut src = String::with_capacity(n * 12);
    src.push_str("local t = {");
    for i in 0..n {
        src.push_str(&format!("{}.5,", i));
    }
    src.push('}');
    let p = comp(&src);
    assert_eq!(p.constants.len(), n);
    let c = code(&p);
    let i = c
        .iter()
        .position(|l| l.starts_with("LOADKX"))
        .expect("LOADKX");
    assert_eq!(c[i + 1], format!("EXTRAARG {}", 131_072));
    // A global access after that many constants goes through a register key.
    let p = comp(&format!("{} return zz", &src));
    assert!(code(&p).iter().any(|l| l.starts_with("GETTABLE")));
}

#[test]
fn many_statements() {
    // 200,000 statements with labels and gotos: linear time.
    let mut src = String::new();
    for i in 0..100_000 {
        src.push_str(&format!("do x = {} goto l{} ::l{}:: end ", i, i, i));
    }
    let start = std::time::Instant::now();
    let p = comp(&src);
    assert!(p.code.len() > 200_000);
    assert!(start.elapsed().as_secs() < 30);
    // 1,000 elseif arms.
    let mut src = String::from("local x = ... if x == 0 then x = 1 ");
    for i in 1..1000 {
        src.push_str(&format!("elseif x == {} then x = {} ", i, i + 1));
    }
    src.push_str("end");
    comp(&src);
}

#[test]
fn corpus_verifies() {
    let corpus = [
        "local a <close> = nil do local b <close> = nil end",
        "local t = setmetatable({}, {__index = function(t, k) return k end}) return t.x, t[1], #t, -t",
        "for i = 10, 1, -1 do if i % 2 == 0 then goto c end print(i) ::c:: end",
        "local function f(...) local a, b = ... return select('#', ...), a, b, ... end return f(1, 2, 3)",
        "local s = 0 for k, v in ipairs({1, 2, 3}) do s = s + k * v end return s",
        "local x = 1 local function g() x = x + 1 return x end return g(), g()",
        "while true do local a = {} if #a == 0 then break end end",
        "repeat local q = f() until q or (function() return q end)()",
        "local a = {} a.b = {} a.b.c = function(self, ...) return self, ... end return a.b:c(1, 2)",
        "return not (a and b or c) == (d ~= e), a < b and c >= d, -x ^ 2, 2 ^ -x",
        "local t = {[1] = 1, [2.0] = 2, x = 3, ['y'] = 4, 5, 6, nil, f()}",
        "goto e do ::e:: end ::e::",
        "local a, b, c = (f()) return a and b or c and (d or e)",
        "if a then elseif b then else end while c do end repeat until d",
        "local x <const> = 'str' local y <const> = #x return x .. y, y",
        "local _ENV <const> = {print = print} print(1)",
        "return function(...) local t = {...} return #t, ... end",
        "local a, b a, b = b, a local t = {} t[a], t[b] = t[b], t[a]",
        "for i = 1, 3 do for j = i, 3 do if j == 2 then break end end end",
        "return 1 < 2, 1.5 <= x, 'a' < 'b', x > -129, x >= 128, x == -127",
    ];
    for src in corpus {
        comp(src);
    }
}

#[test]
fn listing_shape() {
    let p = comp("local a = b + 1 local function f() return a end");
    let mut s = String::new();
    listing::list(&p, &mut s);
    assert!(
        s.contains("main <(string):0,0> (5 instructions at #0)"),
        "{}",
        s
    );
    assert!(
        s.contains("0+ params, 2 slots, 1 upvalue, 2 locals, 1 constant, 1 function"),
        "{}",
        s
    );
    assert!(
        s.contains("\t2\t[1]\tGETTABUP \t0 0 0\t; _ENV \"b\"\n"),
        "{}",
        s
    );
    assert!(s.contains("\t4\t[1]\tCLOSURE  \t1 0\t; #1\n"), "{}", s);
    assert!(
        s.contains("function <(string):1,1> (3 instructions at #1)"),
        "{}",
        s
    );
    assert!(s.contains("upvalues (1) for #1:\n\t0\ta\t1\t0\n"), "{}", s);
    assert!(
        s.contains("locals (2) for #0:\n\t0\ta\t4\t6\n\t1\tf\t5\t6\n"),
        "{}",
        s
    );
}

#[test]
fn verify_rejects_broken_code() {
    let mut p = comp("local a = 1 return a");
    assert!(verify(&p).is_ok());
    p.code[1] = ins::abc(OpCode::MOVE, 9, 0, 0, false);
    assert!(verify(&p).unwrap_err().contains("register 9"));
    let mut p = comp("while x do end");
    let j = p
        .code
        .iter()
        .position(|&i| ins::opcode(i) == OpCode::JMP)
        .unwrap();
    p.code[j] = ins::sj_ins(OpCode::JMP, 1000);
    assert!(verify(&p).unwrap_err().contains("outside the code"));
    let mut p = comp("return x");
    p.code.pop();
    p.line_info.pop();
    p.code.pop();
    p.line_info.pop();
    assert!(verify(&p).is_err());
}

#[test]
fn depth_limit_covers_the_parser() {
    const { assert!(MAX_DEPTH >= crate::syntax::parser::MAX_SYNTAX_LEVELS + 20) };
    // The deepest function nesting the parser accepts compiles.
    let mut src = String::from("x = 1");
    let mut depth = 0;
    loop {
        let next = format!("x = function() {} end", src);
        if syntax::parse(next.as_bytes(), "=t").is_err() {
            break;
        }
        src = next;
        depth += 1;
    }
    assert!(depth > 50);
    comp(&src);
    let mut src = String::from("1");
    loop {
        let next = format!("({})", src);
        if syntax::parse(format!("x = {}", next).as_bytes(), "=t").is_err() {
            break;
        }
        src = next;
    }
    comp(&format!("x = {}", src));
}
