//! Portal-share route of the outbox.
//!
//! The outbox shares documents with a tenant/owner portal; the recipient's **download** is the
//! proof of delivery. This crate holds:
//!
//! - [`protocol`]: the wire types of a small, versioned REST protocol any portal can implement —
//!   upload a document for a portal account with title and category (idempotent by delivery id
//!   and document id), list downloads after a cursor, look up and withdraw a delivery, with
//!   `Authorization: Bearer` tokens and JSON errors. The protocol is written down in the crate's
//!   `PROTOCOL.md`, which is also the documentation of the [`protocol`] module.
//! - [`PortalClient`]: the protocol's client, every failure a classified
//!   [`ChannelError`](outbox_channel::ChannelError).
//! - [`PortalChannel`]: the [`Channel`](outbox_channel::Channel) for
//!   [`Route::PortalShare`](outbox_model::Route::PortalShare): uploads, then polls downloads and
//!   turns the first one into `Downloaded`. Persist its download cursor (see the type's docs).
//! - `server` (cargo feature `server`): a reference portal on axum and SQLite that implements
//!   the protocol and a recipients' web page (login, own documents by category, download).
//!
//! ```
//! use outbox_channel::Channel;
//! use outbox_portal::{PortalChannel, PortalConfig, provider_reference};
//! use outbox_model::{DeliveryId, Route};
//!
//! let channel = PortalChannel::new(PortalConfig::new("https://portal.example.org/", "api-token"))?;
//! assert_eq!(channel.route(), Route::PortalShare);
//! assert!(channel.capabilities().download_proof && channel.capabilities().idempotent_send);
//! assert_eq!(provider_reference(DeliveryId(42)), "portal-delivery-42");
//!
//! // After a restart, continue polling where the stored cursor says.
//! channel.set_download_cursor(1234);
//! assert_eq!(channel.download_cursor(), 1234);
//! # Ok::<(), outbox_channel::ChannelError>(())
//! ```

mod channel;
mod client;
mod ledger;
pub mod protocol;
#[cfg(feature = "server")]
pub mod server;

pub use channel::{PortalChannel, provider_reference};
pub use client::{PortalClient, PortalConfig};
