//! What a channel receives and returns: the prepared delivery, receipts, status updates.

use std::sync::Arc;

use crate::ChannelError;
use chrono::{DateTime, Utc};
use outbox_model::{
    Contact, DeliveryId, DeliveryStatus, DocumentId, EmailAddress, InvalidEmail, PostalAddress,
    Route, SendSettings, TenantId,
};

/// The sender of a delivery: the tenant (property administration) as recipients see it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sender {
    /// Name shown as sender ("Hausverwaltung Sonnenschein GmbH").
    pub name: String,
    /// Postal address, for the return line of a letter (mandatory on E-POST letters since 2025).
    pub address: Option<PostalAddress>,
    /// E-mail address replies go to, if any: the `Reply-To` of e-mails and share
    /// notifications, in place of the mail account's own reply-to.
    pub reply_to: Option<String>,
}

impl Sender {
    /// The checked reply-to address: `None` when none is set (or only blanks), an error when
    /// it is not a valid e-mail address.
    pub fn reply_to_address(&self) -> Option<Result<EmailAddress, InvalidEmail>> {
        parse_reply_to(self.reply_to.as_deref())
    }

    /// The one-line return address of a letter: "Name · Street · Zip City".
    pub fn return_line(&self) -> String {
        let mut parts = vec![self.name.trim().to_owned()];
        if let Some(a) = &self.address {
            parts.extend(a.lines.iter().skip(1).map(|l| l.trim().to_owned()));
            parts.push(
                format!("{} {}", a.zip.trim(), a.city.trim())
                    .trim()
                    .to_owned(),
            );
        }
        parts.retain(|p| !p.is_empty());
        parts.join(" · ")
    }
}

fn parse_reply_to(raw: Option<&str>) -> Option<Result<EmailAddress, InvalidEmail>> {
    let raw = raw.map(str::trim)?;
    (!raw.is_empty()).then(|| EmailAddress::parse(raw))
}

/// A sender's reply-to as the mail routes use it (e-mails and share notifications): blank
/// is none, an invalid address fails the delivery permanently (`invalid_reply_to`).
pub fn checked_reply_to(raw: Option<&str>) -> Result<Option<EmailAddress>, ChannelError> {
    parse_reply_to(raw).transpose().map_err(|e| {
        ChannelError::permanent(
            "invalid_reply_to",
            format!(
                "the sender's reply-to address is invalid ({e}); correct it in the tenant's sender settings"
            ),
        )
    })
}

/// One document of a delivery, with its bytes.
#[derive(Debug, Clone)]
pub struct OutgoingDocument {
    /// Identifier.
    pub id: DocumentId,
    /// Title ("Bezeichnung").
    pub title: String,
    /// File name for attachments and downloads.
    pub file_name: String,
    /// Number of pages.
    pub page_count: u32,
    /// The PDF. Shared so a document sent to many recipients is held once.
    pub bytes: Arc<[u8]>,
    /// The document's send settings; within one delivery they are compatible (the planner
    /// guarantees it), so channels read route settings from the first document.
    pub settings: SendSettings,
}

/// A delivery ready to hand to a channel.
#[derive(Debug, Clone)]
pub struct OutgoingDelivery {
    /// The delivery id; channels use it as the idempotency key towards the provider
    /// (E-POST `custom1`, e-mail Message-ID, share and upload ids).
    pub id: DeliveryId,
    /// Owning tenant.
    pub tenant: TenantId,
    /// The route.
    pub route: Route,
    /// Attempt number, starting at 1.
    pub attempt: u32,
    /// The recipient.
    pub recipient: Contact,
    /// The sender.
    pub sender: Sender,
    /// Documents in order.
    pub documents: Vec<OutgoingDocument>,
}

impl OutgoingDelivery {
    /// Total bytes of all documents.
    pub fn total_bytes(&self) -> u64 {
        self.documents.iter().map(|d| d.bytes.len() as u64).sum()
    }

    /// Total pages of all documents.
    pub fn total_pages(&self) -> u64 {
        self.documents.iter().map(|d| u64::from(d.page_count)).sum()
    }

    /// The settings that govern the delivery (those of the first document).
    pub fn settings(&self) -> SendSettings {
        self.documents
            .first()
            .map(|d| d.settings.clone())
            .unwrap_or_default()
    }
}

/// Proof that a provider accepted a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The provider's reference (E-POST letter id, Message-ID, share id, upload id).
    pub provider_reference: String,
    /// The status the delivery has now: `InProgress` when the provider still processes it
    /// (E-POST until printed), `Sent` when it is handed over.
    pub status: DeliveryStatus,
    /// When the provider accepted it.
    pub at: DateTime<Utc>,
    /// A note for the audit log, if any.
    pub note: Option<String>,
}

/// A delivery a polling channel should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollRequest {
    /// Owning tenant (polling channels may hold one provider account per tenant).
    pub tenant: TenantId,
    /// The delivery.
    pub delivery: DeliveryId,
    /// Its provider reference from the receipt.
    pub provider_reference: String,
    /// Its status as the outbox knows it.
    pub status: DeliveryStatus,
}

/// A download of a shared document, the proof of delivery for shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadEvent {
    /// The document downloaded, if the provider says which.
    pub document: Option<DocumentId>,
    /// When.
    pub at: DateTime<Utc>,
    /// Who, as far as known (portal account, client address).
    pub by: String,
}

/// Registered-mail tracking information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// The shipment code.
    pub code: String,
    /// Whether the tracking state is final.
    pub is_final: bool,
}

/// What a poll learned about one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The delivery.
    pub delivery: DeliveryId,
    /// The status the provider reports; may equal the current one (nothing new besides
    /// downloads or tracking).
    pub status: DeliveryStatus,
    /// When the provider saw it.
    pub at: DateTime<Utc>,
    /// Downloads since the last poll.
    pub downloads: Vec<DownloadEvent>,
    /// Registered-mail tracking, when there is any.
    pub tracking: Option<Tracking>,
    /// A note for the audit log, if any.
    pub note: Option<String>,
}
