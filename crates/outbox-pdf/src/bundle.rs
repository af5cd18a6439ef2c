//! `normalise` and `bundle`: normalised pages of several inputs moved into one fresh document.
//!
//! Each input is loaded, its pages are normalised in place (inherited attributes written onto
//! each page), and then only the objects reachable from its pages are moved, renumbered, into
//! the output. Catalog, outlines, old page-tree nodes and unreferenced objects stay behind, so
//! nothing leaks between inputs and the output needs no separate pruning pass.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::Write;

use lopdf::{Dictionary, Object, ObjectId};

use crate::cover::{CoverSheet, cover_sheet};
use crate::doc::{Doc, Taken};
use crate::error::{PdfError, Result};
use crate::limits::Limits;
use crate::load::{Loaded, guarded, load, load_full, parse_version};
use crate::page_transform::normalise_page;
use crate::sink::{HEADER_VERSION, PdfSink};
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

/// Incremental letter builder: add inputs one at a time, then finish.
///
/// Each input's objects are written out while it is added, so memory stays near the size
/// of the largest input, not of the letter: [`Bundler::new`] collects the letter in memory,
/// [`Bundler::writing_to`] streams it to a file or socket. Each input's bytes can be dropped
/// as soon as [`Bundler::add_pdf`] returns.
///
/// ```no_run
/// use std::io::BufWriter;
/// use outbox_pdf::{Bundler, Limits};
///
/// let out = BufWriter::new(std::fs::File::create("letter.pdf")?);
/// let mut bundler = Bundler::writing_to(out, Limits::default());
/// for path in ["a.pdf", "b.pdf"] {
///     bundler.add_pdf(&std::fs::read(path)?)?;
/// }
/// let (_file, summary) = bundler.close()?;
/// println!("{} pages on {} sheets", summary.pages, summary.sheets);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Bundler<W: Write = Vec<u8>> {
    sink: PdfSink<W>,
    /// Set after a write failed: the output is incomplete and stays so.
    broken: Option<String>,
    next_id: u32,
    kids: Vec<u32>,
    warnings: Vec<Warning>,
    inputs: usize,
    version: (u32, u32),
    limits: Limits,
}

/// The page tree root; every copied page points at it.
const PAGES_ID: u32 = 1;

impl<W: Write> fmt::Debug for Bundler<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bundler")
            .field("pages", &self.kids.len())
            .field("inputs", &self.inputs)
            .field("bytes_written", &self.sink.written())
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

impl Default for Bundler {
    fn default() -> Self {
        Self::new()
    }
}

impl Bundler {
    /// An empty letter, collected in memory, with default [`Limits`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    /// An empty letter, collected in memory, with explicit [`Limits`] applied to every input.
    #[must_use]
    pub fn with_limits(limits: Limits) -> Self {
        Self::writing_to(Vec::new(), limits)
    }

    /// Finishes the letter and returns it.
    ///
    /// # Errors
    ///
    /// As [`Bundler::close`].
    pub fn finish(self) -> Result<Letter> {
        let (pdf, summary) = self.close()?;
        Ok(Letter { pdf, summary })
    }
}

