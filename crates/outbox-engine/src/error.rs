//! Errors of the engine's actions.

use outbox_model::{DocumentId, Problems};

/// Why an engine action failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The input is invalid; every problem is listed.
    #[error("invalid input: {0}")]
    Invalid(Problems),
    /// The PDF cannot be used at all.
    #[error("document {file_name}: {source}")]
    Pdf {
        /// The file concerned.
        file_name: String,
        /// What is wrong with it.
        #[source]
        source: outbox_pdf::PdfError,
    },
    /// The document is being edited by someone else.
    #[error("document {document} is locked for editing by {owner}; wait or ask them to close it")]
    Locked {
        /// The document.
        document: DocumentId,
        /// Who holds the lock.
        owner: String,
    },
    /// The planner refused the input.
    #[error("planning failed: {0}")]
    Plan(#[from] outbox_planner::PlanError),
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] outbox_store::StoreError),
    /// E-POST access could not be activated, exported or imported.
    #[error("E-POST access: {0}")]
    Access(String),
    /// The engine is not configured for what was asked.
    #[error("not configured: {0}")]
    NotConfigured(String),
}

/// Result of an engine action.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
