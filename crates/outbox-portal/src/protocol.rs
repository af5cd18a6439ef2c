//! The portal protocol's wire types, shared by the client ([`PortalClient`](crate::PortalClient))
//! and the reference server. The protocol, from the crate's `PROTOCOL.md`:
//!
#![doc = include_str!("../PROTOCOL.md")]

use chrono::{DateTime, Utc};
use outbox_model::{DeliveryId, DocumentId};
use serde::{Deserialize, Serialize};

/// The path prefix of protocol version 1.
pub const API_PREFIX: &str = "api/v1";

/// Most downloads one `GET /api/v1/downloads` returns.
pub const MAX_DOWNLOADS_PAGE: u32 = 1000;

/// Downloads one `GET /api/v1/downloads` returns when `limit` is not given.
pub const DEFAULT_DOWNLOADS_PAGE: u32 = 100;

/// Stable error codes of the protocol (`{"code": ..., "message": ...}`).
pub mod codes {
    /// 401: the `Authorization: Bearer` token is missing or wrong.
    pub const UNAUTHORIZED: &str = "unauthorized";
    /// 422: the portal has no account with the given login.
    pub const UNKNOWN_ACCOUNT: &str = "unknown_account";
    /// 422: a metadata field is missing, empty, too long or has control characters.
    pub const INVALID_METADATA: &str = "invalid_metadata";
    /// 400: a path or query parameter is not valid (ids must be whole numbers).
    pub const INVALID_REQUEST: &str = "invalid_request";
    /// 409: the delivery/document pair exists with other content or metadata.
    pub const UPLOAD_CONFLICT: &str = "upload_conflict";
    /// 409: other documents of this delivery belong to another account.
    pub const ACCOUNT_MISMATCH: &str = "account_mismatch";
    /// 410: the delivery was withdrawn; it cannot receive documents again.
    pub const DELIVERY_WITHDRAWN: &str = "delivery_withdrawn";
    /// 404: no such delivery.
    pub const DELIVERY_NOT_FOUND: &str = "delivery_not_found";
    /// 404: no such endpoint.
    pub const NOT_FOUND: &str = "not_found";
    /// 413: the document is larger than the portal accepts.
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    /// 500: the portal failed; try again later.
    pub const INTERNAL: &str = "internal";
}

/// The error body of every non-2xx API response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable code, see [`codes`].
    pub code: String,
    /// What went wrong and what to do, for people.
    pub message: String,
}

/// Query parameters of `PUT /api/v1/deliveries/{delivery_id}/documents/{document_id}`; the
/// request body is the PDF itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadMetadata {
    /// The recipient's portal login; must exist at the portal.
    pub account: String,
    /// The title shown to the recipient.
    pub title: String,
    /// The category the portal files the document under.
    pub category: String,
    /// The file name the recipient downloads.
    pub file_name: String,
    /// How many documents the whole delivery has, so the portal can tell a complete delivery from
    /// one whose upload was interrupted.
    pub document_count: u32,
}

/// One stored document, as returned by an upload and in [`DeliveryInfo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// The portal's id for this upload; the same for every repetition of the same upload.
    pub upload_id: String,
    /// The delivery.
    pub delivery_id: DeliveryId,
    /// The document.
    pub document_id: DocumentId,
    /// The recipient's login.
    pub account: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// File name.
    pub file_name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// When the portal first stored it.
    pub created_at: DateTime<Utc>,
    /// When the recipient first downloaded it, if ever.
    pub first_download_at: Option<DateTime<Utc>>,
}

/// `GET /api/v1/deliveries/{delivery_id}`: what the portal holds for a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryInfo {
    /// The delivery.
    pub delivery_id: DeliveryId,
    /// The recipient's login.
    pub account: String,
    /// How many documents the sender announced.
    pub document_count: u32,
    /// Whether every announced document is stored.
    pub complete: bool,
    /// When the first document was stored.
    pub created_at: DateTime<Utc>,
    /// When the delivery was withdrawn, if it was.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// The stored documents, by document id.
    pub documents: Vec<DocumentInfo>,
}

/// `DELETE /api/v1/deliveries/{delivery_id}`: the result of a withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawResult {
    /// The delivery.
    pub delivery_id: DeliveryId,
    /// Documents withdrawn by this request (0 when it was withdrawn before).
    pub withdrawn_documents: u32,
    /// When the delivery was withdrawn.
    pub withdrawn_at: DateTime<Utc>,
}

/// One recorded download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadEntry {
    /// Position in the portal's download log; strictly increasing in the order downloads were
    /// recorded.
    pub cursor: u64,
    /// The delivery.
    pub delivery_id: DeliveryId,
    /// The document downloaded.
    pub document_id: DocumentId,
    /// The login that downloaded it.
    pub account: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// `GET /api/v1/downloads?since={cursor}&limit={n}`: downloads after a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadPage {
    /// Downloads with `cursor > since`, ascending, at most `limit`.
    pub downloads: Vec<DownloadEntry>,
    /// The cursor to ask from next time (the last entry's, or `since` when empty).
    pub next_cursor: u64,
    /// Whether more downloads follow `next_cursor` right now.
    pub has_more: bool,
}
