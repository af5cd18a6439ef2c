//! The poller: asks polling routes for news (E-POST status, portal and share downloads) and
//! records it.

use std::time::Duration;

use outbox_channel::{PollRequest, StatusUpdate};
use outbox_model::{DeliveryStatus, DownloadRecord, Route, StatusKind, TenantId};
use outbox_store::{DeliveryRow, StoreError};
use tokio::sync::watch;

use crate::{Engine, Result};

/// How long after the first download later downloads are still collected: the longest link
/// validity (9 days) plus a day.
const DOWNLOAD_WATCH_DAYS: i64 = 10;

/// Name of the E-POST poll slot in the store: one access per tenant, so one slot per tenant.
const EPOST_POLL_SLOT: &str = "epost";

/// What one poll round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollStats {
    /// Poll calls made to channels.
    pub calls: usize,
    /// Rounds skipped because the provider's rate limit was not yet over (E-POST).
    pub rate_limited: usize,
    /// Status changes recorded.
    pub changes: usize,
    /// Downloads recorded.
    pub downloads: usize,
}

impl std::ops::AddAssign for PollStats {
    fn add_assign(&mut self, o: Self) {
        self.calls += o.calls;
        self.rate_limited += o.rate_limited;
        self.changes += o.changes;
        self.downloads += o.downloads;
    }
}

impl Engine {
    /// Polls every tracking route of the tenant once. E-POST is asked for all open letters in
    /// one batched query, at most once per `epost_poll_interval` across all workers (the slot
    /// is taken in the store).
    pub async fn poll_once(&self, tenant: TenantId) -> Result<PollStats> {
        let mut stats = PollStats::default();
        for route in Route::ALL {
            let Some(channel) = self.channel_for(tenant, route).await? else {
                continue;
            };
            let caps = channel.capabilities();
            if !caps.tracking {
                continue;
            }
            let mut rows = self
                .inner
                .store
                .open_deliveries(tenant, route, self.inner.config.poll_batch)
                .await?;
            // Without download proof, `Sent` is as far as a delivery goes: stop asking.
            if !caps.download_proof {
                rows.retain(|r| r.status == DeliveryStatus::InProgress);
            } else {
                // Recipients download again; every download is proof, so deliveries stay in the
                // poll for the longest link validity after their first download.
                let since = chrono::Utc::now() - chrono::Duration::days(DOWNLOAD_WATCH_DAYS);
                rows.extend(
                    self.inner
                        .store
                        .downloaded_since(tenant, route, since, self.inner.config.poll_batch)
                        .await?,
                );
            }
            let requests: Vec<PollRequest> = rows
                .iter()
                .filter_map(|r| {
                    Some(PollRequest {
                        tenant,
                        delivery: r.id,
                        provider_reference: r.provider_reference.clone()?,
                        status: r.status.clone(),
                    })
                })
                .collect();
            if requests.is_empty() {
                continue;
            }
            if route == Route::EpostLetter
                && !self
                    .inner
                    .store
                    .try_acquire_poll_slot(
                        tenant,
                        EPOST_POLL_SLOT,
                        self.inner.config.epost_poll_interval,
                    )
                    .await?
            {
                stats.rate_limited += 1;
                continue;
            }
            stats.calls += 1;
            let updates = match channel.poll(&requests).await {
                Ok(u) => u,
                Err(e) => {
                    tracing::warn!(%tenant, route = route.as_str(), error = %e, "poll failed; next round tries again");
                    continue;
                }
            };
            for u in updates {
                let Some(row) = rows.iter().find(|r| r.id == u.delivery) else {
                    tracing::warn!(delivery = %u.delivery, "poll answered for a delivery not asked about; ignored");
                    continue;
                };
                self.apply(row, u, &mut stats).await?;
            }
        }
        Ok(stats)
    }

    async fn apply(&self, row: &DeliveryRow, u: StatusUpdate, stats: &mut PollStats) -> Result<()> {
        let store = &self.inner.store;
        let tenant = row.tenant;
        let mut current = row.status.clone();
        if let Some(t) = &u.tracking {
            tracing::info!(delivery = %row.id, code = %t.code, is_final = t.is_final, "registered-mail tracking");
        }
        // Reaching Downloaded may skip Sent in one poll; the state machine needs both steps.
        let target = u.status.clone();
        if current == DeliveryStatus::InProgress && matches!(target, DeliveryStatus::Downloaded) {
            self.step(row, &DeliveryStatus::Sent, stats).await?;
            current = DeliveryStatus::Sent;
        }
        // Providers may report a download again (e.g. after a restart); the proof keeps each once.
        let known = if u.downloads.is_empty() {
            Vec::new()
        } else {
            store.list_downloads(tenant, row.id).await?
        };
        for d in &u.downloads {
            let Some(document) = d.document.or_else(|| row.documents.first().copied()) else {
                continue;
            };
            let record = DownloadRecord {
                delivery: row.id,
                document,
                route: row.route,
                at: d.at,
                by: d.by.clone(),
            };
            // Stores keep microseconds; compare at that precision.
            let same = |k: &DownloadRecord| {
                k.document == record.document
                    && k.by == record.by
                    && k.at.timestamp_micros() == record.at.timestamp_micros()
            };
            if known.iter().any(same) {
                continue;
            }
            let recorded = store.record_download(tenant, &record).await?;
            stats.downloads += 1;
            if recorded.first {
                current = DeliveryStatus::Downloaded;
                stats.changes += 1;
                self.inner
                    .events
                    .emit(tenant, row.id, row.route, StatusKind::Downloaded);
            }
        }
        if target != current && current.can_transition(&target) {
            self.step(row, &target, stats).await?;
        }
        Ok(())
    }

    async fn step(
        &self,
        row: &DeliveryRow,
        to: &DeliveryStatus,
        stats: &mut PollStats,
    ) -> Result<()> {
        match self
            .inner
            .store
            .transition(row.tenant, row.id, to, "poller")
            .await
        {
            Ok(_) => {
                stats.changes += 1;
                self.inner
                    .events
                    .emit(row.tenant, row.id, row.route, to.kind());
                Ok(())
            }
            // Another worker's poll got there first.
            Err(StoreError::IllegalTransition(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Polls the tenants every `interval` until `shutdown` turns true.
    pub async fn run_poller(
        &self,
        tenants: Vec<TenantId>,
        interval: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<PollStats> {
        let mut total = PollStats::default();
        loop {
            if *shutdown.borrow() {
                return Ok(total);
            }
            for t in &tenants {
                match self.poll_once(*t).await {
                    Ok(s) => total += s,
                    Err(e) => tracing::warn!(tenant = %t, error = %e, "poll round failed"),
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}
