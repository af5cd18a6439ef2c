//! `PortalChannel` against the reference portal over real HTTP: the conformance kit, download
//! proof, idempotent sends, reconcile and cursor persistence.

use crate::common;

use std::sync::Arc;

use async_trait::async_trait;
use common::*;
use outbox_channel::testkit::{self, Fixture};
use outbox_channel::{Channel, OutgoingDelivery, PollRequest, Receipt};
use outbox_model::{DeliveryId, DeliveryStatus, DocumentId, ReadinessProblem, TenantId};
use outbox_portal::PortalChannel;
use reqwest::StatusCode;

struct PortalFixture {
    portal: Portal,
    channel: Arc<PortalChannel>,
}

#[async_trait]
impl Fixture for PortalFixture {
    fn channel(&self) -> Arc<dyn Channel> {
        self.channel.clone()
    }

    fn ready_delivery(&self, id: DeliveryId) -> OutgoingDelivery {
        delivery(
            id.0,
            "anna",
            vec![document(1, "Einladung", "Versammlungen")],
        )
    }

    /// The recipient logs in on the web page and downloads every document of the delivery.
    async fn advance(&self, d: &OutgoingDelivery, _: &Receipt) -> bool {
        let mut anna = Browser::logged_in(&self.portal, "anna", ANNA_PW).await;
        for doc in &d.documents {
            let page = anna.get(&format!("/documents/{}/{}", d.id, doc.id)).await;
            assert_eq!(page.status, StatusCode::OK);
        }
        true
    }
}

#[tokio::test]
async fn passes_the_channel_conformance_kit() {
    let portal = Portal::start().await;
    let channel = Arc::new(portal.channel());
    let fixture = PortalFixture { portal, channel };
    let report = testkit::run(&fixture).await;
    report.assert_passed();
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    for expected in [
        "reconcile_finds_sent_delivery",
        "reconcile_unknown_is_none",
        "resend_is_idempotent",
        "poll_reports_forward_progress",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} did not run: {names:?}"
        );
    }
}

fn request(id: u64, status: DeliveryStatus) -> PollRequest {
    PollRequest {
        tenant: TenantId(1),
        delivery: DeliveryId(id),
        provider_reference: outbox_portal::provider_reference(DeliveryId(id)),
        status,
    }
}

#[tokio::test]
async fn concurrent_downloads_are_all_recorded_and_the_first_sets_downloaded_once() {
    let portal = Portal::start().await;
    let channel = portal.channel();
    let receipt = channel
        .send(&delivery(
            20,
            "anna",
            vec![document(1, "Protokoll", "Protokolle")],
        ))
        .await
        .unwrap();
    assert_eq!(receipt.status, DeliveryStatus::Sent);

    // Nothing downloaded yet: no news.
    assert!(
        channel
            .poll(&[request(20, DeliveryStatus::Sent)])
            .await
            .unwrap()
            .is_empty()
    );

    let anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    let cookie = anna.cookie.clone().unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (http, url, cookie) = (
                anna.http.clone(),
                portal.url("/documents/20/1"),
                cookie.clone(),
            );
            tokio::spawn(async move {
                http.get(url)
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }

    // Simulate the engine: apply every update to the delivery's status.
    let mut status = DeliveryStatus::Sent;
    let mut downloaded_transitions = 0;
    let mut events = Vec::new();
    for _ in 0..3 {
        for u in channel.poll(&[request(20, status.clone())]).await.unwrap() {
            assert!(
                u.status == status || status.can_transition(&u.status),
                "{status} -> {}",
                u.status
            );
            if u.status != status {
                assert_eq!(u.status, DeliveryStatus::Downloaded);
                downloaded_transitions += 1;
                status = u.status.clone();
            }
            events.extend(u.downloads);
        }
    }
    assert_eq!(downloaded_transitions, 1);
    assert_eq!(
        events.len(),
        16,
        "every concurrent download recorded and reported once"
    );
    assert!(
        events
            .iter()
            .all(|e| e.by == "anna" && e.document == Some(DocumentId(1)))
    );

    // A later download is reported without asking for another transition.
    let mut again = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    assert_eq!(again.get("/documents/20/1").await.status, StatusCode::OK);
    let updates = channel
        .poll(&[request(20, DeliveryStatus::Downloaded)])
        .await
        .unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].status, DeliveryStatus::Downloaded);
    assert_eq!(updates[0].downloads.len(), 1);
    assert_eq!(channel.download_cursor(), 17);
}

#[tokio::test]
async fn downloads_of_unpolled_deliveries_wait_and_the_cursor_survives_a_restart() {
    let portal = Portal::start().await;
    let channel = portal.channel();
    for id in [30, 31] {
        channel
            .send(&delivery(
                id,
                "anna",
                vec![document(1, &format!("Dok {id}"), "Allgemein")],
            ))
            .await
            .unwrap();
    }
    let mut anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    anna.get("/documents/31/1").await;
    anna.get("/documents/30/1").await;

    // Polling only 30 keeps 31's download for later and does not let the cursor pass it.
    let updates = channel
        .poll(&[request(30, DeliveryStatus::Sent)])
        .await
        .unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(channel.pending_downloads(), 1);
    assert_eq!(channel.download_cursor(), 0);

    // A restart with the persisted cursor reports 31's download (30's again: at-least-once).
    let restarted = portal.channel();
    restarted.set_download_cursor(channel.download_cursor());
    let updates = restarted
        .poll(&[
            request(30, DeliveryStatus::Downloaded),
            request(31, DeliveryStatus::Sent),
        ])
        .await
        .unwrap();
    let for_31: Vec<_> = updates
        .iter()
        .filter(|u| u.delivery == DeliveryId(31))
        .collect();
    assert_eq!(for_31.len(), 1);
    assert_eq!(for_31[0].status, DeliveryStatus::Downloaded);
    let for_30: Vec<_> = updates
        .iter()
        .filter(|u| u.delivery == DeliveryId(30))
        .collect();
    assert_eq!(
        for_30[0].status,
        DeliveryStatus::Downloaded,
        "no second transition"
    );
    assert_eq!(restarted.download_cursor(), 2);

    // The original channel hands 31's download out when asked.
    let updates = channel
        .poll(&[request(31, DeliveryStatus::Sent)])
        .await
        .unwrap();
    assert_eq!(updates[0].downloads.len(), 1);
    assert_eq!(
        (channel.pending_downloads(), channel.download_cursor()),
        (0, 2)
    );
}

