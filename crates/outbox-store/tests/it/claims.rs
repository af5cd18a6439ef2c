//! Work claiming: leases, fencing tokens, recovery, edit locks, backoff, provider hand-over.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{SubsecRound, Utc};
use outbox_model::*;
use outbox_store::*;

const LEASE: Duration = Duration::from_secs(30);

fn clocked(store: &Store) -> (Store, ManualClock) {
    let clock = ManualClock::new(Utc::now().trunc_subsecs(6));
    (store.clone().with_clock(Arc::new(clock.clone())), clock)
}

#[tokio::test]
async fn claim_moves_queued_to_in_progress_with_token_and_documents() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 2).await;
        let d1 = s
            .insert_document(tenant, &common::new_document("A", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let d2 = s
            .insert_document(tenant, &common::new_document("B", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let ids = s
            .insert_deliveries(
                tenant,
                &[NewDelivery {
                    recipient: contacts[0],
                    route: Route::Email,
                    documents: vec![d2, d1],
                    collector: None,
                }],
                "planner",
            )
            .await
            .unwrap();
        assert!(
            s.claim(10, "w1", LEASE).await.unwrap().is_empty(),
            "prepared is not claimable"
        );
        s.queue(tenant, &ids, "alice").await.unwrap();
        let claimed = s.claim(10, "w1", LEASE).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let c = &claimed[0];
        assert_eq!(c.documents, vec![d2, d1], "document order is kept");
        assert_eq!((c.attempt, c.reconcile, c.lease.tenant), (1, false, tenant));
        assert_eq!(c.lease.worker, "w1");
        assert!(
            s.claim(10, "w2", LEASE).await.unwrap().is_empty(),
            "claimed once only"
        );
        let row = s.delivery_row(tenant, ids[0]).await.unwrap();
        assert_eq!(row.status, DeliveryStatus::InProgress);
        assert_eq!(row.lease.as_ref().map(|l| l.token), Some(c.lease.token));
        // Nobody but the worker may change it meanwhile.
        assert!(matches!(
            s.transition(tenant, ids[0], &DeliveryStatus::failed("x", false), "alice")
                .await,
            Err(StoreError::Leased { .. })
        ));
        assert!(matches!(
            s.transition(tenant, ids[0], &DeliveryStatus::InProgress, "alice")
                .await,
            Err(StoreError::InvalidInput(_))
        ));
        assert!(matches!(
            s.complete(&c.lease, &Outcome::sent(None)).await,
            Ok(())
        ));
        assert!(matches!(
            s.complete(&c.lease, &Outcome::sent(None)).await,
            Err(StoreError::LeaseLost { .. })
        ));
        t.finish().await;
    }
}

#[tokio::test]
async fn illegal_outcomes_and_transitions_are_refused_by_the_state_machine() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 1).await;
        let d = s
            .insert_document(tenant, &common::new_document("A", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let ids = common::queued_deliveries(s, tenant, &[d], &contacts).await;
        let c = s.claim(1, "w", LEASE).await.unwrap().remove(0);
        let bad = Outcome {
            status: DeliveryStatus::Downloaded,
            provider_reference: None,
        };
        assert!(matches!(
            s.complete(&c.lease, &bad).await,
            Err(StoreError::IllegalTransition(_))
        ));
        s.complete(&c.lease, &Outcome::sent(None)).await.unwrap();
        for to in [
            DeliveryStatus::Prepared,
            DeliveryStatus::Queued,
            DeliveryStatus::Cancelled,
        ] {
            assert!(
                matches!(
                    s.transition(tenant, ids[0], &to, "a").await,
                    Err(StoreError::IllegalTransition(_))
                ),
                "{to:?}"
            );
        }
        assert!(matches!(
            s.queue(tenant, &ids, "a").await,
            Err(StoreError::IllegalTransition(_))
        ));
        s.transition(tenant, ids[0], &DeliveryStatus::Downloaded, "portal")
            .await
            .unwrap();
        assert_eq!(s.history(tenant, ids[0]).await.unwrap().len(), 5);
        t.finish().await;
    }
}

#[tokio::test]
async fn queue_is_all_or_nothing() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 2).await;
        let d = s
            .insert_document(tenant, &common::new_document("A", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let planned: Vec<_> = contacts
            .iter()
            .map(|c| NewDelivery {
                recipient: *c,
                route: Route::Email,
                documents: vec![d],
                collector: None,
            })
            .collect();
        let ids = s.insert_deliveries(tenant, &planned, "p").await.unwrap();
        s.transition(tenant, ids[1], &DeliveryStatus::Cancelled, "a")
            .await
            .unwrap();
        assert!(matches!(
            s.queue(tenant, &ids, "a").await,
            Err(StoreError::IllegalTransition(_))
        ));
        assert_eq!(
            s.delivery_row(tenant, ids[0]).await.unwrap().status,
            DeliveryStatus::Prepared
        );
        assert!(matches!(
            s.queue(tenant, &[DeliveryId(123_456)], "a").await,
            Err(StoreError::NotFound { .. })
        ));
        t.finish().await;
    }
}

