//! Fake server: activation, login, tokens and the health check.

use crate::fake_support;

use std::time::Duration;

use fake_support::{assert_error, client, login};
use outbox_epost::fake::{FakeConfig, FakeEpost, Health};
use serde_json::{Value, json};

async fn post(fake: &FakeEpost, path: &str, body: Value) -> reqwest::Response {
    client()
        .post(format!("{}{}", fake.base_url(), path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn login_body(fake: &FakeEpost, secret: &str, password: &str) -> Value {
    json!({"vendorID": fake.vendor_id(), "ekp": fake.ekp(), "secret": secret, "password": password})
}

#[tokio::test]
async fn activation_with_sms_code_yields_a_quoted_secret_that_logs_in() {
    let mut config = FakeConfig::not_activated();
    config.clock = outbox_epost::fake::ClockMode::Frozen;
    let fake = FakeEpost::start_with(config).await.unwrap();
    assert_eq!(fake.secret(), None);
    let ids = json!({"vendorID": fake.vendor_id(), "ekp": fake.ekp()});

    let r = post(&fake, "/api/Login/smsRequest", ids.clone()).await;
    assert_eq!(r.status(), 202);
    assert!(r.json::<Value>().await.unwrap().is_string());
    let code = fake.last_sms_code().expect("an SMS code was sent");
    assert_eq!(code.len(), 6);

    // The code is also served over HTTP for non-Rust integrations.
    let served: Value = client()
        .get(format!("{}/__fake/sms-code", fake.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served["smsCode"], code.as_str());

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut body = ids.clone();
    body["newPassword"] = json!("geheim123");
    body["smsCode"] = json!(wrong);
    assert_error(
        post(&fake, "/api/Login/setPassword", body.clone()).await,
        400,
        "E001",
    )
    .await;

    body["smsCode"] = json!(code);
    let r = post(&fake, "/api/Login/setPassword", body.clone()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let raw = r.text().await.unwrap();
    assert!(raw.starts_with('"') && raw.ends_with('"'), "quoted: {raw}");
    let secret = raw.trim_matches('"').to_owned();
    assert_eq!(secret.len(), 36, "a UUID: {secret}");
    assert_eq!(fake.secret().as_deref(), Some(secret.as_str()));
    assert_eq!(fake.last_sms_code(), None, "the code is used up");

    let r = post(&fake, "/api/Login", login_body(&fake, &secret, "geheim123")).await;
    assert_eq!(r.status(), 200);
    let token: Value = r.json().await.unwrap();
    assert!(
        token["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
}

#[tokio::test]
async fn sms_code_expires_after_ten_minutes() {
    let fake = FakeEpost::start_with(FakeConfig::deterministic())
        .await
        .unwrap();
    let ids = json!({"vendorID": fake.vendor_id(), "ekp": fake.ekp()});
    assert_eq!(
        post(&fake, "/api/Login/smsRequest", ids.clone())
            .await
            .status(),
        202
    );
    fake.advance(Duration::from_secs(11 * 60));
    let mut body = ids;
    body["newPassword"] = json!("geheim123");
    body["smsCode"] = json!(fake.last_sms_code().unwrap());
    assert_error(
        post(&fake, "/api/Login/setPassword", body).await,
        400,
        "E001",
    )
    .await;
}

#[tokio::test]
async fn sms_request_errors() {
    let fake = FakeEpost::start_with(FakeConfig::deterministic())
        .await
        .unwrap();
    let wrong = json!({"vendorID": fake.vendor_id(), "ekp": "5099999999"});
    assert_error(
        post(&fake, "/api/Login/smsRequest", wrong).await,
        401,
        "E001",
    )
    .await;

    let ids = json!({"vendorID": fake.vendor_id(), "ekp": fake.ekp()});
    for _ in 0..5 {
        assert_eq!(
            post(&fake, "/api/Login/smsRequest", ids.clone())
                .await
                .status(),
            202
        );
    }
    assert_error(
        post(&fake, "/api/Login/smsRequest", ids.clone()).await,
        429,
        "E003",
    )
    .await;
    fake.advance(Duration::from_secs(10 * 60));
    assert_error(
        post(&fake, "/api/Login/smsRequest", ids.clone()).await,
        429,
        "E003",
    )
    .await;
    fake.advance(Duration::from_secs(6 * 60));
    assert_eq!(
        post(&fake, "/api/Login/smsRequest", ids).await.status(),
        202
    );
}

#[tokio::test]
async fn login_errors() {
    let fake = FakeEpost::start_with(FakeConfig::deterministic())
        .await
        .unwrap();
    let secret = fake.secret().unwrap();
    let password = fake.password().unwrap();

    let r = post(
        &fake,
        "/api/Login",
        login_body(&fake, &secret, "wrong-password"),
    )
    .await;
    assert_error(r, 401, "E001").await;
    let mut body = login_body(&fake, &secret, &password);
    body["vendorID"] = json!("OTHERVENDOR");
    assert_error(post(&fake, "/api/Login", body).await, 401, "E001").await;
    let mut body = login_body(&fake, &secret, &password);
    body["vendorSubID"] = json!("x".repeat(101));
    assert_error(post(&fake, "/api/Login", body).await, 401, "E002").await;

    fake.set_ekp_blocked(true);
    let r = post(&fake, "/api/Login", login_body(&fake, &secret, &password)).await;
    assert_error(r, 401, "E004").await;
    fake.set_ekp_blocked(false);
    let r = post(&fake, "/api/Login", login_body(&fake, &secret, &password)).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn tokens_expire_by_token_duration_and_by_the_configured_lifetime() {
    let fake = FakeEpost::start_with(FakeConfig::deterministic())
        .await
        .unwrap();
    let mut body = login_body(&fake, &fake.secret().unwrap(), &fake.password().unwrap());
    body["tokenDuration"] = json!(60);
    let token: Value = post(&fake, "/api/Login", body).await.json().await.unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let open = |token: String| {
        let url = format!("{}/api/Letter/Open", fake.base_url());
        async move { client().get(url).bearer_auth(token).send().await.unwrap() }
    };
    // Valid: no letters yet, so the status endpoint answers 404 E201 (not 401).
    assert_error(open(token.clone()).await, 404, "E201").await;
    fake.advance(Duration::from_secs(61 * 60));
    assert_error(open(token).await, 401, "E101").await;

    fake.set_token_lifetime(Duration::from_secs(10 * 60));
    let api = login(&fake).await;
    fake.advance(Duration::from_secs(11 * 60));
    assert_error(api.get("/api/Letter/Open").await, 401, "E101").await;

    let api = login(&fake).await;
    fake.expire_tokens();
    assert_error(api.get("/api/Letter/Open").await, 401, "E101").await;
}

#[tokio::test]
async fn letter_calls_without_token_get_401_e101() {
    let fake = FakeEpost::start_with(FakeConfig::deterministic())
        .await
        .unwrap();
    let r = client()
        .post(format!("{}/api/Letter", fake.base_url()))
        .json(&json!([]))
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "E101").await;
    let r = client()
        .get(format!("{}/api/Letter/1", fake.base_url()))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "E101").await;
}

#[tokio::test]
async fn health_check_reports_the_set_health_and_is_rate_limited() {
    let fake = FakeEpost::start_with(FakeConfig::deterministic())
        .await
        .unwrap();
    let health = || {
        let url = format!("{}/api/Login/HealthCheck", fake.base_url());
        async move { client().get(url).send().await.unwrap() }
    };
    let r = health().await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["level"].as_str(), body["code"].as_str()),
        (Some("Info"), Some("I501"))
    );

    assert_eq!(health().await.status(), 429, "within 5 s");
    fake.advance(Duration::from_secs(5));
    fake.set_health(Health::MaintenanceAnnounced("Wartung am Sonntag".into()));
    let body: Value = health().await.json().await.unwrap();
    assert_eq!(body["code"], "W501");
    assert!(
        body["description"]
            .as_str()
            .unwrap()
            .contains("Wartung am Sonntag")
    );

    fake.advance(Duration::from_secs(5));
    fake.set_health(Health::Inactive);
    let r = health().await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["level"].as_str(), body["code"].as_str()),
        (Some("Error"), Some("E501"))
    );
}
