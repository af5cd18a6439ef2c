//! Fake server: statuses on the controllable clock, the status endpoints, registered-mail
//! tracking, TestResult, scripted status 99 and the status rate limit.

use crate::fake_support;

use std::time::Duration;

use base64::Engine as _;
use fake_support::{a4_pdf, assert_error, letter, letter_with, login, start};
use outbox_epost::fake::{FakeConfig, FakeEpost, Fault99, StatusSchedule};
use serde_json::{Value, json};

const MIN: u64 = 60;
const HOUR: u64 = 3600;

#[tokio::test]
async fn statuses_advance_1_2_3_4_on_the_schedule() {
    let (fake, api) = start().await;
    let id = api.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    let s = api.status_of(id).await;
    assert_eq!(
        (s["statusID"].as_i64(), s["statusDetails"].as_str()),
        (Some(1), Some("Annahme der Sendung"))
    );

    fake.advance(Duration::from_secs(5 * MIN));
    let s = api.status_of(id).await;
    assert_eq!(s["statusID"], 2);
    assert_eq!(s["processedDate"], "2026-01-05T09:05:00.000");
    assert_eq!(s["printUploadDate"], Value::Null);

    fake.advance(Duration::from_secs(2 * HOUR));
    let s = api.status_of(id).await;
    assert_eq!(s["statusID"], 3);
    assert_eq!(s["printUploadDate"], "2026-01-05T11:05:00.000");
    assert_eq!(s["registeredLetterID"], Value::Null, "not registered");

    fake.advance(Duration::from_secs(24 * HOUR));
    // Tokens live at most 24 h: log in again, as a client would on E101.
    let api = login(&fake).await;
    let s = api.status_of(id).await;
    assert_eq!(s["statusID"], 4);
    assert_eq!(s["printFeedbackDate"], "2026-01-06T11:05:00.000");
    assert!(s["frankierID"].is_string());
    assert_eq!(fake.letter(id).unwrap().status_id, 4);
}

#[tokio::test]
async fn uniform_schedule_moves_statuses_faster() {
    let mut config = FakeConfig::deterministic();
    config.schedule = StatusSchedule::uniform(Duration::from_secs(10));
    config.rate_limits = false;
    let fake = FakeEpost::start_with(config).await.unwrap();
    let api = login(&fake).await;
    let id = api.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    fake.advance(Duration::from_secs(30));
    assert_eq!(api.status_of(id).await["statusID"], 4);
}

