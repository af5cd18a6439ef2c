//! `normalise` and `bundle`: normalised pages of several inputs moved into one fresh document.
//!
//! Each input is loaded, its pages are normalised in place (inherited attributes written onto
//! each page), and then only the objects reachable from its pages are moved, renumbered, into
//! the output. Catalog, outlines, old page-tree nodes and unreferenced objects stay behind, so
//! nothing leaks between inputs and the output needs no separate pruning pass.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::cover::{CoverSheet, cover_sheet};
use crate::error::{PdfError, Result};
use crate::limits::Limits;
use crate::load::{guarded, load, parse_version};
use crate::page_transform::normalise_page;
use crate::warning::Warning;

/// A normalised single document.
#[derive(Debug, Clone)]
pub struct Normalised {
    /// The PDF: every page A4 portrait, `/Rotate 0`, no crop/bleed/trim/art box.
    pub pdf: Vec<u8>,
    /// Number of pages (the same as the input's).
    pub pages: usize,
    /// What was changed beyond geometry (annotations, assumptions).
    pub warnings: Vec<Warning>,
}

/// Figures of a finished letter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LetterSummary {
    /// Pages including the cover sheet.
    pub pages: usize,
    /// Sheets of paper when printed on both sides.
    pub sheets: usize,
    /// Size of the PDF in bytes.
    pub bytes: u64,
    /// What normalisation changed, per input page.
    pub warnings: Vec<Warning>,
}

/// A letter PDF built by [`bundle`].
#[derive(Debug, Clone)]
pub struct Letter {
    /// The PDF bytes.
    pub pdf: Vec<u8>,
    /// Pages, sheets, bytes and warnings.
    pub summary: LetterSummary,
}

/// Sheets of paper needed for `pages` pages, printed on both sides (`duplex`) or one side.
#[must_use]
pub fn sheets(pages: usize, duplex: bool) -> usize {
    if duplex { pages.div_ceil(2) } else { pages }
}

/// Normalises every page of a PDF to A4 portrait (see the crate documentation).
///
/// # Errors
///
/// The load errors of [`inspect`](crate::inspect), or [`PdfError::Write`].
pub fn normalise(pdf: &[u8]) -> Result<Normalised> {
    normalise_with_limits(pdf, &Limits::default())
}

/// [`normalise`] with explicit [`Limits`].
///
/// # Errors
///
/// As [`normalise`].
pub fn normalise_with_limits(pdf: &[u8], limits: &Limits) -> Result<Normalised> {
    let mut bundler = Bundler::with_limits(*limits);
    bundler.add_pdf(pdf)?;
    let letter = bundler.finish()?;
    Ok(Normalised {
        pdf: letter.pdf,
        pages: letter.summary.pages,
        warnings: letter.summary.warnings,
    })
}

/// Builds one letter: the cover sheet (if given) followed by every document, normalised.
///
/// # Errors
///
/// The first input that cannot be used stops the bundle with its error; a cover sheet that
/// cannot be laid out gives [`PdfError::CoverLayout`].
pub fn bundle(cover: Option<&CoverSheet>, documents: &[&[u8]]) -> Result<Letter> {
    let mut bundler = Bundler::new();
    if let Some(cover) = cover {
        bundler.add_cover(cover)?;
    }
    for doc in documents {
        bundler.add_pdf(doc)?;
    }
    bundler.finish()
}

/// Incremental letter builder: add inputs one at a time (each input's bytes can be dropped
/// after [`Bundler::add_pdf`] returns), then write the result.
#[derive(Debug)]
pub struct Bundler {
    out: Document,
    next_id: u32,
    pages_id: ObjectId,
    kids: Vec<ObjectId>,
    warnings: Vec<Warning>,
    inputs: usize,
    version: (u32, u32),
    limits: Limits,
}

impl Default for Bundler {
    fn default() -> Self {
        Self::new()
    }
}

