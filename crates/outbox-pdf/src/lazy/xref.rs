//! Cross-reference data: `startxref`, classic tables, xref streams, hybrid files, `/Prev`.

use std::collections::HashSet;

use lopdf::{Dictionary, Object};

use super::lexer::Lexer;
use super::object::{Body, indirect_at, length_value, stream_data};
use super::{Unreadable, decode};
use crate::limits::Limits;

/// How far before the end of the file `startxref` is looked for.
const STARTXREF_WINDOW: usize = 1024;

/// Most cross-reference sections followed through `/Prev`.
const MAX_SECTIONS: usize = 4096;

/// Trailer keys that describe one section or its stream, not the document.
const SECTION_KEYS: &[&[u8]] = &[
    b"Prev",
    b"XRefStm",
    b"Type",
    b"W",
    b"Index",
    b"Length",
    b"Filter",
    b"DecodeParms",
    b"F",
    b"FFilter",
    b"FDecodeParms",
    b"DL",
];

/// Where object `n` is, as the newest section that lists it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    /// No section lists the object.
    Missing,
    /// Free (deleted) in the newest section that lists it.
    Free,
    /// In the file body at `offset` (relative to the offset base).
    Normal { offset: u64, generation: u16 },
    /// Member `index` of object stream `container`.
    Compressed { container: u32, index: u32 },
}

impl Entry {
    fn in_use(self) -> bool {
        matches!(self, Entry::Normal { .. } | Entry::Compressed { .. })
    }
}

/// The merged cross-reference data of a file.
pub(super) struct Xref {
    /// Indexed by object number.
    pub(super) entries: Vec<Entry>,
    /// The merged trailer (newest wins), without per-section keys.
    pub(super) trailer: Dictionary,
    /// Absolute position of the section `startxref` names (bounds stream-length recovery).
    pub(super) xref_start: usize,
    /// Added to offsets from the file to get positions in `bytes` (the header position for
    /// files whose offsets count from the header, else 0).
    pub(super) base: usize,
    /// The other plausible base, tried when an object is not found at `offset + base`.
    pub(super) other_base: usize,
}

impl Xref {
    /// Reads every section, newest first. Offsets are taken from the file start, or, when
    /// that fails and the header does not start the file, from the header (as lopdf does).
    pub(super) fn read(
        bytes: &[u8],
        header_pos: usize,
        limits: &Limits,
    ) -> Result<Self, Unreadable> {
        let start = startxref(bytes)?;
        match Self::read_with_base(bytes, start, 0, header_pos, limits) {
            Err(first) if header_pos != 0 => {
                Self::read_with_base(bytes, start, header_pos, 0, limits).map_err(|second| {
                    Unreadable(format!(
                        "{first} (offsets from the file start); {second} (offsets from the header)"
                    ))
                })
            }
            result => result,
        }
    }

    fn read_with_base(
        bytes: &[u8],
        start: u64,
        base: usize,
        other_base: usize,
        limits: &Limits,
    ) -> Result<Self, Unreadable> {
        let mut xref = Xref {
            entries: Vec::new(),
            trailer: Dictionary::new(),
            xref_start: to_pos(start, base).unwrap_or(usize::MAX),
            base,
            other_base,
        };
        let mut seen = HashSet::new();
        let mut next = Some(start);
        while let Some(offset) = next {
            // A /Prev loop ends the chain: every section in it was merged once already.
            if !seen.insert(offset) {
                break;
            }
            if seen.len() > MAX_SECTIONS {
                return Err(Unreadable("too many cross-reference sections".into()));
            }
            next = xref.section(bytes, offset, limits)?;
        }
        if xref.trailer.has(b"Encrypt") {
            return Err(Unreadable("the file is encrypted".into()));
        }
        if !xref.trailer.has(b"Root") {
            return Err(Unreadable("the trailer has no /Root".into()));
        }
        let in_use = xref.entries.iter().filter(|e| e.in_use()).count();
        if in_use > limits.max_objects {
            return Err(Unreadable(format!(
                "{in_use} objects exceed the limit of {}",
                limits.max_objects
            )));
        }
        Ok(xref)
    }

    /// Merges the section at `offset` (older than all merged so far); returns its /Prev.
    fn section(
        &mut self,
        bytes: &[u8],
        offset: u64,
        limits: &Limits,
    ) -> Result<Option<u64>, Unreadable> {
        let pos = to_pos(offset, self.base)
            .ok_or_else(|| Unreadable(format!("xref offset {offset} is beyond the file")))?;
        let (entries, dict) = read_section(bytes, pos, limits)?;
        let mut stream_entries = Vec::new();
        if let Some(at) = offset_key(&dict, b"XRefStm")? {
            let stream_pos = to_pos(at, self.base)
                .ok_or_else(|| Unreadable(format!("/XRefStm {at} is beyond the file")))?;
            stream_entries = read_section(bytes, stream_pos, limits)?.0;
        }
        // Hybrid files: the table's in-use entries win over the stream's, the stream's over
        // the table's free ones; every entry of an older section loses to newer ones.
        for &(id, entry) in entries.iter().filter(|(_, e)| e.in_use()) {
            self.put(id, entry, limits)?;
        }
        for &(id, entry) in &stream_entries {
            self.put(id, entry, limits)?;
        }
        for &(id, entry) in entries.iter().filter(|(_, e)| !e.in_use()) {
            self.put(id, entry, limits)?;
        }
        let prev = offset_key(&dict, b"Prev")?;
        for (key, value) in dict {
            if !SECTION_KEYS.contains(&key.as_slice()) && !self.trailer.has(&key) {
                self.trailer.set(key, value);
            }
        }
        Ok(prev)
    }

