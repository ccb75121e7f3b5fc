//! Tier-0 profiling: hotness counters, type feedback and inline caches (the
//! profiling half of the tiered design in `../shared/DESIGN.md`, `src/profile/`).
//!
//! Every runtime prototype owns a [`ProtoProfile`]: a call counter, one
//! [`Feedback`] cell per instruction (pc-indexed, so the interpreter finds a
//! site's cell with pointer arithmetic) and one [`InlineCache`] per instruction
//! that can use one (globals, constant-key fields, `obj:m()`, calls), found
//! through a pc → cache index map.
//!
//! - **Hotness.** A call counter per prototype (bumped when a Lua frame starts at
//!   pc 0: plain calls, tail calls, coroutine bodies) and a back-edge counter per
//!   loop (`FORLOOP`, `TFORLOOP` and backward `JMP`s, kept in that
//!   instruction's feedback cell). Reaching [`Thresholds::call`] or
//!   [`Thresholds::loop_iterations`] delivers one [`HotEvent`] to the
//!   [`HotPolicy`] in `Global` (the JIT controller will own it; until then
//!   [`RecordingPolicy`] keeps the events).
//! - **Type feedback.** A [`Feedback`] cell counts the operand type
//!   combinations an instruction saw (up to four, the rest pooled as
//!   [`KEY_OTHER`]); type categories are nil, boolean, integer, float, string,
//!   table, function and other ([`TYPE_NAMES`]). For calls the key is the
//!   callee's prototype id ([`key_proto`]). [`Feedback::stability`] is the share
//!   of executions that saw the most common combination.
//! - **Inline caches.** See [`InlineCache`]: entries remember *where* a key was
//!   found (a hash-slot index), never a value, and every hit re-checks the key at
//!   that slot, so adding or removing keys, resizing a table or changing a
//!   metatable can never make the interpreter read a stale value.
//!
//! - **Warm-up window.** Feedback, back-edge counts and cache hits are
//!   recorded while [`ProtoProfile::recording`] is set: from creation until the
//!   function or one of its loops becomes hot (under `--profile`, until exit).
//!   The interpreter has a recording and a steady-state copy of its loop
//!   (`interp::execute`); the inline caches are probed in the recording copy,
//!   the steady-state copy uses the plain hashed lookup, which measured cheaper.
//!
//! Cargo features switch the two halves off for overhead measurements:
//! `profiling` (counters and feedback) and `inline-caches`; both are default.

pub mod report;
pub mod sampler;

use std::cell::UnsafeCell;

use crate::bytecode::{ins, Instruction, OpCode};

/// Names of the eight type categories of type feedback, by category number.
pub const TYPE_NAMES: [&str; 8] = [
    "nil", "boolean", "integer", "float", "string", "table", "function", "other",
];

/// Category of each value tag (`runtime::value`'s tags 0..=11): nil, false/true →
/// boolean, int, float, string, table, Lua/native closure → function, userdata,
/// thread, light userdata → other.
const CATEGORY_OF_TAG: [u8; 16] = [0, 1, 1, 2, 3, 4, 5, 6, 6, 7, 7, 7, 7, 7, 7, 7];

/// The type category (0..8) of a value tag.
#[inline(always)]
pub fn category(tt: u8) -> u32 {
    CATEGORY_OF_TAG[(tt & 15) as usize] as u32
}

/// Feedback key of a one-operand site (`LEN`, `UNM`, returns): 1..=8.
#[inline(always)]
pub fn key1(tt: u8) -> u32 {
    1 + category(tt)
}

/// Feedback key of a two-operand site (arithmetic, comparisons, indexing with the
/// table/object type first): 1..=64.
#[inline(always)]
pub fn key2(a: u8, b: u8) -> u32 {
    1 + category(a) * 8 + category(b)
}

