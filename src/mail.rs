//! E-mail wiring: mailers per tenant, and share notifications sent as mails.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use outbox_email::{MailAccount, MailAccounts, Mailer, Security};
use outbox_model::{EmailAddress, MailAccountId, TenantId};

/// Sender address of the embedded default, which writes mails into files and sends nothing.
const FILE_SENDER: &str = "postausgang@outbox.invalid";

/// Which mailer serves a tenant: the application's SMTP mailer for every tenant, or (embedded
/// default) one `.eml`-writing mailer per tenant.
pub(crate) enum Mailers {
    Shared(Arc<Mailer>),
    Files {
        dir: PathBuf,
        per_tenant: RwLock<HashMap<TenantId, Arc<Mailer>>>,
    },
}

impl Mailers {
    pub(crate) fn mailer(&self, tenant: TenantId) -> Option<Arc<Mailer>> {
        match self {
            Mailers::Shared(m) => Some(m.clone()),
            Mailers::Files { per_tenant, .. } => per_tenant
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(&tenant)
                .cloned(),
        }
    }

    /// For the file default: the tenant's mailer, created with a standard account named after
    /// the sender. `None` for a shared SMTP mailer (its accounts come from the configuration).
    pub(crate) fn open_tenant(&self, tenant: TenantId, sender_name: &str) -> Option<Arc<Mailer>> {
        let Mailers::Files { dir, per_tenant } = self else {
            return None;
        };
        let address = EmailAddress::parse(FILE_SENDER).ok()?;
        let account = MailAccount::new(
            MailAccountId(tenant.0),
            tenant,
            "localhost",
            Security::LOCAL_PLAINTEXT,
            address,
        )
        .with_from_name(sender_name)
        .standard();
        let accounts = MailAccounts::try_from_accounts([account]).ok()?;
        let mailer = Arc::new(Mailer::files(
            accounts,
            dir.join(format!("tenant-{tenant}")),
        ));
        per_tenant
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tenant, mailer.clone());
        Some(mailer)
    }
}

#[cfg(feature = "mailshare")]
pub(crate) use notifier::MailNotifier;

#[cfg(feature = "mailshare")]
mod notifier {
    use std::sync::Arc;

    use async_trait::async_trait;
    use outbox_channel::ChannelError;
    use outbox_email::{MailAttachment, OutgoingMail};
    use outbox_mailshare::{Notification, Notifier};
    use outbox_model::EmailAddress;

    use super::Mailers;

    /// Sends share notifications as e-mails through the tenant's mailer.
    pub(crate) struct MailNotifier(pub(crate) Arc<Mailers>);

    #[async_trait]
    impl Notifier for MailNotifier {
        async fn notify(&self, n: &Notification) -> Result<(), ChannelError> {
            let mailer = self.0.mailer(n.tenant).ok_or_else(|| {
                ChannelError::permanent(
                    "no_mail_account",
                    format!(
                        "tenant {} has no mail account for share notifications",
                        n.tenant
                    ),
                )
            })?;
            let to = EmailAddress::parse(&n.recipient_email)
                .map_err(|e| ChannelError::permanent("invalid_recipient", e.to_string()))?;
            let reply_to = outbox_channel::checked_reply_to(n.reply_to.as_deref())?;
            let mail = OutgoingMail {
                to_name: n.recipient_name.clone(),
                to_address: to,
                subject: n.subject(),
                text_body: n.text(),
                html_body: None,
                attachments: Vec::<MailAttachment>::new(),
                reply_to,
                message_id_seed: format!("share-{}-{}", n.tenant, n.delivery),
            };
            mailer
                .send(n.tenant, None, &mail)
                .await
                .map(|_| ())
                .map_err(ChannelError::from)
        }
    }
}
