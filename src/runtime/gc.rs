//! The garbage collector: tracing, non-moving, stop-the-world mark and sweep
//! (§2.5), with weak tables (§2.5.4, ephemerons for weak keys) and finalizers
//! (§2.5.3, including resurrection).
//!
//! Every object starts with a [`GcHeader`] that links it into one of two
//! lists of the global state: `allgc`, or `finobj` for objects whose
//! metatable had `__gc` when it was set. A collection:
//! 1. marks from the roots (main thread, registry, basic-type metatables,
//!    metamethod names, objects already waiting for finalization) with an
//!    explicit gray stack (no recursion);
//! 2. converges ephemeron tables (a weak key's value is marked only once the
//!    key is), then clears weak values;
//! 3. moves unreached `finobj` objects to `tobefnz` and marks them
//!    (resurrection), converges again;
//! 4. clears weak keys and values, unlinks dead strings from the intern
//!    table, and frees every unmarked object.
//!
//! Collections only start at safepoints (`State::check_gc`): points where
//! every live value is in a stack slot below the thread's used top, a table,
//! an upvalue or another root. Rust code never holds the only reference to
//! an object across a safepoint. Finalizers run after the collection, from
//! the same safepoint.

use super::func::{LuaClosure, NativeClosure, Proto, UpVal};
use super::state::{Global, State};
use super::string::{free_string, LuaString};
use super::table::Table;
use super::tm::Tm;
use super::userdata::Userdata;
use super::value::*;
use std::cell::Cell;
use std::ptr;

/// The kind of a collectable object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum GcKind {
    String,
    Table,
    LuaClosure,
    NativeClosure,
    UpVal,
    Proto,
    Userdata,
    Thread,
}

/// The common first field of every collectable object.
#[repr(C)]
pub struct GcHeader {
    /// Next object in the same list.
    pub next: *mut GcHeader,
    pub kind: GcKind,
    /// Reached in the current collection.
    pub marked: bool,
    /// Linked in `Global::finobj` (registered for finalization).
    pub finobj: bool,
}

impl GcHeader {
    pub fn new(kind: GcKind) -> GcHeader {
        GcHeader {
            next: ptr::null_mut(),
            kind,
            marked: false,
            finobj: false,
        }
    }
}

thread_local! {
    static EXTRA_BYTES: Cell<isize> = const { Cell::new(0) };
}

/// Records memory an object gained or lost after allocation (table
/// resizes); folded into the global count at the next safepoint.
#[inline]
pub fn note_alloc(delta: isize) {
    EXTRA_BYTES.with(|c| c.set(c.get() + delta));
}

fn take_extra_bytes() -> isize {
    EXTRA_BYTES.with(|c| c.replace(0))
}

impl Global {
    /// Folds pending size changes into `total_bytes`.
    pub fn sync_bytes(&mut self) {
        let d = take_extra_bytes();
        self.total_bytes = (self.total_bytes as isize + d).max(0) as usize;
    }

    /// True when the allocation debt calls for a collection (including
    /// growth of existing objects not yet folded in).
    #[inline(always)]
    pub fn gc_due(&self) -> bool {
        self.total_bytes as isize + EXTRA_BYTES.with(|c| c.get()) > self.gc_threshold as isize
    }
}

struct Marker {
    gray: Vec<*mut GcHeader>,
    /// Weak-value tables and fully weak tables seen.
    weak: Vec<*mut Table>,
    /// Weak-key (ephemeron) tables seen.
    ephemeron: Vec<*mut Table>,
    /// Interned "__mode" and "__gc".
    mode_key: *mut LuaString,
}

#[inline]
fn is_marked_value(v: &TValue) -> bool {
    // SAFETY: collectable payloads are live object pointers.
    !v.is_collectable() || unsafe { (*v.as_gc()).marked }
}

impl Marker {
    #[inline]
    fn mark_obj(&mut self, o: *mut GcHeader) {
        if o.is_null() {
            return;
        }
        // SAFETY: o is a live object pointer.
        unsafe {
            if (*o).marked {
                return;
            }
            (*o).marked = true;
            if (*o).kind != GcKind::String {
                self.gray.push(o);
            }
        }
    }