/// Key of a back-edge counter cell (loops count iterations under this key).
pub const KEY_LOOP: u32 = 1;
/// Call-site key: the callee is a native (Rust) function.
pub const KEY_NATIVE: u32 = 65;
/// Call-site key: the callee is not a function (called through `__call`).
pub const KEY_CALL_META: u32 = 66;
/// The pooled bucket of combinations seen after four distinct ones.
pub const KEY_OTHER: u32 = u32::MAX;
/// Offset of call-site keys naming a Lua prototype ([`key_proto`]).
const KEY_PROTO_BASE: u32 = 100;

/// Call-site key of a Lua callee with prototype id `id`.
#[inline(always)]
pub fn key_proto(id: u32) -> u32 {
    KEY_PROTO_BASE.saturating_add(id)
}

/// The prototype id a call-site key names, if it names one.
pub fn proto_of_key(key: u32) -> Option<u32> {
    (KEY_PROTO_BASE..KEY_OTHER)
        .contains(&key)
        .then(|| key - KEY_PROTO_BASE)
}

/// One instruction's type feedback: up to four (key, count) pairs, the most
/// frequent kept first so the common case is one compare. Counts saturate at
/// `u32::MAX`. 32 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Feedback {
    /// Combination keys ([`key1`], [`key2`], [`key_proto`], ...); 0 = unused.
    pub keys: [u32; 4],
    /// Executions that saw each key.
    pub counts: [u32; 4],
}

impl Feedback {
    /// Counts one execution that saw `key`.
    #[inline(always)]
    pub fn record(&mut self, key: u32) {
        if self.keys[0] == key {
            self.counts[0] = self.counts[0].saturating_add(1);
        } else {
            self.record_slow(key);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_slow(&mut self, key: u32) {
        let i = match self.keys.iter().position(|&k| k == key || k == 0) {
            Some(i) => i,
            None => {
                // A fifth combination: the last entry becomes the pooled bucket.
                self.keys[3] = KEY_OTHER;
                3
            }
        };
        self.keys[i] = if self.keys[i] == 0 { key } else { self.keys[i] };
        self.counts[i] = self.counts[i].saturating_add(1);
        // Keep the most frequent entry first.
        if i > 0 && self.counts[i] > self.counts[0] && self.keys[i] != KEY_OTHER {
            self.keys.swap(0, i);
            self.counts.swap(0, i);
        }
    }

    /// Executions recorded.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| c as u64).sum()
    }

    /// Share (0.0..=1.0) of executions that saw the most common combination; 1.0
    /// for a site never executed. The pooled bucket does not count as one
    /// combination.
    pub fn stability(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            return 1.0;
        }
        let best = self
            .entries()
            .filter(|(k, _)| *k != KEY_OTHER)
            .map(|(_, c)| c)
            .max()
            .unwrap_or(0);
        best as f64 / total as f64
    }

    /// The used (key, count) pairs, most frequent first.
    pub fn entries(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut v: Vec<(u32, u32)> = self
            .keys
            .iter()
            .zip(self.counts.iter())
            .filter(|(k, _)| **k != 0)
            .map(|(k, c)| (*k, *c))
            .collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.1));
        v.into_iter()
    }
}

/// What an inline cache caches, by the instruction that owns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum IcKind {
    /// `GETTABUP` with a constant string key: a global read through `_ENV`.
    GlobalGet,
    /// `SETTABUP` with a constant string key: a global write.
    GlobalSet,
    /// `GETFIELD`: `t.x` with a constant string key.
    FieldGet,
    /// `SETFIELD`: `t.x = v`.
    FieldSet,
    /// `SELF`: `obj:m()`, found in the object or through its metatable's
    /// `__index` table.
    Method,
    /// `CALL`/`TAILCALL`: the callee's prototype.
    Call,
}

