//! Random sequences of outbox actions and provider faults: no delivery is lost or duplicated.

use crate::common;

use std::collections::HashSet;

use common::*;
use outbox_model::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Action {
    AddDocument {
        recipients: u8,
        bundled: bool,
        pages: u32,
    },
    AddRoute {
        doc: usize,
        recipient: Option<usize>,
        route: usize,
    },
    RemoveRoute {
        doc: usize,
        recipient: Option<usize>,
        route: usize,
    },
    Send {
        doc: usize,
    },
    Collect {
        docs: u8,
    },
    Dissolve,
    Dispatch {
        faults: Vec<u8>,
    },
}

const ROUTES: [Route; 3] = [Route::Email, Route::PortalShare, Route::EpostLetter];

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => (1u8..8, any::<bool>(), 1u32..4).prop_map(|(recipients, bundled, pages)| Action::AddDocument { recipients, bundled, pages }),
        1 => (0usize..4, proptest::option::of(0usize..3), 0usize..3).prop_map(|(doc, recipient, route)| Action::AddRoute { doc, recipient, route }),
        1 => (0usize..4, proptest::option::of(0usize..3), 0usize..3).prop_map(|(doc, recipient, route)| Action::RemoveRoute { doc, recipient, route }),
        2 => (0usize..4).prop_map(|doc| Action::Send { doc }),
        1 => (1u8..16).prop_map(|docs| Action::Collect { docs }),
        1 => Just(Action::Dissolve),
        2 => proptest::collection::vec(0u8..6, 0..4).prop_map(|faults| Action::Dispatch { faults }),
    ]
}

fn fault(code: u8) -> Option<Fault> {
    match code {
        0 => Some(Fault::Transient),
        1 => Some(Fault::AmbiguousStored),
        2 => Some(Fault::AmbiguousLost),
        3 => Some(Fault::Permanent),
        4 => Some(Fault::AmbiguousStoredUnreachable),
        _ => None,
    }
}

async fn run(actions: Vec<Action>) {
    let s = setup().await;
    let mut owners = Vec::new();
    for i in 0..3u64 {
        let routes: Vec<Route> = ROUTES
            .iter()
            .copied()
            .filter(|r| (i as usize + r.index()).is_multiple_of(2))
            .collect();
        owners.push(
            owner(&s, i + 1, &format!("Eigentümer {i}"), &routes)
                .await
                .id,
        );
    }
    let mut docs: Vec<DocumentId> = Vec::new();
    let mut collectors = Vec::new();
    for a in actions {
        match a {
            Action::AddDocument {
                recipients,
                bundled,
                pages,
            } => {
                let rs: Vec<ContactId> = owners
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < 8 && recipients & (1 << i) != 0)
                    .map(|(_, o)| *o)
                    .collect();
                let mut d = new_doc(&format!("Dokument {}", docs.len()), pages, &rs);
                d.settings.bundled = bundled;
                docs.push(s.engine.add_document(s.tenant, d).await.unwrap());
            }
            Action::AddRoute {
                doc,
                recipient,
                route,
            }
            | Action::RemoveRoute {
                doc,
                recipient,
                route,
            } if doc < docs.len() => {
                let add = matches!(a, Action::AddRoute { .. });
                let r = recipient.map(|i| owners[i]);
                let result = if add {
                    s.engine
                        .add_route(s.tenant, &[docs[doc]], r, ROUTES[route], "t")
                        .await
                } else {
                    s.engine
                        .remove_route(s.tenant, &[docs[doc]], r, ROUTES[route], "t")
                        .await
                };
                // Only a recipient who is not one of the document's may be refused.
                if let Err(e) = result {
                    assert!(
                        matches!(
                            e,
                            outbox_engine::EngineError::Store(
                                outbox_store::StoreError::NotFound { .. }
                            )
                        ),
                        "{e}"
                    );
                }
            }
            Action::Send { doc } if doc < docs.len() => {
                s.engine
                    .send_documents(s.tenant, &[docs[doc]], "t")
                    .await
                    .unwrap();
            }
            Action::Collect { docs: mask } => {
                let chosen: Vec<DocumentId> = docs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < 8 && mask & (1 << i) != 0)
                    .map(|(_, d)| *d)
                    .collect();
                if chosen.is_empty() {
                    continue;
                }
                // A document belongs to one active collector at most; the store refuses more.
                if let Ok((c, _)) = s
                    .engine
                    .create_collector(s.tenant, "Sammler", &chosen, "t")
                    .await
                {
                    collectors.push(c.id);
                }
            }
            Action::Dissolve => {
                if let Some(c) = collectors.pop() {
                    s.engine.dissolve_collector(s.tenant, c, "t").await.unwrap();
                }
            }
            Action::Dispatch { faults } => {
                for f in faults.into_iter().filter_map(fault) {
                    for ch in [&s.email, &s.portal, &s.epost] {
                        ch.push(f.clone());
                    }
                }
                s.engine.dispatch_once().await.unwrap();
            }
            _ => {}
        }
    }
    // Finally everything is sent and the dispatcher runs dry.
    for ch in [&s.email, &s.portal, &s.epost] {
        ch.script.lock().unwrap().clear();
    }
    s.engine.send_documents(s.tenant, &docs, "t").await.unwrap();
    drain(&s.engine).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    drain(&s.engine).await;

    // Nothing duplicated at a provider: every accepted hand-over is a distinct delivery.
    for ch in [&s.email, &s.portal, &s.epost] {
        assert_eq!(
            ch.accepted(),
            ch.stored.lock().unwrap().len(),
            "{:?} accepted a delivery twice",
            ch.route
        );
    }
    let mut seen = HashSet::new();
    for d in &docs {
        for row in s.engine.inspect_document(s.tenant, *d).await.unwrap() {
            if row.status == StatusKind::Cancelled {
                continue;
            }
            // Nothing duplicated in the outbox: one live delivery per document, recipient, route.
            assert!(
                seen.insert((*d, row.recipient, row.route)),
                "two deliveries for {d} {:?} {:?}",
                row.recipient,
                row.route
            );
            // Nothing lost: every live delivery ended (or is with the provider).
            let full = s
                .engine
                .store()
                .delivery_row(s.tenant, row.delivery)
                .await
                .unwrap();
            match &full.status {
                DeliveryStatus::Sent | DeliveryStatus::Downloaded => {
                    assert!(full.provider_reference.is_some())
                }
                DeliveryStatus::InProgress => {
                    assert_eq!(
                        row.route,
                        Route::EpostLetter,
                        "only E-POST letters wait at the provider"
                    );
                    assert!(full.provider_reference.is_some() && full.lease.is_none());
                }
                DeliveryStatus::Failed {
                    retryable: false, ..
                } => {}
                other => panic!("delivery {} left in {other}", row.delivery),
            }
        }
    }
    // Every hand-over the providers accepted belongs to a live delivery in the outbox.
    for ch in [&s.email, &s.portal, &s.epost] {
        let stored: Vec<_> = ch.stored.lock().unwrap().clone().into_iter().collect();
        for (id, receipt) in stored {
            let row = s.engine.store().delivery_row(s.tenant, id).await.unwrap();
            assert_eq!(
                row.provider_reference.as_deref(),
                Some(&*receipt.provider_reference),
                "delivery {id}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_delivery_lost_or_duplicated(actions in proptest::collection::vec(action(), 1..25)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run(actions));
    }
}
