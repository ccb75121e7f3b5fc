//! Scope bookkeeping done while parsing, so that the scoping errors PUC Lua's
//! one-pass compiler raises come out with the same text and line:
//! - `too many local variables (limit is 200) in ...` (§3.5, `MAXVARS`);
//! - `attempt to assign to const variable 'x'` (§3.3.7);
//! - `label 'x' already defined on line N`, `<goto x> at line N jumps into
//!   the scope of local 'y'`, `no visible label 'x' for <goto> at line N`,
//!   `break outside loop at line N` (§3.3.4).
//!
//! It mirrors PUC's `Dyndata`: one stack of variable descriptions shared by
//! all open functions, the visible labels and the pending gotos (forward
//! jumps, and `break`s, which are gotos to an implicit label at the end of the
//! enclosing loop), with PUC's limits (200 locals per function, 32767 labels
//! or pending gotos). Labels are indexed by name and pending gotos are kept
//! per block and per name, so each goto is handled in O(log n) per block it
//! leaves; `<const>` checks scan the visible locals (≤ 200 per function) only
//! when some read-only local exists.
//!
//! Invariants: calls come in the order PUC's parser makes them (the parser
//! calls `open_func`/`close_func` and `enter_block`/`leave_block` in pairs);
//! variables beyond a function's `nactvar` are declared but not yet visible.
//! Depends on nothing else in the crate; errors are returned as
//! [`ScopeError`] and formatted by the parser.

use std::collections::{BTreeMap, HashMap};

/// Maximum number of local variables per function (PUC's `MAXVARS`).
pub const MAX_VARS: usize = 200;

/// Maximum number of visible labels, and of pending gotos, over all open
/// functions (PUC's `SHRT_MAX` bound on its label lists).
pub const MAX_LABELS: usize = 32767;

/// An error found by the scope checks; the parser adds position information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeError {
    /// A limit error, reported with "near <token>".
    Near(String),
    /// A semantic error, reported without a "near" part.
    Sem(String),
    /// A memory-limit error, reported without position (PUC raises it as a
    /// runtime error of `load`).
    Bare(String),
}

/// A declared local variable.
#[derive(Debug)]
struct VarDesc {
    name: String,
    /// `<const>` or `<close>`: assignments are errors.
    readonly: bool,
}

/// A visible label.
#[derive(Debug)]
struct LabelDesc {
    name: String,
    line: u32,
}

/// A goto (or break) waiting for its label.
#[derive(Debug)]
struct PendingGoto {
    line: u32,
    /// Number of active variables at the goto, lowered to a block's level
    /// when it moves out of that block.
    nactvar: usize,
    /// Creation order, to report the first unresolved goto.
    seq: u64,
}

#[derive(Debug, Default)]
struct BlockDesc {
    /// Active variables when the block was entered.
    nactvar: usize,
    first_label: usize,
    is_loop: bool,
    /// Pending gotos made in this block or moved out of inner ones, by label
    /// name, each list in creation order.
    gotos: BTreeMap<String, Vec<PendingGoto>>,
    /// Pending `break`s, likewise.
    breaks: Vec<PendingGoto>,
}

#[derive(Debug)]
struct FuncDesc {
    /// Index of the function's first variable in `vars`.
    first_local: usize,
    /// Number of its variables currently visible.
    nactvar: usize,
    /// Index of the function's first label in `labels`.
    first_label: usize,
    /// Index of the function's outermost block in `blocks`.
    first_block: usize,
    /// `linedefined`, for limit messages (0 = main function).
    line: u32,
}

/// The scope state of all open functions.
#[derive(Debug, Default)]
pub struct Scopes {
    vars: Vec<VarDesc>,
    funcs: Vec<FuncDesc>,
    blocks: Vec<BlockDesc>,
    /// Visible labels of all open functions.
    labels: Vec<LabelDesc>,
    /// For each label name, the indices in `labels` holding it (ascending).
    label_index: HashMap<String, Vec<usize>>,
    /// Pending gotos and breaks over all open functions.
    pending: usize,
    next_seq: u64,
    /// How many declared variables are read-only (skip searches when 0).
    readonly_count: usize,
}

fn too_many_labels() -> ScopeError {
    ScopeError::Bare(format!("too many labels/gotos (limit is {MAX_LABELS})"))
}

impl Scopes {
    /// Starts a function defined at `line` (0 for the main chunk) and its
    /// outermost block.
    pub fn open_func(&mut self, line: u32) {
        self.funcs.push(FuncDesc {
            first_local: self.vars.len(),
            nactvar: 0,
            first_label: self.labels.len(),
            first_block: self.blocks.len(),
            line,
        });
        self.enter_block(false);
    }

    /// Ends the current function; errors if a goto or break is unresolved.
    pub fn close_func(&mut self) -> Result<(), ScopeError> {
        let result = self.leave_block();
        self.funcs.pop();
        result
    }

