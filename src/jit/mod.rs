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
pub mod loader;
pub mod snapshot;
pub mod toolchain;

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
    /// Expected exits to the interpreter (no native form, recursion limit).
    pub exits: u64,
    pub as_ms: f64,
    pub ld_ms: f64,
    pub dlopen_ms: f64,
    pub longest_wait_ms: f64,
    pub native_instructions: u64,
    pub instructions: u64,
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
    /// Readable names of the prototypes of loaded chunks, by id, for the
    /// cache's entry labels (computed at load, when the parent that names a
    /// function is at hand).
    names: std::collections::HashMap<u32, String>,
}

/// Default time-out of one toolchain run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

impl Jit {
    /// A controller with the detected toolchain. Returns `None`, after one
    /// warning on stderr, when no usable toolchain is found.
    pub fn new(mut config: JitConfig) -> Option<Jit> {
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
                Ok(store) => Some(code_cache::CodeCache::new(store, &tc.fingerprint())),
                Err(why) => {
                    eprintln!("lunajit: warning: {why}; running without the code cache");
                    None
                }
            });
        Some(Jit {
            cache,
            warned_insecure: false,
            names: Default::default(),
            config,
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
             cache hits: {}\ncache misses: {}\ncache bytes written: {}\ncache load ms: {:.1}\n\
             deopts: {}\nexits: {}\nblacklisted: {}\nnative entries: {}\n\
             native instructions: {} of {}\nas ms: {:.1}\nld ms: {:.1}\ndlopen ms: {:.1}\n\
             longest main-thread wait ms: {:.1}\n",
            s.functions_compiled,
            s.batches,
            s.toolchain_runs,
            s.toolchain_failures,
            s.cache_hits,
            s.cache_misses,
            s.cache_bytes_written,
            s.cache_load_ms,
            s.deopts,
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

    fn work_dir(&mut self) -> std::io::Result<PathBuf> {
        if let Some(d) = &self.config.emit_asm {
            std::fs::create_dir_all(d)?;
            return Ok(d.clone());
        }
        if self.scratch.is_none() {
            self.scratch = Some(tempfile::Builder::new().prefix("lunajit-").tempdir()?);
        }
        Ok(self
            .scratch
            .as_ref()
            .expect("just set")
            .path()
            .to_path_buf())
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

/// Installs native code in prototype `p`, with the entry policy: enter only
/// where native code pays for the entry, i.e. at the start of a function
/// with a native loop free of calls, and at the headers of such loops
/// (short functions and call-heavy code run faster in the interpreter until
/// native calls get cheaper); everywhere with `--jit-enter=always`.
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
    let at_start = always || !osr.is_empty();
    // SAFETY: `p` is live (callers hold it through a closure or a parent
    // prototype) and its profile is written between instructions.
    unsafe {
        (*(*p).profile.get()).native = Some(abi::NativeCode {
            entry,
            at_start,
            osr,
            entries: 0,
            guard_failures: 0,
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
    let key = unsafe { cache.key(p) };
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
        compile_batch(jit, &batch);
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if ms > jit.stats.longest_wait_ms {
        jit.stats.longest_wait_ms = ms;
    }
}

/// Compiles `batch` into one shared object, stores it in the cache (if on)
/// and installs every function. Failures blacklist the batch and are
/// reported once. Returns the number of functions installed.
fn compile_batch(jit: &mut Jit, batch: &[*mut Proto]) -> usize {
    // SAFETY: the batch's protos are live (see `batch_of`) and no Lua code runs.
    let snaps: Vec<snapshot::ProtoSnapshot> = batch
        .iter()
        .map(|&p| unsafe { snapshot::ProtoSnapshot::of(p) })
        .collect();
    let mut text = String::new();
    emit::x86_64::file_header(&mut text);
    let mut emitted = Vec::new();
    for s in &snaps {
        let e = emit::x86_64::emit_function(s, &mut text);
        jit.stats.native_instructions += e.native_instructions as u64;
        jit.stats.instructions += s.code.len() as u64;
        emitted.push(code_cache::EntryPayload::of(&e));
    }
    emit::x86_64::file_trailer(&mut text);
    jit.stats.batches += 1;
    let lib = match build(jit, &snaps, &text)
        .and_then(|so| store_and_open(jit, batch, &emitted, &so))
    {
        Ok(lib) => lib,
        Err(msg) => {
            jit.stats.blacklisted += batch.len() as u64;
            if !jit.warned {
                jit.warned = true;
                eprintln!("lunajit: warning: JIT compilation failed, running interpreted: {msg}");
            }
            tracing::debug!(target: "jit", error = %msg, "batch blacklisted");
            return 0;
        }
    };
    let mut installed = 0;
    for ((&p, e), s) in batch.iter().zip(&emitted).zip(&snaps) {
        // SAFETY: the library stays loaded forever (loader::open).
        match unsafe { lib.symbol_address(&e.symbol) } {
            Ok(addr) => {
                // SAFETY: the symbol is a function the emitter wrote with
                // the `abi::NativeFn` signature.
                let entry = unsafe { std::mem::transmute::<*const u8, abi::NativeFn>(addr) };
                install(jit, p, entry, e);
                installed += 1;
                jit.stats.functions_compiled += 1;
                tracing::debug!(target: "jit", function = %s.name, symbol = %e.symbol, "installed");
            }
            Err(err) => {
                tracing::debug!(target: "jit", function = %s.name, error = %err, "no symbol");
                jit.stats.blacklisted += 1;
            }
        }
    }
    installed
}

/// Writes `text` and runs the toolchain; returns the shared object's path.
fn build(jit: &mut Jit, snaps: &[snapshot::ProtoSnapshot], text: &str) -> Result<PathBuf, String> {
    let dir = jit
        .work_dir()
        .map_err(|e| format!("cannot create a work directory: {e}"))?;
    let digest = blake3::hash(text.as_bytes()).to_hex()[..16].to_string();
    let first = snaps.first().map_or(0, |s| s.id);
    let asm = dir.join(format!("lj_{first}_{digest}.s"));
    let so = dir.join(format!("lj_{first}_{digest}.so"));
    std::fs::write(&asm, text).map_err(|e| format!("cannot write {}: {e}", asm.display()))?;
    jit.stats.toolchain_runs += 1;
    let timeout = jit.config.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let report = jit
        .toolchain
        .build_shared_object(&asm, &so, timeout)
        .map_err(|e| {
            jit.stats.toolchain_failures += 1;
            e.to_string()
        })?;
    jit.stats.as_ms += report.as_ms;
    jit.stats.ld_ms += report.ld_ms;
    Ok(so)
}

/// Stores the freshly built `so` in the code cache (when on) and opens it,
/// from the cache when the store worked (so later loads of the same
/// artifact in this process reuse the handle), else from the work
/// directory. A failing store only costs the caching: one debug log line.
fn store_and_open(
    jit: &mut Jit,
    batch: &[*mut Proto],
    emitted: &[code_cache::EntryPayload],
    so: &std::path::Path,
) -> Result<&'static loader::LoadedLibrary, String> {
    let mut path = so.to_path_buf();
    let mut stored = false;
    if let Some(cache) = jit.cache.as_mut() {
        let entries = batch
            .iter()
            .zip(emitted)
            .map(|(&p, e)| {
                // SAFETY: the batch's protos are live (see `batch_of`).
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
                (unsafe { cache.key(p) }, labels, e.clone())
            })
            .collect();
        match cache.insert(so, entries) {
            Ok((bytes, artifact)) => {
                jit.stats.cache_bytes_written += bytes;
                path = artifact;
                stored = true;
            }
            Err(why) => tracing::debug!(target: "jit", %why, "not cached"),
        }
    }
    let (lib, ms) = loader::open_timed(&path).map_err(|e| e.to_string())?;
    jit.stats.dlopen_ms += ms;
    let lib = lib.leak();
    if stored {
        if let Some(cache) = jit.cache.as_mut() {
            cache.opened(path, lib);
        }
    }
    Ok(lib)
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
        compile_batch(jit, &batch);
    }
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
    let mut text = String::new();
    emit::x86_64::file_header(&mut text);
    for &p in &chosen {
        // SAFETY: live prototypes (see above), no Lua code running.
        let mut s = unsafe { snapshot::ProtoSnapshot::of(p) };
        s.name = names[&p].clone();
        emit::x86_64::emit_function(&s, &mut text);
    }
    emit::x86_64::file_trailer(&mut text);
    Ok(text)
}

/// Deopt policy, for an exit where a guard failed in `prof`'s native code: a
/// prototype whose guards fail on most entries (values of types the fast
/// paths do not cover) loses its native code and stays interpreted (counted
/// as blacklisted; recompiling without the failing specialisation is not
/// built yet).
#[cold]
#[inline(never)]
pub fn guard_failed(l: &mut State, prof: *mut crate::profile::ProtoProfile) {
    /// Guard failures tolerated before the policy looks at the ratio.
    const GRACE: u64 = 1000;
    // SAFETY: the running prototype's profile, between instructions.
    let p = unsafe { &mut *prof };
    let Some(nc) = p.native.as_mut() else { return };
    nc.guard_failures += 1;
    let drop_it = nc.guard_failures > GRACE && nc.guard_failures * 2 > nc.entries;
    if let Some(j) = l.g().jit.as_deref_mut() {
        j.stats.deopts += 1;
        if drop_it {
            j.stats.blacklisted += 1;
        }
    }
    if drop_it {
        tracing::debug!(target: "jit", proto = p.id, "native code exits too often: dropped");
        p.native = None;
    }
}

/// Counts an expected exit from native code (see `abi::status::RESUME`).
pub fn resumed(l: &mut State) {
    if let Some(j) = l.g().jit.as_deref_mut() {
        j.stats.exits += 1;
    }
}
