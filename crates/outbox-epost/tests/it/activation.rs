//! Account activation (SMS code, password, secret), login with token caching and re-login,
//! and the health check, against the fake over HTTP.

use crate::common;

use std::time::Duration;

use outbox_channel::ErrorKind;
use outbox_epost::fake::{Endpoint, FakeConfig, FakeEpost, Health};
use outbox_epost::{Credentials, EpostClient, EpostError, Secret};

#[tokio::test]
async fn activation_with_sms_code_gives_a_secret_that_logs_in() {
    let fake = FakeEpost::start_with(FakeConfig::not_activated())
        .await
        .unwrap();
    let client = EpostClient::new(common::config(&fake)).unwrap();

    client
        .request_sms_code(&fake.vendor_id(), &fake.ekp())
        .await
        .expect("SMS code requested (202)");
    let code = fake.last_sms_code().expect("the fake sent a code");
    let password = Secret::new("neues-Passwort-1");
    let secret = client
        .set_password(&fake.vendor_id(), &fake.ekp(), &password, &code)
        .await
        .expect("password set");
    assert_eq!(Some(secret.expose().to_owned()), fake.secret());
    assert!(!secret.expose().contains('"'), "quotes are stripped");

    let creds = Credentials::new(fake.vendor_id(), fake.ekp(), secret, password);
    let token = client.login(&creds).await.expect("login works");
    assert!(!token.expose().is_empty());
    assert_eq!(format!("{token}"), "***");
}

#[tokio::test]
async fn a_wrong_sms_code_is_a_permanent_error_with_its_code() {
    let fake = FakeEpost::start_with(FakeConfig::not_activated())
        .await
        .unwrap();
    let client = EpostClient::new(common::config(&fake)).unwrap();
    client
        .request_sms_code(&fake.vendor_id(), &fake.ekp())
        .await
        .unwrap();
    let real = fake.last_sms_code().unwrap();
    let wrong = if real == "000000" { "111111" } else { "000000" };
    let err = client
        .set_password(
            &fake.vendor_id(),
            &fake.ekp(),
            &Secret::new("passwort"),
            wrong,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Permanent, "{err}");
    assert!(err.code().is_some(), "{err}");
}

#[tokio::test]
async fn activation_input_is_checked_before_sending() {
    let fake = common::fake().await;
    let client = EpostClient::new(common::config(&fake)).unwrap();
    let err = client.request_sms_code("V", "123").await.unwrap_err();
    assert!(matches!(err, EpostError::Credentials(_)), "{err}");
    assert!(err.to_string().contains("10 digits"), "{err}");
    let err = client
        .set_password("V", "5012345678", &Secret::new("1234"), "123456")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("5 to 100"), "{err}");
    let err = client
        .set_password("V", "5012345678", &Secret::new("12345"), "12")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("6 characters"), "{err}");
    assert_eq!(fake.request_count(Endpoint::SmsRequest), 0);
    assert_eq!(fake.request_count(Endpoint::SetPassword), 0);
}

#[tokio::test]
async fn too_many_sms_requests_are_rate_limited() {
    let fake = FakeEpost::start_with(FakeConfig::not_activated())
        .await
        .unwrap();
    let client = EpostClient::new(common::config(&fake)).unwrap();
    let mut last = Ok(());
    for _ in 0..8 {
        last = client
            .request_sms_code(&fake.vendor_id(), &fake.ekp())
            .await;
        if last.is_err() {
            break;
        }
    }
    let err = last.expect_err("the fake blocks after a few requests");
    assert_eq!(err.code(), Some("E003"), "{err}");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(err.retry_after().is_some());
}

#[tokio::test]
async fn login_token_is_cached_and_renewed_once_after_expiry() {
    let fake = common::fake().await;
    let account = common::account(&fake);
    for _ in 0..3 {
        assert!(account.find_by_custom1("1").await.unwrap().is_empty());
    }
    assert_eq!(
        fake.request_count(Endpoint::Login),
        1,
        "one login, token cached"
    );

    fake.expire_tokens();
    assert!(account.find_by_custom1("1").await.unwrap().is_empty());
    assert_eq!(
        fake.request_count(Endpoint::Login),
        2,
        "E101 led to exactly one re-login"
    );

    // Token lifetime on the fake clock: after it, the fake answers E101 and we log in again.
    fake.set_token_lifetime(Duration::from_secs(60));
    fake.expire_tokens();
    assert!(account.find_by_custom1("1").await.unwrap().is_empty());
    fake.advance(Duration::from_secs(120));
    assert!(account.find_by_custom1("1").await.unwrap().is_empty());
    assert_eq!(fake.request_count(Endpoint::Login), 4);
}

#[tokio::test]
async fn wrong_credentials_fail_permanently_without_a_retry_loop() {
    let fake = common::fake().await;
    let mut creds = common::credentials(&fake);
    creds.password = Secret::new("falsches-passwort");
    let account = EpostClient::new(common::config(&fake))
        .unwrap()
        .account(creds);
    let err = account.find_by_custom1("1").await.unwrap_err();
    assert_eq!(err.code(), Some("E001"), "{err}");
    assert_eq!(err.kind(), ErrorKind::Permanent);
    assert!(!err.to_string().contains("falsches-passwort"));
    assert_eq!(fake.request_count(Endpoint::Login), 1);
    assert!(
        err.message(outbox_model::Language::De)
            .contains("Ungültige Zugangsdaten"),
        "{}",
        err.message(outbox_model::Language::De)
    );
}

#[tokio::test]
async fn a_blocked_ekp_is_reported() {
    let fake = common::fake().await;
    fake.set_ekp_blocked(true);
    let err = common::account(&fake)
        .find_by_custom1("1")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("E004"), "{err}");
    assert_eq!(err.kind(), ErrorKind::Permanent);
}

#[tokio::test]
async fn a_token_rejected_twice_is_not_retried_for_ever() {
    let fake = common::fake().await;
    let account = common::account(&fake);
    fake.fail_next_on(Endpoint::Status, 5, outbox_epost::fake::Fault::Status(401));
    let err = account.find_by_custom1("1").await.unwrap_err();
    assert!(err.is_auth_failure(), "{err}");
    assert_eq!(fake.request_count(Endpoint::Status), 2, "one retry only");
    assert_eq!(fake.request_count(Endpoint::Login), 2);
}

#[tokio::test]
async fn health_check_reports_ok_maintenance_and_inactive() {
    let fake = common::fake().await;
    let client = EpostClient::new(common::config(&fake)).unwrap();
    let h = client.health_check().await.unwrap();
    assert!(h.is_up() && !h.maintenance_announced(), "{h:?}");
    assert_eq!(h.status.code, "I501");

    fake.set_health(Health::MaintenanceAnnounced("Sonntag 2-4 Uhr".into()));
    let h = client.health_check().await.unwrap();
    assert!(h.is_up() && h.maintenance_announced(), "{h:?}");

    fake.set_health(Health::Inactive);
    let h = client.health_check().await.unwrap();
    assert!(!h.is_up(), "{h:?}");
}

#[tokio::test]
async fn an_unreachable_host_is_transient() {
    // Bind a port and close it again: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = EpostClient::new(outbox_epost::ClientConfig::with_base_url(format!(
        "http://127.0.0.1:{port}"
    )))
    .unwrap();
    let err = client.health_check().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient, "{err}");
    assert!(EpostClient::new(outbox_epost::ClientConfig::with_base_url("ftp://x")).is_err());
}
