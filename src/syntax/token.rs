//! The tokens of Lua 5.4 (§3.1) and their spelling in error messages.
//!
//! Punctuation and reserved words are payload-free variants (no allocation per
//! token); only names, strings and numerals carry data. [`Token::describe`]
//! gives PUC Lua's `luaX_token2str` text used in "`X` expected" messages.
//! Depends on nothing.

use std::borrow::Cow;

/// One lexical token.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    // Reserved words (§3.1).
    And,
    Break,
    Do,
    Else,
    ElseIf,
    End,
    False,
    For,
    Function,
    Goto,
    If,
    In,
    Local,
    Nil,
    Not,
    Or,
    Repeat,
    Return,
    Then,
    True,
    Until,
    While,
    // Multi-character symbols.
    /// `//`
    IDiv,
    /// `..`
    Concat,
    /// `...`
    Dots,
    /// `==`
    Eq,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `~=`
    Ne,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `::`
    DbColon,
    /// End of the source.
    Eof,
    /// A float numeral.
    Float(f64),
    /// An integer numeral.
    Int(i64),
    /// An identifier that is not a reserved word.
    Name(String),
    /// A string literal with its escapes decoded.
    String(Vec<u8>),
    /// Any other single byte: `+ - * / % ^ # & ~ | < > = ( ) { } [ ] ; : , .`
    /// and also bytes that start no valid token (the parser rejects them).
    Char(u8),
}

impl Token {
    /// The reserved word spelled by `word`, if any.
    pub fn keyword(word: &[u8]) -> Option<Token> {
        Some(match word {
            b"and" => Token::And,
            b"break" => Token::Break,
            b"do" => Token::Do,
            b"else" => Token::Else,
            b"elseif" => Token::ElseIf,
            b"end" => Token::End,
            b"false" => Token::False,
            b"for" => Token::For,
            b"function" => Token::Function,
            b"goto" => Token::Goto,
            b"if" => Token::If,
            b"in" => Token::In,
            b"local" => Token::Local,
            b"nil" => Token::Nil,
            b"not" => Token::Not,
            b"or" => Token::Or,
            b"repeat" => Token::Repeat,
            b"return" => Token::Return,
            b"then" => Token::Then,
            b"true" => Token::True,
            b"until" => Token::Until,
            b"while" => Token::While,
            _ => return None,
        })
    }

    /// The fixed spelling of a reserved word or multi-character symbol.
    fn fixed_text(&self) -> Option<&'static str> {
        Some(match self {
            Token::And => "and",
            Token::Break => "break",
            Token::Do => "do",
            Token::Else => "else",
            Token::ElseIf => "elseif",
            Token::End => "end",
            Token::False => "false",
            Token::For => "for",
            Token::Function => "function",
            Token::Goto => "goto",
            Token::If => "if",
            Token::In => "in",
            Token::Local => "local",
            Token::Nil => "nil",
            Token::Not => "not",
            Token::Or => "or",
            Token::Repeat => "repeat",
            Token::Return => "return",
            Token::Then => "then",
            Token::True => "true",
            Token::Until => "until",
            Token::While => "while",
            Token::IDiv => "//",
            Token::Concat => "..",
            Token::Dots => "...",
            Token::Eq => "==",
            Token::Ge => ">=",
            Token::Le => "<=",
            Token::Ne => "~=",
            Token::Shl => "<<",
            Token::Shr => ">>",
            Token::DbColon => "::",
            _ => return None,
        })
    }

    /// PUC Lua's `luaX_token2str`: `'x'` for symbols and reserved words (a
    /// non-printable byte is shown as `'<\N>'` with its decimal code), and the
    /// unquoted class names `<eof>`, `<number>`, `<integer>`, `<name>`,
    /// `<string>` for the others.
    pub fn describe(&self) -> Cow<'static, str> {
        if let Some(text) = self.fixed_text() {
            return Cow::Owned(format!("'{text}'"));
        }
        match self {
            Token::Eof => Cow::Borrowed("<eof>"),
            Token::Float(_) => Cow::Borrowed("<number>"),
            Token::Int(_) => Cow::Borrowed("<integer>"),
            Token::Name(_) => Cow::Borrowed("<name>"),
            Token::String(_) => Cow::Borrowed("<string>"),
            Token::Char(c) if (0x20..0x7f).contains(c) => Cow::Owned(format!("'{}'", *c as char)),
            Token::Char(c) => Cow::Owned(format!("'<\\{c}>'")),
            _ => Cow::Borrowed("?"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_matches_puc() {
        assert_eq!(Token::End.describe(), "'end'");
        assert_eq!(Token::IDiv.describe(), "'//'");
        assert_eq!(Token::Eof.describe(), "<eof>");
        assert_eq!(Token::Name(String::new()).describe(), "<name>");
        assert_eq!(Token::Char(b'=').describe(), "'='");
        assert_eq!(Token::Char(1).describe(), "'<\\1>'");
        assert_eq!(Token::Char(0xef).describe(), "'<\\239>'");
        assert_eq!(Token::keyword(b"goto"), Some(Token::Goto));
        assert_eq!(Token::keyword(b"Goto"), None);
    }
}