    #[inline]
    fn mark_value(&mut self, v: &TValue) {
        if v.is_collectable() {
            self.mark_obj(v.as_gc());
        }
    }

    /// Weakness of a table from its metatable's `__mode` (keys, values).
    unsafe fn weakness(&self, t: *mut Table) -> (bool, bool) {
        let mt = (*t).metatable;
        if mt.is_null() {
            return (false, false);
        }
        let m = (*mt).get_str(self.mode_key);
        if m.tt != TSTR {
            return (false, false);
        }
        let b = (*m.as_string()).as_bytes();
        (b.contains(&b'k'), b.contains(&b'v'))
    }

    unsafe fn traverse(&mut self, o: *mut GcHeader) {
        match (*o).kind {
            GcKind::String => {}
            GcKind::Table => {
                let t = o as *mut Table;
                self.mark_obj((*t).metatable as *mut GcHeader);
                let (wk, wv) = self.weakness(t);
                if !wk && !wv {
                    for v in (*t).array.iter() {
                        if v.is_collectable() {
                            self.mark_obj(v.as_gc());
                        }
                    }
                    for n in (*t).nodes() {
                        if !n.val.is_nil() {
                            self.mark_value(&n.key);
                            self.mark_value(&n.val);
                        }
                    }
                } else if wk && !wv {
                    for v in (*t).array.iter() {
                        self.mark_value(v);
                    }
                    self.ephemeron.push(t);
                } else {
                    if !wk {
                        for n in (*t).nodes() {
                            if !n.val.is_nil() {
                                self.mark_value(&n.key);
                            }
                        }
                    }
                    self.weak.push(t);
                }
            }
            GcKind::LuaClosure => {
                let c = o as *mut LuaClosure;
                self.mark_obj((*c).proto as *mut GcHeader);
                for &u in (*c).upvals.iter() {
                    self.mark_obj(u as *mut GcHeader);
                }
            }
            GcKind::NativeClosure => {
                let c = o as *mut NativeClosure;
                for v in (*c).upvals.iter() {
                    self.mark_value(v);
                }
            }
            GcKind::UpVal => {
                let u = o as *mut UpVal;
                // an open upvalue's value is marked with its thread's stack
                if !(*u).open {
                    self.mark_value(&(*u).closed);
                }
            }
            GcKind::Proto => {
                let p = o as *mut Proto;
                self.mark_obj((*p).source as *mut GcHeader);
                for v in (*p).k.iter() {
                    self.mark_value(v);
                }
                for &c in (*p).protos.iter() {
                    self.mark_obj(c as *mut GcHeader);
                }
            }
            GcKind::Userdata => {
                let u = o as *mut Userdata;
                self.mark_obj((*u).metatable as *mut GcHeader);
                self.mark_value(&(*u).user_value);
            }
            GcKind::Thread => self.traverse_thread(o as *mut State),
        }
    }

    unsafe fn traverse_thread(&mut self, l: *mut State) {
        let th = &mut *l;
        // Live slots: everything below `top`, plus the register window of the
        // running frame when it is a Lua frame. A frame that called another
        // one has its live values below the callee's function slot, and a
        // native frame's reserved slots above `top` hold nothing live.
        let mut used = th.top;
        if let Some(ci) = th.cis.last() {
            if ci.is_lua() {
                used = used.max(ci.top);
            }
        }
        let used = used.min(th.stack.len());
        for v in th.stack[..used].iter() {
            self.mark_value(v);
        }
        // clear the dead part so no stale pointer survives this collection
        for v in th.stack[used..].iter_mut() {
            *v = TValue::NIL;
        }
        let mut uv = th.open_upval;
        while !uv.is_null() {
            self.mark_obj(uv as *mut GcHeader);
            uv = (*uv).next_open;
        }
        self.mark_value(&th.hook);
        if let Some(e) = th.dead_error {
            self.mark_value(&e);
        }
    }

    unsafe fn propagate(&mut self) {
        while let Some(o) = self.gray.pop() {
            self.traverse(o);
        }
    }

