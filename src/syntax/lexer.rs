//! The Lua 5.4 lexer (§3.1): turns source bytes into [`Token`]s on demand.
//!
//! The parser pulls one token at a time (plus one token of lookahead), exactly
//! like PUC Lua, so lexical errors surface in the same order relative to syntax
//! errors, and [`Lexer::line`] always equals PUC's `ls->linenumber`: the line
//! where the lexer stopped after the last token it read.
//!
//! Invariants:
//! - Lines are counted like PUC: `\n`, `\r`, `\r\n` and `\n\r` each end one
//!   line, in code, comments and strings alike.
//! - Error messages reproduce PUC's text, including the "near" part, which for
//!   strings shows the delimiter and the already-decoded characters.
//! - Never panics, never recurses; all errors are returned.
//!
//! Uses `syntax::numeral` for numerals and `syntax::token`.

use super::numeral::{str2number, Numeral};
use super::token::Token;
use super::SyntaxError;

/// A token with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Lexeme {
    pub token: Token,
    /// The lexer's line after reading the token: the line of the token's last
    /// character (only long strings span several lines).
    pub line: u32,
    /// Byte range of the token in the source.
    pub start: usize,
    pub end: usize,
}

/// The largest line number PUC accepts (`MAX_INT`); reaching it is an error.
const MAX_LINE: u32 = i32::MAX as u32;

/// Letters and `_` (C `isalpha` in the C locale, plus `_`).
fn is_alpha(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

/// Letters, digits and `_`.
fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// C `isspace` in the C locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `'text'` as PUC prints it with `%s`: cut at the first NUL byte.
pub(crate) fn quoted(text: &[u8]) -> Vec<u8> {
    let cut = text.iter().position(|&c| c == 0).unwrap_or(text.len());
    let mut out = Vec::with_capacity(cut + 2);
    out.push(b'\'');
    out.extend_from_slice(&text[..cut]);
    out.push(b'\'');
    out
}

/// Appends the extended UTF-8 encoding of `x` (at most 0x7FFFFFFF, up to 6
/// bytes), as Lua's `\u{XXX}` escape does (§3.1).
fn push_utf8(out: &mut Vec<u8>, x: u32) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    // Fill continuation bytes from the end; each one leaves one bit less
    // room in the first byte, whose top bits mark the sequence length.
    let mut buf = [0u8; 6];
    let mut n = 0;
    let mut rest = x;
    let mut first_max: u32 = 0x3f;
    loop {
        buf[5 - n] = 0x80 | (rest & 0x3f) as u8;
        n += 1;
        rest >>= 6;
        first_max >>= 1;
        if rest <= first_max {
            break;
        }
    }
    buf[5 - n] = ((!first_max << 1) | rest) as u8;
    n += 1;
    out.extend_from_slice(&buf[6 - n..]);
}

