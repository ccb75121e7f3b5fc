//! Robustness tests of the compiler: the repository's Lua scripts and
//! randomly generated ASTs (valid and invalid) must compile or fail with a
//! clean error, never panic, and everything compiled must pass the
//! structural verifier. `COMPILE_FUZZ_SEED` / `COMPILE_FUZZ_ITERS` select
//! another seed / a longer run.

use super::compile;
use crate::bytecode::{listing, verify};
use crate::syntax;
use crate::syntax::ast::{Block, Expr, ExprKind, FuncBody, Stat, StatKind};

/// Every `.lua` file of the repository's `bench/` and `tests/lua/` compiles
/// and verifies.
#[test]
fn repository_scripts_verify() {
    use std::path::{Path, PathBuf};
    let here = Path::new(file!());
    let root: PathBuf = if here.is_absolute() {
        match here.ancestors().nth(3) {
            Some(r) => r.to_path_buf(),
            None => return,
        }
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    };
    let mut n = 0;
    for dir in ["bench", "tests/lua"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "lua") {
                let src = std::fs::read(&path).expect("readable");
                let name = format!("@{}", path.display());
                // Scripts that do not parse are the parser's business.
                let Ok(ast) = syntax::parse_with(&src, &name, true) else {
                    continue;
                };
                let p = compile(&ast, &name).unwrap_or_else(|e| panic!("{}", e));
                verify(&p).unwrap_or_else(|e| panic!("{}: {}", path.display(), e));
                n += 1;
            }
        }
    }
    eprintln!("verified {} scripts", n);
}

/// A small deterministic PRNG (xorshift64*) for the random-AST test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const NAMES: [&str; 6] = ["a", "b", "c", "_ENV", "t", "x"];

fn rand_expr(r: &mut Rng, depth: u32, vararg: bool) -> Expr {
    use crate::syntax::ast::{BinOp, TableField, UnOp};
    let line = 1 + r.below(5) as u32;
    let leaf = depth == 0 || r.below(3) == 0;
    let kind = if leaf {
        match r.below(9) {
            0 => ExprKind::Nil,
            1 => ExprKind::True,
            2 => ExprKind::Integer(
                [0, 1, -1, 127, 128, -128, 255, 256, 65536, 65537, i64::MIN][r.below(11) as usize],
            ),
            3 => ExprKind::Float([0.0, -0.0, 1.5, 2.0, 1e300, f64::NAN][r.below(6) as usize]),
            4 => ExprKind::String(
                ["k", "", "a long string that is longer than forty bytes!!"][r.below(3) as usize]
                    .into(),
            ),
            5 if vararg => ExprKind::Vararg,
            _ => ExprKind::Name(NAMES[r.below(NAMES.len() as u64) as usize].into()),
        }
    } else {
        let d = depth - 1;
        match r.below(9) {
            0 | 1 => {
                const OPS: [BinOp; 21] = [
                    BinOp::Add,
                    BinOp::Sub,
                    BinOp::Mul,
                    BinOp::Div,
                    BinOp::IDiv,
                    BinOp::Mod,
                    BinOp::Pow,
                    BinOp::Concat,
                    BinOp::Eq,
                    BinOp::Ne,
                    BinOp::Lt,
                    BinOp::Le,
                    BinOp::Gt,
                    BinOp::Ge,
                    BinOp::And,
                    BinOp::Or,
                    BinOp::BAnd,
                    BinOp::BOr,
                    BinOp::BXor,
                    BinOp::Shl,
                    BinOp::Shr,
                ];
                let op = OPS[r.below(21) as usize];
                ExprKind::Binary(
                    op,
                    Box::new(rand_expr(r, d, vararg)),
                    Box::new(rand_expr(r, d, vararg)),
                )
            }
            2 => {
                let op = [UnOp::Neg, UnOp::Not, UnOp::Len, UnOp::BNot][r.below(4) as usize];
                ExprKind::Unary(op, Box::new(rand_expr(r, d, vararg)))
            }
            3 => ExprKind::Index(
                Box::new(rand_expr(r, d, vararg)),
                Box::new(rand_expr(r, d, vararg)),
            ),
            4 => {
                let n = r.below(4);
                let args = (0..n).map(|_| rand_expr(r, d, vararg)).collect();
                ExprKind::Call(Box::new(rand_expr(r, d, vararg)), args)
            }
            5 => {
                let n = r.below(3);
                let args = (0..n).map(|_| rand_expr(r, d, vararg)).collect();
                ExprKind::MethodCall(Box::new(rand_expr(r, d, vararg)), "m".into(), args)
            }
            6 => ExprKind::Paren(Box::new(rand_expr(r, d, vararg))),
            7 => {
                let n = r.below(5);
                let fields = (0..n)
                    .map(|_| match r.below(3) {
                        0 => TableField::Positional(rand_expr(r, d, vararg)),
                        1 => TableField::Named("f".into(), rand_expr(r, d, vararg)),
                        _ => TableField::Keyed(rand_expr(r, d, vararg), rand_expr(r, d, vararg)),
                    })
                    .collect();
                ExprKind::Table(fields)
            }
            _ => {
                let is_vararg = r.below(2) == 0;
                let body = rand_block(r, d, is_vararg, false);
                ExprKind::Function(Box::new(FuncBody {
                    params: vec!["a".into(), "p".into()],
                    is_vararg,
                    body,
                    line,
                    end_line: line + 1,
                }))
            }
        }
    };
    Expr { kind, line }
}

