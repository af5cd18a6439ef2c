//! Things normalisation changed that a user may want to know about.

use std::fmt;

/// A change made while normalising one page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// 0-based index of the input document (the cover sheet, when present, is not counted).
    pub input: usize,
    /// 1-based page number within that input.
    pub page: usize,
    /// What happened.
    pub kind: WarningKind,
}

/// The kinds of [`Warning`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum WarningKind {
    /// Printable annotations (form fields, stamps, comments) were drawn into the page.
    AnnotationsFlattened {
        /// How many.
        count: usize,
    },
    /// Annotations that are not printed (links, hidden ones, ones without appearance) were removed.
    AnnotationsDropped {
        /// How many.
        count: usize,
    },
    /// The page had no usable `/MediaBox`; US Letter was assumed, as readers do.
    MissingMediaBox,
    /// `/Rotate` was not a multiple of 90 and was ignored, as readers do.
    InvalidRotate {
        /// The value found.
        value: i64,
    },
    /// The page was scaled to fit A4.
    ScaledToFit {
        /// Scale in percent (e.g. 71 for A3 → A4).
        percent: u32,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document {}, page {}: ", self.input + 1, self.page)?;
        match &self.kind {
            WarningKind::AnnotationsFlattened { count } => {
                write!(
                    f,
                    "{count} annotation(s) or form field(s) drawn into the page"
                )
            }
            WarningKind::AnnotationsDropped { count } => {
                write!(
                    f,
                    "{count} non-printing annotation(s) (links, comments) removed"
                )
            }
            WarningKind::MissingMediaBox => write!(f, "no page size given; US Letter assumed"),
            WarningKind::InvalidRotate { value } => write!(f, "invalid rotation {value} ignored"),
            WarningKind::ScaledToFit { percent } => write!(f, "scaled to {percent} % to fit A4"),
        }
    }
}
