//! Tier 1: the external-toolchain JIT (`../shared/DESIGN.md`, "Generated
//! code", "Toolchain and loading").
//!
//! Today's state (issue 5 in progress): when the profiler reports a hot
//! function or loop, [`on_hot`] compiles that prototype and every nested
//! prototype not yet compiled in one batch, synchronously on the main thread:
//! [`snapshot`] copies them out of the heap, [`emit::x86_64`] writes one `.s`
//! file, [`toolchain`] assembles and links it into a shared object, [`loader`]
//! opens it, and each function's entry is installed in its prototype's
//! profile (`ProtoProfile::native`). The interpreter enters native code at a
//! function's start (and at a hot loop's header, OSR) and resumes the frame
//! wherever the native code exits (see [`abi`]).
//!
//! Not yet: the worker thread and batching window, the LIR, calls and table
//! access in native code (they exit to the interpreter), deopt counting and
//! recompilation, the code cache.

pub mod abi;
pub mod code_cache;
pub mod emit;
pub mod helpers;
pub mod lir;
pub mod loader;
pub mod snapshot;
pub mod target;
pub mod toolchain;
pub mod worker;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::runtime::func::Proto;
use crate::runtime::state::State;

/// How the JIT was asked to run.
#[derive(Clone, Debug, Default)]
pub struct JitConfig {
    /// Keep every `.s` file in this directory (`--emit-asm DIR`).
    pub emit_asm: Option<PathBuf>,
    /// Time-out of each toolchain run (`LUNAJIT_TOOLCHAIN_TIMEOUT_MS`, default
    /// [`DEFAULT_TIMEOUT`]).
    pub timeout: Option<Duration>,
    /// `--jit-enter=always`: enter native code at every function start and
    /// loop header, even where the interpreter is faster (for testing the
    /// native code paths; the default enters only where it pays off).
    pub enter_always: bool,
    /// The code cache's directory (`--cache-dir`, `LUNAJIT_CACHE_DIR`, the
    /// user cache directory: see [`code_cache::cache_dir`]); `None` runs
    /// without the cache (`--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// `--jit-wait`: compile on the main thread and wait for each batch, so
    /// code is installed before the hot function runs on (deterministic;
    /// the tests use it). Default: the worker thread compiles and the
    /// interpreter installs finished code at its next safepoint.
    pub wait: bool,
    /// The JIT was asked for (`--jit=external`), so a missing toolchain is
    /// worth a warning; when it is merely the default, it is not.
    pub requested: bool,
}

/// Counters for `--jit-stats`.
#[derive(Clone, Debug, Default)]
pub struct JitStats {
    pub functions_compiled: u64,
    pub batches: u64,
    pub toolchain_runs: u64,
    pub toolchain_failures: u64,
    pub blacklisted: u64,
    /// Exits where a guard failed.
    pub deopts: u64,
    /// Recompilations without failing specialisations (`guard_failed`).
    pub recompiled: u64,
    /// Expected exits to the interpreter (no native form, recursion limit).
    pub exits: u64,
    pub as_ms: f64,
    pub ld_ms: f64,
    pub dlopen_ms: f64,
    pub longest_wait_ms: f64,
    pub native_instructions: u64,
    pub instructions: u64,
    /// Compile requests (hot events that needed the toolchain); several may
    /// share one batch.
    pub requests: u64,
    /// Functions installed from the code cache.
    pub cache_hits: u64,
    /// Functions the toolchain compiled because the cache lacked them.
    pub cache_misses: u64,
    /// Bytes of shared objects and records written to the cache.
    pub cache_bytes_written: u64,
    /// Wall-clock ms spent looking up, verifying and opening cached code.
    pub cache_load_ms: f64,
}

