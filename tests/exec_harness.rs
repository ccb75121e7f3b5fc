//! Execution harness for the generated code (issue 7): small Lua functions
//! are compiled with `lunajit asm --target T --function NAME`, linked with a C
//! harness (tests/exec_harness/harness.c) that builds a minimal VM state (the
//! `JitVm` block, a frame, constants, upvalue cells, a helper table with C
//! table helpers and `pow`), and run; every status, result, frame slot, table
//! and upvalue is checked against lunajit's interpreter on the host.
//!
//! - x86_64-linux: built with the host `cc` and run natively (on x86-64 Linux
//!   hosts). This also validates the harness itself.
//! - aarch64-linux: built with `aarch64-linux-gnu-gcc -static` and run under
//!   `qemu-aarch64` (or natively on an AArch64 Linux host).
//!
//! A missing tool makes a test print why and pass without checking.
//!
//! The cases: integer and float arithmetic (wrap-around, mixed operands,
//! float constants as immediates and through K, `//` and `%` with floor
//! semantics, shifts and bitwise operators, negation), comparisons and
//! branches (signed extremes, -0.0, NaN, immediate operands), numeric loops
//! (up, down, empty, counts near the integer range), array-part get/set
//! through the GET_INT/GET/SET_INT/SET/LEN helpers, `^` through the POW
//! helper, upvalues, an OSR entry at a loop header, and guards that fail
//! (a string operand, a helper that refuses, a float where `//` needs
//! integers, a zero divisor): each must exit with DEOPT at the pc of that
//! instruction with the frame as the interpreter has it there. Every case
//! also checks `vm->entries` and that nothing outside the frame (slots past
//! its size, the constants) was written.
//!
//! `EXEC_HARNESS_KEEP=DIR` keeps the generated files (the Lua script, the
//! `.s` files, `cases.c`, `lj_abi.h`, the harness binaries) in DIR.
//!
//! Offsets, tags, helper indices and status kinds are not written down here:
//! `lj_abi.h` is generated from `jit::abi`, `runtime::value` and
//! `jit::helpers`, the status word is decoded with `abi::decode`, and the
//! expected deopt pcs, frame sizes and constants come from `lunajit
//! --bytecode`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use lunajit::jit::abi::{self, Status};
use lunajit::jit::helpers::{self, index as hx};
use lunajit::runtime::value as tv;

const LUNAJIT: &str = env!("CARGO_BIN_EXE_lunajit");

/// The functions under test. Each is a local function of one chunk (no
/// globals, so no `_ENV` upvalue); `scale` and `counter` are upvalues.
const DEFS: &str = r#"local scale, counter = 3, 10
local function addi(a, b) return a + b end
local function subf(a, b) return a - b, a * b end
local function divf(a, b) return a / b end
local function kfloat(a) return a * 2.5 + 0.1 end
local function loadk(a) local c = 0.1 local d = 123456789012 return a + c, d end
local function idivmod(a, b) return a // b, a % b end
local function bits(a, b) return a & b, a | b, a ~ b, a << b, a >> b, ~a end
local function neg(a) return -a, not a end
local function cmp(a, b)
  local r = 0
  if a < b then r = r + 1 end
  if a <= b then r = r + 2 end
  if a == b then r = r + 4 end
  if a > b then r = r + 8 end
  if a >= b then r = r + 16 end
  if a ~= b then r = r + 32 end
  return r
end
local function cmpi(x)
  if x < 0 then return -1 elseif x == 0 then return 0 elseif x <= 10 then return 1
  elseif x >= 100 then return 3 else return 2 end
end
local function loop(n) local s = 0 for i = 1, n do s = s + i * 3 end return s end
local function steploop(n, step) local s = 0.5 for i = n, 1, step do s = s * 1.5 + i end return s end
local function countdown(n)
  local c = 0
  while n > 0 do
    if n % 3 == 0 then n = n // 3 else n = n - 1 end
    c = c + 1
  end
  return c
end
local function aget(t, i) return t[i] end
local function aset(t, i, v) t[i] = v return t[i + 1] end
local function geti(t, v) t[3] = v return t[1], t[2] end
local function sumarr(t) local s = 0 for i = 1, #t do s = s + t[i] end return s end
local function fill(t, n) for i = 1, n do t[i] = i * i end return #t end
local function powf(x, y) return x ^ y end
local function upv(a) counter = counter + a * scale return counter end
local function bigloop(a, b, c) local n = 0 for i = a, b, c do n = n + 1 end return n end
local function osrloop(t, n)
  local s = scale
  for i = 1, n do
    s = s + t[i] * i
  end
  return s
end
local function dg(a, b)
  local c = a * 2
  local d = c + b
  return d
end
local function dloop(t, n)
  local s = 0
  for i = 1, n do
    local v = t[i]
    s = s + v
  end
  return s
end
"#;

