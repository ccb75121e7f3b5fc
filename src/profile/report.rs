//! The `--profile` report: top functions by calls and by sampled time, hot
//! loops, the least type-stable hot sites and inline-cache statistics, as text
//! (for people, on stderr) or JSON (for tools, `--profile=json`).

use std::collections::HashMap;

use serde_json::{json, Value as Json};

use super::sampler::{Samples, INTERVAL};
use super::{
    proto_of_key, Feedback, IcKind, IcState, ProtoProfile, KEY_CALL_META, KEY_LOOP, KEY_NATIVE,
    KEY_OTHER, TYPE_NAMES,
};
use crate::bytecode::{ins, OpCode};
use crate::runtime::func::Proto;

/// Rows per table of the text report.
pub const TOP: usize = 10;
/// A site is "hot" for the type-stability table when it ran at least this often.
pub const HOT_SITE_MIN: u64 = 1000;

/// One function of the report.
#[derive(Clone, Debug)]
pub struct FunctionRow {
    pub id: u32,
    pub name: String,
    pub calls: u64,
    pub samples: u64,
}

/// One hot loop.
#[derive(Clone, Debug)]
pub struct LoopRow {
    pub function: String,
    pub line: u32,
    pub pc: usize,
    pub instruction: &'static str,
    pub iterations: u64,
}

/// One type-feedback site.
#[derive(Clone, Debug)]
pub struct SiteRow {
    pub function: String,
    pub line: u32,
    pub pc: usize,
    pub instruction: &'static str,
    pub executions: u64,
    pub stability: f64,
    /// (observed types or callee, share 0..=1), most common first.
    pub seen: Vec<(String, f64)>,
}

/// Cache statistics of one kind.
#[derive(Clone, Debug, Default)]
pub struct CacheRow {
    pub kind: &'static str,
    /// Caches that ran, by state: monomorphic, polymorphic, megamorphic.
    pub states: [u64; 3],
    pub hits: u64,
    pub misses: u64,
}

/// One inline cache that ran.
#[derive(Clone, Debug)]
pub struct CacheSiteRow {
    pub function: String,
    pub line: u32,
    pub pc: usize,
    pub kind: &'static str,
    pub state: &'static str,
    pub entries: usize,
    pub hits: u64,
    pub misses: u64,
}

/// The whole report.
#[derive(Clone, Debug)]
pub struct Report {
    pub script: String,
    pub wall_ms: f64,
    pub samples: u64,
    pub functions: Vec<FunctionRow>,
    pub loops: Vec<LoopRow>,
    pub sites: Vec<SiteRow>,
    pub caches: Vec<CacheRow>,
    pub cache_sites: Vec<CacheSiteRow>,
    /// Hot events delivered to the policy: (function, "function" or "loop", line).
    pub hot_events: Vec<(String, &'static str, u32)>,
}

/// How time shares are measured, for both outputs.
pub fn method() -> String {
    format!(
        "sampling: the running Lua function is read every {} ms by a background thread \
         (time in native library functions counts for the Lua function that called them)",
        INTERVAL.as_millis()
    )
}

/// Readable name of every prototype: `name (source:line)` where a name can be
/// read from the parent's bytecode (the `CLOSURE` result stored into a global, a
/// field or a local), else `function (source:line)`; `main chunk (source)`.
pub fn names(protos: &[*mut Proto]) -> HashMap<*mut Proto, String> {
    let mut given: HashMap<*mut Proto, String> = HashMap::new();
    for &p in protos {
        // SAFETY: the protos are kept alive by the profiler's list.
        let pr = unsafe { &*p };
        for (pc, &i) in pr.code.iter().enumerate() {
            if ins::opcode(i) != OpCode::CLOSURE {
                continue;
            }
            let Some(&child) = pr.protos.get(ins::bx(i) as usize) else {
                continue;
            };
            let a = ins::a(i);
            let name = pr.code.get(pc + 1).and_then(|&n| {
                let kname = |idx: u32| match pr.k.get(idx as usize) {
                    Some(v) if v.tt == crate::runtime::value::TSTR => {
                        // SAFETY: a string constant of a live proto.
                        Some(unsafe { (*v.as_string()).to_str_lossy().into_owned() })
                    }
                    _ => None,
                };
                match ins::opcode(n) {
                    OpCode::SETTABUP if !ins::k(n) && ins::c(n) == a => kname(ins::b(n)),
                    OpCode::SETFIELD if !ins::k(n) && ins::c(n) == a => {
                        let t = ins::a(n);
                        // the table: a named local, else a global loaded into it
                        let owner = pr
                            .local_name(t as usize + 1, pc)
                            .map(str::to_string)
                            .or_else(|| {
                                pr.code[..pc].iter().rev().find_map(|&j| {
                                    (ins::opcode(j) == OpCode::GETTABUP && ins::a(j) == t)
                                        .then(|| kname(ins::c(j)))
                                        .flatten()
                                })
                            });
                        let owner = owner.unwrap_or_else(|| "?".into());
                        kname(ins::b(n)).map(|f| format!("{owner}.{f}"))
                    }
                    _ => None,
                }
            });
            let name = name.or_else(|| pr.local_name(a as usize + 1, pc + 1).map(str::to_string));
            if let Some(n) = name {
                given.insert(child, n);
            }
        }
    }
    let mut out = HashMap::new();
    for &p in protos {
        // SAFETY: as above.
        let pr = unsafe { &*p };
        let src = crate::syntax::chunk_id(&pr.source_name());
        let s = if pr.line_defined == 0 {
            format!("main chunk ({src})")
        } else {
            let n = given.get(&p).map_or("function", String::as_str);
            format!("{n} ({src}:{})", pr.line_defined)
        };
        out.insert(p, s);
    }
    out
}

/// Text of one feedback key at an instruction.
fn describe_key(op: OpCode, key: u32, names_by_id: &HashMap<u32, String>) -> String {
    if key == KEY_OTHER {
        return "other combinations".into();
    }
    if matches!(op, OpCode::CALL | OpCode::TAILCALL) {
        return match key {
            KEY_NATIVE => "native function".into(),
            KEY_CALL_META => "__call".into(),
            k => match proto_of_key(k) {
                Some(id) => names_by_id
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("function #{id}")),
                None => "?".into(),
            },
        };
    }
    let k = key - 1;
    if unary(op) {
        TYPE_NAMES[(k & 7) as usize].to_string()
    } else {
        format!(
            "{},{}",
            TYPE_NAMES[((k / 8) & 7) as usize],
            TYPE_NAMES[(k & 7) as usize]
        )
    }
}

