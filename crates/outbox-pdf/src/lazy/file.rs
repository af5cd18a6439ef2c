//! [`LazyFile`]: the cross-reference data of one input, and objects read on demand.

use std::rc::Rc;

use lopdf::{Dictionary, Object, ObjectId};

use super::object::{Body, header_at, indirect_at, length_value, stream_data};
use super::objstm::{Cache, ObjStm};
use super::xref::{Entry, Xref, to_pos};
use super::{Raw, Unreadable, decode};
use crate::limits::Limits;

/// How far into the file the `%PDF-` header may start (leading junk is common).
pub(crate) const HEADER_SEARCH_BYTES: usize = 1024;

/// Deepest chain of objects read to read one (a stream's indirect /Length, an object
/// stream's container); deeper means a loop such as a /Length that refers to itself.
const MAX_RESOLVE_DEPTH: usize = 8;

/// A PDF file read lazily: only the cross-reference data is read up front.
pub(crate) struct LazyFile<'a> {
    bytes: &'a [u8],
    version: String,
    xref: Xref,
    max_id: u32,
    object_count: usize,
    limits: Limits,
    object_streams: Cache,
}

impl<'a> LazyFile<'a> {
    /// Finds the header (`%PDF-` within the first KiB; leading junk allowed) and `startxref`
    /// near the end, and reads every cross-reference section: classic tables, xref streams,
    /// hybrid files (`/XRefStm`), the `/Prev` chain (newer entries win; a loop ends it).
    ///
    /// Fails when there is no header or `startxref`, a section cannot be parsed, the file is
    /// encrypted (`/Encrypt`), the trailer has no `/Root`, there are more objects than
    /// `limits.max_objects` or a stream decodes to more than
    /// `limits.max_decompressed_stream_bytes`.
    pub(crate) fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, Unreadable> {
        if bytes.len() as u64 > limits.max_input_bytes {
            return Err(Unreadable(format!(
                "the file has {} bytes, more than the limit of {}",
                bytes.len(),
                limits.max_input_bytes
            )));
        }
        let head = bytes
            .get(..bytes.len().min(HEADER_SEARCH_BYTES))
            .unwrap_or_default();
        let header_pos = head
            .windows(5)
            .position(|w| w == b"%PDF-")
            .ok_or_else(|| Unreadable("no %PDF- header in the first KiB".into()))?;
        let version: String = bytes
            .get(header_pos + 5..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| c.is_ascii_digit() || c == b'.')
            .map(|&c| char::from(c))
            .collect();
        if version.is_empty() {
            return Err(Unreadable("the %PDF- header has no version".into()));
        }
        let xref = Xref::read(bytes, header_pos, limits)?;
        let size = match xref.trailer.get(b"Size") {
            Ok(Object::Integer(s)) => usize::try_from(*s)
                .ok()
                .filter(|&s| s <= limits.max_objects)
                .ok_or_else(|| Unreadable(format!("trailer /Size {s} is out of range")))?,
            _ => 0,
        };
        let highest = xref.entries.len();
        let max_id = u32::try_from(highest.max(size))
            .map_err(|_| Unreadable("object numbers out of range".into()))?;
        let object_count = xref
            .entries
            .iter()
            .filter(|e| matches!(e, Entry::Normal { .. } | Entry::Compressed { .. }))
            .count();
        Ok(Self {
            bytes,
            version,
            xref,
            max_id,
            object_count,
            limits: *limits,
            object_streams: Cache::default(),
        })
    }

    /// Header version, e.g. "1.5".
    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    /// The merged trailer: for each key the newest section's value (`/Root`, `/Info`, `/ID`,
    /// `/Size` ...), without the per-section keys `/Prev`, `/XRefStm` and the xref stream's own.
    pub(crate) fn trailer(&self) -> &Dictionary {
        &self.xref.trailer
    }

    /// One past the highest object number in the cross-reference data, and at least the
    /// trailer's `/Size`: new objects can be numbered from here.
    pub(crate) fn max_id(&self) -> u32 {
        self.max_id
    }

    /// Number of in-use entries (objects in the body or in object streams).
    pub(crate) fn object_count(&self) -> usize {
        self.object_count
    }

