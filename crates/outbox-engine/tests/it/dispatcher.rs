//! The dispatcher under faults: retries, permanent failures, unknown outcomes, crashes.

use crate::common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use outbox_channel::Channel;
use outbox_model::*;

async fn one_delivery(s: &Setup, route: Route) -> DeliveryId {
    let c = owner(s, 1, "Eigentümer", &[route]).await;
    let doc = s
        .engine
        .add_document(s.tenant, new_doc("Einladung", 1, &[c.id]))
        .await
        .unwrap();
    let report = s
        .engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    assert_eq!(report.queued.len(), 1, "{report:?}");
    report.queued[0]
}

async fn status(s: &Setup, id: DeliveryId) -> DeliveryStatus {
    s.engine
        .store()
        .delivery_row(s.tenant, id)
        .await
        .unwrap()
        .status
}

#[tokio::test]
async fn transient_failures_are_retried_with_backoff() {
    let s = setup().await;
    let id = one_delivery(&s, Route::Email).await;
    s.email.push(Fault::Transient);
    s.email.push(Fault::Transient);
    let stats = drain(&s.engine).await;
    assert_eq!((stats.retried, stats.sent), (2, 1));
    assert_eq!(status(&s, id).await, DeliveryStatus::Sent);
    assert_eq!(s.email.accepted(), 1);
    let history = s.engine.store().history(s.tenant, id).await.unwrap();
    let failures = history
        .iter()
        .filter(|h| {
            matches!(
                h.to,
                DeliveryStatus::Failed {
                    retryable: true,
                    ..
                }
            )
        })
        .count();
    assert_eq!(failures, 2, "every failed attempt is in the audit log");
    assert_eq!(
        s.engine
            .store()
            .delivery_row(s.tenant, id)
            .await
            .unwrap()
            .attempts,
        3
    );
}

#[tokio::test]
async fn transient_failures_give_up_after_max_attempts() {
    let s = setup().await;
    let id = one_delivery(&s, Route::Email).await;
    for _ in 0..4 {
        s.email.push(Fault::Transient);
    }
    drain(&s.engine).await;
    match status(&s, id).await {
        DeliveryStatus::Failed {
            reason,
            retryable: false,
        } => assert!(reason.contains("gave up after 4 attempts"), "{reason}"),
        other => panic!("expected a final failure, got {other}"),
    }
    assert_eq!(s.email.accepted(), 0);
}

#[tokio::test]
async fn permanent_failure_is_recorded_with_its_reason() {
    let s = setup().await;
    let id = one_delivery(&s, Route::Email).await;
    s.email.push(Fault::Permanent);
    let stats = drain(&s.engine).await;
    assert_eq!(stats.failed, 1);
    assert_eq!(
        status(&s, id).await,
        DeliveryStatus::failed("E306: invalid recipient address", false)
    );
    let detail = s
        .engine
        .inspect_document(
            s.tenant,
            s.engine
                .store()
                .delivery_row(s.tenant, id)
                .await
                .unwrap()
                .documents[0],
        )
        .await
        .unwrap();
    assert_eq!(
        detail[0].reason.as_deref(),
        Some("E306: invalid recipient address")
    );
}

#[tokio::test]
async fn unknown_outcome_is_reconciled_not_resent() {
    let s = setup().await;
    let id = one_delivery(&s, Route::EpostLetter).await;
    s.epost.push(Fault::AmbiguousStored);
    let stats = drain(&s.engine).await;
    assert_eq!(stats.reconciled, 1);
    assert_eq!(s.epost.accepted(), 1, "the letter was posted once");
    // E-POST letters stay in progress at the provider until printed.
    let row = s.engine.store().delivery_row(s.tenant, id).await.unwrap();
    assert_eq!(row.status, DeliveryStatus::InProgress);
    assert_eq!(
        row.provider_reference.as_deref(),
        Some(&*format!("epost_letter-{id}"))
    );
}

#[tokio::test]
async fn lost_request_is_sent_again_after_reconcile_says_absent() {
    let s = setup().await;
    let id = one_delivery(&s, Route::Email).await;
    s.email.push(Fault::AmbiguousLost);
    drain(&s.engine).await;
    assert_eq!(status(&s, id).await, DeliveryStatus::Sent);
    assert_eq!(s.email.accepted(), 1);
}

#[tokio::test]
async fn provider_unreachable_after_unknown_outcome_waits_and_reconciles() {
    let s = setup().await;
    let id = one_delivery(&s, Route::PortalShare).await;
    s.portal.push(Fault::AmbiguousStoredUnreachable);
    let first = s.engine.dispatch_once().await.unwrap();
    assert_eq!(first.unresolved, 1);
    assert_eq!(
        status(&s, id).await,
        DeliveryStatus::InProgress,
        "kept in progress, not resent"
    );
    let rest = drain(&s.engine).await;
    assert_eq!(rest.reconciled, 1);
    assert_eq!(status(&s, id).await, DeliveryStatus::Sent);
    assert_eq!(s.portal.accepted(), 1);
}

