//! The dispatcher: workers claim deliveries, call the channel, record the result.
//!
//! Order of events for one delivery, so that nothing is sent twice or lost:
//!
//! 1. `claim` makes it durably `InProgress` with an attempt number, a lease and a fencing
//!    token *before* the channel is called.
//! 2. If an earlier attempt's lease expired with the outcome unknown, the channel is asked to
//!    `reconcile` first; only a definite "not there" allows sending again.
//! 3. The channel's result is recorded with the token (`complete`, `retry`, `await_provider`),
//!    which ends the lease in the same transaction; a worker whose lease was taken over is
//!    refused and cannot overwrite the newer result.
//! 4. An unknown outcome (timeout, dropped connection) is reconciled at once; if the provider
//!    cannot answer, the lease is shortened and left to expire, so the next claim reconciles
//!    again instead of resending.

use std::time::Duration;

use chrono::Utc;
use outbox_channel::{Channel, ChannelError, ErrorKind, OutgoingDelivery, Receipt};
use outbox_model::{DeliveryStatus, StatusKind};
use outbox_store::{ClaimedDelivery, Outcome, StoreError};
use tokio::sync::watch;

use crate::outgoing::Loader;
use crate::{Engine, Result};

/// What one dispatch round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchStats {
    /// Deliveries claimed.
    pub claimed: usize,
    /// Handed over (sent, or accepted by a provider that reports later).
    pub sent: usize,
    /// Scheduled for a retry after a transient failure.
    pub retried: usize,
    /// Failed for good.
    pub failed: usize,
    /// Found at the provider by reconciling (not sent again).
    pub reconciled: usize,
    /// Outcome still unknown; left for the next claim to reconcile.
    pub unresolved: usize,
    /// Results refused because another worker took the delivery over.
    pub lease_lost: usize,
}

impl std::ops::AddAssign for DispatchStats {
    fn add_assign(&mut self, o: Self) {
        self.claimed += o.claimed;
        self.sent += o.sent;
        self.retried += o.retried;
        self.failed += o.failed;
        self.reconciled += o.reconciled;
        self.unresolved += o.unresolved;
        self.lease_lost += o.lease_lost;
    }
}

enum Step {
    Sent,
    Retried,
    Failed,
    Reconciled,
    Unresolved,
    LeaseLost,
}

impl Engine {
    /// One round: claims up to `batch` deliveries (expired leases first, to be reconciled) and
    /// processes them concurrently.
    pub async fn dispatch_once(&self) -> Result<DispatchStats> {
        let cfg = &self.inner.config;
        let claimed = self
            .inner
            .store
            .claim(cfg.batch, &cfg.worker_id, cfg.lease)
            .await?;
        let mut stats = DispatchStats {
            claimed: claimed.len(),
            ..Default::default()
        };
        for c in &claimed {
            self.inner.events.emit(
                c.lease.tenant,
                c.lease.delivery,
                c.route,
                StatusKind::InProgress,
            );
        }
        let results =
            futures_util::future::join_all(claimed.into_iter().map(|c| self.process(c))).await;
        for r in results {
            match r? {
                Step::Sent => stats.sent += 1,
                Step::Retried => stats.retried += 1,
                Step::Failed => stats.failed += 1,
                Step::Reconciled => stats.reconciled += 1,
                Step::Unresolved => stats.unresolved += 1,
                Step::LeaseLost => stats.lease_lost += 1,
            }
        }
        Ok(stats)
    }

