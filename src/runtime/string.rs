//! Lua strings (§2.1: immutable byte sequences) and the intern table.
//!
//! Every string is interned: two strings with the same bytes are the same
//! object, so string equality is pointer equality and tables hash strings by
//! their precomputed `hash`. A string is one allocation: the header below
//! followed by its bytes and a terminating NUL (for C interop).
//!
//! The intern table is a chained hash set (each string links the next one in
//! its bucket through `hnext`); it holds strings weakly: the collector unlinks
//! dead strings (`StringTable::remove_dead`) before it frees them.

use super::gc::{GcHeader, GcKind};
use std::alloc::{alloc, dealloc, Layout};
use std::ptr;

/// A string object. Its bytes follow the struct in the same allocation.
#[repr(C)]
pub struct LuaString {
    pub hdr: GcHeader,
    /// Hash of the bytes (see [`hash_bytes`]).
    pub hash: u32,
    /// Length in bytes.
    pub len: usize,
    /// Next string in the same intern bucket.
    pub hnext: *mut LuaString,
}

impl LuaString {
    /// The string's bytes.
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: the allocation made by `alloc_string` holds `len` bytes right
        // after the header, and strings are immutable.
        unsafe {
            std::slice::from_raw_parts((self as *const LuaString).add(1) as *const u8, self.len)
        }
    }

    /// The string as UTF-8 text, with invalid sequences replaced (for messages).
    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }

    fn layout(len: usize) -> Layout {
        Layout::from_size_align(std::mem::size_of::<LuaString>() + len + 1, 8)
            .expect("string layout")
    }

    /// Bytes of the allocation behind a string of `len` bytes (GC accounting).
    pub fn alloc_size(len: usize) -> usize {
        std::mem::size_of::<LuaString>() + len + 1
    }
}

/// Hash of a byte string: a multiply-xorshift hash over 8-byte words (fast
/// for long strings, good enough spreading for power-of-two tables).
#[inline]
pub fn hash_bytes(b: &[u8]) -> u32 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = (b.len() as u64) ^ 0x2545_F491_4F6C_DD1D;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(K);
        h ^= h >> 29;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K);
        h ^= h >> 29;
    }
    h = h.wrapping_mul(K);
    (h ^ (h >> 32)) as u32
}

/// The intern table.
pub struct StringTable {
    buckets: Vec<*mut LuaString>,
    count: usize,
}

impl Default for StringTable {
    fn default() -> Self {
        StringTable {
            buckets: vec![ptr::null_mut(); 256],
            count: 0,
        }
    }
}

impl StringTable {
    /// Number of live strings.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Finds the interned string with these bytes, if any.
    #[inline]
    pub fn find(&self, bytes: &[u8], hash: u32) -> *mut LuaString {
        let mut p = self.buckets[hash as usize & (self.buckets.len() - 1)];
        while !p.is_null() {
            // SAFETY: every pointer in the buckets is a live string (dead ones
            // are unlinked before they are freed).
            let s = unsafe { &*p };
            if s.hash == hash && s.as_bytes() == bytes {
                return p;
            }
            p = s.hnext;
        }
        ptr::null_mut()
    }

    /// Allocates a new string object (not yet linked into the GC list) and
    /// adds it to the table. The caller links it into the object list.
    pub fn insert_new(&mut self, bytes: &[u8], hash: u32) -> *mut LuaString {
        if self.count >= self.buckets.len() {
            self.resize(self.buckets.len() * 2);
        }
        let layout = LuaString::layout(bytes.len());
        // SAFETY: the layout has non-zero size; we initialise the header and
        // the bytes before anyone reads them.
        let p = unsafe {
            let p = alloc(layout) as *mut LuaString;
            if p.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            ptr::write(
                p,
                LuaString {
                    hdr: GcHeader::new(GcKind::String),
                    hash,
                    len: bytes.len(),
                    hnext: ptr::null_mut(),
                },
            );
            let data = p.add(1) as *mut u8;
            ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
            *data.add(bytes.len()) = 0;
            p
        };
        let idx = hash as usize & (self.buckets.len() - 1);
        // SAFETY: p was just initialised.
        unsafe { (*p).hnext = self.buckets[idx] };
        self.buckets[idx] = p;
        self.count += 1;
        p
    }

    fn resize(&mut self, n: usize) {
        let mut nb = vec![ptr::null_mut::<LuaString>(); n];
        for &head in &self.buckets {
            let mut p = head;
            while !p.is_null() {
                // SAFETY: live strings only (see `find`).
                unsafe {
                    let next = (*p).hnext;
                    let idx = (*p).hash as usize & (n - 1);
                    (*p).hnext = nb[idx];
                    nb[idx] = p;
                    p = next;
                }
            }
        }
        self.buckets = nb;
    }

    /// Unlinks every string for which `is_dead` is true (called by the
    /// collector before sweeping), and shrinks the table when sparse.
    pub fn remove_dead(&mut self, is_dead: impl Fn(*mut LuaString) -> bool) {
        for b in 0..self.buckets.len() {
            let mut link: *mut *mut LuaString = &mut self.buckets[b];
            // SAFETY: walks the live chain of one bucket, unlinking entries.
            unsafe {
                while !(*link).is_null() {
                    let s = *link;
                    if is_dead(s) {
                        *link = (*s).hnext;
                        self.count -= 1;
                    } else {
                        link = &mut (*s).hnext;
                    }
                }
            }
        }
        if self.count < self.buckets.len() / 4 && self.buckets.len() > 256 {
            self.resize(self.buckets.len() / 2);
        }
    }
}

/// Frees a string object's memory. The string must already be unlinked from
/// the intern table and the object list.
///
/// # Safety
/// `p` must come from `StringTable::insert_new` and not be used afterwards.
pub unsafe fn free_string(p: *mut LuaString) {
    let layout = LuaString::layout((*p).len);
    dealloc(p as *mut u8, layout);
}
