//! The cover sheet ("Deckblatt"): layout in the DIN 5008 Form B / E-POST zones.
//!
//! The layout is computed here in millimetres; [`crate::render`] turns it into a PDF with
//! printpdf. Text is set in Arimo (metric-compatible with Helvetica), embedded as a subset
//! with WinAnsiEncoding, which covers German (ÄÖÜäöüß, „“, €) and Western European letters.

use crate::error::{PdfError, Result};
use crate::font::{Weight, face};
use crate::render::render_cover;
use crate::win_ansi::substitute;
use crate::zones::{
    FOLD_MARKS_MM, FRANKING_BOTTOM_MM, HOLE_MARK_MM, SENDER_BOTTOM_MM, TEXT_LEFT_MM,
    WINDOW_BOTTOM_MM, WINDOW_RIGHT_MM, WINDOW_TOP_MM,
};

/// The data printed on a cover sheet. Plain strings, formatted by the caller.
///
/// As JSON (the `--cover` file of the `bundle` example):
///
/// ```json
/// {
///   "sender": "Hausverwaltung Muster GmbH · Hauptstraße 1 · 10115 Berlin",
///   "recipient": ["Frau Jördis Müßig", "Königsallee 12", "40212 Düsseldorf"],
///   "date": "04.12.2026",
///   "reference": "WEG Lindenhof / ETV 2026",
///   "documents": [{ "title": "Einladung zur Eigentümerversammlung", "pages": 3 }]
/// }
/// ```
///
/// `reference` and `documents` may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct CoverSheet {
    /// The sender's return line ("Rücksendeangabe"), one line, printed in 8 pt.
    pub sender: String,
    /// The recipient address, at most 6 non-empty lines, already formatted.
    pub recipient: Vec<String>,
    /// The date as it should be printed, e.g. "04.12.2026".
    pub date: String,
    /// The sender's reference ("Unser Zeichen").
    #[serde(default)]
    pub reference: Option<String>,
    /// The documents enclosed in the letter, in order.
    #[serde(default)]
    pub documents: Vec<EnclosedDocument>,
}

impl CoverSheet {
    /// The recipient lines of a structured postal address: its lines, then "zip city", then
    /// the country for foreign mail (as `PostalAddress::printed_lines` formats them).
    #[must_use]
    pub fn recipient_lines(address: &outbox_model::PostalAddress) -> Vec<String> {
        address.printed_lines()
    }

    /// Sets the recipient from a structured postal address.
    #[must_use]
    pub fn with_recipient(mut self, address: &outbox_model::PostalAddress) -> Self {
        self.recipient = Self::recipient_lines(address);
        self
    }
}

/// One entry of the list of enclosed documents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnclosedDocument {
    /// The document's title ("Bezeichnung").
    pub title: String,
    /// Its number of pages.
    pub pages: usize,
}

/// At most this many recipient lines fit in the 24 mm recipient zone (DIN 5008: 6).
pub const MAX_RECIPIENT_LINES: usize = 6;

/// Sender line: 8 pt (E-POST), shrunk to the DIN minimum of 6 pt for long lines.
const SENDER_SIZES: [f64; 3] = [8.0, 7.0, 6.0];
/// Recipient lines: 10 pt, shrunk to 8 pt for long lines.
const RECIPIENT_SIZES: [f64; 3] = [10.0, 9.0, 8.0];
/// Baseline of the sender line: glyphs (ascender 0.72 em, descender 0.21 em) stay in 45–53 mm.
const SENDER_BASELINE_MM: f64 = 51.6;
/// First recipient baseline. Checked against a conservative glyph box (0.9 em above,
/// 0.25 em below the baseline, as `check_epost` measures): at 10 pt it starts below 66 mm.
const RECIPIENT_FIRST_BASELINE_MM: f64 = 69.3;
/// Recipient line pitch (11.2 pt at 10 pt text): six lines end above 90 mm.
const RECIPIENT_PITCH_MM: f64 = 3.95;
/// Body text left edge and right limit (20 mm right margin, DIN 5008).
const BODY_RIGHT_MM: f64 = 190.0;
/// First body line, below the first fold mark at 105 mm.
const BODY_TOP_MM: f64 = 112.0;
/// Lowest baseline of the body (leaves the bottom 7 mm E-POST margin free with room).
const BODY_BOTTOM_MM: f64 = 280.0;
const BODY_SIZE: f64 = 10.0;
const BODY_PITCH_MM: f64 = 5.0;
const MM_PER_PT: f64 = 25.4 / 72.0;

