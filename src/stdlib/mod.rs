//! The standard libraries (§6): base, coroutine, package, string, table,
//! math, io, os. Each library is a file with an `open` function; `aux` holds
//! the argument-checking helpers they share. The byte-level algorithms of the
//! string library (`pattern`, `fmt`, `pack`) know nothing of the VM.

pub mod aux;
pub mod base;
pub mod coroutine;
pub mod debug;
pub mod fmt;
pub mod io;
pub mod math;
pub mod os;
pub mod pack;
pub mod package;
pub mod pattern;
pub mod strformat;
pub mod string;
pub mod strpack;
pub mod table;
pub mod utf8;

use crate::runtime::state::State;

/// Opens every standard library into the state's globals (`luaL_openlibs`).
pub fn open_libs(l: &mut State) {
    base::open(l);
    package::open(l);
    coroutine::open(l);
    table::open(l);
    io::open(l);
    os::open(l);
    string::open(l);
    math::open(l);
    utf8::open(l);
    debug::open(l);
}
