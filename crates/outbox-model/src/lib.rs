//! Domain types of the outbox ("Postausgang"), shared by every other crate.
//!
//! Documents land in the outbox with their recipients ([`Contact`]); each recipient prefers one
//! or more [`Route`]s. A [`Delivery`] is one recipient, one route and one or more documents; its
//! [`DeliveryStatus`] only moves forward, decided in one place
//! ([`DeliveryStatus::check_transition`]). [`Progress`] gives the five counts shown on every
//! outbox row. Validation ([`PostalAddress::validate`], [`SendSettings::validate`],
//! [`validate_epost_letter`]) reports every [`Problem`] at once, each with a stable code.
//!
//! This crate does no I/O.
//!
//! ```
//! use chrono::Utc;
//! use outbox_model::*;
//!
//! let mut owner = Contact::new(ContactId(7), TenantId(1), "Eheleute Müller");
//! owner.address = Some(PostalAddress::domestic(["Eheleute Müller", "Lindenstraße 5"], "50667", "Köln"));
//! owner.preferred_routes = RouteSet::try_from_routes([Route::EpostLetter, Route::Email])?;
//! assert!(owner.validate().is_empty());
//!
//! let mut d = Delivery::new(DeliveryId(1), TenantId(1), owner.id, Route::EpostLetter,
//!                           vec![DocumentId(3)], Utc::now(), "alice");
//! d.transition(DeliveryStatus::Queued, Utc::now(), "alice")?;
//! assert!(d.transition(DeliveryStatus::Prepared, Utc::now(), "alice").is_err()); // never backwards
//!
//! let progress = Progress::from_statuses([&d.status]);
//! assert_eq!((progress.in_progress, progress.total), (1, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod address;
mod clock;
mod contact;
mod delivery;
mod document;
mod email;
mod german_time;
mod html;
mod i18n;
mod ids;
mod problem;
mod progress;
mod readiness;
mod route;
mod settings;
mod status;
mod tenant;

pub use address::{MAX_FIELD_CHARS, MAX_ZONE_LINES, PostalAddress};
pub use clock::{Clock, ManualClock, SystemClock};
pub use contact::Contact;
pub use delivery::{Delivery, StatusChange};
pub use document::Document;
pub use email::{EmailAddress, InvalidEmail};
pub use german_time::{
    format_german_time, from_german_time, is_german_summer_time, to_german_time,
};
pub use html::escape_html;
pub use i18n::Language;
pub use ids::{
    CollectorId, ContactId, DeliveryId, DocumentId, MailAccountId, ParseIdError, TenantId,
};
pub use problem::{Problem, ProblemCode, Problems};
pub use progress::Progress;
pub use readiness::{ReadinessProblem, check_recipient};
pub use route::{DuplicateRoute, ParseRouteError, Route, RouteSet};
pub use settings::{
    EmailSettings, EmailShareSettings, EpostSettings, MAX_SHARE_VALIDITY_DAYS,
    MIN_SHARE_VALIDITY_DAYS, PortalSettings, RegisteredMail, SendSettings, validate_epost_letter,
};
pub use status::{DeliveryStatus, StatusKind, TransitionError};
pub use tenant::{Collector, DownloadRecord, EditLock, Tenant};
