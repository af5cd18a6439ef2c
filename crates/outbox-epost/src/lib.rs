//! The E-POST letter route of the outbox: a client for the Deutsche Post E-POSTBUSINESS API
//! v2.6.1 and the [`EpostChannel`] the engine drives through [`outbox_channel::Channel`].
//!
//! - [`EpostClient`]: activation without a token ([`EpostClient::request_sms_code`],
//!   [`EpostClient::set_password`] → the secret), [`EpostClient::login`] and
//!   [`EpostClient::health_check`]. rustls; the base URL is configurable
//!   ([`ClientConfig`], default [`PRODUCTION_BASE_URL`]).
//! - [`EpostAccount`]: one account's calls with its cached token (one re-login on
//!   `E101`/401): [`submit_letters`](EpostAccount::submit_letters) (split to respect 20 MB per
//!   PDF and 300 MB per request), [`status_query`](EpostAccount::status_query),
//!   [`letter_status`](EpostAccount::letter_status) and
//!   [`find_by_custom1`](EpostAccount::find_by_custom1), all status calls spaced by the
//!   account's [`StatusLimiter`] (one per 5 s, backing off on `E322`/429).
//! - [`Credentials`]: one tenant's access; [`Credentials::export_code`] /
//!   [`Credentials::import_code`] give a second tenant the same access with a typeable,
//!   versioned, checksummed, AES-256-GCM-encrypted code. Secrets are [`Secret`]s and never
//!   appear in `Debug`, `Display` or logs.
//! - [`letter`]: delivery → letter PDF (our cover sheet by default, the API's as an option)
//!   and the exact `Letter` field mapping; [`status`]: `statusID` 1/2/3 → in progress,
//!   4 → sent, 99 → failed with reasons, registered-mail tracking; [`codes`]: every error code,
//!   classified, in German and English.
//! - [`EpostChannel`]: the channel of **one tenant** — the engine keeps one per tenant.
//!   A dropped connection after the letter was written is [`ErrorKind::Ambiguous`]
//!   (reconcile by `custom1` = delivery id), 5xx is transient, 4xx is classified by its code.
//! - `fake` (cargo feature): a fake E-POST server for tests and demos.
//!
//! # For the engine
//!
//! - Keep one [`EpostChannel`] per tenant with E-POST access. Tenants that share one access
//!   (an imported code, same EKP) must share one [`EpostAccount`]
//!   ([`EpostChannel::with_shared_account`]): token and status limit belong to the account.
//! - [`Channel::poll`](outbox_channel::Channel::poll) sends all open letters of the account
//!   in one `StatusQuery`; it waits up to [`ClientConfig::status_max_wait`] for the account's
//!   slot, else fails as rate-limited with `retry_after`. Ask
//!   [`EpostChannel::status_limiter`] first to skip a poll instead. Reconcile uses the same
//!   slot (one `Custom1` lookup per delivery).
//! - `send` uses the provider's duplicate failsafe: a resend of a delivery already accepted
//!   within the hour answers `E324`, and the channel then returns the first letter's receipt.
//! - Test letters (account in test mode) stop at provider status 2; they are reported as
//!   `Sent` with a note, as nothing more will happen to them.
//! - Failure reasons and error messages are German by default
//!   ([`ChannelOptions::language`]); every provider code is in [`codes`].
//!
//! ```
//! use outbox_channel::Channel;
//! use outbox_epost::*;
//! use outbox_model::{Route, TenantId};
//!
//! // Activation gave the secret; the tenant's administrator chose the password.
//! let creds = Credentials::new("vendor-4711", "5012345678",
//!     Secret::new("77831f6f-d39b-4d5b-a5ae-b4006f894179"), Secret::new("s3cret-pass"));
//! assert!(!format!("{creds:?}").contains("s3cret-pass"));
//!
//! // Hand the same access to a second tenant of the same application.
//! let key = CredentialsKey::derive(b"the application's configured secret");
//! let code = creds.export_code(&key)?;
//! assert_eq!(Credentials::import_code(&code, &key)?, creds);
//! let wrong = CredentialsKey::derive(b"another application");
//! assert!(matches!(Credentials::import_code(&code, &wrong), Err(ImportError::WrongKeyOrAltered)));
//!
//! // One channel per tenant.
//! let client = EpostClient::new(ClientConfig::with_base_url("http://127.0.0.1:9"))?;
//! let channel = EpostChannel::new(client.account(creds), TenantId(1));
//! assert_eq!(channel.route(), Route::EpostLetter);
//! assert_eq!(channel.capabilities().max_pages, Some(94));
//! # Ok::<(), EpostError>(())
//! ```
//!
//! [`ErrorKind::Ambiguous`]: outbox_channel::ErrorKind::Ambiguous

mod channel;
mod client;
pub mod codes;
mod credentials;
mod error;
pub mod letter;
mod limiter;
mod secret;
pub mod status;
mod time;
mod wire;

#[cfg(feature = "fake")]
pub mod fake;

pub use channel::{ChannelOptions, EpostChannel};
pub use client::{ClientConfig, EpostAccount, EpostClient, Health, PRODUCTION_BASE_URL};
pub use credentials::{
    CODE_VERSION, Credentials, CredentialsError, CredentialsKey, ExportError, ImportError,
};
pub use error::EpostError;
pub use letter::{CoverMode, LetterOptions, TestMode};
pub use limiter::StatusLimiter;
pub use secret::Secret;
pub use time::parse_api_datetime;
pub use wire::{ApiError, Letter, LetterIdent, LetterStatus};
