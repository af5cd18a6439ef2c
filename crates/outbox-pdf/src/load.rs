//! Loading untrusted bytes, and walking the page tree ourselves.
//!
//! Files are read lazily when their cross-reference data is intact and they are not
//! encrypted (almost always); anything the lazy reader cannot read is loaded in full by
//! lopdf, which reconstructs damaged files and decrypts those without a user password.
//! lopdf's own page iterator neither reports loops nor resolves inherited `MediaBox`,
//! `CropBox` and `Rotate`, and it loads password-protected files as `Ok` with no pages, so
//! this module walks the page tree itself and turns every failure into a distinct
//! [`PdfError`].

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::doc::{Doc, deref};
use crate::error::{PdfError, Result};
use crate::lazy::HEADER_SEARCH_BYTES;
use crate::lazy_source::LazySource;
use crate::limits::Limits;

/// A loaded, decrypted document with its page leaves in order.
pub(crate) struct Loaded<'a> {
    pub(crate) doc: Doc<'a>,
    pub(crate) pages: Vec<PageRef>,
    pub(crate) was_encrypted: bool,
    pub(crate) version: String,
}

/// One page leaf and the inheritable attributes found on its ancestors (nearest wins).
#[derive(Debug, Clone)]
pub(crate) struct PageRef {
    pub(crate) id: ObjectId,
    /// Shared by all pages under the same node: a long document holds one per node.
    pub(crate) inherited: Rc<Inherited>,
}

/// Inheritable page attributes (ISO 32000-1, 7.7.3.4), unresolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct Inherited {
    pub(crate) media_box: Option<Object>,
    pub(crate) crop_box: Option<Object>,
    pub(crate) rotate: Option<Object>,
    pub(crate) resources: Option<Object>,
}

impl Inherited {
    /// The node's own attributes override what its ancestors gave.
    fn overlaid_with(&self, node: &Dictionary) -> Inherited {
        let own = |key: &[u8], parent: &Option<Object>| {
            node.get(key).ok().cloned().or_else(|| parent.clone())
        };
        Inherited {
            media_box: own(b"MediaBox", &self.media_box),
            crop_box: own(b"CropBox", &self.crop_box),
            rotate: own(b"Rotate", &self.rotate),
            resources: own(b"Resources", &self.resources),
        }
    }
}

/// Checks size and header, reads lazily or else loads in full with bounded decompression,
/// rejects encrypted and empty files.
pub(crate) fn load<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Loaded<'a>> {
    let size = bytes.len() as u64;
    if size > limits.max_input_bytes {
        return Err(PdfError::LimitExceeded {
            what: "file size in bytes",
            actual: size,
            limit: limits.max_input_bytes,
        });
    }
    let head = &bytes[..bytes.len().min(HEADER_SEARCH_BYTES)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfError::NotPdf);
    }
    match load_lazy(bytes, limits) {
        Some(loaded) => Ok(loaded),
        None => load_full(bytes, limits),
    }
}

/// The lazy reading, or `None` when anything in it failed: lopdf then gets the last word,
/// on the file and on the error.
fn load_lazy<'a>(bytes: &'a [u8], limits: &Limits) -> Option<Loaded<'a>> {
    let source = catch_unwind(AssertUnwindSafe(|| LazySource::open(bytes, limits)))
        .ok()?
        .ok()?;
    let mut doc = Doc::lazy(source);
    let pages = catch_unwind(AssertUnwindSafe(|| page_leaves(&mut doc, limits)))
        .ok()?
        .ok()?;
    if pages.is_empty() || doc.lazy_failure().is_some() {
        return None;
    }
    doc.forget_parsed();
    let version = effective_version(&doc);
    Some(Loaded {
        doc,
        pages,
        was_encrypted: false,
        version,
    })
}

/// Loads `bytes` and runs `f` on them. When the lazy reader failed on an object that `f`
/// looked at, `f`'s answer is thrown away and it runs again on a full load.
pub(crate) fn analyse<'a, T>(
    bytes: &'a [u8],
    limits: &Limits,
    mut f: impl FnMut(&mut Loaded<'a>) -> T,
) -> Result<(Loaded<'a>, T)> {
    // Objects are parsed while `f` runs; a panic in there must not take the caller down.
    guarded(|| {
        let mut loaded = load(bytes, limits)?;
        let answer = f(&mut loaded);
        if loaded.doc.lazy_failure().is_none() {
            return Ok((loaded, answer));
        }
        let mut loaded = load_full(bytes, limits)?;
        let answer = f(&mut loaded);
        Ok((loaded, answer))
    })
}

/// Loads the whole file with lopdf (reconstructing damaged cross-reference data, decrypting).
pub(crate) fn load_full<'a>(bytes: &[u8], limits: &Limits) -> Result<Loaded<'a>> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(limits.max_decompressed_stream_bytes),
        ..Default::default()
    };
    // Callers run inside `guarded`, which turns a panic of lopdf into `Damaged`.
    let doc = Document::load_mem_with_options(bytes, options).map_err(map_lopdf_error)?;
    if doc.is_encrypted() {
        // lopdf could not decrypt with the empty password: the file needs a user password.
        return Err(PdfError::PasswordRequired);
    }
    if doc.objects.len() > limits.max_objects {
        return Err(PdfError::LimitExceeded {
            what: "objects",
            actual: doc.objects.len() as u64,
            limit: limits.max_objects as u64,
        });
    }
    let was_encrypted = doc.was_encrypted();
    let mut doc = Doc::full(doc);
    let pages = page_leaves(&mut doc, limits)?;
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    let version = effective_version(&doc);
    Ok(Loaded {
        doc,
        pages,
        was_encrypted,
        version,
    })
}

