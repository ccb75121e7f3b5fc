//! The contract between Rust and the generated code (`../shared/DESIGN.md`,
//! "Generated code"): the [`JitVm`] block every native function receives, the
//! status word it returns, and the offsets the assembly uses. Every offset is
//! computed here with `core::mem::offset_of!` and written into each `.s` file
//! as `.set` constants, so a layout change can never be baked silently into
//! code; [`abi_fingerprint`] hashes them for cache keys.
//!
//! Signature of a compiled function (the C calling convention of the
//! target: System V AMD64, or AAPCS64 on AArch64):
//! `extern "C" fn(vm: *mut JitVm, base: *mut TValue, entry: u32) -> u64`.
//! `base` points at register 0 of the frame the interpreter set up; `entry`
//! is 0 for the function start or `1 + i` for the `i`-th OSR entry (a loop
//! header) of [`NativeCode::osr_pcs`].

use crate::runtime::func::UpVal;
use crate::runtime::table::Table;
use crate::runtime::value::TValue;

/// Version of this contract; part of every cache key (with
/// [`abi_fingerprint`]).
pub const ABI_VERSION: u32 = 9;

/// The block native code reaches through its first argument. The interpreter
/// fills `k` and `upvals` for the closure it enters.
#[repr(C)]
#[derive(Debug)]
pub struct JitVm {
    /// The running thread (`*mut State`), for helpers.
    pub state: *mut crate::runtime::state::State,
    /// The running prototype's constants (`K[0]`).
    pub k: *const TValue,
    /// The running closure's upvalues.
    pub upvals: *const *mut UpVal,
    /// Native entries made (for `--jit-stats`).
    pub entries: u64,
    /// The helper table (`jit::helpers::HELPERS`).
    pub helpers: *const *const (),
}

impl Default for JitVm {
    fn default() -> JitVm {
        JitVm {
            state: std::ptr::null_mut(),
            k: std::ptr::null(),
            upvals: std::ptr::null(),
            entries: 0,
            helpers: crate::jit::helpers::HELPERS.0.as_ptr(),
        }
    }
}

/// The type of a compiled function's entry point.
pub type NativeFn = unsafe extern "C" fn(*mut JitVm, *mut TValue, u32) -> u64;

/// Status kinds in the low byte of the returned word.
pub mod status {
    /// The function returned: bits 8..32 are the first result's register,
    /// bits 32..64 the number of results.
    pub const RETURN: u64 = 0;
    /// A guard failed (a value of a type the fast path does not cover): bits
    /// 8..40 are the pc (0-based) at which the interpreter resumes the frame,
    /// which is intact (registers live in their stack slots). Counts towards
    /// the deopt policy (`jit::guard_failed`).
    pub const DEOPT: u64 = 1;
    /// A call made from native code raised an error, kept in
    /// `Jit::pending_error`; the interpreter rethrows it.
    pub const ERROR: u64 = 2;
    /// An expected exit, not a failed guard: an instruction without a native
    /// form, the native recursion limit at a `CALL`, or a hook set during a
    /// call. Same layout as [`DEOPT`].
    pub const RESUME: u64 = 3;
}

/// A decoded status word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Return { first: usize, n: usize },
    Deopt { pc: usize },
    Resume { pc: usize },
    Error,
}

/// Decodes a status word; unknown kinds are treated as a deopt at pc 0 never
/// happens: they are reported as `None`.
pub fn decode(st: u64) -> Option<Status> {
    match st & 0xff {
        status::RETURN => Some(Status::Return {
            first: ((st >> 8) & 0xff_ffff) as usize,
            n: (st >> 32) as usize,
        }),
        status::DEOPT => Some(Status::Deopt {
            pc: ((st >> 8) & 0xffff_ffff) as usize,
        }),
        status::ERROR => Some(Status::Error),
        status::RESUME => Some(Status::Resume {
            pc: ((st >> 8) & 0xffff_ffff) as usize,
        }),
        _ => None,
    }
}

/// The status word of a deopt at `pc` (what the generated exits load).
pub fn deopt_word(pc: usize) -> u64 {
    status::DEOPT | ((pc as u64) << 8)
}

/// The status word of an expected exit at `pc` (see [`status::RESUME`]).
pub fn resume_word(pc: usize) -> u64 {
    status::RESUME | ((pc as u64) << 8)
}

/// The status word of a return of `n` values from register `first`.
pub fn return_word(first: u32, n: u32) -> u64 {
    status::RETURN | ((first as u64) << 8) | ((n as u64) << 32)
}

