//! Fuzz target `binary`: the input bytes are a binary chunk (`string.dump` output),
//! given to `load(bytes, "=fuzz", "b")` (the undumper and the verifier) and, when
//! accepted, run in a sandbox under instruction and memory limits
//! (`tests/fuzz_harness`). Any Lua error is fine; a panic or a crash is a bug.
#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_harness::check(data, fuzz_harness::Mode::Binary);
});
