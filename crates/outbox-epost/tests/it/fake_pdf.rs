//! Fake server: PDF checks (reference §2.6). Not-a-PDF is synchronous (`E301`); page geometry
//! and page count surface as status 99 at the processing step.

use crate::fake_support;

use std::time::Duration;

use fake_support::{
    A4, A4_LANDSCAPE, US_LETTER, a4_pages, assert_error, b64, letter, letter_with, pdf_inherited,
    pdf_with_pages, start,
};
use serde_json::json;

/// Submits `pdf`, moves past processing and returns (statusID, error codes, noOfPages).
async fn processed(pdf: &[u8], cover_letter: bool) -> (i64, Vec<String>, serde_json::Value) {
    let (fake, api) = start().await;
    let id = api
        .submit_ok(letter_with(
            "check.pdf",
            pdf,
            json!({"coverLetter": cover_letter}),
        ))
        .await;
    assert_eq!(api.status_of(id).await["statusID"], 1, "accepted first");
    fake.advance(Duration::from_secs(5 * 60));
    let s = api.status_of(id).await;
    let codes = s["errorList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect();
    (
        s["statusID"].as_i64().unwrap(),
        codes,
        s["noOfPages"].clone(),
    )
}

#[tokio::test]
async fn a4_portrait_passes_processing() {
    let (status, codes, pages) = processed(&a4_pages(2), false).await;
    assert_eq!((status, codes.len(), pages), (2, 0, json!(2)));
}

#[tokio::test]
async fn rounded_a4_media_box_passes() {
    let (status, _, _) = processed(&pdf_with_pages(&[(595.0, 842.0)]), false).await;
    assert_eq!(status, 2);
}

#[tokio::test]
async fn first_page_landscape_is_e307() {
    let (status, codes, _) = processed(&pdf_with_pages(&[A4_LANDSCAPE, A4]), false).await;
    assert_eq!((status, codes), (99, vec!["E307".to_owned()]));
}

#[tokio::test]
async fn us_letter_is_e308() {
    let (status, codes, _) = processed(&pdf_with_pages(&[US_LETTER]), false).await;
    assert_eq!((status, codes), (99, vec!["E308".to_owned()]));
}

#[tokio::test]
async fn a_later_page_not_a4_portrait_is_e308() {
    let (status, codes, _) = processed(&pdf_with_pages(&[A4, A4, US_LETTER]), false).await;
    assert_eq!((status, codes), (99, vec!["E308".to_owned()]));
    let (status, codes, _) = processed(&pdf_with_pages(&[A4, A4_LANDSCAPE]), false).await;
    assert_eq!((status, codes), (99, vec!["E308".to_owned()]));
}

#[tokio::test]
async fn rotate_and_inherited_media_box_are_honoured() {
    // Landscape MediaBox turned by /Rotate 90 shows as portrait.
    let (status, _, _) = processed(&pdf_inherited(A4_LANDSCAPE, 2, Some(90)), false).await;
    assert_eq!(status, 2);
    // Portrait MediaBox inherited from the page tree root.
    let (status, _, pages) = processed(&pdf_inherited(A4, 3, None), false).await;
    assert_eq!((status, pages), (2, json!(3)));
    // Portrait turned by /Rotate 270 shows as landscape.
    let (status, codes, _) = processed(&pdf_inherited(A4, 1, Some(270)), false).await;
    assert_eq!((status, codes), (99, vec!["E307".to_owned()]));
}

#[tokio::test]
async fn more_than_94_pages_is_e304_cover_page_included() {
    let (status, _, pages) = processed(&a4_pages(94), false).await;
    assert_eq!((status, pages), (2, json!(94)));
    let (status, codes, _) = processed(&a4_pages(95), false).await;
    assert_eq!((status, codes), (99, vec!["E304".to_owned()]));
    let (status, codes, _) = processed(&a4_pages(94), true).await;
    assert_eq!((status, codes), (99, vec!["E304".to_owned()]));
}

#[tokio::test]
async fn unparsable_pdf_with_header_is_e301_at_processing() {
    let (status, codes, pages) = processed(b"%PDF-1.7\nthis is not really a pdf", false).await;
    assert_eq!(
        (status, codes, pages),
        (99, vec!["E301".to_owned()], json!(null))
    );
}

#[tokio::test]
async fn not_a_pdf_is_rejected_synchronously_with_e301() {
    let (fake, api) = start().await;
    let r = api
        .submit(json!([letter_with(
            "png.pdf",
            b"x",
            json!({"data": b64(b"\x89PNG\r\n")})
        )]))
        .await;
    assert_error(r, 400, "E301").await;
    assert!(fake.letters().is_empty());
    // The helper's letter is fine, to show the difference is the data only.
    api.submit_ok(letter("ok.pdf", &a4_pages(1))).await;
}
