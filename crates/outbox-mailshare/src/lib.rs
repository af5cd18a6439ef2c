//! The e-mail-share route ("E-Mail-Freigabe") of the outbox.
//!
//! A delivery's documents are stored for download ([`BlobStore`], by default
//! [`LocalDirBlobStore`]), a share valid for the documents' setting (1..=9 days; longer is
//! refused) is recorded ([`ShareStore`], by default [`LocalShareStore`]) and the recipient gets
//! an e-mail with a signed link through a [`Notifier`]. The link
//! `{base_url}/s/{share_id}/{expires}/{sig}` carries 128 random bits and an HMAC-SHA256 over id
//! and expiry ([`LinkSigner`]), so it can be neither guessed nor extended.
//!
//! The [`DownloadServer`] behind the links lists the documents (German, English with `?lang=en`
//! or `Accept-Language`), streams them with `Range` support and records every download with time
//! and client address; the first download is the proof of delivery that
//! [`MailShareChannel::poll`](outbox_channel::Channel::poll) reports as `Downloaded`. Expired
//! links get a 410 page, anything unknown or tampered with a bland 404.
//! [`ShareService::cleanup`] removes the files once a share has been expired longer than a grace
//! period.
//!
//! ```
//! use std::sync::Arc;
//! use outbox_channel::{Channel, OutgoingDelivery, OutgoingDocument, Sender};
//! use outbox_mailshare::*;
//! use outbox_model::*;
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let dir = tempfile::tempdir()?;
//! // Bind first: the links need the server's address.
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let base = format!("http://{}", listener.local_addr()?);
//! let service = Arc::new(ShareService::open_local(dir.path(), base).await?);
//! let server = DownloadServer::new(service.clone()).serve_listener(listener).await?;
//!
//! let notifier = Arc::new(RecordingNotifier::new());
//! let channel = MailShareChannel::new(service.clone(), notifier.clone());
//! let mut recipient = Contact::new(ContactId(1), TenantId(1), "Eheleute Müller");
//! recipient.email = Some("mueller@example.de".into());
//! let mut settings = SendSettings::default();
//! settings.email_share.validity_days = 9;
//! let delivery = OutgoingDelivery {
//!     id: DeliveryId(1), tenant: TenantId(1), route: Route::EmailShare, attempt: 1, recipient,
//!     sender: Sender { name: "HV Sonnenschein".into(), ..Default::default() },
//!     documents: vec![OutgoingDocument {
//!         id: DocumentId(5), title: "Jahresabrechnung 2026".into(),
//!         file_name: "abrechnung.pdf".into(), page_count: 1,
//!         bytes: Arc::from(&b"%PDF-1.7 ..."[..]), settings,
//!     }],
//! };
//! assert!(channel.check(&delivery).await.is_empty());
//! let receipt = channel.send(&delivery).await?;
//! let mail = &notifier.notifications()[0];
//! assert!(mail.link.starts_with(&server.url()));
//! assert_eq!(receipt.provider_reference, mail.share.to_string());
//! server.shutdown().await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod blob;
mod channel;
mod error;
mod fsutil;
mod link;
mod names;
mod notifier;
mod server;
mod service;
mod share;
mod store;

pub use blob::{BlobKey, BlobRead, BlobStore, LocalDirBlobStore};
pub use channel::MailShareChannel;
pub use error::MailShareError;
pub use link::{LinkSigner, MIN_KEY_BYTES, ShareId, SignedLink};
pub use names::{ascii_file_name, clean_file_name, content_disposition};
pub use notifier::{FileNotifier, Notification, Notifier, RecordingNotifier};
pub use outbox_model::{Clock, ManualClock, SystemClock};
pub use server::{DownloadServer, RunningServer};
pub use service::{CleanupReport, Resolved, ShareService};
pub use share::{NewDownload, Share, ShareDownload, SharedDocument};
pub use store::{LocalShareStore, ShareStore};
