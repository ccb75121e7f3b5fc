//! The compile worker (`../shared/DESIGN.md`, "Toolchain and loading"):
//! everything after the snapshot — emitting the `.s`, running the
//! toolchain, storing the shared object in the code cache, dlopen and
//! dlsym — works on plain data ([`Job`]: snapshots, keys, labels; no GC
//! pointers), so it runs on a thread of its own. Jobs that arrive within
//! [`BATCH_WINDOW`] of each other are merged into one `.s` and one shared
//! object (toolchain start-up dominates the cost). The main thread gets a
//! [`Done`] per job and installs the entries at its next safepoint
//! (`jit::poll`). With `--jit-wait` the same [`build`] runs on the main
//! thread instead.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use lunajit_cache::{Cache, Key, NewEntry};

use super::code_cache::{EntryPayload, Labels};
use super::snapshot::ProtoSnapshot;
use super::{abi, emit, loader, toolchain};

/// How long the worker waits for more jobs after the first before it
/// starts the toolchain.
pub const BATCH_WINDOW: Duration = Duration::from_millis(5);

/// One compile request: a batch of prototypes, as plain data.
pub struct Job {
    /// Chosen by the controller; [`Done::id`] repeats it.
    pub id: u64,
    pub snaps: Vec<ProtoSnapshot>,
    /// Code-cache key and labels of each snapshot (empty without a cache).
    pub keys: Vec<(Key, Labels)>,
}

/// What the worker needs besides the jobs.
#[derive(Clone)]
pub struct Context {
    /// The target to generate code for (the host's).
    pub target: crate::jit::target::Target,
    pub toolchain: toolchain::Toolchain,
    pub timeout: Duration,
    /// Where `.s` and `.so` files are written (`--emit-asm DIR` or a
    /// scratch directory).
    pub work_dir: PathBuf,
    pub store: Option<Cache>,
}

/// One compiled function: its entry and what installing it needs, or why
/// there is none (a missing symbol).
pub type Entry = Result<(abi::NativeFn, EntryPayload), String>;