/// Runs `f`, turning a panic inside the PDF library into [`PdfError::Damaged`].
///
/// lopdf has had panics on crafted files (#532); a letter must fail, not the process.
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(PdfError::damaged(
            "the PDF library gave up on its structure",
        ))
    })
}

pub(crate) fn map_lopdf_error(e: lopdf::Error) -> PdfError {
    use lopdf::Error as E;
    match e {
        E::InvalidPassword | E::Decryption(_) => PdfError::PasswordRequired,
        E::UnsupportedSecurityHandler(h) => PdfError::Unsupported {
            what: format!("security handler {}", String::from_utf8_lossy(&h)),
        },
        E::Unimplemented(what) => PdfError::Unsupported {
            what: what.to_string(),
        },
        E::Decompress(lopdf::DecompressError::MemoryLimitExceeded { limit }) => {
            PdfError::LimitExceeded {
                what: "decompressed stream size in bytes",
                actual: limit as u64 + 1,
                limit: limit as u64,
            }
        }
        other => PdfError::damaged(other.to_string()),
    }
}

/// The header version, raised by a catalog `/Version` written by an incremental update.
fn effective_version(doc: &Doc<'_>) -> String {
    let header = doc.header_version().to_string();
    let catalog = doc
        .catalog()
        .and_then(|c| c.get(b"Version").ok())
        .and_then(|v| v.as_name().ok())
        .map(|n| String::from_utf8_lossy(n).into_owned());
    match catalog {
        Some(c) if parse_version(&c) > parse_version(&header) => c,
        _ => header,
    }
}

/// "1.7" → (1, 7); anything unparsable sorts lowest.
pub(crate) fn parse_version(v: &str) -> (u32, u32) {
    let mut parts = v.trim().splitn(2, '.');
    let major = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor)
}

/// The page leaves in document order; counts leaves, never trusts `/Count`.
///
/// Lazily read leaves are dropped again once seen: work on pages parses them anew, one
/// at a time, so that a long document's page dictionaries are never all held at once.
fn page_leaves(doc: &mut Doc<'_>, limits: &Limits) -> Result<Vec<PageRef>> {
    let catalog = doc
        .catalog()
        .ok_or_else(|| PdfError::damaged("the document catalog is missing"))?;
    let root = match catalog.get(b"Pages") {
        Ok(Object::Reference(id)) => *id,
        _ => return Err(PdfError::damaged("the catalog has no page tree")),
    };
    let mut pages = Vec::new();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    // Depth-first with an explicit stack: kids are pushed in reverse to pop in order.
    let mut stack: Vec<(ObjectId, usize, Rc<Inherited>)> =
        vec![(root, 0, Rc::new(Inherited::default()))];
    while let Some((id, depth, inherited)) = stack.pop() {
        if !seen.insert(id) {
            return Err(PdfError::damaged("the page tree contains a loop"));
        }
        if depth > limits.max_page_tree_depth {
            return Err(PdfError::LimitExceeded {
                what: "page tree depth",
                actual: depth as u64,
                limit: limits.max_page_tree_depth as u64,
            });
        }
        let node = match doc.get(id) {
            Some(Object::Dictionary(d)) => d,
            Some(_) => {
                return Err(PdfError::damaged(format!(
                    "page tree node {} {} is not a dictionary",
                    id.0, id.1
                )));
            }
            None => {
                return Err(PdfError::damaged(format!(
                    "page tree object {} {} is missing",
                    id.0, id.1
                )));
            }
        };
        let is_page = node.get_type().is_ok_and(|t| t == b"Page");
        let kids = node
            .get(b"Kids")
            .ok()
            .and_then(|k| deref(doc, k))
            .and_then(|k| k.as_array().ok());
        match (is_page, kids) {
            (false, Some(kids)) => {
                let inherited = Rc::new(inherited.overlaid_with(node));
                for kid in kids.iter().rev() {
                    match kid {
                        Object::Reference(kid_id) => {
                            stack.push((*kid_id, depth + 1, Rc::clone(&inherited)))
                        }
                        Object::Null => {}
                        _ => return Err(PdfError::damaged("a page is not an indirect object")),
                    }
                }
            }
            (true, _) | (false, None) => {
                if depth == 0 && !is_page {
                    // A /Pages root without /Kids holds no page.
                    continue;
                }
                pages.push(PageRef { id, inherited });
                if pages.len() > limits.max_pages {
                    return Err(PdfError::LimitExceeded {
                        what: "pages",
                        actual: pages.len() as u64,
                        limit: limits.max_pages as u64,
                    });
                }
            }
        }
        if pages.last().is_some_and(|p| p.id == id) {
            doc.evict(id);
        }
    }
    Ok(pages)
}
