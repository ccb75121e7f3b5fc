//! The JIT's side of the persistent code cache (`../shared/DESIGN.md`, "The
//! cache"): cache keys for prototypes, the records the JIT stores with each
//! entry, and loading cached shared objects. The store itself (layout,
//! atomic writes, verification, eviction) is the `lunajit_cache` crate, which
//! knows nothing of Lua.
//!
//! A key is blake3 over a context that names everything the machine code
//! depends on besides the function (cache format, [`abi::ABI_VERSION`] and the
//! layout fingerprint, lunajit's version and build id, the target, the
//! toolchain's fingerprint, the feedback decisions) followed by the
//! function's bytecode and its numeric constants, which the emitter turns
//! into immediates (other constants are read from the constant array at run
//! time, so only their kind matters). Source names and line numbers are not
//! in the key: the same function text in two scripts shares one entry.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lunajit_cache::{Cache, Key, Lookup, Options, Reason};

use super::abi;
use super::lir::Emitted;
use super::loader::{self, LoadedLibrary};
use super::target::Target;
use crate::runtime::func::Proto;
use crate::runtime::value::{TFLOAT, TINT};

/// The environment variable that overrides the cache directory.
pub const ENV_DIR: &str = "LUNAJIT_CACHE_DIR";
/// The environment variable that sets the size cap (`512M`, `1G`, bytes).
pub const ENV_MAX: &str = "LUNAJIT_CACHE_MAX";
/// How the feedback decisions in a key are encoded: the sorted pcs compiled
/// without specialisation (see `jit::guard_failed`), after the constants.
const FEEDBACK: &str = "generic-pcs-v1";

/// The cache directory a run uses: `explicit` (`--cache-dir`), else
/// [`ENV_DIR`], else the platform's user cache directory plus `lunajit`
/// (`$XDG_CACHE_HOME/lunajit` or `~/.cache/lunajit` on Linux,
/// `~/Library/Caches/lunajit` on macOS). `None` if none can be found.
pub fn cache_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(d) = explicit {
        return Some(d.to_path_buf());
    }
    match std::env::var_os(ENV_DIR) {
        Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
        _ => lunajit_cache::default_root("lunajit"),
    }
}

/// Opens the store at `dir` with the size cap from [`ENV_MAX`] (default
/// `lunajit_cache::DEFAULT_MAX_BYTES`). Errors are one-line messages for a
/// warning: an insecure, unwritable or unusable directory, or a bad
/// [`ENV_MAX`] value.
pub fn open_store(dir: &Path) -> Result<Cache, String> {
    let max_bytes = match std::env::var(ENV_MAX) {
        Ok(v) => lunajit_cache::parse_size(&v).ok_or_else(|| {
            format!("{ENV_MAX}={v} is not a size (examples: 300000, 64K, 512M, 1G)")
        })?,
        Err(_) => lunajit_cache::DEFAULT_MAX_BYTES,
    };
    Cache::open(
        dir,
        Options {
            max_bytes,
            artifact_ext: if cfg!(target_os = "macos") {
                "dylib"
            } else {
                "so"
            }
            .to_string(),
        },
    )
    .map_err(|e| e.to_string())
}

/// What the JIT needs to use an entry, stored as the entry's payload.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryPayload {
    pub symbol: String,
    pub osr_pcs: Vec<u32>,
    pub osr_native_loop: Vec<bool>,
    pub native_instructions: usize,
}

impl EntryPayload {
    pub fn of(e: &Emitted) -> EntryPayload {
        EntryPayload {
            symbol: e.symbol.clone(),
            osr_pcs: e.osr_pcs.clone(),
            osr_native_loop: e.osr_native_loop.clone(),
            native_instructions: e.native_instructions,
        }
    }

    /// The payload as stored in the entry's record.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "symbol": self.symbol,
            "osr_pcs": self.osr_pcs,
            "osr_native_loop": self.osr_native_loop,
            "native_instructions": self.native_instructions,
        })
    }

    /// `None` for a payload of any other shape (a damaged or foreign entry).
    fn from_json(v: &serde_json::Value) -> Option<EntryPayload> {
        let symbol = v.get("symbol")?.as_str()?.to_string();
        if symbol.is_empty()
            || !symbol
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return None;
        }
        let osr_pcs = v
            .get("osr_pcs")?
            .as_array()?
            .iter()
            .map(|x| x.as_u64().and_then(|n| u32::try_from(n).ok()))
            .collect::<Option<Vec<u32>>>()?;
        let osr_native_loop = v
            .get("osr_native_loop")?
            .as_array()?
            .iter()
            .map(serde_json::Value::as_bool)
            .collect::<Option<Vec<bool>>>()?;
        if osr_native_loop.len() != osr_pcs.len() {
            return None;
        }
        let native_instructions = v.get("native_instructions")?.as_u64()? as usize;
        Some(EntryPayload {
            symbol,
            osr_pcs,
            osr_native_loop,
            native_instructions,
        })
    }
}

