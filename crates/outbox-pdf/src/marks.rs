//! Where a page puts ink: a small content-stream interpreter.
//!
//! It tracks the graphics state (CTM, clip box, fill/stroke white, text state) and reports
//! the bounding box of every painted path, image and text run in default user space. Glyph
//! boxes are estimated from the font's `/Widths` (or Helvetica metrics) with a fixed
//! ascender/descender, which is precise enough to tell whether a zone of a few millimetres is
//! empty. White fills, invisible text (OCR layers) and paths only used for clipping do not
//! count as ink.

use lopdf::content::Content;
use lopdf::{Dictionary, Object, ObjectId};

use crate::doc::{Doc, as_number, deref, deref_id};
use crate::error::{PdfError, Result};
use crate::geometry::{Matrix, Rect};
use crate::helvetica;
use crate::limits::Limits;
use crate::load::{analyse, guarded, map_lopdf_error};
use crate::win_ansi;

/// At most this many marks are collected per page (bounded memory on hostile input).
const MAX_MARKS: usize = 100_000;

/// Something painted on a page.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PageMark {
    /// Bounding box in PDF points (default user space, origin bottom-left).
    pub rect: Rect,
    /// What was painted.
    pub kind: MarkKind,
}

/// The kinds of [`PageMark`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum MarkKind {
    /// A text run; `text` decodes single-byte codes as WinAnsi (exact for the cover sheet,
    /// approximate for fonts with other encodings).
    Text {
        /// The decoded text.
        text: String,
    },
    /// A stroked or filled path.
    Path,
    /// An image or shading.
    Image,
}

/// Lists what page `page` (1-based) of `pdf` paints, with positions.
///
/// # Errors
///
/// The load errors of [`inspect`](crate::inspect); [`PdfError::NoPages`] when `page` is out of
/// range; [`PdfError::LimitExceeded`] for content beyond [`Limits`].
pub fn page_marks(pdf: &[u8], page: usize) -> Result<Vec<PageMark>> {
    let limits = Limits::default();
    let (_, marks) = analyse(pdf, &limits, |loaded| {
        let page_ref = page
            .checked_sub(1)
            .and_then(|i| loaded.pages.get(i))
            .ok_or(PdfError::NoPages)?;
        let resources = page_resources(
            &loaded.doc,
            page_ref.id,
            page_ref.inherited.resources.as_ref(),
        );
        marks_of_page(&loaded.doc, page_ref.id, resources, &limits)
    })?;
    marks
}

pub(crate) fn page_resources<'a>(
    doc: &'a Doc<'_>,
    page: ObjectId,
    inherited: Option<&'a Object>,
) -> Option<&'a Dictionary> {
    let own = doc
        .get(page)
        .and_then(|o| o.as_dict().ok())
        .and_then(|d| d.get(b"Resources").ok());
    own.or(inherited)
        .and_then(|r| deref(doc, r))
        .and_then(|r| r.as_dict().ok())
}

pub(crate) fn marks_of_page(
    doc: &Doc<'_>,
    page: ObjectId,
    resources: Option<&Dictionary>,
    limits: &Limits,
) -> Result<Vec<PageMark>> {
    guarded(|| {
        let content = doc
            .page_content(page, limits.max_decompressed_stream_bytes)
            .map_err(map_lopdf_error)?;
        let mut interp = Interpreter {
            doc,
            limits,
            marks: Vec::new(),
            operations: 0,
        };
        let state = GState::new(Matrix::IDENTITY, None);
        interp.run(&content, resources, state, 0)?;
        Ok(interp.marks)
    })
}

#[derive(Debug, Clone)]
struct GState {
    ctm: Matrix,
    clip: Option<Rect>,
    fill_white: bool,
    stroke_white: bool,
    render_mode: i64,
    font_size: f64,
    char_spacing: f64,
    word_spacing: f64,
    hscale: f64,
    leading: f64,
    rise: f64,
    font: Option<FontInfo>,
}

impl GState {
    fn new(ctm: Matrix, clip: Option<Rect>) -> Self {
        Self {
            ctm,
            clip,
            fill_white: false,
            stroke_white: false,
            render_mode: 0,
            font_size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
            font: None,
        }
    }
}

#[derive(Debug, Clone)]
struct FontInfo {
    two_byte: bool,
    first_char: i64,
    widths: Vec<f64>,
    missing_width: f64,
}

struct Interpreter<'a, 'src> {
    doc: &'a Doc<'src>,
    limits: &'a Limits,
    marks: Vec<PageMark>,
    operations: usize,
}

