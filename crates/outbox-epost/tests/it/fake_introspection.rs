//! Fake server: introspection (`letters()`, `GET /__fake/letters`) and clock control over HTTP.

use crate::fake_support;

use std::time::Duration;

use fake_support::{a4_pages, a4_pdf, letter, letter_with, start};
use serde_json::{Value, json};

#[tokio::test]
async fn letters_are_listed_over_http_with_fields_and_pdf_facts() {
    let (fake, api) = start().await;
    let a = api
        .submit_ok(letter_with(
            "a.pdf",
            &a4_pages(3),
            json!({"custom1": "d-1", "isColor": true}),
        ))
        .await;
    api.submit_ok(letter_with(
        "b.pdf",
        &a4_pdf("b"),
        json!({"custom1": "d-2"}),
    ))
    .await;
    let all: Vec<Value> = api
        .http
        .get(api.url("/__fake/letters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let first = &all[0];
    assert_eq!(first["letterID"], a);
    assert_eq!(first["statusID"], 1);
    assert_eq!(first["pdfPages"], 3);
    assert_eq!(first["pdfSize"], a4_pages(3).len());
    assert_eq!(first["fields"]["fileName"], "a.pdf");
    assert_eq!(first["fields"]["custom1"], "d-1");
    assert_eq!(first["fields"]["isColor"], true);
    assert_eq!(first["receivedAt"], "2026-01-05T09:00:00");
    assert!(
        first.get("pdf").is_none(),
        "the PDF itself is not in the JSON"
    );

    let only: Vec<Value> = api
        .http
        .get(api.url("/__fake/letters?custom1=d-2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["fields"]["fileName"], "b.pdf");
    assert_eq!(fake.count_by_custom1("d-2"), 1);
    assert_eq!(fake.count_by_custom1("d-3"), 0);
    assert_eq!(fake.letter(a).unwrap().fields.file_name, "a.pdf");
    assert!(fake.letter(1).is_none());
}

#[tokio::test]
async fn clock_can_be_read_and_moved_over_http() {
    let (fake, api) = start().await;
    let id = api.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    let now: Value = api
        .http
        .get(api.url("/__fake/clock"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["now"], "2026-01-05T09:00:00.000");
    let moved: Value = api
        .http
        .post(api.url("/__fake/advance"))
        .json(&json!({"seconds": 300}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["now"], "2026-01-05T09:05:00.000");
    assert_eq!(fake.letter(id).unwrap().status_id, 2);
    fake.advance(Duration::from_secs(60));
    assert_eq!(
        fake.now().format("%H:%M:%S").to_string(),
        "09:06:00",
        "frozen clock moves only when told"
    );
}

#[tokio::test]
async fn rejection_and_token_expiry_over_http() {
    let (fake, api) = start().await;
    let r = api
        .http
        .post(api.url("/__fake/reject-after-processing"))
        .json(&json!({"code": "E302"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let id = api.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    fake.advance(Duration::from_secs(5 * 60 + 2 * 3600 + 24 * 3600));
    let l = fake.letter(id).unwrap();
    assert_eq!(
        (l.status_id, l.error_codes.as_slice()),
        (99, &["E302".to_owned()][..])
    );

    let r = api
        .http
        .post(api.url("/__fake/reject-after-processing"))
        .json(&json!({"code": "X999"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let api = fake_support::login(&fake).await;
    let r = api
        .http
        .post(api.url("/__fake/expire-tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    fake_support::assert_error(api.get("/api/Letter/Open").await, 401, "E101").await;
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let (fake, api) = start().await;
    let base = fake.base_url();
    fake.shutdown().await;
    let r = api
        .http
        .get(format!("{base}/api/Login/HealthCheck"))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(r.is_err(), "nothing listens after shutdown");
}

#[tokio::test]
async fn running_clock_moves_with_real_time_plus_advances() {
    let fake = outbox_epost::fake::FakeEpost::start().await.unwrap();
    let t0 = fake.now();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let t1 = fake.now();
    assert!(
        t1 - t0 >= chrono::TimeDelta::milliseconds(30),
        "{t0} → {t1}"
    );
    fake.advance(Duration::from_secs(3600));
    assert!(fake.now() - t1 >= chrono::TimeDelta::hours(1));
    fake.shutdown().await;
}
