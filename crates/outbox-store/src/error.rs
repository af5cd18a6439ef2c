//! The one error type of the store.

use outbox_model::{DeliveryId, TransitionError};

/// Everything that can go wrong in the store.
///
/// Rows of another tenant are reported exactly like missing rows ([`StoreError::NotFound`]) so a
/// caller cannot probe which ids exist elsewhere.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No such row in this tenant (it may not exist, or belong to another tenant).
    #[error("{what} {id} was not found in this tenant; check the id and the tenant")]
    NotFound {
        /// What was looked up ("document", "delivery", ...).
        what: &'static str,
        /// The id as given.
        id: String,
    },
    /// A row refers to something that does not exist in the same tenant (a recipient that is not
    /// in the address book, a document of another tenant, ...).
    #[error("a referenced row does not exist in this tenant: {0}; create it first")]
    UnknownReference(String),
    /// The state machine of `outbox-model` refuses the status change.
    #[error(transparent)]
    IllegalTransition(#[from] TransitionError),
    /// The caller's lease on the delivery is gone: it expired and another worker claimed the
    /// delivery (or finished it). The caller must drop its result; the newer one stands.
    #[error(
        "the lease on delivery {delivery} was lost (token {token} is stale); another worker owns \
         it now — drop this result"
    )]
    LeaseLost {
        /// The delivery.
        delivery: DeliveryId,
        /// The stale fencing token.
        token: i64,
    },
    /// The delivery is leased by a worker; only that worker may change it now.
    #[error("delivery {delivery} is being worked on by {worker}; wait until its lease ends")]
    Leased {
        /// The delivery.
        delivery: DeliveryId,
        /// The worker holding the lease.
        worker: String,
    },
    /// The document's edit lock is held by someone else.
    #[error("the document is locked for editing by {owner} until {expires_at}; try again later")]
    LockHeld {
        /// Who holds the lock.
        owner: String,
        /// When it runs out unless renewed.
        expires_at: chrono::DateTime<chrono::Utc>,
    },
    /// The request conflicts with the stored state (e.g. a document already in a collector).
    #[error("conflict: {0}")]
    Conflict(String),
    /// An argument is out of range or malformed.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A stored value could not be read back (a corrupt row or a schema from a newer version).
    #[error("stored data could not be read: {0}; is the database from a newer version?")]
    Corrupt(String),
    /// Encrypting or decrypting a secret failed (wrong application key or tampered data).
    #[error("the secret could not be decrypted: wrong application key or tampered data")]
    Crypto,
    /// The database URL names a backend this build does not include.
    #[error(
        "unsupported database URL `{0}`: use sqlite://path?mode=rwc, sqlite::memory: or postgres://… (the latter needs the `postgres` feature)"
    )]
    UnsupportedUrl(String),
    /// A blob store operation failed.
    #[error("blob store: {0}")]
    Blob(String),
    /// File-system error of the local blob store.
    #[error("blob store I/O: {0}")]
    Io(#[from] std::io::Error),
    /// Running the embedded migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database reported an error (connection, constraint, ...).
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation
        {
            return StoreError::UnknownReference(db.message().to_owned());
        }
        StoreError::Database(e)
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    pub(crate) fn not_found(what: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// Whether retrying the same call later may succeed (database busy, connection lost).
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(e) => {
                matches!(
                    e,
                    sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
                ) || matches!(e, sqlx::Error::Database(db) if db.code().is_some_and(|c| c == "5" || c == "40001" || c == "40P01"))
            }
            _ => false,
        }
    }
}
