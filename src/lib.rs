//! # outbox
//!
//! A document outbox ("Postausgang") for property-management software. Documents land in the
//! outbox with their recipients and leave as **E-POST letters**, **e-mails**, **portal shares**
//! or **e-mail shares** (download links), bundled per recipient and route by a collector,
//! tracked to the end, with download times kept as proof.
//!
//! This crate is the facade: [`Outbox::builder`] wires the engine, the store and every route
//! with embedded defaults that need no server and no credentials (SQLite file, `.eml` files,
//! local download server, the reference portal, the fake E-POST server), and re-exports the
//! workspace crates. Configure real providers on the builder.
//!
//! Cargo features: one per route — `epost`, `email`, `portal`, `mailshare` (all on by
//! default) — and `postgres` for a PostgreSQL store shared by several workers on several
//! machines.
//!
//! ```
//! use outbox::channel::Sender;
//! use outbox::engine::NewOutboxDocument;
//! use outbox::model::*;
//! use outbox::store::{OverviewSort, Page};
//! use outbox::Outbox;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! let outbox = Outbox::builder().data_dir(dir.path()).build().await?;
//! let tenant = outbox
//!     .create_tenant("HV Sonnenschein", Sender { name: "HV Sonnenschein".into(), ..Default::default() })
//!     .await?;
//!
//! let mut owner = Contact::new(ContactId(1), tenant, "Eheleute Müller");
//! owner.email = Some("mueller@example.de".into());
//! owner.preferred_routes = RouteSet::try_from_routes([Route::Email])?;
//! outbox.store().upsert_contact(&owner).await?;
//!
//! # let pdf = outbox::pdf::cover_sheet(&outbox::pdf::CoverSheet {
//! #     sender: "HV".into(), recipient: vec!["A".into(), "B".into(), "50667 Köln".into()],
//! #     date: "04.12.2026".into(), reference: None, documents: vec![] })?;
//! let doc = outbox
//!     .add_document(tenant, NewOutboxDocument {
//!         title: "Einladung zur Eigentümerversammlung".into(),
//!         file_name: "einladung.pdf".into(),
//!         author: "alice".into(),
//!         pdf, // the PDF's bytes
//!         recipients: vec![owner.id],
//!         settings: SendSettings::default(),
//!         source_reference: None,
//!     })
//!     .await?;
//! let report = outbox.send_documents(tenant, &[doc], "alice").await?;
//! assert_eq!(report.queued.len(), 1);
//! outbox.run_until_idle(std::time::Duration::from_secs(10)).await?;
//!
//! let page = outbox.list_documents(tenant, OverviewSort::NewestFirst, Page::first(20)).await?;
//! assert_eq!(page.rows[0].progress.sent, 1); // the mail lies in <data>/mail as .eml
//! outbox.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod builder;
#[cfg(feature = "epost")]
mod epost;
mod error;
mod keys;
#[cfg(feature = "email")]
mod mail;
mod outbox;

pub use builder::OutboxBuilder;
pub use error::{OutboxError, Result};
pub use outbox::Outbox;

pub use outbox_channel as channel;
pub use outbox_engine as engine;
pub use outbox_model as model;
pub use outbox_pdf as pdf;
pub use outbox_planner as planner;
pub use outbox_store as store;

/// The route crates, one per cargo feature.
pub mod routes {
    #[cfg(feature = "email")]
    pub use outbox_email as email;
    #[cfg(feature = "epost")]
    pub use outbox_epost as epost;
    #[cfg(feature = "mailshare")]
    pub use outbox_mailshare as mailshare;
    #[cfg(feature = "portal")]
    pub use outbox_portal as portal;
}