#[tokio::test]
async fn an_expired_lease_is_reclaimed_and_the_old_worker_cannot_overwrite() {
    for t in common::backends().await {
        let (s, clock) = clocked(&t.store);
        let (tenant, contacts) = common::tenant_with_contacts(&s, "T", 1).await;
        let d = s
            .insert_document(tenant, &common::new_document("A", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let ids = common::queued_deliveries(&s, tenant, &[d], &contacts).await;
        let old = s.claim(1, "slow-worker", LEASE).await.unwrap().remove(0);
        clock.advance(chrono::Duration::seconds(29));
        assert!(s.expired_leases(10).await.unwrap().is_empty());
        assert!(
            s.claim(1, "w2", LEASE).await.unwrap().is_empty(),
            "lease still valid"
        );
        clock.advance(chrono::Duration::seconds(2));
        let expired = s.expired_leases(10).await.unwrap();
        assert_eq!(expired.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
        let new = s.claim(1, "w2", LEASE).await.unwrap().remove(0);
        assert!(new.reconcile, "the outcome of the first attempt is unknown");
        assert_eq!(new.attempt, 2);
        assert!(new.lease.token > old.lease.token);
        s.complete(&new.lease, &Outcome::sent(Some("new".into())))
            .await
            .unwrap();
        let late = s
            .complete(&old.lease, &Outcome::failed("timeout", true))
            .await;
        assert!(
            matches!(late, Err(StoreError::LeaseLost { token, .. }) if token == old.lease.token),
            "{}: {late:?}",
            t.label
        );
        assert!(matches!(
            s.renew(&old.lease, LEASE).await,
            Err(StoreError::LeaseLost { .. })
        ));
        assert!(matches!(
            s.retry(&old.lease, "x", clock.now()).await,
            Err(StoreError::LeaseLost { .. })
        ));
        let row = s.delivery_row(tenant, ids[0]).await.unwrap();
        assert_eq!(row.status, DeliveryStatus::Sent);
        assert_eq!(row.provider_reference.as_deref(), Some("new"));
        t.finish().await;
    }
}

#[tokio::test]
async fn a_lost_lease_while_the_new_worker_still_works_is_refused_too() {
    for t in common::backends().await {
        let (s, clock) = clocked(&t.store);
        let (tenant, contacts) = common::tenant_with_contacts(&s, "T", 1).await;
        let d = s
            .insert_document(tenant, &common::new_document("A", &contacts))
            .await
            .unwrap()
            .document
            .id;
        common::queued_deliveries(&s, tenant, &[d], &contacts).await;
        let old = s.claim(1, "a", LEASE).await.unwrap().remove(0);
        clock.advance(chrono::Duration::seconds(31));
        let new = s.claim(1, "b", LEASE).await.unwrap().remove(0);
        assert!(matches!(
            s.complete(&old.lease, &Outcome::sent(None)).await,
            Err(StoreError::LeaseLost { .. })
        ));
        assert!(matches!(
            s.record_provider_reference(&old.lease, "x").await,
            Err(StoreError::LeaseLost { .. })
        ));
        s.complete(&new.lease, &Outcome::sent(None)).await.unwrap();
        t.finish().await;
    }
}

#[tokio::test]
async fn renew_extends_and_a_lease_past_expiry_but_not_taken_over_still_completes() {
    for t in common::backends().await {
        let (s, clock) = clocked(&t.store);
        let (tenant, contacts) = common::tenant_with_contacts(&s, "T", 1).await;
        let d = s
            .insert_document(tenant, &common::new_document("A", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let ids = common::queued_deliveries(&s, tenant, &[d], &contacts).await;
        let c = s.claim(1, "w", LEASE).await.unwrap().remove(0);
        clock.advance(chrono::Duration::seconds(20));
        let renewed = s.renew(&c.lease, LEASE).await.unwrap();
        assert_eq!(
            renewed.expires_at,
            clock.now() + chrono::Duration::seconds(30)
        );
        clock.advance(chrono::Duration::seconds(20));
        assert!(
            s.claim(1, "other", LEASE).await.unwrap().is_empty(),
            "renewed lease holds"
        );
        clock.advance(chrono::Duration::seconds(60));
        // Expired, but nobody took it: the token is still the newest, the result stands.
        s.complete(&renewed, &Outcome::sent(None)).await.unwrap();
        assert_eq!(
            s.delivery_row(tenant, ids[0]).await.unwrap().status,
            DeliveryStatus::Sent
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn retry_requeues_with_backoff_and_history() {
    for t in common::backends().await {
        let (s, clock) = clocked(&t.store);
        let (tenant, contacts) = common::tenant_with_contacts(&s, "T", 1).await;
        let d = s
            .insert_document(tenant, &common::new_document("A", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let ids = common::queued_deliveries(&s, tenant, &[d], &contacts).await;
        let c = s.claim(1, "w", LEASE).await.unwrap().remove(0);
        s.retry(
            &c.lease,
            "SMTP 421 try later",
            clock.now() + chrono::Duration::seconds(60),
        )
        .await
        .unwrap();
        let row = s.delivery_row(tenant, ids[0]).await.unwrap();
        assert_eq!(row.status, DeliveryStatus::Queued);
        assert!(row.lease.is_none());
        assert!(
            s.claim(1, "w", LEASE).await.unwrap().is_empty(),
            "backoff not over"
        );
        clock.advance(chrono::Duration::seconds(60));
        let again = s.claim(1, "w", LEASE).await.unwrap().remove(0);
        assert_eq!(again.attempt, 2);
        assert!(!again.reconcile);
        let h = s.history(tenant, ids[0]).await.unwrap();
        let kinds: Vec<_> = h.iter().map(|c| c.to.kind()).collect();
        assert_eq!(
            kinds,
            [
                StatusKind::Prepared,
                StatusKind::Queued,
                StatusKind::InProgress,
                StatusKind::Failed,
                StatusKind::Queued,
                StatusKind::InProgress
            ]
        );
        assert_eq!(h[3].to, DeliveryStatus::failed("SMTP 421 try later", true));
        t.finish().await;
    }
}

#[tokio::test]
async fn deliveries_of_an_edit_locked_document_are_not_claimed() {
    for t in common::backends().await {
        let (s, clock) = clocked(&t.store);
        let (tenant, contacts) = common::tenant_with_contacts(&s, "T", 1).await;
        let locked = s
            .insert_document(tenant, &common::new_document("L", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let free = s
            .insert_document(tenant, &common::new_document("F", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let planned = [
            NewDelivery {
                recipient: contacts[0],
                route: Route::Email,
                documents: vec![free, locked],
                collector: None,
            },
            NewDelivery {
                recipient: contacts[0],
                route: Route::EpostLetter,
                documents: vec![free],
                collector: None,
            },
        ];
        let ids = s.insert_deliveries(tenant, &planned, "p").await.unwrap();
        s.queue(tenant, &ids, "a").await.unwrap();
        s.acquire_lock(tenant, locked, "editor", Duration::from_secs(10))
            .await
            .unwrap();
        let got = s.claim(10, "w", LEASE).await.unwrap();
        assert_eq!(
            got.iter().map(|c| c.lease.delivery).collect::<Vec<_>>(),
            vec![ids[1]]
        );
        clock.advance(chrono::Duration::seconds(11));
        let got = s.claim(10, "w", LEASE).await.unwrap();
        assert_eq!(
            got.iter().map(|c| c.lease.delivery).collect::<Vec<_>>(),
            vec![ids[0]],
            "expired lock no longer blocks"
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn provider_hand_over_open_deliveries_and_lookup_by_reference() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 3).await;
        let d = s
            .insert_document(tenant, &common::new_document("A", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let planned: Vec<_> = contacts
            .iter()
            .map(|c| NewDelivery {
                recipient: *c,
                route: Route::EpostLetter,
                documents: vec![d],
                collector: None,
            })
            .collect();
        let ids = s.insert_deliveries(tenant, &planned, "p").await.unwrap();
        s.queue(tenant, &ids, "a").await.unwrap();
        let claimed = s.claim(3, "w", LEASE).await.unwrap();
        s.record_provider_reference(&claimed[0].lease, "letter-1")
            .await
            .unwrap();
        s.await_provider(&claimed[0].lease, "letter-1")
            .await
            .unwrap();
        s.complete(&claimed[1].lease, &Outcome::sent(Some("letter-2".into())))
            .await
            .unwrap();
        // claimed[2] stays leased: not open for the poller.
        let open = s
            .open_deliveries(tenant, Route::EpostLetter, 100)
            .await
            .unwrap();
        assert_eq!(
            open.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![ids[0], ids[1]]
        );
        assert!(open[0].lease.is_none());
        assert_eq!(open[0].documents, vec![d]);
        assert!(
            s.open_deliveries(tenant, Route::Email, 100)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            matches!(
                s.complete(&claimed[0].lease, &Outcome::sent(None)).await,
                Err(StoreError::LeaseLost { .. })
            ),
            "hand-over ended the lease"
        );
        let found = s
            .find_by_provider_reference(tenant, "letter-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, ids[0]);
        assert_eq!(found.status, DeliveryStatus::InProgress);
        s.transition(tenant, found.id, &DeliveryStatus::Sent, "poller")
            .await
            .unwrap();
        assert_eq!(
            s.find_by_provider_reference(tenant, "nope").await.unwrap(),
            None
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn not_before_in_the_future_defers_the_claim_after_a_manual_requeue() {
    for t in common::backends().await {
        let (s, _clock) = clocked(&t.store);
        let (tenant, contacts) = common::tenant_with_contacts(&s, "T", 1).await;
        let d = s
            .insert_document(tenant, &common::new_document("A", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let ids = common::queued_deliveries(&s, tenant, &[d], &contacts).await;
        let c = s.claim(1, "w", LEASE).await.unwrap().remove(0);
        s.complete(&c.lease, &Outcome::failed("server down", true))
            .await
            .unwrap();
        // A user re-queues a retryable failure: claimable at once (no backoff left over).
        s.queue(tenant, &ids, "alice").await.unwrap();
        assert_eq!(s.claim(1, "w", LEASE).await.unwrap().len(), 1);
        t.finish().await;
    }
}
