//! Object streams (`/Type /ObjStm`): their member table, and a small cache of decoded ones.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use lopdf::{Dictionary, Object};

use super::Unreadable;
use super::lexer::Lexer;

/// Most decoded object streams kept.
const CACHE_STREAMS: usize = 4;

/// Most decoded bytes kept (the newest stream is kept whatever its size).
const CACHE_BYTES: usize = 8 * 1024 * 1024;

/// A decoded object stream.
pub(super) struct ObjStm {
    number: u32,
    content: Vec<u8>,
    /// Object number and absolute position in `content` of each member, in stream order.
    members: Vec<(u32, usize)>,
}

impl ObjStm {
    /// Reads the member table (`/N` pairs of object number and offset before `/First`).
    pub(super) fn parse(
        number: u32,
        dict: &Dictionary,
        content: Vec<u8>,
    ) -> Result<Self, Unreadable> {
        let bad = |what: &str| Unreadable(format!("object stream {number}: {what}"));
        let int = |key: &[u8]| match dict.get(key) {
            Ok(Object::Integer(v)) => usize::try_from(*v).ok(),
            _ => None,
        };
        let n = int(b"N").ok_or_else(|| bad("no valid /N"))?;
        let first = int(b"First").ok_or_else(|| bad("no valid /First"))?;
        if first > content.len() {
            return Err(bad("/First lies beyond the data"));
        }
        // Each pair takes at least four bytes ("1 0 "), which bounds the allocation.
        if n > first / 2 + 1 {
            return Err(bad("/N is larger than the member table can hold"));
        }
        let mut members = Vec::with_capacity(n);
        let table = content.get(..first).unwrap_or_default();
        let mut lx = Lexer::new(table, 0);
        for _ in 0..n {
            lx.skip_space();
            let id = lx
                .unsigned()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| bad("bad object number in the member table"))?;
            lx.skip_space();
            let offset = lx
                .unsigned()
                .and_then(|v| usize::try_from(v).ok())
                .and_then(|v| v.checked_add(first))
                .filter(|&p| p < content.len())
                .ok_or_else(|| bad("bad offset in the member table"))?;
            members.push((id, offset));
        }
        Ok(Self {
            number,
            content,
            members,
        })
    }

    /// Member `id`, expected at `index` (the xref's word); if another object is there, the
    /// last member with that number (lopdf ignores the index and keeps the last one).
    pub(super) fn object(&self, id: u32, index: u32) -> Result<Object, Unreadable> {
        let at = match self.members.get(index as usize) {
            Some(&(n, pos)) if n == id => pos,
            _ => self
                .members
                .iter()
                .rev()
                .find(|&&(n, _)| n == id)
                .map(|&(_, pos)| pos)
                .ok_or_else(|| {
                    Unreadable(format!(
                        "object {id} is not in object stream {}",
                        self.number
                    ))
                })?,
        };
        let mut lx = Lexer::new(&self.content, at);
        lx.skip_space();
        lx.object().map_err(|e| {
            Unreadable(format!(
                "object {id} in object stream {}: {}",
                self.number, e.0
            ))
        })
    }
}

/// The most recently used decoded object streams.
#[derive(Default)]
pub(super) struct Cache {
    streams: RefCell<VecDeque<Rc<ObjStm>>>,
}

impl Cache {
    /// The cached stream `number`, moved to the front.
    pub(super) fn get(&self, number: u32) -> Option<Rc<ObjStm>> {
        let mut streams = self.streams.borrow_mut();
        let at = streams.iter().position(|s| s.number == number)?;
        let found = streams.remove(at)?;
        streams.push_front(Rc::clone(&found));
        Some(found)
    }

    /// Keeps `stream`, dropping the least recently used ones beyond the bounds.
    pub(super) fn insert(&self, stream: Rc<ObjStm>) {
        let mut streams = self.streams.borrow_mut();
        streams.retain(|s| s.number != stream.number);
        streams.push_front(stream);
        let mut bytes = 0usize;
        let mut keep = 0usize;
        for s in streams.iter() {
            bytes = bytes.saturating_add(s.content.len());
            if keep > 0 && (keep >= CACHE_STREAMS || bytes > CACHE_BYTES) {
                break;
            }
            keep += 1;
        }
        streams.truncate(keep);
    }
}
