//! One view of a loaded input, whichever way it was read.
//!
//! Normalisation, inspection and the copy into a letter only ever ask for single objects by
//! id, so they work on this view and do not care whether the file was read lazily (objects
//! parsed on demand straight from the input bytes, stream data never copied) or loaded in
//! full by lopdf (damaged files that need reconstruction, encrypted files that need
//! decryption). Objects created while normalising live next to the source, numbered above
//! everything the source holds, so they can never collide with an original object.

use std::borrow::Cow;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::lazy_source::LazySource;

/// How many references are followed before giving up (reference chains can loop).
const DEREF_LIMIT: usize = 32;

/// A loaded input: the source objects plus the objects normalisation added.
pub(crate) struct Doc<'a> {
    source: Source<'a>,
    added: Vec<Object>,
    first_added: u32,
}

#[allow(clippy::large_enum_variant)] // one per loaded input, never in a collection
enum Source<'a> {
    /// Loaded in full by lopdf; stream data lives in the objects.
    Full(Document),
    /// Read on demand from the input bytes.
    Lazy(LazySource<'a>),
}

/// An object taken out of the document for writing.
pub(crate) enum Taken<'a> {
    /// Any object but a stream.
    Object(Object),
    /// A stream's dictionary and its encoded data.
    Stream(Dictionary, Cow<'a, [u8]>),
}

impl<'a> Doc<'a> {
    /// A document loaded in full by lopdf.
    pub(crate) fn full(doc: Document) -> Self {
        let highest = doc.objects.keys().map(|k| k.0).max().unwrap_or(0);
        let first_added = doc.max_id.max(highest).saturating_add(1);
        Doc {
            source: Source::Full(doc),
            added: Vec::new(),
            first_added,
        }
    }

