//! The share service: stores a delivery's files, creates its share and link, resolves links,
//! records downloads and removes expired files. The channel and the download server both use it.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use outbox_channel::OutgoingDelivery;
use outbox_model::{MAX_SHARE_VALIDITY_DAYS, MIN_SHARE_VALIDITY_DAYS};

use crate::error::MailShareError;
use crate::names::clean_file_name;
use crate::{
    BlobKey, BlobStore, Clock, LinkSigner, LocalDirBlobStore, LocalShareStore, NewDownload, Share,
    ShareDownload, ShareId, ShareStore, SharedDocument, SystemClock,
};

/// What a link leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A valid link to a live share.
    Valid(Share),
    /// A genuine link whose time is up (or whose files were removed).
    Expired(Share),
    /// Not a link we issued, tampered with, or for an unknown share.
    NotFound,
}

/// The outcome of [`ShareService::cleanup`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanupReport {
    /// Shares whose files were removed.
    pub shares: Vec<ShareId>,
    /// Files removed.
    pub files_removed: usize,
    /// Shares that could not be cleaned, with the reason; tried again next time.
    pub failed: Vec<(ShareId, String)>,
}

/// Creates and resolves shares. Cheap to share behind an `Arc`.
pub struct ShareService {
    store: Arc<dyn ShareStore>,
    blobs: Arc<dyn BlobStore>,
    signer: LinkSigner,
    clock: Arc<dyn Clock>,
    base_url: String,
}

