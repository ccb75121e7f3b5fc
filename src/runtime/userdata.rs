//! Full userdata (§2.1): a block of Rust data owned by the Lua heap, with a
//! metatable and one user value (`debug.setuservalue`). The standard
//! library's file handles are userdata.

use super::gc::{GcHeader, GcKind};
use super::table::Table;
use super::value::TValue;
use std::any::Any;

/// A full userdata object.
#[repr(C)]
pub struct Userdata {
    pub hdr: GcHeader,
    pub metatable: *mut Table,
    /// The user value (`debug.getuservalue(u, 1)`).
    pub user_value: TValue,
    /// The Rust payload.
    pub data: Box<dyn Any>,
}

impl Userdata {
    pub fn new(data: Box<dyn Any>) -> Userdata {
        Userdata {
            hdr: GcHeader::new(GcKind::Userdata),
            metatable: std::ptr::null_mut(),
            user_value: TValue::NIL,
            data,
        }
    }
}
