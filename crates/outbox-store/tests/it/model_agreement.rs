//! Property: whatever sequence of status changes is requested, the store accepts exactly those
//! the model's state machine accepts, ends in the same status, and logs one history row per
//! accepted change.

use crate::common;

use std::time::Duration;

use outbox_model::*;
use outbox_store::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    To(DeliveryStatus),
    Claim,
    Complete(DeliveryStatus),
    Retry,
}

fn status() -> impl Strategy<Value = DeliveryStatus> {
    prop_oneof![
        Just(DeliveryStatus::Prepared),
        Just(DeliveryStatus::Queued),
        Just(DeliveryStatus::InProgress),
        Just(DeliveryStatus::Sent),
        Just(DeliveryStatus::Downloaded),
        Just(DeliveryStatus::Cancelled),
        any::<bool>().prop_map(|r| DeliveryStatus::failed("reason", r)),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => status().prop_map(Step::To),
        2 => Just(Step::Claim),
        2 => status().prop_map(Step::Complete),
        1 => Just(Step::Retry),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_store_follows_the_model(steps in proptest::collection::vec(step(), 1..12)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let s = Store::open("sqlite::memory:").await.unwrap();
            s.migrate().await.unwrap();
            let (tenant, contacts) = common::tenant_with_contacts(&s, "T", 1).await;
            let doc = s.insert_document(tenant, &common::new_document("D", &contacts)).await.unwrap().document.id;
            let nd = NewDelivery { recipient: contacts[0], route: Route::Email, documents: vec![doc], collector: None };
            let id = s.insert_deliveries(tenant, &[nd], "p").await.unwrap()[0];
            let mut model = Delivery::new(id, tenant, contacts[0], Route::Email, vec![doc], chrono::Utc::now(), "p");
            let mut lease: Option<Lease> = None;
            for st in steps {
                match st {
                    Step::To(to) => {
                        let leased = lease.is_some();
                        let r = s.transition(tenant, id, &to, "u").await;
                        let expect_ok = !leased && to != DeliveryStatus::InProgress && model.status.can_transition(&to);
                        assert_eq!(r.is_ok(), expect_ok, "transition {:?} -> {to:?}: {r:?}", model.status);
                        if expect_ok {
                            model.transition(to, chrono::Utc::now(), "u").unwrap();
                        }
                    }
                    Step::Claim => {
                        let got = s.claim(1, "w", Duration::from_secs(60)).await.unwrap();
                        let expect = model.status == DeliveryStatus::Queued;
                        assert_eq!(got.len(), usize::from(expect));
                        if let Some(c) = got.into_iter().next() {
                            model.transition(DeliveryStatus::InProgress, chrono::Utc::now(), "w").unwrap();
                            assert_eq!(c.attempt, model.attempts);
                            lease = Some(c.lease);
                        }
                    }
                    Step::Complete(to) => {
                        let Some(l) = lease.clone() else { continue };
                        let r = s.complete(&l, &Outcome { status: to.clone(), provider_reference: None }).await;
                        let expect_ok = DeliveryStatus::InProgress.can_transition(&to);
                        assert_eq!(r.is_ok(), expect_ok, "complete {to:?}: {r:?}");
                        if expect_ok {
                            model.transition(to, chrono::Utc::now(), "w").unwrap();
                            lease = None;
                        }
                    }
                    Step::Retry => {
                        let Some(l) = lease.take() else { continue };
                        s.retry(&l, "busy", chrono::Utc::now()).await.unwrap();
                        model.transition(DeliveryStatus::failed("busy", true), chrono::Utc::now(), "w").unwrap();
                        model.transition(DeliveryStatus::Queued, chrono::Utc::now(), "w").unwrap();
                    }
                }
                let stored = s.get_delivery(tenant, id).await.unwrap();
                assert_eq!(stored.status, model.status);
                assert_eq!(stored.attempts, model.attempts);
                assert_eq!(stored.history.len(), model.history.len());
                let kinds = |h: &[StatusChange]| h.iter().map(|c| (c.from.clone(), c.to.clone())).collect::<Vec<_>>();
                assert_eq!(kinds(&stored.history), kinds(&model.history));
            }
        });
    }
}