#[tokio::test]
async fn registered_letters_get_a_tracking_number_and_final_tracking_code() {
    let (fake, api) = start().await;
    let id = api
        .submit_ok(letter_with(
            "r.pdf",
            &a4_pdf("r"),
            json!({"registeredLetter": "Einwurf Einschreiben"}),
        ))
        .await;
    let rueck = api
        .submit_ok(letter_with(
            "rr.pdf",
            &a4_pdf("rr"),
            json!({"registeredLetter": "Einschreiben Rückschein"}),
        ))
        .await;
    fake.advance(Duration::from_secs(5 * MIN + 2 * HOUR));
    let s = api.status_of(id).await;
    assert_eq!(s["statusID"], 3);
    let tracking = s["registeredLetterID"].as_str().unwrap().to_owned();
    assert!(
        tracking.starts_with("RR") && tracking.ends_with("DE"),
        "{tracking}"
    );
    assert_eq!(s["registeredLetterStatus"], Value::Null);

    fake.advance(Duration::from_secs(24 * HOUR + 12 * HOUR));
    let api = login(&fake).await;
    let s = api.status_of(id).await;
    assert_eq!(
        (s["statusID"].as_i64(), s["registeredLetterStatus"].as_str()),
        (Some(4), Some("POSTED"))
    );
    assert!(!fake.letter(id).unwrap().registered_letter_final);

    fake.advance(Duration::from_secs(24 * HOUR));
    let api = login(&fake).await;
    let s = api.status_of(id).await;
    assert_eq!(s["registeredLetterStatus"], "DELIVERED");
    assert!(s["registeredLetterStatusDate"].is_string());
    assert_eq!(s["registeredLetterID"], tracking.as_str());
    assert!(
        s["errorList"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "I701" && e["level"] == "Info")
    );
    let l = fake.letter(id).unwrap();
    assert!(l.registered_letter_final);
    assert_eq!(l.registered_letter_status.as_deref(), Some("DELIVERED"));
    assert_eq!(
        fake.letter(rueck)
            .unwrap()
            .registered_letter_status
            .as_deref(),
        Some("CONFIRMED")
    );

    // The code list says which codes are final (as strings).
    let codes: Vec<Value> = api
        .get("/trackStatusCodes.json")
        .await
        .json()
        .await
        .unwrap();
    let delivered = codes
        .iter()
        .find(|c| c["statusCode"] == "DELIVERED")
        .unwrap();
    assert_eq!(delivered["final"], "true");
    let posted = codes.iter().find(|c| c["statusCode"] == "POSTED").unwrap();
    assert_eq!(posted["final"], "false");

    // Registered?onlyOpen leaves out letters with a final tracking code.
    let all: Vec<Value> = api
        .get("/api/Letter/Registered?fromDate=2026-01-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let r = api
        .get("/api/Letter/Registered?fromDate=2026-01-01&onlyOpen=true")
        .await;
    assert_error(r, 404, "E201").await;
}

#[tokio::test]
async fn status_query_batches_ids_and_leaves_out_unknown_ones() {
    let (fake, api) = start().await;
    let a = api.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    let b = api.submit_ok(letter("b.pdf", &a4_pdf("b"))).await;
    let bad = api
        .submit_ok(letter(
            "bad.pdf",
            &fake_support::pdf_with_pages(&[fake_support::US_LETTER]),
        ))
        .await;
    fake.advance(Duration::from_secs(5 * MIN));

    let r = api
        .post(
            "/api/Letter/StatusQuery?onlyIssues=false",
            &json!([a, b, bad, 1]),
        )
        .await;
    assert_eq!(r.status(), 200);
    let list: Vec<Value> = r.json().await.unwrap();
    let ids: Vec<i64> = list
        .iter()
        .map(|s| s["letterID"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a, b, bad]);

    let list: Vec<Value> = api
        .post(
            "/api/Letter/StatusQuery?onlyIssues=true",
            &json!([a, b, bad]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0]["letterID"].as_i64(), list[0]["statusID"].as_i64()),
        (Some(bad), Some(99))
    );
    assert_eq!(list[0]["errorList"][0]["code"], "E308");
    assert!(list[0]["errorList"][0]["date"].is_string());

    assert_error(
        api.post("/api/Letter/StatusQuery", &json!([1, 2])).await,
        404,
        "E201",
    )
    .await;
    assert_error(api.get("/api/Letter/42").await, 404, "E201").await;
}

#[tokio::test]
async fn lookups_by_custom1_batch_date_and_open() {
    let (fake, api) = start().await;
    let a = api
        .submit_ok(letter_with(
            "a.pdf",
            &a4_pdf("a"),
            json!({"custom1": "delivery-7", "batchID": 5}),
        ))
        .await;
    let t = api
        .submit_ok(letter_with(
            "t.pdf",
            &a4_pdf("t"),
            json!({"testFlag": true, "batchID": 5}),
        ))
        .await;
    fake.advance(Duration::from_secs(2 * 24 * HOUR));
    let api = login(&fake).await;
    let c = api.submit_ok(letter("c.pdf", &a4_pdf("c"))).await;

    let found: Vec<Value> = api
        .get("/api/Letter/Custom1?custom1=delivery-7")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["letterID"], a);
    assert_error(
        api.get("/api/Letter/Custom1?custom1=delivery-8").await,
        404,
        "E201",
    )
    .await;
    assert_error(
        api.get("/api/Letter/Custom1?custom1=delivery-7&onlyIssues=true")
            .await,
        404,
        "E201",
    )
    .await;

    // Query names are matched without regard to case, as ASP.NET binding does.
    let batch: Vec<Value> = api
        .get("/api/Letter/Batch?batchID=5")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(batch.len(), 2);

    let day1: Vec<Value> = api
        .get("/api/Letter/Date?fromDate=2026-01-05&tillDate=2026-01-06")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = day1
        .iter()
        .map(|s| s["letterID"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a, t]);
    let r = api.get("/api/Letter/Date?fromDate=2024-01-01").await;
    assert_error(r, 400, "E399").await;

    // Open: live letters in 1..=3 only — `a` is in 4 by now, `t` is a test letter.
    let open: Vec<Value> = api.get("/api/Letter/Open").await.json().await.unwrap();
    let ids: Vec<i64> = open
        .iter()
        .map(|s| s["letterID"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [c]);
    assert_eq!(
        fake.letter(t).unwrap().status_id,
        2,
        "test letters stop at 2"
    );
}

