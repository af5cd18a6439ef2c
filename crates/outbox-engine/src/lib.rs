//! The outbox service: the actions of the outbox screen and the machinery that turns "send"
//! into delivered letters, mails and downloads.
//!
//! - **Actions** per tenant: [`Engine::add_document`], [`Engine::list_documents`],
//!   [`Engine::inspect_document`], [`Engine::add_route`] / [`Engine::remove_route`],
//!   [`Engine::update_settings`], [`Engine::lock_document`], [`Engine::send_documents`],
//!   [`Engine::delete_documents`], and collectors ([`Engine::preview_collector`],
//!   [`Engine::create_collector`], [`Engine::send_collector`], [`Engine::dissolve_collector`]).
//!   Deliveries exist as `Prepared` from the moment a document arrives; "send" queues the ready
//!   ones and reports every other one with its reasons ([`SendReport`]).
//! - **Dispatcher** ([`Engine::dispatch_once`], [`Engine::run_dispatcher`]): claims deliveries
//!   with a lease and fencing token, reconciles unknown outcomes before any retry, retries
//!   transient failures with exponential backoff and jitter ([`RetryPolicy`]), records permanent
//!   failures with their reason.
//! - **Poller** ([`Engine::poll_once`]): E-POST status in one batched query per account at most
//!   once per 5 s across all workers, portal and share downloads.
//! - **Recovery**: deliveries whose lease expired are claimed first and reconciled, never
//!   resent blindly.
//! - **Progress events** ([`Engine::subscribe`]).
//!
//! The engine sees routes only through [`outbox_channel::Channel`]; E-POST activation goes
//! through the small [`EpostAccess`] trait that the facade implements.
//!
//! ```
//! use std::sync::Arc;
//! use outbox_engine::Engine;
//! use outbox_store::{LocalBlobStore, OverviewSort, Page, Store};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let dir = tempfile::tempdir()?;
//! let store = Store::open("sqlite::memory:").await?;
//! store.migrate().await?;
//! let blobs = Arc::new(LocalBlobStore::new(dir.path()).await?);
//! let engine = Engine::builder(store, blobs).build(); // add channels with .channel(..)
//! let tenant = engine.store().create_tenant("HV Sonnenschein").await?.id;
//! let page = engine.list_documents(tenant, OverviewSort::NewestFirst, Page::first(20)).await?;
//! assert_eq!(page.total, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod access;
mod collectors;
mod config;
mod dispatcher;
mod documents;
mod engine;
mod error;
mod events;
mod outgoing;
mod planning;
mod poller;
mod registry;
mod sending;

pub use access::{EpostAccess, EpostAccountId};
pub use config::{EngineConfig, RetryPolicy};
pub use dispatcher::{DispatchStats, spawn_dispatchers};
pub use documents::NewOutboxDocument;
pub use engine::{Engine, EngineBuilder};
pub use error::{EngineError, Result};
pub use events::ProgressEvent;
pub use poller::PollStats;
pub use registry::ChannelRegistry;
pub use sending::{NotReady, SendReport};