    /// Marks values of ephemeron entries whose keys are marked, until nothing
    /// changes.
    unsafe fn converge_ephemerons(&mut self) {
        loop {
            self.propagate();
            let mut changed = false;
            for i in 0..self.ephemeron.len() {
                let t = self.ephemeron[i];
                for n in (*t).nodes() {
                    if !n.val.is_nil() && key_alive(&n.key) && !is_marked_value(&n.val) {
                        self.mark_value(&n.val);
                        changed = true;
                    }
                }
            }
            if !changed && self.gray.is_empty() {
                break;
            }
        }
    }
}

/// A weak-table key or value counts as alive when it is not collectable,
/// marked, or a string (strings are values, §2.5.4).
#[inline]
unsafe fn key_alive(v: &TValue) -> bool {
    if v.tt == TSTR {
        (*v.as_gc()).marked = true;
        return true;
    }
    is_marked_value(v)
}

unsafe fn clear_weak(t: *mut Table, keys: bool, values: bool) {
    if values {
        for v in (*t).array.iter_mut() {
            if !key_alive(v) {
                *v = TValue::NIL;
            }
        }
    }
    for n in (*t).nodes_mut() {
        if n.val.is_nil() {
            continue;
        }
        if (keys && !key_alive(&n.key)) || (values && !key_alive(&n.val)) {
            n.val = TValue::NIL;
        }
    }
}

/// Frees one object.
///
/// # Safety
/// `o` must be unlinked and unreachable.
unsafe fn free_object(g: &mut Global, o: *mut GcHeader) {
    match (*o).kind {
        GcKind::String => {
            let s = o as *mut LuaString;
            g.total_bytes = g
                .total_bytes
                .saturating_sub(LuaString::alloc_size((*s).len));
            free_string(s);
        }
        GcKind::Table => {
            let t = Box::from_raw(o as *mut Table);
            g.total_bytes = g.total_bytes.saturating_sub(t.mem_size());
        }
        GcKind::LuaClosure => {
            let c = Box::from_raw(o as *mut LuaClosure);
            g.total_bytes = g
                .total_bytes
                .saturating_sub(std::mem::size_of::<LuaClosure>() + 8 * c.upvals.len());
        }
        GcKind::NativeClosure => {
            let c = Box::from_raw(o as *mut NativeClosure);
            g.total_bytes = g
                .total_bytes
                .saturating_sub(std::mem::size_of::<NativeClosure>() + 16 * c.upvals.len());
        }
        GcKind::UpVal => {
            drop(Box::from_raw(o as *mut UpVal));
            g.total_bytes = g.total_bytes.saturating_sub(std::mem::size_of::<UpVal>());
        }
        GcKind::Proto => {
            let p = Box::from_raw(o as *mut Proto);
            let size = std::mem::size_of::<Proto>()
                + p.code.len() * 8
                + p.k.len() * 16
                + p.protos.len() * 8;
            g.total_bytes = g.total_bytes.saturating_sub(size);
        }
        GcKind::Userdata => {
            drop(Box::from_raw(o as *mut Userdata));
            g.total_bytes = g
                .total_bytes
                .saturating_sub(std::mem::size_of::<Userdata>() + 64);
        }
        GcKind::Thread => {
            let mut t = Box::from_raw(o as *mut State);
            g.total_bytes = g
                .total_bytes
                .saturating_sub(std::mem::size_of::<State>() + t.stack.len() * 16);
            // Drop the native coroutine first: a suspended one unwinds its
            // native stack, whose frames only own plain Rust data.
            if let Some(c) = t.coro.take() {
                if c.done() || !c.started() {
                    let stack = c.into_stack();
                    if g.stack_pool.len() < 16 {
                        g.stack_pool.push(stack);
                    }
                } else {
                    drop(c);
                }
            }
            drop(t);
        }
    }
}

/// Walks a list, freeing unmarked objects and unmarking the rest.
unsafe fn sweep_list(g: &mut Global, head: *mut *mut GcHeader) {
    let mut link = head;
    while !(*link).is_null() {
        let o = *link;
        if (*o).marked {
            (*o).marked = false;
            link = &mut (*o).next;
        } else {
            *link = (*o).next;
            free_object(g, o);
        }
    }
}