#[tokio::test]
async fn test_result_for_processed_test_letters_for_48_hours() {
    let (fake, api) = start().await;
    let pdf = a4_pdf("test");
    let t = api
        .submit_ok(letter_with(
            "t.pdf",
            &pdf,
            json!({"testFlag": true, "testEMail": "qa@example.org"}),
        ))
        .await;
    let live = api.submit_ok(letter("live.pdf", &a4_pdf("live"))).await;
    let path = format!("/api/Letter/TestResult?letterID={t}");
    assert_error(api.get(&path).await, 404, "E201").await;

    fake.advance(Duration::from_secs(5 * MIN));
    let r = api.get(&path).await;
    assert_eq!(r.status(), 200);
    let result: Value = r.json().await.unwrap();
    assert_eq!(result["letterID"], t);
    assert_eq!(result["fileName"], "t.pdf");
    let data = base64::engine::general_purpose::STANDARD
        .decode(result["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(data, pdf);

    let r = api
        .get(&format!("/api/Letter/TestResult?letterID={live}"))
        .await;
    assert_error(r, 404, "E201").await;
    fake.advance(Duration::from_secs(49 * HOUR));
    let api = login(&fake).await;
    assert_error(api.get(&path).await, 404, "E201").await;
}

#[tokio::test]
async fn reject_after_processing_ends_in_99_after_status_3() {
    let (fake, api) = start().await;
    let before = api.submit_ok(letter("before.pdf", &a4_pdf("0"))).await;
    fake.reject_after_processing(Fault99 { code: "E318" });
    let id = api.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    fake.stop_rejecting();
    let after = api.submit_ok(letter("after.pdf", &a4_pdf("b"))).await;
    assert!(fake.reject_letter(after, Fault99 { code: "E333" }));
    assert!(!fake.reject_letter(1, Fault99 { code: "E302" }));

    fake.advance(Duration::from_secs(5 * MIN + 2 * HOUR));
    assert_eq!(api.status_of(id).await["statusID"], 3);
    fake.advance(Duration::from_secs(24 * HOUR));
    let api = login(&fake).await;
    let s = api.status_of(id).await;
    assert_eq!(s["statusID"], 99);
    assert_eq!(s["errorList"][0]["code"], "E318");
    assert_eq!(s["printFeedbackDate"], Value::Null);
    assert_eq!(fake.letter(after).unwrap().error_codes, ["E333"]);
    assert_eq!(fake.letter(before).unwrap().status_id, 4);
}

#[tokio::test]
async fn status_calls_are_limited_to_one_per_5_seconds() {
    let fake = FakeEpost::start_with(FakeConfig::deterministic())
        .await
        .unwrap();
    let api = login(&fake).await;
    let id = api.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    assert_eq!(api.get(&format!("/api/Letter/{id}")).await.status(), 200);
    // Any endpoint of the group counts.
    assert_error(
        api.post("/api/Letter/StatusQuery", &json!([id])).await,
        429,
        "E322",
    )
    .await;
    let r = api.get("/api/Letter/Open").await;
    assert_eq!(r.headers()["retry-after"], "5");
    assert_error(r, 429, "E322").await;
    fake.advance(Duration::from_secs(4));
    assert_error(api.get("/api/Letter/Open").await, 429, "E322").await;
    fake.advance(Duration::from_secs(1));
    assert_eq!(
        api.post("/api/Letter/StatusQuery", &json!([id]))
            .await
            .status(),
        200
    );

    fake.set_rate_limits(false);
    for _ in 0..3 {
        assert_eq!(api.get(&format!("/api/Letter/{id}")).await.status(), 200);
    }
}