/// The JIT controller, owned by `Global` when `--jit=external` is on.
pub struct Jit {
    pub config: JitConfig,
    /// The target code is generated for (the host's).
    pub target: target::Target,
    pub toolchain: toolchain::Toolchain,
    pub stats: JitStats,
    /// The block native code receives.
    pub vm: Box<abi::JitVm>,
    /// Prototypes compiled, being compiled or blacklisted (by id).
    done: std::collections::HashSet<u32>,
    /// Scratch directory for `.s`/`.so` files when `--emit-asm` is not given.
    scratch: Option<tempfile::TempDir>,
    /// Set after the first toolchain warning, so it is printed once.
    warned: bool,
    /// The error a call from native code raised, until the interpreter
    /// rethrows it (`helpers::call`).
    pub pending_error: Option<crate::runtime::error::LuaError>,
    /// Calls from native code now nested on the machine stack.
    pub native_depth: u32,
    /// The persistent code cache, if on and usable.
    pub cache: Option<code_cache::CodeCache>,
    /// Set after the first warning about an insecure cache entry.
    warned_insecure: bool,
    /// Set once [`MAX_LIBRARIES`] is reached.
    warned_cap: bool,
    /// Readable names of the prototypes of loaded chunks, by id, for the
    /// cache's entry labels (computed at load, when the parent that names a
    /// function is at hand).
    names: std::collections::HashMap<u32, String>,
    /// The compile worker, started at the first request.
    worker: Option<Worker>,
    /// Prototypes of batches being compiled, by job id: GC roots until the
    /// result is applied (see `runtime::gc`).
    pinned: std::collections::HashMap<u64, Vec<*mut Proto>>,
    next_job: u64,
    /// Per prototype id: the pcs compiled without specialisation (handed to
    /// the interpreter) because their guards kept failing (`guard_failed`).
    generic: std::collections::HashMap<u32, Vec<u32>>,
    /// Per prototype id: how often it was recompiled.
    recompiles: std::collections::HashMap<u32, u32>,
}

/// Default time-out of one toolchain run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

impl Jit {
    /// A controller with the detected toolchain. Returns `None` when no
    /// usable toolchain is found, after one warning on stderr if the JIT was
    /// `requested` or a `LUNAJIT_*` override names nothing usable.
    pub fn new(mut config: JitConfig) -> Option<Jit> {
        let Some(target) = target::Target::host() else {
            if config.requested {
                eprintln!(
                    "lunajit: warning: the JIT generates code for x86-64 and AArch64 on Linux \
                     and macOS only; running without the JIT"
                );
            }
            return None;
        };
        let tc = toolchain::Toolchain::detect();
        // overrides that name nothing usable
        let broken: Vec<String> = [
            (toolchain::ENV_AS, tc.assembler.is_none()),
            (toolchain::ENV_LD, tc.linker.is_none()),
            (toolchain::ENV_CC, tc.cc.is_none()),
        ]
        .iter()
        .filter_map(|&(var, missing)| {
            let v = std::env::var_os(var)?;
            missing.then(|| format!("{var}={} is not an executable program", v.to_string_lossy()))
        })
        .collect();
        let usable = (tc.assembler.is_some() && tc.linker.is_some()) || tc.cc.is_some();
        if !usable {
            if broken.is_empty() && !config.requested {
                // on by default only where a toolchain exists: no warning
                tracing::debug!(target: "jit", "no toolchain found: running without the JIT");
                return None;
            }
            let why = if broken.is_empty() {
                "no assembler and linker or C compiler found (set LUNAJIT_AS and LUNAJIT_LD, or \
                 LUNAJIT_CC)"
                    .to_string()
            } else {
                broken.join("; ")
            };
            eprintln!("lunajit: warning: {why}; running without the JIT");
            return None;
        }
        if !broken.is_empty() {
            eprintln!(
                "lunajit: warning: {}; compiling with {}",
                broken.join("; "),
                if tc.assembler.is_some() && tc.linker.is_some() {
                    "as and ld"
                } else {
                    "cc -shared"
                }
            );
        }
        if config.timeout.is_none() {
            config.timeout = std::env::var("LUNAJIT_TOOLCHAIN_TIMEOUT_MS")
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .map(Duration::from_millis);
        }
        let cache = config
            .cache_dir
            .as_deref()
            .and_then(|dir| match code_cache::open_store(dir) {
                Ok(store) => Some(code_cache::CodeCache::new(store, target, &tc.fingerprint())),
                Err(why) => {
                    eprintln!("lunajit: warning: {why}; running without the code cache");
                    None
                }
            });
        Some(Jit {
            cache,
            warned_insecure: false,
            warned_cap: false,
            names: Default::default(),
            worker: None,
            pinned: Default::default(),
            next_job: 0,
            generic: Default::default(),
            recompiles: Default::default(),
            config,
            target,
            toolchain: tc,
            stats: JitStats::default(),
            vm: Box::default(),
            done: Default::default(),
            scratch: None,
            warned: false,
            pending_error: None,
            native_depth: 0,
        })
    }

