//! The VM state: the global state shared by all coroutines ([`Global`]) and
//! one thread of execution ([`State`], PUC's `lua_State`), with its value
//! stack and `CallInfo` stack.
//!
//! Invariants:
//! - `State::stack.len()` is the allocated size; every slot is initialised.
//!   The stack may move when it grows (`grow_stack`): code holding a raw
//!   pointer into it must reload it after any call, metamethod or allocation
//!   (PUC's "Protect" rule). Open upvalues are fixed up on growth.
//! - Everything live in a thread is in `stack[0..top_used]`, where
//!   `top_used` is the max of `top` and every frame's `top`; the collector
//!   marks that range and clears the rest (`gc`).
//! - Lua-to-Lua calls do not recurse on the native stack; native→Lua calls
//!   (metamethods, `pcall`, library callbacks) do, and are counted in
//!   `n_ccalls` (limit [`MAX_CCALLS`]).

use super::error::{ErrorKind, LuaError, LuaResult};
use super::func::{LuaClosure, NativeClosure, NativeFn, Proto, UpVal};
use super::gc::{GcHeader, GcKind};
use super::string::{hash_bytes, LuaString, StringTable};
use super::table::Table;
use super::tm::{Tm, TM_NAMES};
use super::userdata::Userdata;
use super::value::*;
use crate::bytecode::Instruction;
use std::ptr;

/// Largest number of stack slots of one thread (PUC's LUAI_MAXSTACK).
pub const MAX_STACK: usize = 1_000_000;
/// Slots kept free above every frame's top for metamethod calls.
pub const EXTRA_STACK: usize = 5;
/// Slots a native function may push without calling `check_stack` (LUA_MINSTACK).
pub const MIN_STACK: usize = 20;
/// Nesting limit of native→Lua calls (PUC's LUAI_MAXCCALLS).
pub const MAX_CCALLS: u32 = 200;

/// Frame kind and state bits of a [`CallInfo`].
pub mod cist {
    /// A Lua function frame.
    pub const LUA: u16 = 1;
    /// The entry frame of one `execute` invocation: returning from it
    /// returns from `execute`.
    pub const FRESH: u16 = 2;
    /// The frame was reused by a tail call.
    pub const TAIL: u16 = 4;
    /// A finalizer (`__gc`) call.
    pub const FIN: u16 = 8;
    /// A debug hook is running in this frame.
    pub const HOOKED: u16 = 16;
}

/// One activation record.
#[derive(Clone, Copy)]
pub struct CallInfo {
    /// Stack index of the function value.
    pub func: usize,
    /// Where the results go (differs from `func` for vararg Lua frames,
    /// whose function and fixed parameters were moved above the varargs).
    pub ret: usize,
    /// First register (Lua) or first argument (native).
    pub base: usize,
    /// Top of the frame: `base + max_stack_size` for Lua frames.
    pub top: usize,
    /// Next instruction to run (Lua frames).
    pub savedpc: *const Instruction,
    /// Results the caller wants; -1 = all.
    pub nresults: i32,
    /// Number of extra arguments (varargs) of a vararg Lua frame.
    pub nextra: u32,
    /// `cist` bits.
    pub status: u16,
}

impl CallInfo {
    #[inline(always)]
    pub fn is_lua(&self) -> bool {
        self.status & cist::LUA != 0
    }
}

/// Coroutine status (§2.6, `coroutine.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadStatus {
    /// Created, or yielded: can be resumed.
    Suspended,
    Running,
    /// Resumed another coroutine.
    Normal,
    /// Finished or failed.
    Dead,
}

/// The native coroutine that runs a Lua coroutine's frames on its own stack.
/// Input: number of values passed by `resume`; yield: number of values passed
/// by `yield`; return: number of results or an error.
pub type NativeCoroutine = corosensei::Coroutine<usize, usize, LuaResult<usize>>;
/// The yielder of [`NativeCoroutine`].
pub type NativeYielder = corosensei::Yielder<usize, usize>;

