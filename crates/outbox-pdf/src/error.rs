//! The one error type of this crate.

/// Why a PDF could not be read, normalised, bundled or a cover sheet not built.
///
/// Every message says what was wrong and what the user can do about it. The variants are
/// distinct so that callers (and the E-POST readiness check) can tell "not a PDF" from
/// "needs a password" without parsing text.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// The bytes do not start with a PDF header (`%PDF-`) in their first KiB.
    #[error(
        "not a PDF file (no %PDF- header found); export or print the document to PDF and attach that file"
    )]
    NotPdf,

    /// The file is a PDF but too broken to be used.
    #[error(
        "the PDF is damaged ({reason}); open it in a PDF viewer and save or print it to a new PDF, then try again"
    )]
    Damaged {
        /// What was found to be broken.
        reason: String,
    },

    /// The PDF is encrypted with a user (open) password.
    #[error(
        "the PDF is protected by a password; save it again without password protection (or ask its sender for an unprotected copy)"
    )]
    PasswordRequired,

    /// The page tree holds no page.
    #[error("the PDF contains no pages; check that the right file was attached")]
    NoPages,

    /// The PDF uses a feature this crate cannot process.
    #[error(
        "the PDF uses a feature that cannot be processed ({what}); print it to a new PDF with a standard PDF printer and try again"
    )]
    Unsupported {
        /// The feature, in the words of the PDF library.
        what: String,
    },

    /// The input exceeds one of the configured [`Limits`](crate::Limits).
    #[error(
        "the PDF exceeds the limit for {what}: {actual} > {limit}; split or compress the document"
    )]
    LimitExceeded {
        /// Which limit ("file size in bytes", "pages", "page tree depth", ...).
        what: &'static str,
        /// The value found (a lower bound when counting stopped early).
        actual: u64,
        /// The configured limit.
        limit: u64,
    },

    /// The cover sheet data cannot be laid out in the DIN 5008 / E-POST zones.
    #[error("the cover sheet cannot be laid out: {reason}; shorten or correct the address data")]
    CoverLayout {
        /// What does not fit.
        reason: String,
    },

    /// Writing the output PDF failed.
    #[error("writing the PDF failed ({reason}); check free memory and disk space and try again")]
    Write {
        /// The underlying error message.
        reason: String,
    },
}

impl PdfError {
    pub(crate) fn damaged(reason: impl Into<String>) -> Self {
        Self::Damaged {
            reason: reason.into(),
        }
    }
}

/// Short for `Result<T, PdfError>`.
pub type Result<T, E = PdfError> = std::result::Result<T, E>;