#[derive(Clone, Debug)]
enum V {
    Int(i64),
    Float(f64),
    Str(&'static str),
    Table(Vec<V>),
}
use V::{Float as F, Int as I, Str as S, Table as T};

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Runs to its end: status RETURN with the interpreter's results.
    Return,
    /// Exits at the `nth` (0-based) instruction `op` of the function, with
    /// the frame as the interpreter has it there the `hit`-th time (1-based)
    /// it reaches that instruction's line.
    Deopt {
        op: &'static str,
        nth: usize,
        hit: usize,
    },
    /// Entered at OSR entry `entry` (a loop header) with the frame the
    /// interpreter has the `hit`-th time it reaches the line of the `nth`
    /// instruction `op` (the header's first instruction): returns what the
    /// whole call returns. The harness gives it nil upvalues, which only
    /// code before the loop reads: running that code instead of entering at
    /// the header gives a different answer.
    Osr {
        op: &'static str,
        nth: usize,
        hit: usize,
        entry: u32,
    },
}

struct Case {
    name: &'static str,
    func: &'static str,
    args: Vec<V>,
    expect: Expect,
}

fn cases() -> Vec<Case> {
    use Expect::Return as R;
    let c = |name, func, args: Vec<V>, expect| Case {
        name,
        func,
        args,
        expect,
    };
    let deopt = |op, nth, hit| Expect::Deopt { op, nth, hit };
    let osr = |op, nth, hit, entry| Expect::Osr {
        op,
        nth,
        hit,
        entry,
    };
    let nan = f64::NAN;
    vec![
        // integer and float arithmetic
        c("addi_int", "addi", vec![I(3), I(4)], R),
        c("addi_wrap", "addi", vec![I(i64::MAX), I(1)], R),
        c("addi_neg", "addi", vec![I(-5), I(-7)], R),
        c("addi_float", "addi", vec![F(0.1), F(0.2)], R),
        c("addi_mixed", "addi", vec![I(1), F(0.5)], R),
        c("addi_mixed2", "addi", vec![F(-2.25), I(3)], R),
        c("subf_int", "subf", vec![I(10), I(-3)], R),
        c("subf_float", "subf", vec![F(1e300), F(1e10)], R),
        c("subf_negzero", "subf", vec![F(-0.0), F(0.0)], R),
        c("divf_int", "divf", vec![I(7), I(2)], R),
        c("divf_zero", "divf", vec![I(1), I(0)], R),
        c("divf_negzero", "divf", vec![F(-1.0), F(f64::INFINITY)], R),
        c("kfloat_int", "kfloat", vec![I(4)], R),
        c("kfloat_float", "kfloat", vec![F(-1.5)], R),
        c("loadk", "loadk", vec![I(1)], R),
        c("idivmod_pos", "idivmod", vec![I(7), I(2)], R),
        c("idivmod_neg", "idivmod", vec![I(-7), I(2)], R),
        c("idivmod_negdiv", "idivmod", vec![I(7), I(-2)], R),
        c("idivmod_exact", "idivmod", vec![I(-8), I(4)], R),
        c("idivmod_minint", "idivmod", vec![I(i64::MIN), I(-1)], R),
        c("bits_small", "bits", vec![I(12), I(3)], R),
        c("bits_shift63", "bits", vec![I(1), I(63)], R),
        c("bits_shift64", "bits", vec![I(-1), I(64)], R),
        c("bits_shiftneg", "bits", vec![I(5), I(-1)], R),
        c("bits_negative", "bits", vec![I(-256), I(4)], R),
        c("neg_int", "neg", vec![I(5)], R),
        c("neg_minint", "neg", vec![I(i64::MIN)], R),
        c("neg_float", "neg", vec![F(0.0)], R),
        // comparisons and branches
        c("cmp_lt", "cmp", vec![I(1), I(2)], R),
        c("cmp_eq", "cmp", vec![I(2), I(2)], R),
        c("cmp_gt", "cmp", vec![I(-1), I(-2)], R),
        c("cmp_big", "cmp", vec![I(i64::MIN), I(i64::MAX)], R),
        c("cmp_flt", "cmp", vec![F(1.25), F(1.5)], R),
        c("cmp_feq", "cmp", vec![F(0.0), F(-0.0)], R),
        c("cmp_fgt", "cmp", vec![F(1e300), F(-1e300)], R),
        c("cmp_nan", "cmp", vec![F(nan), F(1.0)], R),
        c("cmp_nan2", "cmp", vec![F(1.0), F(nan)], R),
        c("cmpi_neg", "cmpi", vec![I(-3)], R),
        c("cmpi_zero", "cmpi", vec![I(0)], R),
        c("cmpi_ten", "cmpi", vec![I(10)], R),
        c("cmpi_mid", "cmpi", vec![I(50)], R),
        c("cmpi_big", "cmpi", vec![I(100)], R),
        c("cmpi_fneg", "cmpi", vec![F(-0.5)], R),
        c("cmpi_fzero", "cmpi", vec![F(-0.0)], R),
        c("cmpi_f10", "cmpi", vec![F(10.5)], R),
        c("cmpi_fbig", "cmpi", vec![F(99.5)], R),
        c("cmpi_nan", "cmpi", vec![F(nan)], R),
        // numeric loops
        c("loop_10", "loop", vec![I(10)], R),
        c("loop_0", "loop", vec![I(0)], R),
        c("loop_neg", "loop", vec![I(-5)], R),
        c("loop_1000", "loop", vec![I(1000)], R),
        c("steploop_down", "steploop", vec![I(10), I(-3)], R),
        c("steploop_up", "steploop", vec![I(-2), I(1)], R),
        c("steploop_none", "steploop", vec![I(0), I(-1)], R),
        c("countdown_100", "countdown", vec![I(100)], R),
        c("countdown_0", "countdown", vec![I(0)], R),
        c(
            "bigloop_up",
            "bigloop",
            vec![I(i64::MIN), I(i64::MAX), I(1 << 62)],
            R,
        ),
        c(
            "bigloop_down",
            "bigloop",
            vec![I(i64::MAX), I(i64::MIN), I(-(1 << 62))],
            R,
        ),
        c(
            "bigloop_minstep",
            "bigloop",
            vec![I(0), I(i64::MIN), I(i64::MIN)],
            R,
        ),
        c("bigloop_one", "bigloop", vec![I(5), I(5), I(i64::MAX)], R),
        // entering a loop at its header (OSR entry 1) in its third iteration
        c(
            "osr_entry",
            "osrloop",
            vec![T((1..=10).map(I).collect()), I(10)],
            osr("GETTABLE", 0, 3, 1),
        ),
        // array-part get/set (GET_INT, GET, SET_INT, SET, LEN helpers)
        c(
            "aget_int",
            "aget",
            vec![T(vec![I(10), I(20), I(30)]), I(2)],
            R,
        ),
        c(
            "aget_float_elem",
            "aget",
            vec![T(vec![F(1.5), I(20)]), I(1)],
            R,
        ),
        c("aget_out", "aget", vec![T(vec![I(10), I(20)]), I(3)], R),
        c(
            "aget_floatkey",
            "aget",
            vec![T(vec![I(10), I(20)]), F(2.0)],
            R,
        ),
        c(
            "aset_mid",
            "aset",
            vec![T(vec![I(1), I(2), I(3)]), I(1), I(99)],
            R,
        ),
        c(
            "aset_append",
            "aset",
            vec![T(vec![I(1), I(2)]), I(3), F(2.5)],
            R,
        ),
        c("geti", "geti", vec![T(vec![I(7), I(8), I(9)]), I(-1)], R),
        c("sumarr", "sumarr", vec![T((1..=20).map(I).collect())], R),
        c(
            "sumarr_mixed",
            "sumarr",
            vec![T(vec![I(1), F(0.5), I(2)])],
            R,
        ),
        c("sumarr_empty", "sumarr", vec![T(vec![])], R),
        c("fill", "fill", vec![T(vec![]), I(6)], R),
        // a helper call through the table (pow)
        c("powf_int", "powf", vec![I(2), I(10)], R),
        c("powf_float", "powf", vec![F(2.0), F(0.5)], R),
        c("powf_neg", "powf", vec![F(2.5), I(-2)], R),
        // upvalues
        c("upv", "upv", vec![I(4)], R),
        // guards that fail: deopt at the right pc with the frame intact
        c(
            "deopt_str_add",
            "dg",
            vec![I(21), S("7")],
            deopt("ADD", 0, 1),
        ),
        c(
            "deopt_in_loop",
            "dloop",
            vec![T(vec![I(1), I(2), S("x"), I(4)]), I(4)],
            deopt("ADD", 0, 3),
        ),
        c(
            "deopt_helper_refuses",
            "aget",
            vec![S("abc"), I(1)],
            deopt("GETTABLE", 0, 1),
        ),
        c(
            "deopt_float_idiv",
            "idivmod",
            vec![F(7.5), I(2)],
            deopt("IDIV", 0, 1),
        ),
        c(
            "deopt_zero_divisor",
            "idivmod",
            vec![I(7), I(0)],
            deopt("IDIV", 0, 1),
        ),
    ]
}

