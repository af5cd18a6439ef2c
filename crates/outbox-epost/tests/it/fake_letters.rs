//! Fake server: `POST /api/Letter` success path, field validation codes and the duplicate
//! failsafe.

use crate::fake_support;

use std::time::Duration;

use fake_support::{a4_pdf, assert_error, b64, letter, letter_with, start};
use serde_json::{Value, json};

#[tokio::test]
async fn submit_returns_letter_idents_and_stores_every_field() {
    let (fake, api) = start().await;
    let pdf_a = a4_pdf("A");
    let pdf_b = fake_support::a4_pages(3);
    let full = letter_with(
        "Rechnung_2026-001.pdf",
        &pdf_a,
        json!({
            "isColor": true, "isDuplex": true, "batchID": 321, "testFlag": false,
            "addressLine3": "Hinterhaus", "country": "", "senderAdressLine1": "Hausverwaltung X",
            "senderStreet": "Weg 1", "senderZipCode": "10115", "senderCity": "Berlin",
            "custom2": "c2", "custom5": "c5", "vendorSystemInformation": "outbox-tests",
            "costCenter": "KST42", "coverLetter": true,
            "plugInList": [{"plugInName": "PremiumAdress", "plugInModel": {"productVariants": "Basic"}}],
        }),
    );
    let r = api
        .submit(json!([full, letter("second.pdf", &pdf_b)]))
        .await;
    assert_eq!(r.status(), 200);
    let idents: Value = r.json().await.unwrap();
    assert_eq!(idents[0]["fileName"], "Rechnung_2026-001.pdf");
    assert_eq!(idents[1]["fileName"], "second.pdf");
    let (id0, id1) = (
        idents[0]["letterID"].as_i64().unwrap(),
        idents[1]["letterID"].as_i64().unwrap(),
    );
    assert!(id1 > id0 && id0 > 9_999_999, "increasing 8-digit ids");

    let letters = fake.letters();
    assert_eq!(letters.len(), 2);
    let l = &letters[0];
    assert_eq!(l.letter_id, id0);
    assert_eq!(l.status_id, 1);
    assert_eq!(l.pdf, pdf_a);
    assert_eq!((l.pdf_size, l.pdf_pages), (pdf_a.len(), Some(1)));
    assert!(l.fields.is_color && l.fields.is_duplex && l.fields.cover_letter);
    assert_eq!(l.fields.batch_id, 321);
    assert_eq!(
        l.fields.sender_address_line1.as_deref(),
        Some("Hausverwaltung X")
    );
    assert_eq!(l.fields.cost_center.as_deref(), Some("KST42"));
    assert_eq!(
        l.fields.custom1.as_deref(),
        Some("delivery-Rechnung_2026-001.pdf")
    );
    assert_eq!(
        l.fields.plug_in_list.as_ref().unwrap()[0].plug_in_name,
        "PremiumAdress"
    );
    assert_eq!(letters[1].pdf_pages, Some(3));
    assert_eq!(fake.count_by_custom1("delivery-second.pdf"), 1);

    // The status object mirrors the fields; the cover page counts as a page.
    let s = api.status_of(id0).await;
    assert_eq!(s["statusID"], 1);
    assert_eq!(s["noOfPages"], 2);
    assert_eq!(s["batchID"], 321);
    assert_eq!(s["coverLetter"], true);
    assert_eq!(s["custom5"], "c5");
    assert_eq!(s["processedDate"], Value::Null);
    let created = s["createdDate"].as_str().unwrap();
    assert_eq!(
        created, "2026-01-05T09:00:00.000",
        "offset-less, 3 fraction digits"
    );
}

#[tokio::test]
async fn base64_with_line_breaks_is_accepted() {
    let (fake, api) = start().await;
    let pdf = a4_pdf("chunked");
    let encoded = b64(&pdf);
    let chunked: String = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
        .collect();
    api.submit_ok(letter_with("chunked.pdf", &pdf, json!({"data": chunked})))
        .await;
    assert_eq!(fake.letters()[0].pdf, pdf);
}

/// One invalid letter after a valid one: the whole request is rejected with `code`.
async fn rejected(changes: Value, code: &str) {
    let (fake, api) = start().await;
    let pdf = a4_pdf("x");
    let good = letter("good.pdf", &a4_pdf("good"));
    let bad = letter_with("bad_letter.pdf", &pdf, changes.clone());
    let r = api.submit(json!([good, bad])).await;
    let body = assert_error(r, 400, code).await;
    assert!(
        body["description"].as_str().unwrap().contains("Brief 2"),
        "names the letter: {body} ({changes})"
    );
    assert!(fake.letters().is_empty(), "nothing stored for {changes}");
}