/// A thread of execution (`lua_State`): a coroutine or the main thread.
#[repr(C)]
pub struct State {
    pub hdr: GcHeader,
    pub g: *mut Global,
    pub stack: Vec<TValue>,
    /// First free slot.
    pub top: usize,
    /// The frames; the last one is running.
    pub cis: Vec<CallInfo>,
    /// Open upvalues, highest level first.
    pub open_upval: *mut UpVal,
    /// Stack indices of pending to-be-closed variables, ascending.
    pub tbc: Vec<usize>,
    pub status: ThreadStatus,
    /// Nested native→Lua calls.
    pub n_ccalls: u32,
    /// A coroutine's `n_ccalls` when its current resume began; the calls
    /// above it are pending on the coroutine's own native stack and survive
    /// a yield (see `coroutine::resume`).
    pub ccalls_base: u32,
    /// The native coroutine (not for the main thread).
    pub coro: Option<Box<NativeCoroutine>>,
    /// The yielder while the coroutine runs.
    pub yielder: *const NativeYielder,
    /// The error that killed this coroutine (for `coroutine.close`).
    pub dead_error: Option<TValue>,
    /// Debug hook function (`debug.sethook`) and its mask/count.
    pub hook: TValue,
    pub hook_mask: u8,
    pub hook_count: i32,
    pub hook_count_left: i32,
    pub allow_hook: bool,
    /// The pc of the last instruction the line hook looked at (PUC's
    /// `L->oldpc`); maintained by `runtime::debug::hook_*`.
    pub hook_oldpc: usize,
}

/// State shared by all threads of one Lua universe.
pub struct Global {
    pub strings: StringTable,
    /// All collectable objects except those with finalizers.
    pub allgc: *mut GcHeader,
    /// Objects whose metatable had `__gc` when it was set.
    pub finobj: *mut GcHeader,
    /// Unreachable objects waiting for their finalizer (kept alive).
    pub tobefnz: std::collections::VecDeque<*mut GcHeader>,
    /// Bytes allocated (estimate).
    pub total_bytes: usize,
    /// Collect when `total_bytes` exceeds this.
    pub gc_threshold: usize,
    /// `collectgarbage("stop")`.
    pub gc_stopped: bool,
    /// A collection is in progress (re-entrancy guard).
    pub gc_running: bool,
    /// Pause between collections in percent (`setpause`), default 200.
    pub gc_pause: u32,
    pub gc_stepmul: u32,
    /// Generational mode was requested (accepted; the collector is the same).
    pub gc_generational: bool,
    pub registry: *mut Table,
    /// `_G`.
    pub globals: *mut Table,
    /// Metatables of the basic types (strings share one), by `LuaType::index`.
    pub type_mt: [*mut Table; 9],
    /// Interned metamethod names, by `Tm`.
    pub tm_names: Vec<*mut LuaString>,
    pub main_thread: *mut State,
    /// Pooled native stacks for coroutines.
    pub stack_pool: Vec<corosensei::stack::DefaultStack>,
    /// Warnings on (`warn("@on")`).
    pub warn_on: bool,
    /// The universe is being closed (`lua_close`): no new finalizers.
    pub closing: bool,
    /// Hotness thresholds, the hot-event policy and `--profile` state.
    pub profile: crate::profile::VmProfile,
    /// The JIT controller when the JIT is on.
    pub jit: Option<Box<crate::jit::Jit>>,
    /// `--jit-stats`: print the JIT's counters at exit (also at `os.exit`;
    /// see `jit::exit_report`).
    pub jit_stats: bool,
}

impl Global {
    /// Links a new object into the object list and accounts its size.
    ///
    /// # Safety
    /// `o` must point to a freshly allocated object whose first field is its
    /// `GcHeader`, not linked anywhere.
    #[inline]
    unsafe fn link(&mut self, o: *mut GcHeader, size: usize) {
        (*o).next = self.allgc;
        self.allgc = o;
        self.total_bytes += size;
    }

    /// Interns a string (§2.1: strings are values; equal bytes, same object).
    #[inline]
    pub fn intern(&mut self, bytes: &[u8]) -> *mut LuaString {
        let h = hash_bytes(bytes);
        let p = self.strings.find(bytes, h);
        if !p.is_null() {
            // a found string is live: sweeps run to completion before any
            // mutator code, so no dead string is ever found here
            return p;
        }
        let p = self.strings.insert_new(bytes, h);
        // SAFETY: p is a new, unlinked string object.
        unsafe { self.link(p as *mut GcHeader, LuaString::alloc_size(bytes.len())) };
        p
    }