/// A cached entry found and loaded: the entry point and how to install it.
pub struct Found {
    pub entry: abi::NativeFn,
    pub payload: EntryPayload,
}

/// Why a lookup gave no code, for the caller's counters and warnings.
pub enum NotFound {
    /// Not in the cache (or removed as damaged, or unreadable; `String`
    /// says why).
    Absent(Option<String>),
    /// Refused: owned by another user or writable by others.
    Insecure(String),
}

/// The code cache of one process: the store, the key context, and the
/// libraries opened from it (each shared object is opened once).
pub struct CodeCache {
    pub store: Cache,
    /// blake3 state after hashing the context; cloned for every key.
    context: blake3::Hasher,
    libs: HashMap<PathBuf, &'static LoadedLibrary>,
    /// Milliseconds spent in `dlopen` of cached shared objects.
    pub dlopen_ms: f64,
}

impl CodeCache {
    /// A code cache over `store` for code generated for `target` and built
    /// by a toolchain with this fingerprint (`Toolchain::fingerprint`).
    pub fn new(store: Cache, target: Target, toolchain_fingerprint: &str) -> CodeCache {
        let mut context = blake3::Hasher::new();
        let text = format!(
            "lunajit code cache\0format={}\0abi={}:{:016x}\0version={}\0build={}\0target={}\0\
             toolchain={toolchain_fingerprint}\0feedback={FEEDBACK}\0",
            lunajit_cache::FORMAT,
            abi::ABI_VERSION,
            abi::abi_fingerprint(),
            env!("CARGO_PKG_VERSION"),
            env!("LUNAJIT_BUILD_ID"),
            target.cache_name(),
        );
        context.update(text.as_bytes());
        CodeCache {
            store,
            context,
            libs: HashMap::new(),
            dlopen_ms: 0.0,
        }
    }

    /// The key of prototype `p` compiled with the instructions at the
    /// sorted pcs `generic` left to the interpreter: the context, then the
    /// instruction words, each constant as the emitter sees it, and
    /// `generic` (the feedback decisions).
    ///
    /// # Safety
    /// `p` must be live.
    pub unsafe fn key(&self, p: *const Proto, generic: &[u32]) -> Key {
        // SAFETY: guaranteed by the caller.
        let pr = unsafe { &*p };
        let mut h = self.context.clone();
        h.update(&(pr.code.len() as u64).to_le_bytes());
        for i in pr.code.iter() {
            h.update(&i.to_le_bytes());
        }
        h.update(&(pr.k.len() as u64).to_le_bytes());
        for v in pr.k.iter() {
            match v.tt {
                TINT => {
                    h.update(b"i");
                    h.update(&v.as_int().to_le_bytes());
                }
                TFLOAT => {
                    h.update(b"f");
                    h.update(&v.as_float().to_bits().to_le_bytes());
                }
                _ => {
                    h.update(b"o");
                }
            }
        }
        h.update(&(generic.len() as u64).to_le_bytes());
        for pc in generic {
            h.update(&pc.to_le_bytes());
        }
        Key::from(h.finalize())
    }

    /// Looks `key` up and, on a hit, opens its shared object (once per
    /// process) and finds the entry point. A verified artifact that does not
    /// load, or lacks the recorded symbol, is removed like any damage.
    pub fn fetch(&mut self, key: &Key) -> Result<Found, NotFound> {
        let hit = match self.store.lookup(key) {
            Lookup::Hit(h) => h,
            Lookup::Miss(Reason::Absent) => return Err(NotFound::Absent(None)),
            Lookup::Miss(Reason::Damaged(why)) => return Err(NotFound::Absent(Some(why))),
            Lookup::Miss(Reason::Insecure(why)) => return Err(NotFound::Insecure(why)),
            Lookup::Miss(Reason::Unreadable(why)) => return Err(NotFound::Absent(Some(why))),
        };
        let Some(payload) = EntryPayload::from_json(&hit.record.payload) else {
            self.store.remove(key);
            return Err(NotFound::Absent(Some(
                "the entry's record has no usable payload".into(),
            )));
        };
        let lib = match self.libs.get(&hit.artifact_path) {
            Some(&lib) => lib,
            None => match loader::open_timed(&hit.artifact_path) {
                Ok((lib, ms)) => {
                    self.dlopen_ms += ms;
                    let lib = lib.leak();
                    self.libs.insert(hit.artifact_path.clone(), lib);
                    lib
                }
                Err(e) => {
                    self.store.remove(key);
                    return Err(NotFound::Absent(Some(e.to_string())));
                }
            },
        };
        // SAFETY: the library stays loaded for the rest of the process.
        match unsafe { lib.symbol_address(&payload.symbol) } {
            Ok(addr) => Ok(Found {
                // SAFETY: the symbol is an entry the emitter wrote with the
                // `abi::NativeFn` signature: the key covers the ABI version
                // and layout, the build and the target, and the artifact's
                // content was verified against its hash.
                entry: unsafe { std::mem::transmute::<*const u8, abi::NativeFn>(addr) },
                payload,
            }),
            Err(e) => {
                self.store.remove(key);
                Err(NotFound::Absent(Some(e.to_string())))
            }
        }
    }