#[tokio::test]
async fn schema_violations_are_e313() {
    for changes in [
        json!({"addressLine1": null}),
        json!({"zipCode": null}),
        json!({"city": null}),
        json!({"data": null}),
        json!({"fileName": "a.pd"}),
        json!({"fileName": "x".repeat(201)}),
        json!({"fileName": "Brief an Müller.pdf"}),
        json!({"addressLine1": "x".repeat(81)}),
        json!({"zipCode": "12"}),
        json!({"custom1": "x".repeat(81)}),
        json!({"vendorSystemInformation": "x".repeat(121)}),
        json!({"senderAdressLineComplete": "x".repeat(201)}),
        json!({"costCenter": "KST-42"}),
        json!({"costCenter": "123456789"}),
        json!({"senderAddressLine1": "misspelt with two d"}),
        json!({"isColor": "yes"}),
        json!({"batchID": 3_000_000_000u64}),
    ] {
        rejected(changes, "E313").await;
    }
}

#[tokio::test]
async fn body_must_be_a_non_empty_array() {
    let (_fake, api) = start().await;
    let one = letter("single.pdf", &a4_pdf("x"));
    assert_error(api.submit(one).await, 400, "E313").await;
    assert_error(api.submit(json!([])).await, 400, "E313").await;
    let r = api
        .http
        .post(api.url("/api/Letter"))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("[{")
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "E313").await;
}

#[tokio::test]
async fn field_rules_give_their_codes() {
    rejected(json!({"data": "not base64!"}), "E301").await;
    rejected(json!({"data": b64(b"GIF89a not a pdf")}), "E301").await;
    rejected(
        json!({"registeredLetter": "Einschreiben eigenhändig"}),
        "E317",
    )
    .await;
    rejected(
        json!({"registeredLetter": "Einschreiben", "isDuplex": true}),
        "E312",
    )
    .await;
    rejected(
        json!({"registeredLetter": "Einwurf Einschreiben", "country": "ÖSTERREICH", "zipCode": "1010"}),
        "E311",
    )
    .await;
    rejected(json!({"country": "Austria"}), "E305").await;
    rejected(json!({"zipCode": "5114"}), "E306").await;
    rejected(json!({"zipCode": "51 47"}), "E306").await;
    rejected(
        json!({"country": "FRANKREICH", "zipCode": "75001", "addressLine5": "x"}),
        "E306",
    )
    .await;
    rejected(json!({"coverData": b64(b"no pdf")}), "E301").await;
    rejected(
        json!({"plugInList": [{"plugInName": "Teleporter", "plugInModel": {}}]}),
        "E601",
    )
    .await;
}

#[tokio::test]
async fn foreign_letters_and_registered_kinds_are_accepted() {
    let (fake, api) = start().await;
    let pdf = a4_pdf("x");
    api.submit_ok(letter_with(
        "foreign.pdf",
        &pdf,
        json!({"country": "ÖSTERREICH", "zipCode": "1010", "city": "Wien"}),
    ))
    .await;
    api.submit_ok(letter_with(
        "no-zip.pdf",
        &a4_pdf("y"),
        json!({"country": "IRLAND", "zipCode": "   ", "city": "Galway"}),
    ))
    .await;
    for (i, kind) in [
        "Einwurf Einschreiben",
        "Einschreiben",
        "Einschreiben Rückschein",
    ]
    .iter()
    .enumerate()
    {
        api.submit_ok(letter_with(
            &format!("reg-{i}.pdf"),
            &a4_pdf(kind),
            json!({"registeredLetter": kind}),
        ))
        .await;
    }
    assert_eq!(fake.letters().len(), 5);
}

#[tokio::test]
async fn size_limits_give_e303_and_e314() {
    let (fake, api) = start().await;
    // A PDF header followed by padding: over 20 MB decoded.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(outbox_epost::fake::MAX_PDF_BYTES + 1, b' ');
    let r = api.submit(json!([letter("big.pdf", &big)])).await;
    assert_error(r, 400, "E303").await;

    let mut cover = b"%PDF-1.7\n".to_vec();
    cover.resize(outbox_epost::fake::MAX_COVER_BYTES + 1, b' ');
    let l = letter_with("cover.pdf", &a4_pdf("c"), json!({"coverData": b64(&cover)}));
    assert_error(api.submit(json!([l])).await, 400, "E314").await;
    assert!(fake.letters().is_empty());
}

