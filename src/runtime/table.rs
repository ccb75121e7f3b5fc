//! Tables (§2.1, §3.4.9): an array part and a hash part, as in PUC Lua.
//!
//! - The array part holds the values of keys `1..=array.len()`. It grows by
//!   appending (`t[#t+1] = v` is amortised O(1)) and is resized by `rehash`
//!   with PUC Lua's rule: the largest power of two `n` such that more than
//!   half of the slots `1..=n` would be in use ("The Implementation of
//!   Lua 5.0", §4).
//! - The hash part is open addressing with linear probing over a power-of-two
//!   array of `Node`s. Keys are never removed: assigning `nil` leaves the key in
//!   place with a `nil` value ("dead"), so probe chains stay intact and `next`
//!   keeps working while a traversal clears fields (§6.1 `next`). A dead slot
//!   may be reused by a new key once the probe has shown that key absent;
//!   `rehash` drops dead keys.
//! - Keys are normalised: a float with an integral value is stored as that
//!   integer (§2.1), so `t[1.0]` and `t[1]` are the same slot. `nil` and NaN
//!   are never keys.
//!
//! `flags` caches the absence of metamethods when the table is used as a
//! metatable (bit `1 << tm` set = known absent); any store into the hash part
//! clears it.

use super::gc::{note_alloc, GcHeader, GcKind};
use super::string::LuaString;
use super::value::*;

/// One slot of the hash part. An empty slot has a `nil` key.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Node {
    pub key: TValue,
    pub val: TValue,
}

/// The hash part of a table: a power-of-two number of [`Node`]s (or
/// none), kept as a data pointer and a length (`#[repr(C)]`), so generated
/// code can find a key's first slot (`jit::abi`'s `LJ_T_NODE_PTR`,
/// `LJ_T_NODE_LEN`: `ptr + 32 * (hash & (len - 1))` when `len > 0`)
/// without knowing `Box`'s layout.
#[repr(C)]
pub struct NodePart {
    ptr: *mut Node,
    len: usize,
}

impl NodePart {
    /// Takes over `v`, whose length is 0 or a power of two.
    fn from_vec(v: Vec<Node>) -> NodePart {
        debug_assert!(v.is_empty() || v.len().is_power_of_two());
        let len = v.len();
        NodePart {
            ptr: Box::into_raw(v.into_boxed_slice()) as *mut Node,
            len,
        }
    }
}

impl Default for NodePart {
    fn default() -> NodePart {
        NodePart::from_vec(Vec::new())
    }
}

impl std::ops::Deref for NodePart {
    type Target = [Node];
    fn deref(&self) -> &[Node] {
        // SAFETY: `ptr` and `len` come from a boxed slice this part owns
        // (dangling but aligned when empty).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl std::ops::DerefMut for NodePart {
    fn deref_mut(&mut self) -> &mut [Node] {
        // SAFETY: as in `deref`; the part owns the nodes exclusively.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for NodePart {
    fn drop(&mut self) {
        // SAFETY: made by `from_vec` from a boxed slice of this length
        // (an empty one allocates nothing and frees nothing).
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.ptr, self.len)) });
    }
}

/// Offset of the hash part's data pointer in a [`Table`] (for `jit::abi`).
pub const NODE_PTR_OFFSET: usize =
    std::mem::offset_of!(Table, node) + std::mem::offset_of!(NodePart, ptr);
/// Offset of the hash part's length in a [`Table`] (for `jit::abi`).
pub const NODE_LEN_OFFSET: usize =
    std::mem::offset_of!(Table, node) + std::mem::offset_of!(NodePart, len);