    fn put(&mut self, id: u32, entry: Entry, limits: &Limits) -> Result<(), Unreadable> {
        let index = id as usize;
        if index >= limits.max_objects {
            return Err(Unreadable(format!(
                "object number {id} exceeds the object limit {}",
                limits.max_objects
            )));
        }
        if index >= self.entries.len() {
            self.entries.resize(index + 1, Entry::Missing);
        }
        if let Some(slot) = self.entries.get_mut(index)
            && *slot == Entry::Missing
        {
            *slot = entry;
        }
        Ok(())
    }
}

/// `offset + base` as a position, if it fits.
pub(super) fn to_pos(offset: u64, base: usize) -> Option<usize> {
    usize::try_from(offset).ok()?.checked_add(base)
}

/// The offset after the last `startxref` near the end of the file, followed by `%%EOF`.
fn startxref(bytes: &[u8]) -> Result<u64, Unreadable> {
    let end = bytes
        .iter()
        .rposition(|&c| !super::lexer::is_whitespace(c))
        .map_or(0, |p| p + 1);
    let from = end.saturating_sub(STARTXREF_WINDOW);
    let window = bytes.get(from..end).unwrap_or_default();
    let at = window
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(|| Unreadable("no startxref near the end of the file".into()))?;
    let mut lx = Lexer::new(bytes, from + at + 9);
    lx.skip_whitespace();
    let offset = lx
        .unsigned()
        .ok_or_else(|| lx.error("no offset after startxref"))?;
    lx.skip_whitespace();
    if !lx.eat(b"%%EOF") {
        return Err(lx.error("no %%EOF after startxref"));
    }
    Ok(offset)
}

/// An optional non-negative integer entry (/Prev, /XRefStm).
fn offset_key(dict: &Dictionary, key: &[u8]) -> Result<Option<u64>, Unreadable> {
    match dict.get(key) {
        Err(_) => Ok(None),
        Ok(Object::Integer(v)) => u64::try_from(*v)
            .map(Some)
            .map_err(|_| Unreadable(format!("/{} {v} is negative", String::from_utf8_lossy(key)))),
        Ok(_) => Err(Unreadable(format!(
            "/{} is not an integer",
            String::from_utf8_lossy(key)
        ))),
    }
}

/// The entries and trailer (or stream dictionary) of the section at `pos`.
fn read_section(
    bytes: &[u8],
    pos: usize,
    limits: &Limits,
) -> Result<(Vec<(u32, Entry)>, Dictionary), Unreadable> {
    let mut lx = Lexer::new(bytes, pos);
    lx.skip_whitespace();
    if lx.eat(b"xref") {
        read_table(&mut lx, limits.max_objects)
    } else {
        read_stream(bytes, pos, limits)
    }
}

/// A classic table after its `xref` keyword: subsections `start count` and 20-byte entries
/// (read by tokens, so 19-byte entries with a bare LF pass too), then `trailer << ... >>`.
fn read_table(
    lx: &mut Lexer<'_>,
    max_objects: usize,
) -> Result<(Vec<(u32, Entry)>, Dictionary), Unreadable> {
    let mut entries = Vec::new();
    loop {
        lx.skip_whitespace();
        if lx.eat(b"trailer") {
            break;
        }
        let start = lx
            .unsigned()
            .ok_or_else(|| lx.error("xref subsection start or trailer expected"))?;
        lx.skip_whitespace();
        let count = lx
            .unsigned()
            .ok_or_else(|| lx.error("xref subsection count expected"))?;
        for i in 0..count {
            let id = start
                .checked_add(i)
                .and_then(|id| u32::try_from(id).ok())
                .filter(|&id| (id as usize) < max_objects)
                .ok_or_else(|| {
                    lx.error("xref object number out of range or over the object limit")
                })?;
            lx.skip_whitespace();
            let offset = lx
                .unsigned()
                .ok_or_else(|| lx.error("xref entry expected"))?;
            lx.skip_whitespace();
            let generation = lx
                .unsigned()
                .ok_or_else(|| lx.error("xref generation expected"))?;
            lx.skip_whitespace();
            let kind = lx.peek();
            if !lx.eat(b"n") && !lx.eat(b"f") {
                return Err(lx.error("xref entry type n or f expected"));
            }
            if lx.peek().is_some_and(|c| !super::lexer::is_whitespace(c)) {
                return Err(lx.error("malformed xref entry"));
            }
            let entry = if kind == Some(b'f') {
                Entry::Free
            } else {
                let generation = u16::try_from(generation)
                    .map_err(|_| lx.error("xref generation out of range"))?;
                Entry::Normal { offset, generation }
            };
            entries.push((id, entry));
        }
    }
    lx.skip_space();
    let trailer = lx.dictionary()?;
    Ok((entries, trailer))
}

