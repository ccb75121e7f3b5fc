//! Lua 5.4 patterns (§6.4.1): the matching engine behind `string.find`, `string.match`,
//! `string.gmatch` and `string.gsub`, over byte slices and with no knowledge of the VM.
//!
//! Algorithm: a backtracking matcher that interprets the pattern text directly, one
//! pattern item at a time, the way the reference implementation does. There is no
//! compilation step, so errors in a pattern are found *lazily*, only when the matcher
//! reaches the faulty item (`string.find("b", "a%")` returns nil, not an error) — this is
//! observable behaviour and is kept on purpose.
//!
//! * Items without a quantifier, `%b`, `%f` and back-references advance in a loop; `?`,
//!   `*`, `+`, `-` and captures recurse. Every recursive step goes through
//!   `Matcher::do_match`, which counts depth against [`MAX_MATCH_DEPTH`] (PUC's
//!   `MAXCCALLS`, 200) and fails with "pattern too complex" past it, so no pattern can
//!   overflow the native stack. Running time can still be exponential for pathological
//!   patterns, as in PUC Lua.
//! * Character classes use the C locale (ASCII) meaning of `isalpha` & co; bytes >= 0x80
//!   belong to no class.
//! * The scanning loops (`find`, `gmatch`, `gsub`) skip subject positions where the first
//!   pattern item, a single-character class that must match once, does not match: an
//!   attempt there would fail at once without raising an error, so results and errors are
//!   unchanged while literal-led patterns scan at byte-search speed.
//! * Reading one byte past the end of the pattern or of the subject yields 0, as C's
//!   terminating NUL does in the reference implementation (this decides e.g. what `%f`
//!   sees at the end of the subject).
//!
//! Positions are 0-based byte offsets everywhere in this API, except
//! [`Capture::Position`], which holds the 1-based Lua value a position capture produces.
//!
//! Invariants: every public entry point returns `Err(PatternError)` instead of panicking,
//! whatever the subject and pattern bytes; all slicing is bounds-checked by construction.
//! This module calls nothing outside `std`.

use std::fmt;

/// Maximum number of captures in one pattern (PUC's `LUA_MAXCAPTURES`).
pub const MAX_CAPTURES: usize = 32;

/// Maximum nesting of the matcher's recursive steps (PUC's `MAXCCALLS`); deeper matches
/// fail with [`PatternError::TooComplex`].
pub const MAX_MATCH_DEPTH: usize = 200;

/// The bytes that make `string.find` use the pattern matcher instead of a plain search
/// (PUC's `SPECIALS`). Note that `)` and `]` are not among them.
pub const SPECIALS: &[u8] = b"^$*+?.([%-";

const ESC: u8 = b'%';
const CAP_UNFINISHED: isize = -1;
const CAP_POSITION: isize = -2;

/// An error raised by a malformed pattern or replacement string. `Display` (and
/// [`PatternError::message`]) give PUC Lua 5.4's exact message, which the glue raises
/// as a plain error (`luaL_error`, no "bad argument" prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// "malformed pattern (ends with '%')"
    EndsWithEscape,
    /// "malformed pattern (missing ']')"
    MissingBracket,
    /// "missing '[' after '%f' in pattern"
    MissingFrontierBracket,
    /// "malformed pattern (missing arguments to '%b')"
    MissingBalanceArguments,
    /// "invalid capture index %N": the payload is the index N as written (`%0` gives 0).
    InvalidCaptureIndex(usize),
    /// "invalid pattern capture": a `)` without an open capture.
    InvalidPatternCapture,
    /// "unfinished capture": a capture still open when its value is asked for.
    UnfinishedCapture,
    /// "too many captures": more than [`MAX_CAPTURES`].
    TooManyCaptures,
    /// "pattern too complex": recursion deeper than [`MAX_MATCH_DEPTH`].
    TooComplex,
    /// "invalid use of '%' in replacement string" (gsub's string replacement).
    InvalidReplacementEscape,
}

impl PatternError {
    /// The error message exactly as PUC Lua 5.4 words it.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::EndsWithEscape => f.write_str("malformed pattern (ends with '%')"),
            PatternError::MissingBracket => f.write_str("malformed pattern (missing ']')"),
            PatternError::MissingFrontierBracket => {
                f.write_str("missing '[' after '%f' in pattern")
            }
            PatternError::MissingBalanceArguments => {
                f.write_str("malformed pattern (missing arguments to '%b')")
            }
            PatternError::InvalidCaptureIndex(n) => write!(f, "invalid capture index %{n}"),
            PatternError::InvalidPatternCapture => f.write_str("invalid pattern capture"),
            PatternError::UnfinishedCapture => f.write_str("unfinished capture"),
            PatternError::TooManyCaptures => f.write_str("too many captures"),
            PatternError::TooComplex => f.write_str("pattern too complex"),
            PatternError::InvalidReplacementEscape => {
                f.write_str("invalid use of '%' in replacement string")
            }
        }
    }
}

impl std::error::Error for PatternError {}

/// The value of one capture, ready to become a Lua value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// A substring of the subject: bytes `start..end` (0-based, end exclusive).
    Substring { start: usize, end: usize },
    /// A position capture `()`: the 1-based Lua integer it yields.
    Position(usize),
}

/// One capture slot as the matcher keeps it: a start offset and a length, or one of the
/// markers `CAP_UNFINISHED` / `CAP_POSITION` in `len`.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    start: usize,
    len: isize,
}

/// A successful match: the whole match `start..end` (0-based offsets into the subject)
/// and the captures recorded by the pattern.
#[derive(Clone, Debug)]
pub struct Match {
    /// Offset of the first byte of the match.
    pub start: usize,
    /// Offset one past the last byte of the match (`end == start` for an empty match).
    pub end: usize,
    level: usize,
    slots: [Slot; MAX_CAPTURES],
}

impl Match {
    /// Number of captures the pattern opened (0 when it has none).
    pub fn capture_count(&self) -> usize {
        self.level
    }

    /// How many values the match yields: `capture_count()`, or 1 (the whole match) when the
    /// pattern has no captures and `whole_if_none` is set. `string.match`, `gmatch` and a
    /// function replacement in `gsub` use `whole_if_none = true`; `string.find` uses
    /// `false` (its extra results are only the captures).
    pub fn value_count(&self, whole_if_none: bool) -> usize {
        if self.level == 0 && whole_if_none {
            1
        } else {
            self.level
        }
    }

    /// The value of capture `i` (0-based), with PUC's `get_onecapture` rules: when the
    /// pattern has no captures, index 0 means the whole match; any other index past the
    /// captures is "invalid capture index %{i+1}"; a capture never closed is
    /// "unfinished capture".
    pub fn capture(&self, i: usize) -> Result<Capture, PatternError> {
        if i >= self.level {
            if i != 0 {
                return Err(PatternError::InvalidCaptureIndex(i + 1));
            }
            return Ok(Capture::Substring {
                start: self.start,
                end: self.end,
            });
        }
        let slot = self.slots[i];
        match slot.len {
            CAP_UNFINISHED => Err(PatternError::UnfinishedCapture),
            CAP_POSITION => Ok(Capture::Position(slot.start + 1)),
            len => Ok(Capture::Substring {
                start: slot.start,
                end: slot.start + len as usize,
            }),
        }
    }

    /// All values in order (see [`Match::value_count`]); fails on the first capture that
    /// [`Match::capture`] rejects, as PUC's `push_captures` does.
    pub fn values(&self, whole_if_none: bool) -> Result<Vec<Capture>, PatternError> {
        (0..self.value_count(whole_if_none))
            .map(|i| self.capture(i))
            .collect()
    }
}