impl IcKind {
    /// Every kind, in report order.
    pub const ALL: [IcKind; 6] = [
        IcKind::GlobalGet,
        IcKind::GlobalSet,
        IcKind::FieldGet,
        IcKind::FieldSet,
        IcKind::Method,
        IcKind::Call,
    ];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            IcKind::GlobalGet => "global get",
            IcKind::GlobalSet => "global set",
            IcKind::FieldGet => "field get",
            IcKind::FieldSet => "field set",
            IcKind::Method => "method",
            IcKind::Call => "call",
        }
    }

    /// The cache kind of an instruction, if it has a cache.
    pub fn of(i: Instruction) -> Option<IcKind> {
        match ins::opcode(i) {
            OpCode::GETTABUP => Some(IcKind::GlobalGet),
            OpCode::SETTABUP => Some(IcKind::GlobalSet),
            OpCode::GETFIELD => Some(IcKind::FieldGet),
            OpCode::SETFIELD => Some(IcKind::FieldSet),
            OpCode::SELF => Some(IcKind::Method),
            OpCode::CALL | OpCode::TAILCALL => Some(IcKind::Call),
            _ => None,
        }
    }
}

/// Entries an inline cache holds before it goes megamorphic.
pub const IC_ENTRIES: usize = 4;

/// The state of an inline cache (the classic Hölzle/Chambers/Ungar states,
/// "Optimizing dynamically-typed object-oriented languages with polymorphic
/// inline caches", ECOOP 1991).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IcState {
    /// Never executed.
    Uninitialized,
    /// One entry.
    Monomorphic,
    /// Two to [`IC_ENTRIES`] entries.
    Polymorphic,
    /// More shapes than entries: the cache no longer caches.
    Megamorphic,
}

impl IcState {
    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            IcState::Uninitialized => "uninitialized",
            IcState::Monomorphic => "monomorphic",
            IcState::Polymorphic => "polymorphic",
            IcState::Megamorphic => "megamorphic",
        }
    }
}

/// One entry of an [`InlineCache`].
///
/// For table caches, `slot` is the index in a table's hash part where the key
/// was found and `guard` is 0 (field/global caches) or the metatable the
/// object had (method caches, where `slot` indexes the `__index` table and
/// `aux` is the `__index` field's slot in the metatable). For call caches,
/// `guard` is the callee's prototype id + 1. Tables built the same way (same
/// keys inserted in the same order into the same capacity) put a key in the
/// same slot, so one entry serves every object of such a "shape".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IcEntry {
    pub slot: u32,
    pub aux: u32,
    pub guard: usize,
}

/// A polymorphic inline cache with hit and miss counts.
///
/// Validity: an entry is only a hint. A field hit requires that the table's
/// hash slot `slot` holds exactly the cached key (interned strings compare by
/// pointer) with a non-nil value, so it is right whatever happened to the
/// table since; a method hit additionally checks the object's metatable
/// pointer and that the object itself lacks the key. Nothing is ever flushed.
#[derive(Clone, Copy, Debug, Default)]
pub struct InlineCache {
    pub entries: [IcEntry; IC_ENTRIES],
    /// Entries in use (0..=IC_ENTRIES).
    pub len: u8,
    /// Set when a miss found no free entry.
    pub megamorphic: bool,
    pub hits: u32,
    pub misses: u32,
}

impl InlineCache {
    /// The cache's state.
    pub fn state(&self) -> IcState {
        match (self.megamorphic, self.len) {
            (true, _) => IcState::Megamorphic,
            (false, 0) => IcState::Uninitialized,
            (false, 1) => IcState::Monomorphic,
            _ => IcState::Polymorphic,
        }
    }

    /// Counts a hit.
    #[inline(always)]
    pub fn hit(&mut self) {
        self.hits = self.hits.saturating_add(1);
    }

    /// Counts a miss and remembers `e` unless the cache is full, in which case it
    /// becomes megamorphic. An entry equal to an existing one is not added twice.
    #[cold]
    pub fn miss(&mut self, e: IcEntry) {
        self.misses = self.misses.saturating_add(1);
        if self.megamorphic || self.entries[..self.len as usize].contains(&e) {
            return;
        }
        if (self.len as usize) < IC_ENTRIES {
            self.entries[self.len as usize] = e;
            self.len += 1;
        } else {
            self.megamorphic = true;
        }
    }

