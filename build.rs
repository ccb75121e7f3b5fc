//! Build script: computes `LUNAJIT_BUILD_ID`, a blake3 digest of every Rust
//! source file of the crate. The JIT puts it into each code-cache key, so a
//! changed code generator, helper table or value layout never loads native
//! code that an older build of the same version wrote.

use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=build.rs");
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    files.sort();
    let mut h = blake3::Hasher::new();
    for f in &files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(&[0]);
        h.update(&std::fs::read(f).unwrap_or_default());
        h.update(&[0]);
    }
    println!(
        "cargo:rustc-env=LUNAJIT_BUILD_ID={}",
        &h.finalize().to_hex()[..16]
    );
}