#[tokio::test]
async fn rate_limit_retry_after_is_honoured() {
    let s = setup().await;
    let id = one_delivery(&s, Route::Email).await;
    s.email.push(Fault::RateLimited(Duration::from_millis(400)));
    assert_eq!(s.engine.dispatch_once().await.unwrap().retried, 1);
    assert_eq!(
        s.engine.dispatch_once().await.unwrap().claimed,
        0,
        "not before retry-after"
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(s.engine.dispatch_once().await.unwrap().sent, 1);
    assert_eq!(status(&s, id).await, DeliveryStatus::Sent);
}

#[tokio::test]
async fn crashed_worker_is_recovered_by_reconciling() {
    let s = setup().await;
    let id = one_delivery(&s, Route::EpostLetter).await;
    // A worker claims the letter, posts it, and dies before recording the result.
    let claimed = s
        .engine
        .store()
        .claim(10, "dead-worker", Duration::from_millis(200))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let c = owner(&s, 1, "Eigentümer", &[Route::EpostLetter]).await;
    let doc = s
        .engine
        .store()
        .get_document(s.tenant, claimed[0].documents[0])
        .await
        .unwrap();
    let out = outbox_channel::OutgoingDelivery {
        id,
        tenant: s.tenant,
        route: Route::EpostLetter,
        attempt: 1,
        recipient: c,
        sender: Default::default(),
        documents: vec![outbox_channel::OutgoingDocument {
            id: doc.document.id,
            title: doc.document.title.clone(),
            file_name: doc.document.file_name.clone(),
            page_count: 1,
            bytes: s.engine.blobs().get(&doc.blob_key).await.unwrap().into(),
            settings: doc.document.settings.clone(),
        }],
    };
    s.epost.send(&out).await.unwrap();
    assert_eq!(
        s.engine.dispatch_once().await.unwrap().claimed,
        0,
        "the lease still holds"
    );
    tokio::time::sleep(Duration::from_millis(250)).await;

    // A new worker starts: the expired lease is claimed first and reconciled.
    let stats = s.engine.dispatch_once().await.unwrap();
    assert_eq!(stats.reconciled, 1);
    assert_eq!(
        s.epost.accepted(),
        1,
        "the letter was not posted a second time"
    );
    // The dead worker's late result is refused.
    let late = s
        .engine
        .store()
        .complete(
            &claimed[0].lease,
            &outbox_store::Outcome::failed("late", false),
        )
        .await;
    assert!(
        matches!(late, Err(outbox_store::StoreError::LeaseLost { .. })),
        "{late:?}"
    );
}

#[tokio::test]
async fn dispatchers_shut_down_gracefully() {
    let s = setup().await;
    let owners: Vec<ContactId> = {
        let mut v = Vec::new();
        for i in 1..=20 {
            v.push(
                owner(
                    &s,
                    i,
                    &format!("Eigentümer {i}"),
                    &[Route::Email, Route::PortalShare],
                )
                .await
                .id,
            );
        }
        v
    };
    let doc = s
        .engine
        .add_document(s.tenant, new_doc("Protokoll", 1, &owners))
        .await
        .unwrap();
    s.engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    let (tx, rx) = tokio::sync::watch::channel(false);
    let workers = outbox_engine::spawn_dispatchers(&s.engine, 3, rx);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while s.email.accepted() + s.portal.accepted() < 40 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "dispatchers did not finish"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tx.send(true).unwrap();
    let mut sent = 0;
    for w in workers {
        sent += tokio::time::timeout(Duration::from_secs(5), w)
            .await
            .unwrap()
            .unwrap()
            .unwrap()
            .sent;
    }
    assert_eq!(
        sent, 40,
        "every delivery sent exactly once across the workers"
    );
    assert_eq!(
        s.email.stored.lock().unwrap().len() + s.portal.stored.lock().unwrap().len(),
        40
    );
}

#[tokio::test]
async fn epost_status_is_polled_at_most_once_per_interval_across_workers() {
    let config = outbox_engine::EngineConfig {
        epost_poll_interval: Duration::from_millis(400),
        ..fast_config()
    };
    let s = setup_with(config.clone()).await;
    let mut ids = Vec::new();
    for i in 1..=30 {
        ids.push(
            owner(&s, i, &format!("E{i}"), &[Route::EpostLetter])
                .await
                .id,
        );
    }
    let doc = s
        .engine
        .add_document(s.tenant, new_doc("Abrechnung", 2, &ids))
        .await
        .unwrap();
    s.engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    drain(&s.engine).await;
    assert_eq!(s.epost.accepted(), 30);
    // A second engine (another worker) over the same store.
    let other = outbox_engine::Engine::builder(s.engine.store().clone(), s.engine.blobs().clone())
        .channel(s.epost.clone())
        .config(config)
        .build();
    s.epost.hold.store(true, Ordering::SeqCst);
    let (mut calls, mut limited) = (0, 0);
    for _ in 0..10 {
        for e in [&s.engine, &other] {
            let st = e.poll_once(s.tenant).await.unwrap();
            calls += st.calls;
            limited += st.rate_limited;
        }
    }
    assert_eq!(
        (calls, limited),
        (1, 19),
        "one batched query for all 30 letters per interval"
    );
    assert_eq!(s.epost.polls.load(Ordering::SeqCst), 1);

    tokio::time::sleep(Duration::from_millis(450)).await;
    s.epost.hold.store(false, Ordering::SeqCst);
    let st = other.poll_once(s.tenant).await.unwrap();
    assert_eq!((st.calls, st.changes), (1, 30));
    let page = s
        .engine
        .list_documents(
            s.tenant,
            outbox_store::OverviewSort::NewestFirst,
            outbox_store::Page::first(5),
        )
        .await
        .unwrap();
    assert_eq!(page.rows[0].progress.sent, 30);
}
