//! Fake server: scripted faults (status codes, slow answers, dropped connections, rate limit)
//! and the HTTP control API.

use crate::fake_support;

use std::time::Duration;

use fake_support::{a4_pdf, assert_error, letter, letter_with, start};
use outbox_epost::fake::{Endpoint, Fault};
use serde_json::{Value, json};

#[tokio::test]
async fn status_fault_answers_without_processing() {
    let (fake, api) = start().await;
    fake.fail_next_on(Endpoint::SubmitLetters, 2, Fault::Status(503));
    for _ in 0..2 {
        let r = api.submit(json!([letter("a.pdf", &a4_pdf("a"))])).await;
        assert_error(r, 503, "E900").await;
    }
    assert!(fake.letters().is_empty(), "a 5xx fault stores nothing");
    api.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    assert_eq!(fake.letters().len(), 1);
    assert_eq!(fake.request_count(Endpoint::SubmitLetters), 3);
}

#[tokio::test]
async fn faults_only_hit_their_endpoint_and_queue_in_order() {
    let (fake, api) = start().await;
    fake.fail_next_on(Endpoint::Status, 1, Fault::Status(500));
    fake.fail_next(1, Fault::Status(502));
    // The submission takes the `Any` fault; the status call the `Status` one.
    let r = api.submit(json!([letter("a.pdf", &a4_pdf("a"))])).await;
    assert_error(r, 502, "E900").await;
    let r = api.get("/api/Letter/Open").await;
    assert_error(r, 500, "E900").await;
    let id = api.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    assert_eq!(api.status_of(id).await["letterID"], id);

    fake.fail_next(3, Fault::Status(503));
    fake.clear_faults();
    api.submit_ok(letter("b.pdf", &a4_pdf("b"))).await;
}

#[tokio::test]
async fn rate_limit_fault_is_429_e322() {
    let (fake, api) = start().await;
    fake.fail_next_on(Endpoint::Login, 1, Fault::RateLimit);
    let r = api
        .http
        .post(api.url("/api/Login"))
        .json(&json!({"vendorID": fake.vendor_id(), "ekp": fake.ekp(),
                      "secret": fake.secret(), "password": fake.password()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["retry-after"], "5");
    assert_error(r, 429, "E322").await;
    fake.fail_next_on(Endpoint::Status, 1, Fault::RateLimit);
    assert_error(api.get("/api/Letter/Open").await, 429, "E322").await;
}

#[tokio::test]
async fn slow_fault_times_the_client_out_but_the_letter_is_stored() {
    let (fake, api) = start().await;
    fake.fail_next_on(
        Endpoint::SubmitLetters,
        1,
        Fault::Slow(Duration::from_secs(3)),
    );
    let l = letter_with(
        "slow.pdf",
        &a4_pdf("s"),
        json!({"custom1": "delivery-slow"}),
    );
    let err = api
        .http
        .post(api.url("/api/Letter"))
        .bearer_auth(&api.token)
        .json(&json!([l]))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // The fake processed the upload although the client gave up: an ambiguous outcome.
    assert_eq!(fake.count_by_custom1("delivery-slow"), 1);
    // Only one request was slowed down.
    assert_error(api.get("/api/Letter/42").await, 404, "E201").await;
}

#[tokio::test]
async fn slow_fault_still_answers_normally() {
    let (fake, api) = start().await;
    fake.fail_next_on(
        Endpoint::SubmitLetters,
        1,
        Fault::Slow(Duration::from_millis(200)),
    );
    let id = api.submit_ok(letter("slow.pdf", &a4_pdf("s"))).await;
    assert_eq!(fake.letters()[0].letter_id, id);
}

#[tokio::test]
async fn dropped_connection_stores_the_letter_but_loses_the_answer() {
    let (fake, api) = start().await;
    fake.fail_next_on(Endpoint::SubmitLetters, 1, Fault::DropConnection);
    let pdf = a4_pdf("ambiguous");
    let l = letter_with(
        "ambiguous.pdf",
        &pdf,
        json!({"custom1": "delivery-42", "activateDuplicateFailsafe": true}),
    );
    let err = api
        .http
        .post(api.url("/api/Letter"))
        .bearer_auth(&api.token)
        .json(&json!([l.clone()]))
        .send()
        .await
        .expect_err("the connection is closed without a response");
    assert!(!err.is_timeout(), "closed, not timed out: {err:?}");
    assert!(
        err.status().is_none(),
        "no HTTP status was received: {err:?}"
    );

    // The letter IS stored: the outcome was ambiguous, not a failure.
    let letters = fake.letters();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].fields.custom1.as_deref(), Some("delivery-42"));
    assert_eq!(fake.count_by_custom1("delivery-42"), 1);

    // Reconcile the way a client should: look it up by custom1 …
    let found: Vec<Value> = api
        .get("/api/Letter/Custom1?custom1=delivery-42")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found[0]["letterID"], letters[0].letter_id);
    // … while a blind resend is caught by the duplicate failsafe.
    assert_error(api.submit(json!([l])).await, 400, "E324").await;
    assert_eq!(fake.letters().len(), 1);
}