/// One line of text: left edge and baseline in mm from the top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextLine {
    pub(crate) x_mm: f64,
    pub(crate) baseline_mm: f64,
    pub(crate) size_pt: f64,
    pub(crate) bold: bool,
    pub(crate) text: String,
}

/// A short horizontal rule (fold or hole mark).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mark {
    pub(crate) y_mm: f64,
    pub(crate) x0_mm: f64,
    pub(crate) x1_mm: f64,
}

// The fixed layout keeps every line inside its zone.
const _: () = {
    let sender = SENDER_SIZES[0] * MM_PER_PT;
    assert!(SENDER_BASELINE_MM - 0.9 * sender > WINDOW_TOP_MM);
    assert!(SENDER_BASELINE_MM + 0.25 * sender < SENDER_BOTTOM_MM);
    let recipient = RECIPIENT_SIZES[0] * MM_PER_PT;
    assert!(RECIPIENT_FIRST_BASELINE_MM - 0.9 * recipient > FRANKING_BOTTOM_MM);
    let last = RECIPIENT_FIRST_BASELINE_MM + (MAX_RECIPIENT_LINES - 1) as f64 * RECIPIENT_PITCH_MM;
    assert!(last + 0.25 * recipient < WINDOW_BOTTOM_MM);
};

/// Everything the renderer draws.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct CoverLayout {
    pub(crate) lines: Vec<TextLine>,
    pub(crate) marks: Vec<Mark>,
}

/// Builds the cover sheet as a one-page A4 PDF.
///
/// # Errors
///
/// [`PdfError::CoverLayout`] when the recipient is empty or has more than
/// [`MAX_RECIPIENT_LINES`] lines, a line is too wide for the window even at 8 pt (6 pt for
/// the sender), or a character cannot be printed with the cover-sheet font (WinAnsi).
pub fn cover_sheet(cover: &CoverSheet) -> Result<Vec<u8>> {
    let layout = layout(cover)?;
    crate::load::guarded(|| render_cover(&layout))
}

