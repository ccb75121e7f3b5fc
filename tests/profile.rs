//! Tier-0 profiling through the command line (issue 4): `--profile=json` reports,
//! hotness counters and hot events, type feedback shares, inline-cache states.
//! Each test runs a small script with `lunajit --profile=json` and checks the JSON
//! object printed on stderr. (That the caches never go stale is checked by
//! `tests/lua/inline_cache_invalidation.lua`, against lua5.4's output.)

mod common;

use common::Run;
use serde_json::Value as Json;

/// Runs `source` (written to a temporary file) with `--profile=json` and extra
/// arguments; returns stdout and the parsed report.
fn profile(source: &str, extra: &[&str]) -> (String, Json) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("prof.lua");
    std::fs::write(&path, source).expect("write script");
    let out = Run::lunajit()
        .arg("--profile=json")
        .args(extra)
        .arg(&path)
        .run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    let err = out.err();
    let json_line = err
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON report on stderr:\n{err}"));
    let report: Json = serde_json::from_str(json_line).expect("valid JSON report");
    (out.out(), report)
}

fn rows<'a>(r: &'a Json, key: &str) -> &'a Vec<Json> {
    r[key]
        .as_array()
        .unwrap_or_else(|| panic!("report has no array {key}: {r}"))
}

fn name_of(row: &Json) -> &str {
    row["function"]
        .as_str()
        .or_else(|| row["name"].as_str())
        .unwrap_or("")
}

#[test]
fn hot_function_and_hot_loop_come_first() {
    let src = r#"
local function cold(x) return x end
local function warm(x) return x + 1 end
local function hot(x) return x * 2 end
for i = 1, 10 do cold(i) end
for i = 1, 500 do warm(i) end
local s = 0
for i = 1, 100000 do s = s + hot(i) end
local j = 0
while j < 300 do j = j + 1 end
print(s)
"#;
    let (out, r) = profile(src, &[]);
    assert_eq!(out, "10000100000\n");
    let by_calls = rows(&r, "functions_by_calls");
    assert!(name_of(&by_calls[0]).starts_with("hot ("), "{by_calls:?}");
    assert_eq!(by_calls[0]["calls"], 100000);
    assert!(name_of(&by_calls[1]).starts_with("warm ("), "{by_calls:?}");
    assert_eq!(by_calls[1]["calls"], 500);
    let loops = rows(&r, "loops");
    assert_eq!(loops[0]["line"], 8, "{loops:?}");
    // a numeric for of n iterations takes n - 1 back-edges
    assert_eq!(loops[0]["iterations"], 99999);
    assert_eq!(loops[0]["instruction"], "FORLOOP");
    // the while loop's backward JMP is a loop too
    assert!(
        loops
            .iter()
            .any(|l| l["line"] == 10 && l["instruction"] == "JMP" && l["iterations"] == 300),
        "{loops:?}"
    );
    // time shares say how they were measured and add up to at most 1
    assert!(r["time_method"].as_str().unwrap().starts_with("sampling"));
    let share: f64 = rows(&r, "functions_by_time")
        .iter()
        .map(|f| f["time_share"].as_f64().unwrap())
        .sum();
    assert!(share <= 1.0 + 1e-9, "{share}");
}

#[test]
fn hot_events_follow_the_threshold() {
    let src = r#"
local function f(x) return x end
local function g(x) return x end
for i = 1, 49 do f(i) end
for i = 1, 50 do g(i) end
for i = 1, 100 do end -- 99 back-edges: below 50 * 4
local n = 0
for i = 1, 201 do n = n + 1 end -- 200 back-edges: hot
"#;
    let (_, r) = profile(src, &["--jit-threshold", "50"]);
    let ev = rows(&r, "hot_events");
    let fs: Vec<&str> = ev
        .iter()
        .filter(|e| e["kind"] == "function")
        .map(name_of)
        .collect();
    assert_eq!(fs.len(), 1, "{ev:?}");
    assert!(fs[0].starts_with("g ("), "{ev:?}");
    let loops: Vec<&Json> = ev.iter().filter(|e| e["kind"] == "loop").collect();
    assert_eq!(loops.len(), 1, "{ev:?}");
    assert_eq!(loops[0]["line"], 8);
}

#[test]
fn tail_calls_errors_and_coroutines_keep_counts_right() {
    let src = r#"
local function callee(x) return x end
local function tail(x) return callee(x) end
local function boom() error("no") end
for i = 1, 30 do tail(i) end
for i = 1, 7 do pcall(boom) end
local function body() for i = 1, 5 do coroutine.yield(i) end end
for r = 1, 4 do
  local co = coroutine.wrap(body)
  for i = 1, 5 do co() end
end
collectgarbage()
"#;
    let (_, r) = profile(src, &[]);
    let calls = |prefix: &str| {
        rows(&r, "functions_by_calls")
            .iter()
            .find(|f| name_of(f).starts_with(prefix))
            .map(|f| f["calls"].as_u64().unwrap())
            .unwrap_or_else(|| panic!("no {prefix}: {r}"))
    };
    assert_eq!(calls("tail ("), 30);
    assert_eq!(
        calls("callee ("),
        30,
        "a tail call counts as a call of the callee"
    );
    assert_eq!(calls("boom ("), 7);
    // a coroutine body is called once per coroutine; resuming is not a call
    assert_eq!(calls("body ("), 4);
}