#[tokio::test]
async fn send_is_idempotent_and_reconcile_needs_a_complete_delivery() {
    let portal = Portal::start().await;
    let channel = portal.channel();
    let docs = vec![
        document(1, "Teil 1", "Abrechnungen"),
        document(2, "Teil 2", "Abrechnungen"),
    ];
    let full = delivery(40, "anna", docs.clone());

    // A crash after the first of two uploads: the portal holds an incomplete delivery.
    let partial = delivery(40, "anna", docs[..1].to_vec());
    let meta = outbox_portal::protocol::UploadMetadata {
        account: "anna".into(),
        title: "Teil 1".into(),
        category: "Abrechnungen".into(),
        file_name: "dokument-1.pdf".into(),
        document_count: 2,
    };
    portal
        .client()
        .upload(
            partial.id,
            DocumentId(1),
            &meta,
            &partial.documents[0].bytes,
        )
        .await
        .unwrap();
    assert_eq!(
        channel
            .reconcile(TenantId(1), DeliveryId(40))
            .await
            .unwrap(),
        None
    );

    let r1 = channel.send(&full).await.unwrap();
    assert!(
        r1.note.as_deref().unwrap().contains("uploaded 1 of 2"),
        "{:?}",
        r1.note
    );
    let r2 = channel.send(&full).await.unwrap();
    assert_eq!(r1.provider_reference, r2.provider_reference);
    assert_eq!(r1.at, r2.at);
    assert!(
        r2.note
            .as_deref()
            .unwrap()
            .contains("already on the portal")
    );
    let found = channel
        .reconcile(TenantId(1), DeliveryId(40))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.provider_reference, r1.provider_reference);
    assert_eq!(
        portal
            .client()
            .delivery(DeliveryId(40))
            .await
            .unwrap()
            .unwrap()
            .documents
            .len(),
        2
    );
}

#[tokio::test]
async fn check_reports_what_blocks_a_portal_delivery() {
    let portal = Portal::start().await;
    let channel = portal.channel();
    let ok = delivery(50, "anna", vec![document(1, "A", "Allgemein")]);
    assert!(channel.check(&ok).await.is_empty());

    let mut no_account = ok.clone();
    no_account.recipient.portal_account = Some("  ".into());
    assert_eq!(
        channel.check(&no_account).await,
        vec![ReadinessProblem::NoPortalAccount]
    );
    let err = channel.send(&no_account).await.unwrap_err();
    assert_eq!(err.code(), Some("no_portal_account"));

    let bad_category = delivery(51, "anna", vec![document(1, "A", "")]);
    let problems = channel.check(&bad_category).await;
    assert!(
        matches!(&problems[..], [ReadinessProblem::InvalidSettings { problems }] if problems[0].message_en.contains("category"))
    );

    let mut big = delivery(52, "anna", vec![document(1, "A", "Allgemein")]);
    big.documents[0].bytes = vec![b'x'; 1024 * 1024 + 1].into();
    assert_eq!(channel.check(&big).await.len(), 1);

    let unknown = delivery(53, "carol", vec![document(1, "A", "Allgemein")]);
    let err = channel.send(&unknown).await.unwrap_err();
    assert_eq!(err.kind(), outbox_channel::ErrorKind::Permanent);
    assert_eq!(err.code(), Some("unknown_account"));
}

#[tokio::test]
async fn a_tenant_bound_channel_refuses_other_tenants() {
    let portal = Portal::start().await;
    let channel = portal.channel().for_tenant(TenantId(1));
    let mut other = delivery(70, "anna", vec![document(1, "Fremd", "Allgemein")]);
    other.tenant = TenantId(2);
    assert_eq!(
        channel.check(&other).await,
        vec![ReadinessProblem::RouteUnavailable {
            route: outbox_model::Route::PortalShare
        }]
    );
    assert_eq!(
        channel.send(&other).await.unwrap_err().code(),
        Some("tenant_mismatch")
    );
    assert!(
        channel
            .reconcile(TenantId(2), DeliveryId(70))
            .await
            .is_err()
    );
    assert!(
        portal
            .client()
            .delivery(DeliveryId(70))
            .await
            .unwrap()
            .is_none(),
        "nothing uploaded"
    );

    // Its own tenant works, and other tenants' poll requests get no answers.
    let own = delivery(71, "anna", vec![document(1, "Eigen", "Allgemein")]);
    channel.send(&own).await.unwrap();
    let mut anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    anna.get("/documents/71/1").await;
    let mut foreign_request = request(71, DeliveryStatus::Sent);
    foreign_request.tenant = TenantId(2);
    assert!(channel.poll(&[foreign_request]).await.unwrap().is_empty());
    assert_eq!(
        channel
            .poll(&[request(71, DeliveryStatus::Sent)])
            .await
            .unwrap()
            .len(),
        1
    );
}
