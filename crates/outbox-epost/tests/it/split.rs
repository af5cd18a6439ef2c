//! Large submissions are split to respect 20 MB per PDF and 300 MB per request (limits are
//! configurable, so the test uses small ones against the fake).

use crate::common;

use outbox_epost::fake::Endpoint;
use outbox_epost::letter::{build_letter, compose_pdf, split_requests};
use outbox_epost::{EpostError, Letter, LetterOptions};
use proptest::prelude::*;

fn letters(ids: std::ops::Range<u64>) -> Vec<Letter> {
    let opts = LetterOptions::default();
    let today = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    ids.map(|id| {
        let d = common::delivery(id);
        let pdf = compose_pdf(&d, &opts, today).unwrap();
        build_letter(&d, &pdf, &opts).unwrap()
    })
    .collect()
}

fn sized(sizes: &[usize]) -> Vec<Letter> {
    sizes
        .iter()
        .map(|&n| Letter {
            data: "A".repeat(n),
            ..Letter::default()
        })
        .collect()
}

#[test]
fn splitting_keeps_order_and_limits() {
    let ls = sized(&[10_000, 10_000, 10_000, 10_000, 10_000]);
    // Each letter counts its base64 plus 4 KiB of fields: 14_096 bytes.
    let ranges = split_requests(&ls, 30_000, 100);
    assert_eq!(ranges, vec![0..2, 2..4, 4..5]);
    let ranges = split_requests(&ls, u64::MAX, 2);
    assert_eq!(ranges, vec![0..2, 2..4, 4..5]);
    // A letter larger than the limit on its own still travels, alone.
    let ls = sized(&[100, 50_000, 100]);
    assert_eq!(split_requests(&ls, 30_000, 100), vec![0..1, 1..2, 2..3]);
    assert!(split_requests(&[], 10, 10).is_empty());
}

proptest! {
    #[test]
    fn every_letter_is_in_exactly_one_request_within_the_limits(
        sizes in proptest::collection::vec(0usize..50_000, 0..40),
        max_bytes in 20_000u64..200_000,
        max_letters in 1usize..10,
    ) {
        let ls = sized(&sizes);
        let ranges = split_requests(&ls, max_bytes, max_letters);
        let mut next = 0;
        for r in &ranges {
            prop_assert_eq!(r.start, next);
            prop_assert!(r.end > r.start);
            prop_assert!(r.len() <= max_letters);
            let bytes: u64 = ls[r.clone()].iter().map(|l| l.data.len() as u64 + 4096).sum();
            prop_assert!(r.len() == 1 || bytes <= max_bytes);
            next = r.end;
        }
        prop_assert_eq!(next, ls.len());
    }
}

#[tokio::test]
async fn a_large_submission_goes_out_in_several_requests() {
    let fake = common::fake().await;
    let ls = letters(800..805);
    let one = ls[0].data.len() as u64 + 4096;
    let mut cfg = common::config(&fake);
    cfg.max_request_bytes = one * 2 + one / 2;
    let account = common::account_with(&fake, cfg);

    let idents = account.submit_letters(&ls).await.unwrap();
    assert_eq!(fake.request_count(Endpoint::SubmitLetters), 3, "2 + 2 + 1");
    assert_eq!(idents.len(), 5);
    for (ident, letter) in idents.iter().zip(&ls) {
        assert_eq!(ident.file_name, letter.file_name);
    }
    let stored: Vec<String> = fake
        .letters()
        .into_iter()
        .map(|l| l.fields.file_name)
        .collect();
    let sent: Vec<String> = ls.iter().map(|l| l.file_name.clone()).collect();
    assert_eq!(stored, sent, "order kept");
}

#[tokio::test]
async fn a_pdf_over_the_limit_is_refused_before_anything_is_sent() {
    let fake = common::fake().await;
    let ls = letters(810..812);
    let mut cfg = common::config(&fake);
    cfg.max_pdf_bytes = ls[1].pdf_bytes() - 1;
    let account = common::account_with(&fake, cfg);
    let err = account.submit_letters(&ls).await.unwrap_err();
    assert!(matches!(err, EpostError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("E303"), "{err}");
    assert_eq!(fake.request_count(Endpoint::SubmitLetters), 0);
    assert_eq!(fake.request_count(Endpoint::Login), 0);
}

#[tokio::test]
async fn a_failure_after_accepted_requests_reports_what_was_accepted() {
    let fake = common::fake().await;
    let mut ls = letters(820..823);
    // The provider rejects the last one (unknown country); our checks let it pass.
    ls[2].country = "ATLANTIS".into();
    let mut cfg = common::config(&fake);
    cfg.max_letters_per_request = 2;
    let account = common::account_with(&fake, cfg);
    let err = account.submit_letters(&ls).await.unwrap_err();
    let EpostError::PartiallySubmitted { accepted, source } = &err else {
        panic!("{err}")
    };
    assert_eq!(accepted.len(), 2);
    assert_eq!(source.code(), Some("E305"));
    assert_eq!(err.kind(), outbox_channel::ErrorKind::Ambiguous);
    assert_eq!(fake.letters().len(), 2);
}
