//! The status-call limit: one call per 5 s per account, backing off on E322/429.

use crate::common;

use std::time::Duration;

use outbox_channel::{Channel, ErrorKind, PollRequest};
use outbox_epost::fake::{Endpoint, FakeConfig, FakeEpost, Fault};
use outbox_epost::{ClientConfig, EpostChannel, EpostClient, EpostError};
use outbox_model::DeliveryStatus;

#[tokio::test]
async fn an_e322_answer_backs_off_and_the_engine_can_see_it() {
    let fake = common::fake().await;
    fake.set_rate_limits(true);
    let mut cfg = common::config(&fake);
    cfg.status_max_wait = Duration::ZERO;
    let account = common::account_with(&fake, cfg);

    account.find_by_custom1("1").await.unwrap();
    // The fake's clock is frozen: the second call is too early.
    let err = account.find_by_custom1("1").await.unwrap_err();
    assert_eq!(err.code(), Some("E322"), "{err}");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(err.retry_after().unwrap() >= Duration::from_secs(5));
    let wait = account.status_limiter().ready_in().await;
    assert!(wait > Duration::from_secs(4), "{wait:?}");

    // While backing off, calls are refused locally, without bothering the provider.
    let before = fake.request_count(Endpoint::Status);
    let err = account.find_by_custom1("1").await.unwrap_err();
    assert!(matches!(err, EpostError::RateLimited { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(fake.request_count(Endpoint::Status), before);
}

#[tokio::test]
async fn a_scripted_429_reaches_the_engine_as_rate_limited_with_retry_after() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let d = common::delivery(601);
    let r = ch.send(&d).await.unwrap();
    fake.fail_next_on(Endpoint::Status, 1, Fault::RateLimit);
    let req = PollRequest {
        tenant: d.tenant,
        delivery: d.id,
        provider_reference: r.provider_reference,
        status: DeliveryStatus::InProgress,
    };
    let err = ch.poll(std::slice::from_ref(&req)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert_eq!(err.code(), Some("E322"));
    assert!(err.retry_after().is_some());
    assert!(ch.status_limiter().ready_in().await > Duration::ZERO);
}

#[tokio::test]
async fn the_default_spacing_keeps_a_real_account_within_its_limit() {
    // Running clock and the provider's 5 s rule on the fake; the client's default spacing.
    let fake = FakeEpost::start_with(FakeConfig::default()).await.unwrap();
    let client = EpostClient::new(ClientConfig::with_base_url(fake.base_url())).unwrap();
    let account = client.account(common::credentials(&fake));
    for _ in 0..3 {
        account
            .find_by_custom1("1")
            .await
            .expect("no E322: calls are spaced");
    }
    assert_eq!(fake.request_count(Endpoint::Status), 3);
}

#[tokio::test]
async fn an_empty_poll_makes_no_call() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    assert!(ch.poll(&[]).await.unwrap().is_empty());
    assert_eq!(fake.request_count(Endpoint::Status), 0);
    assert_eq!(fake.request_count(Endpoint::Login), 0);
}