fn rand_block(r: &mut Rng, depth: u32, vararg: bool, in_loop: bool) -> Block {
    use crate::syntax::ast::{Attrib, LocalName, Return};
    let n = r.below(5);
    let mut stats = Vec::new();
    for _ in 0..n {
        let line = 1 + r.below(5) as u32;
        let d = depth.saturating_sub(1);
        let kind = match r.below(13) {
            0 => {
                let k = 1 + r.below(3);
                let names = (0..k)
                    .map(|i| LocalName {
                        name: NAMES[r.below(NAMES.len() as u64) as usize].into(),
                        attrib: if i == 0 {
                            [Attrib::None, Attrib::Const, Attrib::Close][r.below(3) as usize]
                        } else {
                            Attrib::None
                        },
                    })
                    .collect();
                let exprs = (0..r.below(4)).map(|_| rand_expr(r, d, vararg)).collect();
                StatKind::Local { names, exprs }
            }
            1 | 2 => {
                let k = 1 + r.below(3);
                let targets = (0..k)
                    .map(|_| {
                        if r.below(2) == 0 {
                            Expr {
                                kind: ExprKind::Name(
                                    NAMES[r.below(NAMES.len() as u64) as usize].into(),
                                ),
                                line,
                            }
                        } else {
                            Expr {
                                kind: ExprKind::Index(
                                    Box::new(rand_expr(r, d, vararg)),
                                    Box::new(rand_expr(r, d, vararg)),
                                ),
                                line,
                            }
                        }
                    })
                    .collect();
                let exprs = (0..1 + r.below(3))
                    .map(|_| rand_expr(r, d, vararg))
                    .collect();
                StatKind::Assign { targets, exprs }
            }
            3 => StatKind::Call(Expr {
                kind: ExprKind::Call(
                    Box::new(rand_expr(r, d, vararg)),
                    vec![rand_expr(r, d, vararg)],
                ),
                line,
            }),
            4 if depth > 0 => StatKind::Do(rand_block(r, d, vararg, in_loop)),
            5 if depth > 0 => StatKind::While {
                cond: rand_expr(r, d, vararg),
                body: rand_block(r, d, vararg, true),
            },
            6 if depth > 0 => StatKind::Repeat {
                body: rand_block(r, d, vararg, true),
                cond: rand_expr(r, d, vararg),
            },
            7 if depth > 0 => StatKind::If {
                arms: (0..1 + r.below(3))
                    .map(|_| (rand_expr(r, d, vararg), rand_block(r, d, vararg, in_loop)))
                    .collect(),
                else_block: if r.below(2) == 0 {
                    Some(rand_block(r, d, vararg, in_loop))
                } else {
                    None
                },
            },
            8 if depth > 0 => StatKind::NumericFor {
                var: "i".into(),
                start: rand_expr(r, d, vararg),
                limit: rand_expr(r, d, vararg),
                step: if r.below(2) == 0 {
                    Some(rand_expr(r, d, vararg))
                } else {
                    None
                },
                body: rand_block(r, d, vararg, true),
            },
            9 if depth > 0 => StatKind::GenericFor {
                vars: vec!["k".into(), "v".into()],
                exprs: (0..1 + r.below(3))
                    .map(|_| rand_expr(r, d, vararg))
                    .collect(),
                body: rand_block(r, d, vararg, true),
            },
            10 => StatKind::Goto(["l1", "l2"][r.below(2) as usize].into()),
            11 => StatKind::Label(["l1", "l2"][r.below(2) as usize].into()),
            12 if in_loop => StatKind::Break,
            _ if depth == 0 => StatKind::Goto("l1".into()),
            _ => StatKind::LocalFunction {
                name: "lf".into(),
                func: Box::new(FuncBody {
                    params: vec![],
                    is_vararg: true,
                    body: rand_block(r, d, true, false),
                    line,
                    end_line: line,
                }),
            },
        };
        stats.push(Stat { kind, line });
    }
    let ret = if r.below(3) == 0 {
        Some(Return {
            exprs: (0..r.below(3))
                .map(|_| rand_expr(r, depth, vararg))
                .collect(),
            line: 5,
        })
    } else {
        None
    };
    Block {
        stats,
        ret,
        end_line: 6,
    }
}

/// Random ASTs (including invalid ones: bad gotos, assignments to consts)
/// never panic the compiler, and whatever compiles passes the verifier.
#[test]
fn random_asts_compile_or_fail_cleanly() {
    let seed = std::env::var("COMPILE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let iters = std::env::var("COMPILE_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let mut r = Rng(seed);
    let (mut ok, mut failed) = (0, 0);
    for _ in 0..iters {
        let body = rand_block(&mut r, 4, true, false);
        let chunk = FuncBody {
            params: vec![],
            is_vararg: true,
            body,
            line: 0,
            end_line: 0,
        };
        match compile(&chunk, "=fuzz") {
            Ok(p) => {
                if let Err(e) = verify(&p) {
                    let mut s = String::new();
                    listing::list(&p, &mut s);
                    panic!("verify: {}\n{:#?}\n{}", e, chunk, s);
                }
                ok += 1;
            }
            Err(e) => {
                assert!(e.message.starts_with("fuzz:"), "{}", e.message);
                failed += 1;
            }
        }
    }
    eprintln!("{} ok, {} failed", ok, failed);
    assert!(ok > iters / 5, "{} ok, {} failed", ok, failed);
}
