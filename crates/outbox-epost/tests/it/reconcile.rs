//! Unknown outcomes: a dropped connection or a timeout after the letter was written is
//! ambiguous, and reconcile finds the letter by `custom1` so it is not sent again; failures
//! before sending are transient; duplicates are recognised.

use crate::common;

use std::time::Duration;

use outbox_channel::{Channel, ErrorKind};
use outbox_epost::fake::{Endpoint, Fault};
use outbox_epost::{ClientConfig, EpostChannel, EpostClient};
use outbox_model::{DeliveryId, DeliveryStatus, TenantId};

#[tokio::test]
async fn dropped_response_is_ambiguous_and_reconcile_finds_the_letter() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let d = common::delivery(701);
    // Log in first so the fault hits the upload itself.
    assert_eq!(ch.reconcile(d.tenant, d.id).await.unwrap(), None);

    fake.fail_next_on(Endpoint::SubmitLetters, 1, Fault::DropConnection);
    let err = ch.send(&d).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Ambiguous, "{err}");
    assert!(err.is_ambiguous() && !err.is_retryable());
    assert_eq!(fake.count_by_custom1("701"), 1, "the fake did store it");

    let receipt = ch
        .reconcile(d.tenant, d.id)
        .await
        .unwrap()
        .expect("found by custom1");
    let stored = &fake.letters()[0];
    assert_eq!(receipt.provider_reference, stored.letter_id.to_string());
    assert_eq!(receipt.status, DeliveryStatus::InProgress);
    assert_eq!(
        fake.count_by_custom1("701"),
        1,
        "reconciled, not sent again"
    );
}

#[tokio::test]
async fn a_timeout_after_sending_is_ambiguous() {
    let fake = common::fake().await;
    let mut cfg = common::config(&fake);
    cfg.upload_timeout = Duration::from_millis(500);
    let ch = EpostChannel::new(common::account_with(&fake, cfg), common::TENANT);
    let d = common::delivery(702);
    fake.fail_next_on(
        Endpoint::SubmitLetters,
        1,
        Fault::Slow(Duration::from_secs(2)),
    );
    let err = ch.send(&d).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Ambiguous, "{err}");
    // The provider received the letter before the client gave up: reconcile finds it.
    let found = ch.reconcile(d.tenant, d.id).await.unwrap();
    let stored = fake
        .letters()
        .into_iter()
        .find(|l| l.fields.custom1.as_deref() == Some("702"));
    assert_eq!(
        found.map(|r| r.provider_reference),
        stored.map(|l| l.letter_id.to_string()),
        "reconcile reports exactly the stored letter"
    );
    assert_eq!(fake.count_by_custom1("702"), 1);
}

#[tokio::test]
async fn server_errors_are_transient_and_nothing_is_stored() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let d = common::delivery(703);
    fake.fail_next_on(Endpoint::SubmitLetters, 1, Fault::Status(503));
    let err = ch.send(&d).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient, "{err}");
    assert!(err.is_retryable());
    assert_eq!(fake.count_by_custom1("703"), 0);
    assert_eq!(ch.reconcile(d.tenant, d.id).await.unwrap(), None);
    // The retry goes through.
    ch.send(&d).await.expect("second attempt works");
    assert_eq!(fake.count_by_custom1("703"), 1);
}

#[tokio::test]
async fn a_refused_connection_is_transient_not_ambiguous() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let fake = common::fake().await;
    let client = EpostClient::new(ClientConfig::with_base_url(format!(
        "http://127.0.0.1:{port}"
    )))
    .unwrap();
    let ch = EpostChannel::new(client.account(common::credentials(&fake)), common::TENANT);
    let err = ch.send(&common::delivery(704)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient, "{err}");
}

#[tokio::test]
async fn provider_validation_errors_are_permanent_with_their_code() {
    let fake = common::fake().await;
    fake.set_released_for_live(false);
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let err = ch.send(&common::delivery(705)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Permanent, "{err}");
    assert_eq!(err.code(), Some("E319"));
    assert!(
        err.message().contains("Echtversand"),
        "German: {}",
        err.message()
    );
}

#[tokio::test]
async fn resending_the_same_delivery_is_caught_as_duplicate_and_returns_the_first_letter() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let d = common::delivery(706);
    let first = ch.send(&d).await.unwrap();
    // A blind resend of the same delivery (the engine should reconcile instead).
    let mut again = d.clone();
    again.attempt = 2;
    // The letter PDF is reproducible, so the provider's duplicate failsafe answers E324 and
    // the channel looks the first letter up instead of failing.
    let second = ch.send(&again).await.expect("duplicate resolved");
    assert_eq!(second.provider_reference, first.provider_reference);
    assert_eq!(fake.count_by_custom1("706"), 1, "not sent twice");
    assert!(second.note.unwrap().contains("found by delivery id"));
}

#[tokio::test]
async fn reconcile_prefers_a_live_letter_and_refuses_other_tenants() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let err = ch.reconcile(TenantId(99), DeliveryId(1)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Permanent);
    assert_eq!(err.code(), Some("wrong_tenant"));
    let mut other = common::delivery(707);
    other.tenant = TenantId(99);
    assert_eq!(
        ch.send(&other).await.unwrap_err().code(),
        Some("wrong_tenant")
    );
}