    /// A string value.
    #[inline]
    pub fn str_value(&mut self, bytes: &[u8]) -> TValue {
        TValue::string(self.intern(bytes))
    }

    /// A new table.
    pub fn new_table(&mut self, narray: usize, nhash: usize) -> *mut Table {
        let t = Box::into_raw(Box::new(Table::new(narray, nhash)));
        // SAFETY: new object.
        unsafe {
            let size = (*t).mem_size();
            self.link(t as *mut GcHeader, size)
        };
        t
    }

    /// A new Lua closure with `nup` upvalue slots (null until filled).
    pub fn new_lua_closure(&mut self, p: *mut Proto, nup: usize) -> *mut LuaClosure {
        let c = Box::into_raw(Box::new(LuaClosure {
            hdr: GcHeader::new(GcKind::LuaClosure),
            proto: p,
            upvals: vec![ptr::null_mut(); nup].into_boxed_slice(),
        }));
        // SAFETY: new object.
        unsafe {
            self.link(
                c as *mut GcHeader,
                std::mem::size_of::<LuaClosure>() + 8 * nup,
            )
        };
        c
    }

    /// A new native function value.
    pub fn new_native(
        &mut self,
        f: NativeFn,
        name: &'static str,
        upvals: Vec<TValue>,
    ) -> *mut NativeClosure {
        let n = upvals.len();
        let c = Box::into_raw(Box::new(NativeClosure::new(f, name, upvals)));
        // SAFETY: new object.
        unsafe {
            self.link(
                c as *mut GcHeader,
                std::mem::size_of::<NativeClosure>() + 16 * n,
            )
        };
        c
    }

    /// A new closed upvalue holding `v`.
    pub fn new_upval(&mut self) -> *mut UpVal {
        let u = Box::into_raw(Box::new(UpVal {
            hdr: GcHeader::new(GcKind::UpVal),
            v: ptr::null_mut(),
            closed: TValue::NIL,
            level: 0,
            next_open: ptr::null_mut(),
            open: false,
        }));
        // SAFETY: u is new; point v at its own closed slot.
        unsafe {
            (*u).v = &mut (*u).closed;
            self.link(u as *mut GcHeader, std::mem::size_of::<UpVal>());
        }
        u
    }

    /// A new userdata.
    pub fn new_userdata(&mut self, data: Box<dyn std::any::Any>) -> *mut Userdata {
        let u = Box::into_raw(Box::new(Userdata::new(data)));
        // SAFETY: new object.
        unsafe { self.link(u as *mut GcHeader, std::mem::size_of::<Userdata>() + 64) };
        u
    }

    /// Converts a compiled prototype into a runtime one (interning strings).
    pub fn new_proto(&mut self, p: &crate::bytecode::Proto) -> *mut Proto {
        use crate::bytecode::Constant;
        let source = self.intern(p.source.as_bytes());
        let k: Vec<TValue> = p
            .constants
            .iter()
            .map(|c| match c {
                Constant::Nil => TValue::NIL,
                Constant::Boolean(b) => TValue::boolean(*b),
                Constant::Integer(i) => TValue::int(*i),
                Constant::Float(f) => TValue::float(*f),
                Constant::String(s) => self.str_value(s),
            })
            .collect();
        let protos: Vec<*mut Proto> = p.protos.iter().map(|c| self.new_proto(c)).collect();
        let profile = crate::profile::ProtoProfile::new(self.profile.new_id(), &p.code);
        let size = std::mem::size_of::<Proto>()
            + profile.heap_bytes()
            + p.code.len() * 8
            + k.len() * 16
            + protos.len() * 8
            + p.loc_vars.len() * 40;
        let rp = Box::into_raw(Box::new(Proto {
            hdr: GcHeader::new(GcKind::Proto),
            code: p.code.clone().into_boxed_slice(),
            k: k.into_boxed_slice(),
            protos: protos.into_boxed_slice(),
            upvalues: p.upvalues.clone().into_boxed_slice(),
            num_params: p.num_params,
            is_vararg: p.is_vararg,
            max_stack_size: p.max_stack_size.max(2),
            line_defined: p.line_defined,
            last_line_defined: p.last_line_defined,
            line_info: p.line_info.clone().into_boxed_slice(),
            loc_vars: p.loc_vars.clone().into_boxed_slice(),
            source,
            profile: crate::profile::ProfileCell::new(profile),
        }));
        if self.profile.sampling.is_some() {
            self.profile.protos.push(rp);
        }
        // SAFETY: new object.
        unsafe { self.link(rp as *mut GcHeader, size) };
        rp
    }