    /// Counts a lookup that could not be cached (megamorphic, or a shape the
    /// cache cannot describe, e.g. a key found in the array part).
    #[cold]
    pub fn uncached(&mut self) {
        self.misses = self.misses.saturating_add(1);
    }

    /// The entries in use.
    #[inline(always)]
    pub fn live(&self) -> &[IcEntry] {
        &self.entries[..self.len as usize]
    }
}

/// Marker in [`ProtoProfile::ic_index`] for instructions without a cache.
pub const NO_IC: u32 = u32::MAX;

/// The profile of one prototype. Lives inside the runtime `Proto`, in an
/// `UnsafeCell` because the interpreter updates it through the shared
/// references it holds to running prototypes (single-threaded: only the
/// thread running Lua touches it).
#[derive(Debug, Default)]
pub struct ProtoProfile {
    /// Unique id of the prototype in this process (allocation order, from 1).
    pub id: u32,
    /// Calls (frames started at pc 0).
    pub calls: u64,
    /// One cell per instruction.
    pub feedback: Box<[Feedback]>,
    /// Per instruction: index into `ics`, or [`NO_IC`].
    pub ic_index: Box<[u32]>,
    pub ics: Box<[InlineCache]>,
    /// Native code installed by the JIT (`crate::jit`), entered by the
    /// interpreter at the function's start and at OSR loop headers.
    pub native: Option<crate::jit::abi::NativeCode>,
    /// Type feedback, back-edge counts and cache hits are being recorded.
    /// True from creation until the function or one of its loops becomes hot
    /// (the warm-up window; with `--profile`, until exit).
    pub recording: bool,
}

impl ProtoProfile {
    /// A fresh profile for `code`, with a feedback cell per instruction and a
    /// cache for each instruction [`IcKind::of`] names (the interpreter relies on
    /// every such instruction having one).
    pub fn new(id: u32, code: &[Instruction]) -> ProtoProfile {
        let mut ic_index = vec![NO_IC; code.len()];
        let mut n = 0usize;
        for (pc, &i) in code.iter().enumerate() {
            if IcKind::of(i).is_some() {
                ic_index[pc] = n as u32;
                n += 1;
            }
        }
        ProtoProfile {
            id,
            calls: 0,
            feedback: vec![Feedback::default(); code.len()].into_boxed_slice(),
            ic_index: ic_index.into_boxed_slice(),
            ics: vec![InlineCache::default(); n].into_boxed_slice(),
            recording: true,
            native: None,
        }
    }

    /// The cache of the instruction at `pc`, if it has one.
    pub fn ic_at(&self, pc: usize) -> Option<&InlineCache> {
        let i = *self.ic_index.get(pc)?;
        (i != NO_IC).then(|| &self.ics[i as usize])
    }

    /// Bytes of memory this profile uses besides its own struct.
    pub fn heap_bytes(&self) -> usize {
        self.feedback.len() * std::mem::size_of::<Feedback>()
            + self.ic_index.len() * 4
            + self.ics.len() * std::mem::size_of::<InlineCache>()
    }
}

/// A cell holding a [`ProtoProfile`] (see there for why it is an `UnsafeCell`).
#[derive(Debug, Default)]
pub struct ProfileCell(UnsafeCell<ProtoProfile>);

impl ProfileCell {
    pub fn new(p: ProtoProfile) -> ProfileCell {
        ProfileCell(UnsafeCell::new(p))
    }

    /// A raw pointer for the interpreter's updates.
    #[inline(always)]
    pub fn get(&self) -> *mut ProtoProfile {
        self.0.get()
    }

    /// A shared view for reports.
    ///
    /// # Safety
    /// No update may run while the reference lives (the interpreter must not be
    /// executing this prototype's code on this thread at the same time, which
    /// holds for reports made between instructions).
    pub unsafe fn view(&self) -> &ProtoProfile {
        // SAFETY: guaranteed by the caller.
        unsafe { &*self.0.get() }
    }
}

