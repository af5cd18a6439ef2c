//! The channel conformance kit, over SMTP (real server on 127.0.0.1) and with the file
//! transport; plus the file transport's own guarantees.

use crate::common;

use std::sync::Arc;

use async_trait::async_trait;
use common::*;
use mail_parser::{MessageParser, MimeHeaders};
use outbox_channel::testkit::{self, Fixture};
use outbox_channel::{Channel, OutgoingDelivery};
use outbox_email::*;
use outbox_model::*;

struct EmailFixture {
    channel: Arc<EmailChannel>,
}

#[async_trait]
impl Fixture for EmailFixture {
    fn channel(&self) -> Arc<dyn Channel> {
        self.channel.clone()
    }

    fn ready_delivery(&self, id: DeliveryId) -> OutgoingDelivery {
        delivery(
            id.get(),
            vec![document(
                1,
                "Protokoll der Versammlung",
                "Protokoll Gäste.pdf",
                tricky_pdf(200),
            )],
        )
    }
}

#[tokio::test]
async fn conformance_over_smtp() {
    let sink = Sink::start(SinkConfig::default());
    let channel = Arc::new(EmailChannel::new(mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    )));
    let report = testkit::run(&EmailFixture { channel }).await;
    report.assert_passed();
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    for expected in [
        "send_gives_receipt",
        "distinct_deliveries_get_distinct_references",
        "over_size_limit_refused",
        "over_document_limit_refused",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} did not run: {names:?}"
        );
    }
    // Only the two ready deliveries were sent; the over-limit ones never reached the server.
    assert_eq!(sink.received().len(), 2);
}

#[tokio::test]
async fn conformance_with_file_transport() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = MailAccounts::try_from_accounts([account(
        "127.0.0.1:25".parse().unwrap(),
        Security::LOCAL_PLAINTEXT,
    )])
    .unwrap();
    let channel = Arc::new(EmailChannel::new(Arc::new(Mailer::files(
        accounts,
        dir.path(),
    ))));
    assert!(channel.capabilities().reconcile && channel.capabilities().idempotent_send);
    let report = testkit::run(&EmailFixture {
        channel: channel.clone(),
    })
    .await;
    report.assert_passed();
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    for expected in [
        "reconcile_finds_sent_delivery",
        "reconcile_unknown_is_none",
        "resend_is_idempotent",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} did not run: {names:?}"
        );
    }

    // One .eml per delivery, named after the Message-ID seed, complete and parseable.
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["outbox-t1-d9000001.eml", "outbox-t1-d9000003.eml"]);
    let raw = std::fs::read(dir.path().join(&files[0])).unwrap();
    let m = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        m.message_id(),
        Some("outbox-t1-d9000001@hv-sonnenschein.de")
    );
    let att = m.attachments().next().unwrap();
    assert_eq!(att.attachment_name(), Some("Protokoll Gäste.pdf"));
    assert_eq!(att.contents(), tricky_pdf(200).as_slice());
}
