//! # outbox
//!
//! A document outbox for property-management software: documents land in the outbox with their
//! recipients and leave as E-POST letters, e-mails, portal shares or download links, bundled per
//! recipient and route, tracked to the end.
//!
//! This facade re-exports the workspace crates. For now it carries the domain model:
//!
//! ```
//! use outbox::model::{Route, Language};
//! assert_eq!(Route::EpostLetter.label(Language::De), "E-Post-Brief");
//! ```

pub use outbox_model as model;