// ---------------------------------------------------------------------------
// Lua side: the interpreter's answers

fn lua_value(v: &V) -> String {
    match v {
        V::Int(i) if *i == i64::MIN => "math.mininteger".into(),
        V::Int(i) => format!("{i}"),
        V::Float(x) if x.is_nan() => "(0/0)".into(),
        V::Float(x) if x.is_infinite() => {
            if *x > 0.0 {
                "math.huge".into()
            } else {
                "(-math.huge)".into()
            }
        }
        // Rust's shortest round-trip form, read back exactly by Lua
        V::Float(x) => format!("{x:?}"),
        V::Str(s) => format!("{s:?}"),
        V::Table(items) => {
            let parts: Vec<String> = items.iter().map(lua_value).collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// The chunk: the definitions, then one block per case printing what the
/// interpreter sees (upvalues before the call, the frame at the deopt line,
/// results, tables and upvalues after).
fn lua_script(cases: &[Case], listing: Option<&Listing>) -> String {
    let mut s = String::from(DEFS);
    s.push_str(
        r#"local function __fmt(v, args)
  local ty = math.type(v) or type(v)
  if ty == "integer" then return string.format("int %d", v)
  elseif ty == "float" then
    if v ~= v then return "float nan" end
    return string.format("float %d", (string.unpack("<i8", string.pack("<d", v))))
  elseif ty == "nil" then return "nil"
  elseif ty == "boolean" then return tostring(v)
  elseif ty == "string" then return "str:" .. v
  elseif ty == "table" then
    for i = 1, args.n do if rawequal(args[i], v) then return "table#" .. i end end
    return "table?"
  end
  return ty
end
local function __case(name, f, args, line, hit)
  print("case " .. name)
  local i = 1
  while true do
    local n, v = debug.getupvalue(f, i)
    if not n then break end
    print("upin " .. i .. " " .. __fmt(v, args))
    i = i + 1
  end
  if line then
    local hits = 0
    debug.sethook(function(_, l)
      if l ~= line or debug.getinfo(2, "f").func ~= f then return end
      hits = hits + 1
      if hits ~= hit then return end
      local j = 1
      while true do
        local n, v = debug.getlocal(2, j)
        if not n or n == "(temporary)" or n == "(C temporary)" then break end
        print("loc " .. (j - 1) .. " " .. __fmt(v, args))
        j = j + 1
      end
    end, "l")
  end
  local r = table.pack(pcall(f, table.unpack(args, 1, args.n)))
  debug.sethook()
  print("ok " .. tostring(r[1]))
  if r[1] then
    for j = 2, r.n do print("r " .. (j - 2) .. " " .. __fmt(r[j], args)) end
  end
  for j = 1, args.n do
    local t = args[j]
    if type(t) == "table" then
      print("tab " .. j .. " " .. #t)
      for k = 1, #t do print("tabv " .. j .. " " .. k .. " " .. __fmt(t[k], args)) end
    end
  end
  i = 1
  while true do
    local n, v = debug.getupvalue(f, i)
    if not n then break end
    print("up " .. i .. " " .. __fmt(v, args))
    i = i + 1
  end
end
"#,
    );
    for c in cases {
        let args: Vec<String> = c.args.iter().map(lua_value).collect();
        let hook = match (c.expect, listing) {
            (Expect::Deopt { op, nth, hit } | Expect::Osr { op, nth, hit, .. }, Some(l)) => {
                let f = l.function(c.func);
                let (_, line) = f.nth_op(op, nth, c.name);
                format!("{line}, {hit}")
            }
            _ => "nil, nil".into(),
        };
        writeln!(
            s,
            "__case({:?}, {}, table.pack({}), {hook})",
            c.name,
            c.func,
            args.join(", ")
        )
        .unwrap();
    }
    s
}

#[derive(Debug, Default)]
struct Facts {
    upin: Vec<String>,
    locs: Vec<String>,
    ok: bool,
    results: Vec<String>,
    tabs: BTreeMap<usize, Vec<String>>,
    ups: Vec<String>,
    // from the harness
    status: Option<u64>,
    entries: Option<u64>,
    slots: Vec<String>,
    clobbered: Vec<String>,
}

/// Parses the lines both sides print into facts per case.
fn parse_facts(out: &str) -> BTreeMap<String, Facts> {
    let mut all: BTreeMap<String, Facts> = BTreeMap::new();
    let mut cur: Option<String> = None;
    for line in out.lines() {
        let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
        if key == "case" {
            cur = Some(rest.to_string());
            all.entry(rest.to_string()).or_default();
            continue;
        }
        if key == "done" {
            continue;
        }
        let Some(name) = &cur else {
            panic!("output line before any case: {line}")
        };
        let f = all.get_mut(name).unwrap();
        let (idx, val) = rest.split_once(' ').unwrap_or((rest, ""));
        match key {
            "upin" => f.upin.push(val.into()),
            "loc" => f.locs.push(val.into()),
            "ok" => f.ok = rest == "true",
            "r" => f.results.push(val.into()),
            "tab" => {
                f.tabs.insert(idx.parse().unwrap(), Vec::new());
            }
            "tabv" => {
                let t: usize = idx.parse().unwrap();
                let (_, v) = val.split_once(' ').unwrap();
                f.tabs.get_mut(&t).unwrap().push(v.into());
            }
            "up" => f.ups.push(val.into()),
            "status" => {
                f.status = Some(u64::from_str_radix(rest.trim_start_matches("0x"), 16).unwrap())
            }
            "entries" => f.entries = Some(rest.parse().unwrap()),
            "slot" => f.slots.push(val.into()),
            "clobber" => f.clobbered.push(format!("frame slot {rest}")),
            "kclobber" => f.clobbered.push(format!("constant {rest}")),
            _ => panic!("unexpected output line: {line}"),
        }
    }
    all
}

// ---------------------------------------------------------------------------
// The bytecode listing (`lunajit --bytecode`): pcs, lines, frame sizes, K

#[derive(Debug, Default)]
struct ProtoInfo {
    line_defined: usize,
    slots: usize,
    /// (opcode, line) per pc.
    code: Vec<(String, usize)>,
    consts: Vec<KConst>,
}

#[derive(Debug, Clone)]
enum KConst {
    Int(i64),
    Float(f64),
    Other(String),
}

struct Listing {
    protos: Vec<ProtoInfo>,
    /// line where each case function is defined
    def_lines: BTreeMap<String, usize>,
}

impl Listing {
    fn of(script: &Path) -> Listing {
        let out = Command::new(LUNAJIT)
            .arg("--bytecode")
            .arg(script)
            .output()
            .expect("run lunajit --bytecode");
        assert!(out.status.success(), "lunajit --bytecode failed: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut protos = Vec::new();
        let mut cur: Option<ProtoInfo> = None;
        let mut in_consts = false;
        for line in text.lines() {
            if line.starts_with("function <") || line.starts_with("main <") {
                protos.extend(cur.take());
                // "function <f.lua:12,14> (...)"
                let inner = &line[line.find('<').unwrap() + 1..line.find('>').unwrap()];
                let range = inner.rsplit(':').next().unwrap();
                let first = range.split(',').next().unwrap().parse().unwrap();
                cur = Some(ProtoInfo {
                    line_defined: first,
                    ..Default::default()
                });
                in_consts = false;
                continue;
            }
            let Some(p) = cur.as_mut() else { continue };
            if line.contains(" slots,") {
                // "2 params, 4 slots, ..."
                let before = line.split(" slots,").next().unwrap();
                p.slots = before.rsplit(' ').next().unwrap().parse().unwrap();
                continue;
            }
            if line.starts_with("constants (") {
                in_consts = true;
                continue;
            }
            if !line.starts_with('\t') {
                in_consts = false;
                continue;
            }
            let fields: Vec<&str> = line.trim_start_matches('\t').split('\t').collect();
            if in_consts {
                let v = fields.get(2).copied().unwrap_or("").trim();
                p.consts.push(match fields.get(1).copied() {
                    Some("I") => KConst::Int(v.parse().unwrap()),
                    Some("F") => KConst::Float(v.parse().unwrap()),
                    other => KConst::Other(format!("{other:?} {v}")),
                });
            } else if fields.len() >= 3 && fields[1].starts_with('[') {
                let line_no = fields[1]
                    .trim_matches(|c| c == '[' || c == ']')
                    .parse()
                    .unwrap_or(0);
                p.code.push((fields[2].trim().to_string(), line_no));
            }
        }
        protos.extend(cur);
        let mut def_lines = BTreeMap::new();
        for (i, l) in DEFS.lines().enumerate() {
            if let Some(rest) = l.strip_prefix("local function ") {
                let name = rest.split('(').next().unwrap().to_string();
                def_lines.insert(name, i + 1);
            }
        }
        Listing { protos, def_lines }
    }

    fn function(&self, name: &str) -> &ProtoInfo {
        let line = self.def_lines[name];
        self.protos
            .iter()
            .find(|p| p.line_defined == line)
            .unwrap_or_else(|| panic!("no prototype for {name} in the listing"))
    }
}

impl ProtoInfo {
    /// The pc and line of the `nth` instruction `op`; the instruction must
    /// start its line (so the interpreter's line hook sees the frame as it
    /// is at that pc).
    fn nth_op(&self, op: &str, nth: usize, case: &str) -> (usize, usize) {
        let pc = self
            .code
            .iter()
            .enumerate()
            .filter(|(_, (o, _))| o == op)
            .nth(nth)
            .unwrap_or_else(|| panic!("{case}: no {op} #{nth} in {:?}", self.code))
            .0;
        let line = self.code[pc].1;
        assert!(
            pc == 0 || self.code[pc - 1].1 != line,
            "{case}: {op} at pc {pc} does not start line {line}; the expected frame \
             would be wrong (rewrite the case)"
        );
        (pc, line)
    }
}

// ---------------------------------------------------------------------------
// The harness program

fn c_spec(v: &V) -> String {
    match v {
        V::Int(i) if *i == i64::MIN => "{ .kind = S_INT, .i = INT64_MIN }".into(),
        V::Int(i) => format!("{{ .kind = S_INT, .i = INT64_C({i}) }}"),
        V::Float(x) => format!(
            "{{ .kind = S_FLOAT, .bits = UINT64_C(0x{:016x}) }}",
            x.to_bits()
        ),
        V::Str(s) => format!("{{ .kind = S_STR, .s = {s:?} }}"),
        V::Table(items) => table_spec(items),
    }
}

/// A table as a compound literal (C99: static storage at file scope).
fn table_spec(items: &[V]) -> String {
    let specs: Vec<String> = items.iter().map(c_spec).collect();
    format!(
        "{{ .kind = S_TABLE, .n = {}, .items = (const Spec[]){{ {} }} }}",
        items.len(),
        if specs.is_empty() {
            "{ 0 }".to_string()
        } else {
            specs.join(", ")
        }
    )
}

fn k_spec(k: &KConst, case: &str) -> String {
    match k {
        KConst::Int(i) => c_spec(&V::Int(*i)),
        KConst::Float(x) => c_spec(&V::Float(*x)),
        KConst::Other(what) => {
            panic!("{case}: constant {what} is not a number; the harness has none")
        }
    }
}

/// The C value for a value the interpreter printed: numbers, booleans, nil,
/// strings, or the table of argument `i` (as it was when passed).
fn fact_spec(text: &str, args: &[V], case: &str) -> String {
    match text {
        "nil" => return "{ .kind = S_NIL }".into(),
        "true" => return "{ .kind = S_TRUE }".into(),
        "false" => return "{ .kind = S_FALSE }".into(),
        _ => {}
    }
    if let Some(i) = text.strip_prefix("table#") {
        let i: usize = i.parse().unwrap();
        if let Some(V::Table(items)) = args.get(i - 1) {
            return table_spec(items);
        }
    }
    if let Some(s) = text.strip_prefix("str:") {
        return c_spec(&V::Str(Box::leak(s.to_string().into_boxed_str())));
    }
    if let Some(i) = text.strip_prefix("int ") {
        return c_spec(&V::Int(i.parse().unwrap()));
    }
    if let Some(b) = text.strip_prefix("float ") {
        let bits: i64 = b.parse().unwrap();
        return c_spec(&V::Float(f64::from_bits(bits as u64)));
    }
    panic!("{case}: the harness cannot build {text}")
}

/// `lj_abi.h`: the layout, tags, helper indices, all from the crate.
fn abi_header() -> String {
    let mut h = String::from("/* generated by tests/exec_harness.rs from the lunajit crate */\n");
    for (name, v) in abi::offsets() {
        writeln!(h, "#define {name} {v}").unwrap();
    }
    for (name, v) in [
        ("NIL", tv::TNIL),
        ("FALSE", tv::TFALSE),
        ("TRUE", tv::TTRUE),
        ("INT", tv::TINT),
        ("FLOAT", tv::TFLOAT),
        ("STR", tv::TSTR),
        ("TABLE", tv::TTABLE),
    ] {
        writeln!(h, "#define LJ_TAG_{name} {v}").unwrap();
    }
    for (name, v) in [
        ("GET_INT", hx::GET_INT),
        ("GET", hx::GET),
        ("SET_INT", hx::SET_INT),
        ("SET", hx::SET),
        ("LEN", hx::LEN),
        ("POW", hx::POW),
    ] {
        writeln!(h, "#define LJ_H_{name} {v}").unwrap();
    }
    writeln!(h, "#define LJ_HELPER_COUNT {}", helpers::HELPERS.0.len()).unwrap();
    h
}

/// `cases.c`: one `Case` per case, calling the symbol of its function.
fn cases_c(
    cases: &[Case],
    listing: &Listing,
    interp: &BTreeMap<String, Facts>,
    syms: &BTreeMap<&str, String>,
) -> String {
    let mut s = String::from("#include \"harness.h\"\n#include <stdint.h>\n\n");
    for sym in syms.values().collect::<std::collections::BTreeSet<_>>() {
        writeln!(s, "uint64_t {sym}(void *, TV *, uint32_t);").unwrap();
    }
    let mut entries = Vec::new();
    for (n, c) in cases.iter().enumerate() {
        let p = listing.function(c.func);
        let (args, entry): (Vec<String>, u32) = match c.expect {
            // the frame the interpreter has at the loop header
            Expect::Osr { entry, .. } => (
                interp[c.name]
                    .locs
                    .iter()
                    .map(|l| fact_spec(l, &c.args, c.name))
                    .collect(),
                entry,
            ),
            _ => (c.args.iter().map(c_spec).collect(), 0),
        };
        let ks: Vec<String> = p.consts.iter().map(|k| k_spec(k, c.name)).collect();
        let ups: Vec<String> = interp[c.name]
            .upin
            .iter()
            .map(|u| match c.expect {
                Expect::Osr { .. } => "{ .kind = S_NIL }".to_string(),
                _ => fact_spec(u, &c.args, c.name),
            })
            .collect();
        let arr = |s: &mut String, what: &str, v: &[String]| {
            writeln!(
                s,
                "static const Spec {what}_{n}[] = {{ {} }};",
                if v.is_empty() {
                    "{ 0 }".to_string()
                } else {
                    v.join(", ")
                }
            )
            .unwrap();
        };
        arr(&mut s, "args", &args);
        arr(&mut s, "k", &ks);
        arr(&mut s, "up", &ups);
        entries.push(format!(
            "  {{ {:?}, {}, {entry}, {}, {}, args_{n}, {}, k_{n}, {}, up_{n} }}",
            c.name,
            syms[c.func],
            p.slots,
            args.len(),
            ks.len(),
            ups.len()
        ));
    }
    writeln!(
        s,
        "\nconst Case CASES[] = {{\n{}\n}};\nconst int NCASES = {};",
        entries.join(",\n"),
        cases.len()
    )
    .unwrap();
    s
}

// ---------------------------------------------------------------------------
// Comparison

fn compare(
    target: &str,
    cases: &[Case],
    listing: &Listing,
    want: &BTreeMap<String, Facts>,
    got: &BTreeMap<String, Facts>,
) -> Vec<String> {
    let mut bad = Vec::new();
    for c in cases {
        let w = &want[c.name];
        let Some(g) = got.get(c.name) else {
            bad.push(format!(
                "{target} {}: no output (the harness stopped before it)",
                c.name
            ));
            continue;
        };
        let mut errs = Vec::new();
        let st = g.status.and_then(abi::decode);
        if g.entries != Some(1) {
            errs.push(format!("vm->entries is {:?}, not 1", g.entries));
        }
        if !g.clobbered.is_empty() {
            errs.push(format!(
                "wrote outside its frame: {}",
                g.clobbered.join(", ")
            ));
        }
        match c.expect {
            Expect::Return | Expect::Osr { .. } => {
                if let Expect::Osr { .. } = c.expect {
                    assert!(
                        !w.locs.is_empty(),
                        "{}: the interpreter never reached the loop header",
                        c.name
                    );
                }
                assert!(
                    w.ok,
                    "{}: the interpreter raised an error; fix the case",
                    c.name
                );
                match st {
                    Some(Status::Return { first, n }) => {
                        if n != w.results.len() {
                            errs.push(format!(
                                "returned {n} values, the interpreter {}",
                                w.results.len()
                            ));
                        }
                        for (j, r) in w.results.iter().enumerate() {
                            let v = g
                                .slots
                                .get(first + j)
                                .map(String::as_str)
                                .unwrap_or("<outside the frame>");
                            if v != r {
                                errs.push(format!(
                                    "result {j} (slot {}) is {v}, expected {r}",
                                    first + j
                                ));
                            }
                        }
                    }
                    other => errs.push(format!(
                        "status {other:?} (word {:#x?}), expected a return of {} values",
                        g.status,
                        w.results.len()
                    )),
                }
                if g.tabs != w.tabs {
                    errs.push(format!(
                        "tables after the call {:?}, expected {:?}",
                        g.tabs, w.tabs
                    ));
                }
                let osr = matches!(c.expect, Expect::Osr { .. });
                if !osr && g.ups != w.ups {
                    errs.push(format!(
                        "upvalues after the call {:?}, expected {:?}",
                        g.ups, w.ups
                    ));
                }
            }
            Expect::Deopt { op, nth, .. } => {
                let (pc, _) = listing.function(c.func).nth_op(op, nth, c.name);
                assert!(
                    !w.locs.is_empty(),
                    "{}: the interpreter never reached the deopt line",
                    c.name
                );
                if st != Some(Status::Deopt { pc }) {
                    errs.push(format!(
                        "status {st:?} (word {:#x?}), expected Deopt {{ pc: {pc} }} ({op})",
                        g.status
                    ));
                }
                for (j, l) in w.locs.iter().enumerate() {
                    let v = g
                        .slots
                        .get(j)
                        .map(String::as_str)
                        .unwrap_or("<outside the frame>");
                    if v != l {
                        errs.push(format!(
                            "at the exit, slot {j} is {v}; the interpreter has {l}"
                        ));
                    }
                }
            }
        }
        if !errs.is_empty() {
            bad.push(format!(
                "{target} {} ({}{}): {}",
                c.name,
                c.func,
                fmt_args(&c.args),
                errs.join("; ")
            ));
        }
    }
    bad
}

fn fmt_args(args: &[V]) -> String {
    let a: Vec<String> = args.iter().map(lua_value).collect();
    format!("({})", a.join(", "))
}

// ---------------------------------------------------------------------------
// Running

fn tool_works(tool: &str, arg: &str) -> bool {
    Command::new(tool)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Whether `cc` builds a trivial C program that `runner` (or the host) runs:
/// a cross compiler without its C library (libc6-dev-arm64-cross) is a
/// missing tool, not a failure of the code under test.
fn probe(cc: &[&str], runner: Option<&str>) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let src = dir.path().join("probe.c");
    let exe = dir.path().join("probe");
    std::fs::write(
        &src,
        "#include <math.h>\nint main(void) { return (int)pow(0.0, 1.0); }\n",
    )
    .map_err(|e| e.to_string())?;
    let out = Command::new(cc[0])
        .args(&cc[1..])
        .arg(&src)
        .arg("-lm")
        .arg("-o")
        .arg(&exe)
        .output()
        .map_err(|e| format!("{}: {e}", cc[0]))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{} cannot build a C program ({}); install libc6-dev-arm64-cross",
            cc.join(" "),
            err.lines().next().unwrap_or("")
        ));
    }
    let status = match runner {
        Some(r) => Command::new(r).arg(&exe).status(),
        None => Command::new(&exe).status(),
    };
    match status {
        Ok(s) if s.success() => Ok(()),
        other => Err(format!(
            "{} cannot run the probe program: {other:?}",
            runner.unwrap_or("the host")
        )),
    }
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

struct Prepared {
    _tmp: Option<tempfile::TempDir>,
    dir: PathBuf,
    script: PathBuf,
    cases: Vec<Case>,
    listing: Listing,
    interp: BTreeMap<String, Facts>,
}

/// The script, its listing and the interpreter's facts, shared by the targets.
fn prepared() -> &'static Prepared {
    static P: OnceLock<Prepared> = OnceLock::new();
    P.get_or_init(|| {
        // EXEC_HARNESS_KEEP=DIR keeps the generated files there (to debug)
        let (tmp, dir) = match std::env::var_os("EXEC_HARNESS_KEEP") {
            Some(d) => {
                std::fs::create_dir_all(&d).unwrap();
                (None, PathBuf::from(d))
            }
            None => {
                let t = tempfile::tempdir().unwrap();
                let d = t.path().to_path_buf();
                (Some(t), d)
            }
        };
        let cases = cases();
        let script = dir.join("cases.lua");
        std::fs::write(&script, lua_script(&cases, None)).unwrap();
        let listing = Listing::of(&script);
        // with the deopt hooks (their lines come from the listing; DEFS and
        // therefore every line number are the same in both scripts)
        std::fs::write(&script, lua_script(&cases, Some(&listing))).unwrap();
        let out = run(
            Command::new(LUNAJIT).arg("--jit=off").arg(&script),
            "the interpreter on the cases",
        );
        let interp = parse_facts(&out);
        for c in &cases {
            assert!(
                interp.contains_key(c.name),
                "no interpreter output for {}",
                c.name
            );
        }
        Prepared {
            _tmp: tmp,
            dir,
            script,
            cases,
            listing,
            interp,
        }
    })
}

/// Generates, builds and runs the harness for `target`; returns the
/// mismatches.
fn check_target(target: &str, cc: &[&str], runner: Option<&str>) -> Vec<String> {
    let p = prepared();
    let work = p.dir.join(target);
    std::fs::create_dir_all(&work).unwrap();
    let mut syms: BTreeMap<&str, String> = BTreeMap::new();
    let mut sources = Vec::new();
    for c in &p.cases {
        if syms.contains_key(c.func) {
            continue;
        }
        let asm = run(
            Command::new(LUNAJIT)
                .args(["asm", "--target", target])
                .arg(&p.script)
                .args(["--function", c.func]),
            &format!("lunajit asm --target {target} --function {}", c.func),
        );
        let globls: Vec<&str> = asm
            .lines()
            .filter_map(|l| l.trim().strip_prefix(".globl"))
            .map(str::trim)
            .collect();
        assert_eq!(
            globls.len(),
            1,
            "lunajit asm --target {target} --function {} should define exactly one global \
             symbol, found {globls:?}",
            c.func
        );
        let s = work.join(format!("{}.s", c.func));
        std::fs::write(&s, &asm).unwrap();
        sources.push(s);
        syms.insert(c.func, globls[0].to_string());
    }
    let harness_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exec_harness");
    std::fs::write(work.join("lj_abi.h"), abi_header()).unwrap();
    std::fs::write(
        work.join("cases.c"),
        cases_c(&p.cases, &p.listing, &p.interp, &syms),
    )
    .unwrap();
    let exe = work.join("harness");
    let mut build = Command::new(cc[0]);
    build
        .args(&cc[1..])
        .args(["-O1", "-std=c11", "-Wall"])
        .arg("-I")
        .arg(&work)
        .arg("-I")
        .arg(&harness_dir)
        .arg(harness_dir.join("harness.c"))
        .arg(work.join("cases.c"))
        .args(&sources)
        .arg("-lm")
        .arg("-o")
        .arg(&exe);
    run(&mut build, &format!("building the {target} harness"));
    let mut cmd = match runner {
        Some(r) => {
            let mut c = Command::new(r);
            c.arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    let out = cmd.output().expect("run the harness");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut bad = Vec::new();
    if !out.status.success() || !stdout.ends_with("done\n") {
        bad.push(format!(
            "{target}: the harness stopped ({}); last output:\n{}\n{}",
            out.status,
            stdout
                .lines()
                .rev()
                .take(12)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n"),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let got = parse_facts(&stdout);
    bad.extend(compare(target, &p.cases, &p.listing, &p.interp, &got));
    bad
}

fn assert_all_pass(target: &str, bad: Vec<String>) {
    let n = prepared().cases.len();
    assert!(
        bad.is_empty(),
        "{} of {n} cases differ from the interpreter on {target}:\n{}",
        bad.len(),
        bad.join("\n")
    );
    println!("{target}: all {n} cases agree with the interpreter");
}

/// Says why a test checks nothing, on the real stderr (libtest captures
/// `println!`), so a plain `cargo test` shows it.
fn skip(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "exec_harness: skipped: {why}");
}

#[test]
fn x86_64_code_runs_natively() {
    if !(cfg!(target_arch = "x86_64") && cfg!(target_os = "linux")) {
        skip("x86_64-linux code runs natively only on an x86-64 Linux host");
        return;
    }
    if !tool_works("cc", "--version") {
        skip("no C compiler (cc) to build the harness");
        return;
    }
    let bad = check_target("x86_64-linux", &["cc"], None);
    assert_all_pass("x86_64-linux", bad);
}

#[test]
fn aarch64_code_runs_under_qemu() {
    let native = cfg!(target_arch = "aarch64") && cfg!(target_os = "linux");
    let (cc, runner): (&[&str], Option<&str>) = if native {
        (&["cc"], None)
    } else {
        (&["aarch64-linux-gnu-gcc", "-static"], Some("qemu-aarch64"))
    };
    if !tool_works(cc[0], "--version") {
        skip(&format!(
            "{} not found (install gcc-aarch64-linux-gnu)",
            cc[0]
        ));
        return;
    }
    if let Some(r) = runner {
        if !tool_works(r, "--version") {
            skip(&format!("{r} not found (install qemu-user)"));
            return;
        }
    }
    if let Err(why) = probe(cc, runner) {
        skip(&why);
        return;
    }
    let bad = check_target("aarch64-linux", cc, runner);
    assert_all_pass("aarch64-linux", bad);
}

/// The comparison can fail: facts that agree with the interpreter pass,
/// and one wrong result slot is reported.
#[test]
fn comparison_reports_differences() {
    let p = prepared();
    let c = &p.cases[..1];
    let w = &p.interp[c[0].name];
    let facts = |slots: Vec<String>| {
        BTreeMap::from([(
            c[0].name.to_string(),
            Facts {
                status: Some(abi::return_word(0, w.results.len() as u32)),
                entries: Some(1),
                slots,
                tabs: w.tabs.clone(),
                ups: w.ups.clone(),
                ..Default::default()
            },
        )])
    };
    let good = compare("fake", c, &p.listing, &p.interp, &facts(w.results.clone()));
    assert!(good.is_empty(), "{good:?}");
    let mut wrong = w.results.clone();
    wrong[0] = "int 12345".into();
    let bad = compare("fake", c, &p.listing, &p.interp, &facts(wrong));
    assert_eq!(bad.len(), 1, "{bad:?}");
}
