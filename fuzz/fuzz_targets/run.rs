//! Fuzz target `run`: the input bytes are a Lua chunk (source text). It is parsed,
//! compiled and verified, then run in a sandbox under instruction and memory limits
//! (`tests/fuzz_harness`). Any Lua error is fine; a panic or a crash is a bug.
#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_harness::check(data, fuzz_harness::Mode::Text);
});