    /// The interned name of a metamethod.
    #[inline(always)]
    pub fn tm_name(&self, tm: Tm) -> *mut LuaString {
        self.tm_names[tm as usize]
    }

    /// The metatable of any value (§2.4), null if none.
    #[inline]
    pub fn metatable_of(&self, v: &TValue) -> *mut Table {
        // SAFETY: payload pointers of tables and userdata are live objects.
        unsafe {
            match v.tt {
                TTABLE => (*v.as_table()).metatable,
                TUSERDATA => (*v.as_userdata()).metatable,
                _ => self.type_mt[v.ltype().index()],
            }
        }
    }
}

impl State {
    /// A thread with an empty stack, not linked into any list.
    pub fn new_thread_struct(g: *mut Global) -> State {
        State {
            hdr: GcHeader::new(GcKind::Thread),
            g,
            stack: vec![TValue::NIL; 2 * MIN_STACK + EXTRA_STACK],
            top: 0,
            cis: Vec::with_capacity(8),
            open_upval: ptr::null_mut(),
            tbc: Vec::new(),
            status: ThreadStatus::Suspended,
            n_ccalls: 0,
            ccalls_base: 0,
            coro: None,
            yielder: ptr::null(),
            dead_error: None,
            hook: TValue::NIL,
            hook_mask: 0,
            hook_count: 0,
            hook_count_left: 0,
            allow_hook: true,
            hook_oldpc: 0,
        }
    }

