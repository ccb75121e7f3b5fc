//! Lua errors as Rust values.
//!
//! A raised Lua error (§2.3) travels up as `Err(LuaError)` through every Rust
//! frame; nothing unwinds. The error object is a `TValue`; while it travels,
//! frames between the raise point and the catcher (`pcall`, `resume`, the
//! API) are left on the `CallInfo` stack, so a message handler still sees them
//! (`xpcall`, tracebacks). The catcher truncates them.
//!
//! GC note: the error value is not rooted while in transit. Nothing between the
//! raise point and the catcher may run the collector without first storing the
//! value in a stack slot (catchers do that before closing variables).

use super::value::TValue;

/// The status codes of §4.4 (`LUA_ERRRUN` ...), for the API and `coroutine.close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A runtime error (`error`, failed operation).
    Runtime,
    /// A syntax error while loading.
    Syntax,
    /// Memory allocation failed.
    Memory,
    /// An error while running a message handler.
    ErrorHandler,
}

/// A Lua error in flight: its kind and error object.
#[derive(Clone, Copy)]
pub struct LuaError {
    pub kind: ErrorKind,
    pub value: TValue,
}

impl std::fmt::Debug for LuaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LuaError({:?}, tag {})", self.kind, self.value.tt)
    }
}

impl LuaError {
    pub fn runtime(value: TValue) -> LuaError {
        LuaError {
            kind: ErrorKind::Runtime,
            value,
        }
    }
}

/// The result of anything that can raise a Lua error.
pub type LuaResult<T> = Result<T, LuaError>;