    fn func(&self) -> Option<&FuncDesc> {
        self.funcs.last()
    }

    fn nactvar(&self) -> usize {
        self.func().map_or(0, |f| f.nactvar)
    }

    /// Enters a block; `is_loop` blocks are the targets of `break`.
    pub fn enter_block(&mut self, is_loop: bool) {
        self.blocks.push(BlockDesc {
            nactvar: self.nactvar(),
            first_label: self.labels.len(),
            is_loop,
            ..BlockDesc::default()
        });
    }

    /// Leaves a block: its variables and labels go out of scope, pending
    /// `break`s of a loop are resolved, other pending gotos move to the
    /// enclosing block, or are errors at a function's outermost block.
    pub fn leave_block(&mut self) -> Result<(), ScopeError> {
        let Some(mut bl) = self.blocks.pop() else {
            return Ok(());
        };
        self.remove_vars(bl.nactvar);
        if bl.is_loop {
            // PUC declares an implicit "break" label here, which counts.
            if self.labels.len() >= MAX_LABELS {
                return Err(too_many_labels());
            }
            self.pending -= bl.breaks.len();
            bl.breaks.clear();
        }
        self.truncate_labels(bl.first_label);
        let outermost = self
            .func()
            .is_none_or(|f| f.first_block == self.blocks.len());
        if !outermost {
            if let Some(parent) = self.blocks.last_mut() {
                for (name, list) in bl.gotos {
                    let level = bl.nactvar;
                    let dst = parent.gotos.entry(name).or_default();
                    dst.extend(list.into_iter().map(|g| PendingGoto {
                        nactvar: level,
                        ..g
                    }));
                }
                parent.breaks.append(&mut bl.breaks);
            }
            return Ok(());
        }
        // The first unresolved goto or break, in creation order.
        let first_goto = bl
            .gotos
            .iter()
            .filter_map(|(name, list)| list.first().map(|g| (g.seq, g.line, Some(name))))
            .chain(bl.breaks.first().map(|g| (g.seq, g.line, None)))
            .min();
        match first_goto {
            None => Ok(()),
            Some((_, line, None)) => Err(ScopeError::Sem(format!(
                "break outside loop at line {line}"
            ))),
            Some((_, line, Some(name))) => Err(ScopeError::Sem(format!(
                "no visible label '{name}' for <goto> at line {line}"
            ))),
        }
    }

    /// Drops the labels from index `len` on.
    fn truncate_labels(&mut self, len: usize) {
        while self.labels.len() > len {
            let Some(label) = self.labels.pop() else {
                break;
            };
            if let Some(indices) = self.label_index.get_mut(&label.name) {
                indices.pop();
            }
        }
    }

    /// Drops the variables of the current function beyond the first `level`.
    fn remove_vars(&mut self, level: usize) {
        let Some(f) = self.funcs.last_mut() else {
            return;
        };
        f.nactvar = level;
        let keep = f.first_local + level;
        for v in &self.vars[keep.min(self.vars.len())..] {
            if v.readonly {
                self.readonly_count -= 1;
            }
        }
        self.vars.truncate(keep);
    }

    /// Declares a (not yet visible) local variable; errors past 200 locals.
    pub fn new_local(&mut self, name: &str, readonly: bool) -> Result<(), ScopeError> {
        let Some(f) = self.func() else { return Ok(()) };
        if self.vars.len() + 1 - f.first_local > MAX_VARS {
            let place = if f.line == 0 {
                "main function".to_string()
            } else {
                format!("function at line {}", f.line)
            };
            return Err(ScopeError::Near(format!(
                "too many local variables (limit is {MAX_VARS}) in {place}"
            )));
        }
        self.vars.push(VarDesc {
            name: name.to_string(),
            readonly,
        });
        if readonly {
            self.readonly_count += 1;
        }
        Ok(())
    }

    /// Marks the most recently declared variable read-only (its attribute is
    /// read after its name).
    pub fn set_last_readonly(&mut self) {
        if let Some(v) = self.vars.last_mut() {
            if !v.readonly {
                v.readonly = true;
                self.readonly_count += 1;
            }
        }
    }

    /// Makes the next `n` declared variables visible.
    pub fn activate(&mut self, n: usize) {
        if let Some(f) = self.funcs.last_mut() {
            f.nactvar += n;
        }
    }

    /// Errors if `name` is a visible read-only local of this or an enclosing
    /// function (an assignment to it).
    pub fn check_assign(&self, name: &str) -> Result<(), ScopeError> {
        if self.readonly_count == 0 {
            return Ok(());
        }
        for f in self.funcs.iter().rev() {
            let visible = &self.vars[f.first_local..f.first_local + f.nactvar];
            if let Some(v) = visible.iter().rev().find(|v| v.name == name) {
                if v.readonly {
                    return Err(ScopeError::Sem(format!(
                        "attempt to assign to const variable '{name}'"
                    )));
                }
                return Ok(());
            }
        }
        Ok(())
    }

