//! Loading the shared objects the JIT builds, and finding its functions.
//!
//! A library is opened with `dlopen(path, RTLD_NOW | RTLD_LOCAL)`:
//! `RTLD_NOW` resolves every relocation at load time, so a broken object
//! fails here instead of at its first call; `RTLD_LOCAL` keeps its symbols
//! out of the global namespace, so objects built from different Lua code
//! cannot capture each other's (or the runtime's) symbol names.
//!
//! **Libraries are never closed.** [`LoadedLibrary`] holds its handle in a
//! [`ManuallyDrop`], so dropping it does not `dlclose`, and
//! [`LoadedLibrary::leak`] gives a `&'static` reference for the usual case
//! of keeping it for the rest of the process. Native code from a library may
//! still be running (on this or another thread, or suspended in a coroutine
//! stack), and code addresses from it may be stored in traces, inline
//! caches and function objects; unmapping it under them would turn the
//! next call or return into a jump to unmapped memory. No point at which
//! `dlclose` is provably safe exists here, so none is attempted: the cost is
//! the mapped pages of objects that are no longer used.
//!
//! glibc returns the already-loaded library when the same path is opened
//! again, even if the file was replaced in the meantime: give every build
//! its own file name (e.g. from a content hash) rather than rebuilding onto
//! a path that was loaded before.
//!
//! Unix only (`dlopen`).

use std::ffi::c_void;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::time::Instant;

use libloading::os::unix::{Library as UnixLibrary, RTLD_LOCAL, RTLD_NOW};

/// An error from loading a library or looking up a symbol in it.
#[derive(Debug, thiserror::Error)]
pub enum LoaderError {
    /// `dlopen` failed (the file is missing, is not a shared object for this
    /// machine, or has unresolvable references).
    #[error("cannot load shared object {}: {message}", path.display())]
    Open {
        /// The path that was given to [`open`].
        path: PathBuf,
        /// The `dlerror` text (it usually names the path again).
        message: String,
    },
    /// `dlsym` did not find the symbol, or found it at a null address.
    #[error("cannot find symbol `{symbol}` in {}: {message}", path.display())]
    Symbol {
        /// The library's path.
        path: PathBuf,
        /// The symbol name that was looked up.
        symbol: String,
        /// The `dlerror` text, or why the address was rejected.
        message: String,
    },
}

/// `error` and its sources, joined with `": "`. libloading's own message is
/// generic ("dlopen failed"); the `dlerror` text is its source.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// A shared object loaded with `RTLD_NOW | RTLD_LOCAL` that is never
/// unloaded: dropping it leaks the handle on purpose (see the module
/// documentation), so addresses obtained from it stay valid for the rest of
/// the process.
pub struct LoadedLibrary {
    library: ManuallyDrop<libloading::Library>,
    path: PathBuf,
}

impl std::fmt::Debug for LoadedLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedLibrary")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Loads the shared object at `path`; see [`open_timed`].
///
/// # Errors
///
/// [`LoaderError::Open`], with the path and the `dlerror` text.
pub fn open(path: &Path) -> Result<LoadedLibrary, LoaderError> {
    open_timed(path).map(|(library, _)| library)
}

/// Loads the shared object at `path` with `dlopen(RTLD_NOW | RTLD_LOCAL)`
/// and returns it with the wall-clock milliseconds the `dlopen` took.
///
/// A path without a `/` is taken relative to the current directory (as
/// `./path`), not searched for on the library path as bare `dlopen` would.
///
/// Loading runs the object's initialisers (`DT_INIT`, `.init_array`). This
/// function is meant for objects built by the JIT (from its own assembly
/// with `-nostdlib`), which have none, and so it is not `unsafe`; do not
/// point it at arbitrary libraries whose constructors may have requirements
/// of their own.
///
/// # Errors
///
/// [`LoaderError::Open`], with the path and the `dlerror` text, if `dlopen`
/// fails.
pub fn open_timed(path: &Path) -> Result<(LoadedLibrary, f64), LoaderError> {
    let dl_path = if path.as_os_str().as_encoded_bytes().contains(&b'/') {
        path.to_path_buf()
    } else {
        Path::new(".").join(path)
    };
    let start = Instant::now();
    // SAFETY: dlopen runs the object's initialisers and, with RTLD_NOW,
    // resolves all its relocations. The objects this is for are JIT output
    // linked with -nostdlib from our own assembly: no initialisers and no
    // references outside the object (they are linked with `-z defs`), so
    // loading runs no foreign code. The termination routines that `close`
    // would run are never run: the handle is never closed.
    let opened = unsafe { UnixLibrary::open(Some(dl_path.as_path()), RTLD_NOW | RTLD_LOCAL) };
    let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
    let library = opened.map_err(|e| LoaderError::Open {
        path: path.to_path_buf(),
        message: error_chain(&e),
    })?;
    Ok((
        LoadedLibrary {
            library: ManuallyDrop::new(library.into()),
            path: path.to_path_buf(),
        },
        elapsed_ms,
    ))
}