impl Bundler {
    /// An empty letter with default [`Limits`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    /// An empty letter with explicit [`Limits`] applied to every input.
    #[must_use]
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            out: Document::with_version("1.4"),
            next_id: 2,
            pages_id: (1, 0),
            kids: Vec::new(),
            warnings: Vec::new(),
            inputs: 0,
            version: (1, 4),
            limits,
        }
    }

    /// Pages added so far.
    #[must_use]
    pub fn pages(&self) -> usize {
        self.kids.len()
    }

    /// Adds a cover sheet built from `cover` as the first page, whenever it is called, so
    /// that the list of enclosed documents can be filled in after they were added.
    /// A second call replaces nothing: it adds another page in front.
    ///
    /// # Errors
    ///
    /// [`PdfError::CoverLayout`] when the data does not fit the address zones.
    pub fn add_cover(&mut self, cover: &CoverSheet) -> Result<usize> {
        let bytes = cover_sheet(cover)?;
        let before = self.kids.len();
        let added = self.add(&bytes, None)?;
        let cover_pages = self.kids.len() - before;
        self.kids.rotate_right(cover_pages);
        Ok(added)
    }

    /// Normalises `pdf` and appends its pages. Returns the number of pages added.
    ///
    /// # Errors
    ///
    /// The load errors of [`inspect`](crate::inspect); nothing is added on error.
    pub fn add_pdf(&mut self, pdf: &[u8]) -> Result<usize> {
        let input = self.inputs;
        let added = self.add(pdf, Some(input))?;
        self.inputs += 1;
        Ok(added)
    }

    fn add(&mut self, pdf: &[u8], input: Option<usize>) -> Result<usize> {
        // After a caught panic the output may hold some objects of the failed input, but none
        // of its pages (the page list is extended last): unreferenced, harmless dead weight.
        guarded(|| self.add_unguarded(pdf, input))
    }

    fn add_unguarded(&mut self, pdf: &[u8], input: Option<usize>) -> Result<usize> {
        let loaded = load(pdf, &self.limits)?;
        let total = self.kids.len() + loaded.pages.len();
        if total > self.limits.max_pages {
            return Err(PdfError::LimitExceeded {
                what: "pages",
                actual: total as u64,
                limit: self.limits.max_pages as u64,
            });
        }
        let mut doc = loaded.doc;
        // Loaded files may state a too-small /Size; new objects must not overwrite old ones.
        let highest = doc.objects.keys().map(|k| k.0).max().unwrap_or(0);
        doc.max_id = doc.max_id.max(highest);
        let mut warnings = Vec::new();
        for (i, page) in loaded.pages.iter().enumerate() {
            normalise_page(
                &mut doc,
                page,
                i + 1,
                input.unwrap_or(0),
                self.limits.max_decompressed_stream_bytes,
                &mut warnings,
            );
        }
        let page_ids: Vec<ObjectId> = loaded.pages.iter().map(|p| p.id).collect();
        let new_pages = self.move_reachable(doc, &page_ids)?;
        for id in &new_pages {
            if let Some(Object::Dictionary(d)) = self.out.objects.get_mut(id) {
                d.set("Parent", Object::Reference(self.pages_id));
            }
        }
        self.kids.extend(new_pages);
        if input.is_some() {
            self.warnings.extend(warnings);
        }
        let v = parse_version(&loaded.version);
        if v > self.version && v <= (2, 0) {
            self.version = v;
        }
        Ok(page_ids.len())
    }

    /// Moves every object reachable from `pages` into the output under new ids.
    fn move_reachable(&mut self, mut src: Document, pages: &[ObjectId]) -> Result<Vec<ObjectId>> {
        let mut map: HashMap<ObjectId, ObjectId> = HashMap::new();
        let mut order: Vec<ObjectId> = Vec::new();
        let mut queue: VecDeque<ObjectId> = VecDeque::new();
        let mut skipped: HashSet<ObjectId> = HashSet::new();
        for id in pages {
            if !map.contains_key(id) {
                let new = self.fresh_id()?;
                map.insert(*id, new);
                order.push(*id);
                queue.push_back(*id);
            }
        }
        while let Some(id) = queue.pop_front() {
            let Some(obj) = src.objects.get(&id) else {
                continue;
            };
            let mut stack: Vec<&Object> = vec![obj];
            while let Some(o) = stack.pop() {
                match o {
                    Object::Reference(r) => {
                        if map.contains_key(r) || skipped.contains(r) {
                            continue;
                        }
                        if is_structural(src.objects.get(r)) {
                            // Old catalogs and page-tree nodes must not come along.
                            skipped.insert(*r);
                            continue;
                        }
                        let new = self.fresh_id()?;
                        map.insert(*r, new);
                        order.push(*r);
                        queue.push_back(*r);
                    }
                    Object::Array(a) => stack.extend(a.iter()),
                    Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| v)),
                    Object::Stream(s) => stack.extend(s.dict.iter().map(|(_, v)| v)),
                    _ => {}
                }
            }
        }
        for old in order {
            let Some(new) = map.get(&old).copied() else {
                continue;
            };
            // A dangling reference becomes null, which is what readers make of it.
            let mut obj = src.objects.remove(&old).unwrap_or(Object::Null);
            rewrite_refs(&mut obj, &map);
            self.out.objects.insert(new, obj);
        }
        Ok(pages.iter().filter_map(|p| map.get(p).copied()).collect())
    }

    fn fresh_id(&mut self) -> Result<ObjectId> {
        let id = self.next_id;
        if id as usize > self.limits.max_objects.saturating_mul(4) {
            return Err(PdfError::LimitExceeded {
                what: "objects in the letter",
                actual: u64::from(id),
                limit: self.limits.max_objects as u64 * 4,
            });
        }
        self.next_id += 1;
        Ok((id, 0))
    }

    /// Writes the letter to `target` and returns its figures.
    ///
    /// # Errors
    ///
    /// [`PdfError::NoPages`] when nothing was added, [`PdfError::Write`] when writing fails.
    pub fn write_to<W: Write>(mut self, target: &mut W) -> Result<LetterSummary> {
        if self.kids.is_empty() {
            return Err(PdfError::NoPages);
        }
        let pages = self.kids.len();
        let catalog_id = (self.next_id, 0);
        self.next_id += 1;
        let mut pages_dict = Dictionary::new();
        pages_dict.set("Type", Object::Name(b"Pages".to_vec()));
        pages_dict.set("Count", Object::Integer(pages as i64));
        pages_dict.set(
            "Kids",
            Object::Array(self.kids.iter().map(|k| Object::Reference(*k)).collect()),
        );
        self.out
            .objects
            .insert(self.pages_id, Object::Dictionary(pages_dict));
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(self.pages_id));
        self.out
            .objects
            .insert(catalog_id, Object::Dictionary(catalog));
        self.out.trailer.set("Root", Object::Reference(catalog_id));
        self.out.max_id = self.next_id - 1;
        self.out.version = format!("{}.{}", self.version.0, self.version.1);
        let mut counting = CountingWriter {
            inner: target,
            bytes: 0,
        };
        self.out
            .save_to(&mut counting)
            .map_err(|e| PdfError::Write {
                reason: e.to_string(),
            })?;
        counting.flush().map_err(|e| PdfError::Write {
            reason: e.to_string(),
        })?;
        Ok(LetterSummary {
            pages,
            sheets: sheets(pages, true),
            bytes: counting.bytes,
            warnings: self.warnings,
        })
    }

    /// Writes the letter into memory.
    ///
    /// # Errors
    ///
    /// As [`Bundler::write_to`].
    pub fn finish(self) -> Result<Letter> {
        let mut pdf = Vec::new();
        let summary = self.write_to(&mut pdf)?;
        Ok(Letter { pdf, summary })
    }
}

fn is_structural(obj: Option<&Object>) -> bool {
    matches!(obj, Some(Object::Dictionary(d)) if d.get_type().is_ok_and(|t| t == b"Pages" || t == b"Catalog"))
}

/// Renumbers every reference inside `obj`; references to objects not moved become null.
fn rewrite_refs(obj: &mut Object, map: &HashMap<ObjectId, ObjectId>) {
    let mut stack: Vec<&mut Object> = vec![obj];
    while let Some(o) = stack.pop() {
        match o {
            Object::Reference(r) => match map.get(r) {
                Some(new) => *r = *new,
                None => *o = Object::Null,
            },
            Object::Array(a) => stack.extend(a.iter_mut()),
            Object::Dictionary(d) => stack.extend(d.iter_mut().map(|(_, v)| v)),
            Object::Stream(s) => stack.extend(s.dict.iter_mut().map(|(_, v)| v)),
            _ => {}
        }
    }
}

struct CountingWriter<'a, W: Write> {
    inner: &'a mut W,
    bytes: u64,
}

impl<W: Write> Write for CountingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
