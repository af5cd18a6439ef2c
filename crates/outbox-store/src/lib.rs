//! Persistence for the outbox: embedded SQLite by default, PostgreSQL for several workers on
//! several machines — one [`Store`] API over both.
//!
//! - Every row belongs to a tenant and every operation takes the tenant; rows of another tenant
//!   behave as if they did not exist ([`StoreError::NotFound`]).
//! - Status changes go through `outbox-model`'s state machine
//!   ([`DeliveryStatus::check_transition`](outbox_model::DeliveryStatus::check_transition)),
//!   each in one transaction with its history row (the audit log).
//! - Workers [`claim`](Store::claim) deliveries with a lease and a fencing token
//!   (`FOR UPDATE SKIP LOCKED` on PostgreSQL, an immediate write transaction on SQLite) and
//!   [`complete`](Store::complete) them with that token; a worker whose lease was taken over gets
//!   [`StoreError::LeaseLost`] and cannot overwrite the newer result.
//! - PDF bytes live behind [`BlobStore`]: [`LocalBlobStore`] (a folder), [`DatabaseBlobStore`]
//!   (a table in the shared database), `ObjectBlobStore` (feature `object-store`).
//!
//! Features: `postgres` (the PostgreSQL backend), `object-store` (the `object_store` blob store).
//!
//! ```
//! use std::time::Duration;
//! use outbox_model::*;
//! use outbox_store::*;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let store = Store::open("sqlite::memory:").await?;
//! store.migrate().await?;
//! let tenant = store.create_tenant("Hausverwaltung Schmidt").await?.id;
//!
//! let mut owner = Contact::new(ContactId(1), tenant, "Eheleute Müller");
//! owner.preferred_routes = RouteSet::try_from_routes([Route::Email])?;
//! store.upsert_contact(&owner).await?;
//!
//! let doc = store.insert_document(tenant, &NewDocument {
//!     title: "Einladung zur Eigentümerversammlung".into(),
//!     file_name: "einladung.pdf".into(),
//!     page_count: 2,
//!     size_bytes: 48_000,
//!     author: "alice".into(),
//!     created_at: chrono::Utc::now(),
//!     source_reference: None,
//!     recipients: vec![owner.id],
//!     settings: SendSettings::default(),
//!     blob_key: "1/einladung.pdf".into(),
//! }).await?;
//!
//! let ids = store.insert_deliveries(tenant, &[NewDelivery {
//!     recipient: owner.id, route: Route::Email, documents: vec![doc.document.id], collector: None,
//! }], "alice").await?;
//! store.queue(tenant, &ids, "alice").await?;
//!
//! let claimed = store.claim(10, "worker-1", Duration::from_secs(60)).await?;
//! assert_eq!(claimed.len(), 1);
//! store.complete(&claimed[0].lease, &Outcome::sent(Some("<msg@example>".into()))).await?;
//!
//! let page = store.list_documents(tenant, OverviewSort::NewestFirst, Page::first(50)).await?;
//! assert_eq!(page.rows[0].progress.sent, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backend;
mod blob;
mod convert;
mod error;
mod key;
mod store;
mod types;

#[cfg(feature = "object-store")]
pub use blob::ObjectBlobStore;
pub use blob::{BlobStore, DatabaseBlobStore, LocalBlobStore, validate_blob_key};
pub use error::{Result, StoreError};
pub use key::{SecretBytes, StoreKey};
pub use outbox_model::{Clock, ManualClock, SystemClock};
pub use store::{BackendKind, OpenOptions, Store};
pub use types::{
    ClaimedDelivery, DeliveryRow, DetailRow, DownloadRecorded, Lease, NewDelivery, NewDocument,
    NewShare, Outcome, OverviewItem, OverviewPage, OverviewRow, OverviewSort, Page,
    RecipientRoutes, Share, StoredDocument,
};