/// Hotness thresholds. `--jit-threshold N` sets `call = N` and
/// `loop_iterations = N * LOOP_FACTOR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// Calls after which a function is hot.
    pub call: u32,
    /// Back-edges after which a loop is hot.
    pub loop_iterations: u32,
}

/// Loop threshold per unit of the call threshold: a loop iteration is cheaper
/// than a call, so a loop must run longer before it pays for compiling.
pub const LOOP_FACTOR: u32 = 4;

/// Default call threshold. Provisional: the external toolchain costs tens of
/// milliseconds per batch, so only functions that run long enough to repay that
/// should be compiled; the JIT (issue 5) will tune it by measurement.
pub const DEFAULT_CALL_THRESHOLD: u32 = 1000;

impl Thresholds {
    /// Thresholds scaled from one number (`--jit-threshold N`); 0 counts as 1.
    pub fn from_scale(n: u32) -> Thresholds {
        let call = n.max(1);
        Thresholds {
            call,
            loop_iterations: call.saturating_mul(LOOP_FACTOR),
        }
    }
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds::from_scale(DEFAULT_CALL_THRESHOLD)
    }
}

/// What became hot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HotKind {
    /// The function reached the call threshold.
    Function,
    /// The loop whose back-edge instruction is at `pc` (0-based) reached the
    /// iteration threshold.
    Loop { pc: u32 },
}

/// A hotness event: which prototype (by id, with its source position for
/// messages) and what became hot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HotEvent {
    pub proto_id: u32,
    pub kind: HotKind,
    /// The function's chunk name and first line, e.g. `@fib.lua:3`.
    pub where_: String,
}

/// Receives hot events from the interpreter. The JIT controller implements it;
/// it must be cheap (it runs on the interpreter's thread, at a call or a
/// back-edge) and must not call back into the VM.
pub trait HotPolicy {
    fn on_hot(&mut self, ev: HotEvent);
    /// Events received so far, for reports and tests.
    fn events(&self) -> &[HotEvent];
}

/// The policy used until a JIT is attached: remembers every event.
#[derive(Debug, Default)]
pub struct RecordingPolicy {
    pub events: Vec<HotEvent>,
}

impl HotPolicy for RecordingPolicy {
    fn on_hot(&mut self, ev: HotEvent) {
        tracing_event(&ev);
        self.events.push(ev);
    }
    fn events(&self) -> &[HotEvent] {
        &self.events
    }
}

fn tracing_event(ev: &HotEvent) {
    tracing::debug!(target: "profile", proto = ev.proto_id, kind = ?ev.kind, at = %ev.where_, "hot");
}

/// The VM-wide profiling state, in `Global`.
pub struct VmProfile {
    pub thresholds: Thresholds,
    /// Where hot events go.
    pub policy: Box<dyn HotPolicy>,
    /// The id the next prototype gets.
    pub next_id: u32,
    /// `--profile`: the running function's id is published here for the
    /// sampler, and every prototype is kept alive until the report.
    pub sampling: Option<std::sync::Arc<std::sync::atomic::AtomicU32>>,
    /// Every prototype created while `sampling` is on (GC roots).
    pub protos: Vec<*mut crate::runtime::func::Proto>,
    /// The running `--profile` session, if any.
    pub session: Option<Session>,
    /// Keep recording after functions become hot (`--profile`).
    pub always_record: bool,
}

/// Output format of the `--profile` report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// Tables for people (`--profile`).
    Text,
    /// One JSON object (`--profile=json`).
    Json,
}

/// A `--profile` run in progress: the sampler and what to print at exit.
#[derive(Debug)]
pub struct Session {
    sampler: Option<sampler::Sampler>,
    format: ReportFormat,
    script: String,
}

/// Starts a `--profile` session: from now on every new prototype is kept for
/// the report and the running function is sampled. `script` names the run in
/// the report.
pub fn start_session(g: &mut crate::runtime::state::Global, format: ReportFormat, script: &str) {
    let sampler = sampler::Sampler::start();
    let current = sampler
        .as_ref()
        .map(|s| s.current())
        .unwrap_or_else(|| std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0)));
    g.profile.sampling = Some(current);
    g.profile.always_record = true;
    g.profile.session = Some(Session {
        sampler,
        format,
        script: script.to_string(),
    });
}

