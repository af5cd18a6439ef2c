//! The e-mail route: a delivery becomes one mail with its documents attached.

use std::sync::Arc;

use async_trait::async_trait;
use outbox_channel::{
    Capabilities, Channel, ChannelError, OutgoingDelivery, PollRequest, Receipt, StatusUpdate,
};
use outbox_model::{
    DeliveryId, DeliveryStatus, EpostSettings, ReadinessProblem, Route, TenantId, check_recipient,
};

use crate::mail::{MailAttachment, OutgoingMail};
use crate::mailer::{Mailer, SentMail};
use crate::template::{DocumentEntry, TemplateValues, Templates};

/// What [`EmailChannel::reconcile`] answers after an unknown SMTP outcome (connection lost or
/// timed out after the content was sent). SMTP gives no way to ask a server whether it took a
/// mail, so this is a policy, not a lookup. With the file transport the folder is looked at
/// instead and the policy does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownOutcomePolicy {
    /// `reconcile` answers `Ok(None)`: "not known to be sent", so the engine may send again.
    /// The resend carries the same Message-ID (derived from the delivery id), so a duplicate
    /// is recognisable and most mail clients show it once. The default: a lost mail is worse
    /// than a recognisable duplicate.
    #[default]
    ResendSameMessageId,
    /// `reconcile` fails permanently (code `unknown_outcome`) so the delivery ends as failed
    /// and a person decides (look in the sent folder or the server log, then resend by hand).
    MarkFailedForReview,
}

/// Hard ceilings of the channel, on top of each document's "max. Dokumente" / "max. Größe".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelLimits {
    /// Most attachment bytes in one mail (most providers refuse mails over 25 MB after base64).
    pub max_bytes: u64,
    /// Most documents in one mail.
    pub max_documents: u32,
}

impl Default for ChannelLimits {
    fn default() -> Self {
        Self {
            max_bytes: 18_000_000,
            max_documents: 50,
        }
    }
}

/// The e-mail route ([`Route::Email`]).
///
/// Each delivery becomes one mail through the account named in the documents' e-mail settings
/// (else the tenant's standard account); subject and bodies come from the [`Templates`]; the
/// documents are PDF attachments; the Message-ID is `<outbox-t{tenant}-d{delivery}@sender-domain>`
/// on every attempt.
#[derive(Debug, Clone)]
pub struct EmailChannel {
    mailer: Arc<Mailer>,
    templates: Templates,
    policy: UnknownOutcomePolicy,
    limits: ChannelLimits,
}

impl EmailChannel {
    /// A channel with the built-in German templates, [`UnknownOutcomePolicy::ResendSameMessageId`]
    /// and default [`ChannelLimits`].
    pub fn new(mailer: Arc<Mailer>) -> Self {
        Self {
            mailer,
            templates: Templates::default(),
            policy: UnknownOutcomePolicy::default(),
            limits: ChannelLimits::default(),
        }
    }

    /// Uses these templates.
    pub fn with_templates(mut self, templates: Templates) -> Self {
        self.templates = templates;
        self
    }

