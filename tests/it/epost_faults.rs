//! The engine with the real E-POST channel against the fake server's faults: retries, unknown
//! outcomes, a permanent failure, the status rate limit under load, and a dispatcher dropped in
//! the middle of a batch. Every letter reaches the provider exactly once (counted by `custom1`).

use crate::common;

use std::time::Duration;

use common::*;
use outbox::model::*;
use outbox::routes::epost::fake::{Endpoint, Fault, Fault99};

async fn letters(n: u64) -> (tempfile::TempDir, outbox::Outbox, TenantId, Vec<DeliveryId>) {
    letters_with(n, fast_engine()).await
}

async fn letters_with(
    n: u64,
    engine: outbox::engine::EngineConfig,
) -> (tempfile::TempDir, outbox::Outbox, TenantId, Vec<DeliveryId>) {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, tenant) = outbox(dir.path(), engine).await;
    let ids = owners(&outbox, tenant, 1, n, &[Route::EpostLetter]).await;
    let doc = outbox
        .add_document(
            tenant,
            document("Abrechnung", sample_pdf::invitation(), &ids),
        )
        .await
        .unwrap();
    let report = outbox.send_documents(tenant, &[doc], "e2e").await.unwrap();
    assert_eq!(report.queued.len() as u64, n, "{report:?}");
    (dir, outbox, tenant, report.queued)
}

fn count(outbox: &outbox::Outbox, d: DeliveryId) -> usize {
    outbox
        .with_epost_fake(|f| f.count_by_custom1(&d.to_string()))
        .unwrap()
}

async fn row(
    outbox: &outbox::Outbox,
    tenant: TenantId,
    d: DeliveryId,
) -> outbox::store::DeliveryRow {
    outbox.store().delivery_row(tenant, d).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_and_the_letter_posted_once() {
    let (_dir, outbox, tenant, ids) = letters(1).await;
    outbox.with_epost_fake(|f| f.fail_next_on(Endpoint::SubmitLetters, 2, Fault::Status(503)));
    let (stats, _) = outbox
        .run_until_idle(Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(stats.retried, 2);
    assert_eq!(count(&outbox, ids[0]), 1);
    let r = row(&outbox, tenant, ids[0]).await;
    assert_eq!(
        r.status,
        DeliveryStatus::InProgress,
        "at the provider until printed"
    );
    assert_eq!(r.attempts, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connection_is_reconciled_not_resent() {
    let (_dir, outbox, tenant, ids) = letters(1).await;
    outbox.with_epost_fake(|f| f.fail_next_on(Endpoint::SubmitLetters, 1, Fault::DropConnection));
    let (stats, _) = outbox
        .run_until_idle(Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(stats.reconciled, 1, "{stats:?}");
    assert_eq!(
        count(&outbox, ids[0]),
        1,
        "the letter was found by custom1, not posted again"
    );
    assert!(
        row(&outbox, tenant, ids[0])
            .await
            .provider_reference
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_in_print_is_a_permanent_failure_with_the_reason() {
    let (_dir, outbox, tenant, ids) = letters(1).await;
    outbox.with_epost_fake(|f| f.reject_after_processing(Fault99 { code: "E302" }));
    outbox
        .dispatch_until_idle(Duration::from_secs(30))
        .await
        .unwrap();
    outbox.with_epost_fake(|f| f.advance(Duration::from_secs(3 * 86_400)));
    outbox
        .run_until_idle(Duration::from_secs(30))
        .await
        .unwrap();
    match row(&outbox, tenant, ids[0]).await.status {
        DeliveryStatus::Failed {
            reason,
            retryable: false,
        } => assert!(reason.contains("E302"), "{reason}"),
        other => panic!("expected a permanent failure, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_rate_limit_is_kept_under_load() {
    let (_dir, outbox, tenant, ids) = letters(25).await;
    outbox
        .dispatch_until_idle(Duration::from_secs(60))
        .await
        .unwrap();
    outbox.with_epost_fake(|f| f.advance(Duration::from_secs(3 * 86_400)));
    let counts = |f: &outbox::routes::epost::fake::FakeEpost| {
        (
            f.request_count(Endpoint::Status),
            f.request_count(Endpoint::Login),
        )
    };
    let (before, logins_before) = outbox.with_epost_fake(counts).unwrap();
    let mut limited = 0;
    for _ in 0..20 {
        limited += outbox.poll_once(tenant).await.unwrap().rate_limited;
    }
    let (after, logins_after) = outbox.with_epost_fake(counts).unwrap();
    // Three days on the fake clock expired the token: the query is repeated once after the
    // re-login, which the provider counts as a second call.
    let relogins = logins_after - logins_before;
    assert_eq!(
        after - before,
        1 + relogins,
        "all 25 letters in one batched status query"
    );
    assert_eq!(limited, 0, "after that one query every letter is sent");
    for d in ids {
        assert_eq!(row(&outbox, tenant, d).await.status, DeliveryStatus::Sent);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatcher_dropped_mid_batch_posts_every_letter_exactly_once() {
    let engine = outbox::engine::EngineConfig {
        batch: 2,
        lease: Duration::from_millis(1500),
        send_timeout: Duration::from_millis(1200),
        ..fast_engine()
    };
    let (_dir, outbox, tenant, ids) = letters_with(10, engine).await;
    // The first two uploads are stored at once but answered only after 3 s.
    outbox.with_epost_fake(|f| {
        f.fail_next_on(
            Endpoint::SubmitLetters,
            2,
            Fault::Slow(Duration::from_secs(3)),
        )
    });
    let dying = outbox.engine().clone();
    let worker = tokio::spawn(async move { dying.dispatch_once().await });
    tokio::time::sleep(Duration::from_millis(400)).await;
    worker.abort(); // the process dies with two letters in flight
    let _ = worker.await;

    // A new dispatcher starts after the dead one's leases ran out.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    // Each lookup by custom1 takes one of the provider's status slots (one per 5 s), so the
    // second in-flight letter waits for its turn: keep dispatching until both are resolved.
    let mut stats = outbox::engine::DispatchStats::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        stats += outbox
            .dispatch_until_idle(Duration::from_secs(30))
            .await
            .unwrap();
        let mut open = 0;
        for d in &ids {
            let r = row(&outbox, tenant, *d).await;
            if r.provider_reference.is_none() || r.lease.is_some() {
                open += 1;
            }
        }
        if open == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {open} open: {stats:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(stats.reconciled, 2, "{stats:?}");
    for d in &ids {
        assert_eq!(count(&outbox, *d), 1, "delivery {d} posted once");
        let r = row(&outbox, tenant, *d).await;
        assert_eq!(r.status, DeliveryStatus::InProgress);
        assert!(r.provider_reference.is_some() && r.lease.is_none());
    }
    let total = outbox.with_epost_fake(|f| f.letters().len()).unwrap();
    assert_eq!(total, 10);
}