/// Ends the `--profile` session, if one runs, and writes its report to stderr
/// (called at the end of `main` and by `os.exit`). Later calls do nothing.
pub fn finish_session(g: &mut crate::runtime::state::Global) {
    let Some(session) = g.profile.session.take() else {
        return;
    };
    let samples = session
        .sampler
        .map(sampler::Sampler::finish)
        .unwrap_or_default();
    g.profile.sampling = None;
    // SAFETY: the protos are GC roots while the session runs and no Lua code
    // runs during the report.
    let report = unsafe {
        report::Report::build(
            &session.script,
            &g.profile.protos,
            &samples,
            g.profile.policy.events(),
        )
    };
    let text = match session.format {
        ReportFormat::Text => report.to_text(),
        ReportFormat::Json => format!("{}\n", report.to_json()),
    };
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

impl Default for VmProfile {
    fn default() -> VmProfile {
        VmProfile {
            thresholds: Thresholds::default(),
            policy: Box::new(RecordingPolicy::default()),
            next_id: 1,
            sampling: None,
            protos: Vec::new(),
            session: None,
            always_record: false,
        }
    }
}

impl VmProfile {
    /// A new prototype's id.
    pub fn new_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    /// Publishes the running function for the sampler (no-op unless `--profile`).
    #[inline(always)]
    pub fn publish(&self, id: u32) {
        if let Some(c) = &self.sampling {
            c.store(id, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_keeps_most_common_first_and_pools_the_rest() {
        let mut f = Feedback::default();
        assert_eq!(f.stability(), 1.0);
        for _ in 0..3 {
            f.record(key2(3, 3));
        }
        for _ in 0..5 {
            f.record(key2(4, 4));
        }
        assert_eq!(f.keys[0], key2(4, 4));
        assert_eq!(f.total(), 8);
        assert!((f.stability() - 5.0 / 8.0).abs() < 1e-12);
        for k in [key1(0), key1(1), key1(5)] {
            f.record(k);
        }
        // four distinct combinations seen after the first two: the last is pooled
        assert_eq!(f.keys[3], KEY_OTHER);
        assert_eq!(f.total(), 11);
        let e: Vec<_> = f.entries().collect();
        assert_eq!(e[0], (key2(4, 4), 5));
    }

    #[test]
    fn cache_states_follow_entries() {
        let mut c = InlineCache::default();
        assert_eq!(c.state(), IcState::Uninitialized);
        let e = |s| IcEntry {
            slot: s,
            aux: 0,
            guard: 0,
        };
        c.miss(e(1));
        assert_eq!(c.state(), IcState::Monomorphic);
        c.miss(e(1));
        assert_eq!(c.state(), IcState::Monomorphic);
        c.miss(e(2));
        c.miss(e(3));
        c.miss(e(4));
        assert_eq!(c.state(), IcState::Polymorphic);
        c.miss(e(5));
        assert_eq!(c.state(), IcState::Megamorphic);
        assert_eq!(c.misses, 6);
    }

    #[test]
    fn categories_cover_every_tag() {
        use crate::runtime::value::*;
        let want = [
            (TNIL, 0),
            (TFALSE, 1),
            (TTRUE, 1),
            (TINT, 2),
            (TFLOAT, 3),
            (TSTR, 4),
            (TTABLE, 5),
            (TLCL, 6),
            (TNCL, 6),
            (TUSERDATA, 7),
            (TTHREAD, 7),
            (TLIGHTUD, 7),
        ];
        for (tt, c) in want {
            assert_eq!(category(tt), c, "tag {tt}");
        }
        assert_eq!(proto_of_key(key_proto(7)), Some(7));
        assert_eq!(proto_of_key(KEY_NATIVE), None);
    }
}