    /// `--jit-stats`: one `name: value` per line.
    pub fn stats_text(&self) -> String {
        let s = &self.stats;
        format!(
            "functions compiled: {}\nbatches: {}\ntoolchain runs: {}\ntoolchain failures: {}\n\
             requests: {}\ncache hits: {}\ncache misses: {}\ncache bytes written: {}\ncache load ms: {:.1}\n\
             deopts: {}\nrecompiled: {}\nexits: {}\nblacklisted: {}\nnative entries: {}\n\
             native instructions: {} of {}\nas ms: {:.1}\nld ms: {:.1}\ndlopen ms: {:.1}\n\
             longest main-thread wait ms: {:.1}\n",
            s.functions_compiled,
            s.batches,
            s.toolchain_runs,
            s.toolchain_failures,
            s.requests,
            s.cache_hits,
            s.cache_misses,
            s.cache_bytes_written,
            s.cache_load_ms,
            s.deopts,
            s.recompiled,
            s.exits,
            s.blacklisted,
            self.vm.entries,
            s.native_instructions,
            s.instructions,
            s.as_ms,
            s.ld_ms,
            s.dlopen_ms,
            s.longest_wait_ms
        )
    }

    /// What the compiler needs besides the jobs (creates the scratch
    /// directory the first time).
    fn context(&mut self) -> Result<worker::Context, String> {
        let work_dir = match &self.config.emit_asm {
            Some(d) => d.clone(),
            None => {
                if self.scratch.is_none() {
                    self.scratch = Some(
                        tempfile::Builder::new()
                            .prefix("lunajit-")
                            .tempdir()
                            .map_err(|e| format!("cannot create a work directory: {e}"))?,
                    );
                }
                self.scratch
                    .as_ref()
                    .expect("just set")
                    .path()
                    .to_path_buf()
            }
        };
        Ok(worker::Context {
            target: self.target,
            toolchain: self.toolchain.clone(),
            timeout: self.config.timeout.unwrap_or(DEFAULT_TIMEOUT),
            work_dir,
            store: self.cache.as_ref().map(|c| c.store.clone()),
        })
    }

    /// The prototypes the GC must keep while their batches compile.
    pub fn pinned_protos(&self) -> impl Iterator<Item = *mut Proto> + '_ {
        self.pinned.values().flatten().copied()
    }
}

/// Collects `p` and its nested prototypes that are not compiled yet.
fn batch_of(jit: &mut Jit, p: *mut Proto, out: &mut Vec<*mut Proto>) {
    // SAFETY: `p` is a live prototype reachable from a running closure; its
    // nested prototypes are kept alive by it.
    let pr = unsafe { &*p };
    // SAFETY: profile read between instructions.
    let id = unsafe { pr.profile.view() }.id;
    if jit.done.insert(id) {
        out.push(p);
    }
    for &c in pr.protos.iter() {
        batch_of(jit, c, out);
    }
}

