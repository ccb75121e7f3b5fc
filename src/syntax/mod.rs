//! Lua 5.4 source → AST: the lexer (§3.1), the parser (§3 and the grammar of
//! §9) and the shared error type.
//!
//! Entry points: [`parse`] / [`parse_with`] turn a chunk into the
//! [`ast::FuncBody`] of its main function; [`numeral::str2number`] is Lua's
//! string→number conversion, shared with the runtime; [`chunk_id`] formats a
//! chunk name for messages.
//!
//! Invariants: no input makes this module panic or overflow the native stack
//! (nesting is bounded like PUC's C-stack limit); every error message is
//! byte-for-byte PUC Lua 5.4's (with invalid UTF-8 replaced, since
//! [`SyntaxError::message`] is a `String`).
//!
//! This module knows nothing of the VM; it depends only on `std`.

pub mod ast;
pub mod lexer;
pub mod numeral;
pub mod parser;
mod scope;
pub mod token;

#[cfg(test)]
mod tests;

use std::fmt;

/// A lexical or syntax error, with PUC Lua 5.4's complete message, e.g.
/// `input:3: 'end' expected (to close 'if' at line 1) near <eof>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The full message: `<chunkid>:<line>: <msg>[ near <token>]`, or a bare
    /// `C stack overflow` when nesting exceeds the limit (as PUC reports it).
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Builds `chunkid:line: msg near X` (`near` already quoted, or `None`).
pub(crate) fn format_error(
    chunkid: &str,
    line: u32,
    msg: &[u8],
    near: Option<&[u8]>,
) -> SyntaxError {
    let mut text = Vec::with_capacity(chunkid.len() + msg.len() + 32);
    text.extend_from_slice(chunkid.as_bytes());
    text.extend_from_slice(format!(":{line}: ").as_bytes());
    text.extend_from_slice(msg);
    if let Some(near) = near {
        text.extend_from_slice(b" near ");
        text.extend_from_slice(near);
    }
    SyntaxError {
        message: String::from_utf8_lossy(&text).into_owned(),
    }
}

/// Parses a whole chunk (§3.3.2) into its main function: a vararg `FuncBody`
/// without parameters whose `line` and `end_line` are 0. `chunkname` is the
/// chunk's source name (`"@file"`, `"=name"` or the source text itself, as
/// given to `load`); messages show it through [`chunk_id`].
///
/// Errors: the first lexical, syntax or scoping error (see [`SyntaxError`]).
pub fn parse(source: &[u8], chunkname: &str) -> Result<ast::FuncBody, SyntaxError> {
    parse_with(source, chunkname, false)
}

/// Like [`parse`]; if `skip_shebang` is true and the source starts with `#`,
/// its first line is ignored (its line break is kept, so line numbers do not
/// change), as `luaL_loadfile` does for script files.
pub fn parse_with(
    source: &[u8],
    chunkname: &str,
    skip_shebang: bool,
) -> Result<ast::FuncBody, SyntaxError> {
    let mut lexer = lexer::Lexer::new(source, chunk_id(chunkname));
    if skip_shebang {
        lexer.skip_first_line_comment();
    }
    parser::Parser::new(lexer)?.parse_chunk()
}

/// The maximum length of a chunk id, including PUC's terminating NUL
/// (`LUA_IDSIZE`).
const ID_SIZE: usize = 60;

/// Formats a chunk name for messages, following PUC's `luaO_chunkid` with
/// `LUA_IDSIZE` 60:
/// - `"=name"` → `name`, cut to 59 bytes;
/// - `"@file"` → `file`, or `...` and its last 56 bytes if longer than 59;
/// - anything else is source text → `[string "first line"]`, with `...` added
///   when the text has several lines or is cut (to 45 bytes).
pub fn chunk_id(source: &str) -> String {
    let src = source.as_bytes();
    // PUC works on C strings: an embedded NUL ends the name.
    let src = &src[..src.iter().position(|&c| c == 0).unwrap_or(src.len())];
    let out: Vec<u8> = match src.first() {
        Some(b'=') => src[1..].iter().take(ID_SIZE - 1).copied().collect(),
        Some(b'@') => {
            if src.len() <= ID_SIZE {
                src[1..].to_vec()
            } else {
                let keep = ID_SIZE - 1 - 3;
                let mut v = b"...".to_vec();
                v.extend_from_slice(&src[src.len() - keep..]);
                v
            }
        }
        _ => {
            let room = ID_SIZE - "[string \"...\"]".len() - 1;
            let newline = src.iter().position(|&c| c == b'\n');
            let mut v = b"[string \"".to_vec();
            if src.len() < room && newline.is_none() {
                v.extend_from_slice(src);
            } else {
                let len = newline.unwrap_or(src.len()).min(room);
                v.extend_from_slice(&src[..len]);
                v.extend_from_slice(b"...");
            }
            v.extend_from_slice(b"\"]");
            v
        }
    };
    String::from_utf8_lossy(&out).into_owned()
}