    /// A document read on demand.
    pub(crate) fn lazy(source: LazySource<'a>) -> Doc<'a> {
        let first_added = source.max_id();
        Doc {
            source: Source::Lazy(source),
            added: Vec::new(),
            first_added,
        }
    }

    /// Whether the objects are read on demand (not loaded in full by lopdf).
    #[cfg(test)]
    pub(crate) fn is_lazy(&self) -> bool {
        matches!(self.source, Source::Lazy(_))
    }

    /// Whether the lazy reader met something it could not read; the caller then loads the
    /// file in full instead of trusting partial answers.
    pub(crate) fn lazy_failure(&self) -> Option<String> {
        match &self.source {
            Source::Full(_) => None,
            Source::Lazy(l) => l.failure(),
        }
    }

    /// The trailer dictionary.
    pub(crate) fn trailer(&self) -> &Dictionary {
        match &self.source {
            Source::Full(d) => &d.trailer,
            Source::Lazy(l) => l.trailer(),
        }
    }

    /// The version in the file header.
    pub(crate) fn header_version(&self) -> &str {
        match &self.source {
            Source::Full(d) => &d.version,
            Source::Lazy(l) => l.version(),
        }
    }

    /// The document catalog.
    pub(crate) fn catalog(&self) -> Option<&Dictionary> {
        let root = self.trailer().get(b"Root").ok()?;
        deref(self, root)?.as_dict().ok()
    }

    /// The object with this id; `None` for a dangling reference.
    pub(crate) fn get(&self, id: ObjectId) -> Option<&Object> {
        if let Some(i) = self.added_index(id) {
            return self.added.get(i);
        }
        match &self.source {
            Source::Full(d) => d.objects.get(&id),
            Source::Lazy(l) => l.get(id),
        }
    }

    /// The object with this id, for changing it in place.
    pub(crate) fn get_mut(&mut self, id: ObjectId) -> Option<&mut Object> {
        if let Some(i) = self.added_index(id) {
            return self.added.get_mut(i);
        }
        match &mut self.source {
            Source::Full(d) => d.objects.get_mut(&id),
            Source::Lazy(l) => l.get_mut(id),
        }
    }

    /// Drops the parsed copy of an unchanged, lazily read object (it is parsed again when
    /// needed); keeps memory flat between walking the page tree and working page by page.
    pub(crate) fn evict(&mut self, id: ObjectId) {
        if let Source::Lazy(l) = &mut self.source {
            l.evict(id);
        }
    }

    /// Drops every parsed copy of lazily read objects; only when none was changed in place
    /// (between pages: the one page changed was written).
    pub(crate) fn forget_parsed(&mut self) {
        if let Source::Lazy(l) = &mut self.source {
            l.forget_all();
        }
    }

    /// Adds a new object and returns its id.
    pub(crate) fn add(&mut self, obj: impl Into<Object>) -> ObjectId {
        let id = (
            self.first_added
                .saturating_add(u32::try_from(self.added.len()).unwrap_or(u32::MAX)),
            0,
        );
        self.added.push(obj.into());
        id
    }

    fn added_index(&self, id: ObjectId) -> Option<usize> {
        id.0.checked_sub(self.first_added)
            .map(|i| i as usize)
            .filter(|i| *i < self.added.len())
    }

    /// A stream's dictionary and encoded data.
    pub(crate) fn stream(&self, id: ObjectId) -> Option<(&Dictionary, &[u8])> {
        match self.get(id)? {
            Object::Stream(s) => match (&self.source, self.added_index(id)) {
                (Source::Lazy(l), None) => Some((&s.dict, l.stream_data(id)?)),
                _ => Some((&s.dict, s.content.as_slice())),
            },
            _ => None,
        }
    }

    /// A stream's decoded data, at most `limit` bytes.
    pub(crate) fn decoded(&self, id: ObjectId, limit: usize) -> lopdf::Result<Vec<u8>> {
        let (dict, data) = self.stream(id).ok_or(lopdf::Error::ObjectNotFound(id))?;
        crate::lazy::decode_stream(dict, data, limit)
    }

    /// The ids of a page's content streams, in order.
    pub(crate) fn page_contents(&self, page: ObjectId) -> Vec<ObjectId> {
        let mut streams = Vec::new();
        let Some(Object::Dictionary(dict)) = self.get(page) else {
            return streams;
        };
        let Ok(mut contents) = dict.get(b"Contents") else {
            return streams;
        };
        for _ in 0..DEREF_LIMIT {
            match contents {
                Object::Reference(id) => match self.get(*id) {
                    None | Some(Object::Stream(_)) => {
                        streams.push(*id);
                        break;
                    }
                    Some(o) => contents = o,
                },
                Object::Array(arr) => {
                    streams.extend(arr.iter().filter_map(|c| c.as_reference().ok()));
                    break;
                }
                _ => break,
            }
        }
        streams
    }

    /// A page's content, its streams decoded and joined by newlines, bounded by `limit`
    /// bytes in total. A stream that cannot be decoded counts with its raw bytes, as
    /// readers do.
    pub(crate) fn page_content(&self, page: ObjectId, limit: usize) -> lopdf::Result<Vec<u8>> {
        let exceeded = || lopdf::DecompressError::MemoryLimitExceeded { limit }.into();
        let mut content = Vec::new();
        for id in self.page_contents(page) {
            let remaining = limit.saturating_sub(content.len());
            let data = match self.decoded(id, remaining) {
                Ok(d) => d,
                Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                })) => return Err(exceeded()),
                Err(_) => match self.stream(id) {
                    Some((_, raw)) if raw.len() <= remaining => raw.to_vec(),
                    Some(_) => return Err(exceeded()),
                    None => continue,
                },
            };
            if content.len() + data.len() + 1 > limit {
                return Err(exceeded());
            }
            content.extend_from_slice(&data);
            content.push(b'\n');
        }
        Ok(content)
    }

    /// An object for writing (modified or added objects included); each is written once.
    ///
    /// Lazily read objects that were never looked at are parsed here and not kept, so the
    /// copy holds one object at a time, and the source can still be read afterwards.
    /// `Err` means the lazy reader failed on the object.
    pub(crate) fn take(&mut self, id: ObjectId) -> Result<Option<Taken<'a>>, String> {
        if let Some(i) = self.added_index(id) {
            let obj = std::mem::replace(&mut self.added[i], Object::Null);
            return Ok(Some(split_stream(obj)));
        }
        match &mut self.source {
            // A copy: an object shared by several pages is read again by the later ones.
            Source::Full(d) => Ok(d.objects.get(&id).cloned().map(split_stream)),
            Source::Lazy(l) => l.take(id),
        }
    }
}

fn split_stream(obj: Object) -> Taken<'static> {
    match obj {
        Object::Stream(s) => Taken::Stream(s.dict, Cow::Owned(s.content)),
        other => Taken::Object(other),
    }
}

/// Follows references (bounded) to the object they name.
pub(crate) fn deref<'d>(doc: &'d Doc<'_>, mut obj: &'d Object) -> Option<&'d Object> {
    for _ in 0..DEREF_LIMIT {
        match obj {
            Object::Reference(id) => obj = doc.get(*id)?,
            other => return Some(other),
        }
    }
    None
}

/// The id of the object at the end of a chain of references.
pub(crate) fn deref_id(doc: &Doc<'_>, obj: &Object) -> Option<ObjectId> {
    let mut id = obj.as_reference().ok()?;
    for _ in 0..DEREF_LIMIT {
        match doc.get(id)? {
            Object::Reference(next) => id = *next,
            _ => return Some(id),
        }
    }
    None
}

/// A number, following references.
pub(crate) fn as_number(doc: &Doc<'_>, obj: &Object) -> Option<f64> {
    match deref(doc, obj)? {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}