/// An on-demand tokenizer over a source buffer.
pub struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: u32,
    chunkid: String,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `src`, line 1. `chunkid` is the chunk's name as
    /// shown in messages (see [`super::chunk_id`]).
    pub fn new(src: &'a [u8], chunkid: String) -> Self {
        Lexer {
            src,
            pos: 0,
            line: 1,
            chunkid,
        }
    }

    /// Skips a first line that starts with `#` (a Unix "shebang"), keeping its
    /// newline so that line numbers are unchanged (as `luaL_loadfile` does).
    pub fn skip_first_line_comment(&mut self) {
        if self.pos == 0 && self.src.first() == Some(&b'#') {
            self.pos = self
                .src
                .iter()
                .position(|&c| c == b'\n')
                .unwrap_or(self.src.len());
        }
    }

    /// The current line (PUC's `ls->linenumber`).
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The chunk name used in messages.
    pub fn chunkid(&self) -> &str {
        &self.chunkid
    }

    /// The source bytes.
    pub fn source(&self) -> &'a [u8] {
        self.src
    }

    /// An error `chunkid:line: msg near X`; `near` is already quoted as
    /// PUC does, or `None` for no "near" part.
    pub fn error(&self, msg: &str, near: Option<&[u8]>) -> SyntaxError {
        super::format_error(&self.chunkid, self.line, msg.as_bytes(), near)
    }

    /// PUC's `txtToken`: how a lexeme is shown after "near".
    pub fn near_text(&self, lx: &Lexeme) -> Vec<u8> {
        match &lx.token {
            Token::Name(_) | Token::Int(_) | Token::Float(_) => {
                quoted(self.src.get(lx.start..lx.end).unwrap_or(b""))
            }
            Token::String(content) => {
                // PUC's buffer holds the delimiters and the decoded content.
                let (open, close): (&[u8], Vec<u8>) = match self.src.get(lx.start) {
                    Some(b'[') => {
                        let level = self.src[lx.start + 1..]
                            .iter()
                            .take_while(|&&c| c == b'=')
                            .count();
                        let open = self.src.get(lx.start..lx.start + level + 2).unwrap_or(b"");
                        let mut close = vec![b']'];
                        close.extend(std::iter::repeat_n(b'=', level));
                        close.push(b']');
                        (open, close)
                    }
                    Some(&q) => (&self.src[lx.start..lx.start + 1], vec![q]),
                    None => (b"", Vec::new()),
                };
                let mut text = Vec::with_capacity(open.len() + content.len() + close.len());
                text.extend_from_slice(open);
                text.extend_from_slice(content);
                text.extend_from_slice(&close);
                quoted(&text)
            }
            other => other.describe().as_bytes().to_vec(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.src.get(self.pos + offset).copied()
    }

    fn at_newline(&self) -> bool {
        matches!(self.peek(), Some(b'\n' | b'\r'))
    }

    /// Skips one line break (`\n`, `\r`, `\n\r` or `\r\n`) and counts it.
    fn inc_line(&mut self) -> Result<(), SyntaxError> {
        let old = self.peek();
        self.pos += 1;
        if self.at_newline() && self.peek() != old {
            self.pos += 1;
        }
        self.line += 1;
        if self.line >= MAX_LINE {
            return Err(self.error("chunk has too many lines", None));
        }
        Ok(())
    }

    /// Reads the next token, skipping whitespace and comments.
    pub fn next_token(&mut self) -> Result<Lexeme, SyntaxError> {
        loop {
            let start = self.pos;
            let Some(c) = self.peek() else {
                return Ok(self.lexeme(Token::Eof, start));
            };
            let token = match c {
                b'\n' | b'\r' => {
                    self.inc_line()?;
                    continue;
                }
                b' ' | b'\t' | 0x0b | 0x0c => {
                    self.pos += 1;
                    continue;
                }
                b'-' => {
                    if self.peek_at(1) != Some(b'-') {
                        self.pos += 1;
                        Token::Char(b'-')
                    } else {
                        self.pos += 2;
                        self.skip_comment()?;
                        continue;
                    }
                }
                b'[' => {
                    let sep = self.skip_sep();
                    if sep >= 2 {
                        Token::String(self.read_long_string(sep, true)?)
                    } else if sep == 0 {
                        let text = quoted(&self.src[start..self.pos]);
                        return Err(self.error("invalid long string delimiter", Some(&text)));
                    } else {
                        Token::Char(b'[')
                    }
                }
                b'=' => self.one_or_two(b'=', Token::Eq, b'='),
                b'<' => match self.peek_at(1) {
                    Some(b'=') => self.take(2, Token::Le),
                    Some(b'<') => self.take(2, Token::Shl),
                    _ => self.take(1, Token::Char(b'<')),
                },
                b'>' => match self.peek_at(1) {
                    Some(b'=') => self.take(2, Token::Ge),
                    Some(b'>') => self.take(2, Token::Shr),
                    _ => self.take(1, Token::Char(b'>')),
                },
                b'/' => self.one_or_two(b'/', Token::IDiv, b'/'),
                b'~' => self.one_or_two(b'=', Token::Ne, b'~'),
                b':' => self.one_or_two(b':', Token::DbColon, b':'),
                b'"' | b'\'' => Token::String(self.read_string(c)?),
                b'.' => match (self.peek_at(1), self.peek_at(2)) {
                    (Some(b'.'), Some(b'.')) => self.take(3, Token::Dots),
                    (Some(b'.'), _) => self.take(2, Token::Concat),
                    (Some(d), _) if d.is_ascii_digit() => {
                        self.pos += 1;
                        self.read_numeral(start)?
                    }
                    _ => self.take(1, Token::Char(b'.')),
                },
                b'0'..=b'9' => self.read_numeral(start)?,
                c if is_alpha(c) => {
                    while self.peek().is_some_and(is_alnum) {
                        self.pos += 1;
                    }
                    let word = &self.src[start..self.pos];
                    match Token::keyword(word) {
                        Some(k) => k,
                        // Identifiers are ASCII, so this conversion is lossless.
                        None => Token::Name(String::from_utf8_lossy(word).into_owned()),
                    }
                }
                c => self.take(1, Token::Char(c)),
            };
            return Ok(self.lexeme(token, start));
        }
    }

    fn lexeme(&self, token: Token, start: usize) -> Lexeme {
        Lexeme {
            token,
            line: self.line,
            start,
            end: self.pos,
        }
    }

    fn take(&mut self, n: usize, token: Token) -> Token {
        self.pos += n;
        token
    }

    /// `c` followed by `second` is `two`, else the single byte `c`.
    fn one_or_two(&mut self, second: u8, two: Token, c: u8) -> Token {
        if self.peek_at(1) == Some(second) {
            self.take(2, two)
        } else {
            self.take(1, Token::Char(c))
        }
    }

    /// Skips a comment; the `--` has been consumed.
    fn skip_comment(&mut self) -> Result<(), SyntaxError> {
        if self.peek() == Some(b'[') {
            let sep = self.skip_sep();
            if sep >= 2 {
                self.read_long_string(sep, false)?;
                return Ok(());
            }
            // Otherwise a short comment that happens to start with '['.
        }
        while let Some(c) = self.peek() {
            if c == b'\n' || c == b'\r' {
                break;
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// At a `[` or `]`: skips it and any `=` signs. Returns the level + 2 if
    /// the same bracket follows (a long bracket), 1 for a lone bracket and 0
    /// for a bracket and `=` signs not followed by the bracket. The final
    /// bracket is not consumed.
    fn skip_sep(&mut self) -> usize {
        let s = self.peek();
        self.pos += 1;
        let mut count = 0;
        while self.peek() == Some(b'=') {
            self.pos += 1;
            count += 1;
        }
        if self.peek() == s {
            count + 2
        } else if count == 0 {
            1
        } else {
            0
        }
    }

    /// Reads a long string or comment whose opening bracket (of `sep - 2`
    /// equal signs) has been read up to its second `[`. The first newline is
    /// skipped and every line break becomes `\n`. Returns the content (empty
    /// for comments).
    fn read_long_string(&mut self, sep: usize, keep: bool) -> Result<Vec<u8>, SyntaxError> {
        let start_line = self.line;
        self.pos += 1; // the second '['
        if self.at_newline() {
            self.inc_line()?;
        }
        let mut content = Vec::new();
        let mut seg = self.pos; // start of the not yet copied run
        loop {
            let Some(c) = self.peek() else {
                let what = if keep { "string" } else { "comment" };
                let msg = format!("unfinished long {what} (starting at line {start_line})");
                return Err(self.error(&msg, Some(b"<eof>")));
            };
            match c {
                b']' => {
                    let bracket = self.pos;
                    if self.skip_sep() == sep {
                        if keep {
                            content.extend_from_slice(&self.src[seg..bracket]);
                        }
                        self.pos += 1; // the second ']'
                        return Ok(content);
                    }
                }
                b'\n' | b'\r' => {
                    if keep {
                        content.extend_from_slice(&self.src[seg..self.pos]);
                        content.push(b'\n');
                    }
                    self.inc_line()?;
                    seg = self.pos;
                }
                _ => self.pos += 1,
            }
        }
    }

    /// The error for a bad escape: PUC shows the delimiter, the decoded text so
    /// far, the raw escape from its backslash and the current character.
    fn escape_error(&self, delim: u8, content: &[u8], backslash: usize, msg: &str) -> SyntaxError {
        let raw_end = (self.pos + 1).min(self.src.len());
        let mut text = vec![delim];
        text.extend_from_slice(content);
        text.extend_from_slice(&self.src[backslash..raw_end]);
        self.error(msg, Some(&quoted(&text)))
    }

    /// The current byte as a hex digit, or the escape error.
    fn hex_digit(&self, delim: u8, content: &[u8], backslash: usize) -> Result<u32, SyntaxError> {
        match self.peek().and_then(|c| (c as char).to_digit(16)) {
            Some(d) => Ok(d),
            None => Err(self.escape_error(delim, content, backslash, "hexadecimal digit expected")),
        }
    }

    /// Reads a short string delimited by `delim` (§3.1), decoding escapes.
    fn read_string(&mut self, delim: u8) -> Result<Vec<u8>, SyntaxError> {
        self.pos += 1; // opening delimiter
        let mut content = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("unfinished string", Some(b"<eof>")));
            };
            if c == delim {
                self.pos += 1;
                return Ok(content);
            }
            match c {
                b'\n' | b'\r' => {
                    let mut text = vec![delim];
                    text.extend_from_slice(&content);
                    return Err(self.error("unfinished string", Some(&quoted(&text))));
                }
                b'\\' => self.read_escape(delim, &mut content)?,
                _ => {
                    let run = self.pos;
                    while let Some(c) = self.peek() {
                        if c == delim || c == b'\\' || c == b'\n' || c == b'\r' {
                            break;
                        }
                        self.pos += 1;
                    }
                    content.extend_from_slice(&self.src[run..self.pos]);
                }
            }
        }
    }

    /// Decodes one escape sequence at a backslash inside a short string.
    fn read_escape(&mut self, delim: u8, content: &mut Vec<u8>) -> Result<(), SyntaxError> {
        let backslash = self.pos;
        self.pos += 1;
        let Some(c) = self.peek() else {
            return Ok(()); // the caller reports the unfinished string
        };
        let simple = match c {
            b'a' => Some(7),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(11),
            b'\\' | b'"' | b'\'' => Some(c),
            _ => None,
        };
        if let Some(byte) = simple {
            self.pos += 1;
            content.push(byte);
            return Ok(());
        }
        match c {
            b'x' => {
                self.pos += 1;
                let hi = self.hex_digit(delim, content, backslash)?;
                self.pos += 1;
                let lo = self.hex_digit(delim, content, backslash)?;
                self.pos += 1;
                content.push((hi * 16 + lo) as u8);
            }
            b'u' => {
                self.pos += 1;
                if self.peek() != Some(b'{') {
                    return Err(self.escape_error(delim, content, backslash, "missing '{'"));
                }
                self.pos += 1;
                let mut value = self.hex_digit(delim, content, backslash)?;
                self.pos += 1;
                while let Some(d) = self.peek().and_then(|c| (c as char).to_digit(16)) {
                    if value > (0x7FFF_FFFF >> 4) {
                        return Err(self.escape_error(
                            delim,
                            content,
                            backslash,
                            "UTF-8 value too large",
                        ));
                    }
                    value = (value << 4) | d;
                    self.pos += 1;
                }
                if self.peek() != Some(b'}') {
                    return Err(self.escape_error(delim, content, backslash, "missing '}'"));
                }
                self.pos += 1;
                push_utf8(content, value);
            }
            b'\n' | b'\r' => {
                self.inc_line()?;
                content.push(b'\n');
            }
            b'z' => {
                self.pos += 1;
                while let Some(c) = self.peek() {
                    if !is_space(c) {
                        break;
                    }
                    if c == b'\n' || c == b'\r' {
                        self.inc_line()?;
                    } else {
                        self.pos += 1;
                    }
                }
            }
            b'0'..=b'9' => {
                let mut value: u32 = 0;
                let mut n = 0;
                while n < 3 {
                    match self.peek() {
                        Some(d) if d.is_ascii_digit() => {
                            value = value * 10 + u32::from(d - b'0');
                            self.pos += 1;
                            n += 1;
                        }
                        _ => break,
                    }
                }
                if value > 255 {
                    return Err(self.escape_error(
                        delim,
                        content,
                        backslash,
                        "decimal escape too large",
                    ));
                }
                content.push(value as u8);
            }
            _ => {
                return Err(self.escape_error(
                    delim,
                    content,
                    backslash,
                    "invalid escape sequence",
                ));
            }
        }
        Ok(())
    }

    /// Reads a numeral whose text starts at `start`; the current byte is its
    /// first digit. Like PUC it reads greedily (hex digits, dots, exponent
    /// marks with their sign, and one touching letter) and then converts the
    /// whole text, so `3x` or `1..2` are malformed numbers.
    fn read_numeral(&mut self, start: usize) -> Result<Token, SyntaxError> {
        let first = self.peek();
        self.pos += 1;
        let mut exp_marks: [u8; 2] = [b'e', b'E'];
        if first == Some(b'0') && matches!(self.peek(), Some(b'x' | b'X')) {
            self.pos += 1;
            exp_marks = [b'p', b'P'];
        }
        while let Some(c) = self.peek() {
            if c == exp_marks[0] || c == exp_marks[1] {
                self.pos += 1;
                if matches!(self.peek(), Some(b'+' | b'-')) {
                    self.pos += 1;
                }
            } else if c.is_ascii_hexdigit() || c == b'.' {
                self.pos += 1;
            } else {
                break;
            }
        }
        if self.peek().is_some_and(is_alpha) {
            self.pos += 1; // a numeral touching a letter is malformed
        }
        let text = &self.src[start..self.pos];
        match str2number(text) {
            Some(Numeral::Int(i)) => Ok(Token::Int(i)),
            Some(Numeral::Float(f)) => Ok(Token::Float(f)),
            None => Err(self.error("malformed number", Some(&quoted(text)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All tokens of `src` with their lines, or the error message.
    fn lex(src: &str) -> Result<Vec<(Token, u32)>, String> {
        lex_bytes(src.as_bytes())
    }

    fn lex_bytes(src: &[u8]) -> Result<Vec<(Token, u32)>, String> {
        let mut lx = Lexer::new(src, "input".to_string());
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().map_err(|e| e.message)?;
            if t.token == Token::Eof {
                out.push((Token::Eof, t.line));
                return Ok(out);
            }
            out.push((t.token, t.line));
        }
    }

    fn tokens(src: &str) -> Vec<Token> {
        lex(src).unwrap().into_iter().map(|(t, _)| t).collect()
    }

    fn string_of(src: &str) -> Vec<u8> {
        match tokens(src).as_slice() {
            [Token::String(s), Token::Eof] => s.clone(),
            other => panic!("{src:?} lexed as {other:?}"),
        }
    }

    fn err(src: &str) -> String {
        lex(src).unwrap_err()
    }

    #[test]
    fn symbols() {
        use Token::*;
        assert_eq!(
            tokens("// .. ... == >= <= ~= << >> :: ~ : < > = / . + - * % ^ # & | ( ) { } [ ] ; ,"),
            vec![
                IDiv,
                Concat,
                Dots,
                Eq,
                Ge,
                Le,
                Ne,
                Shl,
                Shr,
                DbColon,
                Char(b'~'),
                Char(b':'),
                Char(b'<'),
                Char(b'>'),
                Char(b'='),
                Char(b'/'),
                Char(b'.'),
                Char(b'+'),
                Char(b'-'),
                Char(b'*'),
                Char(b'%'),
                Char(b'^'),
                Char(b'#'),
                Char(b'&'),
                Char(b'|'),
                Char(b'('),
                Char(b')'),
                Char(b'{'),
                Char(b'}'),
                Char(b'['),
                Char(b']'),
                Char(b';'),
                Char(b','),
                Eof
            ]
        );
        assert_eq!(
            tokens("a....b"),
            vec![Name("a".into()), Dots, Char(b'.'), Name("b".into()), Eof]
        );
        assert_eq!(
            tokens("goto gotox _x1"),
            vec![Goto, Name("gotox".into()), Name("_x1".into()), Eof]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            string_of(r#""\a\b\f\n\r\t\v\\\"\'""#),
            b"\x07\x08\x0c\n\r\t\x0b\\\"'"
        );
        assert_eq!(string_of(r#"'\x41\x7a\xFF'"#), b"Az\xff");
        assert_eq!(string_of(r#""\65\0\255\0012""#), b"A\0\xff\x012");
        assert_eq!(string_of("\"a\\\nb\\\r\nc\""), b"a\nb\nc");
        assert_eq!(string_of("\"a\\z  \n\t  b\\zc\""), b"abc");
        assert_eq!(
            string_of(r#""\u{41}\u{e9}\u{20AC}\u{10FFFF}""#),
            "Aé€\u{10FFFF}".as_bytes()
        );
        assert_eq!(string_of(r#""\u{7FFFFFFF}""#), b"\xfd\xbf\xbf\xbf\xbf\xbf");
        assert_eq!(string_of(r#""\u{200000}""#), b"\xf8\x88\x80\x80\x80");
        assert_eq!(string_of(r#""\u{0000000041}""#), b"A");
        assert_eq!(string_of(r#""\u{80}""#), b"\xc2\x80");
    }

    #[test]
    fn long_brackets() {
        assert_eq!(string_of("[[abc]]"), b"abc");
        assert_eq!(string_of("[[\nabc]]"), b"abc");
        assert_eq!(string_of("[[\r\nabc]]"), b"abc");
        assert_eq!(string_of("[[\n\nabc]]"), b"\nabc");
        assert_eq!(string_of("[==[a]]b]=]c]==]"), b"a]]b]=]c");
        assert_eq!(string_of("[=[a\r\nb\n\rc\rd\ne]=]"), b"a\nb\nc\nd\ne");
        assert_eq!(string_of("[[a\\n]]"), b"a\\n");
        assert_eq!(
            tokens("--[==[ comment ]] ]==] x"),
            vec![Token::Name("x".into()), Token::Eof]
        );
        assert_eq!(
            tokens("--[=x\nx"),
            vec![Token::Name("x".into()), Token::Eof]
        );
        assert_eq!(
            tokens("--[ x\ny"),
            vec![Token::Name("y".into()), Token::Eof]
        );
        assert_eq!(tokens("x--"), vec![Token::Name("x".into()), Token::Eof]);
    }

    #[test]
    fn numerals() {
        use Token::*;
        assert_eq!(
            tokens("3 345 0xff 0xBEBADA 3.0 3.25 325e-2 0.325E1 34e1 0x0.1E 0xA23p-4 0X1.921FB54442D18P+1 .5"),
            vec![
                Int(3),
                Int(345),
                Int(255),
                Int(0xBEBADA),
                Float(3.0),
                Float(3.25),
                Float(3.25),
                Float(3.25),
                Float(340.0),
                Float(0.1171875),
                Float(162.1875),
                Float(std::f64::consts::PI),
                Float(0.5),
                Eof
            ]
        );
        assert_eq!(tokens("9223372036854775807"), vec![Int(i64::MAX), Eof]);
        assert_eq!(
            tokens("9223372036854775808"),
            vec![Float(9223372036854775808.0), Eof]
        );
        assert_eq!(tokens("0xffffffffffffffffff"), vec![Int(-1), Eof]);
        assert_eq!(tokens("0x1e+5"), vec![Int(0x1e), Char(b'+'), Int(5), Eof]);
        assert_eq!(tokens("1e+5"), vec![Float(1e5), Eof]);
        assert_eq!(
            tokens("a.b"),
            vec![Name("a".into()), Char(b'.'), Name("b".into()), Eof]
        );
        assert_eq!(tokens("1 ..2"), vec![Int(1), Concat, Int(2), Eof]);
        assert_eq!(err("x = 3x"), "input:1: malformed number near '3x'");
        assert_eq!(err("3xyz"), "input:1: malformed number near '3x'");
        assert_eq!(err("1..2"), "input:1: malformed number near '1..2'");
        assert_eq!(err("0x"), "input:1: malformed number near '0x'");
        assert_eq!(err("1e"), "input:1: malformed number near '1e'");
        assert_eq!(err("3.4.5"), "input:1: malformed number near '3.4.5'");
        assert_eq!(err(".0x1"), "input:1: malformed number near '.0x1'");
        assert_eq!(err("0xep1_"), "input:1: malformed number near '0xep1_'");
    }

    #[test]
    fn line_counting() {
        let lines: Vec<u32> =
            lex("a\nb\r\nc\n\rd\re\n\nf --[[x\ny]] g -- c\nh [[\n\n]] i 'a\\\nb' j")
                .unwrap()
                .into_iter()
                .map(|(_, l)| l)
                .collect();
        // a b c d e f g h [[..]] i 'a\nb' j <eof>
        assert_eq!(lines, vec![1, 2, 3, 4, 5, 7, 8, 9, 11, 11, 12, 12, 12]);
        let lines: Vec<u32> = lex("x\n\n\r\r\n\n\r\ny")
            .unwrap()
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(lines, vec![1, 6, 6]);
        let lines: Vec<u32> = lex("'\\z\n\n  '  x")
            .unwrap()
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(lines, vec![3, 3, 3]);
    }

    #[test]
    fn errors() {
        // Expected texts produced by lua5.4 (load(src, "=input")).
        assert_eq!(err("x = \"abc"), "input:1: unfinished string near <eof>");
        assert_eq!(
            err("x = \"abc\ny\""),
            "input:1: unfinished string near '\"abc'"
        );
        assert_eq!(
            err("x = \"\\q\""),
            "input:1: invalid escape sequence near '\"\\q'"
        );
        assert_eq!(
            err("x = \"\\256\""),
            "input:1: decimal escape too large near '\"\\256\"'"
        );
        assert_eq!(
            err("x = \"\\u{80000000}\""),
            "input:1: UTF-8 value too large near '\"\\u{80000000'"
        );
        assert_eq!(
            err("x = \"\\xg\""),
            "input:1: hexadecimal digit expected near '\"\\xg'"
        );
        assert_eq!(
            err("x = \"\\x5g\""),
            "input:1: hexadecimal digit expected near '\"\\x5g'"
        );
        assert_eq!(
            err("x = \"\\u{zz}\""),
            "input:1: hexadecimal digit expected near '\"\\u{z'"
        );
        assert_eq!(err("x = \"\\u123\""), "input:1: missing '{' near '\"\\u1'");
        assert_eq!(
            err("x = \"\\u{123\""),
            "input:1: missing '}' near '\"\\u{123\"'"
        );
        assert_eq!(
            err("x = 'a\\tb\\q"),
            "input:1: invalid escape sequence near ''a\tb\\q'"
        );
        assert_eq!(
            err("x = [[abc"),
            "input:1: unfinished long string (starting at line 1) near <eof>"
        );
        assert_eq!(
            err("x = [==[abc\n\n"),
            "input:3: unfinished long string (starting at line 1) near <eof>"
        );
        assert_eq!(
            err("--[[abc\n\n"),
            "input:3: unfinished long comment (starting at line 1) near <eof>"
        );
        assert_eq!(
            err("x = [=abc"),
            "input:1: invalid long string delimiter near '[='"
        );
        assert_eq!(err("x = 'abc\\"), "input:1: unfinished string near <eof>");
        assert_eq!(err("x = 'abc\\\n"), "input:2: unfinished string near <eof>");
        assert_eq!(
            err("x = '\\0\\q'"),
            "input:1: invalid escape sequence near '''"
        );
        assert_eq!(
            err("x = '\\x"),
            "input:1: hexadecimal digit expected near ''\\x'"
        );
    }

    #[test]
    fn non_utf8_bytes_pass_through_strings() {
        assert_eq!(
            lex_bytes(b"'\xff\xfe'").unwrap()[0].0,
            Token::String(vec![0xff, 0xfe])
        );
        assert_eq!(lex_bytes(b"\xff").unwrap()[0].0, Token::Char(0xff));
    }

    #[test]
    fn shebang() {
        let mut lx = Lexer::new(b"#!/usr/bin/lua\nx", "input".into());
        lx.skip_first_line_comment();
        let t = lx.next_token().unwrap();
        assert_eq!((t.token, t.line), (Token::Name("x".into()), 2));
    }
}