    /// Line of the visible label `name` of the current function, if any.
    fn find_label(&self, name: &str) -> Option<u32> {
        let first = self.func().map_or(0, |f| f.first_label);
        let &i = self.label_index.get(name)?.last()?;
        (i >= first).then(|| self.labels[i].line)
    }

    /// Records a pending goto (`None` = break) in the current block.
    fn add_pending(&mut self, name: Option<&str>, line: u32) -> Result<(), ScopeError> {
        if self.pending >= MAX_LABELS {
            return Err(too_many_labels());
        }
        let goto = PendingGoto {
            line,
            nactvar: self.nactvar(),
            seq: self.next_seq,
        };
        let Some(bl) = self.blocks.last_mut() else {
            return Ok(());
        };
        match name {
            Some(name) => bl.gotos.entry(name.to_string()).or_default().push(goto),
            None => bl.breaks.push(goto),
        }
        self.next_seq += 1;
        self.pending += 1;
        Ok(())
    }

    /// A `goto name` whose name token is on `line`: a backward jump to a
    /// visible label is always valid; otherwise it waits for its label.
    pub fn goto(&mut self, name: &str, line: u32) -> Result<(), ScopeError> {
        if self.find_label(name).is_some() {
            return Ok(());
        }
        self.add_pending(Some(name), line)
    }

    /// A `break` on `line`: a goto to the end of the enclosing loop.
    pub fn break_stat(&mut self, line: u32) -> Result<(), ScopeError> {
        self.add_pending(None, line)
    }

    /// Errors if a label `name` is already visible.
    pub fn check_repeated(&self, name: &str) -> Result<(), ScopeError> {
        match self.find_label(name) {
            Some(line) => Err(ScopeError::Sem(format!(
                "label '{name}' already defined on line {line}"
            ))),
            None => Ok(()),
        }
    }

    /// Declares label `name` from `line`; `last` if only void statements
    /// follow it in its block (then the block's locals count as out of scope).
    /// Resolves pending gotos to it, and errors if one would jump into the
    /// scope of a local.
    pub fn create_label(&mut self, name: &str, line: u32, last: bool) -> Result<(), ScopeError> {
        if self.labels.len() >= MAX_LABELS {
            return Err(too_many_labels());
        }
        let nactvar = match self.blocks.last() {
            Some(b) if last => b.nactvar,
            _ => self.nactvar(),
        };
        self.label_index
            .entry(name.to_string())
            .or_default()
            .push(self.labels.len());
        self.labels.push(LabelDesc {
            name: name.to_string(),
            line,
        });
        let Some(resolved) = self.blocks.last_mut().and_then(|b| b.gotos.remove(name)) else {
            return Ok(());
        };
        if let Some(g) = resolved.iter().find(|g| g.nactvar < nactvar) {
            let first_local = self.func().map_or(0, |f| f.first_local);
            let var = self
                .vars
                .get(first_local + g.nactvar)
                .map_or("?", |v| v.name.as_str());
            return Err(ScopeError::Sem(format!(
                "<goto {name}> at line {} jumps into the scope of local '{var}'",
                g.line
            )));
        }
        self.pending -= resolved.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_goto_is_an_error_at_function_end() {
        let mut s = Scopes::default();
        s.open_func(0);
        s.goto("x", 3).unwrap();
        assert_eq!(
            s.close_func(),
            Err(ScopeError::Sem(
                "no visible label 'x' for <goto> at line 3".into()
            ))
        );
    }

    #[test]
    fn break_inside_loop_is_resolved() {
        let mut s = Scopes::default();
        s.open_func(0);
        s.enter_block(true);
        s.enter_block(false);
        s.break_stat(1).unwrap();
        assert_eq!(s.leave_block(), Ok(()));
        assert_eq!(s.leave_block(), Ok(()));
        assert_eq!(s.close_func(), Ok(()));
    }

    #[test]
    fn const_assignment_sees_enclosing_functions() {
        let mut s = Scopes::default();
        s.open_func(0);
        s.new_local("x", true).unwrap();
        s.activate(1);
        s.open_func(2);
        assert!(s.check_assign("x").is_err());
        s.new_local("x", false).unwrap();
        assert!(s.check_assign("x").is_err()); // the new one is not yet visible
        s.activate(1);
        assert!(s.check_assign("x").is_ok()); // shadowed
        assert!(s.close_func().is_ok());
        assert!(s.check_assign("y").is_ok());
    }

    #[test]
    fn local_limit() {
        let mut s = Scopes::default();
        s.open_func(7);
        for _ in 0..MAX_VARS {
            s.new_local("a", false).unwrap();
        }
        assert_eq!(
            s.new_local("a", false),
            Err(ScopeError::Near(
                "too many local variables (limit is 200) in function at line 7".into()
            ))
        );
    }
}