/// Installs native code in prototype `p`, with the entry policy: enter
/// where native code pays for the entry, i.e. at the start of a function
/// with a native loop or whose instructions are mostly (3/4) native, and at
/// the headers of loops that are native from header to back-edge (calls
/// included: a call from native code to a function with native code is
/// direct, `helpers::direct_call`); everywhere with `--jit-enter=always`.
fn install(jit: &mut Jit, p: *mut Proto, entry: abi::NativeFn, c: &code_cache::EntryPayload) {
    let always = jit.config.enter_always;
    let osr: Box<[(u32, u32)]> = c
        .osr_pcs
        .iter()
        .zip(&c.osr_native_loop)
        .enumerate()
        .filter(|(_, (_, &full))| full || always)
        .map(|(i, (&pc, _))| (pc, i as u32 + 1))
        .collect();
    // SAFETY: `p` is live (see below).
    let code_len = unsafe { &*p }.code.len();
    let at_start = always || !osr.is_empty() || 4 * c.native_instructions >= 3 * code_len;
    // SAFETY: `p` is live (callers hold it through a closure or a parent
    // prototype) and its profile is written between instructions.
    unsafe {
        (*(*p).profile.get()).native = Some(abi::NativeCode {
            entry,
            at_start,
            osr,
            entries: 0,
            guard_failures: 0,
            failing_pcs: Vec::new(),
            pending: false,
        })
    };
}

/// Looks `p` up in the code cache and installs what it finds. Returns
/// whether it did; damage is removed by the cache and logged, an insecure
/// entry gets one warning per run.
fn install_cached(jit: &mut Jit, p: *mut Proto) -> bool {
    let Some(cache) = jit.cache.as_mut() else {
        return false;
    };
    // SAFETY: `p` is live (see `install`).
    let id = unsafe { (*p).profile.view() }.id;
    let generic = jit.generic.get(&id).map_or(&[][..], Vec::as_slice);
    // SAFETY: as above.
    let key = unsafe { cache.key(p, generic) };
    let found = cache.fetch(&key);
    jit.stats.dlopen_ms += std::mem::take(&mut cache.dlopen_ms);
    match found {
        Ok(f) => {
            install(jit, p, f.entry, &f.payload);
            jit.stats.cache_hits += 1;
            tracing::debug!(target: "jit", key = %key.to_hex(), symbol = %f.payload.symbol, "installed from the cache");
            true
        }
        Err(code_cache::NotFound::Absent(why)) => {
            if let Some(why) = why {
                tracing::debug!(target: "jit", key = %key.to_hex(), %why, "damaged cache entry removed");
            }
            false
        }
        Err(code_cache::NotFound::Insecure(why)) => {
            if !jit.warned_insecure {
                jit.warned_insecure = true;
                eprintln!("lunajit: warning: not loading cached code: {why}");
            }
            false
        }
    }
}

/// Warm start: called when a chunk's prototypes have been created (`load`,
/// `dofile`, `require`, the script itself). Every prototype of the chunk
/// whose code is in the cache gets it installed now, before anything gets
/// hot. Those not in the cache wait for their hot events.
pub fn on_load(l: &mut State, root: *mut Proto) {
    let Some(jit) = l.g().jit.as_deref_mut() else {
        return;
    };
    if jit.cache.is_none() {
        return;
    }
    let start = Instant::now();
    let mut all = Vec::new();
    walk_protos(root, &mut all);
    for (p, name) in crate::profile::report::names(&all) {
        // SAFETY: as below.
        let id = unsafe { (*p).profile.view() }.id;
        jit.names.insert(id, name);
    }
    let before = jit.stats.cache_hits;
    for p in all {
        // SAFETY: the chunk's prototypes are live (the caller holds the
        // closure of `root`).
        let id = unsafe { (*p).profile.view() }.id;
        if !jit.done.contains(&id) && install_cached(jit, p) {
            jit.done.insert(id);
        }
    }
    let hits = jit.stats.cache_hits - before;
    if let Some(c) = jit.cache.as_ref() {
        c.store.add_hits(hits);
    }
    jit.stats.cache_load_ms += start.elapsed().as_secs_f64() * 1000.0;
}

