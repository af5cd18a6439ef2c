//! The conformance kit passes a well-behaved in-memory channel and catches broken ones.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::Utc;
use outbox_channel::testkit::{self, Fixture};
use outbox_channel::*;
use outbox_model::*;

/// An in-memory portal-like channel: idempotent by delivery id, downloads advance status.
#[derive(Default)]
struct Memory {
    sent: Mutex<HashMap<DeliveryId, Receipt>>,
    downloaded: Mutex<Vec<DeliveryId>>,
    /// Faults to prove the kit can fail.
    forget_on_reconcile: bool,
    ignore_limits: bool,
    go_backwards: bool,
}

#[async_trait]
impl Channel for Memory {
    fn route(&self) -> Route {
        Route::PortalShare
    }
    fn capabilities(&self) -> Capabilities {
        let mut c = Capabilities::new(Route::PortalShare);
        c.max_bytes = Some(10_000);
        c.max_documents = Some(3);
        c.tracking = true;
        c.reconcile = true;
        c.idempotent_send = true;
        c
    }
    async fn check(&self, d: &OutgoingDelivery) -> Vec<ReadinessProblem> {
        let mut p = check_recipient(
            Route::PortalShare,
            Some(&d.recipient),
            &EpostSettings::default(),
            true,
        );
        if !self.ignore_limits && (d.total_bytes() > 10_000 || d.documents.len() > 3) {
            p.push(ReadinessProblem::OverLimit {
                what: "too big".into(),
            });
        }
        p
    }
    async fn send(&self, d: &OutgoingDelivery) -> Result<Receipt, ChannelError> {
        let mut sent = self.sent.lock().unwrap();
        let r = sent.entry(d.id).or_insert_with(|| Receipt {
            provider_reference: format!("mem-{}", d.id),
            status: DeliveryStatus::Sent,
            at: Utc::now(),
            note: None,
        });
        Ok(r.clone())
    }
    async fn poll(&self, reqs: &[PollRequest]) -> Result<Vec<StatusUpdate>, ChannelError> {
        let downloaded = self.downloaded.lock().unwrap();
        Ok(reqs
            .iter()
            .filter(|r| downloaded.contains(&r.delivery))
            .map(|r| StatusUpdate {
                delivery: r.delivery,
                status: if self.go_backwards {
                    DeliveryStatus::Queued
                } else {
                    DeliveryStatus::Downloaded
                },
                at: Utc::now(),
                downloads: vec![DownloadEvent {
                    document: None,
                    at: Utc::now(),
                    by: "owner".into(),
                }],
                tracking: None,
                note: None,
            })
            .collect())
    }
    async fn reconcile(
        &self,
        _: TenantId,
        id: DeliveryId,
    ) -> Result<Option<Receipt>, ChannelError> {
        if self.forget_on_reconcile {
            return Ok(None);
        }
        Ok(self.sent.lock().unwrap().get(&id).cloned())
    }
}

struct MemFixture(Arc<Memory>);

#[async_trait]
impl Fixture for MemFixture {
    fn channel(&self) -> Arc<dyn Channel> {
        self.0.clone()
    }
    fn ready_delivery(&self, id: DeliveryId) -> OutgoingDelivery {
        let mut recipient = Contact::new(ContactId(1), TenantId(1), "Anna Schäfer");
        recipient.portal_account = Some("anna".into());
        OutgoingDelivery {
            id,
            tenant: TenantId(1),
            route: Route::PortalShare,
            attempt: 1,
            recipient,
            sender: Sender::default(),
            documents: vec![OutgoingDocument {
                id: DocumentId(1),
                title: "Protokoll".into(),
                file_name: "protokoll.pdf".into(),
                page_count: 1,
                bytes: Arc::from(&b"%PDF-1.7 tiny"[..]),
                settings: SendSettings::default(),
            }],
        }
    }
    async fn advance(&self, d: &OutgoingDelivery, _: &Receipt) -> bool {
        self.0.downloaded.lock().unwrap().push(d.id);
        true
    }
}

#[tokio::test]
async fn well_behaved_channel_passes() {
    let report = testkit::run(&MemFixture(Arc::default())).await;
    report.assert_passed();
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    for expected in [
        "ready_delivery_passes_check",
        "unready_delivery_fails_check",
        "send_gives_receipt",
        "reconcile_finds_sent_delivery",
        "reconcile_unknown_is_none",
        "resend_is_idempotent",
        "poll_reports_forward_progress",
        "over_size_limit_refused",
        "over_document_limit_refused",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} did not run: {names:?}"
        );
    }
}

async fn failed_checks(m: Memory) -> Vec<&'static str> {
    let report = testkit::run(&MemFixture(Arc::new(m))).await;
    report.failures().iter().map(|c| c.name).collect()
}

#[tokio::test]
async fn broken_channels_are_caught() {
    assert_eq!(
        failed_checks(Memory {
            forget_on_reconcile: true,
            ..Default::default()
        })
        .await,
        ["reconcile_finds_sent_delivery"]
    );
    assert_eq!(
        failed_checks(Memory {
            ignore_limits: true,
            ..Default::default()
        })
        .await,
        ["over_size_limit_refused", "over_document_limit_refused"]
    );
    assert_eq!(
        failed_checks(Memory {
            go_backwards: true,
            ..Default::default()
        })
        .await,
        ["poll_reports_forward_progress"]
    );
    let panic = std::panic::catch_unwind(|| {
        testkit::Report {
            checks: vec![testkit::CheckResult {
                name: "x",
                outcome: Err("boom".into()),
            }],
        }
        .assert_passed()
    });
    assert!(panic.is_err());
}

#[test]
fn errors_are_classified() {
    let e = ChannelError::permanent("E302", "franking zone not empty")
        .with_source(std::io::Error::other("provider said no"));
    assert_eq!(e.kind(), ErrorKind::Permanent);
    assert!(!e.is_retryable());
    assert_eq!(e.reason(), "E302: franking zone not empty");
    assert!(std::error::Error::source(&e).is_some());
    let r = ChannelError::rate_limited(std::time::Duration::from_secs(5), "E322");
    assert!(r.is_retryable());
    assert_eq!(r.retry_after(), Some(std::time::Duration::from_secs(5)));
    assert!(r.to_string().contains("retry after 5"));
    assert!(ChannelError::ambiguous("dropped after DATA").is_ambiguous());
}

#[test]
fn sender_return_line() {
    let s = Sender {
        name: "HV Sonnenschein GmbH".into(),
        address: Some(PostalAddress::domestic(
            ["HV Sonnenschein GmbH", "Domplatz 1"],
            "50667",
            "Köln",
        )),
        reply_to: None,
    };
    assert_eq!(
        s.return_line(),
        "HV Sonnenschein GmbH · Domplatz 1 · 50667 Köln"
    );
}