#[tokio::test]
async fn duplicate_file_names_in_one_request_are_e309() {
    let (fake, api) = start().await;
    let r = api
        .submit(json!([
            letter("same.pdf", &a4_pdf("1")),
            letter("same.pdf", &a4_pdf("2"))
        ]))
        .await;
    assert_error(r, 400, "E309").await;
    assert!(fake.letters().is_empty());
}

#[tokio::test]
async fn live_letters_need_a_released_ekp() {
    let (fake, api) = start().await;
    fake.set_released_for_live(false);
    let r = api.submit(json!([letter("live.pdf", &a4_pdf("x"))])).await;
    assert_error(r, 400, "E319").await;
    api.submit_ok(letter_with(
        "test.pdf",
        &a4_pdf("x"),
        json!({"testFlag": true}),
    ))
    .await;
}

#[tokio::test]
async fn warnings_are_listed_in_the_error_list() {
    let (_fake, api) = start().await;
    let id = api
        .submit_ok(letter_with(
            "warn.pdf",
            &a4_pdf("w"),
            json!({"country": "DEUTSCHLAND", "registeredLetter": "Einschreiben Rückschein",
                   "registeredLetterAdressLine1": "Alt"}),
        ))
        .await;
    let s = api.status_of(id).await;
    let codes: Vec<&str> = s["errorList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["W220", "W203"]);
    assert_eq!(s["errorList"][0]["level"], "Warning");
}

#[tokio::test]
async fn duplicate_failsafe_rejects_the_same_pdf_within_an_hour() {
    let (fake, api) = start().await;
    let pdf = a4_pdf("same content");
    let flagged = |name: &str| letter_with(name, &pdf, json!({"activateDuplicateFailsafe": true}));
    let first = api.submit_ok(flagged("first.pdf")).await;

    fake.advance(Duration::from_secs(59 * 60));
    let r = api.submit(json!([flagged("retry.pdf")])).await;
    let body = assert_error(r, 400, "E324").await;
    assert_eq!(
        body["description"],
        format!(
            "Duplikatsprüfung: Diese Sendung wurde bereits innerhalb der letzten Stunde über \
             LetterID {first} eingeliefert"
        )
    );
    // Without the flag, or with another PDF, it goes through.
    api.submit_ok(letter("unflagged.pdf", &pdf)).await;
    let other = letter_with(
        "other.pdf",
        &a4_pdf("other"),
        json!({"activateDuplicateFailsafe": true}),
    );
    api.submit_ok(other).await;

    fake.advance(Duration::from_secs(2 * 60));
    api.submit_ok(flagged("after-an-hour.pdf")).await;
    assert_eq!(fake.letters().len(), 4);
}

#[tokio::test]
async fn duplicate_failsafe_ignores_letters_in_status_99() {
    let (fake, api) = start().await;
    let landscape = fake_support::pdf_with_pages(&[fake_support::A4_LANDSCAPE]);
    let flagged =
        |name: &str| letter_with(name, &landscape, json!({"activateDuplicateFailsafe": true}));
    api.submit_ok(flagged("first.pdf")).await;
    let r = api.submit(json!([flagged("again.pdf")])).await;
    assert_error(r, 400, "E324").await;
    // After processing the first letter is in 99 (E307) and no longer counts.
    fake.advance(Duration::from_secs(5 * 60));
    assert_eq!(fake.letters()[0].status_id, 99);
    api.submit_ok(flagged("again.pdf")).await;
}

#[tokio::test]
async fn daily_test_letter_limit_gives_e320() {
    let mut config = outbox_epost::fake::FakeConfig::deterministic();
    config.rate_limits = false;
    config.test_letters_per_day = Some(2);
    let fake = outbox_epost::fake::FakeEpost::start_with(config)
        .await
        .unwrap();
    let api = fake_support::login(&fake).await;
    let test = |name: &str| letter_with(name, &a4_pdf(name), json!({"testFlag": true}));
    api.submit_ok(test("t1.pdf")).await;
    let r = api.submit(json!([test("t2.pdf"), test("t3.pdf")])).await;
    assert_error(r, 400, "E320").await;
    api.submit_ok(test("t2.pdf")).await;
    assert_error(api.submit(json!([test("t3.pdf")])).await, 400, "E320").await;
    // Live letters do not count; the next day starts afresh.
    api.submit_ok(letter("live.pdf", &a4_pdf("live"))).await;
    fake.advance(Duration::from_secs(24 * 3600));
    let api = fake_support::login(&fake).await;
    api.submit_ok(test("t3.pdf")).await;
}