/// Does `pat` contain a byte of [`SPECIALS`]? When it does not (or when the caller asked
/// for a plain search), `string.find` does a plain substring search ([`find_plain`]).
pub fn has_specials(pat: &[u8]) -> bool {
    pat.iter().any(|c| SPECIALS.contains(c))
}

/// Plain substring search (`string.find` with `plain` or without specials): the offset of
/// the first occurrence of `needle` in `src` at or after `init`. An empty needle is found
/// at `init`. Returns `None` when `init > src.len()` or there is no occurrence.
pub fn find_plain(src: &[u8], needle: &[u8], init: usize) -> Option<usize> {
    if init > src.len() {
        return None;
    }
    let hay = &src[init..];
    let Some((&first, rest)) = needle.split_first() else {
        return Some(init);
    };
    if needle.len() > hay.len() {
        return None;
    }
    let last_start = hay.len() - needle.len();
    let mut i = 0;
    while i <= last_start {
        let off = hay[i..=last_start].iter().position(|&c| c == first)?;
        i += off;
        if &hay[i + 1..i + needle.len()] == rest {
            return Some(init + i);
        }
        i += 1;
    }
    None
}

/// `string.find` / `string.match` in pattern mode (PUC's `str_find_aux`): tries the
/// pattern at `init`, `init + 1`, ... up to `src.len()` (an empty match at the end is
/// possible) and returns the first match. A leading `^` anchors the pattern: only `init`
/// is tried. `init` is 0-based (the glue applies Lua's `posrelat` first); when
/// `init > src.len()` the result is `Ok(None)`, as Lua's "fail".
pub fn find(src: &[u8], pat: &[u8], init: usize) -> Result<Option<Match>, PatternError> {
    if init > src.len() {
        return Ok(None);
    }
    let (anchor, pat) = strip_anchor(pat);
    let mut m = Matcher::new(src, pat);
    if anchor {
        return m.attempt(init);
    }
    let lead = m.lead();
    let mut s = init;
    loop {
        // Positions that cannot start a match (and cannot raise an error) are skipped.
        s = m.next_candidate(lead, s);
        if let Some(found) = m.attempt(s)? {
            return Ok(Some(found));
        }
        if s >= src.len() {
            return Ok(None);
        }
        s += 1;
    }
}

/// One match attempt of `pat` at exactly `start` (0-based, `start <= src.len()`, else
/// `Ok(None)`). The pattern is taken as is: a leading `^` here is a literal `^`, as in
/// `gmatch`. Building block for callers that drive the subject themselves.
pub fn match_at(src: &[u8], pat: &[u8], start: usize) -> Result<Option<Match>, PatternError> {
    if start > src.len() {
        return Ok(None);
    }
    Matcher::new(src, pat).attempt(start)
}

/// The iteration state of one `string.gmatch` iterator (5.4 semantics): the next
/// position to try and the end of the last match, so that an empty match right where
/// the previous match ended is skipped. A leading `^` in the pattern is not an anchor
/// for gmatch (it matches a literal `^`). The glue keeps this next to the subject and
/// pattern strings in the iterator closure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GmatchState {
    pos: usize,
    last_match: Option<usize>,
}

impl GmatchState {
    /// Starts iterating over a subject of `src_len` bytes at 0-based `init` (the glue
    /// applies `posrelat` to gmatch's optional third argument; any `init > src_len`
    /// yields no match at all).
    pub fn new(src_len: usize, init: usize) -> GmatchState {
        GmatchState {
            pos: init.min(src_len.saturating_add(1)),
            last_match: None,
        }
    }

    /// The next match, or `Ok(None)` when the subject is exhausted. `src` and `pat` must
    /// be the same on every call.
    pub fn next(&mut self, src: &[u8], pat: &[u8]) -> Result<Option<Match>, PatternError> {
        let mut m = Matcher::new(src, pat);
        let lead = m.lead();
        let mut s = self.pos;
        while s <= src.len() {
            s = m.next_candidate(lead, s);
            if let Some(found) = m.attempt(s)? {
                if Some(found.end) != self.last_match {
                    self.pos = found.end;
                    self.last_match = Some(found.end);
                    return Ok(Some(found));
                }
            }
            s += 1;
        }
        self.pos = src.len() + 1;
        Ok(None)
    }
}

/// What [`gsub`] reports besides the output bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GsubOutcome {
    /// Number of matches (gsub's second result).
    pub count: usize,
    /// Whether any replacement changed the text; when false the glue may return the
    /// original subject string object (as PUC does) instead of the output bytes.
    pub changed: bool,
}

/// The whole `string.gsub` loop (§6.4.1, PUC's `str_gsub`, 5.4 rules): scans `src`,
/// replacing at most `max_n` matches (`max_n <= 0` replaces nothing; the glue passes
/// `src.len() + 1` when the argument is absent), appending the result to `out`.
///
/// For each match `replace(&match, out)` must either append the replacement to `out` and
/// return `Ok(true)`, or append nothing and return `Ok(false)` to keep the original text
/// (Lua's `false`/`nil` replacement value), which `gsub` then appends itself. For a
/// string replacement, call [`expand_replacement`] in the closure; for a table, look up
/// `capture(0)`; for a function, pass `values(true)`.
///
/// An empty match right where the previous match ended is not counted (5.4's
/// `lastmatch` rule), and an anchored pattern (`^...`) is tried only at the start.
/// Errors from the pattern are converted with `From<PatternError>`; errors of the
/// closure are passed through. On error `out` holds a partial result.
pub fn gsub<E: From<PatternError>>(
    src: &[u8],
    pat: &[u8],
    max_n: i64,
    out: &mut Vec<u8>,
    mut replace: impl FnMut(&Match, &mut Vec<u8>) -> Result<bool, E>,
) -> Result<GsubOutcome, E> {
    let (anchor, pat) = strip_anchor(pat);
    let mut m = Matcher::new(src, pat);
    let lead = if anchor { Lead::Any } else { m.lead() };
    let mut s = 0usize;
    let mut last_match: Option<usize> = None;
    let mut count = 0usize;
    let mut changed = false;
    while (count as i64) < max_n {
        // Bytes that cannot start a match are copied in one go.
        let next = m.next_candidate(lead, s);
        out.extend_from_slice(&src[s..next]);
        s = next;
        let found = m.attempt(s)?;
        match found {
            Some(found) if Some(found.end) != last_match => {
                count += 1;
                if replace(&found, out)? {
                    changed = true;
                } else {
                    out.extend_from_slice(&src[found.start..found.end]);
                }
                s = found.end;
                last_match = Some(found.end);
            }
            _ => {
                if s < src.len() {
                    out.push(src[s]);
                    s += 1;
                } else {
                    break;
                }
            }
        }
        if anchor {
            break;
        }
    }
    out.extend_from_slice(&src[s..]);
    Ok(GsubOutcome { count, changed })
}

/// Expands a gsub replacement string for one match, appending to `out` (PUC's `add_s`):
/// `%0` is the whole match, `%1`..`%9` the captures (`%1` is the whole match when the
/// pattern has no captures; a position capture is written as its decimal value), `%%` is
/// a `%`. Any other `%x`, or a `%` at the end, is "invalid use of '%' in replacement
/// string"; a bad index is "invalid capture index %N".
pub fn expand_replacement(
    repl: &[u8],
    m: &Match,
    src: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), PatternError> {
    let mut i = 0;
    while let Some(off) = repl[i..].iter().position(|&c| c == ESC) {
        out.extend_from_slice(&repl[i..i + off]);
        let p = i + off + 1;
        let c = repl.get(p).copied().unwrap_or(0);
        if c == ESC {
            out.push(ESC);
        } else if c == b'0' {
            out.extend_from_slice(&src[m.start..m.end]);
        } else if c.is_ascii_digit() {
            match m.capture(usize::from(c - b'1'))? {
                Capture::Substring { start, end } => out.extend_from_slice(&src[start..end]),
                Capture::Position(n) => out.extend_from_slice(n.to_string().as_bytes()),
            }
        } else {
            return Err(PatternError::InvalidReplacementEscape);
        }
        i = p + 1;
    }
    out.extend_from_slice(&repl[i..]);
    Ok(())
}

