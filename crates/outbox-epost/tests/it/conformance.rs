//! The channel conformance kit against the fake E-POST server, over real HTTP, with the fake's
//! rate limits on and the client's default status spacing.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use outbox_channel::testkit::{Fixture, run};
use outbox_channel::{Channel, OutgoingDelivery, Receipt};
use outbox_epost::fake::{FakeConfig, FakeEpost};
use outbox_epost::{ClientConfig, EpostChannel, EpostClient};
use outbox_model::DeliveryId;

struct EpostFixture {
    fake: FakeEpost,
    channel: Arc<EpostChannel>,
}

#[async_trait]
impl Fixture for EpostFixture {
    fn channel(&self) -> Arc<dyn Channel> {
        self.channel.clone()
    }

    fn ready_delivery(&self, id: DeliveryId) -> OutgoingDelivery {
        common::delivery(id.0)
    }

    async fn advance(&self, _delivery: &OutgoingDelivery, _receipt: &Receipt) -> bool {
        // Past processing, print upload and print feedback: the letter is posted.
        self.fake.advance(Duration::from_secs(48 * 3600));
        true
    }
}

#[tokio::test]
async fn epost_channel_passes_the_conformance_kit() {
    // Running clock, rate limits on: the real provider's behaviour.
    let fake = FakeEpost::start_with(FakeConfig::default())
        .await
        .expect("fake starts");
    let client = EpostClient::new(ClientConfig::with_base_url(fake.base_url())).expect("client");
    let channel = Arc::new(EpostChannel::new(
        client.account(common::credentials(&fake)),
        common::TENANT,
    ));
    let fixture = EpostFixture { fake, channel };
    let report = tokio::time::timeout(Duration::from_secs(120), run(&fixture))
        .await
        .expect("the kit finishes within 2 minutes");
    for c in &report.checks {
        println!("{}: {:?}", c.name, c.outcome);
    }
    report.assert_passed();
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.name == "reconcile_finds_sent_delivery")
    );
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.name == "poll_reports_forward_progress")
    );
}