#[test]
fn type_feedback_shares() {
    let src = r#"
local function add(a, b) return a + b end
for i = 1, 3000 do add(i, 1) end
for i = 1, 1000 do add(i + 0.5, 1.5) end
"#;
    let (_, r) = profile(src, &[]);
    let site = rows(&r, "unstable_sites")
        .iter()
        .find(|s| s["instruction"] == "ADD" && s["line"] == 2)
        .unwrap_or_else(|| panic!("no ADD site: {r}"));
    assert_eq!(site["executions"], 4000);
    assert_eq!(site["stability"], 0.75);
    let seen = site["seen"].as_array().unwrap();
    assert_eq!(seen[0]["types"], "integer,integer");
    assert_eq!(seen[0]["share"], 0.75);
    assert_eq!(seen[1]["types"], "float,float");
    assert_eq!(seen[1]["share"], 0.25);
    // the least stable site comes first
    assert_eq!(rows(&r, "unstable_sites")[0]["stability"], 0.75);
}

/// The state of the `obj:m()` cache at `line` after calls over `classes`
/// classes.
fn method_site_state(classes: usize) -> (String, u64) {
    let src = format!(
        r#"
local objs = {{}}
for c = 1, {classes} do
  local class = {{}}
  class.__index = class
  function class:m() return c end
  objs[c] = setmetatable({{}}, class)
end
local s = 0
for i = 1, 2000 do
  local o = objs[i % #objs + 1]
  s = s + o:m()
end
print(s)
"#
    );
    let (_, r) = profile(&src, &[]);
    let site = rows(&r, "inline_cache_sites")
        .iter()
        .find(|s| s["kind"] == "method" && s["line"] == 12)
        .unwrap_or_else(|| panic!("no method site: {r}"))
        .clone();
    (
        site["state"].as_str().unwrap().to_string(),
        site["hits"].as_u64().unwrap(),
    )
}

#[test]
fn method_caches_go_monomorphic_polymorphic_megamorphic() {
    let (state, hits) = method_site_state(1);
    assert_eq!(state, "monomorphic");
    assert_eq!(hits, 1999);
    let (state, hits) = method_site_state(3);
    assert_eq!(state, "polymorphic");
    assert_eq!(hits, 1997);
    let (state, _) = method_site_state(10);
    assert_eq!(state, "megamorphic");
}

#[test]
fn global_and_field_caches_hit() {
    let src = r#"
counter = 0
local p = {x = 1, y = 2}
for i = 1, 1000 do
  counter = counter + p.x
  p.y = p.y + 1
end
print(counter, p.y)
"#;
    let (out, r) = profile(src, &[]);
    assert_eq!(out, "1000\t1002\n");
    let kinds = rows(&r, "inline_caches");
    let kind = |k: &str| kinds.iter().find(|c| c["kind"] == k).unwrap().clone();
    for k in ["global get", "global set", "field get", "field set"] {
        let c = kind(k);
        assert!(c["hits"].as_u64().unwrap() >= 999, "{k}: {c}");
        assert!(c["monomorphic"].as_u64().unwrap() >= 1, "{k}: {c}");
    }
}

#[test]
fn text_report_has_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.lua");
    std::fs::write(
        &path,
        "local function f(x) return x * 2 end\nfor i = 1, 5000 do f(i) end\n",
    )
    .unwrap();
    let out = Run::lunajit().arg("--profile").arg(&path).run();
    assert_eq!(out.status, Some(0), "{}", out.describe());
    let err = out.err();
    for section in [
        "top functions by calls:",
        "top functions by time (sampled):",
        "hot loops:",
        "least type-stable hot sites",
        "inline caches:",
        "time shares: sampling",
    ] {
        assert!(err.contains(section), "missing {section:?} in:\n{err}");
    }
    assert!(err.contains("f ("), "{err}");
}

#[test]
fn report_is_written_on_os_exit_and_on_errors() {
    let (_, r) = profile("local function f() end f() os.exit(0)", &[]);
    assert!(rows(&r, "functions_by_calls")
        .iter()
        .any(|f| name_of(f).starts_with("f (")));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.lua");
    std::fs::write(&path, "local function f() error('x') end f()").unwrap();
    let out = Run::lunajit().arg("--profile=json").arg(&path).run();
    assert_eq!(out.status, Some(1));
    assert!(
        out.err().contains("\"functions_by_calls\""),
        "{}",
        out.err()
    );
}

#[test]
fn bad_threshold_is_a_usage_error() {
    let out = Run::lunajit()
        .args(["--jit-threshold", "lots", "-e", "print(1)"])
        .run();
    assert_eq!(out.status, Some(1));
    assert!(
        out.err().contains("'--jit-threshold' needs a count"),
        "{}",
        out.err()
    );
}