impl<W: Write> Bundler<W> {
    /// An empty letter written to `out` as inputs are added (wrap files in a
    /// `BufWriter`). If adding an input fails, the letter can still be finished with the
    /// inputs added before; a failed write ends it.
    #[must_use]
    pub fn writing_to(out: W, limits: Limits) -> Self {
        Self {
            sink: PdfSink::new(out),
            broken: None,
            next_id: PAGES_ID + 1,
            kids: Vec::new(),
            warnings: Vec::new(),
            inputs: 0,
            version: HEADER_VERSION,
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
    /// [`PdfError::CoverLayout`] when the data does not fit the address zones,
    /// [`PdfError::Write`] when writing fails.
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
    /// The load errors of [`inspect`](crate::inspect), [`PdfError::Write`] when writing
    /// fails; no page is added on error.
    pub fn add_pdf(&mut self, pdf: &[u8]) -> Result<usize> {
        let input = self.inputs;
        let added = self.add(pdf, Some(input))?;
        self.inputs += 1;
        Ok(added)
    }

    fn add(&mut self, pdf: &[u8], input: Option<usize>) -> Result<usize> {
        if let Some(reason) = &self.broken {
            return Err(PdfError::Write {
                reason: reason.clone(),
            });
        }
        // After a caught panic or a failed input the output may hold some of its objects,
        // but none of its pages (the page list is extended last): unreferenced dead weight.
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
        if let Some(added) = self.add_loaded(loaded, input)? {
            return Ok(added);
        }
        // The lazy reader failed on an object: start over from a full load; what was
        // written so far stays behind, unreferenced.
        let full = load_full(pdf, &self.limits)?;
        self.add_loaded(full, input)?
            .ok_or_else(|| PdfError::damaged("an object could not be read"))
    }

    /// Normalises and copies page after page, so that at most one page's objects are held
    /// at a time. `None` when the lazy reader failed on an object.
    pub(crate) fn add_loaded(
        &mut self,
        mut loaded: Loaded<'_>,
        input: Option<usize>,
    ) -> Result<Option<usize>> {
        // Every page gets its number first: a page reached through a reference from another
        // page (a link destination) is written in its own turn, normalised.
        let mut map: HashMap<ObjectId, u32> = HashMap::new();
        let mut new_pages = Vec::with_capacity(loaded.pages.len());
        for page in &loaded.pages {
            let new = self.fresh_id()?;
            map.insert(page.id, new);
            new_pages.push(new);
        }
        let mut warnings = Vec::new();
        for (i, page) in loaded.pages.iter().enumerate() {
            normalise_page(
                &mut loaded.doc,
                page,
                i + 1,
                input.unwrap_or(0),
                self.limits.max_decompressed_stream_bytes,
                &mut warnings,
            );
            if loaded.doc.lazy_failure().is_some()
                || !self.copy_page(&mut loaded.doc, page.id, &mut map)?
            {
                return Ok(None);
            }
            // What this page's normalisation looked at but did not copy (dropped
            // annotations, shared resources) is parsed again if another page needs it.
            loaded.doc.forget_parsed();
        }
        self.kids.extend(new_pages);
        if input.is_some() {
            self.warnings.extend(warnings);
        }
        let v = parse_version(&loaded.version);
        if v > self.version && v <= (2, 0) {
            self.version = v;
        }
        Ok(Some(loaded.pages.len()))
    }

    /// Writes `page` and every object reachable from it that was not written yet; `false`
    /// when the lazy reader failed on an object.
    fn copy_page(
        &mut self,
        doc: &mut Doc<'_>,
        page: ObjectId,
        map: &mut HashMap<ObjectId, u32>,
    ) -> Result<bool> {
        let mut queue: VecDeque<ObjectId> = VecDeque::from([page]);
        while let Some(old) = queue.pop_front() {
            let new = map[&old];
            let Ok(taken) = doc.take(old) else {
                return Ok(false);
            };
            let written = match taken {
                // A dangling reference is null, which is what readers make of it.
                None => self.sink.object(new, &Object::Null),
                Some(Taken::Object(mut obj)) => {
                    if old != page && is_structural(&obj) {
                        // Old catalogs and page-tree nodes must not come along.
                        obj = Object::Null;
                    }
                    self.renumber(&mut obj, map, &mut queue)?;
                    if old == page
                        && let Object::Dictionary(d) = &mut obj
                    {
                        d.set("Parent", Object::Reference((PAGES_ID, 0)));
                    }
                    self.sink.object(new, &obj)
                }
                Some(Taken::Stream(mut dict, data)) => {
                    // The length is written from the data; an indirect one is not needed.
                    dict.remove(b"Length");
                    for (_, value) in dict.iter_mut() {
                        self.renumber(value, map, &mut queue)?;
                    }
                    self.sink.stream(new, &dict, &data)
                }
            };
            written.map_err(|e| self.fail(&e))?;
        }
        Ok(true)
    }

    /// Gives every reference inside `obj` its new number, queueing objects met first here.
    fn renumber(
        &mut self,
        obj: &mut Object,
        map: &mut HashMap<ObjectId, u32>,
        queue: &mut VecDeque<ObjectId>,
    ) -> Result<()> {
        let mut stack: Vec<&mut Object> = vec![obj];
        while let Some(o) = stack.pop() {
            match o {
                Object::Reference(r) => {
                    let new = match map.get(r) {
                        Some(n) => *n,
                        None => {
                            let n = self.fresh_id()?;
                            map.insert(*r, n);
                            queue.push_back(*r);
                            n
                        }
                    };
                    *r = (new, 0);
                }
                Object::Array(a) => stack.extend(a.iter_mut()),
                Object::Dictionary(d) => stack.extend(d.iter_mut().map(|(_, v)| v)),
                Object::Stream(s) => stack.extend(s.dict.iter_mut().map(|(_, v)| v)),
                _ => {}
            }
        }
        Ok(())
    }

    fn fresh_id(&mut self) -> Result<u32> {
        let id = self.next_id;
        if id as usize > self.limits.max_objects.saturating_mul(4) {
            return Err(PdfError::LimitExceeded {
                what: "objects in the letter",
                actual: u64::from(id),
                limit: self.limits.max_objects as u64 * 4,
            });
        }
        self.next_id += 1;
        Ok(id)
    }

    fn fail(&mut self, e: &std::io::Error) -> PdfError {
        let reason = e.to_string();
        self.broken = Some(reason.clone());
        PdfError::Write { reason }
    }

    /// Writes the page tree, catalog and cross-reference table, and returns the writer and
    /// the letter's figures.
    ///
    /// # Errors
    ///
    /// [`PdfError::NoPages`] when nothing was added, [`PdfError::Write`] when writing failed
    /// (now or while adding).
    pub fn close(mut self) -> Result<(W, LetterSummary)> {
        if let Some(reason) = self.broken.take() {
            return Err(PdfError::Write { reason });
        }
        if self.kids.is_empty() {
            return Err(PdfError::NoPages);
        }
        let pages = self.kids.len();
        let mut pages_dict = Dictionary::new();
        pages_dict.set("Type", Object::Name(b"Pages".to_vec()));
        pages_dict.set("Count", Object::Integer(pages as i64));
        pages_dict.set(
            "Kids",
            Object::Array(
                self.kids
                    .iter()
                    .map(|k| Object::Reference((*k, 0)))
                    .collect(),
            ),
        );
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference((PAGES_ID, 0)));
        if self.version > HEADER_VERSION {
            let (major, minor) = self.version;
            catalog.set(
                "Version",
                Object::Name(format!("{major}.{minor}").into_bytes()),
            );
        }
        let catalog_id = self.fresh_id()?;
        let write_error = |e: std::io::Error| PdfError::Write {
            reason: e.to_string(),
        };
        self.sink
            .object(PAGES_ID, &Object::Dictionary(pages_dict))
            .map_err(write_error)?;
        self.sink
            .object(catalog_id, &Object::Dictionary(catalog))
            .map_err(write_error)?;
        let (out, bytes) = self.sink.finish(catalog_id).map_err(write_error)?;
        Ok((
            out,
            LetterSummary {
                pages,
                sheets: sheets(pages, true),
                bytes,
                warnings: self.warnings,
            },
        ))
    }
}

fn is_structural(obj: &Object) -> bool {
    matches!(obj, Object::Dictionary(d) if d.get_type().is_ok_and(|t| t == b"Pages" || t == b"Catalog"))
}
