//! The fake's PDF checks (reference §2.6): page count and A4 portrait geometry, with lopdf.
//!
//! The fake follows the reference on timing: only "is it a PDF at all" (base64 decodes, `%PDF-`
//! header) and the size limits are checked synchronously at upload. Everything that needs the
//! parsed document (`E304` > 94 pages, `E307` first page landscape, `E308` not A4, `E301` for a
//! file that has a PDF header but cannot be parsed) is found at upload but only shows up at the
//! processing step, as status `99` with the code in `errorList`.

use lopdf::{Document, Object, ObjectId};

use super::wire::ApiError;

/// A4 in PDF points (210 × 297 mm).
const A4_WIDTH: f32 = 595.276;
const A4_HEIGHT: f32 = 841.89;
/// Tolerance in points (about 0.35 mm): accepts the common rounded `[0 0 595 842]`.
const TOLERANCE: f32 = 1.0;
/// Most pages a letter may have, a generated cover page included.
pub(crate) const MAX_PAGES: u32 = 94;

/// What the checks found.
#[derive(Debug, Clone)]
pub(crate) struct PdfFacts {
    pub(crate) pages: Option<u32>,
    pub(crate) problem: Option<ApiError>,
}

/// Checks a decoded PDF; `extra_pages` is the number of cover pages the API adds.
pub(crate) fn check(pdf: &[u8], extra_pages: u32) -> PdfFacts {
    let doc = match Document::load_mem(pdf) {
        Ok(doc) => doc,
        Err(e) => {
            return PdfFacts {
                pages: None,
                problem: Some(ApiError::detail("E301", format!("PDF nicht lesbar ({e})"))),
            };
        }
    };
    let pages = doc.get_pages();
    let count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    let problem = find_problem(&doc, &pages, count, extra_pages);
    PdfFacts {
        pages: Some(count),
        problem,
    }
}

fn find_problem(
    doc: &Document,
    pages: &std::collections::BTreeMap<u32, ObjectId>,
    count: u32,
    extra_pages: u32,
) -> Option<ApiError> {
    if count == 0 {
        return Some(ApiError::detail("E301", "PDF enthält keine Seiten"));
    }
    if count.saturating_add(extra_pages) > MAX_PAGES {
        return Some(ApiError::detail(
            "E304",
            format!("{} Seiten", count.saturating_add(extra_pages)),
        ));
    }
    for (&number, &id) in pages {
        let Some((w, h)) = page_size(doc, id) else {
            return Some(ApiError::detail(
                "E308",
                format!("Seite {number} hat keine gültige MediaBox"),
            ));
        };
        let portrait = near(w, A4_WIDTH) && near(h, A4_HEIGHT);
        let landscape = near(w, A4_HEIGHT) && near(h, A4_WIDTH);
        if portrait {
            continue;
        }
        if landscape && number == 1 {
            return Some(ApiError::new("E307"));
        }
        let what = if landscape { "A4 quer" } else { "kein A4" };
        return Some(ApiError::detail(
            "E308",
            format!("Seite {number}: {w:.2} × {h:.2} pt ({what})"),
        ));
    }
    None
}

fn near(a: f32, b: f32) -> bool {
    (a - b).abs() <= TOLERANCE
}

/// Width and height as the page is shown: MediaBox (inherited) turned by /Rotate (inherited).
fn page_size(doc: &Document, page: ObjectId) -> Option<(f32, f32)> {
    let Object::Array(media) = inherited(doc, page, b"MediaBox")? else {
        return None;
    };
    if media.len() != 4 {
        return None;
    }
    let mut n = [0f32; 4];
    for (slot, obj) in n.iter_mut().zip(media) {
        *slot = doc.dereference(obj).ok()?.1.as_float().ok()?;
    }
    let (w, h) = ((n[2] - n[0]).abs(), (n[3] - n[1]).abs());
    let rotate = inherited(doc, page, b"Rotate")
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0);
    if rotate.rem_euclid(180) == 90 {
        Some((h, w))
    } else {
        Some((w, h))
    }
}

/// A page attribute, looked up through the page tree's `/Parent` chain (PDF 32000 §7.7.3.4).
fn inherited<'a>(doc: &'a Document, page: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut dict = doc.get_dictionary(page).ok()?;
    // The depth bound protects against cyclic /Parent references in hostile files.
    for _ in 0..64 {
        if let Ok(value) = dict.get(key) {
            return doc.dereference(value).ok().map(|(_, o)| o);
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}