/// Splits off a leading `^` anchor.
fn strip_anchor(pat: &[u8]) -> (bool, &[u8]) {
    match pat.split_first() {
        Some((b'^', rest)) => (true, rest),
        _ => (false, pat),
    }
}

/// What the first pattern item says about where a match can start.
#[derive(Clone, Copy, Debug)]
enum Lead {
    /// Anywhere (or unknown).
    Any,
    /// Only at this byte.
    Byte(u8),
    /// Only at a byte of the single-character class `pat[0..ep]`.
    Class { ep: usize },
}

/// Does byte `c` belong to the class named by the letter `cl` (PUC's `match_class`,
/// C locale)? Upper-case letters complement the class; `%z` is the deprecated class of
/// the zero byte; any other `cl` stands for itself.
fn match_class(c: u8, cl: u8) -> bool {
    let res = match cl.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'g' => c.is_ascii_graphic(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        // C's isspace: space, \t, \n, \v, \f, \r (Rust's is_ascii_whitespace lacks \v).
        b's' => c == b' ' || (b'\t'..=b'\r').contains(&c),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0,
        _ => return cl == c,
    };
    if cl.is_ascii_uppercase() {
        !res
    } else {
        res
    }
}

/// The matcher over one subject and one (anchor-stripped) pattern. Capture slots and
/// the depth budget are reset before each attempt.
struct Matcher<'a> {
    src: &'a [u8],
    pat: &'a [u8],
    /// Remaining recursion budget.
    depth: usize,
    /// Number of captures opened so far.
    level: usize,
    slots: [Slot; MAX_CAPTURES],
}

type Step = Result<Option<usize>, PatternError>;

