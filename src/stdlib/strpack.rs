//! `string.pack`, `string.packsize`, `string.unpack` (§6.4.2) glue over
//! `pack`, and `string.dump` (§6.4).

use super::aux::*;
use super::pack::{self, PackArgs, PackError, Unpacked};
use crate::runtime::error::{LuaError, LuaResult};
use crate::runtime::state::State;
use crate::runtime::value::*;

enum GlueErr {
    Pack(PackError),
    Lua(LuaError),
}

impl From<PackError> for GlueErr {
    fn from(e: PackError) -> Self {
        GlueErr::Pack(e)
    }
}

fn to_lua(l: &mut State, e: GlueErr) -> LuaError {
    match e {
        GlueErr::Lua(e) => e,
        GlueErr::Pack(PackError::Argument { arg, msg }) => arg_error(l, arg, msg),
        GlueErr::Pack(PackError::Message(m)) => {
            let s = String::from_utf8_lossy(&m).into_owned();
            l.error(s)
        }
    }
}

struct Args<'a> {
    l: &'a mut State,
}

impl Args<'_> {
    /// PUC `string.pack` pushes a nil marker after its arguments, so a missing
    /// value is reported as "got nil", not "got no value".
    fn present(&mut self, arg: usize, expected: &str) -> Result<(), GlueErr> {
        if arg > nargs(self.l) {
            let msg = format!("{expected} expected, got nil");
            return Err(GlueErr::Lua(arg_error(self.l, arg, &msg)));
        }
        Ok(())
    }
}

impl PackArgs for Args<'_> {
    type Error = GlueErr;
    fn integer(&mut self, arg: usize) -> Result<i64, GlueErr> {
        self.present(arg, "number")?;
        check_int(self.l, arg).map_err(GlueErr::Lua)
    }
    fn number(&mut self, arg: usize) -> Result<f64, GlueErr> {
        self.present(arg, "number")?;
        check_f64(self.l, arg).map_err(GlueErr::Lua)
    }
    fn string(&mut self, arg: usize) -> Result<&[u8], GlueErr> {
        self.present(arg, "string")?;
        let s = check_str(self.l, arg).map_err(GlueErr::Lua)?;
        // SAFETY: the string is rooted in its argument slot.
        Ok(unsafe { bytes(s) })
    }
}

/// `string.pack(fmt, v1, ...)`.
pub fn pack(l: &mut State) -> LuaResult<usize> {
    let f = check_str(l, 1)?;
    // SAFETY: rooted argument.
    let f = unsafe { bytes(f) };
    let mut out = Vec::new();
    let r = {
        let mut args = Args { l };
        pack::pack(f, &mut args, &mut out)
    };
    match r {
        Ok(()) => ret_str(l, &out),
        Err(e) => Err(to_lua(l, e)),
    }
}

/// `string.packsize(fmt)`.
pub fn packsize(l: &mut State) -> LuaResult<usize> {
    let f = check_str(l, 1)?;
    // SAFETY: rooted argument.
    match pack::packsize(unsafe { bytes(f) }) {
        Ok(n) => {
            l.push(TValue::int(n as i64));
            Ok(1)
        }
        Err(e) => Err(to_lua(l, GlueErr::Pack(e))),
    }
}

/// `string.unpack(fmt, s [, pos])`.
pub fn unpack(l: &mut State) -> LuaResult<usize> {
    let f = check_str(l, 1)?;
    let d = check_str(l, 2)?;
    let init = opt_int(l, 3, 1)?;
    // SAFETY: rooted arguments.
    let (f, d) = unsafe { (bytes(f), bytes(d)) };
    let mut count = 0usize;
    let lp: *mut State = l;
    let r = pack::unpack(f, d, init, |u: Unpacked| -> Result<(), GlueErr> {
        // SAFETY: no other borrow of the state is live during the callback.
        let l = unsafe { &mut *lp };
        l.check_stack(2)
            .map_err(|_| GlueErr::Lua(l.error("too many results")))?;
        match u {
            Unpacked::Int(i) => l.push(TValue::int(i)),
            Unpacked::Float(x) => l.push(TValue::float(x)),
            Unpacked::Str(r) => l.push_str(&d[r]),
        }
        count += 1;
        Ok(())
    });
    match r {
        Ok(next) => {
            l.push(TValue::int(next as i64));
            Ok(count + 1)
        }
        Err(e) => Err(to_lua(l, e)),
    }
}

/// `string.dump(f [, strip])` (§6.4): a binary chunk of the Lua function
/// `f` (see `bytecode::dump`); with a true `strip`, without debug
/// information. Native functions cannot be dumped.
pub fn dump(l: &mut State) -> LuaResult<usize> {
    let f = check_function(l, 1)?;
    if f.tt != TLCL {
        return Err(l.error("unable to dump given function"));
    }
    let strip = !arg(l, 2).is_falsy();
    // SAFETY: `f` is a rooted argument holding a live Lua closure; its
    // prototype tree is live as long as the closure is.
    let proto = unsafe { plain_proto(&*(*f.as_lua_closure()).proto) };
    let out = crate::bytecode::dump::dump(&proto, strip);
    ret_str(l, &out)
}

/// Converts a runtime prototype tree back into plain data (the inverse of
/// `GlobalState::new_proto`). Recursive: the depth of a runtime prototype
/// tree is bounded by the compiler's and `undump`'s nesting limits.
///
/// # Safety
/// `p`'s constants, nested protos and source must be live.
pub(crate) unsafe fn plain_proto(p: &crate::runtime::func::Proto) -> crate::bytecode::Proto {
    use crate::bytecode::Constant;
    let constants =
        p.k.iter()
            .map(|v| match v.tt {
                TFALSE => Constant::Boolean(false),
                TTRUE => Constant::Boolean(true),
                TINT => Constant::Integer(v.as_int()),
                TFLOAT => Constant::Float(v.as_float()),
                // SAFETY: a string constant is a live string.
                TSTR => Constant::String(unsafe { (*v.as_string()).as_bytes() }.to_vec()),
                // Only the kinds above are ever constants.
                _ => Constant::Nil,
            })
            .collect();
    crate::bytecode::Proto {
        source: p.source_name(),
        line_defined: p.line_defined,
        last_line_defined: p.last_line_defined,
        num_params: p.num_params,
        is_vararg: p.is_vararg,
        max_stack_size: p.max_stack_size,
        code: p.code.to_vec(),
        constants,
        upvalues: p.upvalues.to_vec(),
        // SAFETY: nested prototypes are live (the caller's contract).
        protos: p
            .protos
            .iter()
            .map(|&c| unsafe { plain_proto(&*c) })
            .collect(),
        line_info: p.line_info.to_vec(),
        loc_vars: p.loc_vars.to_vec(),
    }
}