    /// Dispatches until `shutdown` turns true. In-flight work of the current round finishes
    /// before it returns; nothing new is claimed after the signal.
    pub async fn run_dispatcher(
        &self,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<DispatchStats> {
        let mut total = DispatchStats::default();
        loop {
            if *shutdown.borrow() {
                return Ok(total);
            }
            let stats = match self.dispatch_once().await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "dispatch round failed; retrying after a pause");
                    DispatchStats::default()
                }
            };
            total += stats;
            if stats.claimed == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(self.inner.config.idle_wait) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }

    async fn process(&self, claimed: ClaimedDelivery) -> Result<Step> {
        let tenant = claimed.lease.tenant;
        let Some(channel) = self.channel_for(tenant, claimed.route).await? else {
            let reason = format!(
                "no channel is set up for {}",
                claimed.route.label(self.inner.config.language)
            );
            return self.finish_failed(&claimed, reason).await;
        };
        let mut loader = Loader::new(self, tenant);
        let out = match loader
            .outgoing(
                claimed.lease.delivery,
                claimed.recipient,
                claimed.route,
                &claimed.documents,
                claimed.attempt,
            )
            .await
        {
            Ok(Some(out)) => out,
            Ok(None) => {
                return self
                    .finish_failed(&claimed, "the recipient no longer exists".into())
                    .await;
            }
            Err(e) => {
                // Our own storage failed (blob missing, database hiccup): nothing was sent.
                let err = ChannelError::transient(format!("loading the delivery failed: {e}"));
                return self.after_error(&claimed, err).await;
            }
        };

        if claimed.reconcile {
            match self.reconcile(&*channel, &claimed).await {
                Ok(Some(receipt)) => return self.finish_sent(&claimed, receipt, true).await,
                Ok(None) => {}
                Err(e) => return self.unresolved(&claimed, e).await,
            }
        }
        match self.send(&*channel, &out).await {
            Ok(receipt) => self.finish_sent(&claimed, receipt, false).await,
            Err(e) if e.is_ambiguous() => match self.reconcile(&*channel, &claimed).await {
                Ok(Some(receipt)) => self.finish_sent(&claimed, receipt, true).await,
                // Certainly not at the provider: safe to send again, with backoff.
                Ok(None) => {
                    self.after_error(&claimed, ChannelError::transient(e.reason()))
                        .await
                }
                Err(re) => self.unresolved(&claimed, re).await,
            },
            Err(e) => self.after_error(&claimed, e).await,
        }
    }

    async fn send(
        &self,
        channel: &dyn Channel,
        out: &OutgoingDelivery,
    ) -> Result<Receipt, ChannelError> {
        match tokio::time::timeout(self.inner.config.send_timeout, channel.send(out)).await {
            Ok(r) => r,
            Err(_) => Err(ChannelError::ambiguous(format!(
                "no answer within {} s; the provider may have the delivery",
                self.inner.config.send_timeout.as_secs()
            ))),
        }
    }

    async fn reconcile(
        &self,
        channel: &dyn Channel,
        c: &ClaimedDelivery,
    ) -> Result<Option<Receipt>, ChannelError> {
        match tokio::time::timeout(
            self.inner.config.send_timeout,
            channel.reconcile(c.lease.tenant, c.lease.delivery),
        )
        .await
        {
            Ok(r) => r,
            Err(_) => Err(ChannelError::ambiguous("reconcile timed out")),
        }
    }

    async fn finish_sent(
        &self,
        c: &ClaimedDelivery,
        receipt: Receipt,
        reconciled: bool,
    ) -> Result<Step> {
        let store = &self.inner.store;
        let result = if receipt.status == DeliveryStatus::InProgress {
            store
                .await_provider(&c.lease, &receipt.provider_reference)
                .await
        } else {
            store
                .complete(
                    &c.lease,
                    &Outcome::sent(Some(receipt.provider_reference.clone())),
                )
                .await
        };
        match result {
            Ok(()) => {
                self.inner.events.emit(
                    c.lease.tenant,
                    c.lease.delivery,
                    c.route,
                    receipt.status.kind(),
                );
                Ok(if reconciled {
                    Step::Reconciled
                } else {
                    Step::Sent
                })
            }
            Err(StoreError::LeaseLost { .. }) => Ok(Step::LeaseLost),
            Err(e) => Err(e.into()),
        }
    }

    async fn finish_failed(&self, c: &ClaimedDelivery, reason: String) -> Result<Step> {
        match self
            .inner
            .store
            .complete(&c.lease, &Outcome::failed(reason, false))
            .await
        {
            Ok(()) => {
                self.inner.events.emit(
                    c.lease.tenant,
                    c.lease.delivery,
                    c.route,
                    StatusKind::Failed,
                );
                Ok(Step::Failed)
            }
            Err(StoreError::LeaseLost { .. }) => Ok(Step::LeaseLost),
            Err(e) => Err(e.into()),
        }
    }

    async fn after_error(&self, c: &ClaimedDelivery, e: ChannelError) -> Result<Step> {
        let policy = &self.inner.config.retry;
        match e.kind() {
            ErrorKind::Transient | ErrorKind::RateLimited if c.attempt < policy.max_attempts => {
                let delay = policy
                    .delay(c.attempt)
                    .max(e.retry_after().unwrap_or(Duration::ZERO));
                let not_before =
                    Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
                match self
                    .inner
                    .store
                    .retry(&c.lease, &e.reason(), not_before)
                    .await
                {
                    Ok(()) => {
                        self.inner.events.emit(
                            c.lease.tenant,
                            c.lease.delivery,
                            c.route,
                            StatusKind::Queued,
                        );
                        Ok(Step::Retried)
                    }
                    Err(StoreError::LeaseLost { .. }) => Ok(Step::LeaseLost),
                    Err(err) => Err(err.into()),
                }
            }
            ErrorKind::Transient | ErrorKind::RateLimited => {
                let reason = format!("gave up after {} attempts: {}", c.attempt, e.reason());
                self.finish_failed(c, reason).await
            }
            _ => self.finish_failed(c, e.reason()).await,
        }
    }

    /// The outcome is unknown and the provider could not tell: keep the delivery in progress
    /// and let the lease run out soon, so the next claim reconciles again. Never resend.
    async fn unresolved(&self, c: &ClaimedDelivery, e: ChannelError) -> Result<Step> {
        tracing::warn!(delivery = %c.lease.delivery, error = %e, "outcome unknown; will reconcile again");
        // A provider that asked us to wait (rate limit) is not asked again sooner.
        let wait = self
            .inner
            .config
            .retry
            .delay(c.attempt)
            .max(e.retry_after().unwrap_or(Duration::ZERO));
        match self.inner.store.renew(&c.lease, wait).await {
            Ok(_) | Err(StoreError::LeaseLost { .. }) => Ok(Step::Unresolved),
            Err(err) => Err(err.into()),
        }
    }
}

/// Starts `workers` dispatcher loops on the runtime; they stop when `shutdown` turns true.
pub fn spawn_dispatchers(
    engine: &Engine,
    workers: usize,
    shutdown: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<Result<DispatchStats>>> {
    (0..workers)
        .map(|_| {
            let engine = engine.clone();
            let shutdown = shutdown.clone();
            tokio::spawn(async move { engine.run_dispatcher(shutdown).await })
        })
        .collect()
}