impl LoadedLibrary {
    /// Moves the library to the heap for good and returns a reference valid
    /// for the rest of the process; the usual way to keep a library that
    /// code has been taken from.
    pub fn leak(self) -> &'static LoadedLibrary {
        Box::leak(Box::new(self))
    }

    /// The path the library was opened from (as given to [`open`]).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The address of the symbol `name` in this library (looked up in this
    /// library and its dependencies only: it was opened `RTLD_LOCAL`).
    ///
    /// `name` is the symbol's name as `dlsym` sees it. On ELF (Linux) that is
    /// exactly the name in the assembly (`lj_test_add`). On macOS the
    /// object-file name carries a leading underscore (`_lj_test_add` in the
    /// assembly) but `dlsym` takes the name without it (`lj_test_add`); pass
    /// it without.
    ///
    /// The address stays valid for the rest of the process (the library is
    /// never closed). To call it, transmute it to an `extern "C" fn` type that
    /// matches the code's real signature and calling convention.
    ///
    /// # Errors
    ///
    /// [`LoaderError::Symbol`] if the symbol is not defined (or `name`
    /// contains a NUL byte), or resolves to a null address.
    ///
    /// # Safety
    ///
    /// `dlsym` can run code from the library: for a GNU indirect function
    /// (`@gnu_indirect_function`) it calls the symbol's resolver. The caller
    /// must know the library has no such resolvers, or that they are sound to
    /// run — true of JIT-generated objects, which define plain functions
    /// only.
    pub unsafe fn symbol_address(&self, name: &str) -> Result<*const u8, LoaderError> {
        let symbol_error = |message: String| LoaderError::Symbol {
            path: self.path.clone(),
            symbol: name.to_string(),
            message,
        };
        // SAFETY: the symbol is requested as `*mut c_void`, the type of
        // dlsym's result, so reading the `Symbol` below yields the address
        // itself and reinterprets nothing. Running IFUNC resolvers is covered
        // by this function's own safety contract. The `Symbol` borrows the
        // library only for this block; the address outlives it legitimately
        // because the library is never closed.
        let address = unsafe {
            self.library
                .get::<*mut c_void>(name)
                .map(|symbol| *symbol)
                .map_err(|e| symbol_error(error_chain(&e)))?
        };
        if address.is_null() {
            return Err(symbol_error("the symbol's address is null".to_string()));
        }
        Ok(address.cast_const().cast::<u8>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loading_a_non_shared_object_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-library.so");
        std::fs::write(&path, "this is not an ELF file\n").unwrap();
        let err = open(&path).unwrap_err();
        let LoaderError::Open {
            path: err_path,
            message,
        } = &err
        else {
            panic!("expected Open, got {err:?}");
        };
        assert_eq!(err_path, &path);
        // libloading's generic text plus the dlerror text.
        assert!(message.starts_with("dlopen failed: "), "{message}");
        assert!(message.len() > "dlopen failed: ".len(), "{message}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("cannot load shared object {}: ", path.display())),
            "{shown}"
        );
    }

    #[test]
    fn loading_a_missing_file_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.so");
        let err = open_timed(&path).unwrap_err();
        assert!(err.to_string().contains("missing.so"), "{err}");
        assert!(matches!(err, LoaderError::Open { path: p, .. } if p == path));
    }

    #[test]
    fn a_bare_file_name_is_not_searched_on_the_library_path() {
        // "libc.so.6" would be found on the system library path by a bare
        // dlopen; here it means ./libc.so.6, which does not exist.
        let err = open(Path::new("libc.so.6")).unwrap_err();
        let LoaderError::Open { path, message } = &err else {
            panic!("expected Open, got {err:?}");
        };
        assert_eq!(path, Path::new("libc.so.6"));
        assert!(message.contains("./libc.so.6"), "{message}");
    }
}