impl<'a> Matcher<'a> {
    fn new(src: &'a [u8], pat: &'a [u8]) -> Matcher<'a> {
        Matcher {
            src,
            pat,
            depth: MAX_MATCH_DEPTH,
            level: 0,
            slots: [Slot::default(); MAX_CAPTURES],
        }
    }

    /// One attempt at subject offset `s` with fresh state.
    fn attempt(&mut self, s: usize) -> Result<Option<Match>, PatternError> {
        self.level = 0;
        self.depth = MAX_MATCH_DEPTH;
        Ok(self.do_match(s, 0)?.map(|end| {
            let mut slots = [Slot::default(); MAX_CAPTURES];
            slots[..self.level].copy_from_slice(&self.slots[..self.level]);
            Match {
                start: s,
                end,
                level: self.level,
                slots,
            }
        }))
    }

    /// Classifies the first pattern item. When it is a single-character class that must
    /// match once (no `*`, `?`, `-`) and is well formed, an attempt at a position where
    /// it does not match fails at once without raising any error, so such positions can
    /// be skipped without changing results or errors.
    fn lead(&self) -> Lead {
        let Some(&c) = self.pat.first() else {
            return Lead::Any;
        };
        match c {
            b'(' | b')' | b'.' => return Lead::Any,
            b'$' if self.pat.len() == 1 => return Lead::Any,
            ESC if matches!(self.pat_byte(1), b'b' | b'f' | b'0'..=b'9') => return Lead::Any,
            _ => {}
        }
        let Ok(ep) = self.class_end(0) else {
            return Lead::Any;
        };
        if matches!(self.pat_byte(ep), b'*' | b'?' | b'-') {
            Lead::Any
        } else if c != ESC && c != b'[' {
            Lead::Byte(c)
        } else {
            Lead::Class { ep }
        }
    }

    /// The first position at or after `s` where a match may start given `lead`
    /// (`src.len()` when there is none but the end).
    fn next_candidate(&self, lead: Lead, s: usize) -> usize {
        let rest = self.src.get(s..).unwrap_or(&[]);
        let found = match lead {
            Lead::Any => return s,
            Lead::Byte(c) => rest.iter().position(|&b| b == c),
            Lead::Class { ep } => (0..rest.len()).find(|&i| self.single_match(s + i, 0, ep)),
        };
        found.map_or(self.src.len().max(s), |off| s + off)
    }

    /// Pattern byte at `i`, or 0 past the end (C's terminating NUL).
    #[inline]
    fn pat_byte(&self, i: usize) -> u8 {
        self.pat.get(i).copied().unwrap_or(0)
    }

    /// Offset just past the single-character class starting at `p` (`p < pat.len()`):
    /// `%x` is two bytes, a set runs to its closing `]` (a `]` right after `[` or `[^`
    /// is literal, `%]` is escaped).
    fn class_end(&self, p: usize) -> Result<usize, PatternError> {
        let first = self.pat[p];
        let mut p = p + 1;
        if first == ESC {
            if p >= self.pat.len() {
                return Err(PatternError::EndsWithEscape);
            }
            return Ok(p + 1);
        }
        if first == b'[' {
            if self.pat_byte(p) == b'^' {
                p += 1;
            }
            loop {
                if p >= self.pat.len() {
                    return Err(PatternError::MissingBracket);
                }
                let c = self.pat[p];
                p += 1;
                if c == ESC && p < self.pat.len() {
                    p += 1;
                }
                if self.pat_byte(p) == b']' {
                    return Ok(p + 1);
                }
            }
        }
        Ok(p)
    }

    /// Does `c` belong to the set `[...]` whose `[` is at `p` and `]` at `ec`?
    fn match_bracket_class(&self, c: u8, mut p: usize, ec: usize) -> bool {
        let pat = self.pat;
        let mut found_means = true;
        if pat[p + 1] == b'^' {
            found_means = false;
            p += 1;
        }
        p += 1;
        while p < ec {
            if pat[p] == ESC {
                p += 1;
                if match_class(c, pat[p]) {
                    return found_means;
                }
            } else if pat[p + 1] == b'-' && p + 2 < ec {
                if pat[p] <= c && c <= pat[p + 2] {
                    return found_means;
                }
                p += 2;
            } else if pat[p] == c {
                return found_means;
            }
            p += 1;
        }
        !found_means
    }

    /// Does the subject byte at `s` match the single-character class `p..ep`?
    #[inline]
    fn single_match(&self, s: usize, p: usize, ep: usize) -> bool {
        let Some(&c) = self.src.get(s) else {
            return false;
        };
        match self.pat[p] {
            b'.' => true,
            ESC => match_class(c, self.pat[p + 1]),
            b'[' => self.match_bracket_class(c, p, ep - 1),
            pc => pc == c,
        }
    }

    /// Matches the rest of the pattern from `p` against the subject from `s`; returns the
    /// end of the match. Every recursive step of the matcher comes through here.
    fn do_match(&mut self, s: usize, p: usize) -> Step {
        if self.depth == 0 {
            return Err(PatternError::TooComplex);
        }
        self.depth -= 1;
        let result = self.match_items(s, p);
        self.depth += 1;
        result
    }

    fn match_items(&mut self, mut s: usize, mut p: usize) -> Step {
        loop {
            if p >= self.pat.len() {
                return Ok(Some(s));
            }
            match self.pat[p] {
                b'(' => {
                    return if self.pat_byte(p + 1) == b')' {
                        self.start_capture(s, p + 2, CAP_POSITION)
                    } else {
                        self.start_capture(s, p + 1, CAP_UNFINISHED)
                    };
                }
                b')' => return self.end_capture(s, p + 1),
                b'$' if p + 1 == self.pat.len() => {
                    return Ok((s == self.src.len()).then_some(s));
                }
                ESC => match self.pat_byte(p + 1) {
                    b'b' => match self.match_balance(s, p + 2)? {
                        Some(next) => {
                            s = next;
                            p += 4;
                            continue;
                        }
                        None => return Ok(None),
                    },
                    b'f' => {
                        p += 2;
                        if self.pat_byte(p) != b'[' {
                            return Err(PatternError::MissingFrontierBracket);
                        }
                        let ep = self.class_end(p)?;
                        let prev = if s == 0 { 0 } else { self.src[s - 1] };
                        let cur = self.src.get(s).copied().unwrap_or(0);
                        if !self.match_bracket_class(prev, p, ep - 1)
                            && self.match_bracket_class(cur, p, ep - 1)
                        {
                            p = ep;
                            continue;
                        }
                        return Ok(None);
                    }
                    d @ b'0'..=b'9' => match self.match_back_reference(s, d)? {
                        Some(next) => {
                            s = next;
                            p += 2;
                            continue;
                        }
                        None => return Ok(None),
                    },
                    _ => {}
                },
                _ => {}
            }
            // A single-character class, possibly followed by a quantifier.
            let ep = self.class_end(p)?;
            let quantifier = self.pat_byte(ep);
            if !self.single_match(s, p, ep) {
                if matches!(quantifier, b'*' | b'?' | b'-') {
                    // Zero repetitions are allowed: skip the item.
                    p = ep + 1;
                    continue;
                }
                return Ok(None);
            }
            match quantifier {
                b'?' => {
                    if let Some(end) = self.do_match(s + 1, ep + 1)? {
                        return Ok(Some(end));
                    }
                    p = ep + 1;
                }
                b'+' => return self.max_expand(s + 1, p, ep),
                b'*' => return self.max_expand(s, p, ep),
                b'-' => return self.min_expand(s, p, ep),
                _ => {
                    s += 1;
                    p = ep;
                }
            }
        }
    }

    /// Greedy repetition: take as many bytes matching `p..ep` as possible from `s`, then
    /// back off one at a time until the rest of the pattern matches.
    fn max_expand(&mut self, s: usize, p: usize, ep: usize) -> Step {
        let mut count = 0;
        while self.single_match(s + count, p, ep) {
            count += 1;
        }
        loop {
            if let Some(end) = self.do_match(s + count, ep + 1)? {
                return Ok(Some(end));
            }
            if count == 0 {
                return Ok(None);
            }
            count -= 1;
        }
    }

    /// Lazy repetition: try the rest of the pattern first, consuming one more matching
    /// byte after each failure.
    fn min_expand(&mut self, mut s: usize, p: usize, ep: usize) -> Step {
        loop {
            if let Some(end) = self.do_match(s, ep + 1)? {
                return Ok(Some(end));
            }
            if self.single_match(s, p, ep) {
                s += 1;
            } else {
                return Ok(None);
            }
        }
    }

    fn start_capture(&mut self, s: usize, p: usize, what: isize) -> Step {
        if self.level >= MAX_CAPTURES {
            return Err(PatternError::TooManyCaptures);
        }
        self.slots[self.level] = Slot {
            start: s,
            len: what,
        };
        self.level += 1;
        let result = self.do_match(s, p)?;
        if result.is_none() {
            self.level -= 1;
        }
        Ok(result)
    }

    fn end_capture(&mut self, s: usize, p: usize) -> Step {
        let l = self.capture_to_close()?;
        self.slots[l].len = (s - self.slots[l].start) as isize;
        let result = self.do_match(s, p)?;
        if result.is_none() {
            self.slots[l].len = CAP_UNFINISHED;
        }
        Ok(result)
    }

    /// The innermost capture still open.
    fn capture_to_close(&self) -> Result<usize, PatternError> {
        (0..self.level)
            .rev()
            .find(|&l| self.slots[l].len == CAP_UNFINISHED)
            .ok_or(PatternError::InvalidPatternCapture)
    }

    /// `%bxy` with `x` at `p`: a balanced run from `x` to its matching `y`.
    fn match_balance(&self, s: usize, p: usize) -> Step {
        if p + 1 >= self.pat.len() {
            return Err(PatternError::MissingBalanceArguments);
        }
        let (open, close) = (self.pat[p], self.pat[p + 1]);
        if self.src.get(s) != Some(&open) {
            return Ok(None);
        }
        let mut depth = 1usize;
        for (i, &c) in self.src.iter().enumerate().skip(s + 1) {
            if c == close {
                depth -= 1;
                if depth == 0 {
                    return Ok(Some(i + 1));
                }
            } else if c == open {
                depth += 1;
            }
        }
        Ok(None)
    }

    /// `%1`..`%9` (digit `d`): the same bytes as a closed capture. A back-reference to a
    /// position capture never matches (PUC compares against its marker length).
    fn match_back_reference(&self, s: usize, d: u8) -> Step {
        let index = usize::from(d).wrapping_sub(usize::from(b'1'));
        if index >= self.level || self.slots[index].len == CAP_UNFINISHED {
            // `%0` lands here too (index wraps around) and reports index 0.
            return Err(PatternError::InvalidCaptureIndex(usize::from(d - b'0')));
        }
        let slot = self.slots[index];
        if slot.len < 0 {
            return Ok(None);
        }
        let len = slot.len as usize;
        let captured = &self.src[slot.start..slot.start + len];
        Ok(self.src[s..].starts_with(captured).then_some(s + len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serializes Lua results the way the generator scripts do: `i<int>`, `s<len>:<bytes>`,
    /// `n` for nil, comma separated; `E<message>` for an error.
    #[derive(Default)]
    struct Ser(Vec<u8>);

    impl Ser {
        fn int(&mut self, n: i64) {
            self.sep();
            self.0.extend_from_slice(format!("i{n}").as_bytes());
        }
        fn bytes(&mut self, b: &[u8]) {
            self.sep();
            self.0
                .extend_from_slice(format!("s{}:", b.len()).as_bytes());
            self.0.extend_from_slice(b);
        }
        fn nil(&mut self) {
            self.sep();
            self.0.push(b'n');
        }
        fn capture(&mut self, src: &[u8], c: Capture) {
            match c {
                Capture::Substring { start, end } => self.bytes(&src[start..end]),
                Capture::Position(p) => self.int(p as i64),
            }
        }
        fn sep(&mut self) {
            if !self.0.is_empty() {
                self.0.push(b',');
            }
        }
        fn error(e: PatternError) -> Vec<u8> {
            format!("E{e}").into_bytes()
        }
    }

    /// Lua's `posrelatI` followed by the 0-based conversion, as the glue will do it.
    fn start_index(init: i64, len: usize) -> usize {
        let len = len as i64;
        let pos = if init > 0 {
            init
        } else if init == 0 || init < -len {
            1
        } else {
            len + init + 1
        };
        (pos - 1) as usize
    }

    /// A test glue for `string.find` (find_mode = true) and `string.match` (false).
    fn lua_find(src: &[u8], pat: &[u8], init: i64, find_mode: bool) -> Vec<u8> {
        let init = start_index(init, src.len());
        let mut out = Ser::default();
        if init > src.len() {
            out.nil();
            return out.0;
        }
        if find_mode && !has_specials(pat) {
            match find_plain(src, pat, init) {
                Some(at) => {
                    out.int(at as i64 + 1);
                    out.int((at + pat.len()) as i64);
                }
                None => out.nil(),
            }
            return out.0;
        }
        let m = match find(src, pat, init) {
            Ok(Some(m)) => m,
            Ok(None) => {
                out.nil();
                return out.0;
            }
            Err(e) => return Ser::error(e),
        };
        if find_mode {
            out.int(m.start as i64 + 1);
            out.int(m.end as i64);
        }
        match m.values(!find_mode) {
            Ok(values) => values.into_iter().for_each(|c| out.capture(src, c)),
            Err(e) => return Ser::error(e),
        }
        out.0
    }

    /// A test glue for `string.gsub` with a string replacement.
    fn lua_gsub(src: &[u8], pat: &[u8], repl: &[u8], max_n: Option<i64>) -> Vec<u8> {
        let mut buf = Vec::new();
        let max_n = max_n.unwrap_or(src.len() as i64 + 1);
        let r = gsub(src, pat, max_n, &mut buf, |m, out| {
            expand_replacement(repl, m, src, out).map(|()| true)
        });
        match r {
            Ok(outcome) => {
                let mut s = Ser::default();
                s.bytes(&buf);
                s.int(outcome.count as i64);
                s.0
            }
            Err(e) => Ser::error(e),
        }
    }

    /// A test glue for `for a, b in string.gmatch(src, pat)`, at most 20 iterations.
    fn lua_gmatch(src: &[u8], pat: &[u8]) -> Vec<u8> {
        let mut parts: Vec<Vec<u8>> = Vec::new();
        let mut state = GmatchState::new(src.len(), 0);
        for _ in 0..20 {
            let m = match state.next(src, pat) {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(e) => {
                    parts.push(Ser::error(e));
                    break;
                }
            };
            match m.values(true) {
                Ok(values) => {
                    let mut s = Ser::default();
                    for i in 0..2 {
                        match values.get(i) {
                            Some(&c) => s.capture(src, c),
                            None => s.nil(),
                        }
                    }
                    parts.push(s.0);
                }
                Err(e) => {
                    parts.push(Ser::error(e));
                    break;
                }
            }
        }
        let mut out = b"G".to_vec();
        out.extend_from_slice(&parts.join(&b';'));
        out
    }

    /// (subject, pattern, init, find result, match result)
    type FindCase = (
        &'static [u8],
        &'static [u8],
        i64,
        &'static [u8],
        &'static [u8],
    );
    /// (subject, pattern, replacement, max, result)
    type GsubCase = (
        &'static [u8],
        &'static [u8],
        &'static [u8],
        Option<i64>,
        &'static [u8],
    );

    fn show(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    #[test]
    fn find_and_match_table() {
        // (subject, pattern, init, string.find result, string.match result), from lua5.4.
        #[rustfmt::skip]
        let cases: &[FindCase] = &[
        (b"hello world", b"o w", 1, b"i5,i7", b"s3:o w"),
        (b"hello world", b"o", 6, b"i8,i8", b"s1:o"),
        (b"hello", b"l+", 1, b"i3,i4", b"s2:ll"),
        (b"hello", b"l*", 1, b"i1,i0", b"s0:"),
        (b"hello", b"l-", 1, b"i1,i0", b"s0:"),
        (b"hello", b"l-o", 1, b"i3,i5", b"s3:llo"),
        (b"hello", b"^h", 1, b"i1,i1", b"s1:h"),
        (b"hello", b"^e", 1, b"n", b"n"),
        (b"hello", b"^e", 2, b"i2,i2", b"s1:e"),
        (b"hello", b"o$", 1, b"i5,i5", b"s1:o"),
        (b"hello", b"l$", 1, b"n", b"n"),
        (b"a$b", b"$b", 1, b"i2,i3", b"s2:$b"),
        (b"a^b", b"a^b", 1, b"i1,i3", b"s3:a^b"),
        (b"hello", b"", 1, b"i1,i0", b"s0:"),
        (b"hello", b"", 6, b"i6,i5", b"s0:"),
        (b"hello", b"", 7, b"n", b"n"),
        (b"hello", b"", -2, b"i4,i3", b"s0:"),
        (b"hello", b"l", -10, b"i3,i3", b"s1:l"),
        (b"THE (quick) fox", b"%f[%a]%a+", 1, b"i1,i3", b"s3:THE"),
        (b"THE (quick) fox", b"%f[%a]%a+", 2, b"i6,i10", b"s5:quick"),
        (b"x(a(b)c)y", b"%b()", 1, b"i2,i8", b"s7:(a(b)c)"),
        (b"x(a(b)cy", b"%b()", 1, b"i4,i6", b"s3:(b)"),
        (b"key = value", b"(%w+)%s*=%s*(%w+)", 1, b"i1,i11,s3:key,s5:value", b"s3:key,s5:value"),
        (b"  abc", b"()a()", 1, b"i3,i3,i3,i4", b"i3,i4"),
        (b"abab", b"(ab)%1", 1, b"i1,i4,s2:ab", b"s2:ab"),
        (b"abcabc", b"(a)(b)(c)%1%2%3", 1, b"i1,i6,s1:a,s1:b,s1:c", b"s1:a,s1:b,s1:c"),
        (b"aaa", b"()%1", 1, b"n", b"n"),
        (b"x", b"(x)%0", 1, b"Einvalid capture index %0", b"Einvalid capture index %0"),
        (b"a]b", b"[]]", 1, b"i2,i2", b"s1:]"),
        (b"a-b", b"[a-]+", 1, b"i1,i2", b"s2:a-"),
        (b"a-b", b"[%a-]+", 1, b"i1,i3", b"s3:a-b"),
        (b"a^b", b"[b^]+", 1, b"i2,i3", b"s2:^b"),
        (b"abc", b"[^%a]", 1, b"n", b"n"),
        (b"ab1", b"[^%a]", 1, b"i3,i3", b"s1:1"),
        (b"0x1F", b"%x+", 3, b"i3,i4", b"s2:1F"),
        (b"a\x00b", b"%z", 1, b"i2,i2", b"s1:\x00"),
        (b"a\x00b", b"[%z]", 1, b"i2,i2", b"s1:\x00"),
        (b"a\x00b", b"%Z+", 1, b"i1,i1", b"s1:a"),
        (b"a.b", b"%.", 1, b"i2,i2", b"s1:."),
        (b"a%b", b"%%", 1, b"i2,i2", b"s1:%"),
        (b"\x09\x0b\x0c\x0d\n x", b"%s+", 1, b"i1,i6", b"s6:\x09\x0b\x0c\x0d\n "),
        (b"\x7f\x01x", b"%c+", 1, b"i1,i2", b"s2:\x7f\x01"),
        (b"!\"#/:;@[`{~", b"%p+", 1, b"i1,i11", b"s11:!\"#/:;@[`{~"),
        (b"abc", b"%g+", 1, b"i1,i3", b"s3:abc"),
        (b"a b", b"%G", 1, b"i2,i2", b"s1: "),
        (b"caf\xc3\xa9", b"%a+", 1, b"i1,i3", b"s3:caf"),
        (b"\xc8\xc9", b"[\xc8-\xd2]+", 1, b"i1,i2", b"s2:\xc8\xc9"),
        (b"abc", b"[a-]", 1, b"i1,i1", b"s1:a"),
        (b"-", b"[a-]", 1, b"i1,i1", b"s1:-"),
        (b"b", b"[%a-z]", 1, b"i1,i1", b"s1:b"),
        (b"z", b"[a-%z]", 1, b"i1,i1", b"s1:z"),
        (b"abc", b"a?b?c?d?", 1, b"i1,i3", b"s3:abc"),
        (b"abc", b"a-b", 1, b"i1,i2", b"s2:ab"),
        (b"aaab", b"a-b", 1, b"i1,i4", b"s4:aaab"),
        (b"aaab", b"a*", 2, b"i2,i3", b"s2:aa"),
        (b"", b"a*", 1, b"i1,i0", b"s0:"),
        (b"", b"^$", 1, b"i1,i0", b"s0:"),
        (b"", b"$", 1, b"i1,i0", b"s0:"),
        (b"abc", b"c$", 3, b"i3,i3", b"s1:c"),
        (b"abc", b"(", 1, b"Eunfinished capture", b"Eunfinished capture"),
        (b"abc", b")", 1, b"n", b"Einvalid pattern capture"),
        (b"abc", b"%", 1, b"Emalformed pattern (ends with '%')", b"Emalformed pattern (ends with '%')"),
        (b"b", b"a%", 1, b"n", b"n"),
        (b"abc", b"[a", 1, b"Emalformed pattern (missing ']')", b"Emalformed pattern (missing ']')"),
        (b"abc", b"%f", 1, b"Emissing '[' after '%f' in pattern", b"Emissing '[' after '%f' in pattern"),
        (b"abc", b"%fa", 1, b"Emissing '[' after '%f' in pattern", b"Emissing '[' after '%f' in pattern"),
        (b"abc", b"%b", 1, b"Emalformed pattern (missing arguments to '%b')", b"Emalformed pattern (missing arguments to '%b')"),
        (b"abc", b"%ba", 1, b"Emalformed pattern (missing arguments to '%b')", b"Emalformed pattern (missing arguments to '%b')"),
        (b"abc", b"%1", 1, b"Einvalid capture index %1", b"Einvalid capture index %1"),
        (b"abc", b"(a)%2", 1, b"Einvalid capture index %2", b"Einvalid capture index %2"),
        (b"abc", b"(a%1)", 1, b"Einvalid capture index %1", b"Einvalid capture index %1"),
        (b"abc", b"(a", 1, b"Eunfinished capture", b"Eunfinished capture"),
        (b"abc", b"()", 1, b"i1,i0,i1", b"i1"),
        (b"abc", b"%f[%z]", 1, b"i4,i3", b"s0:"),
        (b"ab", b"(a)(b)", 1, b"i1,i2,s1:a,s1:b", b"s1:a,s1:b"),
        (b"ab", b"((a)(b))", 1, b"i1,i2,s2:ab,s1:a,s1:b", b"s2:ab,s1:a,s1:b"),
        (b"ab", b"(()a())", 1, b"i1,i1,s1:a,i1,i2", b"s1:a,i1,i2"),
        (b"ab", b"%w%d", 1, b"n", b"n"),
        (b"a1", b"%w%d", 1, b"i1,i2", b"s2:a1"),
        (b"[[x]]", b"%[%[(.-)%]%]", 1, b"i1,i5,s1:x", b"s1:x"),
        (b"x = [[a]] y = [[b]]", b"%[%[(.-)%]%]", 12, b"i15,i19,s1:b", b"s1:b"),
        (b"hello", b"h(.)", 1, b"i1,i2,s1:e", b"s1:e"),
        (b"hello", b"(h)(.)(.-)o", 1, b"i1,i5,s1:h,s1:e,s2:ll", b"s1:h,s1:e,s2:ll"),
        (b"abc", b"^(a)", 1, b"i1,i1,s1:a", b"s1:a"),
        (b"^abc", b"^^a", 1, b"i1,i2", b"s2:^a"),
        (b"abc", b"b", 10, b"n", b"n"),
        (b"abc", b"b", -1, b"n", b"n"),
        (b"abc", b"[]", 1, b"Emalformed pattern (missing ']')", b"Emalformed pattern (missing ']')"),
        (b"abc", b"[^]", 1, b"Emalformed pattern (missing ']')", b"Emalformed pattern (missing ']')"),
        (b"a]", b"[^]]", 1, b"i1,i1", b"s1:a"),
        (b"]]", b"[^]]", 1, b"n", b"n"),
        (b"aXb", b"%f[%u]", 1, b"i2,i1", b"s0:"),
        (b"aXb", b"%f[%l]", 2, b"i3,i2", b"s0:"),
        (b"ab", b"%bab", 1, b"i1,i2", b"s2:ab"),
        (b"aab", b"%bab", 1, b"i2,i3", b"s2:ab"),
        ];
        for &(src, pat, init, want_find, want_match) in cases {
            let got = lua_find(src, pat, init, true);
            assert_eq!(
                show(&got),
                show(want_find),
                "find {:?} {:?} {init}",
                show(src),
                show(pat)
            );
            let got = lua_find(src, pat, init, false);
            assert_eq!(
                show(&got),
                show(want_match),
                "match {:?} {:?} {init}",
                show(src),
                show(pat)
            );
        }
    }

    // The Lua twin of `corpus` below (pat.lua), which produced the expected hashes:
    //
    // -- Differential corpus for pattern.rs: random patterns x subjects; prints the FNV-1a hash
    // -- of the serialized results of find/match/gsub/gmatch (full text to pat.out).
    // local x = tonumber(arg[1] or "12345")
    // local N = tonumber(arg[2] or "20000")
    // local MAXP = tonumber(arg[3] or "6")
    // local MAXS = tonumber(arg[4] or "9")
    // local function rnd(n) x = x * 6364136223846793005 + 1442695040888963407; return ((x >> 33) % n) + 1 end
    // local P = {"a","b","c",".","%a","%d","%s","%w","%p","%u","%l","%x","%c","%g","%A","%S","[ab]","[^a]","[a-c]","[%d_]","[]a]","[^]]","[a-]","%%","%.","(",")","()","*","+","-","?","%1","%2","%0","%b()","%bab","%f[%w]","%f[%W]","%f[a]","^","$","[","%","%f","%b","%z","1"," ","_","\0","%9","[%","]"}
    // local C = {"a","b","c",".","%a","%d","%s","%w","[ab]","[^a]","[a-c]","*","+","-","?","(",")","()","%1"}
    // for _ = 1, 3 do for _, c in ipairs(C) do P[#P+1] = c end end
    // local S = {"a","b","c","A","1","2"," ","(",")","_","%","\0","]","^","$","\n","\200"}
    // local out = {}
    // local function ser(ok, ...)
    //   if not ok then return "E" .. (...) end
    //   local t = {}
    //   for i = 1, select("#", ...) do
    //     local v = select(i, ...)
    //     if v == nil then t[#t+1] = "n"
    //     elseif math.type(v) == "integer" then t[#t+1] = "i" .. v
    //     else t[#t+1] = "s" .. #v .. ":" .. v end
    //   end
    //   return table.concat(t, ",")
    // end
    // for i = 1, N do
    //   local np = rnd(MAXP)
    //   local pt = {}
    //   for j = 1, np do pt[j] = P[rnd(#P)] end
    //   local p = table.concat(pt)
    //   local ns = rnd(MAXS) - 1
    //   local st = {}
    //   for j = 1, ns do st[j] = S[rnd(#S)] end
    //   local s = table.concat(st)
    //   local init = rnd(12) - 4
    //   out[#out+1] = ser(pcall(string.find, s, p, init))
    //   out[#out+1] = ser(pcall(string.match, s, p))
    //   out[#out+1] = ser(pcall(string.gsub, s, p, "<%0>"))
    //   out[#out+1] = ser(pcall(string.gsub, s, p, "[%1]", 3))
    //   local g = {}
    //   local ok, err = pcall(function()
    //     local n = 0
    //     for a, b in string.gmatch(s, p) do
    //       g[#g+1] = ser(true, a, b)
    //       n = n + 1
    //       if n >= 20 then break end
    //     end
    //   end)
    //   if not ok then g[#g+1] = "E" .. err:gsub("^[^:]*:%d+: ", "") end
    //   out[#out+1] = "G" .. table.concat(g, ";")
    // end
    // local text = table.concat(out, "\n")
    // local f = io.open("pat.out", "wb") f:write(text) f:close()
    // local h = 0xcbf29ce484222325
    // for k = 1, #text do h = (h ~ text:byte(k)) * 0x100000001b3 end
    // print(string.format("0x%016x", h))

    /// The generator of the differential corpus; mirrors pat.lua (above) step for step so
    /// that both sides see the same cases.
    struct Lcg(u64);

    impl Lcg {
        /// A number in `1..=n`, like the Lua script's `rnd(n)`.
        fn rnd(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) % n as u64) as usize + 1
        }
    }

    fn fnv1a(text: &[u8]) -> u64 {
        text.iter().fold(0xcbf29ce484222325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
        })
    }

    fn corpus(seed: u64, n: usize, max_pieces: usize, max_len: usize) -> Vec<u8> {
        let mut pieces: Vec<&[u8]> = vec![
            b"a", b"b", b"c", b".", b"%a", b"%d", b"%s", b"%w", b"%p", b"%u", b"%l", b"%x", b"%c",
            b"%g", b"%A", b"%S", b"[ab]", b"[^a]", b"[a-c]", b"[%d_]", b"[]a]", b"[^]]", b"[a-]",
            b"%%", b"%.", b"(", b")", b"()", b"*", b"+", b"-", b"?", b"%1", b"%2", b"%0", b"%b()",
            b"%bab", b"%f[%w]", b"%f[%W]", b"%f[a]", b"^", b"$", b"[", b"%", b"%f", b"%b", b"%z",
            b"1", b" ", b"_", b"\0", b"%9", b"[%", b"]",
        ];
        let common: [&[u8]; 19] = [
            b"a", b"b", b"c", b".", b"%a", b"%d", b"%s", b"%w", b"[ab]", b"[^a]", b"[a-c]", b"*",
            b"+", b"-", b"?", b"(", b")", b"()", b"%1",
        ];
        for _ in 0..3 {
            pieces.extend_from_slice(&common);
        }
        let chars: [&[u8]; 17] = [
            b"a", b"b", b"c", b"A", b"1", b"2", b" ", b"(", b")", b"_", b"%", b"\0", b"]", b"^",
            b"$", b"\n", b"\xc8",
        ];
        let mut rng = Lcg(seed);
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for _ in 0..n {
            let np = rng.rnd(max_pieces);
            let pat: Vec<u8> = (0..np)
                .flat_map(|_| pieces[rng.rnd(pieces.len()) - 1])
                .copied()
                .collect();
            let ns = rng.rnd(max_len) - 1;
            let src: Vec<u8> = (0..ns)
                .flat_map(|_| chars[rng.rnd(chars.len()) - 1])
                .copied()
                .collect();
            let init = rng.rnd(12) as i64 - 4;
            lines.push(lua_find(&src, &pat, init, true));
            lines.push(lua_find(&src, &pat, 1, false));
            lines.push(lua_gsub(&src, &pat, b"<%0>", None));
            lines.push(lua_gsub(&src, &pat, b"[%1]", Some(3)));
            lines.push(lua_gmatch(&src, &pat));
        }
        lines.join(&b'\n')
    }

    /// Random patterns against random subjects, compared with lua5.4 through a hash of
    /// the serialized results of find/match/gsub/gmatch. The expected hashes come from
    /// `lua5.4 pat.lua SEED N MAXPIECES MAXLEN`, where pat.lua is the Lua twin of `corpus` (same LCG,
    /// same piece lists, same serialization); set PATTERN_CORPUS_DUMP=file to write the
    /// Rust side's text for a diff against the script's output.
    #[test]
    fn differential_corpus_matches_lua() {
        let runs = [
            (12345u64, 20000, 6, 9, 0xb3674659ed07b67cu64),
            (777, 20000, 6, 9, 0x90afa1dc23d5ec3f),
            (4242, 10000, 12, 40, 0xa42be49b7554be74),
        ];
        for (seed, n, max_pieces, max_len, want) in runs {
            let text = corpus(seed, n, max_pieces, max_len);
            if let Ok(path) = std::env::var("PATTERN_CORPUS_DUMP") {
                std::fs::write(format!("{path}.{seed}"), &text).unwrap();
            }
            assert_eq!(fnv1a(&text), want, "corpus seed {seed}");
        }
    }

    #[test]
    fn gsub_table() {
        // (subject, pattern, replacement, max, expected), from lua5.4.
        #[rustfmt::skip]
        let cases: &[GsubCase] = &[
            (b"hello world", b"o*", b"x", None, b"s19:xhxexlxlx xwxrxlxdx,i10"),
            (b"abc", b"", b"-", None, b"s7:-a-b-c-,i4"),
            (b"abc", b"%w*", b"-", None, b"s1:-,i1"),
            (b"abc", b".-", b"-", None, b"s7:-a-b-c-,i4"),
            (b"abc", b"", b"-", Some(2), b"s5:-a-bc,i2"),
            (b"abc", b"", b"-", Some(-1), b"s3:abc,i0"),
            (b"abc", b"^", b"-", None, b"s4:-abc,i1"),
            (b"abc", b"^a*", b"-", None, b"s3:-bc,i1"),
            (b"aaa", b"^a", b"-", None, b"s3:-aa,i1"),
            (b"abc", b"b", b"%0%0", None, b"s4:abbc,i1"),
            (b"abc", b"b", b"%%", None, b"s3:a%c,i1"),
            (b"abc", b"b", b"%1", None, b"s3:abc,i1"),
            (b"abc", b"(b)", b"%0%1", None, b"s4:abbc,i1"),
            (b"abc", b"b()", b"%1", None, b"s3:a3c,i1"),
            (b"abc", b"()", b"%1", None, b"s7:1a2b3c4,i4"),
            (b"abc", b"b", b"%2", None, b"Einvalid capture index %2"),
            (b"abc", b"(b)", b"%2", None, b"Einvalid capture index %2"),
            (b"abc", b"b", b"%x", None, b"Einvalid use of '%' in replacement string"),
            (b"abc", b"b", b"%", None, b"Einvalid use of '%' in replacement string"),
            (b"abc", b"(b)(", b"x", None, b"s3:axc,i1"),
            (b"abc", b"(b)(", b"%2", None, b"Eunfinished capture"),
            (b"abc", b"x", b"%2", None, b"s3:abc,i0"),
            (b"ab ab", b"%f[a]", b"|", None, b"s7:|ab |ab,i2"),
            (b"hello world from Lua", b"(%w+)%s*(%w+)", b"%2 %1", None, b"s20:world hello Lua from,i2"),
            (b"abc", b"%w", b"%0%0", Some(2), b"s5:aabbc,i2"),
            (b"a,b,,c", b",", b";", None, b"s6:a;b;;c,i3"),
            (b"x^2", b"%^", b"**", None, b"s4:x**2,i1"),
            (b"  trim  ", b"^%s*(.-)%s*$", b"%1", None, b"s4:trim,i1"),
            (b"abc", b"$", b"!", None, b"s4:abc!,i1"),
            (b"abc", b"%f[%z]", b"!", None, b"s4:abc!,i1"),
            (b"", b"", b"x", None, b"s1:x,i1"),
            (b"", b"x*", b"y", None, b"s1:y,i1"),
        ];
        for &(src, pat, repl, max_n, want) in cases {
            let got = lua_gsub(src, pat, repl, max_n);
            assert_eq!(
                show(&got),
                show(want),
                "gsub {:?} {:?} {:?}",
                show(src),
                show(pat),
                show(repl)
            );
        }
    }

    #[test]
    fn gsub_closure_keep_and_changed() {
        let src = b"one two three";
        let mut out = Vec::new();
        let r = gsub(src, b"%a+", i64::MAX, &mut out, |m, out| {
            let word = &src[m.start..m.end];
            if word == b"two" {
                Ok::<bool, PatternError>(false)
            } else {
                out.extend_from_slice(&word.to_ascii_uppercase());
                Ok(true)
            }
        })
        .unwrap();
        assert_eq!(out, b"ONE two THREE");
        assert_eq!(
            r,
            GsubOutcome {
                count: 3,
                changed: true
            }
        );

        let mut out = Vec::new();
        let r = gsub(src, b"%a+", 2, &mut out, |_, _| {
            Ok::<bool, PatternError>(false)
        })
        .unwrap();
        assert_eq!(out, src);
        assert_eq!(
            r,
            GsubOutcome {
                count: 2,
                changed: false
            }
        );

        // Errors of the closure pass through unchanged.
        #[derive(Debug, PartialEq)]
        enum GlueError {
            Pattern(PatternError),
            Boom,
        }
        impl From<PatternError> for GlueError {
            fn from(e: PatternError) -> Self {
                GlueError::Pattern(e)
            }
        }
        let mut out = Vec::new();
        let r = gsub(src, b"t", i64::MAX, &mut out, |_, _| Err(GlueError::Boom));
        assert_eq!(r, Err(GlueError::Boom));
        let r = gsub(src, b"t%", i64::MAX, &mut out, |_, _| Ok(true));
        assert_eq!(r, Err(GlueError::Pattern(PatternError::EndsWithEscape)));
    }

    #[test]
    fn gmatch_init_and_empty_matches() {
        let collect = |src: &[u8], pat: &[u8], init: usize| {
            let mut st = GmatchState::new(src.len(), init);
            let mut v = Vec::new();
            while let Some(m) = st.next(src, pat).unwrap() {
                v.push((m.start, m.end));
            }
            v
        };
        assert_eq!(collect(b"abc", b".", 1), vec![(1, 2), (2, 3)]);
        assert_eq!(collect(b"abc", b"", 10), vec![]);
        assert_eq!(collect(b"abc", b"", 3), vec![(3, 3)]);
        assert_eq!(collect(b"abc", b"a*", 0), vec![(0, 1), (2, 2), (3, 3)]);
        // '^' is not an anchor for gmatch.
        assert_eq!(collect(b"^a^a", b"^a", 0), vec![(0, 2), (2, 4)]);
        // Exhausted iterators stay exhausted.
        let mut st = GmatchState::new(3, 0);
        while st.next(b"abc", b"b").unwrap().is_some() {}
        assert!(st.next(b"abc", b"b").unwrap().is_none());
    }

    #[test]
    fn recursion_is_bounded_like_puc() {
        // lua5.4: ("a?"):rep(k) against ("a"):rep(k) first fails at k = 200; same for "a-".
        for (piece, k, ok) in [
            ("a?", 199, true),
            ("a?", 200, false),
            ("a-", 199, true),
            ("a-", 200, false),
        ] {
            let src = "a".repeat(k);
            let mut pat = piece.repeat(k);
            if piece == "a-" {
                pat.push('$');
            }
            let r = find(src.as_bytes(), pat.as_bytes(), 0);
            if ok {
                assert!(r.unwrap().is_some());
            } else {
                assert_eq!(r.unwrap_err(), PatternError::TooComplex);
            }
        }
        // Deep patterns cannot overflow the stack whatever their shape.
        let deep = "(".repeat(10000) + &")".repeat(10000);
        assert_eq!(
            find(b"x", deep.as_bytes(), 0).unwrap_err(),
            PatternError::TooManyCaptures
        );
        let deep = "a?".repeat(100000);
        assert_eq!(
            find(&[b'a'; 1000], deep.as_bytes(), 0).unwrap_err(),
            PatternError::TooComplex
        );
        // Long subjects with simple repetitions iterate instead of recursing.
        let long = vec![b'a'; 1_000_000];
        let m = find(&long, b"^a*$", 0).unwrap().unwrap();
        assert_eq!((m.start, m.end), (0, 1_000_000));
        let m = find(&long, b"(a+)", 0).unwrap().unwrap();
        assert_eq!(
            m.capture(0).unwrap(),
            Capture::Substring {
                start: 0,
                end: 1_000_000
            }
        );
    }

    #[test]
    fn capture_limits() {
        let src = [b'a'; 40];
        let m = find(&src, "()".repeat(32).as_bytes(), 0).unwrap().unwrap();
        assert_eq!(m.capture_count(), 32);
        assert_eq!(m.capture(31).unwrap(), Capture::Position(1));
        assert_eq!(
            m.capture(32).unwrap_err(),
            PatternError::InvalidCaptureIndex(33)
        );
        assert_eq!(
            find(&src, "()".repeat(33).as_bytes(), 0).unwrap_err(),
            PatternError::TooManyCaptures
        );
        assert_eq!(
            find(&src, "(a)".repeat(33).as_bytes(), 0).unwrap_err(),
            PatternError::TooManyCaptures
        );
        // A back-reference to a position capture never matches.
        assert!(find(b"abc", b"()%1", 0).unwrap().is_none());
        let m = find(b"abc", b"(x*)%1", 0).unwrap().unwrap();
        assert_eq!((m.start, m.end), (0, 0));
    }

    #[test]
    fn specials_and_plain_find() {
        assert!(!has_specials(b"abc)]"));
        for &c in SPECIALS {
            assert!(has_specials(&[b'x', c]));
        }
        assert_eq!(find_plain(b"hello", b"l", 0), Some(2));
        assert_eq!(find_plain(b"hello", b"lo", 0), Some(3));
        assert_eq!(find_plain(b"hello", b"", 5), Some(5));
        assert_eq!(find_plain(b"hello", b"", 6), None);
        assert_eq!(find_plain(b"hello", b"hello!", 0), None);
        assert_eq!(find_plain(b"aab", b"ab", 0), Some(1));
        assert_eq!(find_plain(b"a\0b", b"\0b", 0), Some(1));
    }

    #[test]
    fn error_messages() {
        let msg = |pat: &[u8]| find(b"abc", pat, 0).unwrap_err().message();
        assert_eq!(msg(b"%"), "malformed pattern (ends with '%')");
        assert_eq!(msg(b"[a"), "malformed pattern (missing ']')");
        assert_eq!(msg(b"%fa"), "missing '[' after '%f' in pattern");
        assert_eq!(msg(b"%b"), "malformed pattern (missing arguments to '%b')");
        assert_eq!(msg(b"%1"), "invalid capture index %1");
        assert_eq!(msg(b"%0"), "invalid capture index %0");
        assert_eq!(msg(b")"), "invalid pattern capture");
        let m = find(b"abc", b"(a", 0).unwrap().unwrap();
        assert_eq!(m.values(false).unwrap_err().message(), "unfinished capture");
        assert_eq!(
            PatternError::TooManyCaptures.to_string(),
            "too many captures"
        );
        assert_eq!(PatternError::TooComplex.to_string(), "pattern too complex");
        assert_eq!(
            PatternError::InvalidReplacementEscape.to_string(),
            "invalid use of '%' in replacement string"
        );
    }
}
