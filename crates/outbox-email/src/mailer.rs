//! "Send one mail": the reusable API under the e-mail route, also used for notification mails
//! of other routes.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use outbox_model::{MailAccountId, TenantId};

use crate::account::{MailAccount, MailAccounts};
use crate::error::SendError;
use crate::files::FileTransport;
use crate::mail::{OutgoingMail, build_message, message_id};
use crate::smtp::{SmtpOptions, SmtpTransport};

/// Where mails go.
enum Transport {
    Smtp(SmtpTransport),
    Files(FileTransport),
}

/// A mail the transport accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    /// The Message-ID, with angle brackets.
    pub message_id: String,
    /// When it was accepted.
    pub at: DateTime<Utc>,
    /// The server's final reply ("250 OK: queued as …"), or the file written.
    pub confirmation: String,
    /// Size of the message as sent, in bytes.
    pub size: u64,
}

/// Sends mails through a tenant's mail accounts, over SMTP or into a folder of `.eml` files.
///
/// Cheap to share (`Arc<Mailer>`); SMTP connections are pooled per account unless the
/// [`SmtpOptions`] say otherwise.
pub struct Mailer {
    accounts: MailAccounts,
    transport: Transport,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match &self.transport {
            Transport::Smtp(s) => format!("smtp {:?}", s.options()),
            Transport::Files(t) => format!("files in {}", t.dir().display()),
        };
        f.debug_struct("Mailer")
            .field("accounts", &self.accounts.len())
            .field("transport", &transport)
            .finish()
    }
}

impl Mailer {
    /// Sends over SMTP to each account's server.
    pub fn smtp(accounts: MailAccounts, options: SmtpOptions) -> Self {
        Self {
            accounts,
            transport: Transport::Smtp(SmtpTransport::new(options)),
        }
    }

    /// Writes each mail as `<seed>.eml` into `dir` (created when missing) instead of sending
    /// it: for the embedded default, demos and tests. A resend overwrites the same file.
    pub fn files(accounts: MailAccounts, dir: impl Into<PathBuf>) -> Self {
        Self {
            accounts,
            transport: Transport::Files(FileTransport::new(dir.into())),
        }
    }

    /// The accounts.
    pub fn accounts(&self) -> &MailAccounts {
        &self.accounts
    }

    /// Whether mails go into files (then [`find_written`](Mailer::find_written) can tell
    /// whether a mail was written).
    pub fn is_file_transport(&self) -> bool {
        matches!(self.transport, Transport::Files(_))
    }

    /// Sends a mail of `tenant` through `account`, or the tenant's standard account when `None`.
    pub async fn send(
        &self,
        tenant: TenantId,
        account: Option<MailAccountId>,
        mail: &OutgoingMail,
    ) -> Result<SentMail, SendError> {
        let account = self
            .accounts
            .resolve(tenant, account)
            .map_err(|e| SendError::permanent("mail_account", e.to_string()).with_source(e))?;
        self.send_with(account, mail).await
    }

    /// Sends a mail through the given account (which need not be registered).
    pub async fn send_with(
        &self,
        account: &MailAccount,
        mail: &OutgoingMail,
    ) -> Result<SentMail, SendError> {
        account
            .validate()
            .map_err(|e| SendError::permanent("mail_account", e.to_string()).with_source(e))?;
        let message = build_message(account, mail)?;
        let id = message_id(&mail.message_id_seed, &account.from_address);
        let content = message.formatted();
        let size = content.len() as u64;
        let confirmation = match &self.transport {
            Transport::Smtp(smtp) => {
                let env = message.envelope();
                let Some(from) = env.from() else {
                    return Err(SendError::permanent(
                        "message_build",
                        "the mail has no envelope sender",
                    ));
                };
                let accepted = smtp.send(account, from, env.to(), &content).await?;
                accepted.reply
            }
            Transport::Files(files) => {
                let path = files.write(&mail.message_id_seed, &content).await?;
                format!("written to {}", path.display())
            }
        };
        tracing::info!(
            account = %account.id,
            tenant = %account.tenant,
            message_id = %id,
            size,
            "mail accepted: {confirmation}"
        );
        Ok(SentMail {
            message_id: id,
            at: Utc::now(),
            confirmation,
            size,
        })
    }

    /// With the file transport: the Message-ID of the mail written for `seed`, if any.
    /// With SMTP there is no way to ask the server, so this is always `Ok(None)`.
    pub async fn find_written(&self, seed: &str) -> Result<Option<String>, SendError> {
        match &self.transport {
            Transport::Files(files) => files.find(seed).await,
            Transport::Smtp(_) => Ok(None),
        }
    }

    /// Number of idle pooled SMTP connections.
    pub fn idle_connections(&self) -> usize {
        match &self.transport {
            Transport::Smtp(s) => s.idle_count(),
            Transport::Files(_) => 0,
        }
    }

    /// Closes all idle pooled SMTP connections (with `QUIT`), for an orderly shutdown.
    pub async fn close_idle_connections(&self) {
        if let Transport::Smtp(s) = &self.transport {
            s.close_idle().await;
        }
    }
}