/// A Lua table.
#[repr(C)]
pub struct Table {
    pub hdr: GcHeader,
    /// Metamethod absence cache (see module docs).
    pub flags: u32,
    /// Hash slots holding a key (live or dead).
    node_used: u32,
    /// A one-word Bloom filter of the string keys in the hash part: bit
    /// `hash & 63` is set for every string key inserted since the last resize
    /// (never cleared otherwise), so a clear bit proves a string key absent.
    /// Method inline caches use it to skip probing the object
    /// (`crate::interp::ic`).
    pub strbits: u64,
    pub metatable: *mut Table,
    /// Values of keys `1..=array.len()`.
    pub array: ArrayPart,
    /// The hash part (empty, or a power-of-two number of slots).
    node: NodePart,
}

/// The array part of a table: a growable vector of values whose data
/// pointer and length are also kept in two plain words at the start
/// (`#[repr(C)]`), so generated code can index it (`jit::abi`'s
/// `LJ_ARR_PTR` and `LJ_ARR_LEN`) without knowing `Vec`'s layout. Every
/// operation that can move or resize the storage goes through a method
/// here that refreshes the words; element access goes through the slice.
#[repr(C)]
pub struct ArrayPart {
    /// `values.as_mut_ptr()`.
    ptr: *mut TValue,
    /// `values.len()`.
    len: usize,
    values: Vec<TValue>,
}

impl ArrayPart {
    /// An empty array part with room for `n` values.
    pub fn with_capacity(n: usize) -> ArrayPart {
        let mut a = ArrayPart {
            ptr: std::ptr::null_mut(),
            len: 0,
            values: Vec::with_capacity(n),
        };
        a.sync();
        a
    }

    fn sync(&mut self) {
        self.ptr = self.values.as_mut_ptr();
        self.len = self.values.len();
    }

    /// Slots allocated (for memory accounting).
    pub fn capacity(&self) -> usize {
        self.values.capacity()
    }

    pub fn push(&mut self, v: TValue) {
        self.values.push(v);
        self.sync();
    }

    pub fn resize(&mut self, n: usize, v: TValue) {
        self.values.resize(n, v);
        self.sync();
    }

    pub fn truncate(&mut self, n: usize) {
        self.values.truncate(n);
        self.sync();
    }
}

/// Offset of the data pointer in an [`ArrayPart`] (for `jit::abi`).
pub const ARRAY_PTR_OFFSET: usize = std::mem::offset_of!(ArrayPart, ptr);
/// Offset of the length in an [`ArrayPart`] (for `jit::abi`).
pub const ARRAY_LEN_OFFSET: usize = std::mem::offset_of!(ArrayPart, len);

impl Default for ArrayPart {
    fn default() -> ArrayPart {
        ArrayPart::with_capacity(0)
    }
}

impl std::ops::Deref for ArrayPart {
    type Target = [TValue];
    fn deref(&self) -> &[TValue] {
        &self.values
    }
}

impl std::ops::DerefMut for ArrayPart {
    fn deref_mut(&mut self) -> &mut [TValue] {
        &mut self.values
    }
}

/// `next` was given a key that is not in the table ("invalid key to 'next'").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidKey;

/// Why a store was refused (§3.4.9: `nil` and NaN cannot be keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    Nil,
    NaN,
}

impl KeyError {
    /// The runtime error message PUC Lua gives.
    pub fn message(self) -> &'static str {
        match self {
            KeyError::Nil => "table index is nil",
            KeyError::NaN => "table index is NaN",
        }
    }
}