#[tokio::test]
async fn dropped_connection_on_a_status_call() {
    let (fake, api) = start().await;
    let id = api.submit_ok(letter("a.pdf", &a4_pdf("a"))).await;
    fake.fail_next_on(Endpoint::Status, 1, Fault::DropConnection);
    let err = api
        .http
        .get(api.url(&format!("/api/Letter/{id}")))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none(), "{err:?}");
    // The server keeps serving on new connections.
    assert_eq!(api.status_of(id).await["letterID"], id);
}

async fn control(api: &fake_support::Api, path: &str, body: Value) -> reqwest::Response {
    api.http
        .post(api.url(path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn faults_can_be_scripted_over_http() {
    let (fake, api) = start().await;
    let r = control(
        &api,
        "/__fake/fail-next",
        json!({"fault": "status", "status": 503, "endpoint": "submitLetters", "count": 1}),
    )
    .await;
    assert_eq!(r.status(), 204);
    let r = api.submit(json!([letter("a.pdf", &a4_pdf("a"))])).await;
    assert_error(r, 503, "E900").await;

    let r = control(
        &api,
        "/__fake/fail-next",
        json!({"fault": "dropConnection", "endpoint": "submitLetters"}),
    )
    .await;
    assert_eq!(r.status(), 204);
    let err = api
        .http
        .post(api.url("/api/Letter"))
        .bearer_auth(&api.token)
        .json(&json!([letter("a.pdf", &a4_pdf("a"))]))
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none());
    assert_eq!(fake.letters().len(), 1);

    let r = control(&api, "/__fake/fail-next", json!({"fault": "teleport"})).await;
    assert_eq!(r.status(), 400);
    let r = control(&api, "/__fake/fail-next", json!({"fault": "slow"})).await;
    assert_eq!(r.status(), 400);
}

/// Proof at the TCP level: after the request, the server closes the connection and not a single
/// byte of an HTTP response arrives.
#[tokio::test]
async fn dropped_connection_sends_no_bytes_at_all() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let (fake, api) = start().await;
    fake.fail_next_on(Endpoint::SubmitLetters, 1, Fault::DropConnection);
    let body = json!([letter("raw.pdf", &a4_pdf("raw"))]).to_string();
    let request = format!(
        "POST /api/Letter HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        fake.local_addr(),
        api.token,
        body.len(),
        body
    );
    let mut tcp = tokio::net::TcpStream::connect(fake.local_addr())
        .await
        .unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut received))
        .await
        .expect("the server closes the connection instead of leaving it open");
    // A clean close (EOF) or a reset are both fine; a response is not.
    if let Err(e) = read {
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
    }
    assert!(
        received.is_empty(),
        "got {:?}",
        String::from_utf8_lossy(&received)
    );
    assert_eq!(fake.letters().len(), 1, "the letter was stored");
}
