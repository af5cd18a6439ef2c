//! A failed notification: the send fails as the notifier says, nothing counts as sent, and the
//! retry reuses the share, renews its validity and notifies once.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::Duration;
use common::*;
use outbox_channel::{Channel, ChannelError, ErrorKind};
use outbox_mailshare::*;
use outbox_model::*;
use reqwest::StatusCode;

/// Fails the first `fail` notifications with a transient error, then records.
struct Flaky {
    fail: AtomicUsize,
    inner: RecordingNotifier,
}

#[async_trait]
impl Notifier for Flaky {
    async fn notify(&self, n: &Notification) -> Result<(), ChannelError> {
        if self
            .fail
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |f| f.checked_sub(1))
            .is_ok()
        {
            return Err(ChannelError::transient("SMTP 451: try again later"));
        }
        self.inner.notify(n).await
    }
}

#[tokio::test]
async fn failed_notification_is_retried_with_a_renewed_link() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    let flaky = Arc::new(Flaky {
        fail: AtomicUsize::new(2),
        inner: RecordingNotifier::new(),
    });
    let channel = MailShareChannel::new(h.service.clone(), flaky.clone());
    let d = delivery(1, 3);

    let err = channel.send(&d).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient);
    // Not notified: reconcile says "not there", so the engine may send again.
    assert!(
        channel
            .reconcile(TenantId(1), d.id)
            .await
            .unwrap()
            .is_none()
    );
    let first = h.share_of(TenantId(1), d.id).await;
    assert_eq!(first.expires_at, t0() + Duration::days(3));

    // Retried twice, the second time days after the link would have expired.
    h.clock.advance(Duration::hours(2));
    assert!(channel.send(&d).await.is_err());
    h.clock.advance(Duration::days(5));
    let receipt = channel.send(&d).await.unwrap();
    assert_eq!(receipt.provider_reference, first.id.to_string());

    let n = flaky.inner.notifications();
    assert_eq!(n.len(), 1);
    let now = t0() + Duration::hours(2) + Duration::days(5);
    assert_eq!(n[0].valid_until, now + Duration::days(3));
    let share = h.share_of(TenantId(1), d.id).await;
    assert_eq!(share.expires_at, now + Duration::days(3));
    assert_eq!(share.notified_at, Some(now));
    assert_eq!(
        h.http.get(&n[0].link).send().await.unwrap().status(),
        StatusCode::OK
    );
    // The link of the first attempt (never sent) does not work.
    let stale = h.service.link(&first);
    assert_ne!(stale, n[0].link);
    assert_eq!(
        h.http.get(&stale).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // Once notified, neither resend nor time changes the link.
    h.clock.advance(Duration::days(1));
    channel.send(&d).await.unwrap();
    assert_eq!(flaky.inner.notifications().len(), 1);
    assert_eq!(
        h.share_of(TenantId(1), d.id).await.expires_at,
        share.expires_at
    );
    assert!(
        channel
            .reconcile(TenantId(1), d.id)
            .await
            .unwrap()
            .is_some()
    );
}
