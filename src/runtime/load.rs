//! Loading chunks (§3.3.2, `load` of §6.1): source text → parser → compiler
//! → runtime prototype → a closure whose first upvalue is `_ENV`.
//!
//! Binary chunks are the output of `string.dump`: a signature, a format
//! version and the serialized prototype (`bytecode::dump`). They are checked
//! structurally before use (`bytecode::verify`), so a damaged binary chunk is
//! an error, never a crash.

use super::func::LuaClosure;
use super::state::State;
use super::value::TValue;

/// The signature that starts binary chunks (as in PUC Lua).
pub const BINARY_SIGNATURE: &[u8] = b"\x1bLua";

/// Compiles `source` and returns a new closure with `_ENV` = the globals
/// table. `chunkname` is `"@file"`, `"=name"` or the text itself. `mode` is
/// "b", "t" or "bt". Errors are complete messages (syntax errors include the
/// position).
pub fn load(
    l: &mut State,
    source: &[u8],
    chunkname: &str,
    mode: &str,
    skip_shebang: bool,
) -> Result<*mut LuaClosure, String> {
    let is_binary = source.starts_with(BINARY_SIGNATURE);
    if is_binary && !mode.contains('b') {
        return Err(format!("attempt to load a binary chunk (mode is '{mode}')"));
    }
    if !is_binary && !mode.contains('t') {
        return Err(format!("attempt to load a text chunk (mode is '{mode}')"));
    }
    let proto = if is_binary {
        crate::bytecode::dump::undump(source, chunkname)?
    } else {
        let ast =
            crate::syntax::parse_with(source, chunkname, skip_shebang).map_err(|e| e.message)?;
        crate::compile::compile(&ast, chunkname).map_err(|e| e.message)?
    };
    let g = l.g();
    let p = g.new_proto(&proto);
    // SAFETY: p is a live proto just created.
    let nup = unsafe { (&*p).upvalues.len() };
    let cl = g.new_lua_closure(p, nup);
    for i in 0..nup {
        let uv = g.new_upval();
        // SAFETY: cl and uv are live; the first upvalue is _ENV.
        unsafe {
            if i == 0 {
                (*uv).closed = TValue::table(g.globals);
            }
            (*cl).upvals[i] = uv;
        }
    }
    if l.g().jit.is_some() {
        // warm start: cached native code for the new prototypes
        crate::jit::on_load(l, p);
    }
    Ok(cl)
}
