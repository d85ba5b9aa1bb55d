//! The master-file tokenizer, modelled on BIND 9's `isc_lex` with the options
//! `named` uses for zone files: `;` comments, `"quoted strings"`, parentheses
//! that join lines, backslash escapes kept for the next stage, and a token for
//! leading white space (which means "same owner as the previous record").

/// Where a token starts: 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A word or a quoted string. Escapes are kept as written (`\.`,
    /// `\065`), except that `\"` inside quotes is already a bare `"`, as
    /// BIND's lexer does.
    Word {
        text: Vec<u8>,
        quoted: bool,
    },
    /// White space at the start of a line (outside parentheses).
    InitialWs,
    /// End of a logical line (a newline outside parentheses).
    Eol,
    Eof,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub pos: Pos,
}

#[derive(Debug)]
pub struct LexError {
    pub pos: Pos,
    pub message: String,
}

pub struct Lexer<'a> {
    src: &'a [u8],
    i: usize,
    line: usize,
    col: usize,
    parens: usize,
    paren_open_pos: Pos,
    at_line_start: bool,
    peeked: Option<Token>,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Lexer<'a> {
        Lexer {
            src: src.as_bytes(),
            i: 0,
            line: 1,
            col: 1,
            parens: 0,
            paren_open_pos: Pos { line: 1, col: 1 },
            at_line_start: true,
            peeked: None,
        }
    }

    pub fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }

    fn bump(&mut self) -> Option<u8> {
        let c = *self.src.get(self.i)?;
        self.i += 1;
        if c == b'\n' {
            self.line += 1;
            self.col = 1;
        } else if c & 0xC0 != 0x80 {
            // Count characters, not octets: UTF-8 continuation octets
            // (10xxxxxx) do not start a new column.
            self.col += 1;
        }
        Some(c)
    }

    fn peek_byte(&self) -> Option<u8> {
        self.src.get(self.i).copied()
    }

    /// Returns the next token without consuming it.
    pub fn peek(&mut self) -> Result<&Token, LexError> {
        if self.peeked.is_none() {
            let t = self.lex()?;
            self.peeked = Some(t);
        }
        // Just filled above when it was empty.
        self.peeked.as_ref().ok_or_else(|| LexError {
            pos: self.pos(),
            message: "internal lexer error".into(),
        })
    }

    pub fn next_token(&mut self) -> Result<Token, LexError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    fn lex(&mut self) -> Result<Token, LexError> {
        loop {
            let pos = self.pos();
            let line_start = self.at_line_start;
            self.at_line_start = false;
            let Some(c) = self.peek_byte() else {
                if self.parens > 0 {
                    return Err(LexError {
                        pos: self.paren_open_pos,
                        message: "unbalanced parentheses: this '(' is never closed".into(),
                    });
                }
                return Ok(Token { tok: Tok::Eof, pos });
            };
            match c {
                b' ' | b'\t' | b'\r' => {
                    while matches!(self.peek_byte(), Some(b' ' | b'\t' | b'\r')) {
                        self.bump();
                    }
                    if line_start && self.parens == 0 {
                        return Ok(Token {
                            tok: Tok::InitialWs,
                            pos,
                        });
                    }
                }
                b'\n' => {
                    self.bump();
                    if self.parens == 0 {
                        self.at_line_start = true;
                        return Ok(Token { tok: Tok::Eol, pos });
                    }
                }
                b';' => {
                    while !matches!(self.peek_byte(), None | Some(b'\n')) {
                        self.bump();
                    }
                    self.at_line_start = line_start;
                }
                b'(' => {
                    self.bump();
                    if self.parens == 0 {
                        self.paren_open_pos = pos;
                    }
                    self.parens += 1;
                }
                b')' => {
                    self.bump();
                    if self.parens == 0 {
                        return Err(LexError {
                            pos,
                            message: "unbalanced parentheses: ')' without a matching '('".into(),
                        });
                    }
                    self.parens -= 1;
                }
                b'"' => {
                    self.bump();
                    return self.quoted(pos);
                }
                _ => return self.word(pos),
            }
        }
    }

    fn quoted(&mut self, pos: Pos) -> Result<Token, LexError> {
        let mut text = Vec::new();
        let mut escaped = false;
        loop {
            match self.peek_byte() {
                None | Some(b'\n') if !escaped => {
                    return Err(LexError {
                        pos,
                        message: "unbalanced quotes: this string is not closed on its line".into(),
                    })
                }
                None => {
                    return Err(LexError {
                        pos,
                        message: "unbalanced quotes: this string is not closed".into(),
                    })
                }
                Some(b'"') => {
                    self.bump();
                    if escaped {
                        // BIND overwrites the backslash with the quote.
                        text.pop();
                        text.push(b'"');
                        escaped = false;
                    } else {
                        return Ok(Token {
                            tok: Tok::Word { text, quoted: true },
                            pos,
                        });
                    }
                }
                Some(c) => {
                    self.bump();
                    escaped = c == b'\\' && !escaped;
                    text.push(c);
                }
            }
        }
    }

    fn word(&mut self, pos: Pos) -> Result<Token, LexError> {
        let mut text = Vec::new();
        loop {
            match self.peek_byte() {
                None | Some(b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' | b'"' | b';') => break,
                Some(b'\\') => {
                    self.bump();
                    text.push(b'\\');
                    match self.bump() {
                        Some(c) => text.push(c),
                        None => {
                            return Err(LexError {
                                pos,
                                message: "unexpected end of input after a backslash".into(),
                            })
                        }
                    }
                }
                Some(c) => {
                    self.bump();
                    text.push(c);
                }
            }
        }
        Ok(Token {
            tok: Tok::Word {
                text,
                quoted: false,
            },
            pos,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        let mut lx = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().unwrap().tok;
            let end = t == Tok::Eof;
            out.push(t);
            if end {
                return out;
            }
        }
    }

    fn w(s: &str) -> Tok {
        Tok::Word {
            text: s.as_bytes().to_vec(),
            quoted: false,
        }
    }

    #[test]
    fn parentheses_join_lines_and_comments_end_at_newline() {
        let t = toks("a ( 1 ; c \"x\n 2 )\n b\n");
        assert_eq!(
            t,
            vec![
                w("a"),
                w("1"),
                w("2"),
                Tok::Eol,
                Tok::InitialWs,
                w("b"),
                Tok::Eol,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn semicolon_inside_quotes_is_text() {
        let t = toks("\"a;b\\\"c\" d;e");
        assert_eq!(
            t,
            vec![
                Tok::Word {
                    text: b"a;b\"c".to_vec(),
                    quoted: true
                },
                w("d"),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn unbalanced_input_is_an_error() {
        for src in ["a )\n", "a ( b\n", "\"abc\n", "a\\"] {
            let mut lx = Lexer::new(src);
            let mut failed = false;
            for _ in 0..10 {
                match lx.next_token() {
                    Err(_) => {
                        failed = true;
                        break;
                    }
                    Ok(t) if t.tok == Tok::Eof => break,
                    Ok(_) => {}
                }
            }
            assert!(failed, "{src:?}");
        }
    }
}
