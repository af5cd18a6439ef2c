//! Indirect objects in the file body: `n g obj ... endobj`, and where a stream's data lies.

use lopdf::{Dictionary, Object};

use super::Unreadable;
use super::lexer::Lexer;

/// What follows an object header.
pub(super) enum Body {
    /// Any object but a stream, already checked to be followed by `endobj`.
    Object(Object),
    /// A stream dictionary; its data starts at `data_start` (just after `stream` and its EOL).
    Stream { dict: Dictionary, data_start: usize },
}

/// The object number and generation of a header `n g obj` at `pos` (white space and
/// comments before it allowed), and the position after `obj`.
pub(super) fn header_at(bytes: &[u8], pos: usize) -> Option<((u32, u16), usize)> {
    let mut lx = Lexer::new(bytes, pos);
    lx.skip_space();
    let number = u32::try_from(lx.unsigned()?).ok()?;
    lx.skip_space();
    let generation = u16::try_from(lx.unsigned()?).ok()?;
    lx.skip_space();
    lx.eat(b"obj").then_some(((number, generation), lx.pos()))
}

/// The indirect object whose header is at `pos`.
pub(super) fn indirect_at(bytes: &[u8], pos: usize) -> Result<((u32, u16), Body), Unreadable> {
    let (id, after) = header_at(bytes, pos)
        .ok_or_else(|| Unreadable(format!("no object header `n g obj` at byte {pos}")))?;
    let mut lx = Lexer::new(bytes, after);
    lx.skip_space();
    let object = lx.object()?;
    lx.skip_space();
    if let Object::Dictionary(dict) = object {
        if lx.eat(b"stream") {
            // lopdf's rule: blanks may follow the keyword, then one EOL (CR alone tolerated).
            lx.skip_blanks();
            if !lx.eat_eol() {
                return Err(lx.error("no end of line after the stream keyword"));
            }
            return Ok((
                id,
                Body::Stream {
                    dict,
                    data_start: lx.pos(),
                },
            ));
        }
        expect_endobj(&mut lx)?;
        return Ok((id, Body::Object(Object::Dictionary(dict))));
    }
    expect_endobj(&mut lx)?;
    Ok((id, Body::Object(object)))
}

fn expect_endobj(lx: &mut Lexer<'_>) -> Result<(), Unreadable> {
    if lx.eat(b"endobj") {
        Ok(())
    } else {
        Err(lx.error("endobj expected"))
    }
}

/// The stream data starting at `start`: `length` bytes when `endstream` (after an optional
/// EOL) and `endobj` follow them; otherwise the bytes up to the only `endstream` before
/// `bound()` that follows an EOL and precedes `endobj` (lopdf's recovery for a wrong /Length;
/// `bound` is the next object's position, computed only when needed).
pub(super) fn stream_data(
    bytes: &[u8],
    start: usize,
    length: usize,
    bound: impl FnOnce() -> usize,
) -> Result<&[u8], Unreadable> {
    if let Some(end) = start.checked_add(length)
        && let Some(data) = bytes.get(start..end)
    {
        let mut lx = Lexer::new(bytes, end);
        lx.eat_eol();
        if lx.eat(b"endstream") && ends_object(bytes, lx.pos()) {
            return Ok(data);
        }
    }
    recover(bytes, start, bound()).ok_or_else(|| {
        Unreadable(format!(
            "stream at byte {start}: /Length {length} does not end at endstream, and no unique endstream was found"
        ))
    })
}

/// Whether white space, comments and `endobj` follow `pos`.
fn ends_object(bytes: &[u8], pos: usize) -> bool {
    let mut lx = Lexer::new(bytes, pos);
    lx.skip_space();
    lx.eat(b"endobj")
}

/// [`ends_object`], and white space or the end after `endobj` (lopdf's recovery rule).
fn ends_object_cleanly(bytes: &[u8], pos: usize) -> bool {
    let mut lx = Lexer::new(bytes, pos);
    lx.skip_space();
    lx.eat(b"endobj") && lx.peek().is_none_or(super::lexer::is_whitespace)
}

/// The data before the only EOL + `endstream` + `endobj` between `start` and `bound`; two
/// candidates are ambiguous, so none is taken.
fn recover(bytes: &[u8], start: usize, bound: usize) -> Option<&[u8]> {
    const KEYWORD: &[u8] = b"endstream";
    let window = bytes.get(start..bound.min(bytes.len()))?;
    let mut found = None;
    let mut from = 0;
    while let Some(rel) = find(window.get(from..)?, KEYWORD) {
        let at = from + rel;
        from = at + 1;
        let before = window.get(..at)?;
        let data_end = if before.ends_with(b"\r\n") {
            at - 2
        } else if before.ends_with(b"\n") || before.ends_with(b"\r") {
            at - 1
        } else {
            continue;
        };
        if !ends_object_cleanly(bytes, start + at + KEYWORD.len()) {
            continue;
        }
        if found.is_some() {
            return None;
        }
        found = Some(window.get(..data_end)?);
    }
    found
}

/// The first position of `needle` in `hay`.
pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut i = 0;
    while let Some(p) = hay.get(i..)?.iter().position(|&c| c == first) {
        let at = i + p;
        if hay.get(at + 1..at + needle.len()) == Some(rest) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// A stream's /Length value: a non-negative integer, or an integral real (as lopdf accepts).
pub(super) fn length_value(obj: &Object) -> Result<usize, Unreadable> {
    let value = match obj {
        Object::Integer(i) => *i,
        Object::Real(r) if r.fract() == 0.0 && r.abs() < 9.0e18 => *r as i64,
        _ => return Err(Unreadable("stream /Length is not an integer".into())),
    };
    usize::try_from(value).map_err(|_| Unreadable(format!("stream /Length {value} is negative")))
}