#[inline(always)]
fn mix(x: u64) -> usize {
    let h = (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (h ^ (h >> 32)) as usize
}

#[inline(always)]
fn hash_key(k: &TValue) -> usize {
    match k.tt {
        // SAFETY: a string key's payload is a live interned string.
        TSTR => unsafe { (*k.as_string()).hash as usize },
        _ => mix(k.val ^ ((k.tt as u64) << 56)),
    }
}

/// Normalises a key: integral floats become integers. `None` for nil/NaN.
#[inline]
pub fn normalize_key(k: TValue) -> Result<TValue, KeyError> {
    match k.tt {
        TNIL => Err(KeyError::Nil),
        TFLOAT => {
            let f = k.as_float();
            if let Some(i) = float_to_int_exact(f) {
                Ok(TValue::int(i))
            } else if f.is_nan() {
                Err(KeyError::NaN)
            } else {
                Ok(k)
            }
        }
        _ => Ok(k),
    }
}

impl Table {
    /// A new empty table with room for `narray` array items and about
    /// `nhash` hash entries.
    pub fn new(narray: usize, nhash: usize) -> Table {
        let mut t = Table {
            hdr: GcHeader::new(GcKind::Table),
            flags: 0,
            metatable: std::ptr::null_mut(),
            array: ArrayPart::with_capacity(narray),
            node: NodePart::default(),
            node_used: 0,
            strbits: 0,
        };
        if nhash > 0 {
            t.node = NodePart::from_vec(vec![
                Node::default();
                (nhash * 4 / 3 + 1).next_power_of_two()
            ]);
        }
        t
    }

    /// Bytes owned by the table (header, array and hash parts).
    pub fn mem_size(&self) -> usize {
        std::mem::size_of::<Table>()
            + self.array.capacity() * std::mem::size_of::<TValue>()
            + self.node.len() * std::mem::size_of::<Node>()
    }

    /// The hash part's slots (empty ones have a nil key), for the collector
    /// and `next`.
    pub fn nodes(&self) -> &[Node] {
        &self.node
    }

    /// Mutable hash slots, for the collector clearing weak entries.
    pub fn nodes_mut(&mut self) -> &mut [Node] {
        &mut self.node
    }

    #[inline]
    fn find_node(&self, key: &TValue) -> Option<usize> {
        if self.node.is_empty() {
            return None;
        }
        let mask = self.node.len() - 1;
        let mut i = hash_key(key) & mask;
        loop {
            // SAFETY: i <= mask < node.len()
            let n = unsafe { self.node.get_unchecked(i) };
            if n.key.tt == key.tt && n.key.val == key.val {
                return Some(i);
            }
            if n.key.tt == TNIL {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// `t[i]` for an integer key, raw.
    #[inline(always)]
    pub fn get_int(&self, i: i64) -> TValue {
        let idx = (i as u64).wrapping_sub(1);
        if idx < self.array.len() as u64 {
            return self.array[idx as usize];
        }
        self.get_int_hash(i)
    }

    #[inline(never)]
    fn get_int_hash(&self, i: i64) -> TValue {
        match self.find_node(&TValue::int(i)) {
            Some(n) => self.node[n].val,
            None => TValue::NIL,
        }
    }

    /// `t[s]` for a string key, raw.
    #[inline(always)]
    pub fn get_str(&self, s: *mut LuaString) -> TValue {
        if self.node.is_empty() {
            return TValue::NIL;
        }
        let mask = self.node.len() - 1;
        // SAFETY: `s` is a live interned string.
        let mut i = unsafe { (*s).hash as usize } & mask;
        loop {
            // SAFETY: i <= mask < node.len()
            let n = unsafe { self.node.get_unchecked(i) };
            if n.key.tt == TSTR && n.key.val == s as u64 {
                return n.val;
            }
            if n.key.tt == TNIL {
                return TValue::NIL;
            }
            i = (i + 1) & mask;
        }
    }

    /// The value slot of string key `s` when present with a non-nil value
    /// (the `SETFIELD` fast path; see `get_present_slot`).
    #[inline(always)]
    pub fn get_str_present_slot(&mut self, s: *mut LuaString) -> Option<*mut TValue> {
        if self.node.is_empty() {
            return None;
        }
        let mask = self.node.len() - 1;
        // SAFETY: `s` is a live interned string.
        let mut i = unsafe { (*s).hash as usize } & mask;
        loop {
            // SAFETY: i <= mask < node.len()
            let n = unsafe { self.node.get_unchecked_mut(i) };
            if n.key.tt == TSTR && n.key.val == s as u64 {
                return if n.val.is_nil() {
                    None
                } else {
                    Some(&mut n.val)
                };
            }
            if n.key.tt == TNIL {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// False only when string key `s` is certainly not in the hash part (see
    /// `strbits`); true means "maybe".
    #[inline(always)]
    pub fn may_have_str(&self, s: *mut LuaString) -> bool {
        // SAFETY: `s` is a live interned string.
        (self.strbits >> (unsafe { (*s).hash } & 63)) & 1 != 0
    }

    /// The hash-part slot of string key `s` and its value, when the key is
    /// present (inline caches remember the slot; see `crate::profile`).
    pub fn find_str_slot(&self, s: *mut LuaString) -> Option<(u32, TValue)> {
        if self.node.is_empty() {
            return None;
        }
        let mask = self.node.len() - 1;
        // SAFETY: `s` is a live interned string.
        let mut i = unsafe { (*s).hash as usize } & mask;
        loop {
            // SAFETY: i <= mask < node.len()
            let n = unsafe { self.node.get_unchecked(i) };
            if n.key.tt == TSTR && n.key.val == s as u64 {
                return Some((i as u32, n.val));
            }
            if n.key.tt == TNIL {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// The value slot at hash slot `slot` when that slot holds string key `s`
    /// with a non-nil value: an inline-cache hit. Any other state of the table
    /// (resized, key moved or removed) gives `None`, never a wrong value, since a
    /// key occupies at most one slot.
    #[inline(always)]
    pub fn str_value_at(&self, slot: u32, s: *mut LuaString) -> Option<TValue> {
        let n = self.node.get(slot as usize)?;
        if n.key.tt == TSTR && n.key.val == s as u64 && !n.val.is_nil() {
            Some(n.val)
        } else {
            None
        }
    }

    /// Like [`Table::str_value_at`], for a store through the slot.
    #[inline(always)]
    pub fn str_value_at_mut(&mut self, slot: u32, s: *mut LuaString) -> Option<&mut TValue> {
        let n = self.node.get_mut(slot as usize)?;
        if n.key.tt == TSTR && n.key.val == s as u64 && !n.val.is_nil() {
            Some(&mut n.val)
        } else {
            None
        }
    }

    /// `t[k]` for any key, raw (`rawget`). Nil and NaN keys give nil.
    #[inline]
    pub fn get(&self, key: &TValue) -> TValue {
        match key.tt {
            TINT => self.get_int(key.as_int()),
            TSTR => self.get_str(key.as_string()),
            TNIL => TValue::NIL,
            TFLOAT => match normalize_key(*key) {
                Ok(k) if k.tt == TINT => self.get_int(k.as_int()),
                Ok(k) => self.find_node(&k).map_or(TValue::NIL, |n| self.node[n].val),
                Err(_) => TValue::NIL,
            },
            _ => self
                .find_node(key)
                .map_or(TValue::NIL, |n| self.node[n].val),
        }
    }

    /// A pointer to the value slot of an existing key whose value is not nil,
    /// so the VM can store without looking for `__newindex` (§2.4: the
    /// metamethod is only consulted for absent keys).
    #[inline]
    pub fn get_present_slot(&mut self, key: &TValue) -> Option<*mut TValue> {
        let slot: *mut TValue = match key.tt {
            TINT => {
                let idx = (key.as_int() as u64).wrapping_sub(1);
                if idx < self.array.len() as u64 {
                    &mut self.array[idx as usize]
                } else {
                    let n = self.find_node(key)?;
                    &mut self.node[n].val
                }
            }
            TSTR => {
                let n = self.find_node(key)?;
                &mut self.node[n].val
            }
            TNIL => return None,
            TFLOAT => {
                let k = normalize_key(*key).ok()?;
                return if k.tt == TFLOAT {
                    let n = self.find_node(&k)?;
                    let p: *mut TValue = &mut self.node[n].val;
                    // SAFETY: p points into self.node.
                    if unsafe { (*p).is_nil() } {
                        None
                    } else {
                        Some(p)
                    }
                } else {
                    self.get_present_slot(&k)
                };
            }
            _ => {
                let n = self.find_node(key)?;
                &mut self.node[n].val
            }
        };
        // SAFETY: slot points into self.array or self.node.
        if unsafe { (*slot).is_nil() } {
            None
        } else {
            Some(slot)
        }
    }

    /// `t[i] = v` for an integer key, raw.
    #[inline]
    pub fn set_int(&mut self, i: i64, v: TValue) {
        let idx = (i as u64).wrapping_sub(1);
        let len = self.array.len() as u64;
        if idx < len {
            self.array[idx as usize] = v;
        } else if idx == len && !v.is_nil() && i > 0 {
            self.append(v);
        } else {
            self.set_hash(TValue::int(i), v);
        }
    }

    /// Appends at `array.len() + 1`, then pulls following integer keys out of
    /// the hash part so the array stays the home of `1..=len`.
    fn append(&mut self, v: TValue) {
        let next = self.array.len() as i64 + 1;
        if let Some(n) = self.find_node(&TValue::int(next)) {
            self.node[n].val = TValue::NIL;
        }
        let cap = self.array.capacity();
        self.array.push(v);
        if !self.node.is_empty() {
            loop {
                let k = TValue::int(self.array.len() as i64 + 1);
                match self.find_node(&k) {
                    Some(n) if !self.node[n].val.is_nil() => {
                        let val = self.node[n].val;
                        self.node[n].val = TValue::NIL;
                        self.array.push(val);
                    }
                    _ => break,
                }
            }
        }
        if self.array.capacity() != cap {
            note_alloc(((self.array.capacity() - cap) * std::mem::size_of::<TValue>()) as isize);
        }
    }

    /// Grows the array part to at least `n` slots (as PUC's constructor and
    /// `SETLIST` do), moving entries for keys in the new range out of the
    /// hash part.
    pub fn ensure_array(&mut self, n: usize) {
        let old = self.array.len();
        if n <= old {
            return;
        }
        let old_mem = self.mem_size();
        self.array.resize(n, TValue::NIL);
        if !self.node.is_empty() {
            for k in old + 1..=n {
                if let Some(slot) = self.find_node(&TValue::int(k as i64)) {
                    self.array[k - 1] = self.node[slot].val;
                    self.node[slot].val = TValue::NIL;
                }
            }
        }
        note_alloc(self.mem_size() as isize - old_mem as isize);
    }

    /// `t[s] = v` for a string key, raw.
    #[inline]
    pub fn set_str(&mut self, s: *mut LuaString, v: TValue) {
        self.set_hash(TValue::string(s), v)
    }

    /// `t[k] = v`, raw (`rawset`). Errors for nil and NaN keys.
    pub fn set(&mut self, key: TValue, v: TValue) -> Result<(), KeyError> {
        let k = normalize_key(key)?;
        if k.tt == TINT {
            self.set_int(k.as_int(), v);
        } else {
            self.set_hash(k, v);
        }
        Ok(())
    }

    /// Stores a normalised key in the hash part.
    fn set_hash(&mut self, key: TValue, v: TValue) {
        self.flags = 0;
        if let Some(n) = self.find_node(&key) {
            self.node[n].val = v;
            return;
        }
        if v.is_nil() {
            return; // assigning nil to an absent key changes nothing
        }
        if self.node_used as usize + 1 > self.node.len() * 3 / 4 {
            self.rehash(&key);
            // the key may now belong to the array part
            if key.tt == TINT {
                let idx = (key.as_int() as u64).wrapping_sub(1);
                if idx < self.array.len() as u64 {
                    self.array[idx as usize] = v;
                    return;
                }
                if idx == self.array.len() as u64 {
                    self.append(v);
                    return;
                }
            }
        }
        self.insert_absent(key, v);
    }

    /// Inserts a key known to be absent; reuses the first dead slot on its
    /// probe path.
    fn insert_absent(&mut self, key: TValue, v: TValue) {
        if key.tt == TSTR {
            // SAFETY: a string key is a live interned string.
            self.strbits |= 1 << (unsafe { (*key.as_string()).hash } & 63);
        }
        let mask = self.node.len() - 1;
        let mut i = hash_key(&key) & mask;
        loop {
            let n = &mut self.node[i];
            if n.key.tt == TNIL {
                n.key = key;
                n.val = v;
                self.node_used += 1;
                return;
            }
            if n.val.is_nil() {
                // a dead key: safe to reuse, the new key is absent
                n.key = key;
                n.val = v;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Resizes both parts to fit the live keys plus `extra` (PUC's rehash).
    fn rehash(&mut self, extra: &TValue) {
        // nums[b]: integer keys k with 2^(b-1) < k <= 2^b (nums[0]: k == 1)
        let mut nums = [0usize; 65];
        let mut total_int = 0usize;
        let count_int = |k: i64, nums: &mut [usize; 65]| {
            if k >= 1 {
                let b = 64 - ((k - 1) as u64).leading_zeros() as usize;
                nums[b] += 1;
                true
            } else {
                false
            }
        };
        for (i, v) in self.array.iter().enumerate() {
            if !v.is_nil() && count_int(i as i64 + 1, &mut nums) {
                total_int += 1;
            }
        }
        let mut live_hash = 0usize;
        for n in self.node.iter() {
            if n.key.tt != TNIL && !n.val.is_nil() {
                live_hash += 1;
                if n.key.tt == TINT && count_int(n.key.as_int(), &mut nums) {
                    total_int += 1;
                }
            }
        }
        live_hash += 1;
        if extra.tt == TINT && count_int(extra.as_int(), &mut nums) {
            total_int += 1;
        }
        // computesizes: largest power of two n with more than n/2 keys in 1..=n
        let mut a = 0usize; // keys <= 2^b so far
        let mut na = 0usize; // keys going to the array
        let mut optimal = 0usize;
        let mut twotoi = 1usize;
        for &num in nums.iter() {
            if twotoi / 2 >= total_int || twotoi == 0 {
                break;
            }
            a += num;
            if a > twotoi / 2 {
                optimal = twotoi;
                na = a;
            }
            twotoi = twotoi.wrapping_mul(2);
        }
        let new_asize = optimal;
        let old_mem = self.mem_size();
        let old_nodes = std::mem::take(&mut self.node);
        let live_array = self.array.iter().filter(|v| !v.is_nil()).count();
        let nhash = (live_array + live_hash).saturating_sub(na);
        let hsize = if nhash == 0 {
            0
        } else {
            (nhash * 4 / 3 + 1).next_power_of_two().max(4)
        };
        // Array part: grow to new_asize (values beyond it move to the hash part).
        let mut moved_out: Vec<(i64, TValue)> = Vec::new();
        if new_asize < self.array.len() {
            for (i, v) in self.array[new_asize..].iter().enumerate() {
                if !v.is_nil() {
                    moved_out.push(((new_asize + i + 1) as i64, *v));
                }
            }
            self.array.truncate(new_asize);
        } else {
            self.array.resize(new_asize, TValue::NIL);
        }
        self.node = NodePart::from_vec(vec![
            Node::default();
            hsize.max(if moved_out.is_empty() { 0 } else { 4 })
        ]);
        self.node_used = 0;
        self.strbits = 0;
        let reinsert = |t: &mut Table, k: TValue, v: TValue| {
            if k.tt == TINT {
                let idx = (k.as_int() as u64).wrapping_sub(1);
                if idx < t.array.len() as u64 {
                    t.array[idx as usize] = v;
                    return;
                }
            }
            if t.node_used as usize + 1 > t.node.len() * 3 / 4 {
                t.grow_hash_only();
            }
            t.insert_absent(k, v);
        };
        for (k, v) in moved_out {
            reinsert(self, TValue::int(k), v);
        }
        for &n in old_nodes.iter() {
            if n.key.tt != TNIL && !n.val.is_nil() {
                reinsert(self, n.key, n.val);
            }
        }
        // make sure the pending key fits
        if self.node.is_empty() || self.node_used as usize + 1 > self.node.len() * 3 / 4 {
            self.grow_hash_only();
        }
        let new_mem = self.mem_size();
        note_alloc(new_mem as isize - old_mem as isize);
    }

    /// Doubles the hash part without moving keys to the array part.
    fn grow_hash_only(&mut self) {
        let newlen = (self.node.len() * 2).max(4);
        let old = std::mem::replace(
            &mut self.node,
            NodePart::from_vec(vec![Node::default(); newlen]),
        );
        self.node_used = 0;
        self.strbits = 0;
        for &n in old.iter() {
            if n.key.tt != TNIL && !n.val.is_nil() {
                self.insert_absent(n.key, n.val);
            }
        }
    }

    /// A border of the table (§3.4.7, the length operator without `__len`):
    /// some `n >= 0` with `t[n] ~= nil` (or n = 0) and `t[n+1] == nil`.
    pub fn length(&self) -> i64 {
        let n = self.array.len();
        if n > 0 && self.array[n - 1].is_nil() {
            // binary search for a border inside the array part
            let (mut lo, mut hi) = (0usize, n); // t[lo] non-nil (or lo = 0), t[hi] nil
            while hi - lo > 1 {
                let m = (lo + hi) / 2;
                if self.array[m - 1].is_nil() {
                    hi = m;
                } else {
                    lo = m;
                }
            }
            return lo as i64;
        }
        if self.node.is_empty() || self.get_int_hash(n as i64 + 1).is_nil() {
            return n as i64;
        }
        // unbound search in the hash part
        let mut i = n as i64 + 1;
        let mut j = i.saturating_mul(2);
        while !self.get_int(j).is_nil() {
            i = j;
            if j > i64::MAX / 2 {
                // pathological: linear search
                let mut k = 1;
                while !self.get_int(k).is_nil() {
                    k += 1;
                }
                return k - 1;
            }
            j *= 2;
        }
        while j - i > 1 {
            let m = i + (j - i) / 2;
            if self.get_int(m).is_nil() {
                j = m;
            } else {
                i = m;
            }
        }
        i
    }

    /// The traversal step of `next` (§6.1): the entry after `key` (`nil`
    /// starts). `Ok(None)` at the end; `Err(InvalidKey)` if `key` is not in
    /// the table.
    pub fn next(&self, key: &TValue) -> Result<Option<(TValue, TValue)>, InvalidKey> {
        let alen = self.array.len();
        let mut i: usize = match key.tt {
            TNIL => 0,
            _ => {
                let k = normalize_key(*key).map_err(|_| InvalidKey)?;
                let idx = if k.tt == TINT {
                    (k.as_int() as u64).wrapping_sub(1)
                } else {
                    u64::MAX
                };
                if idx < alen as u64 {
                    idx as usize + 1
                } else {
                    match self.find_node(&k) {
                        Some(n) => alen + n + 1,
                        None => return Err(InvalidKey),
                    }
                }
            }
        };
        while i < alen {
            if !self.array[i].is_nil() {
                return Ok(Some((TValue::int(i as i64 + 1), self.array[i])));
            }
            i += 1;
        }
        let mut n = i - alen;
        while n < self.node.len() {
            let nd = &self.node[n];
            if nd.key.tt != TNIL && !nd.val.is_nil() {
                return Ok(Some((nd.key, nd.val)));
            }
            n += 1;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two words generated code reads always describe the vector.
    fn assert_synced(t: &Table) {
        assert_eq!(t.array.ptr, t.array.values.as_ptr() as *mut TValue);
        assert_eq!(t.array.len, t.array.values.len());
        // the hash part: `len` nodes at `ptr`, a power of two or none
        assert_eq!(t.node.ptr as *const Node, t.node.as_ptr());
        assert_eq!(t.node.len, t.node.len());
        assert!(t.node.is_empty() || t.node.len().is_power_of_two());
    }

    #[test]
    fn array_part_words_follow_every_resize() {
        let mut t = Table::new(0, 0);
        assert_synced(&t);
        assert_synced(&Table::new(3, 5));
        for i in 1..=1000 {
            t.set_int(i, TValue::int(i));
            assert_synced(&t);
        }
        // hash keys that then join the array part on append
        t.set_int(1002, TValue::int(2));
        t.set_int(1001, TValue::int(1));
        assert_synced(&t);
        assert!(t.array.len() >= 1002);
        t.ensure_array(2000);
        assert_synced(&t);
        // clear most of the array, then force a rehash that shrinks it
        for i in 10..=2000 {
            t.set_int(i, TValue::NIL);
        }
        for i in 0..200 {
            t.set(TValue::float(i as f64 + 0.5), TValue::int(i))
                .unwrap();
            assert_synced(&t);
        }
        assert!(t.array.len() < 2000);
        assert_synced(&t);
    }

    #[test]
    fn array_and_hash_parts() {
        let mut t = Table::new(0, 0);
        for i in 1..=100 {
            t.set_int(i, TValue::int(i * 10));
        }
        assert_eq!(t.array.len(), 100);
        assert_eq!(t.length(), 100);
        assert_eq!(t.get_int(50).as_int(), 500);
        t.set(TValue::float(3.0), TValue::int(-3)).unwrap();
        assert_eq!(t.get_int(3).as_int(), -3);
        assert_eq!(t.set(TValue::NIL, TValue::int(1)), Err(KeyError::Nil));
        assert_eq!(
            t.set(TValue::float(f64::NAN), TValue::int(1)),
            Err(KeyError::NaN)
        );
        t.set(TValue::float(2.5), TValue::TRUE).unwrap();
        assert!(t.get(&TValue::float(2.5)).tt == TTRUE);
    }

    #[test]
    fn sparse_keys_then_fill() {
        let mut t = Table::new(0, 0);
        for i in (1..=64).rev() {
            t.set_int(i, TValue::int(i));
        }
        for i in 1..=64 {
            assert_eq!(t.get_int(i).as_int(), i);
        }
        assert_eq!(t.length(), 64);
        // next visits every key exactly once
        let mut k = TValue::NIL;
        let mut seen = 0;
        while let Some((nk, _)) = t.next(&k).unwrap() {
            seen += 1;
            k = nk;
        }
        assert_eq!(seen, 64);
    }

    #[test]
    fn border_with_holes() {
        let mut t = Table::new(0, 0);
        for i in 1..=10 {
            t.set_int(i, TValue::TRUE);
        }
        t.set_int(10, TValue::NIL);
        let n = t.length();
        assert!(n == 9, "border {n}");
        t.set_int(1, TValue::NIL);
        let n = t.length();
        assert!(t.get_int(n + 1).is_nil() && (n == 0 || !t.get_int(n).is_nil()));
    }

    #[test]
    fn clearing_during_traversal() {
        let mut t = Table::new(0, 0);
        for i in 0..50 {
            t.set(TValue::float(i as f64 + 0.5), TValue::int(i))
                .unwrap();
        }
        let mut k = TValue::NIL;
        let mut seen = 0;
        while let Some((nk, _)) = t.next(&k).unwrap() {
            t.set(nk, TValue::NIL).unwrap();
            seen += 1;
            k = nk;
        }
        assert_eq!(seen, 50);
        assert!(t.next(&TValue::NIL).unwrap().is_none());
    }
}
