//! Objects of a lazily read file, parsed once when first looked at.
//!
//! Normalisation looks at a handful of objects per page (page dictionaries, boxes,
//! annotations, content stream dictionaries) and changes some of them, so those are kept
//! once parsed. Everything else is parsed only when it is copied into the letter and
//! dropped right after, which keeps memory near the size of the input.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};

use lopdf::{Dictionary, Object, ObjectId, Stream};

use crate::doc::Taken;
use crate::lazy::{LazyFile, Raw, Unreadable};
use crate::limits::Limits;

/// Object numbers may be sparse; beyond this many slots per object the file is loaded in
/// full instead (a crafted `/Index` must not make us allocate a slot per number).
const SLOTS_PER_OBJECT: usize = 4;

/// One parsed object; streams keep their data in the input.
struct Cached<'a> {
    obj: Object,
    data: Option<&'a [u8]>,
}

/// A lazily read file with a cache of the objects looked at.
pub(crate) struct LazySource<'a> {
    file: LazyFile<'a>,
    /// Indexed by object number; `Some(None)` is a missing or unreadable object.
    slots: Vec<OnceCell<Option<Box<Cached<'a>>>>>,
    /// Numbers of the slots filled, so that forgetting them does not scan every slot.
    filled: RefCell<Vec<u32>>,
    failure: RefCell<Option<String>>,
}

impl<'a> LazySource<'a> {
    /// Opens `bytes` for lazy reading; `Err` when the file needs lopdf's full loader.
    pub(crate) fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, Unreadable> {
        let file = LazyFile::open(bytes, limits)?;
        let slots = file.max_id() as usize;
        let bound = file
            .object_count()
            .saturating_mul(SLOTS_PER_OBJECT)
            .saturating_add(1024)
            .min(limits.max_objects.saturating_add(1));
        if slots > bound {
            return Err(Unreadable(format!(
                "object numbers up to {slots} for {} objects",
                file.object_count()
            )));
        }
        Ok(Self {
            slots: std::iter::repeat_with(OnceCell::new).take(slots).collect(),
            file,
            filled: RefCell::new(Vec::new()),
            failure: RefCell::new(None),
        })
    }

    /// What the reader failed on, if anything.
    pub(crate) fn failure(&self) -> Option<String> {
        self.failure.borrow().clone()
    }

    pub(crate) fn trailer(&self) -> &Dictionary {
        self.file.trailer()
    }

    pub(crate) fn version(&self) -> &str {
        self.file.version()
    }

    /// One past the highest object number.
    pub(crate) fn max_id(&self) -> u32 {
        self.file.max_id()
    }

    fn cached(&self, id: ObjectId) -> Option<&Cached<'a>> {
        let slot = self.slots.get(id.0 as usize)?;
        slot.get_or_init(|| match self.file.get(id) {
            Ok(raw) => {
                self.filled.borrow_mut().push(id.0);
                raw.map(|r| Box::new(cache(r)))
            }
            Err(Unreadable(why)) => {
                self.failure.borrow_mut().get_or_insert(why);
                None
            }
        })
        .as_deref()
    }

    pub(crate) fn get(&self, id: ObjectId) -> Option<&Object> {
        self.cached(id).map(|c| &c.obj)
    }

    pub(crate) fn get_mut(&mut self, id: ObjectId) -> Option<&mut Object> {
        self.cached(id)?;
        let slot = self.slots.get_mut(id.0 as usize)?;
        slot.get_mut()?.as_deref_mut().map(|c| &mut c.obj)
    }

    /// Forgets the parsed object; only for objects not changed in place.
    pub(crate) fn evict(&mut self, id: ObjectId) {
        if let Some(slot) = self.slots.get_mut(id.0 as usize) {
            slot.take();
        }
    }

    /// Forgets every parsed object; only when none of them was changed in place.
    pub(crate) fn forget_all(&mut self) {
        for n in self.filled.get_mut().drain(..) {
            if let Some(slot) = self.slots.get_mut(n as usize) {
                slot.take();
            }
        }
    }

    /// The encoded data of a stream that was looked at.
    pub(crate) fn stream_data(&self, id: ObjectId) -> Option<&'a [u8]> {
        self.cached(id)?.data
    }

    /// The object for writing: the kept (perhaps changed) one, or parsed afresh and not kept.
    pub(crate) fn take(&mut self, id: ObjectId) -> Result<Option<Taken<'a>>, String> {
        let Some(slot) = self.slots.get_mut(id.0 as usize) else {
            return Ok(None);
        };
        match slot.take() {
            Some(Some(cached)) => Ok(Some(taken(cached.obj, cached.data))),
            // Missing, or unreadable: the caller checks `failure` before copying.
            Some(None) => Ok(None),
            None => match self.file.get(id) {
                Ok(Some(Raw::Object(obj))) => Ok(Some(Taken::Object(obj))),
                Ok(Some(Raw::Stream { dict, data })) => {
                    Ok(Some(Taken::Stream(dict, Cow::Borrowed(data))))
                }
                Ok(None) => Ok(None),
                Err(Unreadable(why)) => Err(why),
            },
        }
    }
}

fn cache(raw: Raw<'_>) -> Cached<'_> {
    match raw {
        Raw::Object(obj) => Cached { obj, data: None },
        Raw::Stream { dict, data } => Cached {
            obj: Object::Stream(Stream {
                dict,
                content: Vec::new(),
                allows_compression: true,
                start_position: None,
            }),
            data: Some(data),
        },
    }
}

fn taken<'a>(obj: Object, data: Option<&'a [u8]>) -> Taken<'a> {
    match (obj, data) {
        (Object::Stream(s), Some(data)) => Taken::Stream(s.dict, Cow::Borrowed(data)),
        (Object::Stream(s), None) => Taken::Stream(s.dict, Cow::Owned(s.content)),
        (other, _) => Taken::Object(other),
    }
}
