//! The e-mail-share route as an outbox [`Channel`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use outbox_channel::{
    Capabilities, Channel, ChannelError, OutgoingDelivery, PollRequest, Receipt, StatusUpdate,
};
use outbox_model::{
    DeliveryId, DeliveryStatus, EpostSettings, Language, Problem, ProblemCode, ReadinessProblem,
    Route, TenantId, check_recipient, format_german_time,
};

use crate::error::MailShareError;
use crate::service::validity_days;
use crate::{Notification, Notifier, Share, ShareId, ShareService};

type SendKey = (TenantId, DeliveryId);
/// Serialises sends of one delivery so it is notified once.
type SendLock = Arc<tokio::sync::Mutex<()>>;

/// The e-mail-share route: `send` stores the documents, creates the share (once per delivery)
/// and notifies the recipient; `poll` reports downloads; `reconcile` finds the share by delivery
/// id.
///
/// - `send` is idempotent by tenant and delivery id: the same share and link come back, and the
///   recipient is notified once. When the notifier fails, the error is returned as the notifier
///   classified it; the next `send` reuses the share, restarts its validity from that moment and
///   notifies.
/// - `poll` for a `Sent` delivery reports every download so far with status `Downloaded` (so an
///   answer lost by the engine is repeated); for a `Downloaded` delivery it reports the downloads
///   since the previous poll with the status unchanged; for `InProgress` it reports `Sent` once
///   the notification is out. It never asks for a transition the state machine forbids.
/// - `reconcile` finds a share whose notification went out; a share whose notification did not
///   is "not sent", because sending again only repeats the notification.
pub struct MailShareChannel {
    service: Arc<ShareService>,
    notifier: Arc<dyn Notifier>,
    max_bytes: Option<u64>,
    sending: Mutex<HashMap<SendKey, SendLock>>,
}

impl std::fmt::Debug for MailShareChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailShareChannel")
            .field("service", &self.service)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl MailShareChannel {
    /// A channel creating shares with `service` and notifying through `notifier`.
    pub fn new(service: Arc<ShareService>, notifier: Arc<dyn Notifier>) -> Self {
        Self {
            service,
            notifier,
            max_bytes: None,
            sending: Mutex::new(HashMap::new()),
        }
    }

    /// Refuses deliveries larger than `max_bytes` in total (no limit by default).
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = Some(max_bytes);
        self
    }

    /// The share service.
    pub fn service(&self) -> &Arc<ShareService> {
        &self.service
    }

    fn receipt(&self, share: &Share) -> Receipt {
        Receipt {
            provider_reference: share.id.to_string(),
            status: DeliveryStatus::Sent,
            at: share.notified_at.unwrap_or(share.created_at),
            note: Some(format!(
                "Download-Link gültig bis {} / link valid until {}",
                format_german_time(share.expires_at, Language::De),
                format_german_time(share.expires_at, Language::En)
            )),
        }
    }

    fn lock_for(&self, key: (TenantId, DeliveryId)) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.sending.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key).or_default().clone()
    }

    fn release(&self, key: (TenantId, DeliveryId), lock: Arc<tokio::sync::Mutex<()>>) {
        drop(lock);
        let mut map = self.sending.lock().unwrap_or_else(|p| p.into_inner());
        if map.get(&key).is_some_and(|l| Arc::strong_count(l) == 1) {
            map.remove(&key);
        }
    }

    async fn send_locked(&self, d: &OutgoingDelivery) -> Result<Receipt, ChannelError> {
        let (share, _created) = self
            .service
            .share_delivery(d)
            .await
            .map_err(to_channel_error)?;
        if share.notified_at.is_some() {
            return Ok(self.receipt(&share));
        }
        let share = self
            .service
            .renew_if_unnotified(share)
            .await
            .map_err(to_channel_error)?;
        let notification = Notification {
            tenant: share.tenant,
            delivery: share.delivery,
            share: share.id.clone(),
            recipient_name: share.recipient_name.clone(),
            recipient_email: share.recipient_email.clone(),
            sender_name: share.sender_name.clone(),
            reply_to: d.sender.reply_to.clone(),
            documents: share.documents.iter().map(|x| x.title.clone()).collect(),
            link: self.service.link(&share),
            valid_until: share.expires_at,
        };
        self.notifier.notify(&notification).await?;
        let share = self
            .service
            .store()
            .mark_notified(&share.id, self.service.now())
            .await
            .map_err(|e| {
                // The mail is out but not on record: reconcile will say "not sent", and the
                // resend repeats only the notification with the same link.
                ChannelError::ambiguous(format!(
                    "the notification was sent but could not be recorded: {e}"
                ))
                .with_source(e)
            })?;
        Ok(self.receipt(&share))
    }

    async fn share_for(&self, req: &PollRequest) -> Result<Option<Share>, MailShareError> {
        let store = self.service.store();
        if let Some(id) = ShareId::parse(&req.provider_reference)
            && let Some(s) = store.get(&id).await?
            && s.tenant == req.tenant
            && s.delivery == req.delivery
        {
            return Ok(Some(s));
        }
        store.find_by_delivery(req.tenant, req.delivery).await
    }

    async fn poll_one(&self, req: &PollRequest) -> Result<Option<StatusUpdate>, MailShareError> {
        let Some(share) = self.share_for(req).await? else {
            return Ok(None);
        };
        let store = self.service.store();
        let (status, after) = match &req.status {
            // Every download so far: the outbox has not recorded the first one yet, perhaps
            // because an earlier poll's answer was lost.
            DeliveryStatus::Sent => (DeliveryStatus::Downloaded, 0),
            DeliveryStatus::Downloaded => (DeliveryStatus::Downloaded, share.poll_cursor),
            DeliveryStatus::InProgress if share.notified_at.is_some() => {
                return Ok(Some(StatusUpdate {
                    delivery: req.delivery,
                    status: DeliveryStatus::Sent,
                    at: share.notified_at.unwrap_or(share.created_at),
                    downloads: vec![],
                    tracking: None,
                    note: None,
                }));
            }
            _ => return Ok(None),
        };
        let downloads = store.downloads_of(&share.id, after).await?;
        let Some(last) = downloads.last() else {
            return Ok(None);
        };
        if !(status == req.status || req.status.can_transition(&status)) {
            return Ok(None);
        }
        store.set_poll_cursor(&share.id, last.seq).await?;
        let first = downloads.iter().find(|x| x.first);
        Ok(Some(StatusUpdate {
            delivery: req.delivery,
            at: first.unwrap_or(last).at,
            status,
            note: first.map(|f| {
                format!(
                    "Erster Download / first download: {} ({})",
                    f.at.format("%Y-%m-%d %H:%M:%S UTC"),
                    f.client
                )
            }),
            downloads: downloads.iter().map(|x| x.to_event()).collect(),
            tracking: None,
        }))
    }
}