    /// The global state.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub fn g(&self) -> &mut Global {
        // SAFETY: every thread points to the live global state of its universe,
        // which outlives all threads; the VM is single-threaded and callers do
        // not keep two of these borrows across each other.
        unsafe { &mut *self.g }
    }

    /// Creates a new coroutine thread object (`lua_newthread`).
    pub fn new_thread(&mut self) -> *mut State {
        let g = self.g;
        let t = Box::into_raw(Box::new(State::new_thread_struct(g)));
        // SAFETY: new object; link it like any other.
        unsafe {
            let gl = &mut *g;
            (*t).hdr.next = gl.allgc;
            gl.allgc = t as *mut GcHeader;
            gl.total_bytes += std::mem::size_of::<State>() + (*t).stack.len() * 16;
            (*t).hook = self.hook;
            (*t).hook_mask = self.hook_mask;
            (*t).hook_count = self.hook_count;
            (*t).hook_count_left = self.hook_count;
        }
        t
    }

    /// The running frame.
    #[inline(always)]
    pub fn ci(&self) -> &CallInfo {
        self.cis.last().expect("a frame is always running")
    }

    /// The running frame, mutable.
    #[inline(always)]
    pub fn ci_mut(&mut self) -> &mut CallInfo {
        self.cis.last_mut().expect("a frame is always running")
    }

    /// Makes sure `n` more slots are available above `top`; may move the
    /// stack. Error "stack overflow" past [`MAX_STACK`].
    #[inline]
    pub fn check_stack(&mut self, n: usize) -> LuaResult<()> {
        if self.top + n + EXTRA_STACK > self.stack.len() {
            self.grow_stack(n)?;
        }
        Ok(())
    }

    #[inline(never)]
    pub fn grow_stack(&mut self, n: usize) -> LuaResult<()> {
        let needed = self.top + n + EXTRA_STACK;
        if needed > MAX_STACK {
            if self.stack.len() < MAX_STACK + 200 + EXTRA_STACK {
                // room for the error handler (PUC's ERRORSTACKSIZE)
                self.realloc_stack(MAX_STACK + 200 + EXTRA_STACK);
            }
            return Err(self.rt_error("stack overflow"));
        }
        let newsize = (self.stack.len() * 2)
            .max(needed)
            .min(MAX_STACK + EXTRA_STACK);
        self.realloc_stack(newsize);
        Ok(())
    }

    fn realloc_stack(&mut self, newsize: usize) {
        let old = self.stack.as_ptr() as usize;
        let oldlen = self.stack.len();
        self.stack.resize(newsize, TValue::NIL);
        self.g().total_bytes += (newsize.saturating_sub(oldlen)) * 16;
        if self.stack.as_ptr() as usize != old {
            let base = self.stack.as_mut_ptr();
            let mut uv = self.open_upval;
            while !uv.is_null() {
                // SAFETY: open upvalues of this thread point into its stack at
                // `level`, which is below the old length.
                unsafe {
                    (*uv).v = base.add((*uv).level);
                    uv = (*uv).next_open;
                }
            }
        }
    }

    /// Pushes a value (growing the stack when needed).
    #[inline]
    pub fn push(&mut self, v: TValue) {
        if self.top + EXTRA_STACK >= self.stack.len() {
            // Natives are promised MIN_STACK slots; past that we grow, and a
            // failure here is the stack-overflow case, reported at the next
            // check. Growing cannot fail below MAX_STACK.
            let _ = self.grow_stack(1);
            if self.top >= self.stack.len() {
                return;
            }
        }
        self.stack[self.top] = v;
        self.top += 1;
    }

    /// Pushes an interned string.
    pub fn push_str(&mut self, s: &[u8]) {
        let v = self.g().str_value(s);
        self.push(v);
    }

    /// Makes a string value.
    #[inline]
    pub fn str_value(&mut self, s: &[u8]) -> TValue {
        self.g().str_value(s)
    }

    /// The current source line of a Lua frame (0 if unknown).
    pub fn ci_line(&self, ci: &CallInfo) -> u32 {
        if !ci.is_lua() {
            return 0;
        }
        let cl = self.stack[ci.func];
        if cl.tt != TLCL {
            return 0;
        }
        // SAFETY: a Lua frame's function slot holds its live closure and
        // savedpc points into its prototype's code.
        unsafe {
            let p = &*(*cl.as_lua_closure()).proto;
            let pc = pc_index(p, ci.savedpc);
            p.line_at(pc)
        }
    }

    /// "chunk:line:" prefix for the frame `level` levels below the running one
    /// (0 = running), empty for native frames (PUC's `luaL_where`).
    pub fn where_(&self, level: usize) -> String {
        if level >= self.cis.len() {
            return String::new();
        }
        let ci = &self.cis[self.cis.len() - 1 - level];
        if !ci.is_lua() {
            return String::new();
        }
        let cl = self.stack[ci.func];
        // SAFETY: as in ci_line.
        let src = unsafe { (*(*cl.as_lua_closure()).proto).source_name() };
        format!("{}:{}: ", crate::syntax::chunk_id(&src), self.ci_line(ci))
    }

    /// A runtime error raised by the VM for the running Lua frame
    /// (`luaG_runerror`): the message gets the frame's position.
    pub fn rt_error(&mut self, msg: impl AsRef<str>) -> LuaError {
        let w = self.where_(0);
        let s = format!("{}{}", w, msg.as_ref());
        let v = self.str_value(s.as_bytes());
        LuaError::runtime(v)
    }

    /// An error raised by a native function (`luaL_error`): the message gets
    /// the position of the Lua code that called it.
    pub fn error(&mut self, msg: impl AsRef<str>) -> LuaError {
        let w = self.where_(1);
        let s = format!("{}{}", w, msg.as_ref());
        let v = self.str_value(s.as_bytes());
        LuaError::runtime(v)
    }

    /// An error with a message and no position.
    pub fn error_plain(&mut self, msg: impl AsRef<str>) -> LuaError {
        let v = self.str_value(msg.as_ref().as_bytes());
        LuaError::runtime(v)
    }

    /// A memory error ("not enough memory").
    pub fn mem_error(&mut self) -> LuaError {
        let v = self.str_value(b"not enough memory");
        LuaError {
            kind: ErrorKind::Memory,
            value: v,
        }
    }

    /// Finds or creates the open upvalue for stack slot `level`.
    pub fn find_upval(&mut self, level: usize) -> *mut UpVal {
        let mut link: *mut *mut UpVal = &mut self.open_upval;
        // SAFETY: walks this thread's open list (sorted by level, descending).
        unsafe {
            while !(*link).is_null() && (**link).level >= level {
                if (**link).level == level {
                    return *link;
                }
                link = &mut (**link).next_open;
            }
            let uv = self.g().new_upval();
            (*uv).open = true;
            (*uv).level = level;
            (*uv).v = self.stack.as_mut_ptr().add(level);
            (*uv).next_open = *link;
            *link = uv;
            uv
        }
    }

    /// Closes every open upvalue at or above stack slot `level`.
    pub fn close_upvals(&mut self, level: usize) {
        // SAFETY: open upvalues point into this stack; closing copies the
        // value into the upvalue and unlinks it.
        unsafe {
            while !self.open_upval.is_null() && (*self.open_upval).level >= level {
                let uv = self.open_upval;
                (*uv).closed = *(*uv).v;
                (*uv).v = &mut (*uv).closed;
                (*uv).open = false;
                self.open_upval = (*uv).next_open;
                (*uv).next_open = ptr::null_mut();
            }
        }
    }

    /// The function running in frame `ci`.
    #[inline]
    pub fn ci_func(&self, ci: &CallInfo) -> TValue {
        self.stack[ci.func]
    }

    /// Interned metamethod name string value.
    pub fn tm_name_value(&self, tm: Tm) -> TValue {
        TValue::string(self.g().tm_name(tm))
    }
}

