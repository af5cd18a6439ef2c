//! The e-mail route of the outbox: documents as PDF attachments over SMTP.
//!
//! - [`MailAccount`] / [`MailAccounts`]: a tenant's sending accounts (host, port, [`Security`]
//!   — STARTTLS by default, implicit TLS, plaintext only for local servers — [`Credentials`]
//!   that never show in `Debug`, sender, reply-to, one standard account per tenant).
//! - [`Mailer`]: "send one mail" ([`OutgoingMail`]) through an account, over SMTP with
//!   connection pooling ([`SmtpOptions`]) or into a folder of `.eml` files. Also used for the
//!   notification mails of other routes.
//! - [`EmailChannel`]: the [`Channel`](outbox_channel::Channel) of [`Route::Email`](outbox_model::Route::Email):
//!   renders subject, text and HTML from [`Templates`] (built-in German defaults), attaches the
//!   documents (file names per RFC 2231), derives the Message-ID from the delivery id, refuses
//!   mails over "max. Dokumente" / "max. Größe", and classifies failures: SMTP 4xx, connection
//!   and TLS failures are transient; 5xx permanent with the server's text; a broken connection
//!   or timeout after the content was sent is ambiguous, and [`UnknownOutcomePolicy`] says what
//!   `reconcile` answers then.
//!
//! Why the SMTP dialogue is driven here and not by lettre's `AsyncSmtpTransport`: that
//! transport reports a dropped connection the same way whether it broke at `MAIL FROM`
//! (nothing sent: transient) or while the content was on the wire (maybe delivered:
//! ambiguous). [`Mailer`] drives lettre's `AsyncSmtpConnection` command by command, knows the
//! [`Stage`] of every failure, pools connections per account (a pooled connection that the
//! server dropped, silently or with `421`, is replaced before anything is sent), and switches
//! Nagle's algorithm off after the handshake, which made a reused STARTTLS connection go from
//! about 40 ms to about 1 ms per mail against a local server.
//!
//! ```
//! use std::sync::Arc;
//! use outbox_email::*;
//! use outbox_model::{EmailAddress, MailAccountId, TenantId};
//!
//! # async fn demo(dir: std::path::PathBuf) -> Result<(), Box<dyn std::error::Error>> {
//! let account = MailAccount::new(
//!     MailAccountId(1),
//!     TenantId(1),
//!     "smtp.hv-sonnenschein.de",
//!     Security::StartTls,
//!     EmailAddress::parse("post@hv-sonnenschein.de")?,
//! )
//! .with_from_name("Hausverwaltung Sonnenschein")
//! .with_credentials(Credentials::new("post", "geheim"))
//! .standard();
//! assert!(!format!("{account:?}").contains("geheim"));
//!
//! // The file transport writes `<seed>.eml`; `Mailer::smtp(..)` sends for real.
//! let mailer = Arc::new(Mailer::files(MailAccounts::try_from_accounts([account])?, &dir));
//! let sent = mailer
//!     .send(TenantId(1), None, &OutgoingMail {
//!         to_name: "Jürgen Müller".into(),
//!         to_address: EmailAddress::parse("j.mueller@example.de")?,
//!         subject: "Ihre Abrechnung".into(),
//!         text_body: "Guten Tag Herr Müller, anbei die Abrechnung.".into(),
//!         html_body: None,
//!         attachments: vec![MailAttachment::pdf("Abrechnung Größe.pdf", &b"%PDF-1.7"[..])],
//!         reply_to: None,
//!         message_id_seed: "demo-1".into(),
//!     })
//!     .await?;
//! assert_eq!(sent.message_id, "<demo-1@hv-sonnenschein.de>");
//! assert!(dir.join("demo-1.eml").exists());
//!
//! // The route for the engine:
//! let channel: Arc<dyn outbox_channel::Channel> = Arc::new(EmailChannel::new(mailer));
//! # let _ = channel;
//! # Ok(())
//! # }
//! # let dir = std::env::temp_dir().join(format!("outbox-email-doc-{}", std::process::id()));
//! # tokio::runtime::Runtime::new()?.block_on(demo(dir.clone()))?;
//! # std::fs::remove_dir_all(dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod account;
mod channel;
mod error;
mod files;
mod mail;
mod mailer;
mod smtp;
mod template;

pub use account::{AccountError, Credentials, MailAccount, MailAccounts, Security};
pub use channel::{ChannelLimits, EmailChannel, UnknownOutcomePolicy};
pub use error::{SendError, Stage};
pub use mail::{MailAttachment, OutgoingMail, message_id};
pub use mailer::{Mailer, SentMail};
pub use smtp::{PoolOptions, SmtpOptions};
pub use template::{
    DocumentEntry, MailTemplate, RenderedMail, TemplateError, TemplateValues, Templates,
    html_escape,
};