/// Offsets and sizes the assembly uses, by the names the `.s` files give them.
pub fn offsets() -> Vec<(&'static str, usize)> {
    use std::mem::{offset_of, size_of};
    vec![
        ("LJ_TV_SIZE", size_of::<TValue>()),
        ("LJ_TV_VAL", offset_of!(TValue, val)),
        ("LJ_TV_TT", offset_of!(TValue, tt)),
        ("LJ_VM_K", offset_of!(JitVm, k)),
        ("LJ_VM_UPVALS", offset_of!(JitVm, upvals)),
        ("LJ_VM_ENTRIES", offset_of!(JitVm, entries)),
        ("LJ_VM_HELPERS", offset_of!(JitVm, helpers)),
        ("LJ_VM_STATE", offset_of!(JitVm, state)),
        ("LJ_UV_V", offset_of!(UpVal, v)),
        (
            "LJ_T_ARR_PTR",
            offset_of!(Table, array) + crate::runtime::table::ARRAY_PTR_OFFSET,
        ),
        (
            "LJ_T_ARR_LEN",
            offset_of!(Table, array) + crate::runtime::table::ARRAY_LEN_OFFSET,
        ),
        ("LJ_T_NODE_PTR", crate::runtime::table::NODE_PTR_OFFSET),
        ("LJ_T_NODE_LEN", crate::runtime::table::NODE_LEN_OFFSET),
        ("LJ_NODE_SIZE", size_of::<crate::runtime::table::Node>()),
        (
            "LJ_STR_HASH",
            offset_of!(crate::runtime::string::LuaString, hash),
        ),
    ]
}

/// A hash of [`ABI_VERSION`] and every offset, for cache keys.
pub fn abi_fingerprint() -> u64 {
    // FNV-1a over the text form; stable across runs of the same binary.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let text = format!("{ABI_VERSION}:{:?}", offsets());
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Compiled code installed for a prototype.
#[derive(Clone, Debug)]
pub struct NativeCode {
    pub entry: NativeFn,
    /// Whether the interpreter should enter at the function's start (entry 0).
    pub at_start: bool,
    /// (pc, entry id) of the loop headers worth entering by OSR.
    pub osr: Box<[(u32, u32)]>,
    /// Native entries, and exits where a guard failed, for the deopt policy.
    pub entries: u64,
    pub guard_failures: u64,
    /// (pc, count) of the guards that failed, for the deopt policy.
    pub failing_pcs: Vec<(u32, u64)>,
    /// A placeholder while the worker compiles this prototype's batch: never
    /// entered (no start entry, no OSR entries); the interpreter instead
    /// calls `jit::poll` at this prototype's function entries and
    /// back-edges, which is where finished code gets installed.
    pub pending: bool,
}

/// The entry of a [`NativeCode::placeholder`]. It is never entered; should
/// it be, entry 0 resumes the interpreter at pc 0 (the function's start,
/// where nothing has happened yet) and any other entry is a bad status,
/// which the interpreter reports as an internal error.
unsafe extern "C" fn placeholder_entry(_: *mut JitVm, _: *mut TValue, entry: u32) -> u64 {
    if entry == 0 {
        resume_word(0)
    } else {
        0xff
    }
}

impl NativeCode {
    /// Marks a prototype whose batch is being compiled (see
    /// [`NativeCode::pending`]).
    pub fn placeholder() -> NativeCode {
        NativeCode {
            entry: placeholder_entry,
            at_start: false,
            osr: Box::new([]),
            entries: 0,
            guard_failures: 0,
            failing_pcs: Vec::new(),
            pending: true,
        }
    }

    /// The entry id for resuming at `pc`, if there is one.
    pub fn osr_entry(&self, pc: usize) -> Option<u32> {
        self.osr
            .iter()
            .find(|&&(p, _)| p as usize == pc)
            .map(|&(_, id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_round_trip() {
        assert_eq!(
            decode(return_word(3, 2)),
            Some(Status::Return { first: 3, n: 2 })
        );
        assert_eq!(decode(deopt_word(1234)), Some(Status::Deopt { pc: 1234 }));
        assert_eq!(decode(resume_word(77)), Some(Status::Resume { pc: 77 }));
        assert_eq!(decode(0x42), None);
    }

    #[test]
    fn tvalue_layout_is_what_the_asm_assumes() {
        // the emitter scales register numbers by 16 and reads the tag byte at +8
        assert_eq!(std::mem::size_of::<TValue>(), 16);
        assert_eq!(std::mem::offset_of!(TValue, val), 0);
        assert_eq!(std::mem::offset_of!(TValue, tt), 8);
        let names: Vec<_> = offsets().iter().map(|(n, _)| *n).collect();
        assert!(names.contains(&"LJ_VM_K"));
        // the emitters use word offsets as scaled immediates (AArch64 `ldr`
        // takes multiples of 8 up to 32760)
        for (name, off) in offsets() {
            if name.starts_with("LJ_T_") || name.starts_with("LJ_VM_") {
                assert!(off % 8 == 0 && off <= 32760, "{name} = {off}");
            }
        }
        // a 32-bit load (AArch64 `ldr w`: multiples of 4), and the node size
        // the lowering scales by (a shift by 5)
        let hash = offsets().into_iter().find(|(n, _)| *n == "LJ_STR_HASH");
        assert!(matches!(hash, Some((_, off)) if off % 4 == 0 && off <= 16380));
        assert_eq!(std::mem::size_of::<crate::runtime::table::Node>(), 32);
    }
}
