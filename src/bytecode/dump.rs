//! Binary chunks: the byte format `string.dump` writes (§6.4) and `load`
//! reads back in mode "b" (§6.1), for a [`Proto`] tree.
//!
//! Layout (all multi-byte numbers little-endian; "varint" is unsigned LEB128:
//! 7 bits per byte, low group first, high bit set on every byte but the last):
//!
//! ```text
//! header   "\x1bLua" 0x54 FORMAT "\x19\x93\r\n\x1a\n"
//!          u32 instruction-set fingerprint
//!          u8 4 (Instruction size) u8 8 (integer size) u8 8 (float size)
//!          i64 0x5678   f64 370.5        (byte order / representation check)
//! function source      varint 0 = none (inherit the parent's; "=?" for the
//!                                main function), else 1 + length, then bytes
//!          line_defined, last_line_defined             varint each
//!          num_params u8, is_vararg u8 (0 or 1), max_stack_size u8
//!          code        varint n, n × u32
//!          constants   varint n, n × (tag u8, payload): 0 nil, 1 false,
//!                      2 true, 3 integer (i64), 4 float (f64 bits),
//!                      5 string (varint length, bytes)
//!          upvalues    varint n, n × (in_stack u8 (0 or 1), index u8)
//!          line_info   varint n (0 when stripped, else #code), then each
//!                      line as a zigzag varint delta from the previous one
//!                      (the first from line_defined)
//!          loc_vars    varint n, n × (name, start_pc varint, end_pc varint)
//!          upval names varint n (0 when stripped), n × name
//!          protos      varint n, then n nested functions in this format
//! ```
//! Names are a varint length and UTF-8 bytes. A nested function's source
//! is written only when it differs from its parent's, as PUC Lua does.
//!
//! The format byte differs from PUC's (0), so a PUC binary chunk is rejected
//! with "format mismatch" rather than misread, and the fingerprint of the
//! opcode list rejects chunks written by a lunajit with a different
//! instruction set.
//!
//! Invariants: [`undump`] never panics and never allocates more than a small
//! multiple of its input (every count is checked against the bytes left
//! before anything is reserved); it bounds function nesting by
//! [`crate::compile::MAX_DEPTH`] (so later recursive walks of the tree are
//! bounded too) and runs [`super::verify`] on the result, so whatever it
//! returns is safe for the interpreter. A stripped chunk (no debug
//! information) comes back with all line numbers 0, no local names and
//! empty upvalue names. [`dump`] walks the tree with an explicit stack.
//!
//! Calls only `bytecode` (the data types, `verify`, the opcode list) and
//! reads the signature constant of `runtime::load`.

use super::opcode::OpCode;
use super::{Constant, LocVar, Proto, UpvalDesc};
use crate::runtime::load::BINARY_SIGNATURE;

/// The version byte after the signature: Lua 5.4 (as in PUC Lua).
pub const VERSION: u8 = 0x54;

/// lunajit's format byte (PUC's official format is 0). Change it when the
/// layout of this file changes.
pub const FORMAT: u8 = 0x4a;

/// Bytes that catch text-mode conversions of the chunk (PUC's `LUAC_DATA`).
const CHECK_DATA: &[u8] = b"\x19\x93\r\n\x1a\n";
/// Test integer and float of the header (PUC's `LUAC_INT`, `LUAC_NUM`).
const CHECK_INT: i64 = 0x5678;
const CHECK_NUM: f64 = 370.5;

/// Chunk name of a stripped main function (PUC's "=?").
const STRIPPED_SOURCE: &str = "=?";

// Constant tags.
const TAG_NIL: u8 = 0;
const TAG_FALSE: u8 = 1;
const TAG_TRUE: u8 = 2;
const TAG_INT: u8 = 3;
const TAG_FLOAT: u8 = 4;
const TAG_STR: u8 = 5;

/// Most upvalues a function may have (the compiler's limit: 8-bit operands).
const MAX_UPVALUES: usize = 255;