/// `p` and all its nested prototypes, parents first.
fn walk_protos(p: *mut Proto, out: &mut Vec<*mut Proto>) {
    out.push(p);
    // SAFETY: nested prototypes are kept alive by their parent, which the
    // callers keep alive.
    for &c in unsafe { (*p).protos.iter() } {
        walk_protos(c, out);
    }
}

/// Called by the interpreter when `p` (or one of its loops) became hot:
/// compiles a batch and installs the results. Failures blacklist the batch
/// and are reported once; the script goes on in the interpreter.
pub fn on_hot(l: &mut State, p: *mut Proto) {
    let Some(jit) = l.g().jit.as_deref_mut() else {
        return;
    };
    let start = Instant::now();
    drain(jit, None);
    let mut batch = Vec::new();
    batch_of(jit, p, &mut batch);
    // another process may have filled the cache since the warm start
    if jit.cache.is_some() {
        let t = Instant::now();
        let before = jit.stats.cache_hits;
        batch.retain(|&p| !install_cached(jit, p));
        if let Some(c) = jit.cache.as_ref() {
            c.store.add_hits(jit.stats.cache_hits - before);
        }
        jit.stats.cache_load_ms += t.elapsed().as_secs_f64() * 1000.0;
        jit.stats.cache_misses += batch.len() as u64;
    }
    if !batch.is_empty() {
        submit(jit, batch);
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if ms > jit.stats.longest_wait_ms {
        jit.stats.longest_wait_ms = ms;
    }
}

/// Shared objects one process may load (fresh batches plus cached ones).
/// Libraries are never unloaded, and Linux caps a process at about 65,000
/// memory mappings (each library takes several); a script that keeps
/// generating new hot functions (`load` in a loop) stays interpreted past
/// this instead of exhausting them.
pub const MAX_LIBRARIES: u64 = 4000;

/// Hands `batch` to the compiler: on the worker thread (the prototypes get
/// placeholders and stay pinned until [`poll`] installs the result), or,
/// with `--jit-wait` or when no worker thread can be started, right here.
fn submit(jit: &mut Jit, batch: Vec<*mut Proto>) {
    // SAFETY: the batch's protos are live (see `batch_of`) and no Lua code runs.
    let snaps: Vec<snapshot::ProtoSnapshot> = batch
        .iter()
        .map(|&p| {
            let mut s = unsafe { snapshot::ProtoSnapshot::of(p) };
            s.generic = jit.generic.get(&s.id).cloned().unwrap_or_default();
            s
        })
        .collect();
    let keys = match jit.cache.as_ref() {
        None => Vec::new(),
        Some(cache) => batch
            .iter()
            .zip(&snaps)
            .map(|(&p, snap)| {
                // SAFETY: as above.
                let pr = unsafe { &*p };
                // SAFETY: as above.
                let id = unsafe { pr.profile.view() }.id;
                let name = jit.names.get(&id).map_or("?", String::as_str);
                let labels = code_cache::Labels {
                    source: crate::syntax::chunk_id(&pr.source_name()),
                    function: name.split(" (").next().unwrap_or("").to_string(),
                    line: pr.line_defined,
                };
                // SAFETY: as above.
                (unsafe { cache.key(p, &snap.generic) }, labels)
            })
            .collect(),
    };
    // batches built, libraries opened from the cache, and jobs in flight
    // (each may become a library)
    let loaded = jit.stats.batches
        + jit.cache.as_ref().map_or(0, |c| c.libraries() as u64)
        + jit.pinned.len() as u64;
    if loaded >= MAX_LIBRARIES {
        jit.stats.blacklisted += batch.len() as u64;
        if !jit.warned_cap {
            jit.warned_cap = true;
            tracing::debug!(target: "jit", "library cap reached: no more compilation");
        }
        return;
    }
    jit.next_job += 1;
    let job = worker::Job {
        id: jit.next_job,
        snaps,
        keys,
    };
    jit.stats.requests += 1;
    let mut job = job;
    if !jit.config.wait {
        if jit.worker.is_none() {
            match jit.context() {
                Ok(ctx) => jit.worker = Worker::spawn(ctx),
                Err(msg) => return fail(jit, &batch, &msg),
            }
        }
        if let Some(w) = &jit.worker {
            match w.jobs.send(job) {
                Ok(()) => {
                    for &p in &batch {
                        // SAFETY: live (see above); written between instructions.
                        unsafe {
                            (*(*p).profile.get()).native = Some(abi::NativeCode::placeholder())
                        };
                    }
                    jit.pinned.insert(jit.next_job, batch);
                    return;
                }
                Err(std::sync::mpsc::SendError(j)) => {
                    // the worker is gone: compile here
                    jit.worker = None;
                    job = j;
                }
            }
        }
    }
    match jit.context() {
        Ok(ctx) => {
            for done in worker::build(&ctx, vec![job]) {
                apply(jit, &batch, done);
            }
        }
        Err(msg) => fail(jit, &batch, &msg),
    }
}

/// Installs a finished job's entries in its prototypes, or blacklists them.
fn apply(jit: &mut Jit, batch: &[*mut Proto], done: worker::Done) {
    let st = &done.stats;
    let s = &mut jit.stats;
    s.batches += st.builds;
    s.toolchain_runs += st.toolchain_runs;
    s.toolchain_failures += st.toolchain_failures;
    s.as_ms += st.as_ms;
    s.ld_ms += st.ld_ms;
    s.dlopen_ms += st.dlopen_ms;
    s.cache_bytes_written += st.cache_bytes_written;
    s.native_instructions += st.native_instructions;
    s.instructions += st.instructions;
    if let (Some((path, lib, true)), Some(cache)) = (&done.library, jit.cache.as_mut()) {
        cache.opened(path.clone(), lib);
    }
    let entries = match done.result {
        Ok(e) => e,
        Err(msg) => return fail(jit, batch, &msg),
    };
    for (&p, e) in batch.iter().zip(entries) {
        match e {
            Ok((entry, payload)) => {
                install(jit, p, entry, &payload);
                jit.stats.functions_compiled += 1;
                tracing::debug!(target: "jit", symbol = %payload.symbol, "installed");
            }
            Err(err) => {
                // SAFETY: pinned or live prototype, between instructions.
                unsafe { (*(*p).profile.get()).native = None };
                tracing::debug!(target: "jit", error = %err, "no symbol");
                jit.stats.blacklisted += 1;
            }
        }
    }
}

/// A batch that could not be compiled: its prototypes stay interpreted
/// (they remain in `done`), with one warning per run.
fn fail(jit: &mut Jit, batch: &[*mut Proto], msg: &str) {
    for &p in batch {
        // SAFETY: pinned or live prototype, between instructions.
        unsafe { (*(*p).profile.get()).native = None };
    }
    jit.stats.blacklisted += batch.len() as u64;
    if !jit.warned {
        jit.warned = true;
        eprintln!("lunajit: warning: JIT compilation failed, running interpreted: {msg}");
    }
    tracing::debug!(target: "jit", error = %msg, "batch blacklisted");
}

/// A safepoint: installs every batch the worker has finished, without
/// waiting. Called by the interpreter at function entries and back-edges
/// of prototypes whose batch is pending, and at hot events.
#[cold]
#[inline(never)]
pub fn poll(l: &mut State) {
    if let Some(jit) = l.g().jit.as_deref_mut() {
        drain(jit, None);
    }
}

/// Applies finished jobs: those already there (`wait` = `None`), or all
/// outstanding ones, waiting up to the given time for each.
fn drain(jit: &mut Jit, wait: Option<Duration>) {
    while !jit.pinned.is_empty() {
        let Some(w) = &jit.worker else {
            // the worker died: its batches will never come
            let pinned: Vec<_> = jit.pinned.drain().collect();
            for (_, batch) in pinned {
                fail(jit, &batch, "the JIT worker thread ended");
            }
            return;
        };
        let next = match wait {
            None => w.done.try_recv().ok(),
            Some(t) => w.done.recv_timeout(t).ok(),
        };
        let Some(done) = next else {
            if wait.is_some() {
                // timed out, or the worker ended: give the batches up
                jit.worker = None;
                continue;
            }
            return;
        };
        if let Some(batch) = jit.pinned.remove(&done.id) {
            apply(jit, &batch, done);
        }
    }
}

/// Waits for every batch still being compiled and installs it, so that the
/// counters are final and the code cache holds everything this run built.
/// Called before `--jit-stats` is printed, at `os.exit`, and by
/// `lunajit compile`. A batch takes at most two toolchain time-outs.
pub fn finish(jit: &mut Jit) {
    let t = jit.config.timeout.unwrap_or(DEFAULT_TIMEOUT) * 2 + Duration::from_secs(1);
    drain(jit, Some(t));
}

/// The worker thread and its channels.
struct Worker {
    jobs: std::sync::mpsc::Sender<worker::Job>,
    done: std::sync::mpsc::Receiver<worker::Done>,
}

impl Worker {
    /// Starts the thread; `None` (compile on the main thread) if the system
    /// refuses a thread.
    fn spawn(ctx: worker::Context) -> Option<Worker> {
        let (jobs_tx, jobs_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("lunajit-jit".into())
            .spawn(move || worker::run(ctx, jobs_rx, done_tx))
            .map_err(|e| tracing::debug!(target: "jit", error = %e, "no worker thread"))
            .ok()?;
        Some(Worker {
            jobs: jobs_tx,
            done: done_rx,
        })
    }
}

/// `lunajit compile`: loads a chunk without running it and compiles every
/// function of it that the code cache lacks, as one batch, into the cache.
/// The counters in `Jit::stats` tell what happened (cache hits: already
/// cached; functions compiled; blacklisted: failed). Errors: syntax errors,
/// or no JIT.
pub fn compile_all(l: &mut State, source: &[u8], chunkname: &str) -> Result<(), String> {
    // loading installs what is cached already (`on_load`)
    let cl = crate::runtime::load::load(l, source, chunkname, "bt", true)?;
    // SAFETY: `cl` was just created; nothing below runs Lua code or collects.
    let root = unsafe { (*cl).proto };
    let Some(jit) = l.g().jit.as_deref_mut() else {
        return Err("the JIT is off".into());
    };
    let mut batch = Vec::new();
    batch_of(jit, root, &mut batch);
    jit.stats.cache_misses += batch.len() as u64;
    if !batch.is_empty() {
        submit(jit, batch);
    }
    finish(jit);
    Ok(())
}

/// `lunajit asm`: the assembly of every function of a chunk (or of the
/// functions whose name is `function`: a global or local name like `fib`, a
/// field like `Counter.inc`, or `main` for the main chunk), as one complete
/// file that the assembler accepts as is. The code is what a
/// `--jit-threshold 1` run compiles (no feedback yet). Errors are syntax
/// errors or "no function named ...".
pub fn assembly_of(
    l: &mut State,
    source: &[u8],
    chunkname: &str,
    function: Option<&str>,
    target: target::Target,
) -> Result<String, String> {
    let cl = crate::runtime::load::load(l, source, chunkname, "bt", true)?;
    // nothing below allocates on the Lua heap, so the closure stays alive
    // SAFETY: `cl` was just created and is live.
    let root = unsafe { (*cl).proto };
    let mut all = Vec::new();
    walk_protos(root, &mut all);
    let names = crate::profile::report::names(&all);
    let chosen: Vec<*mut Proto> = match function {
        None => all.clone(),
        Some(f) => all
            .iter()
            .copied()
            .filter(|p| {
                let n = &names[p];
                let bare = n.split(" (").next().unwrap_or("");
                bare == f || (f == "main" && bare == "main chunk")
            })
            .collect(),
    };
    if chosen.is_empty() {
        return Err(format!(
            "no function named '{}' in {}",
            function.unwrap_or("?"),
            crate::syntax::chunk_id(chunkname)
        ));
    }
    let snaps: Vec<snapshot::ProtoSnapshot> = chosen
        .iter()
        .map(|&p| {
            // SAFETY: live prototypes (see above), no Lua code running.
            let mut s = unsafe { snapshot::ProtoSnapshot::of(p) };
            s.name = names[&p].clone();
            s
        })
        .collect();
    Ok(emit::emit_file(target, &snaps).0)
}

/// Guard failures a prototype's native code is allowed before the deopt
/// policy looks at it.
pub const DEOPT_GRACE: u64 = 1000;
/// Recompilations of one prototype before it is blacklisted.
pub const MAX_RECOMPILES: u32 = 3;

/// Deopt policy, for an exit where the guard of the instruction at `pc`
/// failed in `p`'s native code. Failures are counted per pc. Once a
/// prototype has had more than [`DEOPT_GRACE`] and they make up most of its
/// entries, the pcs that account for at least a tenth of them lose their
/// specialisation: the prototype is recompiled with those instructions
/// handed to the interpreter (an expected exit, not a guard), on the worker
/// like any batch. The generic pcs are part of the code-cache key. After
/// [`MAX_RECOMPILES`] the prototype is blacklisted and stays interpreted.
#[cold]
#[inline(never)]
pub fn guard_failed(l: &mut State, p: *mut Proto, pc: usize) {
    // SAFETY: the running (or just called) prototype, between instructions.
    let prof = unsafe { &mut *(*p).profile.get() };
    let id = prof.id;
    let Some(nc) = prof.native.as_mut() else {
        return;
    };
    nc.guard_failures += 1;
    match nc.failing_pcs.iter_mut().find(|(q, _)| *q as usize == pc) {
        Some((_, n)) => *n += 1,
        None => nc.failing_pcs.push((pc as u32, 1)),
    }
    let Some(jit) = l.g().jit.as_deref_mut() else {
        return;
    };
    jit.stats.deopts += 1;
    if nc.guard_failures <= DEOPT_GRACE || nc.guard_failures * 2 <= nc.entries {
        return;
    }
    let total = nc.guard_failures;
    let failing: Vec<u32> = nc
        .failing_pcs
        .iter()
        .filter(|&&(_, n)| n * 10 >= total)
        .map(|&(q, _)| q)
        .collect();
    prof.native = None;
    let rounds = jit.recompiles.entry(id).or_insert(0);
    *rounds += 1;
    if *rounds > MAX_RECOMPILES {
        jit.stats.blacklisted += 1;
        tracing::debug!(target: "jit", proto = id, "guards keep failing: blacklisted");
        return;
    }
    let generic = jit.generic.entry(id).or_default();
    generic.extend(failing);
    generic.sort_unstable();
    generic.dedup();
    jit.stats.recompiled += 1;
    tracing::debug!(target: "jit", proto = id, generic = ?generic, "guards keep failing: recompiling without them");
    submit(jit, vec![p]);
}

/// At exit (the end of the script, or `os.exit`): waits for batches still
/// being compiled ([`finish`]) and, under `--jit-stats`, prints the counters
/// to stderr (`jit: off` without a JIT). Runs once; later calls do nothing.
pub fn exit_report(g: &mut crate::runtime::state::Global) {
    if let Some(j) = g.jit.as_deref_mut() {
        finish(j);
    }
    if std::mem::take(&mut g.jit_stats) {
        let text = match g.jit.as_deref() {
            Some(j) => j.stats_text(),
            None => "jit: off\n".to_string(),
        };
        eprint!("{text}");
    }
}

/// The error a helper called from native code raised (status `ERROR`),
/// for the interpreter to rethrow.
pub fn take_error(l: &mut State) -> crate::runtime::error::LuaError {
    let e = l
        .g()
        .jit
        .as_deref_mut()
        .and_then(|j| j.pending_error.take());
    e.unwrap_or_else(|| l.rt_error("internal error: native code lost an error"))
}

/// Counts an expected exit from native code (see `abi::status::RESUME`).
pub fn resumed(l: &mut State) {
    if let Some(j) = l.g().jit.as_deref_mut() {
        j.stats.exits += 1;
    }
}