impl std::fmt::Debug for ShareService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareService")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ShareService {
    /// A service issuing links under `base_url` (where the [`DownloadServer`](crate::DownloadServer)
    /// router is reachable, e.g. `https://files.example.de` or `https://example.de/share`).
    pub fn new(
        base_url: impl Into<String>,
        signer: LinkSigner,
        store: Arc<dyn ShareStore>,
        blobs: Arc<dyn BlobStore>,
    ) -> Result<Self, MailShareError> {
        let base_url = base_url.into();
        let ok = (base_url.starts_with("http://") || base_url.starts_with("https://"))
            && !base_url.contains(['?', '#', ' '])
            && base_url.len() > "https://".len();
        if !ok {
            return Err(MailShareError::InvalidBaseUrl { url: base_url });
        }
        Ok(Self {
            store,
            blobs,
            signer,
            clock: Arc::new(SystemClock),
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The default set-up in one folder: the link key in `link.key` (created on first use), the
    /// share index in `index/`, the files in `files/`. Survives restarts.
    pub async fn open_local(
        dir: impl AsRef<Path>,
        base_url: impl Into<String>,
    ) -> Result<Self, MailShareError> {
        let dir = dir.as_ref();
        let key_path = dir.join("link.key");
        let signer = tokio::task::spawn_blocking(move || LinkSigner::load_or_create(&key_path))
            .await
            .map_err(|e| MailShareError::Task(e.to_string()))??;
        let store = LocalShareStore::open(dir.join("index")).await?;
        let blobs = LocalDirBlobStore::new(dir.join("files"))?;
        Self::new(base_url, signer, Arc::new(store), Arc::new(blobs))
    }

    /// Uses `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The current time by the service's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The share store.
    pub fn store(&self) -> &Arc<dyn ShareStore> {
        &self.store
    }

    /// The blob store.
    pub fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.blobs
    }

    /// The base URL of links (without trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The signed download link of a share.
    pub fn link(&self, share: &Share) -> String {
        self.signer
            .sign(&share.id, share.expires_at)
            .url(&self.base_url)
    }

    /// Stores the delivery's documents and creates its share, valid for the documents' setting
    /// (1..=9 days; anything else is refused). Idempotent by tenant and delivery id: when the
    /// delivery already has a share, that share is returned with `false` and nothing is stored.
    pub async fn share_delivery(
        &self,
        delivery: &OutgoingDelivery,
    ) -> Result<(Share, bool), MailShareError> {
        let days = validity_days(delivery)?;
        if let Some(existing) = self
            .store
            .find_by_delivery(delivery.tenant, delivery.id)
            .await?
        {
            return Ok((existing, false));
        }
        let id = ShareId::generate()?;
        let now = self.now();
        // Whole seconds, because the link carries the expiry in seconds.
        let created = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
        let expires_at = created + Duration::days(i64::from(days));
        let mut documents = Vec::with_capacity(delivery.documents.len());
        for (i, d) in delivery.documents.iter().enumerate() {
            let key = BlobKey::new(format!("{id}/{i}.pdf"))?;
            if let Err(e) = self.blobs.put(&key, d.bytes.clone()).await {
                self.remove_files(&documents).await;
                return Err(e);
            }
            documents.push(SharedDocument {
                id: d.id,
                title: d.title.trim().to_owned(),
                file_name: clean_file_name(&d.file_name, &format!("dokument-{}.pdf", i + 1)),
                blob_key: key.to_string(),
                size: d.bytes.len() as u64,
            });
        }
        let share = Share {
            id,
            tenant: delivery.tenant,
            delivery: delivery.id,
            recipient_name: delivery.recipient.name.trim().to_owned(),
            recipient_email: delivery
                .recipient
                .email
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            sender_name: delivery.sender.name.trim().to_owned(),
            documents,
            created_at: created,
            expires_at,
            validity_days: days,
            notified_at: None,
            first_download_at: None,
            poll_cursor: 0,
            purged_at: None,
        };
        match self.store.insert(share.clone()).await {
            Ok((stored, true)) => Ok((stored, true)),
            Ok((stored, false)) => {
                // A concurrent send of the same delivery won; ours is surplus.
                self.remove_files(&share.documents).await;
                Ok((stored, false))
            }
            Err(e) => {
                self.remove_files(&share.documents).await;
                Err(e)
            }
        }
    }

    /// A share whose notification has not gone out yet (an earlier attempt failed) is renewed
    /// so the recipient gets the full validity from now; other shares are returned as they are.
    pub async fn renew_if_unnotified(&self, share: Share) -> Result<Share, MailShareError> {
        if share.notified_at.is_some() {
            return Ok(share);
        }
        let validity = Duration::days(i64::from(share.validity_days));
        let now = self.now();
        let renewed = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now) + validity;
        // Within a minute nothing is gained; keep the link stable.
        if renewed - share.expires_at <= Duration::minutes(1) {
            return Ok(share);
        }
        self.store.renew_unnotified(&share.id, renewed).await
    }

    async fn remove_files(&self, docs: &[SharedDocument]) -> usize {
        let mut removed = 0;
        for d in docs {
            let Ok(key) = BlobKey::new(d.blob_key.clone()) else {
                continue;
            };
            match self.blobs.delete(&key).await {
                Ok(true) => removed += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(key = %key, error = %e, "could not remove a shared file"),
            }
        }
        removed
    }

    /// Checks a link's three path segments and finds its share.
    pub async fn resolve(
        &self,
        share_id: &str,
        expires: &str,
        sig: &str,
    ) -> Result<Resolved, MailShareError> {
        let Some(link) = self.signer.verify(share_id, expires, sig) else {
            return Ok(Resolved::NotFound);
        };
        let Some(share) = self.store.get(&link.share_id).await? else {
            return Ok(Resolved::NotFound);
        };
        if share.expires_at.timestamp() != link.expires {
            return Ok(Resolved::NotFound);
        }
        if share.is_expired(self.now()) || share.purged_at.is_some() {
            return Ok(Resolved::Expired(share));
        }
        Ok(Resolved::Valid(share))
    }

    /// Records a download of document `index` of `share` at the current time.
    pub async fn record_download(
        &self,
        share: &Share,
        index: usize,
        client: String,
        partial: bool,
    ) -> Result<ShareDownload, MailShareError> {
        self.store
            .record_download(NewDownload {
                share: share.id.clone(),
                document_index: index,
                at: self.now(),
                client,
                partial,
            })
            .await
    }

    /// Removes the files of shares that expired more than `grace` ago; the shares and their
    /// downloads stay on record (links then answer 410).
    pub async fn cleanup(&self, grace: Duration) -> Result<CleanupReport, MailShareError> {
        let now = self.now();
        let mut report = CleanupReport::default();
        for share in self.store.expired_before(now - grace).await? {
            let mut failed = None;
            for d in &share.documents {
                let result = match BlobKey::new(d.blob_key.clone()) {
                    Ok(key) => self.blobs.delete(&key).await,
                    Err(e) => Err(e),
                };
                match result {
                    Ok(true) => report.files_removed += 1,
                    Ok(false) => {}
                    Err(e) => failed = Some(e.to_string()),
                }
            }
            if let Some(reason) = failed {
                report.failed.push((share.id, reason));
                continue;
            }
            match self.store.mark_purged(&share.id, now).await {
                Ok(()) => report.shares.push(share.id),
                Err(e) => report.failed.push((share.id, e.to_string())),
            }
        }
        Ok(report)
    }

    /// Runs [`cleanup`](Self::cleanup) every `every` until the returned task is aborted.
    pub fn spawn_cleanup(
        self: &Arc<Self>,
        every: std::time::Duration,
        grace: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                match this.cleanup(grace).await {
                    Ok(r) => {
                        for (id, reason) in &r.failed {
                            tracing::warn!(share = %id, %reason, "cleanup of an expired share failed");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cleanup of expired shares failed"),
                }
            }
        })
    }
}

/// The link validity of a delivery: every document's setting must be in 1..=9 days; the planner
/// only combines documents with the same validity, so the first one's decides.
pub(crate) fn validity_days(delivery: &OutgoingDelivery) -> Result<u8, MailShareError> {
    let first = delivery
        .documents
        .first()
        .ok_or(MailShareError::NoDocuments)?;
    let range = MIN_SHARE_VALIDITY_DAYS..=MAX_SHARE_VALIDITY_DAYS;
    for d in &delivery.documents {
        let days = d.settings.email_share.validity_days;
        if !range.contains(&days) {
            return Err(MailShareError::ValidityOutOfRange { days });
        }
    }
    Ok(first.settings.email_share.validity_days)
}