/// Instructions whose feedback records one operand.
fn unary(op: OpCode) -> bool {
    matches!(
        op,
        OpCode::UNM
            | OpCode::BNOT
            | OpCode::LEN
            | OpCode::RETURN
            | OpCode::RETURN1
            | OpCode::TEST
            | OpCode::TESTSET
    )
}

/// Is the instruction a loop back-edge (its cell counts iterations)?
pub fn is_back_edge(i: crate::bytecode::Instruction) -> bool {
    match ins::opcode(i) {
        OpCode::FORLOOP | OpCode::TFORLOOP => true,
        OpCode::JMP => ins::sj(i) < 0,
        _ => false,
    }
}

impl Report {
    /// Builds the report from the prototypes the profiler kept and the samples.
    ///
    /// # Safety
    /// `protos` must be live prototypes and no Lua code may run meanwhile.
    pub unsafe fn build(
        script: &str,
        protos: &[*mut Proto],
        samples: &Samples,
        events: &[super::HotEvent],
    ) -> Report {
        let names = names(protos);
        let mut names_by_id = HashMap::new();
        for &p in protos {
            // SAFETY: live proto, no Lua code running (caller's promise).
            let prof = unsafe { (*p).profile.view() };
            names_by_id.insert(prof.id, names[&p].clone());
        }
        let mut functions = Vec::new();
        let mut loops = Vec::new();
        let mut sites = Vec::new();
        let mut cache_sites = Vec::new();
        let mut by_id: HashMap<u32, *mut Proto> = HashMap::new();
        let mut caches: Vec<CacheRow> = IcKind::ALL
            .iter()
            .map(|k| CacheRow {
                kind: k.name(),
                ..CacheRow::default()
            })
            .collect();
        for &p in protos {
            // SAFETY: as above.
            let pr = unsafe { &*p };
            let prof: &ProtoProfile = unsafe { pr.profile.view() };
            let name = &names[&p];
            by_id.insert(prof.id, p);
            functions.push(FunctionRow {
                id: prof.id,
                name: name.clone(),
                calls: prof.calls,
                samples: samples.by_function.get(&prof.id).copied().unwrap_or(0),
            });
            for (pc, (&i, fb)) in pr.code.iter().zip(prof.feedback.iter()).enumerate() {
                let op = ins::opcode(i);
                if is_back_edge(i) {
                    let n = fb
                        .entries()
                        .find(|(k, _)| *k == KEY_LOOP)
                        .map_or(0, |(_, c)| c as u64);
                    if n > 0 {
                        loops.push(LoopRow {
                            function: name.clone(),
                            line: pr.line_at(pc),
                            pc,
                            instruction: op.name(),
                            iterations: n,
                        });
                    }
                    continue;
                }
                let total = fb.total();
                if total >= HOT_SITE_MIN {
                    sites.push(site_row(name, pr, pc, op, fb, &names_by_id));
                }
                if let (Some(kind), Some(ic)) = (IcKind::of(i), prof.ic_at(pc)) {
                    let row = &mut caches[kind as usize];
                    match ic.state() {
                        IcState::Uninitialized => {}
                        IcState::Monomorphic => row.states[0] += 1,
                        IcState::Polymorphic => row.states[1] += 1,
                        IcState::Megamorphic => row.states[2] += 1,
                    }
                    row.hits += ic.hits as u64;
                    row.misses += ic.misses as u64;
                    if ic.state() != IcState::Uninitialized || ic.hits + ic.misses > 0 {
                        cache_sites.push(CacheSiteRow {
                            function: name.clone(),
                            line: pr.line_at(pc),
                            pc,
                            kind: kind.name(),
                            state: ic.state().name(),
                            entries: ic.len as usize,
                            hits: ic.hits as u64,
                            misses: ic.misses as u64,
                        });
                    }
                }
            }
        }
        loops.sort_by_key(|l| std::cmp::Reverse(l.iterations));
        sites.sort_by(|a, b| {
            a.stability
                .total_cmp(&b.stability)
                .then(b.executions.cmp(&a.executions))
        });
        let hot_events = events
            .iter()
            .map(|e| {
                let p = by_id.get(&e.proto_id);
                let function = p.map_or_else(|| e.where_.clone(), |p| names[p].clone());
                match e.kind {
                    super::HotKind::Function => {
                        // SAFETY: a live proto from the list.
                        let line = p.map_or(0, |&p| unsafe { (*p).line_defined });
                        (function, "function", line)
                    }
                    super::HotKind::Loop { pc } => {
                        // SAFETY: as above.
                        let line = p.map_or(0, |&p| unsafe { (*p).line_at(pc as usize) });
                        (function, "loop", line)
                    }
                }
            })
            .collect();
        Report {
            script: script.to_string(),
            wall_ms: samples.wall.as_secs_f64() * 1000.0,
            samples: samples.total,
            functions,
            loops,
            sites,
            caches,
            cache_sites,
            hot_events,
        }
    }

