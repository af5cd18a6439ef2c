//! What is stored about a share and its downloads.

use chrono::{DateTime, Utc};
use outbox_channel::DownloadEvent;
use outbox_model::{DeliveryId, DocumentId, DownloadRecord, Route, TenantId};
use serde::{Deserialize, Serialize};

use crate::ShareId;

/// One document of a share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedDocument {
    /// The outbox document.
    pub id: DocumentId,
    /// Title ("Bezeichnung"), shown on the download page.
    pub title: String,
    /// File name offered to the browser (cleaned; never used as a path).
    pub file_name: String,
    /// The stored file's key in the blob store.
    pub blob_key: String,
    /// Size in bytes.
    pub size: u64,
}

/// Documents of one delivery, downloadable through a signed link until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// Unguessable id (128 random bits).
    pub id: ShareId,
    /// Owning tenant.
    pub tenant: TenantId,
    /// The delivery shared; a delivery has at most one share.
    pub delivery: DeliveryId,
    /// Recipient's name.
    pub recipient_name: String,
    /// Recipient's e-mail address.
    pub recipient_email: String,
    /// Sender's name, shown on the page and in the e-mail.
    pub sender_name: String,
    /// Documents in order; downloads address them by index.
    pub documents: Vec<SharedDocument>,
    /// When the share was created.
    pub created_at: DateTime<Utc>,
    /// When the link stops working (whole seconds).
    pub expires_at: DateTime<Utc>,
    /// The validity chosen for the documents, in days (1..=9).
    pub validity_days: u8,
    /// When the recipient was notified; `None` until the notification went out.
    #[serde(default)]
    pub notified_at: Option<DateTime<Utc>>,
    /// Time of the first download: the proof of delivery.
    #[serde(default)]
    pub first_download_at: Option<DateTime<Utc>>,
    /// The last download sequence number reported by a poll.
    #[serde(default)]
    pub poll_cursor: u64,
    /// When the stored files were removed after expiry.
    #[serde(default)]
    pub purged_at: Option<DateTime<Utc>>,
}

impl Share {
    /// Whether the link has expired at `now` (it works up to and including `expires_at`).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now > self.expires_at
    }
}

/// A download about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDownload {
    /// The share.
    pub share: ShareId,
    /// Index of the document in the share.
    pub document_index: usize,
    /// When.
    pub at: DateTime<Utc>,
    /// The client address (IP), or `"unknown"`.
    pub client: String,
    /// Whether only part of the file was requested (HTTP Range).
    pub partial: bool,
}

/// A recorded download: who fetched which document of which share, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareDownload {
    /// Store-wide sequence number, starting at 1; the cursor of
    /// [`ShareStore::downloads_since`](crate::ShareStore::downloads_since).
    pub seq: u64,
    /// The share.
    pub share: ShareId,
    /// Owning tenant.
    pub tenant: TenantId,
    /// The delivery.
    pub delivery: DeliveryId,
    /// The document.
    pub document: DocumentId,
    /// Index of the document in the share.
    pub document_index: usize,
    /// When.
    pub at: DateTime<Utc>,
    /// The client address (IP), or `"unknown"`.
    pub client: String,
    /// Whether only part of the file was requested (HTTP Range).
    pub partial: bool,
    /// Whether this was the share's first download (exactly one per share is).
    pub first: bool,
}

impl ShareDownload {
    /// The download as the outbox's audit record.
    pub fn to_record(&self) -> DownloadRecord {
        DownloadRecord {
            delivery: self.delivery,
            document: self.document,
            route: Route::EmailShare,
            at: self.at,
            by: self.client.clone(),
        }
    }

    /// The download as a channel event.
    pub fn to_event(&self) -> DownloadEvent {
        DownloadEvent {
            document: Some(self.document),
            at: self.at,
            by: self.client.clone(),
        }
    }
}