/// 0-based index of the instruction before `savedpc` (the one running).
///
/// # Safety
/// `savedpc` must point into `p.code` (or one past its start).
#[inline]
pub unsafe fn pc_index(p: &Proto, savedpc: *const Instruction) -> usize {
    let d = savedpc.offset_from(p.code.as_ptr());
    if d <= 0 {
        0
    } else {
        d as usize - 1
    }
}

/// Creates a universe: the global state and its main thread, with the
/// registry, `_G` and interned metamethod names. Returns the main thread.
pub fn new_universe() -> *mut State {
    let g = Box::into_raw(Box::new(Global {
        strings: StringTable::default(),
        allgc: ptr::null_mut(),
        finobj: ptr::null_mut(),
        tobefnz: std::collections::VecDeque::new(),
        total_bytes: 0,
        gc_threshold: 1 << 20,
        gc_stopped: false,
        gc_running: false,
        gc_pause: 200,
        gc_stepmul: 100,
        gc_generational: false,
        registry: ptr::null_mut(),
        globals: ptr::null_mut(),
        type_mt: [ptr::null_mut(); 9],
        tm_names: Vec::new(),
        main_thread: ptr::null_mut(),
        stack_pool: Vec::new(),
        warn_on: false,
        closing: false,
        profile: crate::profile::VmProfile::default(),
        jit: None,
        jit_stats: false,
    }));
    // SAFETY: g is fresh; the main thread is owned by the universe (freed by
    // `close_universe`), not linked in the object list.
    unsafe {
        let l = Box::into_raw(Box::new(State::new_thread_struct(g)));
        (*l).status = ThreadStatus::Running;
        (*g).main_thread = l;
        let names: Vec<*mut LuaString> =
            TM_NAMES.iter().map(|n| (*g).intern(n.as_bytes())).collect();
        (*g).tm_names = names;
        let reg = (*g).new_table(2, 4);
        (*g).registry = reg;
        let globals = (*g).new_table(0, 64);
        (*g).globals = globals;
        (*reg).set_int(1, TValue::thread(l));
        (*reg).set_int(2, TValue::table(globals));
        // a base frame for the main thread (a native frame with no function)
        (&mut (*l).stack)[0] = TValue::NIL;
        (*l).top = 1;
        (*l).cis.push(CallInfo {
            func: 0,
            ret: 0,
            base: 1,
            top: 1 + MIN_STACK,
            savedpc: ptr::null(),
            nresults: 0,
            nextra: 0,
            status: 0,
        });
        l
    }
}
