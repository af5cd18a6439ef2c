//! `check_epost`: the hybrid-mail provider's rules as a list of problems.

use std::fmt;

use crate::error::PdfError;
use crate::geometry::pt_to_mm;
use crate::inspect::page_info;
use crate::limits::Limits;
use crate::load::{Loaded, analyse};
use crate::marks::{marks_of_page, page_resources};
use crate::zones::{franking_zone, left_strip};

/// E-POST: most pages in one letter, cover sheet included.
pub const EPOST_MAX_PAGES: usize = 94;
/// E-POST: largest letter PDF in bytes (20 MB).
pub const EPOST_MAX_BYTES: u64 = 20 * 1000 * 1000;

/// Marks that overlap a zone by less than this (points) are tolerated (anti-aliasing slack).
const ZONE_SLACK_PT: f64 = 0.5;

/// One reason why the provider would reject a letter PDF.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum EpostProblem {
    /// The PDF cannot be read at all.
    Unreadable(PdfError),
    /// The PDF is encrypted (even if it opens without a password).
    Encrypted,
    /// More pages than the provider accepts.
    TooManyPages {
        /// Pages found.
        pages: usize,
        /// The limit ([`EPOST_MAX_PAGES`]).
        max: usize,
    },
    /// Larger than the provider accepts.
    TooLarge {
        /// Size in bytes.
        bytes: u64,
        /// The limit ([`EPOST_MAX_BYTES`]).
        max: u64,
    },
    /// A page that is not A4 portrait without rotation.
    NotA4Portrait {
        /// 1-based page number.
        page: usize,
        /// Displayed width in mm.
        width_mm: f64,
        /// Displayed height in mm.
        height_mm: f64,
        /// Effective rotation in degrees.
        rotation: u16,
    },
    /// Something is printed where the provider prints the franking (page 1, 53–66 mm).
    FrankingZoneNotEmpty,
    /// Something is printed in the left 12 mm of page 1, which the provider keeps free.
    LeftStripNotEmpty,
}

impl fmt::Display for EpostProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable(e) => write!(f, "{e}"),
            Self::Encrypted => write!(f, "the PDF is encrypted; save it again without protection"),
            Self::TooManyPages { pages, max } => {
                write!(
                    f,
                    "{pages} pages, at most {max} per letter; split the letter"
                )
            }
            Self::TooLarge { bytes, max } => write!(
                f,
                "{:.1} MB, at most {:.0} MB per letter; compress images or split the letter",
                *bytes as f64 / 1e6,
                *max as f64 / 1e6
            ),
            Self::NotA4Portrait {
                page,
                width_mm,
                height_mm,
                rotation,
            } => write!(
                f,
                "page {page} is {width_mm:.0} × {height_mm:.0} mm rotated {rotation}°, not A4 portrait; normalise the PDF"
            ),
            Self::FrankingZoneNotEmpty => write!(
                f,
                "page 1 has content 53–66 mm from the top inside the address window, where the franking is printed; use a cover sheet"
            ),
            Self::LeftStripNotEmpty => {
                write!(
                    f,
                    "page 1 has content in the left 12 mm, which the provider keeps free; use a cover sheet"
                )
            }
        }
    }
}

/// Checks a letter PDF against the E-POST rules and lists every problem (empty = fine).
///
/// Checked: readable, not encrypted, at most [`EPOST_MAX_PAGES`] pages and
/// [`EPOST_MAX_BYTES`], every page A4 portrait with `/Rotate 0`, and on page 1 (the cover
/// sheet or the first letter page) the franking zone and the left 12 mm strip empty.
#[must_use]
pub fn check_epost(pdf: &[u8]) -> Vec<EpostProblem> {
    check_epost_with_limits(pdf, &Limits::default())
}

/// [`check_epost`] with explicit [`Limits`]; input beyond them is reported as
/// [`EpostProblem::Unreadable`].
#[must_use]
pub fn check_epost_with_limits(pdf: &[u8], limits: &Limits) -> Vec<EpostProblem> {
    let mut problems = Vec::new();
    let bytes = pdf.len() as u64;
    if bytes > EPOST_MAX_BYTES {
        problems.push(EpostProblem::TooLarge {
            bytes,
            max: EPOST_MAX_BYTES,
        });
    }
    let (was_encrypted, page_problems) =
        match analyse(pdf, limits, |loaded| page_problems(loaded, limits)) {
            Ok((loaded, found)) => (loaded.was_encrypted, found),
            Err(PdfError::PasswordRequired) => {
                problems.push(EpostProblem::Encrypted);
                return problems;
            }
            Err(e) => {
                problems.push(EpostProblem::Unreadable(e));
                return problems;
            }
        };
    if was_encrypted {
        problems.push(EpostProblem::Encrypted);
    }
    problems.extend(page_problems);
    problems
}

/// Page count, page geometry and the cover-sheet zones of the first page.
fn page_problems(loaded: &Loaded<'_>, limits: &Limits) -> Vec<EpostProblem> {
    let mut problems = Vec::new();
    if loaded.pages.len() > EPOST_MAX_PAGES {
        problems.push(EpostProblem::TooManyPages {
            pages: loaded.pages.len(),
            max: EPOST_MAX_PAGES,
        });
    }
    let mut first_is_a4 = false;
    for (i, page) in loaded.pages.iter().enumerate() {
        let info = page_info(&loaded.doc, page, i + 1);
        // Zones are measured from the MediaBox origin; an offset box is not A4 for the printer.
        let at_origin = info.effective_box.x0.abs() < 0.01 && info.effective_box.y0.abs() < 0.01;
        if !info.is_a4_portrait() || !at_origin {
            problems.push(EpostProblem::NotA4Portrait {
                page: i + 1,
                width_mm: pt_to_mm(info.width_pt),
                height_mm: pt_to_mm(info.height_pt),
                rotation: info.rotation,
            });
        } else if i == 0 {
            first_is_a4 = true;
        }
    }
    if first_is_a4 && let Some(first) = loaded.pages.first() {
        let resources = page_resources(&loaded.doc, first.id, first.inherited.resources.as_ref());
        match marks_of_page(&loaded.doc, first.id, resources, limits) {
            Ok(marks) => {
                if marks
                    .iter()
                    .any(|m| m.rect.overlaps(&franking_zone(), ZONE_SLACK_PT))
                {
                    problems.push(EpostProblem::FrankingZoneNotEmpty);
                }
                if marks
                    .iter()
                    .any(|m| m.rect.overlaps(&left_strip(), ZONE_SLACK_PT))
                {
                    problems.push(EpostProblem::LeftStripNotEmpty);
                }
            }
            Err(e) => problems.push(EpostProblem::Unreadable(e)),
        }
    }
    problems
}