    /// Reads object `id`; `Ok(None)` when the cross-reference data has no in-use entry for
    /// its number (a dangling reference, which PDF treats as null).
    ///
    /// The generation in `id` is not compared with the entry's: the object the xref lists
    /// under that number is returned. Objects in object streams are decoded on demand; the
    /// last few decoded object streams are cached.
    pub(crate) fn get(&self, id: ObjectId) -> Result<Option<Raw<'a>>, Unreadable> {
        self.get_at_depth(id.0, 0)
    }

    /// Whether object `number` lives in an object stream (for tests that need coverage).
    #[cfg(test)]
    pub(super) fn is_compressed(&self, number: u32) -> bool {
        matches!(
            self.xref.entries.get(number as usize),
            Some(Entry::Compressed { .. })
        )
    }

    fn get_at_depth(&self, number: u32, depth: usize) -> Result<Option<Raw<'a>>, Unreadable> {
        if depth > MAX_RESOLVE_DEPTH {
            return Err(Unreadable(format!(
                "reading object {number} needs objects nested too deeply (a /Length loop?)"
            )));
        }
        let entry = self
            .xref
            .entries
            .get(number as usize)
            .copied()
            .unwrap_or(Entry::Missing);
        match entry {
            Entry::Missing | Entry::Free => Ok(None),
            Entry::Normal { offset, .. } => self.body_object(number, offset, depth).map(Some),
            Entry::Compressed { container, index } => {
                let stream = self.object_stream(container, depth)?;
                stream.object(number, index).map(|o| Some(Raw::Object(o)))
            }
        }
    }

    fn body_object(&self, number: u32, offset: u64, depth: usize) -> Result<Raw<'a>, Unreadable> {
        let bytes = self.bytes;
        let pos = [self.xref.base, self.xref.other_base]
            .into_iter()
            .filter_map(|base| to_pos(offset, base))
            .find(|&pos| header_at(bytes, pos).is_some_and(|(id, _)| id.0 == number))
            .ok_or_else(|| {
                Unreadable(format!(
                    "object {number}: no header `{number} g obj` at offset {offset}"
                ))
            })?;
        let (_, body) =
            indirect_at(bytes, pos).map_err(|e| Unreadable(format!("object {number}: {}", e.0)))?;
        match body {
            Body::Object(object) => Ok(Raw::Object(object)),
            Body::Stream { dict, data_start } => {
                let length = match dict.get(b"Length") {
                    Ok(Object::Reference(id)) => match self.get_at_depth(id.0, depth + 1)? {
                        Some(Raw::Object(o)) => length_value(&o)?,
                        _ => {
                            return Err(Unreadable(format!(
                                "object {number}: /Length refers to no number"
                            )));
                        }
                    },
                    Ok(direct) => length_value(direct)?,
                    Err(_) => {
                        return Err(Unreadable(format!(
                            "object {number}: stream without /Length"
                        )));
                    }
                };
                let data = stream_data(bytes, data_start, length, || self.next_object_after(pos))?;
                Ok(Raw::Stream { dict, data })
            }
        }
    }

    /// Where the object after `pos` starts (or the first xref section, or the end): the
    /// furthest a stream's data may reach when its /Length is wrong.
    fn next_object_after(&self, pos: usize) -> usize {
        let base = self.xref.base;
        self.xref
            .entries
            .iter()
            .filter_map(|e| match *e {
                Entry::Normal { offset, .. } => to_pos(offset, base),
                _ => None,
            })
            .chain(std::iter::once(self.xref.xref_start))
            .filter(|&p| p > pos)
            .min()
            .unwrap_or(self.bytes.len())
            .min(self.bytes.len())
    }

    fn object_stream(&self, number: u32, depth: usize) -> Result<Rc<ObjStm>, Unreadable> {
        if let Some(cached) = self.object_streams.get(number) {
            return Ok(cached);
        }
        let Some(Raw::Stream { dict, data }) = self.get_at_depth(number, depth + 1)? else {
            return Err(Unreadable(format!(
                "object stream {number} is missing or no stream"
            )));
        };
        if !matches!(dict.get(b"Type"), Ok(Object::Name(n)) if n == b"ObjStm") {
            return Err(Unreadable(format!(
                "object {number} is not an object stream"
            )));
        }
        let content = decode(&dict, data, &self.limits)?;
        let stream = Rc::new(ObjStm::parse(number, &dict, content)?);
        self.object_streams.insert(Rc::clone(&stream));
        Ok(stream)
    }
}