impl State {
    /// A safepoint: collects if the allocation debt calls for it, then runs
    /// pending finalizers. The caller must have every live value of the
    /// running frame below `self.top` or the frame's top.
    #[inline]
    pub fn check_gc(&mut self) -> super::error::LuaResult<()> {
        let g = self.g();
        if g.gc_due() {
            g.sync_bytes();
            if g.gc_due() && !g.gc_stopped && !g.gc_running {
                self.full_gc();
                return self.run_pending_finalizers();
            }
        }
        Ok(())
    }

    /// A full collection (`collectgarbage("collect")` without finalizers).
    pub fn full_gc(&mut self) {
        let gp = self.g;
        // SAFETY: single-threaded VM; the collector has exclusive use of the
        // heap while it runs (no mutator code runs until it returns).
        unsafe {
            let g = &mut *gp;
            if g.gc_running {
                return;
            }
            g.gc_running = true;
            g.sync_bytes();
            let mut m = Marker {
                gray: Vec::with_capacity(256),
                weak: Vec::new(),
                ephemeron: Vec::new(),
                mode_key: g.tm_name(Tm::Mode),
            };
            // roots
            m.mark_obj(g.main_thread as *mut GcHeader);
            m.mark_obj(g.registry as *mut GcHeader);
            // `--profile` keeps every prototype for the report.
            for &p in &g.profile.protos {
                m.mark_obj(p as *mut GcHeader);
            }
            // prototypes whose batch the JIT worker is compiling
            if let Some(j) = g.jit.as_deref() {
                for p in j.pinned_protos() {
                    m.mark_obj(p as *mut GcHeader);
                }
            }
            m.mark_obj(g.globals as *mut GcHeader);
            for &mt in g.type_mt.iter() {
                m.mark_obj(mt as *mut GcHeader);
            }
            for &n in g.tm_names.iter() {
                m.mark_obj(n as *mut GcHeader);
            }
            for &o in g.tobefnz.iter() {
                m.mark_obj(o);
            }
            // the running thread (reachable anyway if it is a coroutine being
            // resumed, but be safe)
            m.mark_obj(self as *mut State as *mut GcHeader);
            m.converge_ephemerons();
            // clear weak values before resurrection (§2.5.4)
            for &t in m.weak.iter().chain(m.ephemeron.iter()) {
                let (_, wv) = m.weakness(t);
                if wv {
                    clear_weak(t, false, true);
                }
            }
            // separate unreached objects with finalizers
            let mut link: *mut *mut GcHeader = &mut g.finobj;
            let mut newly: Vec<*mut GcHeader> = Vec::new();
            while !(*link).is_null() {
                let o = *link;
                if !(*o).marked {
                    *link = (*o).next;
                    (*o).next = ptr::null_mut();
                    newly.push(o);
                } else {
                    link = &mut (*o).next;
                }
            }
            for &o in newly.iter() {
                m.mark_obj(o);
            }
            m.converge_ephemerons();
            // clear weak entries
            for &t in m.weak.iter() {
                let (wk, wv) = m.weakness(t);
                clear_weak(t, wk, wv);
            }
            for &t in m.ephemeron.iter() {
                clear_weak(t, true, false);
            }
            // finalizers run in reverse order of marking for finalization
            // (the newest registered first)
            g.tobefnz.extend(newly);
            g.strings.remove_dead(|s| !(*s).hdr.marked);
            let allgc: *mut *mut GcHeader = &mut g.allgc;
            sweep_list(g, allgc);
            let finobj: *mut *mut GcHeader = &mut g.finobj;
            sweep_list(g, finobj);
            // objects waiting for finalization stay marked-as-alive until run
            for &o in g.tobefnz.iter() {
                (*o).marked = false;
            }
            // the main thread is not in any list
            (*g.main_thread).hdr.marked = false;
            // The next collection waits for the heap to grow by a share of
            // what survived. PUC's incremental collector spreads a pause
            // <= 100 ("start the next cycle at once") over the allocations;
            // for this stop-the-world collector it would mean a full
            // collection at every allocation (quadratic time), so the
            // growth is at least 10%.
            let pause = g.gc_pause.max(110) as usize;
            g.gc_threshold = (g.total_bytes / 100).saturating_mul(pause).max(256 * 1024);
            g.gc_running = false;
        }
    }

