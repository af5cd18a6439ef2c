//! The portal-share route as an outbox [`Channel`].

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::Utc;
use outbox_channel::{
    Capabilities, Channel, ChannelError, DownloadEvent, OutgoingDelivery, PollRequest, Receipt,
    StatusUpdate,
};
use outbox_model::{
    DeliveryId, DeliveryStatus, EpostSettings, Problem, ProblemCode, ReadinessProblem, Route,
    TenantId, check_recipient,
};

use crate::client::{PortalClient, PortalConfig};
use crate::ledger::Ledger;
use crate::protocol::{DeliveryInfo, DownloadEntry, MAX_DOWNLOADS_PAGE, UploadMetadata};

/// Longest category the portal accepts, in characters (as `SendSettings::validate`).
const MAX_CATEGORY_CHARS: usize = 80;

/// Most download pages one poll fetches, so one poll stays short; the rest follows next time.
const MAX_PAGES_PER_POLL: usize = 50;

/// The provider reference of a portal delivery: derived from the delivery id alone, so a resend
/// and a reconcile produce the same one.
pub fn provider_reference(delivery: DeliveryId) -> String {
    format!("portal-delivery-{delivery}")
}

/// The portal-share route ([`Route::PortalShare`]) over protocol v1.
///
/// - `send` uploads every document with the recipient's `portal_account`, the document's portal
///   category, title and file name. Uploads are idempotent by (delivery id, document id), so a
///   resend after a crash creates nothing new. The receipt is `Sent` with the reference
///   [`provider_reference`].
/// - `poll` fetches the portal's download log after the channel's **download cursor** and turns
///   the downloads of the requested deliveries into [`StatusUpdate`]s: the first download moves
///   `Sent → Downloaded`; later downloads are reported with the status unchanged. Downloads of
///   deliveries not in the request are kept until they are polled. Include every portal delivery
///   that is `Sent` or `Downloaded` in your polls if you want every later download recorded.
/// - `reconcile` asks the portal for the delivery; an interrupted multi-document upload is
///   reported as not found, which is safe because resending is idempotent.
///
/// **Persist the cursor**: after you durably recorded a poll's updates, store
/// [`download_cursor`](Self::download_cursor); after a restart, call
/// [`set_download_cursor`](Self::set_download_cursor) before the first poll. Downloads after
/// the stored cursor may then be reported a second time, with identical
/// (delivery, document, time, account), so deduplicate on those if it matters. Without a stored
/// cursor a new channel starts at 0 and reports the whole log again.
pub struct PortalChannel {
    client: PortalClient,
    max_document_bytes: u64,
    /// When set, the portal belongs to this tenant alone and other tenants' deliveries are refused.
    tenant: Option<TenantId>,
    ledger: Mutex<Ledger>,
    /// Serialises polls so two polls never fetch the same range.
    poll_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for PortalChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalChannel")
            .field("client", &self.client)
            .field("max_document_bytes", &self.max_document_bytes)
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

impl PortalChannel {
    /// Default per-document size limit: 50 MB, the reference server's default.
    pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 50 * 1024 * 1024;

    /// A channel for the portal at `config`; fails when the configuration is unusable.
    pub fn new(config: PortalConfig) -> Result<Self, ChannelError> {
        Ok(Self::with_client(PortalClient::new(config)?))
    }