/// An xref stream object at `pos`.
fn read_stream(
    bytes: &[u8],
    pos: usize,
    limits: &Limits,
) -> Result<(Vec<(u32, Entry)>, Dictionary), Unreadable> {
    let (_, body) = indirect_at(bytes, pos)?;
    let Body::Stream { dict, data_start } = body else {
        return Err(Unreadable(format!("no xref stream at byte {pos}")));
    };
    if !matches!(dict.get(b"Type"), Ok(Object::Name(n)) if n == b"XRef") {
        return Err(Unreadable(format!(
            "the stream at byte {pos} is not /Type /XRef"
        )));
    }
    // The xref is not known yet, so an indirect /Length cannot be resolved.
    let length = length_value(
        dict.get(b"Length")
            .map_err(|_| Unreadable("xref stream without /Length".into()))?,
    )?;
    let raw = stream_data(bytes, data_start, length, || bytes.len())?;
    let data = decode(&dict, raw, limits)?;
    let entries = stream_entries(&dict, &data, limits.max_objects)?;
    Ok((entries, dict))
}

fn int_array(dict: &Dictionary, key: &[u8]) -> Result<Option<Vec<u64>>, Unreadable> {
    let bad = || {
        Unreadable(format!(
            "bad /{} in an xref stream",
            String::from_utf8_lossy(key)
        ))
    };
    match dict.get(key) {
        Err(_) => Ok(None),
        Ok(Object::Array(items)) => items
            .iter()
            .map(|o| match o {
                Object::Integer(i) => u64::try_from(*i).map_err(|_| bad()),
                _ => Err(bad()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Ok(_) => Err(bad()),
    }
}

/// The entries of a decoded xref stream, per its /W, /Index and /Size.
fn stream_entries(
    dict: &Dictionary,
    data: &[u8],
    max_objects: usize,
) -> Result<Vec<(u32, Entry)>, Unreadable> {
    let widths =
        int_array(dict, b"W")?.ok_or_else(|| Unreadable("xref stream without /W".into()))?;
    let [w0, w1, w2] = widths.as_slice() else {
        return Err(Unreadable("xref stream /W must have three widths".into()));
    };
    let widths = [*w0, *w1, *w2].map(|w| usize::try_from(w).unwrap_or(usize::MAX));
    if widths.iter().any(|&w| w > 8) || widths.iter().sum::<usize>() == 0 {
        return Err(Unreadable("xref stream /W widths out of range".into()));
    }
    let entry_width: usize = widths.iter().sum();
    let size = match dict.get(b"Size") {
        Ok(Object::Integer(s)) if *s >= 0 => *s as u64,
        _ => return Err(Unreadable("xref stream without a valid /Size".into())),
    };
    let index = int_array(dict, b"Index")?.unwrap_or_else(|| vec![0, size]);
    if index.len() % 2 != 0 {
        return Err(Unreadable("xref stream /Index has an odd length".into()));
    }
    let total = index
        .chunks_exact(2)
        .try_fold(0u64, |t, pair| t.checked_add(pair[1]))
        .and_then(|t| usize::try_from(t).ok())
        .filter(|&t| t <= max_objects)
        .filter(|&t| t.checked_mul(entry_width).is_some_and(|n| n <= data.len()))
        .ok_or_else(|| {
            Unreadable("xref stream /Index lists more entries than its data holds or the object limit allows".into())
        })?;
    let mut entries = Vec::with_capacity(total);
    let mut records = data.chunks_exact(entry_width);
    for pair in index.chunks_exact(2) {
        for i in 0..pair[1] {
            let record = records
                .next()
                .ok_or_else(|| Unreadable("xref stream data too short".into()))?;
            let (f0, rest) = record.split_at(widths[0]);
            let (f1, f2) = rest.split_at(widths[1]);
            let kind = if widths[0] == 0 { 1 } else { be(f0) };
            let id = pair[0]
                .checked_add(i)
                .and_then(|id| u32::try_from(id).ok())
                .ok_or_else(|| Unreadable("xref stream object number out of range".into()))?;
            let entry = match kind {
                0 => Entry::Free,
                1 => Entry::Normal {
                    offset: be(f1),
                    generation: u16::try_from(be(f2))
                        .map_err(|_| Unreadable("xref stream generation out of range".into()))?,
                },
                2 => Entry::Compressed {
                    container: u32::try_from(be(f1))
                        .map_err(|_| Unreadable("object stream number out of range".into()))?,
                    index: u32::try_from(be(f2))
                        .map_err(|_| Unreadable("object stream index out of range".into()))?,
                },
                // Unknown types are references to null (ISO 32000-1, 7.5.8.3): not listed.
                _ => continue,
            };
            entries.push((id, entry));
        }
    }
    Ok(entries)
}

/// A big-endian unsigned field of at most 8 bytes.
fn be(field: &[u8]) -> u64 {
    field.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b))
}