    fn by_calls(&self) -> Vec<&FunctionRow> {
        let mut v: Vec<&FunctionRow> = self.functions.iter().filter(|f| f.calls > 0).collect();
        v.sort_by(|a, b| b.calls.cmp(&a.calls).then(a.id.cmp(&b.id)));
        v
    }

    fn by_time(&self) -> Vec<&FunctionRow> {
        let mut v: Vec<&FunctionRow> = self.functions.iter().filter(|f| f.samples > 0).collect();
        v.sort_by(|a, b| b.samples.cmp(&a.samples).then(a.id.cmp(&b.id)));
        v
    }

    fn share(&self, samples: u64) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            samples as f64 / self.samples as f64
        }
    }

    /// The report as text, `TOP` rows per table.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "lunajit profile of {} ({:.1} ms, {} samples)",
            self.script, self.wall_ms, self.samples
        );
        let _ = writeln!(s, "time shares: {}", method());
        let _ = writeln!(s, "\ntop functions by calls:");
        let _ = writeln!(s, "  {:>12}  {:>6}  function", "calls", "time");
        for f in self.by_calls().into_iter().take(TOP) {
            let _ = writeln!(
                s,
                "  {:>12}  {:>5.1}%  {}",
                f.calls,
                100.0 * self.share(f.samples),
                f.name
            );
        }
        let _ = writeln!(s, "\ntop functions by time (sampled):");
        let _ = writeln!(
            s,
            "  {:>6}  {:>8}  {:>12}  function",
            "time", "samples", "calls"
        );
        for f in self.by_time().into_iter().take(TOP) {
            let _ = writeln!(
                s,
                "  {:>5.1}%  {:>8}  {:>12}  {}",
                100.0 * self.share(f.samples),
                f.samples,
                f.calls,
                f.name
            );
        }
        let _ = writeln!(s, "\nhot loops:");
        let _ = writeln!(
            s,
            "  {:>12}  {:>6}  instruction  function",
            "iterations", "line"
        );
        for l in self.loops.iter().take(TOP) {
            let _ = writeln!(
                s,
                "  {:>12}  {:>6}  {:<11}  {}",
                l.iterations, l.line, l.instruction, l.function
            );
        }
        let _ = writeln!(
            s,
            "\nleast type-stable hot sites (run at least {HOT_SITE_MIN} times):"
        );
        let _ = writeln!(
            s,
            "  {:>9}  {:>10}  {:>6}  {:<11}  seen  [function]",
            "stability", "executions", "line", "instruction"
        );
        for st in self.sites.iter().take(TOP) {
            let seen: Vec<String> = st
                .seen
                .iter()
                .map(|(t, sh)| format!("{t} {:.1}%", 100.0 * sh))
                .collect();
            let _ = writeln!(
                s,
                "  {:>8.1}%  {:>10}  {:>6}  {:<11}  {}  [{}]",
                100.0 * st.stability,
                st.executions,
                st.line,
                st.instruction,
                seen.join(", "),
                st.function
            );
        }
        let _ = writeln!(s, "\ninline caches:");
        let _ = writeln!(
            s,
            "  {:<10}  {:>6}  {:>6}  {:>6}  {:>12}  {:>12}  {:>8}",
            "kind", "mono", "poly", "mega", "hits", "misses", "hit rate"
        );
        for c in &self.caches {
            let total = c.hits + c.misses;
            let rate = if total == 0 {
                "-".to_string()
            } else {
                format!("{:.1}%", 100.0 * c.hits as f64 / total as f64)
            };
            let _ = writeln!(
                s,
                "  {:<10}  {:>6}  {:>6}  {:>6}  {:>12}  {:>12}  {:>8}",
                c.kind, c.states[0], c.states[1], c.states[2], c.hits, c.misses, rate
            );
        }
        s
    }

    /// The report as JSON (every row, not only the top ones).
    pub fn to_json(&self) -> Json {
        let fun = |f: &FunctionRow| {
            json!({"id": f.id, "name": f.name, "calls": f.calls, "samples": f.samples,
                   "time_share": self.share(f.samples)})
        };
        json!({
            "script": self.script,
            "wall_ms": self.wall_ms,
            "samples": self.samples,
            "time_method": method(),
            "functions_by_calls": self.by_calls().into_iter().map(fun).collect::<Vec<_>>(),
            "functions_by_time": self.by_time().into_iter().map(fun).collect::<Vec<_>>(),
            "loops": self.loops.iter().map(|l| json!({
                "function": l.function, "line": l.line, "pc": l.pc,
                "instruction": l.instruction, "iterations": l.iterations})).collect::<Vec<_>>(),
            "unstable_sites": self.sites.iter().map(|s| json!({
                "function": s.function, "line": s.line, "pc": s.pc,
                "instruction": s.instruction, "executions": s.executions,
                "stability": s.stability,
                "seen": s.seen.iter().map(|(t, sh)| json!({"types": t, "share": sh}))
                    .collect::<Vec<_>>()})).collect::<Vec<_>>(),
            "inline_caches": self.caches.iter().map(|c| json!({
                "kind": c.kind, "monomorphic": c.states[0], "polymorphic": c.states[1],
                "megamorphic": c.states[2], "hits": c.hits, "misses": c.misses})).collect::<Vec<_>>(),
            "inline_cache_sites": self.cache_sites.iter().map(|c| json!({
                "function": c.function, "line": c.line, "pc": c.pc, "kind": c.kind,
                "state": c.state, "entries": c.entries, "hits": c.hits, "misses": c.misses}))
                .collect::<Vec<_>>(),
            "hot_events": self.hot_events.iter().map(|(f, k, line)| json!({
                "function": f, "kind": k, "line": line})).collect::<Vec<_>>(),
        })
    }
}

fn site_row(
    name: &str,
    pr: &Proto,
    pc: usize,
    op: OpCode,
    fb: &Feedback,
    names_by_id: &HashMap<u32, String>,
) -> SiteRow {
    let total = fb.total();
    SiteRow {
        function: name.to_string(),
        line: pr.line_at(pc),
        pc,
        instruction: op.name(),
        executions: total,
        stability: fb.stability(),
        seen: fb
            .entries()
            .map(|(k, c)| {
                (
                    describe_key(op, k, names_by_id),
                    c as f64 / total.max(1) as f64,
                )
            })
            .collect(),
    }
}
