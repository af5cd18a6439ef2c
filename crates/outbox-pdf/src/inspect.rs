//! `inspect`: page count, effective boxes and rotation, encryption and version.

use lopdf::Object;

use crate::doc::{Doc, as_number, deref};
use crate::error::Result;
use crate::geometry::{A4_HEIGHT_PT, A4_TOLERANCE_PT, A4_WIDTH_PT, Rect};
use crate::limits::Limits;
use crate::load::{PageRef, analyse};

/// US Letter, what readers assume when a page has no `/MediaBox` at all.
const FALLBACK_MEDIA_BOX: Rect = Rect {
    x0: 0.0,
    y0: 0.0,
    x1: 612.0,
    y1: 792.0,
};

/// What [`inspect`] found out about a PDF.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PdfInfo {
    /// PDF version ("1.4", "2.0"), the higher of header and catalog `/Version`.
    pub version: String,
    /// Size of the input in bytes.
    pub file_size: u64,
    /// Whether the file was encrypted (readable with the empty user password).
    pub encrypted: bool,
    /// Every page leaf in order; its length is the page count.
    pub pages: Vec<PageInfo>,
}

impl PdfInfo {
    /// Number of pages (page leaves counted, never `/Count`).
    #[must_use]
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Whether every page already is A4 portrait without rotation.
    #[must_use]
    pub fn is_all_a4_portrait(&self) -> bool {
        self.pages.iter().all(PageInfo::is_a4_portrait)
    }
}

/// Geometry of one page with inherited attributes resolved (nearest ancestor wins).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PageInfo {
    /// 1-based page number.
    pub number: usize,
    /// The `/MediaBox` (own or inherited; US Letter when there is none).
    pub media_box: Rect,
    /// The `/CropBox` (own or inherited), if any.
    pub crop_box: Option<Rect>,
    /// The visible area: CropBox ∩ MediaBox (the MediaBox when they do not overlap).
    pub effective_box: Rect,
    /// The `/Rotate` value as written (own or inherited), e.g. -270 or 990.
    pub rotate_raw: i64,
    /// Rotation normalised to 0, 90, 180 or 270 degrees clockwise.
    pub rotation: u16,
    /// Displayed width in points (after rotation).
    pub width_pt: f64,
    /// Displayed height in points (after rotation).
    pub height_pt: f64,
    /// Whether the page has `/Resources` (own or inherited).
    pub has_resources: bool,
    /// Number of annotations on the page.
    pub annotations: usize,
}

impl PageInfo {
    /// A4 portrait within [`A4_TOLERANCE_PT`], `/Rotate 0`.
    #[must_use]
    pub fn is_a4_portrait(&self) -> bool {
        self.rotation == 0
            && (self.width_pt - A4_WIDTH_PT).abs() <= A4_TOLERANCE_PT
            && (self.height_pt - A4_HEIGHT_PT).abs() <= A4_TOLERANCE_PT
    }

    /// Whether the displayed page is wider than high.
    #[must_use]
    pub fn is_landscape(&self) -> bool {
        self.width_pt > self.height_pt
    }
}

/// Reads a PDF and reports its pages' geometry, encryption and version.
///
/// # Errors
///
/// [`PdfError::NotPdf`](crate::PdfError::NotPdf), [`PdfError::Damaged`](crate::PdfError::Damaged),
/// [`PdfError::PasswordRequired`](crate::PdfError::PasswordRequired),
/// [`PdfError::NoPages`](crate::PdfError::NoPages) or a limit from [`Limits::default`].
pub fn inspect(pdf: &[u8]) -> Result<PdfInfo> {
    inspect_with_limits(pdf, &Limits::default())
}

/// [`inspect`] with explicit [`Limits`].
///
/// # Errors
///
/// As [`inspect`].
pub fn inspect_with_limits(pdf: &[u8], limits: &Limits) -> Result<PdfInfo> {
    let (loaded, pages) = analyse(pdf, limits, |loaded| {
        loaded
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| page_info(&loaded.doc, p, i + 1))
            .collect()
    })?;
    Ok(PdfInfo {
        version: loaded.version,
        file_size: pdf.len() as u64,
        encrypted: loaded.was_encrypted,
        pages,
    })
}

pub(crate) fn page_info(doc: &Doc<'_>, page: &PageRef, number: usize) -> PageInfo {
    let dict = doc.get(page.id).and_then(|o| o.as_dict().ok());
    let attr = |key: &[u8], inherited: &Option<Object>| -> Option<Object> {
        dict.and_then(|d| d.get(key).ok().cloned())
            .or_else(|| inherited.clone())
    };
    let media_box = attr(b"MediaBox", &page.inherited.media_box)
        .and_then(|o| read_rect(doc, &o))
        .unwrap_or(FALLBACK_MEDIA_BOX);
    let crop_box = attr(b"CropBox", &page.inherited.crop_box).and_then(|o| read_rect(doc, &o));
    let effective_box = crop_box
        .and_then(|c| c.intersect(&media_box))
        .filter(|r| r.width() >= 1.0 && r.height() >= 1.0)
        .unwrap_or(media_box);
    let rotate_raw = attr(b"Rotate", &page.inherited.rotate)
        .and_then(|o| as_number(doc, &o))
        .map(|r| r as i64)
        .unwrap_or(0);
    let rotation = normalise_rotation(rotate_raw);
    let (width_pt, height_pt) = if rotation.is_multiple_of(180) {
        (effective_box.width(), effective_box.height())
    } else {
        (effective_box.height(), effective_box.width())
    };
    let has_resources = attr(b"Resources", &page.inherited.resources).is_some();
    let annotations = dict
        .and_then(|d| d.get(b"Annots").ok())
        .and_then(|a| deref(doc, a))
        .and_then(|a| a.as_array().ok())
        .map_or(0, Vec::len);
    PageInfo {
        number,
        media_box,
        crop_box,
        effective_box,
        rotate_raw,
        rotation,
        width_pt,
        height_pt,
        has_resources,
        annotations,
    }
}

/// Multiples of 90 map to 0..=270; readers ignore other values, and so do we.
pub(crate) fn normalise_rotation(raw: i64) -> u16 {
    if raw % 90 != 0 {
        return 0;
    }
    // rem_euclid(360) of a multiple of 90 is one of 0, 90, 180, 270.
    raw.rem_euclid(360) as u16
}

/// A 4-number array (numbers may be indirect) as a rectangle; `None` when malformed.
pub(crate) fn read_rect(doc: &Doc<'_>, obj: &Object) -> Option<Rect> {
    let arr = deref(doc, obj)?.as_array().ok()?;
    if arr.len() != 4 {
        return None;
    }
    let n: Vec<f64> = arr.iter().filter_map(|o| as_number(doc, o)).collect();
    if n.len() != 4 {
        return None;
    }
    let r = Rect::new(n[0], n[1], n[2], n[3]);
    (r.is_finite() && r.width() > 0.0 && r.height() > 0.0).then_some(r)
}