    /// Calls the `__gc` of every object waiting for finalization (§2.5.3).
    /// Errors in finalizers become warnings.
    pub fn run_pending_finalizers(&mut self) -> super::error::LuaResult<()> {
        loop {
            let o = {
                let g = self.g();
                if g.tobefnz.is_empty() {
                    break;
                }
                match g.tobefnz.pop_front() {
                    Some(o) => o,
                    None => break,
                }
            };
            // back to the normal list: finalized once
            // SAFETY: o is a live object removed from tobefnz.
            let v = unsafe {
                let g = self.g();
                (*o).next = g.allgc;
                (*o).finobj = false;
                g.allgc = o;
                match (*o).kind {
                    GcKind::Table => TValue::table(o as *mut Table),
                    GcKind::Userdata => TValue::userdata(o as *mut Userdata),
                    _ => continue,
                }
            };
            let mt = self.g().metatable_of(&v);
            if mt.is_null() {
                continue;
            }
            let name = self.g().tm_name(Tm::Gc);
            // SAFETY: mt is a live table.
            let f = unsafe { (*mt).get_str(name) };
            if f.is_nil() {
                continue;
            }
            let saved_hook = self.allow_hook;
            self.allow_hook = false;
            let r = crate::interp::call::call_protected_values(self, f, &[v], 0);
            self.allow_hook = saved_hook;
            if let Err(e) = r {
                let msg = crate::runtime::tm::to_display_string(self, &e.value);
                crate::stdlib::base::warning(self, &format!("error in __gc ({msg})"));
            }
        }
        Ok(())
    }

    /// Registers `o` for finalization if `mt` has `__gc` (called by
    /// `setmetatable`, §2.5.3: the field must be present when the metatable
    /// is set).
    pub fn check_finalizer(&mut self, o: *mut GcHeader, mt: *mut Table) {
        if mt.is_null() {
            return;
        }
        let g = self.g();
        let name = g.tm_name(Tm::Gc);
        // SAFETY: mt and o are live objects; o is moved from allgc to finobj.
        unsafe {
            if (*mt).get_str(name).is_nil() || g.closing || (*o).finobj {
                return;
            }
            // unlink from allgc (new objects are near its head) into finobj
            let mut link: *mut *mut GcHeader = &mut g.allgc;
            while !(*link).is_null() {
                if *link == o {
                    *link = (*o).next;
                    (*o).next = g.finobj;
                    (*o).finobj = true;
                    g.finobj = o;
                    return;
                }
                link = &mut (**link).next;
            }
        }
    }
}

/// Closes a universe (`lua_close`): runs every pending finalizer (all objects
/// with `__gc` count as unreachable), then frees all objects, the main
/// thread and the global state.
///
/// # Safety
/// `l` must be the main thread of a universe created by `new_universe`, and
/// nothing may use the universe afterwards.
pub unsafe fn close_universe(l: *mut State) {
    let gp = (*l).g;
    let g = &mut *gp;
    (*l).close_upvals(0);
    // call all finalizers, newest first (§2.5.3 at lua_close)
    let mut pending = Vec::new();
    let mut o = g.finobj;
    while !o.is_null() {
        pending.push(o);
        o = (*o).next;
    }
    g.finobj = ptr::null_mut();
    // run_pending_finalizers links each object back into allgc
    g.tobefnz.extend(pending);
    g.closing = true;
    let _ = (*l).run_pending_finalizers();
    // free everything
    g.strings.remove_dead(|_| true);
    let mut o = g.allgc;
    g.allgc = ptr::null_mut();
    while !o.is_null() {
        let next = (*o).next;
        free_object(g, o);
        o = next;
    }
    let mut o = g.finobj;
    while !o.is_null() {
        let next = (*o).next;
        free_object(g, o);
        o = next;
    }
    drop(Box::from_raw(l));
    drop(Box::from_raw(gp));
}
