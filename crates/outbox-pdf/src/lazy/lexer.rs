//! Direct objects straight from byte slices, with lopdf's parsing choices.
//!
//! Every choice that decides the value (reals as `f32` parsed from the token text, a `-`
//! inside a fraction ignored, literal-string line ends read as LF, the last of duplicate
//! dictionary keys winning, `#` escapes in names) follows lopdf 0.47's parser, so objects
//! read here equal the ones lopdf's loader produces. Where lopdf would quietly accept
//! something malformed (a name ending in a bad `#` escape, a missing `endobj`), this lexer
//! refuses: the caller then loads the file with lopdf.

use lopdf::{Dictionary, Object, StringFormat};

use super::Unreadable;

/// Deepest nesting of arrays, dictionaries and literal-string parentheses (lopdf stops at 100).
pub(super) const MAX_DEPTH: usize = 100;

/// The six PDF white-space characters.
pub(super) fn is_whitespace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\0' | b'\x0C')
}

fn is_delimiter(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(c: u8) -> bool {
    !is_whitespace(c) && !is_delimiter(c)
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A cursor over the bytes of a file or of a decompressed object stream.
pub(super) struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// A cursor at `pos` (which may lie past the end: every read is checked).
    pub(super) fn new(bytes: &'a [u8], pos: usize) -> Self {
        Self { bytes, pos }
    }

    /// The current position.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// The byte at the cursor.
    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos.checked_add(ahead)?).copied()
    }

    /// Whether the bytes at the cursor start with `s`.
    pub(super) fn starts_with(&self, s: &[u8]) -> bool {
        self.bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(s))
    }

    /// Skips white space and comments (a comment runs to the end of its line).
    pub(super) fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if is_whitespace(c) {
                self.pos += 1;
            } else if c == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Skips white space only (no comments), as lopdf does inside hexadecimal strings.
    pub(super) fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(is_whitespace) {
            self.pos += 1;
        }
    }

    /// Consumes `s` if the bytes at the cursor start with it.
    pub(super) fn eat(&mut self, s: &[u8]) -> bool {
        if self.starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// Consumes one end-of-line marker (CR LF, LF or CR) if there is one.
    pub(super) fn eat_eol(&mut self) -> bool {
        self.eat(b"\r\n") || self.eat(b"\n") || self.eat(b"\r")
    }

    /// Consumes spaces and tabs (not line ends).
    pub(super) fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// An unsigned decimal integer, or `None` (cursor unchanged) if there is none or it
    /// exceeds `u64`.
    pub(super) fn unsigned(&mut self) -> Option<u64> {
        let start = self.pos;
        let mut value: u64 = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            match value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(c - b'0')))
            {
                Some(v) => value = v,
                None => {
                    self.pos = start;
                    return None;
                }
            }
            self.pos += 1;
        }
        if self.pos == start { None } else { Some(value) }
    }

    /// One direct object (an `n g R` reference included), without the white space after it.
    pub(super) fn object(&mut self) -> Result<Object, Unreadable> {
        self.object_at_depth(0)
    }

    fn object_at_depth(&mut self, depth: usize) -> Result<Object, Unreadable> {
        if depth >= MAX_DEPTH {
            return Err(self.error("objects nested too deeply"));
        }
        match self.peek() {
            Some(b'n') => self.keyword(b"null", Object::Null),
            Some(b't') => self.keyword(b"true", Object::Boolean(true)),
            Some(b'f') => self.keyword(b"false", Object::Boolean(false)),
            Some(b'0'..=b'9' | b'+' | b'-' | b'.') => self.number(),
            Some(b'/') => Ok(Object::Name(self.name()?)),
            Some(b'(') => Ok(Object::String(
                self.literal_string()?,
                StringFormat::Literal,
            )),
            Some(b'<') if self.peek_at(1) == Some(b'<') => {
                Ok(Object::Dictionary(self.dictionary_at_depth(depth + 1)?))
            }
            Some(b'<') => Ok(Object::String(
                self.hex_string()?,
                StringFormat::Hexadecimal,
            )),
            Some(b'[') => self.array(depth + 1),
            Some(_) => Err(self.error("unexpected byte where an object should start")),
            None => Err(self.error("file ends where an object should start")),
        }
    }

    /// A dictionary `<< ... >>` at the cursor.
    pub(super) fn dictionary(&mut self) -> Result<Dictionary, Unreadable> {
        self.dictionary_at_depth(1)
    }

    fn dictionary_at_depth(&mut self, depth: usize) -> Result<Dictionary, Unreadable> {
        if depth >= MAX_DEPTH {
            return Err(self.error("objects nested too deeply"));
        }
        if !self.eat(b"<<") {
            return Err(self.error("dictionary expected"));
        }
        let mut dict = Dictionary::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some(b'>') if self.peek_at(1) == Some(b'>') => {
                    self.pos += 2;
                    return Ok(dict);
                }
                Some(b'/') => {
                    let key = self.name()?;
                    self.skip_space();
                    let value = self.object_at_depth(depth)?;
                    // Like lopdf: a later duplicate key replaces the value, keeping the position.
                    dict.set(key, value);
                }
                _ => return Err(self.error("dictionary key or >> expected")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Object, Unreadable> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            if self.peek() == Some(b']') {
                self.pos += 1;
                return Ok(Object::Array(items));
            }
            items.push(self.object_at_depth(depth)?);
        }
    }

    fn keyword(&mut self, word: &[u8], value: Object) -> Result<Object, Unreadable> {
        if self.eat(word) && !self.peek().is_some_and(is_regular) {
            Ok(value)
        } else {
            Err(self.error("unknown keyword"))
        }
    }

    /// A reference, a real or an integer, tried in lopdf's order.
    fn number(&mut self) -> Result<Object, Unreadable> {
        let start = self.pos;
        if self.peek().is_some_and(|c| c.is_ascii_digit())
            && let Some(reference) = self.reference()
        {
            return Ok(reference);
        }
        self.pos = start;
        let negative = match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                true
            }
            Some(b'+') => {
                self.pos += 1;
                false
            }
            _ => false,
        };
        let digits_start = self.pos;
        let int_digits = self.run_len(digits_start, |c| c.is_ascii_digit());
        self.pos += int_digits;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let fraction = self.run_len(self.pos, |c| c.is_ascii_digit());
            if int_digits == 0 && fraction == 0 {
                return Err(self.error("malformed number"));
            }
            // lopdf (like pdf.js and Poppler) ignores a minus sign inside the fraction.
            self.pos += self.run_len(self.pos, |c| c == b'-' || c.is_ascii_digit());
            let text = self.bytes.get(start..self.pos).unwrap_or_default();
            return parse_real(text).ok_or_else(|| self.error("malformed real number"));
        }
        if int_digits == 0 {
            return Err(self.error("malformed number"));
        }
        let digits = self.bytes.get(digits_start..self.pos).unwrap_or_default();
        let magnitude = digits.iter().try_fold(0u64, |v, &d| {
            v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        });
        let value = magnitude.and_then(|m| {
            if negative {
                0i64.checked_sub_unsigned(m)
            } else {
                i64::try_from(m).ok()
            }
        });
        value
            .map(Object::Integer)
            .ok_or_else(|| self.error("integer out of range"))
    }

    fn run_len(&self, from: usize, pred: impl Fn(u8) -> bool) -> usize {
        self.bytes
            .get(from..)
            .map_or(0, |rest| rest.iter().take_while(|&&c| pred(c)).count())
    }

    /// `n g R` at the cursor; on `None` the caller resets the cursor.
    fn reference(&mut self) -> Option<Object> {
        let number = u32::try_from(self.unsigned()?).ok()?;
        self.skip_space();
        let generation = u16::try_from(self.unsigned()?).ok()?;
        self.skip_space();
        if self.eat(b"R") {
            Some(Object::Reference((number, generation)))
        } else {
            None
        }
    }

    /// A name after its `/`, with `#xx` escapes decoded.
    fn name(&mut self) -> Result<Vec<u8>, Unreadable> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let run = self.run_len(self.pos, |c| c != b'#' && is_regular(c));
            if let Some(chunk) = self.bytes.get(self.pos..self.pos + run) {
                out.extend_from_slice(chunk);
            }
            self.pos += run;
            if self.peek() != Some(b'#') {
                return Ok(out);
            }
            let high = self.peek_at(1).and_then(hex_value);
            let low = self.peek_at(2).and_then(hex_value);
            match (high, low) {
                (Some(h), Some(l)) => {
                    out.push((h << 4) | l);
                    self.pos += 3;
                }
                _ => return Err(self.error("bad # escape in a name")),
            }
        }
    }

    fn hex_string(&mut self) -> Result<Vec<u8>, Unreadable> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut half = false;
        loop {
            self.skip_whitespace();
            let Some(c) = self.peek() else {
                return Err(self.error("unterminated hexadecimal string"));
            };
            self.pos += 1;
            if c == b'>' {
                return Ok(out);
            }
            let Some(v) = hex_value(c) else {
                return Err(self.error("bad digit in a hexadecimal string"));
            };
            if half {
                if let Some(last) = out.last_mut() {
                    *last |= v;
                }
            } else {
                // An odd count leaves the last digit as the high nibble: a trailing 0.
                out.push(v << 4);
            }
            half = !half;
        }
    }

    fn literal_string(&mut self) -> Result<Vec<u8>, Unreadable> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut open = 1usize;
        loop {
            let run = self.run_len(self.pos, |c| {
                !matches!(c, b'(' | b')' | b'\\' | b'\r' | b'\n')
            });
            if let Some(chunk) = self.bytes.get(self.pos..self.pos + run) {
                out.extend_from_slice(chunk);
            }
            self.pos += run;
            let Some(c) = self.peek() else {
                return Err(self.error("unterminated literal string"));
            };
            self.pos += 1;
            match c {
                b'(' => {
                    open += 1;
                    if open > MAX_DEPTH {
                        return Err(self.error("parentheses nested too deeply in a string"));
                    }
                    out.push(b'(');
                }
                b')' => {
                    open -= 1;
                    if open == 0 {
                        return Ok(out);
                    }
                    out.push(b')');
                }
                b'\r' | b'\n' => {
                    // Any raw line end reads as LF (ISO 32000-1, 7.3.4.2).
                    if c == b'\r' {
                        self.eat(b"\n");
                    }
                    out.push(b'\n');
                }
                _ => self.escape(&mut out)?,
            }
        }
    }

    /// The escape after a backslash in a literal string.
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), Unreadable> {
        let Some(c) = self.peek() else {
            return Err(self.error("unterminated literal string"));
        };
        if (b'0'..=b'7').contains(&c) {
            let mut value: u16 = 0;
            for _ in 0..3 {
                match self.peek() {
                    Some(d @ b'0'..=b'7') => {
                        value = value * 8 + u16::from(d - b'0');
                        self.pos += 1;
                    }
                    _ => break,
                }
            }
            // The spec says to ignore overflow (\777): keep the low byte, as lopdf does.
            out.push(value.to_le_bytes()[0]);
            return Ok(());
        }
        self.pos += 1;
        match c {
            b'\r' => {
                self.eat(b"\n");
            }
            b'\n' => {}
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0C),
            // `\(`, `\)`, `\\`, and an unknown escape stand for the character itself.
            other => out.push(other),
        }
        Ok(())
    }

    /// An error naming the position.
    pub(super) fn error(&self, what: &str) -> Unreadable {
        Unreadable(format!("{what} at byte {}", self.pos))
    }
}

/// A real as lopdf reads it: `f32` from the token text, minus signs after the first byte dropped.
fn parse_real(text: &[u8]) -> Option<Object> {
    let value = if text.iter().skip(1).any(|&c| c == b'-') {
        let (first, rest) = text.split_first()?;
        let mut cleaned = vec![*first];
        cleaned.extend(rest.iter().filter(|&&c| c != b'-'));
        std::str::from_utf8(&cleaned).ok()?.parse::<f32>().ok()?
    } else {
        std::str::from_utf8(text).ok()?.parse::<f32>().ok()?
    };
    Some(Object::Real(value))
}