/// A 32-bit FNV-1a hash of the opcode names in numeric order: two builds
/// agree on it exactly when their opcode numbering agrees.
pub fn instruction_set_fingerprint() -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for op in OpCode::ALL {
        for &b in op.name().as_bytes().iter().chain(b";") {
            h ^= b as u32;
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

/// Serializes `p` and its nested functions as a binary chunk (§6.4
/// `string.dump`). With `strip`, debug information is left out: sources,
/// line numbers, local variable and upvalue names.
pub fn dump(p: &Proto, strip: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + p.code.len() * 6);
    out.extend_from_slice(BINARY_SIGNATURE);
    out.push(VERSION);
    out.push(FORMAT);
    out.extend_from_slice(CHECK_DATA);
    out.extend_from_slice(&instruction_set_fingerprint().to_le_bytes());
    out.push(std::mem::size_of::<super::Instruction>() as u8);
    out.push(8);
    out.push(8);
    out.extend_from_slice(&CHECK_INT.to_le_bytes());
    out.extend_from_slice(&CHECK_NUM.to_le_bytes());
    // Pre-order walk: a function is written whole (nested count last), then
    // its children in order, so the reader can rebuild the tree in one pass.
    let mut stack: Vec<(&Proto, Option<&str>)> = vec![(p, None)];
    while let Some((f, parent_source)) = stack.pop() {
        write_function(&mut out, f, parent_source, strip);
        for c in f.protos.iter().rev() {
            stack.push((c, Some(&f.source)));
        }
    }
    out
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn write_function(out: &mut Vec<u8>, f: &Proto, parent_source: Option<&str>, strip: bool) {
    if strip || parent_source == Some(f.source.as_str()) {
        write_varint(out, 0);
    } else {
        write_varint(out, f.source.len() as u64 + 1);
        out.extend_from_slice(f.source.as_bytes());
    }
    write_varint(out, f.line_defined as u64);
    write_varint(out, f.last_line_defined as u64);
    out.push(f.num_params);
    out.push(f.is_vararg as u8);
    out.push(f.max_stack_size);
    write_varint(out, f.code.len() as u64);
    for i in &f.code {
        out.extend_from_slice(&i.to_le_bytes());
    }
    write_varint(out, f.constants.len() as u64);
    for k in &f.constants {
        match k {
            Constant::Nil => out.push(TAG_NIL),
            Constant::Boolean(false) => out.push(TAG_FALSE),
            Constant::Boolean(true) => out.push(TAG_TRUE),
            Constant::Integer(i) => {
                out.push(TAG_INT);
                out.extend_from_slice(&i.to_le_bytes());
            }
            Constant::Float(x) => {
                out.push(TAG_FLOAT);
                out.extend_from_slice(&x.to_bits().to_le_bytes());
            }
            Constant::String(s) => {
                out.push(TAG_STR);
                write_bytes(out, s);
            }
        }
    }
    write_varint(out, f.upvalues.len() as u64);
    for u in &f.upvalues {
        out.push(u.in_stack as u8);
        out.push(u.index);
    }
    if strip {
        write_varint(out, 0); // line_info
        write_varint(out, 0); // loc_vars
        write_varint(out, 0); // upvalue names
    } else {
        write_varint(out, f.line_info.len() as u64);
        let mut prev = f.line_defined as i64;
        for &line in &f.line_info {
            let d = line as i64 - prev;
            // Zigzag: small magnitudes of either sign get small codes.
            write_varint(out, ((d << 1) ^ (d >> 63)) as u64);
            prev = line as i64;
        }
        write_varint(out, f.loc_vars.len() as u64);
        for v in &f.loc_vars {
            write_bytes(out, v.name.as_bytes());
            write_varint(out, v.start_pc as u64);
            write_varint(out, v.end_pc as u64);
        }
        write_varint(out, f.upvalues.len() as u64);
        for u in &f.upvalues {
            write_bytes(out, u.name.as_bytes());
        }
    }
    write_varint(out, f.protos.len() as u64);
}

/// Reads a binary chunk written by [`dump`] (§6.1 `load`, mode "b") and
/// checks it with [`super::verify`]. `chunkname` is the name given to
/// `load`; errors are complete messages in PUC Lua's form
/// `"NAME: bad binary format (truncated chunk)"`, where NAME is the chunk
/// name without its leading `@` or `=`, or "binary string" when the name is
/// the chunk itself. The result keeps the source recorded in the chunk
/// (`"=?"` for a stripped one), not `chunkname`.
pub fn undump(bytes: &[u8], chunkname: &str) -> Result<Proto, String> {
    let name = match chunkname.as_bytes().first() {
        Some(b'@') | Some(b'=') => &chunkname[1..],
        Some(&c) if c == BINARY_SIGNATURE[0] => "binary string",
        _ => chunkname,
    };
    let fail = |why: &str| format!("{name}: bad binary format ({why})");
    let proto = read_chunk(bytes, SOURCE_COPY_BUDGET).map_err(|e| fail(&e))?;
    super::verify(&proto).map_err(|e| fail(&e))?;
    Ok(proto)
}

/// A cursor over the chunk; every read reports truncation as an error.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

const TRUNCATED: &str = "truncated chunk";

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.left() {
            return Err(TRUNCATED.into());
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.bytes(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    fn flag(&mut self) -> Result<bool, String> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err("bad flag".into()),
        }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            let bits = (b & 0x7f) as u64;
            if shift == 63 && bits > 1 || shift > 63 {
                return Err("integer overflow".into());
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn u32(&mut self) -> Result<u32, String> {
        u32::try_from(self.varint()?).map_err(|_| "integer overflow".to_string())
    }

    /// A count of items that take at least `min_size` bytes each: it cannot
    /// exceed what is left of the input.
    fn count(&mut self, min_size: usize) -> Result<usize, String> {
        let n = self.varint()?;
        match usize::try_from(n) {
            Ok(n) if n.saturating_mul(min_size) <= self.left() => Ok(n),
            _ => Err(TRUNCATED.into()),
        }
    }

    fn string_bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.count(1)?;
        self.bytes(n)
    }

    fn name(&mut self) -> Result<String, String> {
        let b = self.string_bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| "bad name".to_string())
    }
}

fn read_header(r: &mut Reader) -> Result<(), String> {
    if r.bytes(BINARY_SIGNATURE.len())? != BINARY_SIGNATURE {
        return Err("not a binary chunk".into());
    }
    if r.byte()? != VERSION {
        return Err("version mismatch".into());
    }
    if r.byte()? != FORMAT {
        return Err("format mismatch".into());
    }
    if r.bytes(CHECK_DATA.len())? != CHECK_DATA {
        return Err("corrupted chunk".into());
    }
    if u32::from_le_bytes(r.array()?) != instruction_set_fingerprint() {
        return Err("instruction set mismatch".into());
    }
    if r.byte()? as usize != std::mem::size_of::<super::Instruction>() {
        return Err("Instruction size mismatch".into());
    }
    if r.byte()? != 8 {
        return Err("lua_Integer size mismatch".into());
    }
    if r.byte()? != 8 {
        return Err("lua_Number size mismatch".into());
    }
    if i64::from_le_bytes(r.array()?) != CHECK_INT {
        return Err("integer format mismatch".into());
    }
    if f64::from_le_bytes(r.array()?) != CHECK_NUM {
        return Err("float format mismatch".into());
    }
    Ok(())
}

/// Reads one function without its nested ones; returns it and how many
/// nested functions follow.
fn read_function(r: &mut Reader, parent_source: &str) -> Result<(Proto, usize), String> {
    let source = match r.varint()? {
        0 => parent_source.to_string(),
        n => {
            let n = usize::try_from(n - 1).map_err(|_| TRUNCATED.to_string())?;
            String::from_utf8(r.bytes(n)?.to_vec()).map_err(|_| "bad source name".to_string())?
        }
    };
    let line_defined = r.u32()?;
    let last_line_defined = r.u32()?;
    let num_params = r.byte()?;
    let is_vararg = r.flag()?;
    let max_stack_size = r.byte()?;
    let n = r.count(4)?;
    let code: Vec<u32> = (0..n)
        .map(|_| r.array().map(u32::from_le_bytes))
        .collect::<Result<_, _>>()?;
    let n = r.count(1)?;
    let mut constants = Vec::with_capacity(n);
    for _ in 0..n {
        let k = match r.byte()? {
            TAG_NIL => Constant::Nil,
            TAG_FALSE => Constant::Boolean(false),
            TAG_TRUE => Constant::Boolean(true),
            TAG_INT => Constant::Integer(i64::from_le_bytes(r.array()?)),
            TAG_FLOAT => Constant::Float(f64::from_bits(u64::from_le_bytes(r.array()?))),
            TAG_STR => Constant::String(r.string_bytes()?.to_vec()),
            _ => return Err("bad constant".into()),
        };
        constants.push(k);
    }
    let n = r.count(2)?;
    if n > MAX_UPVALUES {
        return Err("too many upvalues".into());
    }
    let mut upvalues: Vec<UpvalDesc> = (0..n)
        .map(|_| {
            Ok(UpvalDesc {
                name: String::new(),
                in_stack: r.flag()?,
                index: r.byte()?,
            })
        })
        .collect::<Result<_, String>>()?;
    // Debug information.
    let n = r.count(1)?;
    let line_info = if n == 0 {
        vec![0; code.len()]
    } else {
        if n != code.len() {
            return Err("bad line info".into());
        }
        let mut lines = Vec::with_capacity(n);
        let mut line = line_defined as i64;
        for _ in 0..n {
            let z = r.varint()?;
            let d = (z >> 1) as i64 ^ -((z & 1) as i64);
            line = line
                .checked_add(d)
                .filter(|l| (0..=u32::MAX as i64).contains(l))
                .ok_or_else(|| "bad line info".to_string())?;
            lines.push(line as u32);
        }
        lines
    };
    let n = r.count(3)?;
    let mut loc_vars = Vec::with_capacity(n);
    for _ in 0..n {
        loc_vars.push(LocVar {
            name: r.name()?,
            start_pc: r.u32()?,
            end_pc: r.u32()?,
        });
    }
    let n = r.count(1)?;
    if n != 0 && n != upvalues.len() {
        return Err("bad upvalue names".into());
    }
    for u in upvalues.iter_mut().take(n) {
        u.name = r.name()?;
    }
    let nested = r.count(1)?;
    let f = Proto {
        source,
        line_defined,
        last_line_defined,
        num_params,
        is_vararg,
        max_stack_size,
        code,
        constants,
        upvalues,
        protos: Vec::new(),
        line_info,
        loc_vars,
    };
    Ok((f, nested))
}

/// Most bytes of inherited source names a chunk may make us copy, beyond
/// 16 times its own size. A nested function without its own source gets a
/// copy of its parent's (`Proto::source` is an owned string), so a short
/// chunk with a long source and many functions could otherwise demand
/// gigabytes.
const SOURCE_COPY_BUDGET: usize = 256 << 20;

/// Reads the header and the function tree, iteratively: a stack holds the
/// functions whose nested functions are still being read.
fn read_chunk(bytes: &[u8], source_budget: usize) -> Result<Proto, String> {
    let mut r = Reader {
        data: bytes,
        pos: 0,
    };
    read_header(&mut r)?;
    let mut budget = source_budget.saturating_add(bytes.len().saturating_mul(16));
    // (function, nested functions still to read)
    let mut open: Vec<(Proto, usize)> = Vec::new();
    let mut source = STRIPPED_SOURCE.to_string();
    loop {
        let (f, nested) = read_function(&mut r, &source)?;
        budget = budget
            .checked_sub(f.source.len())
            .ok_or_else(|| "source names too large".to_string())?;
        if nested > 0 {
            if open.len() >= crate::compile::MAX_DEPTH as usize {
                return Err("functions nested too deeply".into());
            }
            source = f.source.clone();
            open.push((f, nested));
            continue;
        }
        // Attach the finished function to its parent; a parent whose last
        // child this was is finished in turn.
        let mut done = f;
        loop {
            let Some((mut parent, left)) = open.pop() else {
                return Ok(done);
            };
            parent.protos.push(done);
            if left > 1 {
                source = parent.source.clone();
                open.push((parent, left - 1));
                break;
            }
            done = parent;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER_LEN: usize = 35;

    fn compile(src: &str) -> Proto {
        let ast = crate::syntax::parse(src.as_bytes(), "@test.lua").expect("parse");
        crate::compile::compile(&ast, "@test.lua").expect("compile")
    }

    /// What a stripped chunk reads back as.
    fn stripped(p: &Proto) -> Proto {
        let mut q = p.clone();
        let mut stack = vec![&mut q];
        while let Some(f) = stack.pop() {
            f.source = STRIPPED_SOURCE.into();
            f.line_info = vec![0; f.code.len()];
            f.loc_vars.clear();
            for u in &mut f.upvalues {
                u.name.clear();
            }
            stack.extend(f.protos.iter_mut());
        }
        q
    }

    const PROGRAMS: &[&str] = &[
        "return 1",
        "local a, b = 1, 2.5; local s = 'x\\0y' return a + b, s, nil, true, false, 2^63, -0.0, 1e308 * 10",
        "local up = 0 local function f(...) up = up + select('#', ...) return function() return up end end return f",
        "for i = 1, 10 do print(i) end for k, v in pairs({}) do end while true do break end",
        "local t = {1, 2, 3, x = 'y', [10] = {}} goto l ::l:: return #t",
        "local function a() local function b() local function c() return a, b end return c end return b end return a",
    ];

    #[test]
    fn round_trip_preserves_every_field() {
        for src in PROGRAMS {
            let p = compile(src);
            let bytes = dump(&p, false);
            assert!(bytes.starts_with(b"\x1bLua\x54"));
            let q = undump(&bytes, "=x").expect(src);
            assert_eq!(p, q, "{src}");
            // Dumping the result again gives the same bytes.
            assert_eq!(dump(&q, false), bytes);
        }
    }

    #[test]
    fn nested_functions_keep_their_line_numbers_and_source() {
        let p = compile("local x\nlocal function f()\n  return x\nend\nreturn f");
        let q = undump(&dump(&p, false), "=x").unwrap();
        assert_eq!(q.source, "@test.lua");
        assert_eq!(q.protos[0].source, "@test.lua");
        assert_eq!(q.protos[0].line_defined, 2);
        assert_eq!(q.protos[0].last_line_defined, 4);
        assert_eq!(q.protos[0].upvalues[0].name, "x");
    }

    #[test]
    fn strip_drops_debug_information() {
        for src in PROGRAMS {
            let p = compile(src);
            let full = dump(&p, false);
            let bytes = dump(&p, true);
            assert!(bytes.len() < full.len());
            let q = undump(&bytes, "=x").expect(src);
            assert_eq!(q, stripped(&p), "{src}");
            assert_eq!(q.source, "=?");
        }
    }

    #[test]
    fn nan_and_negative_zero_constants_keep_their_bits() {
        let mut p = compile("return 1");
        p.constants = vec![Constant::Float(f64::NAN), Constant::Float(-0.0)];
        let q = undump(&dump(&p, false), "=x").unwrap();
        let bits: Vec<u64> = q
            .constants
            .iter()
            .map(|k| match k {
                Constant::Float(x) => x.to_bits(),
                _ => panic!("not a float"),
            })
            .collect();
        assert_eq!(bits, vec![f64::NAN.to_bits(), (-0.0f64).to_bits()]);
    }

    #[test]
    fn every_truncation_is_an_error() {
        let p = compile(PROGRAMS[2]);
        for strip in [false, true] {
            let bytes = dump(&p, strip);
            for n in 0..bytes.len() {
                let e = undump(&bytes[..n], "=x").expect_err("truncated chunk accepted");
                assert!(e.starts_with("x: bad binary format ("), "{e}");
            }
            // Past the header, cutting the chunk short is reported as such.
            let e = undump(&bytes[..bytes.len() - 1], "=x").unwrap_err();
            assert_eq!(e, "x: bad binary format (truncated chunk)");
        }
    }

    #[test]
    fn header_errors_name_the_problem() {
        let bytes = dump(&compile("return 1"), false);
        let with = |i: usize, b: u8| {
            let mut v = bytes.clone();
            v[i] = b;
            undump(&v, "@f.lua").unwrap_err()
        };
        assert_eq!(
            with(1, b'X'),
            "f.lua: bad binary format (not a binary chunk)"
        );
        assert_eq!(with(4, 0x53), "f.lua: bad binary format (version mismatch)");
        assert_eq!(with(5, 0), "f.lua: bad binary format (format mismatch)");
        assert_eq!(with(8, b'\n'), "f.lua: bad binary format (corrupted chunk)");
        assert_eq!(
            with(12, 0),
            "f.lua: bad binary format (instruction set mismatch)"
        );
        assert_eq!(
            with(16, 8),
            "f.lua: bad binary format (Instruction size mismatch)"
        );
        assert_eq!(
            with(17, 4),
            "f.lua: bad binary format (lua_Integer size mismatch)"
        );
        assert_eq!(
            with(18, 4),
            "f.lua: bad binary format (lua_Number size mismatch)"
        );
        assert_eq!(
            with(19, 0x79),
            "f.lua: bad binary format (integer format mismatch)"
        );
        assert_eq!(
            with(34, 0),
            "f.lua: bad binary format (float format mismatch)"
        );
    }

    #[test]
    fn error_prefix_follows_the_chunk_name() {
        let b = b"\x1bLua";
        assert_eq!(
            undump(b, "=stdin").unwrap_err(),
            "stdin: bad binary format (truncated chunk)"
        );
        assert_eq!(
            undump(b, "@a.luac").unwrap_err(),
            "a.luac: bad binary format (truncated chunk)"
        );
        assert_eq!(
            undump(b, "plain").unwrap_err(),
            "plain: bad binary format (truncated chunk)"
        );
        assert_eq!(
            undump(b, "\x1bLua...").unwrap_err(),
            "binary string: bad binary format (truncated chunk)"
        );
    }

    #[test]
    fn puc_binary_chunks_are_rejected() {
        // The start of what `luac` 5.4 writes (format 0).
        let puc = b"\x1bLua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08";
        assert_eq!(
            undump(puc, "=x").unwrap_err(),
            "x: bad binary format (format mismatch)"
        );
    }

    #[test]
    fn damaged_code_is_rejected_by_the_verifier() {
        let mut p = compile("local a = 1 return a");
        // A register beyond the frame.
        let last = p.code.len() - 1;
        p.code[last] =
            crate::bytecode::ins::abc(crate::bytecode::OpCode::RETURN1, 200, 0, 0, false);
        let e = undump(&dump(&p, false), "=x").unwrap_err();
        assert!(
            e.starts_with("x: bad binary format (function at line 0"),
            "{e}"
        );
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut p = compile("return 1");
        for _ in 0..(crate::compile::MAX_DEPTH as usize + 5) {
            let mut parent = compile("return 1");
            parent.protos.push(p);
            p = parent;
        }
        let bytes = dump(&p, true);
        assert_eq!(
            undump(&bytes, "=x").unwrap_err(),
            "x: bad binary format (functions nested too deeply)"
        );
        // Drop the deep tree without recursing too far on a test thread.
        let mut stack = vec![p];
        while let Some(mut f) = stack.pop() {
            stack.append(&mut f.protos);
        }
    }

    #[test]
    fn huge_counts_do_not_allocate() {
        let mut bytes = dump(&compile("return 1"), true);
        // Replace everything after the header with a function claiming a
        // code array of 2^60 instructions.
        bytes.truncate(HEADER_LEN);
        bytes.extend_from_slice(&[0, 0, 0, 0, 0, 2]);
        bytes.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
        assert_eq!(
            undump(&bytes, "=x").unwrap_err(),
            "x: bad binary format (truncated chunk)"
        );
        // An 11-byte varint overflows.
        bytes.truncate(HEADER_LEN);
        bytes.extend_from_slice(&[0xff; 11]);
        assert_eq!(
            undump(&bytes, "=x").unwrap_err(),
            "x: bad binary format (integer overflow)"
        );
    }

    #[test]
    fn inherited_sources_are_bounded() {
        let mut p = compile("return 1");
        p.source = "s".repeat(1000);
        for _ in 0..100 {
            let mut c = compile("return 1");
            c.source = p.source.clone();
            p.protos.push(c);
        }
        let bytes = dump(&p, false);
        assert!(read_chunk(&bytes, 100_000).is_ok());
        // 101 copies of 1000 bytes do not fit in 16 x the chunk (~ 2,500 bytes).
        assert_eq!(read_chunk(&bytes, 0).unwrap_err(), "source names too large");
    }

    /// A small deterministic generator (xorshift64*), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    #[test]
    fn random_damage_never_panics_and_never_passes_unverified() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut accepted = 0;
        for src in PROGRAMS {
            let p = compile(src);
            for strip in [false, true] {
                let bytes = dump(&p, strip);
                for _ in 0..400 {
                    let mut v = bytes.clone();
                    let flips = 1 + rng.next() % 3;
                    for _ in 0..flips {
                        let i = (rng.next() % v.len() as u64) as usize;
                        v[i] ^= 1 << (rng.next() % 8);
                    }
                    if let Ok(q) = undump(&v, "=x") {
                        accepted += 1;
                        assert!(crate::bytecode::verify(&q).is_ok());
                    }
                }
            }
        }
        // Flips in constants and debug information are harmless and get
        // through; the test would be vacuous if nothing did.
        assert!(accepted > 0);
    }
}