    /// How many shared objects this process has opened from the cache.
    pub fn libraries(&self) -> usize {
        self.libs.len()
    }

    /// Remembers that the shared object at `path` is open.
    pub fn opened(&mut self, path: PathBuf, lib: &'static LoadedLibrary) {
        self.libs.insert(path, lib);
    }
}

/// What `lunajit cache list` shows of an entry.
pub struct Labels {
    pub source: String,
    pub function: String,
    pub line: u32,
}

impl Labels {
    /// The labels as stored in the entry's record.
    pub fn to_map(&self) -> std::collections::BTreeMap<String, String> {
        [
            ("source".to_string(), self.source.clone()),
            ("function".to_string(), self.function.clone()),
            ("line".to_string(), self.line.to_string()),
        ]
        .into_iter()
        .collect()
    }
}

/// What `lunajit cache` does with an opened store.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    List,
    Stats,
    Clear,
    Gc,
}

/// Runs `action` on `store`; returns the text to print. `list`: one line
/// per entry, most recently used first: key (16 hex digits), source,
/// function and line, shared-object size, last use (seconds ago). `stats`,
/// `clear`, `gc`: one `name: value` per line. Errors: the store's, as text.
pub fn run_action(store: &Cache, action: Action) -> Result<String, String> {
    use std::fmt::Write as _;
    let mut out = String::new();
    match action {
        Action::List => {
            let now = std::time::SystemTime::now();
            for e in store.list() {
                let l = &e.record.labels;
                let get = |k: &str| l.get(k).map_or("?", String::as_str);
                let ago = now.duration_since(e.last_used).map_or(0, |d| d.as_secs());
                let _ = writeln!(
                    out,
                    "{}  {}:{}  {}  {} bytes{}  used {}s ago",
                    &e.key.to_hex()[..16],
                    get("source"),
                    get("line"),
                    get("function"),
                    e.record.artifact_size,
                    if e.artifact_present { "" } else { " (missing)" },
                    ago
                );
            }
        }
        Action::Stats => {
            let s = store.stats();
            let _ = write!(
                out,
                "path: {}\nentries: {}\nshared objects: {}\nbytes: {}\nmax bytes: {}\nhits: {}\n\
                 created: {}\n",
                store.root().display(),
                s.entries,
                s.artifacts,
                s.bytes,
                s.max_bytes,
                s.hits,
                s.created
                    .map_or("unknown".to_string(), |t| format!("{t} (unix time)")),
            );
        }
        Action::Clear => {
            let r = store.clear().map_err(|e| e.to_string())?;
            let _ = write!(
                out,
                "entries removed: {}\nshared objects removed: {}\ntemporary files removed: {}\n\
                 bytes freed: {}\nunknown files kept: {}\n",
                r.records, r.artifacts, r.temps, r.bytes_freed, r.unknown_kept
            );
        }
        Action::Gc => {
            let r = store.gc().map_err(|e| e.to_string())?;
            let _ = write!(
                out,
                "checked: {}\ndamaged: {}\ninsecure: {}\nunreadable: {}\norphans: {}\n\
                 temporary files: {}\nold-format files: {}\nevicted: {}\nbytes freed: {}\n\
                 bytes after: {}\n",
                r.checked,
                r.damaged,
                r.insecure,
                r.unreadable,
                r.orphans,
                r.temps,
                r.old_format_files,
                r.evicted,
                r.bytes_freed,
                r.bytes_after
            );
            for p in &r.problems {
                let _ = writeln!(out, "problem: {p}");
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_rejects_other_shapes() {
        let p = EntryPayload {
            symbol: "lj_p3_abc".into(),
            osr_pcs: vec![4, 9],
            osr_native_loop: vec![true, false],
            native_instructions: 12,
        };
        assert_eq!(EntryPayload::from_json(&p.to_json()), Some(p.clone()));
        let mut bad = p.to_json();
        bad["symbol"] = serde_json::json!("x; rm -rf");
        assert_eq!(EntryPayload::from_json(&bad), None);
        let mut bad = p.to_json();
        bad["osr_native_loop"] = serde_json::json!([true]);
        assert_eq!(EntryPayload::from_json(&bad), None);
        assert_eq!(EntryPayload::from_json(&serde_json::json!(42)), None);
    }
}