    /// Uses this policy for unknown outcomes.
    pub fn with_unknown_outcome_policy(mut self, policy: UnknownOutcomePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Uses these ceilings.
    pub fn with_limits(mut self, limits: ChannelLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The mailer underneath.
    pub fn mailer(&self) -> &Arc<Mailer> {
        &self.mailer
    }

    /// The Message-ID seed of a delivery; the same on every attempt.
    pub fn message_id_seed(tenant: TenantId, delivery: DeliveryId) -> String {
        format!("outbox-t{tenant}-d{delivery}")
    }

    /// Every limit the delivery exceeds, explained.
    fn limit_problems(&self, d: &OutgoingDelivery) -> Vec<String> {
        let settings = d.settings().email;
        let count = d.documents.len() as u64;
        let bytes = d.total_bytes();
        let mb = |b: u64| format!("{:.1} MB", b as f64 / 1_000_000.0);
        let mut out = Vec::new();
        let max_docs = u64::from(settings.max_documents.min(self.limits.max_documents));
        if count > max_docs {
            out.push(format!(
                "{count} documents in one mail, at most {max_docs} allowed (\"max. Dokumente\"); split the delivery"
            ));
        }
        let max_bytes = settings.max_bytes().min(self.limits.max_bytes);
        if bytes > max_bytes {
            out.push(format!(
                "{} of attachments in one mail, at most {} allowed (\"max. Größe\"); split the delivery or send the large document another way",
                mb(bytes),
                mb(max_bytes)
            ));
        }
        out
    }

    /// The mail a delivery becomes, and the account it goes through.
    pub fn compose(
        &self,
        d: &OutgoingDelivery,
    ) -> Result<(outbox_model::MailAccountId, OutgoingMail), ChannelError> {
        if d.route != Route::Email {
            return Err(ChannelError::permanent(
                "wrong_route",
                format!(
                    "the e-mail channel got a delivery for route {}",
                    d.route.as_str()
                ),
            ));
        }
        if d.documents.is_empty() {
            return Err(ChannelError::permanent(
                "no_documents",
                "the delivery has no documents to attach",
            ));
        }
        let problems = self.limit_problems(d);
        if !problems.is_empty() {
            return Err(ChannelError::permanent("over_limit", problems.join("; ")));
        }
        let to_address = match d.recipient.email_address() {
            Some(Ok(a)) => a,
            Some(Err(e)) => {
                return Err(ChannelError::permanent(
                    "invalid_email_address",
                    e.to_string(),
                ));
            }
            None => {
                return Err(ChannelError::permanent(
                    "no_email_address",
                    format!("{} has no e-mail address", d.recipient.name),
                ));
            }
        };
        let reply_to = outbox_channel::checked_reply_to(d.sender.reply_to.as_deref())?;
        let account = self
            .mailer
            .accounts()
            .resolve(d.tenant, d.settings().email.account)
            .map_err(|e| ChannelError::permanent("mail_account", e.to_string()))?;
        let sender_name = [d.sender.name.trim(), account.from_name.trim()]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or(account.from_address.as_str())
            .to_owned();
        let values = TemplateValues {
            recipient_name: d.recipient.name.clone(),
            sender_name,
            documents: d
                .documents
                .iter()
                .map(|doc| DocumentEntry {
                    title: doc.title.clone(),
                    file_name: doc.file_name.clone(),
                })
                .collect(),
        };
        let rendered = self.templates.pick(d.tenant, account.id).render(&values);
        let mail = OutgoingMail {
            to_name: d.recipient.name.clone(),
            to_address,
            subject: rendered.subject,
            text_body: rendered.text,
            html_body: Some(rendered.html),
            attachments: d
                .documents
                .iter()
                .map(|doc| MailAttachment::pdf(doc.file_name.clone(), doc.bytes.clone()))
                .collect(),
            reply_to,
            message_id_seed: Self::message_id_seed(d.tenant, d.id),
        };
        Ok((account.id, mail))
    }

    fn receipt(sent: SentMail) -> Receipt {
        Receipt {
            provider_reference: sent.message_id,
            status: DeliveryStatus::Sent,
            at: sent.at,
            note: Some(sent.confirmation),
        }
    }
}

#[async_trait]
impl Channel for EmailChannel {
    fn route(&self) -> Route {
        Route::Email
    }

    fn capabilities(&self) -> Capabilities {
        let mut c = Capabilities::new(Route::Email);
        c.max_bytes = Some(self.limits.max_bytes);
        c.max_documents = Some(self.limits.max_documents);
        // Only a folder of files can be looked into; an SMTP server cannot be asked.
        c.reconcile = self.mailer.is_file_transport();
        c.idempotent_send = self.mailer.is_file_transport();
        c
    }

    async fn check(&self, d: &OutgoingDelivery) -> Vec<ReadinessProblem> {
        let mut problems = check_recipient(
            Route::Email,
            Some(&d.recipient),
            &EpostSettings::default(),
            true,
        );
        problems.extend(
            self.limit_problems(d)
                .into_iter()
                .map(|what| ReadinessProblem::OverLimit { what }),
        );
        if let Err(e) = self
            .mailer
            .accounts()
            .resolve(d.tenant, d.settings().email.account)
        {
            problems.push(ReadinessProblem::NoMailAccount {
                reason: e.to_string(),
            });
        }
        problems
    }

    async fn send(&self, d: &OutgoingDelivery) -> Result<Receipt, ChannelError> {
        let (account, mail) = self.compose(d)?;
        let sent = self
            .mailer
            .send(d.tenant, Some(account), &mail)
            .await
            .map_err(ChannelError::from)?;
        Ok(Self::receipt(sent))
    }

    async fn poll(&self, _requests: &[PollRequest]) -> Result<Vec<StatusUpdate>, ChannelError> {
        // A mail is final once the server took it; there is nothing to ask later.
        Ok(Vec::new())
    }

    async fn reconcile(
        &self,
        tenant: TenantId,
        delivery: DeliveryId,
    ) -> Result<Option<Receipt>, ChannelError> {
        let seed = Self::message_id_seed(tenant, delivery);
        if self.mailer.is_file_transport() {
            let found = self.mailer.find_written(&seed).await?;
            return Ok(found.map(|message_id| Receipt {
                provider_reference: message_id,
                status: DeliveryStatus::Sent,
                at: chrono::Utc::now(),
                note: Some("found in the mail folder".into()),
            }));
        }
        match self.policy {
            UnknownOutcomePolicy::ResendSameMessageId => Ok(None),
            UnknownOutcomePolicy::MarkFailedForReview => Err(ChannelError::permanent(
                "unknown_outcome",
                format!(
                    "the connection broke after the mail for delivery {delivery} was sent, so it may have arrived; check the sent folder or the server log before sending it again (Message-ID seed {seed})"
                ),
            )),
        }
    }
}