/// Maps a share error onto the engine's classification.
fn to_channel_error(e: MailShareError) -> ChannelError {
    let (kind_permanent, code) = match &e {
        MailShareError::ValidityOutOfRange { .. } => (true, "settings.share_validity"),
        MailShareError::NoDocuments => (true, "mailshare.no_documents"),
        MailShareError::InvalidKey { .. } => (true, "mailshare.invalid_key"),
        MailShareError::Corrupt { .. } => (true, "mailshare.corrupt_index"),
        MailShareError::KeyTooShort { .. } | MailShareError::InvalidBaseUrl { .. } => {
            (true, "mailshare.config")
        }
        _ => (false, "mailshare.storage"),
    };
    let msg = e.to_string();
    if kind_permanent {
        ChannelError::permanent(code, msg).with_source(e)
    } else {
        ChannelError::transient(msg).with_code(code).with_source(e)
    }
}

#[async_trait]
impl Channel for MailShareChannel {
    fn route(&self) -> Route {
        Route::EmailShare
    }

    fn capabilities(&self) -> Capabilities {
        let mut c = Capabilities::new(Route::EmailShare);
        c.max_bytes = self.max_bytes;
        c.download_proof = true;
        c.tracking = true;
        c.reconcile = true;
        c.idempotent_send = true;
        c
    }

    async fn check(&self, d: &OutgoingDelivery) -> Vec<ReadinessProblem> {
        let mut problems = check_recipient(
            Route::EmailShare,
            Some(&d.recipient),
            &EpostSettings::default(),
            true,
        );
        match validity_days(d) {
            Ok(_) => {}
            Err(MailShareError::ValidityOutOfRange { days }) => {
                problems.push(ReadinessProblem::InvalidSettings {
                    problems: vec![Problem::new(
                        ProblemCode::ShareValidityOutOfRange,
                        "settings.email_share.validity_days",
                        format!("Link-Gültigkeit {days} Tage: erlaubt sind 1 bis 9 Tage."),
                        format!("Link validity of {days} days: allowed are 1 to 9 days."),
                    )],
                });
            }
            Err(_) => problems.push(ReadinessProblem::OverLimit {
                what: "keine Dokumente / no documents".into(),
            }),
        }
        if let Some(max) = self.max_bytes
            && d.total_bytes() > max
        {
            problems.push(ReadinessProblem::OverLimit {
                what: format!("{} bytes > {max} bytes", d.total_bytes()),
            });
        }
        problems
    }

    async fn send(&self, d: &OutgoingDelivery) -> Result<Receipt, ChannelError> {
        validity_days(d).map_err(to_channel_error)?;
        match d.recipient.email_address() {
            None => {
                return Err(ChannelError::permanent(
                    "no_email_address",
                    "the recipient has no e-mail address; add one to the contact",
                ));
            }
            Some(Err(e)) => {
                return Err(ChannelError::permanent("email.invalid", e.to_string()));
            }
            Some(Ok(_)) => {}
        }
        if let Some(max) = self.max_bytes
            && d.total_bytes() > max
        {
            return Err(ChannelError::permanent(
                "over_limit",
                format!(
                    "the documents have {} bytes, the share allows {max}; send them separately",
                    d.total_bytes()
                ),
            ));
        }
        let key = (d.tenant, d.id);
        let lock = self.lock_for(key);
        let result = {
            let _guard = lock.lock().await;
            self.send_locked(d).await
        };
        self.release(key, lock);
        result
    }

    async fn poll(&self, requests: &[PollRequest]) -> Result<Vec<StatusUpdate>, ChannelError> {
        let mut out = Vec::new();
        for req in requests {
            if let Some(u) = self.poll_one(req).await.map_err(to_channel_error)? {
                out.push(u);
            }
        }
        Ok(out)
    }

    async fn reconcile(
        &self,
        tenant: TenantId,
        delivery: DeliveryId,
    ) -> Result<Option<Receipt>, ChannelError> {
        let share = self
            .service
            .store()
            .find_by_delivery(tenant, delivery)
            .await
            .map_err(to_channel_error)?;
        // A share whose notification never went out is safe to send again: the resend reuses it.
        Ok(share
            .filter(|s| s.notified_at.is_some())
            .map(|s| self.receipt(&s)))
    }
}
