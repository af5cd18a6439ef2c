//! Fake server: several customer accounts (EKPs) on one fake are isolated from each other.

use crate::fake_support;

use std::time::Duration;

use fake_support::{Api, a4_pdf, assert_error, client, letter, letter_with};
use outbox_epost::fake::{FakeConfig, FakeEpost};
use serde_json::{Value, json};

const SECOND_EKP: &str = "5098765432";

async fn login_as(fake: &FakeEpost, ekp: &str) -> Api {
    let http = client();
    let r = http
        .post(format!("{}/api/Login", fake.base_url()))
        .json(&json!({
            "vendorID": fake.vendor_id(),
            "ekp": ekp,
            "secret": fake.secret_for(ekp).unwrap(),
            "password": fake.password_for(ekp).unwrap(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    Api {
        http,
        base: fake.base_url(),
        token: body["token"].as_str().unwrap().to_owned(),
    }
}

async fn two_accounts(rate_limits: bool) -> (FakeEpost, Api, Api) {
    let mut config = FakeConfig::deterministic();
    config.rate_limits = rate_limits;
    let fake = FakeEpost::start_with(config).await.unwrap();
    assert!(fake.add_account(
        SECOND_EKP,
        Some(("second-secret".into(), "second-pw".into()))
    ));
    assert!(!fake.add_account(SECOND_EKP, None), "EKPs are unique");
    let first = login_as(&fake, &fake.ekp()).await;
    let second = login_as(&fake, SECOND_EKP).await;
    (fake, first, second)
}

#[tokio::test]
async fn accounts_only_see_their_own_letters() {
    let (fake, first, second) = two_accounts(false).await;
    let a = first
        .submit_ok(letter_with(
            "a.pdf",
            &a4_pdf("a"),
            json!({"custom1": "d-1"}),
        ))
        .await;
    let b = second
        .submit_ok(letter_with(
            "b.pdf",
            &a4_pdf("b"),
            json!({"custom1": "d-1"}),
        ))
        .await;

    assert_eq!(first.status_of(a).await["letterID"], a);
    assert_error(first.get(&format!("/api/Letter/{b}")).await, 404, "E201").await;
    let mine: Vec<Value> = second
        .get("/api/Letter/Custom1?custom1=d-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["letterID"], b);
    let r = second.post("/api/Letter/StatusQuery", &json!([a, b])).await;
    let list: Vec<Value> = r.json().await.unwrap();
    assert_eq!(list.len(), 1);

    let letters = fake.letters();
    assert_eq!(letters[0].ekp, fake.ekp());
    assert_eq!(letters[1].ekp, SECOND_EKP);
    assert_eq!(
        fake.count_by_custom1("d-1"),
        2,
        "introspection sees all accounts"
    );
}

#[tokio::test]
async fn the_status_rate_limit_is_per_account() {
    let (fake, first, second) = two_accounts(true).await;
    first.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    second.submit_ok(letter("b.pdf", &a4_pdf("b"))).await;
    assert_eq!(first.get("/api/Letter/Open").await.status(), 200);
    assert_eq!(second.get("/api/Letter/Open").await.status(), 200);
    assert_error(first.get("/api/Letter/Open").await, 429, "E322").await;
    assert_error(second.get("/api/Letter/Open").await, 429, "E322").await;
    fake.advance(Duration::from_secs(5));
    assert_eq!(second.get("/api/Letter/Open").await.status(), 200);
}

#[tokio::test]
async fn duplicate_failsafe_and_blocking_are_per_account() {
    let (fake, first, second) = two_accounts(false).await;
    let pdf = a4_pdf("same");
    let flagged = |name: &str| letter_with(name, &pdf, json!({"activateDuplicateFailsafe": true}));
    first.submit_ok(flagged("one.pdf")).await;
    second.submit_ok(flagged("two.pdf")).await;
    assert_error(
        first.submit(json!([flagged("three.pdf")])).await,
        400,
        "E324",
    )
    .await;

    assert!(fake.set_account_blocked(SECOND_EKP, true));
    assert!(!fake.set_account_blocked("5000000000", true));
    let r = client()
        .post(format!("{}/api/Login", fake.base_url()))
        .json(&json!({"vendorID": fake.vendor_id(), "ekp": SECOND_EKP,
                      "secret": "second-secret", "password": "second-pw"}))
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "E004").await;
    login_as(&fake, &fake.ekp()).await;
}

#[tokio::test]
async fn a_second_account_can_be_activated_over_the_api() {
    let fake = FakeEpost::start_with(FakeConfig::deterministic())
        .await
        .unwrap();
    assert!(fake.add_account(SECOND_EKP, None));
    assert_eq!(fake.secret_for(SECOND_EKP), None);
    let http = client();
    let ids = json!({"vendorID": fake.vendor_id(), "ekp": SECOND_EKP});
    let r = http
        .post(format!("{}/api/Login/smsRequest", fake.base_url()))
        .json(&ids)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let mut body = ids;
    body["newPassword"] = json!("zweites-pw");
    body["smsCode"] = json!(fake.last_sms_code().unwrap());
    let r = http
        .post(format!("{}/api/Login/setPassword", fake.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let secret: String = r.json().await.unwrap();
    assert_eq!(fake.secret_for(SECOND_EKP), Some(secret));
    assert_eq!(fake.password_for(SECOND_EKP).as_deref(), Some("zweites-pw"));
    login_as(&fake, SECOND_EKP).await;
    // The first account is untouched.
    assert_eq!(
        fake.secret().as_deref(),
        Some(outbox_epost::fake::DEFAULT_SECRET)
    );
}
