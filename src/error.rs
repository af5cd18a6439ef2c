//! Errors of the facade.

use std::path::PathBuf;

/// Why building or running the outbox failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    /// An engine action failed.
    #[error(transparent)]
    Engine(#[from] outbox_engine::EngineError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] outbox_store::StoreError),
    /// The data folder cannot be used.
    #[error("data folder {path}: {source}; check that it exists and is writable")]
    DataDir {
        /// The path concerned.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A route could not be set up.
    #[error("{route}: {message}")]
    Route {
        /// The route's name.
        route: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The configuration is inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl OutboxError {
    #[cfg_attr(
        not(any(feature = "epost", feature = "portal", feature = "mailshare")),
        allow(dead_code)
    )]
    pub(crate) fn route(route: &'static str, e: impl std::fmt::Display) -> Self {
        OutboxError::Route {
            route,
            message: e.to_string(),
        }
    }
}

/// Result of the facade.
pub type Result<T, E = OutboxError> = std::result::Result<T, E>;
