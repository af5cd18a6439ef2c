//! Records the store takes and returns, beside the domain types of `outbox-model`.

use chrono::{DateTime, Utc};
use outbox_model::{
    CollectorId, ContactId, Delivery, DeliveryId, DeliveryStatus, Document, DocumentId, Progress,
    Route, RouteSet, SendSettings, StatusKind, TenantId,
};

/// A document to put into the outbox. The store assigns its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    /// Title ("Bezeichnung").
    pub title: String,
    /// File name of the PDF.
    pub file_name: String,
    /// Number of pages.
    pub page_count: u32,
    /// Size of the PDF in bytes.
    pub size_bytes: u64,
    /// Who created it.
    pub author: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Reference into the producing application, if any.
    pub source_reference: Option<String>,
    /// Recipients in order; each must be a contact of the tenant.
    pub recipients: Vec<ContactId>,
    /// Send settings.
    pub settings: SendSettings,
    /// Key of the PDF bytes in the [`BlobStore`](crate::BlobStore).
    pub blob_key: String,
}

/// A stored document: the domain record plus where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    /// The document.
    pub document: Document,
    /// Key of the PDF bytes in the blob store.
    pub blob_key: String,
    /// The active collector it belongs to, if any.
    pub collector: Option<CollectorId>,
}

/// The routes of one recipient of a document after the document's overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientRoutes {
    /// The recipient.
    pub recipient: ContactId,
    /// Effective routes: the contact's preferred routes, minus removed, plus added ones.
    pub routes: RouteSet,
}

/// A planned delivery to insert (status `Prepared`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The recipient (a contact of the tenant).
    pub recipient: ContactId,
    /// The route.
    pub route: Route,
    /// Documents in sending order (at least one).
    pub documents: Vec<DocumentId>,
    /// The collector it was planned in, if any.
    pub collector: Option<CollectorId>,
}

/// A worker's hold on a delivery: who, until when, and the fencing token that proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// Owning tenant of the delivery.
    pub tenant: TenantId,
    /// The delivery.
    pub delivery: DeliveryId,
    /// The worker holding it.
    pub worker: String,
    /// Fencing token: grows with every claim; results carrying an older token are refused.
    pub token: i64,
    /// When the lease runs out unless renewed.
    pub expires_at: DateTime<Utc>,
}

/// A delivery handed to a worker by [`Store::claim`](crate::Store::claim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    /// The lease to pass to `complete`, `retry`, `renew`, `await_provider`.
    pub lease: Lease,
    /// The recipient.
    pub recipient: ContactId,
    /// The route.
    pub route: Route,
    /// Documents in sending order.
    pub documents: Vec<DocumentId>,
    /// The collector, if any.
    pub collector: Option<CollectorId>,
    /// Attempt number, starting at 1.
    pub attempt: u32,
    /// Provider reference recorded by an earlier attempt, if any.
    pub provider_reference: Option<String>,
    /// `true` when an earlier attempt's lease expired with the outcome unknown: the worker must
    /// reconcile with the provider (look the delivery up) instead of sending blindly.
    pub reconcile: bool,
}

/// What a worker reports at the end of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The new status: `Sent` or `Failed { .. }` (from `InProgress`).
    pub status: DeliveryStatus,
    /// The provider's reference, if learnt (E-POST letter id, Message-ID, share id).
    pub provider_reference: Option<String>,
}

impl Outcome {
    /// Sent, with the provider's reference.
    pub fn sent(provider_reference: Option<String>) -> Self {
        Self {
            status: DeliveryStatus::Sent,
            provider_reference,
        }
    }

    /// Failed with a reason.
    pub fn failed(reason: impl Into<String>, retryable: bool) -> Self {
        Self {
            status: DeliveryStatus::failed(reason, retryable),
            provider_reference: None,
        }
    }
}