fn clean(s: &str) -> String {
    s.chars()
        .map(substitute)
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

fn layout_error(reason: impl Into<String>) -> PdfError {
    PdfError::CoverLayout {
        reason: reason.into(),
    }
}

fn measure(text: &str, size: f64, what: &str) -> Result<f64> {
    face(Weight::Regular)?.text_width(text, size).map_err(|c| {
        layout_error(format!(
            "the {what} contains the character '{c}' (U+{:04X}), which the cover-sheet font cannot print",
            c as u32
        ))
    })
}

/// The largest size from `sizes` at which every line fits `width_pt`.
fn fitting_size(lines: &[String], sizes: &[f64], width_pt: f64, what: &str) -> Result<f64> {
    for &size in sizes {
        let mut fits = true;
        for line in lines {
            if measure(line, size, what)? > width_pt {
                fits = false;
                break;
            }
        }
        if fits {
            return Ok(size);
        }
    }
    Err(layout_error(format!(
        "a line of the {what} is wider than the envelope window ({:.0} mm) even at {} pt",
        WINDOW_RIGHT_MM - TEXT_LEFT_MM,
        sizes.last().copied().unwrap_or(0.0)
    )))
}

/// Cuts `text` so that it fits `width_pt`, ending with "…" when cut.
fn truncate_to(text: &str, size: f64, width_pt: f64, what: &str) -> Result<String> {
    if measure(text, size, what)? <= width_pt {
        return Ok(text.to_string());
    }
    let mut out: String = text.to_string();
    while !out.is_empty() {
        out.pop();
        let candidate = format!("{}…", out.trim_end());
        if measure(&candidate, size, what)? <= width_pt {
            return Ok(candidate);
        }
    }
    Ok("…".to_string())
}

fn pages_label(pages: usize) -> String {
    if pages == 1 {
        "1 Seite".to_string()
    } else {
        format!("{pages} Seiten")
    }
}

fn documents_label(documents: usize) -> String {
    if documents == 1 {
        "1 Dokument".to_string()
    } else {
        format!("{documents} Dokumente")
    }
}

pub(crate) fn layout(cover: &CoverSheet) -> Result<CoverLayout> {
    let window_pt = (WINDOW_RIGHT_MM - TEXT_LEFT_MM) / MM_PER_PT;
    let body_pt = (BODY_RIGHT_MM - TEXT_LEFT_MM) / MM_PER_PT;
    let mut out = CoverLayout::default();

    let sender = clean(&cover.sender);
    if !sender.is_empty() {
        let size = fitting_size(
            std::slice::from_ref(&sender),
            &SENDER_SIZES,
            window_pt,
            "sender line",
        )?;
        out.lines.push(TextLine {
            x_mm: TEXT_LEFT_MM,
            baseline_mm: SENDER_BASELINE_MM,
            size_pt: size,
            bold: false,
            text: sender,
        });
    }

    // DIN 5008: no empty lines inside the address.
    let recipient: Vec<String> = cover
        .recipient
        .iter()
        .map(|l| clean(l))
        .filter(|l| !l.is_empty())
        .collect();
    if recipient.is_empty() {
        return Err(layout_error("the recipient address is empty"));
    }
    if recipient.len() > MAX_RECIPIENT_LINES {
        return Err(layout_error(format!(
            "the recipient address has {} lines, at most {MAX_RECIPIENT_LINES} fit the window",
            recipient.len()
        )));
    }
    let size = fitting_size(&recipient, &RECIPIENT_SIZES, window_pt, "recipient address")?;
    for (i, line) in recipient.into_iter().enumerate() {
        out.lines.push(TextLine {
            x_mm: TEXT_LEFT_MM,
            baseline_mm: RECIPIENT_FIRST_BASELINE_MM + i as f64 * RECIPIENT_PITCH_MM,
            size_pt: size,
            bold: false,
            text: line,
        });
    }

    let mut y = BODY_TOP_MM;
    let mut body = |text: String, bold: bool, y: &mut f64| {
        out.lines.push(TextLine {
            x_mm: TEXT_LEFT_MM,
            baseline_mm: *y,
            size_pt: BODY_SIZE,
            bold,
            text,
        });
        *y += BODY_PITCH_MM;
    };
    let date = clean(&cover.date);
    if !date.is_empty() {
        let text = truncate_to(&format!("Datum: {date}"), BODY_SIZE, body_pt, "date")?;
        body(text, false, &mut y);
    }
    if let Some(reference) = cover
        .reference
        .as_deref()
        .map(clean)
        .filter(|r| !r.is_empty())
    {
        let text = truncate_to(
            &format!("Unser Zeichen: {reference}"),
            BODY_SIZE,
            body_pt,
            "reference",
        )?;
        body(text, false, &mut y);
    }
    if !cover.documents.is_empty() {
        y += BODY_PITCH_MM;
        let total: usize = cover.documents.iter().map(|d| d.pages).sum();
        body(
            format!(
                "Anlagen ({}, {})",
                documents_label(cover.documents.len()),
                pages_label(total)
            ),
            true,
            &mut y,
        );
        let room = ((BODY_BOTTOM_MM - y) / BODY_PITCH_MM).floor().max(1.0) as usize;
        let shown = if cover.documents.len() > room {
            room - 1
        } else {
            cover.documents.len()
        };
        for (i, doc) in cover.documents.iter().take(shown).enumerate() {
            let suffix = format!(" – {}", pages_label(doc.pages));
            let prefix = format!("{}. ", i + 1);
            let fixed = measure(&prefix, BODY_SIZE, "document list")?
                + measure(&suffix, BODY_SIZE, "document list")?;
            let title = truncate_to(
                &clean(&doc.title),
                BODY_SIZE,
                (body_pt - fixed).max(10.0),
                "document title",
            )?;
            body(format!("{prefix}{title}{suffix}"), false, &mut y);
        }
        let rest = &cover.documents[shown..];
        if !rest.is_empty() {
            let pages: usize = rest.iter().map(|d| d.pages).sum();
            body(
                // Never a single one: a line for it would have held the document itself.
                format!(
                    "… und {} weitere Dokumente ({})",
                    rest.len(),
                    pages_label(pages)
                ),
                false,
                &mut y,
            );
        }
    }

    // Marks start right of the 12 mm strip E-POST keeps free, not at the paper edge.
    for fold in FOLD_MARKS_MM {
        out.marks.push(Mark {
            y_mm: fold,
            x0_mm: 13.0,
            x1_mm: 18.0,
        });
    }
    out.marks.push(Mark {
        y_mm: HOLE_MARK_MM,
        x0_mm: 13.0,
        x1_mm: 19.0,
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CoverSheet {
        CoverSheet {
            sender: "Hausverwaltung Muster GmbH · Hauptstraße 1 · 10115 Berlin".into(),
            recipient: vec![
                "Frau Jördis Müßig".into(),
                "".into(),
                "Königsallee 12".into(),
                "40212 Düsseldorf".into(),
            ],
            date: "04.12.2026".into(),
            reference: Some("WEG Lindenhof".into()),
            documents: vec![EnclosedDocument {
                title: "Einladung „ETV 2026“ – 30 € Umlage".into(),
                pages: 3,
            }],
        }
    }

    #[test]
    fn empty_lines_are_removed_and_lines_are_in_zones() {
        let l = layout(&sample()).unwrap();
        let recipient: Vec<_> = l
            .lines
            .iter()
            .filter(|t| (66.0..90.0).contains(&t.baseline_mm))
            .collect();
        assert_eq!(recipient.len(), 3);
        let sender = &l.lines[0];
        assert!(sender.baseline_mm > 45.0 && sender.baseline_mm < 53.0);
        assert!((sender.size_pt - 8.0).abs() < f64::EPSILON);
    }

    #[test]
    fn too_many_lines_and_unprintable_chars_are_rejected() {
        let mut c = sample();
        c.recipient = (0..7).map(|i| format!("Zeile {i}")).collect();
        assert!(matches!(layout(&c), Err(PdfError::CoverLayout { .. })));
        let mut c = sample();
        c.recipient = vec!["Łukasz Żółw".into()];
        assert!(matches!(layout(&c), Err(PdfError::CoverLayout { .. })));
        let mut c = sample();
        c.recipient = vec!["W".repeat(60)];
        assert!(matches!(layout(&c), Err(PdfError::CoverLayout { .. })));
    }

    #[test]
    fn recipient_from_postal_address() {
        let domestic = outbox_model::PostalAddress::domestic(
            ["Frau Jördis Müßig", "Königsallee 12"],
            "40212",
            "Düsseldorf",
        );
        let c = CoverSheet::default().with_recipient(&domestic);
        assert_eq!(
            c.recipient,
            ["Frau Jördis Müßig", "Königsallee 12", "40212 Düsseldorf"]
        );
        let mut foreign = domestic.clone();
        foreign.zip = "1010".into();
        foreign.city = "Wien".into();
        foreign.country = Some("ÖSTERREICH".into());
        let c = CoverSheet::default().with_recipient(&foreign);
        assert_eq!(c.recipient.last().map(String::as_str), Some("ÖSTERREICH"));
        assert_eq!(c.recipient[2], "1010 Wien");
    }

    #[test]
    fn long_lists_are_summarised() {
        let mut c = sample();
        c.documents = (0..80)
            .map(|i| EnclosedDocument {
                title: format!("Dokument {i}"),
                pages: 2,
            })
            .collect();
        let l = layout(&c).unwrap();
        assert!(l.lines.iter().all(|t| t.baseline_mm <= BODY_BOTTOM_MM));
        assert!(l.lines.iter().any(|t| t.text.contains("weitere Dokumente")));
    }

    #[test]
    fn counts_are_in_singular_and_plural() {
        let mut c = sample();
        c.documents.truncate(1);
        c.documents[0].pages = 1;
        let l = layout(&c).unwrap();
        assert!(
            l.lines
                .iter()
                .any(|t| t.text == "Anlagen (1 Dokument, 1 Seite)"),
            "{:?}",
            l.lines
        );
        // The shortest list that needs a summary leaves two documents to it, never one.
        let summary = (2..80)
            .find_map(|n| {
                c.documents = (0..n)
                    .map(|i| EnclosedDocument {
                        title: format!("Dokument {i}"),
                        pages: 2,
                    })
                    .collect();
                let l = layout(&c).ok()?;
                l.lines
                    .iter()
                    .find(|t| t.text.starts_with("… und"))
                    .map(|t| t.text.clone())
            })
            .unwrap_or_default();
        assert_eq!(summary, "… und 2 weitere Dokumente (4 Seiten)");
    }
}