    /// A channel over an existing client.
    pub fn with_client(client: PortalClient) -> Self {
        Self {
            client,
            max_document_bytes: Self::DEFAULT_MAX_DOCUMENT_BYTES,
            tenant: None,
            ledger: Mutex::new(Ledger::default()),
            poll_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Sets the largest document `check` lets through; match the portal's upload limit.
    pub fn with_max_document_bytes(mut self, bytes: u64) -> Self {
        self.max_document_bytes = bytes;
        self
    }

    /// Binds the channel to one tenant's portal: deliveries of other tenants fail `check`
    /// ([`ReadinessProblem::RouteUnavailable`]) and `send`/`reconcile` (permanent
    /// `tenant_mismatch`), and their poll requests are ignored. Use one channel per tenant when
    /// tenants have their own portals, so no document can reach another tenant's portal.
    pub fn for_tenant(mut self, tenant: TenantId) -> Self {
        self.tenant = Some(tenant);
        self
    }

    fn serves(&self, tenant: TenantId) -> bool {
        self.tenant.is_none_or(|t| t == tenant)
    }

    fn refuse_tenant(&self, tenant: TenantId) -> Result<(), ChannelError> {
        if self.serves(tenant) {
            return Ok(());
        }
        Err(ChannelError::permanent(
            "tenant_mismatch",
            format!(
                "this portal channel serves tenant {} only, not tenant {tenant}; configure a portal for that tenant",
                self.tenant.map(|t| t.to_string()).unwrap_or_default()
            ),
        ))
    }

    /// The protocol client, e.g. to [`withdraw`](PortalClient::withdraw) a delivery.
    pub fn client(&self) -> &PortalClient {
        &self.client
    }

    /// The cursor to persist: every download up to it has been returned by `poll`.
    pub fn download_cursor(&self) -> u64 {
        self.ledger().safe_cursor()
    }

    /// Continues from a persisted cursor (drops downloads fetched but not yet returned; they
    /// lie after the cursor and are fetched again).
    pub fn set_download_cursor(&self, cursor: u64) {
        self.ledger().reset(cursor);
    }

    /// Downloads fetched for deliveries that have not been polled since.
    pub fn pending_downloads(&self) -> usize {
        self.ledger().pending_len()
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        // The ledger holds no invariant a panicking holder could break half-way.
        self.ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn receipt(info: &DeliveryInfo, note: String) -> Receipt {
        Receipt {
            provider_reference: provider_reference(info.delivery_id),
            status: DeliveryStatus::Sent,
            at: info.created_at,
            note: Some(note),
        }
    }
}

fn category_problem(category: &str) -> Option<String> {
    let c = category.trim();
    if c.is_empty() {
        Some("the portal category is empty".into())
    } else if c.chars().count() > MAX_CATEGORY_CHARS {
        Some(format!(
            "the portal category is longer than {MAX_CATEGORY_CHARS} characters"
        ))
    } else if c.chars().any(char::is_control) {
        Some("the portal category contains control characters".into())
    } else {
        None
    }
}

fn non_empty(value: &str, fallback: impl FnOnce() -> String) -> String {
    let v = value.trim();
    if v.is_empty() {
        fallback()
    } else {
        v.to_owned()
    }
}

#[async_trait]
impl Channel for PortalChannel {
    fn route(&self) -> Route {
        Route::PortalShare
    }

    fn capabilities(&self) -> Capabilities {
        let mut c = Capabilities::new(Route::PortalShare);
        c.download_proof = true;
        c.tracking = true;
        c.reconcile = true;
        c.idempotent_send = true;
        c
    }

    async fn check(&self, delivery: &OutgoingDelivery) -> Vec<ReadinessProblem> {
        if !self.serves(delivery.tenant) {
            return vec![ReadinessProblem::RouteUnavailable {
                route: Route::PortalShare,
            }];
        }
        let mut problems = check_recipient(
            Route::PortalShare,
            Some(&delivery.recipient),
            &EpostSettings::default(),
            true,
        );
        if delivery.documents.is_empty() {
            problems.push(ReadinessProblem::OverLimit {
                what: "the delivery has no documents".into(),
            });
        }
        for d in &delivery.documents {
            if let Some(what) = category_problem(&d.settings.portal.category) {
                problems.push(ReadinessProblem::InvalidSettings {
                    problems: vec![Problem::new(
                        ProblemCode::PortalCategoryInvalid,
                        "settings.portal.category",
                        format!("Portal-Kategorie von Dokument {}: {what}", d.id),
                        format!("portal category of document {}: {what}", d.id),
                    )],
                });
            }
            if d.bytes.len() as u64 > self.max_document_bytes {
                problems.push(ReadinessProblem::OverLimit {
                    what: format!(
                        "document {} has {} bytes; the portal accepts at most {}",
                        d.id,
                        d.bytes.len(),
                        self.max_document_bytes
                    ),
                });
            }
        }
        problems
    }

    async fn send(&self, delivery: &OutgoingDelivery) -> Result<Receipt, ChannelError> {
        self.refuse_tenant(delivery.tenant)?;
        let account = delivery
            .recipient
            .portal_account
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| {
                ChannelError::permanent(
                    "no_portal_account",
                    format!(
                        "{} has no portal account; enter the portal login on the contact",
                        delivery.recipient.name
                    ),
                )
            })?;
        if delivery.documents.is_empty() {
            return Err(ChannelError::permanent(
                "no_documents",
                "the delivery has no documents to upload",
            ));
        }
        let count = u32::try_from(delivery.documents.len()).map_err(|_| {
            ChannelError::permanent("too_many_documents", "too many documents in one delivery")
        })?;
        let mut created = 0usize;
        let mut first = None;
        for d in &delivery.documents {
            if let Some(what) = category_problem(&d.settings.portal.category) {
                return Err(ChannelError::permanent(
                    "invalid_category",
                    format!(
                        "{what} (document {}); fix the document's portal settings",
                        d.id
                    ),
                ));
            }
            let meta = UploadMetadata {
                account: account.to_owned(),
                title: non_empty(&d.title, || {
                    non_empty(&d.file_name, || format!("Dokument {}", d.id))
                }),
                category: d.settings.portal.category.trim().to_owned(),
                file_name: non_empty(&d.file_name, || format!("dokument-{}.pdf", d.id)),
                document_count: count,
            };
            let (info, was_created) = self
                .client
                .upload(delivery.id, d.id, &meta, &d.bytes)
                .await?;
            created += usize::from(was_created);
            first.get_or_insert(info);
        }
        let first = first.ok_or_else(|| {
            ChannelError::permanent("no_documents", "the delivery has no documents to upload")
        })?;
        let note = if created == 0 {
            format!("all {count} document(s) were already on the portal for {account}")
        } else {
            format!("uploaded {created} of {count} document(s) to the portal for {account}")
        };
        Ok(Receipt {
            provider_reference: provider_reference(delivery.id),
            status: DeliveryStatus::Sent,
            at: first.created_at,
            note: Some(note),
        })
    }

    async fn poll(&self, requests: &[PollRequest]) -> Result<Vec<StatusUpdate>, ChannelError> {
        let requests: Vec<&PollRequest> =
            requests.iter().filter(|r| self.serves(r.tenant)).collect();
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let _serial = self.poll_lock.lock().await;
        for _ in 0..MAX_PAGES_PER_POLL {
            let since = self.ledger().fetched();
            let page = self.client.downloads(since, MAX_DOWNLOADS_PAGE).await?;
            let has_more = page.has_more && !page.downloads.is_empty();
            self.ledger().absorb(page.downloads);
            if !has_more {
                break;
            }
        }
        let wanted: HashSet<DeliveryId> = requests.iter().map(|r| r.delivery).collect();
        let mut by_delivery: BTreeMap<DeliveryId, Vec<DownloadEntry>> = BTreeMap::new();
        for e in self.ledger().take(&wanted) {
            by_delivery.entry(e.delivery_id).or_default().push(e);
        }
        let mut updates = Vec::new();
        let mut seen = HashSet::new();
        for req in requests {
            // A delivery listed twice gets its downloads once.
            if !seen.insert(req.delivery) {
                continue;
            }
            let Some(entries) = by_delivery.remove(&req.delivery) else {
                continue;
            };
            let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
                continue;
            };
            let (status, at, note) = if req.status.can_transition(&DeliveryStatus::Downloaded) {
                (
                    DeliveryStatus::Downloaded,
                    first.at,
                    format!("first downloaded by {} on the portal", first.account),
                )
            } else {
                (
                    req.status.clone(),
                    last.at,
                    format!("downloaded again on the portal ({} time(s))", entries.len()),
                )
            };
            updates.push(StatusUpdate {
                delivery: req.delivery,
                status,
                at,
                downloads: entries
                    .iter()
                    .map(|e| DownloadEvent {
                        document: Some(e.document_id),
                        at: e.at,
                        by: e.account.clone(),
                    })
                    .collect(),
                tracking: None,
                note: Some(note),
            });
        }
        Ok(updates)
    }

    async fn reconcile(
        &self,
        tenant: TenantId,
        delivery: DeliveryId,
    ) -> Result<Option<Receipt>, ChannelError> {
        self.refuse_tenant(tenant)?;
        let Some(info) = self.client.delivery(delivery).await? else {
            return Ok(None);
        };
        if let Some(at) = info.withdrawn_at {
            return Ok(Some(Self::receipt(
                &info,
                format!("found on the portal, withdrawn at {at}"),
            )));
        }
        if !info.complete {
            // Safe to send again: uploads are idempotent and complete the delivery.
            tracing::info!(
                %delivery,
                stored = info.documents.len(),
                announced = info.document_count,
                "portal holds an incomplete delivery; it must be sent again"
            );
            return Ok(None);
        }
        let note = format!(
            "found on the portal: {} document(s) for {} (checked {})",
            info.documents.len(),
            info.account,
            Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        );
        Ok(Some(Self::receipt(&info, note)))
    }
}