/// The outcome of one job.
pub struct Done {
    pub id: u64,
    /// Per snapshot, in job order; `Err` if the batch failed (the message
    /// says why: toolchain, store or dlopen).
    pub result: Result<Vec<Entry>, String>,
    /// The shared object the entries come from (`None` on failure), and
    /// whether it is the code cache's copy.
    pub library: Option<(PathBuf, &'static loader::LoadedLibrary, bool)>,
    /// Counters of the build this job was part of, credited to one job of
    /// each merged build (the others carry zeros).
    pub stats: BuildStats,
}

/// Counters of one build.
#[derive(Clone, Debug, Default)]
pub struct BuildStats {
    pub builds: u64,
    pub toolchain_runs: u64,
    pub toolchain_failures: u64,
    pub as_ms: f64,
    pub ld_ms: f64,
    pub dlopen_ms: f64,
    pub cache_bytes_written: u64,
    pub native_instructions: u64,
    pub instructions: u64,
}

/// Compiles `jobs` into one shared object: emit, assemble and link, store
/// in the cache (a failing store only loses the caching), open, and look up
/// every entry. Returns one [`Done`] per job, in order.
pub fn build(ctx: &Context, jobs: Vec<Job>) -> Vec<Done> {
    let mut stats = BuildStats {
        builds: 1,
        ..Default::default()
    };
    let (text, infos) = emit::emit_file(ctx.target, jobs.iter().flat_map(|j| j.snaps.iter()));
    let mut infos = infos.into_iter();
    let mut payloads: Vec<Vec<EntryPayload>> = Vec::new();
    for job in &jobs {
        let mut v = Vec::new();
        for (s, e) in job.snaps.iter().zip(infos.by_ref()) {
            stats.native_instructions += e.native_instructions as u64;
            stats.instructions += s.code.len() as u64;
            v.push(EntryPayload::of(&e));
        }
        payloads.push(v);
    }
    let first = jobs
        .first()
        .and_then(|j| j.snaps.first())
        .map_or(0, |s| s.id);
    let opened = assemble(ctx, &text, first, &mut stats).and_then(|so| {
        let (path, stored) = store(ctx, &so, &jobs, &payloads, &mut stats);
        let (lib, ms) = loader::open_timed(&path).map_err(|e| e.to_string())?;
        stats.dlopen_ms += ms;
        Ok((path, lib.leak(), stored))
    });
    let mut out = Vec::with_capacity(jobs.len());
    for (i, (job, payloads)) in jobs.into_iter().zip(payloads).enumerate() {
        let job_stats = if i == 0 {
            std::mem::take(&mut stats)
        } else {
            BuildStats::default()
        };
        let done = match &opened {
            Ok((path, lib, stored)) => Done {
                id: job.id,
                result: Ok(payloads
                    .into_iter()
                    .map(|p| {
                        // SAFETY: the library stays loaded for the rest of
                        // the process (it was leaked).
                        let addr =
                            unsafe { lib.symbol_address(&p.symbol) }.map_err(|e| e.to_string())?;
                        // SAFETY: the symbol is a function the emitter wrote
                        // with the `abi::NativeFn` signature.
                        let entry =
                            unsafe { std::mem::transmute::<*const u8, abi::NativeFn>(addr) };
                        Ok((entry, p))
                    })
                    .collect()),
                library: Some((path.clone(), *lib, *stored)),
                stats: job_stats,
            },
            Err(msg) => Done {
                id: job.id,
                result: Err(msg.clone()),
                library: None,
                stats: job_stats,
            },
        };
        out.push(done);
    }
    out
}

/// Writes `text` into the work directory and runs the toolchain; returns
/// the shared object's path.
fn assemble(
    ctx: &Context,
    text: &str,
    first: u32,
    stats: &mut BuildStats,
) -> Result<PathBuf, String> {
    std::fs::create_dir_all(&ctx.work_dir)
        .map_err(|e| format!("cannot create {}: {e}", ctx.work_dir.display()))?;
    let digest = blake3::hash(text.as_bytes()).to_hex()[..16].to_string();
    let asm = ctx.work_dir.join(format!("lj_{first}_{digest}.s"));
    let so = ctx.work_dir.join(format!("lj_{first}_{digest}.so"));
    std::fs::write(&asm, text).map_err(|e| format!("cannot write {}: {e}", asm.display()))?;
    stats.toolchain_runs += 1;
    let report = ctx
        .toolchain
        .build_shared_object(&asm, &so, ctx.timeout)
        .map_err(|e| {
            stats.toolchain_failures += 1;
            e.to_string()
        })?;
    stats.as_ms += report.as_ms;
    stats.ld_ms += report.ld_ms;
    Ok(so)
}

/// Stores `so` with one entry per function in the cache, if there is one.
/// Returns the path to open (the cache's copy when stored) and whether it
/// was stored.
fn store(
    ctx: &Context,
    so: &std::path::Path,
    jobs: &[Job],
    payloads: &[Vec<EntryPayload>],
    stats: &mut BuildStats,
) -> (PathBuf, bool) {
    let Some(store) = &ctx.store else {
        return (so.to_path_buf(), false);
    };
    let entries: Vec<NewEntry> = jobs
        .iter()
        .zip(payloads)
        .flat_map(|(j, ps)| j.keys.iter().zip(ps))
        .map(|((key, labels), p)| NewEntry {
            key: *key,
            labels: labels.to_map(),
            payload: p.to_json(),
        })
        .collect();
    if entries.is_empty() {
        return (so.to_path_buf(), false);
    }
    match store.insert(so, &entries) {
        Ok(ins) => {
            stats.cache_bytes_written += ins.bytes_written;
            store.evict_in_background();
            (ins.artifact_path, true)
        }
        Err(why) => {
            tracing::debug!(target: "jit", %why, "not cached");
            (so.to_path_buf(), false)
        }
    }
}

/// The worker thread's loop: receive a job, wait [`BATCH_WINDOW`] for more,
/// build them together, send the results. Ends when the controller drops
/// its sender (or its receiver).
pub fn run(ctx: Context, jobs: Receiver<Job>, done: Sender<Done>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        let deadline = Instant::now() + BATCH_WINDOW;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match jobs.recv_timeout(left) {
                Ok(j) => batch.push(j),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        for d in build(&ctx, batch) {
            if done.send(d).is_err() {
                return;
            }
        }
    }
}
