//! The Lua runtime: values, strings, tables, functions, the GC, errors,
//! metamethods, coroutines and the VM state (reference manual §2).
//!
//! Objects are allocated and freed only here (`state::Global` allocators,
//! `gc`). Everything is single-threaded: a universe (one `Global` and its
//! threads) is used from one OS thread at a time. Raw pointers to GC objects
//! are valid while the object is reachable from a root; `gc` explains when a
//! collection can happen (safepoints only).

pub mod coroutine;
pub mod debug;
pub mod error;
pub mod func;
pub mod gc;
pub mod load;
pub mod state;
pub mod string;
pub mod table;
pub mod tm;
pub mod userdata;
pub mod value;