fn nums(ops: &[Object], doc: &Doc<'_>) -> Vec<f64> {
    ops.iter().filter_map(|o| as_number(doc, o)).collect()
}

fn is_white(v: &[f64]) -> bool {
    match v.len() {
        1 | 3 => v.iter().all(|x| (*x - 1.0).abs() < 1e-6),
        4 => v.iter().all(|x| x.abs() < 1e-6),
        _ => false,
    }
}

/// WinAnsi bytes 0x80..=0x9F; the rest is Latin-1.
impl<'a> Interpreter<'a, '_> {
    fn push(&mut self, rect: Rect, clip: Option<Rect>, kind: MarkKind) {
        if self.marks.len() >= MAX_MARKS || !rect.is_finite() {
            return;
        }
        let rect = match clip {
            Some(c) => match rect.intersect(&c) {
                Some(r) => r,
                // A hairline has no area; keep it when it lies inside the clip.
                None if (rect.width() == 0.0 || rect.height() == 0.0) && c.contains(&rect, 0.0) => {
                    rect
                }
                None => return,
            },
            None => rect,
        };
        self.marks.push(PageMark { rect, kind });
    }

    fn font_info(&self, resources: Option<&Dictionary>, name: &[u8]) -> Option<FontInfo> {
        let fonts = resources?
            .get(b"Font")
            .ok()
            .and_then(|f| deref(self.doc, f))?
            .as_dict()
            .ok()?;
        let font = deref(self.doc, fonts.get(name).ok()?)?.as_dict().ok()?;
        let subtype = font
            .get(b"Subtype")
            .ok()
            .and_then(|s| s.as_name().ok())
            .unwrap_or(b"");
        if subtype == b"Type0" {
            return Some(FontInfo {
                two_byte: true,
                first_char: 0,
                widths: Vec::new(),
                missing_width: 600.0,
            });
        }
        let widths = font
            .get(b"Widths")
            .ok()
            .and_then(|w| deref(self.doc, w))
            .and_then(|w| w.as_array().ok())
            .map(|w| {
                w.iter()
                    .map(|x| as_number(self.doc, x).unwrap_or(0.0))
                    .collect()
            })
            .unwrap_or_default();
        let first_char = font
            .get(b"FirstChar")
            .ok()
            .and_then(|f| as_number(self.doc, f))
            .unwrap_or(0.0) as i64;
        Some(FontInfo {
            two_byte: false,
            first_char,
            widths,
            missing_width: 556.0,
        })
    }

    fn glyph_width(font: Option<&FontInfo>, code: u32) -> f64 {
        match font {
            Some(f) if !f.widths.is_empty() => {
                let idx = i64::from(code) - f.first_char;
                usize::try_from(idx)
                    .ok()
                    .and_then(|i| f.widths.get(i).copied())
                    .unwrap_or(f.missing_width)
            }
            Some(f) if f.two_byte => f.missing_width,
            _ => u8::try_from(code)
                .ok()
                .and_then(|b| helvetica::width(win_ansi::decode(b)))
                .map_or(556.0, f64::from),
        }
    }

    /// Advances the text matrix over `bytes`, returning the run's box in text space units.
    fn show(&mut self, gs: &GState, tm: &mut Matrix, bytes: &[u8], text: &mut String) -> f64 {
        let font = gs.font.as_ref();
        let two_byte = font.is_some_and(|f| f.two_byte);
        let mut advance = 0.0;
        let step = if two_byte { 2 } else { 1 };
        for chunk in bytes.chunks(step) {
            let code = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
            let w = Self::glyph_width(font, code) / 1000.0 * gs.font_size;
            let word = if !two_byte && code == 32 {
                gs.word_spacing
            } else {
                0.0
            };
            advance += (w + gs.char_spacing + word) * gs.hscale;
            if !two_byte {
                text.push(win_ansi::decode(chunk[0]));
            }
        }
        *tm = Matrix::translate(advance, 0.0).then(tm);
        advance
    }

    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&Dictionary>,
        mut gs: GState,
        depth: usize,
    ) -> Result<()> {
        let mut stack: Vec<GState> = Vec::new();
        let mut path: Option<Rect> = None;
        let mut pending_clip = false;
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        for op in Content::decode_iter(content) {
            // A content stream that stops parsing is treated as ending there, as readers do.
            let Ok(op) = op else { break };
            self.operations += 1;
            if self.operations > self.limits.max_operations_per_page {
                return Err(PdfError::LimitExceeded {
                    what: "content operations on a page",
                    actual: self.operations as u64,
                    limit: self.limits.max_operations_per_page as u64,
                });
            }
            let o = &op.operands;
            let add_point = |path: &mut Option<Rect>, x: f64, y: f64, ctm: &Matrix| {
                let (px, py) = ctm.apply(x, y);
                let p = Rect::new(px, py, px, py);
                *path = Some(path.map_or(p, |r| r.union(&p)));
            };
            match op.operator.as_str() {
                // Nesting deeper than any real file is ignored, not followed.
                "q" if stack.len() < 256 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        gs = s;
                    }
                }
                "cm" => {
                    if let Ok(m) = <[f64; 6]>::try_from(nums(o, self.doc)) {
                        gs.ctm = Matrix(m).then(&gs.ctm);
                    }
                }
                "g" | "rg" | "k" | "sc" | "scn" => gs.fill_white = is_white(&nums(o, self.doc)),
                "G" | "RG" | "K" | "SC" | "SCN" => gs.stroke_white = is_white(&nums(o, self.doc)),
                "cs" => gs.fill_white = false,
                "CS" => gs.stroke_white = false,
                "m" | "l" => {
                    let v = nums(o, self.doc);
                    if v.len() == 2 {
                        add_point(&mut path, v[0], v[1], &gs.ctm);
                    }
                }
                "c" | "v" | "y" => {
                    for pair in nums(o, self.doc).chunks_exact(2) {
                        add_point(&mut path, pair[0], pair[1], &gs.ctm);
                    }
                }
                "re" => {
                    let v = nums(o, self.doc);
                    if v.len() == 4 {
                        add_point(&mut path, v[0], v[1], &gs.ctm);
                        add_point(&mut path, v[0] + v[2], v[1] + v[3], &gs.ctm);
                        add_point(&mut path, v[0] + v[2], v[1], &gs.ctm);
                        add_point(&mut path, v[0], v[1] + v[3], &gs.ctm);
                    }
                }
                "W" | "W*" => pending_clip = true,
                "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "n" => {
                    let painted = match op.operator.as_str() {
                        "S" | "s" => !gs.stroke_white,
                        "f" | "F" | "f*" => !gs.fill_white,
                        "n" => false,
                        _ => !gs.fill_white || !gs.stroke_white,
                    };
                    if let Some(p) = path.take() {
                        if painted {
                            self.push(p, gs.clip, MarkKind::Path);
                        }
                        if pending_clip {
                            gs.clip = Some(match gs.clip {
                                Some(c) => {
                                    c.intersect(&p).unwrap_or(Rect::new(p.x0, p.y0, p.x0, p.y0))
                                }
                                None => p,
                            });
                        }
                    }
                    pending_clip = false;
                }
                "sh" => {
                    let area = gs.clip.unwrap_or(Rect::a4());
                    self.push(area, gs.clip, MarkKind::Image);
                }
                "BI" => {
                    let unit = gs.ctm.apply_rect(&Rect::new(0.0, 0.0, 1.0, 1.0));
                    self.push(unit, gs.clip, MarkKind::Image);
                }
                "Do" => {
                    if let Some(name) = o.first().and_then(|n| n.as_name().ok()) {
                        self.do_xobject(resources, name, &gs, depth)?;
                    }
                }
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    if let (Some(name), Some(size)) = (
                        o.first().and_then(|n| n.as_name().ok()),
                        o.get(1).and_then(|s| as_number(self.doc, s)),
                    ) {
                        gs.font = self.font_info(resources, name);
                        gs.font_size = size;
                    }
                }
                "Tc" => gs.char_spacing = nums(o, self.doc).first().copied().unwrap_or(0.0),
                "Tw" => gs.word_spacing = nums(o, self.doc).first().copied().unwrap_or(0.0),
                "Tz" => gs.hscale = nums(o, self.doc).first().copied().unwrap_or(100.0) / 100.0,
                "TL" => gs.leading = nums(o, self.doc).first().copied().unwrap_or(0.0),
                "Ts" => gs.rise = nums(o, self.doc).first().copied().unwrap_or(0.0),
                "Tr" => gs.render_mode = nums(o, self.doc).first().copied().unwrap_or(0.0) as i64,
                "Td" | "TD" => {
                    let v = nums(o, self.doc);
                    if v.len() == 2 {
                        if op.operator == "TD" {
                            gs.leading = -v[1];
                        }
                        tlm = Matrix::translate(v[0], v[1]).then(&tlm);
                        tm = tlm;
                    }
                }
                "Tm" => {
                    if let Ok(m) = <[f64; 6]>::try_from(nums(o, self.doc)) {
                        tlm = Matrix(m);
                        tm = tlm;
                    }
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -gs.leading).then(&tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if op.operator != "Tj" && op.operator != "TJ" {
                        if op.operator == "\"" {
                            let v = nums(o, self.doc);
                            if v.len() >= 2 {
                                gs.word_spacing = v[0];
                                gs.char_spacing = v[1];
                            }
                        }
                        tlm = Matrix::translate(0.0, -gs.leading).then(&tlm);
                        tm = tlm;
                    }
                    let start = tm;
                    let mut text = String::new();
                    let mut width = 0.0;
                    for item in o {
                        match item {
                            Object::String(bytes, _) => {
                                width += self.show(&gs, &mut tm, bytes, &mut text)
                            }
                            Object::Array(items) => {
                                for it in items {
                                    match it {
                                        Object::String(bytes, _) => {
                                            width += self.show(&gs, &mut tm, bytes, &mut text)
                                        }
                                        other => {
                                            if let Some(adj) = as_number(self.doc, other) {
                                                let dx = -adj / 1000.0 * gs.font_size * gs.hscale;
                                                tm = Matrix::translate(dx, 0.0).then(&tm);
                                                width += dx;
                                            }
                                        }
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                    let invisible = gs.render_mode == 3 || gs.render_mode == 7;
                    let unpainted = gs.fill_white && matches!(gs.render_mode, 0 | 4);
                    if !invisible && !unpainted && width != 0.0 && gs.font_size != 0.0 {
                        let b = Rect::new(
                            0.0,
                            gs.rise - 0.25 * gs.font_size,
                            width,
                            gs.rise + 0.9 * gs.font_size,
                        );
                        let r = start.then(&gs.ctm).apply_rect(&b);
                        self.push(r, gs.clip, MarkKind::Text { text });
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn do_xobject(
        &mut self,
        resources: Option<&Dictionary>,
        name: &[u8],
        gs: &GState,
        depth: usize,
    ) -> Result<()> {
        let Some(xobjects) = resources
            .and_then(|r| r.get(b"XObject").ok())
            .and_then(|x| deref(self.doc, x))
            .and_then(|x| x.as_dict().ok())
        else {
            return Ok(());
        };
        // Streams are always indirect; the id is needed to decode the data.
        let Some(id) = xobjects.get(name).ok().and_then(|x| deref_id(self.doc, x)) else {
            return Ok(());
        };
        let Some(Object::Stream(stream)) = self.doc.get(id) else {
            return Ok(());
        };
        let subtype = stream
            .dict
            .get(b"Subtype")
            .ok()
            .and_then(|s| s.as_name().ok());
        match subtype {
            Some(b"Image") => {
                let unit = gs.ctm.apply_rect(&Rect::new(0.0, 0.0, 1.0, 1.0));
                self.push(unit, gs.clip, MarkKind::Image);
            }
            Some(b"Form") if depth < self.limits.max_form_depth => {
                let m = stream
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| deref(self.doc, m))
                    .and_then(|m| m.as_array().ok())
                    .and_then(|m| <[f64; 6]>::try_from(nums(m, self.doc)).ok())
                    .map_or(Matrix::IDENTITY, Matrix);
                let ctm = m.then(&gs.ctm);
                let bbox = stream
                    .dict
                    .get(b"BBox")
                    .ok()
                    .and_then(|b| crate::inspect::read_rect(self.doc, b))
                    .map(|b| ctm.apply_rect(&b));
                let clip = match (gs.clip, bbox) {
                    (Some(c), Some(b)) => {
                        Some(c.intersect(&b).unwrap_or(Rect::new(b.x0, b.y0, b.x0, b.y0)))
                    }
                    (c, b) => c.or(b),
                };
                let form_resources = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .and_then(|r| deref(self.doc, r))
                    .and_then(|r| r.as_dict().ok())
                    .or(resources);
                let content = self
                    .doc
                    .decoded(id, self.limits.max_decompressed_stream_bytes)
                    .or_else(|_| self.doc.stream(id).map(|(_, raw)| raw.to_vec()).ok_or(()))
                    .unwrap_or_default();
                let mut inner = GState::new(ctm, clip);
                inner.fill_white = gs.fill_white;
                inner.stroke_white = gs.stroke_white;
                self.run(&content, form_resources, inner, depth + 1)?;
            }
            _ => {}
        }
        Ok(())
    }
}
