//! The route passes the channel conformance kit, with downloads made over real HTTP.

use crate::common;

use std::sync::Arc;

use async_trait::async_trait;
use common::*;
use outbox_channel::testkit::{self, Fixture};
use outbox_channel::{Channel, OutgoingDelivery, Receipt};
use outbox_model::DeliveryId;

struct MailShareFixture(Harness);

#[async_trait]
impl Fixture for MailShareFixture {
    fn channel(&self) -> Arc<dyn Channel> {
        self.0.channel.clone()
    }

    fn ready_delivery(&self, id: DeliveryId) -> OutgoingDelivery {
        delivery(id.get(), 7)
    }

    async fn advance(&self, d: &OutgoingDelivery, _receipt: &Receipt) -> bool {
        let link = self.0.link_of(d.tenant, d.id).await;
        let r = self.0.http.get(format!("{link}/d/0")).send().await.unwrap();
        r.status().is_success()
    }
}

#[tokio::test]
async fn conformance() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = MailShareFixture(Harness::start_with(dir.path(), Some(10_000)).await);
    let report = testkit::run(&fixture).await;
    report.assert_passed();
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    for expected in [
        "reconcile_finds_sent_delivery",
        "reconcile_unknown_is_none",
        "resend_is_idempotent",
        "poll_reports_forward_progress",
        "over_size_limit_refused",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} did not run: {names:?}"
        );
    }
}
