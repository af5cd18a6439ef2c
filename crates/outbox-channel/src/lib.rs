//! The contract every outbox delivery route implements.
//!
//! The engine knows routes only through [`Channel`]: it asks a channel for its
//! [`Capabilities`], whether a delivery is ready ([`Channel::check`]), hands it over
//! ([`Channel::send`]) and gets a [`Receipt`], asks for news ([`Channel::poll`]) and, after an
//! unknown outcome, whether the provider already has it ([`Channel::reconcile`]). Every failure is
//! a [`ChannelError`] with an [`ErrorKind`] that tells the engine what to do next: retry later
//! (transient, rate-limited), give up with a reason (permanent) or reconcile first (ambiguous).
//!
//! Route crates run the conformance kit in the `testkit` module (cargo feature `testkit`) against
//! themselves.
//!
//! ```
//! use async_trait::async_trait;
//! use outbox_channel::*;
//! use outbox_model::{DeliveryId, DeliveryStatus, ReadinessProblem, Route, TenantId};
//!
//! /// A route that prints instead of sending.
//! struct Console;
//!
//! #[async_trait]
//! impl Channel for Console {
//!     fn route(&self) -> Route { Route::Email }
//!     fn capabilities(&self) -> Capabilities { Capabilities::new(Route::Email) }
//!     async fn check(&self, d: &OutgoingDelivery) -> Vec<ReadinessProblem> {
//!         if d.recipient.email.is_none() { vec![ReadinessProblem::NoEmailAddress] } else { vec![] }
//!     }
//!     async fn send(&self, d: &OutgoingDelivery) -> Result<Receipt, ChannelError> {
//!         println!("to {}: {} document(s)", d.recipient.name, d.documents.len());
//!         Ok(Receipt { provider_reference: format!("console-{}", d.id), status: DeliveryStatus::Sent,
//!                      at: chrono::Utc::now(), note: None })
//!     }
//!     async fn poll(&self, _: &[PollRequest]) -> Result<Vec<StatusUpdate>, ChannelError> { Ok(vec![]) }
//!     async fn reconcile(&self, _: TenantId, _: DeliveryId) -> Result<Option<Receipt>, ChannelError> {
//!         Err(ChannelError::permanent("unsupported", "the console cannot look back"))
//!     }
//! }
//!
//! let channel: std::sync::Arc<dyn Channel> = std::sync::Arc::new(Console);
//! assert_eq!(channel.route(), Route::Email);
//! let err = ChannelError::transient("connection refused");
//! assert!(err.is_retryable() && !err.is_ambiguous());
//! ```

mod capabilities;
mod channel;
mod delivery;
mod error;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use capabilities::Capabilities;
pub use channel::Channel;
pub use delivery::{
    DownloadEvent, OutgoingDelivery, OutgoingDocument, PollRequest, Receipt, Sender, StatusUpdate,
    Tracking, checked_reply_to,
};
pub use error::{ChannelError, ErrorKind};
