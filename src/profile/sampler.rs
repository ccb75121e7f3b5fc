//! Time shares by sampling: while `--profile` is on, the interpreter publishes
//! the id of the Lua function it is running (on every frame switch and after
//! native calls return), and a background thread reads it every
//! [`INTERVAL`]. A function's share of execution time is its share of the
//! samples. Time spent in native library functions counts for the Lua function
//! that called them; id 0 stands for "no Lua function" (start-up, exit).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Time between samples.
pub const INTERVAL: Duration = Duration::from_millis(1);

/// A running sampler.
#[derive(Debug)]
pub struct Sampler {
    current: Arc<AtomicU32>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<HashMap<u32, u64>>>,
    started: Instant,
}

/// What a finished sampler measured.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    /// Samples per function id.
    pub by_function: HashMap<u32, u64>,
    /// All samples taken.
    pub total: u64,
    /// Wall time the sampler ran.
    pub wall: Duration,
}

impl Sampler {
    /// Starts the sampling thread. Returns `None` if the thread cannot be
    /// spawned (the report then has no time shares).
    pub fn start() -> Option<Sampler> {
        let current = Arc::new(AtomicU32::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (current.clone(), stop.clone());
        let handle = std::thread::Builder::new()
            .name("lunajit-sampler".into())
            .spawn(move || {
                let mut counts = HashMap::new();
                while !s.load(Ordering::Relaxed) {
                    std::thread::sleep(INTERVAL);
                    *counts.entry(c.load(Ordering::Relaxed)).or_insert(0u64) += 1;
                }
                counts
            })
            .ok()?;
        Some(Sampler {
            current,
            stop,
            handle: Some(handle),
            started: Instant::now(),
        })
    }

    /// The cell the interpreter stores the running function's id into.
    pub fn current(&self) -> Arc<AtomicU32> {
        self.current.clone()
    }

    /// Stops the thread and returns the samples.
    pub fn finish(mut self) -> Samples {
        self.stop.store(true, Ordering::Relaxed);
        let by_function = self
            .handle
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let total = by_function.values().sum();
        Samples {
            by_function,
            total,
            wall: self.started.elapsed(),
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
