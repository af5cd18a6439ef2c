//! The errors of this crate.

use std::io;
use std::path::PathBuf;

use outbox_model::{MAX_SHARE_VALIDITY_DAYS, MIN_SHARE_VALIDITY_DAYS};

/// Something went wrong storing or reading a share, a file or a key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailShareError {
    /// The requested link validity is outside 1..=9 days.
    #[error(
        "link validity of {days} days is not allowed: choose {MIN_SHARE_VALIDITY_DAYS} to {MAX_SHARE_VALIDITY_DAYS} days"
    )]
    ValidityOutOfRange {
        /// The refused number of days.
        days: u8,
    },
    /// A delivery without documents cannot be shared.
    #[error("the delivery has no documents to share; add at least one document")]
    NoDocuments,
    /// A blob key would leave the storage folder or has characters that are not allowed.
    #[error(
        "invalid blob key `{key}`: use segments of letters, digits, '-', '_' and '.' separated by '/', without '.' or '..' segments"
    )]
    InvalidKey {
        /// The refused key.
        key: String,
    },
    /// A stored file is missing.
    #[error("stored file `{key}` not found; it may have been removed after the link expired")]
    BlobNotFound {
        /// The missing key.
        key: String,
    },
    /// The link key is too short to be safe.
    #[error("the link key has {len} bytes; use at least 32 random bytes")]
    KeyTooShort {
        /// Its length.
        len: usize,
    },
    /// The base URL for links is not an absolute http(s) URL.
    #[error("invalid base URL `{url}`: expected an absolute http:// or https:// URL")]
    InvalidBaseUrl {
        /// The refused URL.
        url: String,
    },
    /// No share with this id exists.
    #[error("share `{id}` not found")]
    ShareNotFound {
        /// The share id.
        id: String,
    },
    /// A file operation failed.
    #[error("{action} `{}` failed: {source}; check that the folder exists and is writable", path.display())]
    Io {
        /// What was attempted ("writing", "reading", ...).
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// A stored index record could not be read or written.
    #[error("share index record `{}` is unreadable: {source}; restore it from a backup or remove it", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The operating system's random generator failed.
    #[error("the random generator failed: {0}")]
    Random(String),
    /// A background task ended abnormally.
    #[error("a storage task ended abnormally: {0}")]
    Task(String),
}

impl MailShareError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        MailShareError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// Fills `buf` from the operating system's random generator.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<(), MailShareError> {
    getrandom::fill(buf).map_err(|e| MailShareError::Random(e.to_string()))
}
