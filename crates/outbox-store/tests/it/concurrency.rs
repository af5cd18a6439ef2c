//! Many workers claiming and completing in parallel: every delivery exactly once, none lost,
//! and a worker whose lease expired cannot overwrite the newer result.

use crate::common;

use std::collections::HashSet;
use std::time::Duration;

use outbox_model::*;
use outbox_store::*;

const WORKERS: usize = 8;
const DELIVERIES: usize = 10_000;

/// 1,000 documents × 10 recipients, all queued.
async fn setup(s: &Store, n: usize) -> (TenantId, Vec<DeliveryId>) {
    let (tenant, contacts) = common::tenant_with_contacts(s, "T", 10).await;
    let docs: Vec<NewDocument> = (0..n / 10)
        .map(|i| common::new_document(&format!("doc-{i}"), &contacts))
        .collect();
    let docs = s.insert_documents(tenant, &docs).await.unwrap();
    let planned: Vec<NewDelivery> = docs
        .iter()
        .flat_map(|d| {
            contacts.iter().map(|c| NewDelivery {
                recipient: *c,
                route: Route::Email,
                documents: vec![d.document.id],
                collector: None,
            })
        })
        .collect();
    let ids = s
        .insert_deliveries(tenant, &planned, "planner")
        .await
        .unwrap();
    s.queue(tenant, &ids, "alice").await.unwrap();
    (tenant, ids)
}

async fn run_workers(s: &Store, lease: Duration) -> Vec<(DeliveryId, String)> {
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let name = format!("worker-{w}");
            let mut done = Vec::new();
            loop {
                let batch = s.claim(25, &name, lease).await.expect("claim");
                if batch.is_empty() {
                    break;
                }
                for c in batch {
                    s.complete(
                        &c.lease,
                        &Outcome::sent(Some(format!("{name}:{}", c.lease.delivery))),
                    )
                    .await
                    .expect("complete");
                    done.push((c.lease.delivery, name.clone()));
                }
            }
            done
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("worker task"));
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_workers_complete_ten_thousand_deliveries_exactly_once() {
    for t in common::backends_with(WORKERS as u32 + 2).await {
        let s = &t.store;
        let (tenant, ids) = setup(s, DELIVERIES).await;
        let done = run_workers(s, Duration::from_secs(60)).await;
        assert_eq!(
            done.len(),
            DELIVERIES,
            "{}: every delivery completed once",
            t.label
        );
        let unique: HashSet<_> = done.iter().map(|(d, _)| *d).collect();
        assert_eq!(
            unique.len(),
            DELIVERIES,
            "{}: no delivery completed twice",
            t.label
        );
        assert_eq!(
            unique,
            ids.iter().copied().collect::<HashSet<_>>(),
            "{}: none lost",
            t.label
        );
        let workers: HashSet<_> = done.iter().map(|(_, w)| w.as_str()).collect();
        eprintln!("{}: {} workers took part", t.label, workers.len());
        let page = s
            .list_documents(tenant, OverviewSort::NewestFirst, Page::first(1000))
            .await
            .unwrap();
        let total: Progress = page.rows.iter().map(|r| r.progress).sum();
        assert_eq!(
            (total.sent, total.total),
            (DELIVERIES as u64, DELIVERIES as u64),
            "{}",
            t.label
        );
        // The audit log agrees: exactly one InProgress → Sent per delivery, one attempt each.
        for id in ids.iter().step_by(97) {
            let d = s.get_delivery(tenant, *id).await.unwrap();
            assert_eq!(d.attempts, 1);
            assert_eq!(
                d.history
                    .iter()
                    .filter(|h| h.to == DeliveryStatus::Sent)
                    .count(),
                1
            );
            let (_, who) = done.iter().find(|(x, _)| x == id).unwrap();
            assert_eq!(d.provider_reference, Some(format!("{who}:{id}")));
        }
        assert!(
            s.claim(10, "late", Duration::from_secs(1))
                .await
                .unwrap()
                .is_empty()
        );
        t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_whose_leases_expired_cannot_overwrite_newer_results() {
    for t in common::backends_with(WORKERS as u32 + 2).await {
        let s = &t.store;
        let (tenant, ids) = setup(s, 400).await;
        // A "zombie" worker claims everything with a 30 s lease, then stalls for a minute.
        let mut zombie = Vec::new();
        loop {
            let b = s
                .claim(100, "zombie", Duration::from_secs(30))
                .await
                .unwrap();
            if b.is_empty() {
                break;
            }
            zombie.extend(b);
        }
        assert_eq!(zombie.len(), ids.len());
        // The healthy workers, a minute later, recover every delivery (flagged for
        // reconciliation) and finish it.
        let later = ManualClock::new(chrono::Utc::now() + chrono::Duration::seconds(60));
        let healthy = s.clone().with_clock(std::sync::Arc::new(later));
        let done = run_workers(&healthy, Duration::from_secs(60)).await;
        assert_eq!(done.len(), ids.len(), "{}", t.label);
        // The zombie wakes up and reports failures for all of them, concurrently: all refused.
        let mut tasks = Vec::new();
        for chunk in zombie.chunks(zombie.len() / WORKERS) {
            let s = s.clone();
            let chunk = chunk.to_vec();
            tasks.push(tokio::spawn(async move {
                let mut refused = 0;
                for c in chunk {
                    match s
                        .complete(&c.lease, &Outcome::failed("timed out", true))
                        .await
                    {
                        Err(StoreError::LeaseLost { .. }) => refused += 1,
                        other => panic!("stale result was not refused: {other:?}"),
                    }
                }
                refused
            }));
        }
        let mut refused = 0;
        for task in tasks {
            refused += task.await.unwrap();
        }
        assert_eq!(refused, ids.len());
        for id in &ids {
            let row = s.delivery_row(tenant, *id).await.unwrap();
            assert_eq!(row.status, DeliveryStatus::Sent, "{}", t.label);
            assert_eq!(row.attempts, 2);
            assert!(row.provider_reference.unwrap().starts_with("worker-"));
        }
        t.finish().await;
    }
}
