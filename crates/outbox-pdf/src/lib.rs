//! PDF handling for the outbox: inspection, A4-portrait normalisation, DIN 5008 / E-POST
//! cover sheets, and merging into one printable letter.
//!
//! Hybrid mail accepts only A4 portrait PDFs with a clean address window. This crate turns
//! any usable PDF into such a letter at once and rejects unusable ones at once, with a
//! [`PdfError`] that says why and what to do.
//!
//! - [`inspect`]: page count (page leaves, never `/Count`), each page's effective box and
//!   rotation with inherited `MediaBox`/`CropBox`/`Rotate`/`Resources` resolved, size,
//!   encryption, version.
//! - [`normalise`]: every page becomes A4 portrait, `/Rotate 0`, no crop/bleed/trim/art box;
//!   landscape pages are turned a quarter counter-clockwise, other sizes are scaled to fit
//!   and centred. Rotation and box are baked into one `cm` before the page's content
//!   streams, which stay byte for byte as they were (extra `q` operators are added when a
//!   page's content has unmatched `Q`s, so it cannot pop the transform). Printable
//!   annotations (form fields, stamps) are flattened into the page; others (links,
//!   comments) are dropped; both are reported as [`Warning`]s.
//! - [`cover_sheet`]: a cover page with the sender line (8 pt, 45–53 mm), an empty franking
//!   zone (53–66 mm), the recipient (66–90 mm) inside the window at x 20–105 mm, fold and
//!   hole marks (from 13 mm: E-POST keeps the left 12 mm free, so they cannot start at the
//!   paper edge), and below the first fold the date, reference and the enclosed documents.
//! - [`bundle`] / [`Bundler`]: cover sheet + normalised documents → one letter; only objects
//!   reachable from the pages are copied, so nothing leaks between inputs.
//! - [`check_epost`]: the provider's rules as a list of [`EpostProblem`]s.
//!
//! All input is untrusted: loading is bounded by [`Limits`] (file size, decompressed stream
//! size, pages, page-tree depth, objects, content operations), page-tree loops are
//! detected, and panics inside the PDF library are caught and reported as
//! [`PdfError::Damaged`].
//!
//! # Fonts
//!
//! The cover sheet embeds its fonts: subsets of Arimo Regular and Bold (SIL Open Font
//! License; `fonts/` holds them, their licence and the script that cuts them) with the 218
//! characters of WinAnsiEncoding, about 13 KB each in the file. E-POST replaces fonts that are
//! not embedded (warning W101) and PDF/A requires embedding; embedded, the post prints the
//! very glyphs whose widths kept the address inside the window. Arimo is metric-compatible
//! with Helvetica. German text (ÄÖÜäöüß, „“, €) prints correctly; characters outside WinAnsi
//! are rejected with [`PdfError::CoverLayout`] instead of being printed as `?`. The fonts are
//! cut in advance (`fonts/make-subsets.sh`), not per letter: printpdf 0.12.8 subsets only with its
//! heavy `text_layout` feature, and a per-letter subset would save a few KB at a cost in time.
//!
//! # Cost
//!
//! Content streams are never decoded or re-encoded by normalisation (only counted for
//! `q`/`Q` on pages that get a transform). Inputs are read lazily: only the objects a step
//! needs are parsed, straight from the input bytes, and stream data is never copied until
//! it is written; files whose cross-reference data is damaged, and encrypted files, are
//! loaded in full by lopdf instead (it reconstructs and decrypts). [`Bundler`] writes each
//! object of the letter as soon as it is copied, so a letter needs little more memory than
//! its largest input, and [`Bundler::writing_to`] streams it to a file.
//!
//! # Example
//!
//! ```
//! use outbox_pdf::{CoverSheet, EnclosedDocument, bundle, check_epost, cover_sheet, inspect};
//!
//! let cover = CoverSheet {
//!     sender: "Hausverwaltung Muster GmbH · Hauptstraße 1 · 10115 Berlin".into(),
//!     recipient: vec!["Frau Jördis Müßig".into(), "Königsallee 12".into(), "40212 Düsseldorf".into()],
//!     date: "04.12.2026".into(),
//!     reference: Some("WEG Lindenhof".into()),
//!     documents: vec![EnclosedDocument { title: "Einladung zur Eigentümerversammlung".into(), pages: 1 }],
//! };
//! // Any PDF will do as a document; here a second cover sheet stands in for one.
//! let document = cover_sheet(&cover)?;
//! let letter = bundle(Some(&cover), &[&document])?;
//! assert_eq!(letter.summary.pages, 2);
//! assert_eq!(letter.summary.sheets, 1);
//! assert!(inspect(&letter.pdf)?.is_all_a4_portrait());
//! assert!(check_epost(&letter.pdf).is_empty());
//! # Ok::<(), outbox_pdf::PdfError>(())
//! ```

mod bundle;
mod check;
mod cover;
mod doc;
mod error;
mod font;
pub mod geometry;
mod helvetica;
mod inspect;
mod lazy;
#[cfg(test)]
mod lazy_equivalence_tests;
mod lazy_source;
mod limits;
mod load;
mod marks;
mod page_transform;
mod render;
mod sink;
mod warning;
mod win_ansi;
pub mod zones;

pub use bundle::{
    Bundler, Letter, LetterSummary, Normalised, bundle, normalise, normalise_with_limits, sheets,
};
pub use check::{
    EPOST_MAX_BYTES, EPOST_MAX_PAGES, EpostProblem, check_epost, check_epost_with_limits,
};
pub use cover::{CoverSheet, EnclosedDocument, MAX_RECIPIENT_LINES, cover_sheet};
pub use error::{PdfError, Result};
pub use geometry::Rect;
pub use inspect::{PageInfo, PdfInfo, inspect, inspect_with_limits};
pub use limits::Limits;
pub use marks::{MarkKind, PageMark, page_marks};
pub use warning::{Warning, WarningKind};