/// A delivery as stored, without its history (see [`Store::history`](crate::Store::history)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// Identifier.
    pub id: DeliveryId,
    /// Owning tenant.
    pub tenant: TenantId,
    /// The recipient.
    pub recipient: ContactId,
    /// The route.
    pub route: Route,
    /// Documents in sending order.
    pub documents: Vec<DocumentId>,
    /// The collector, if any.
    pub collector: Option<CollectorId>,
    /// Current status.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: u32,
    /// Provider reference, if known.
    pub provider_reference: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When its status last changed.
    pub changed_at: DateTime<Utc>,
    /// The current lease, if a worker holds it.
    pub lease: Option<Lease>,
    /// Not to be claimed before this time (retry backoff).
    pub not_before: Option<DateTime<Utc>>,
}

impl DeliveryRow {
    /// The domain record with the given history.
    pub fn into_delivery(self, history: Vec<outbox_model::StatusChange>) -> Delivery {
        Delivery {
            id: self.id,
            tenant: self.tenant,
            recipient: self.recipient,
            route: self.route,
            documents: self.documents,
            collector: self.collector,
            status: self.status,
            attempts: self.attempts,
            provider_reference: self.provider_reference,
            created_at: self.created_at,
            history,
        }
    }
}

/// Sort order of the outbox overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OverviewSort {
    /// Newest first (default).
    #[default]
    NewestFirst,
    /// Oldest first.
    OldestFirst,
    /// By title A–Z.
    TitleAscending,
    /// By title Z–A.
    TitleDescending,
}

/// A page of a list: skip `offset` rows, return at most `limit` (1..=1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u32,
}

impl Page {
    /// The first `limit` rows.
    pub fn first(limit: u32) -> Self {
        Self { offset: 0, limit }
    }

    /// Page number `index` (0-based) of `size` rows.
    pub fn number(index: u64, size: u32) -> Self {
        Self {
            offset: index * u64::from(size),
            limit: size,
        }
    }
}

/// What an overview row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverviewItem {
    /// A document that is not part of an active collector.
    Document(DocumentId),
    /// A collector with all its documents.
    Collector(CollectorId),
}

/// One row of the outbox screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewRow {
    /// Document or collector.
    pub item: OverviewItem,
    /// Title of the document, or name of the collector.
    pub title: String,
    /// Number of distinct recipients.
    pub recipients: u64,
    /// Routes used by its (not cancelled) deliveries, in route order.
    pub routes: Vec<Route>,
    /// The five progress counts.
    pub progress: Progress,
    /// Who created it.
    pub author: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// One page of the outbox screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewPage {
    /// The rows of this page.
    pub rows: Vec<OverviewRow>,
    /// Rows in all pages.
    pub total: u64,
}

/// One line of a document's detail view: one delivery of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailRow {
    /// The delivery.
    pub delivery: DeliveryId,
    /// The recipient.
    pub recipient: ContactId,
    /// The recipient's display name.
    pub recipient_name: String,
    /// The route.
    pub route: Route,
    /// Current status kind.
    pub status: StatusKind,
    /// When the status last changed.
    pub changed_at: DateTime<Utc>,
    /// Why it failed, for failed deliveries.
    pub reason: Option<String>,
    /// Attempts so far.
    pub attempts: u32,
}

/// A share (portal or e-mail download link) to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShare {
    /// The share id (chosen by the route, e.g. random and URL-safe).
    pub id: String,
    /// The delivery it belongs to.
    pub delivery: DeliveryId,
    /// The route it was shared on.
    pub route: Route,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Hash of the secret link token (never the token itself).
    pub token_hash: Vec<u8>,
}

/// A stored share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// The share id.
    pub id: String,
    /// Owning tenant.
    pub tenant: TenantId,
    /// The delivery it belongs to.
    pub delivery: DeliveryId,
    /// The route.
    pub route: Route,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Hash of the secret link token.
    pub token_hash: Vec<u8>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Share {
    /// Whether the link may be used at `now`.
    pub fn is_usable(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// Result of recording a download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadRecorded {
    /// `true` when this download moved the delivery from `Sent` to `Downloaded`.
    pub first: bool,
}
