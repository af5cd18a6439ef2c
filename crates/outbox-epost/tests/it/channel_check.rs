//! `check` and the refusals of `send`: recipient address, sender, limits, PDFs, tenants —
//! without contacting the provider.

use crate::common;

use outbox_channel::{Channel, ErrorKind};
use outbox_epost::fake::Endpoint;
use outbox_epost::{ChannelOptions, CoverMode, EpostChannel};
use outbox_model::{PostalAddress, ReadinessProblem, RegisteredMail, Route, TenantId};

#[tokio::test]
async fn capabilities_describe_the_letter_route() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let c = ch.capabilities();
    assert_eq!(c.route, Route::EpostLetter);
    assert_eq!(c.max_bytes, Some(20_000_000));
    assert_eq!(c.max_pages, Some(94));
    assert!(c.color && c.duplex && c.registered_mail && c.tracking && c.reconcile);
    assert!(!c.idempotent_send && !c.download_proof);
}

#[tokio::test]
async fn a_ready_delivery_passes_and_nothing_is_sent_by_checking() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    assert!(ch.check(&common::delivery(1)).await.is_empty());
    assert_eq!(fake.request_count(Endpoint::Login), 0);
    assert!(fake.letters().is_empty());
}

#[tokio::test]
async fn address_problems_are_reported_and_refused() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);

    // Postal code and city written into a line, domestic country given.
    let bad = PostalAddress {
        lines: vec!["Herrn Max Mustermann".into(), "50667 Köln".into()],
        zip: "50667".into(),
        city: "Köln".into(),
        country: Some("DEUTSCHLAND".into()),
    };
    let d = common::delivery_to(2, bad, Default::default());
    let problems = ch.check(&d).await;
    let [ReadinessProblem::IncompleteAddress { problems: details }] = problems.as_slice() else {
        panic!("{problems:?}")
    };
    let codes: Vec<&str> = details.iter().map(|p| p.code.as_str()).collect();
    assert!(codes.contains(&"address.zip_city_in_lines"), "{codes:?}");
    assert!(codes.contains(&"address.country_domestic"), "{codes:?}");

    let err = ch.send(&d).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Permanent);
    assert_eq!(err.code(), Some("incomplete_address"));

    // Registered mail abroad.
    let d = common::delivery_to(
        3,
        PostalAddress::foreign(
            ["Mme Dupont", "1 Rue de Rivoli"],
            "75001",
            "Paris",
            "FRANKREICH",
        ),
        common::registered(RegisteredMail::Einschreiben),
    );
    let problems = ch.check(&d).await;
    assert!(format!("{problems:?}").contains("E311"), "{problems:?}");

    // No address at all.
    let mut d = common::delivery(4);
    d.recipient.address = None;
    assert_eq!(
        ch.check(&d).await,
        vec![ReadinessProblem::IncompleteAddress { problems: vec![] }]
    );
    assert_eq!(fake.request_count(Endpoint::SubmitLetters), 0);
}

#[tokio::test]
async fn the_sender_is_mandatory() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let mut d = common::delivery(5);
    d.sender.address = None;
    let problems = ch.check(&d).await;
    let text = format!("{problems:?}");
    assert!(
        text.contains("sender.address") && text.contains("E333"),
        "{text}"
    );
    d.sender.name = " ".into();
    assert!(format!("{:?}", ch.check(&d).await).contains("sender.name"));
    assert_eq!(ch.send(&d).await.unwrap_err().kind(), ErrorKind::Permanent);
    assert_eq!(fake.request_count(Endpoint::SubmitLetters), 0);
}

#[tokio::test]
async fn page_limit_counts_the_cover_sheet_from_either_side() {
    let fake = common::fake().await;
    let mut d = common::delivery(6);
    d.documents[0].page_count = 94;
    let own = EpostChannel::new(common::account(&fake), common::TENANT);
    let problems = own.check(&d).await;
    assert!(
        matches!(problems.as_slice(), [ReadinessProblem::OverLimit { what }] if what.contains("95 pages")),
        "{problems:?}"
    );
    let mut opts = ChannelOptions::default();
    opts.letter.cover = CoverMode::Provider;
    let provider = EpostChannel::with_options(common::account(&fake), common::TENANT, opts);
    assert!(!provider.check(&d).await.is_empty());
    d.documents[0].settings.epost.cover_sheet = false;
    assert!(provider.check(&d).await.is_empty());
}

#[tokio::test]
async fn unusable_pdfs_and_empty_deliveries_are_reported() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let mut d = common::delivery(7);
    d.documents[0].bytes = b"%PDF-1.4 garbage".to_vec().into();
    let problems = ch.check(&d).await;
    assert!(
        matches!(problems.as_slice(), [ReadinessProblem::PdfUnusable { reason }] if reason.starts_with("Jahresabrechnung")),
        "{problems:?}"
    );
    let err = ch.send(&d).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Permanent, "{err}");
    d.documents.clear();
    assert!(matches!(
        ch.check(&d).await.as_slice(),
        [ReadinessProblem::PdfUnusable { .. }]
    ));
}

#[tokio::test]
async fn another_tenants_delivery_has_no_access_here() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let mut d = common::delivery(8);
    d.tenant = TenantId(99);
    assert_eq!(ch.check(&d).await, vec![ReadinessProblem::NoEpostAccess]);
}

#[tokio::test]
async fn two_tenants_can_share_one_imported_access() {
    let fake = common::fake().await;
    let key = outbox_epost::CredentialsKey::derive(b"app");
    let code = common::credentials(&fake).export_code(&key).unwrap();
    let imported = outbox_epost::Credentials::import_code(&code, &key).unwrap();
    let client = outbox_epost::EpostClient::new(common::config(&fake)).unwrap();
    let account = std::sync::Arc::new(client.account(imported));
    let a = EpostChannel::with_shared_account(account.clone(), TenantId(1), Default::default());
    let b = EpostChannel::with_shared_account(account, TenantId(2), Default::default());
    let mut da = common::delivery(901);
    da.tenant = TenantId(1);
    let mut db = common::delivery(902);
    db.tenant = TenantId(2);
    a.send(&da).await.unwrap();
    b.send(&db).await.unwrap();
    assert_eq!(
        fake.request_count(Endpoint::Login),
        1,
        "one token for the account"
    );
    assert!(a.reconcile(TenantId(1), da.id).await.unwrap().is_some());
    // Tenant 1 cannot see tenant 2's delivery, even on the same account.
    assert!(a.reconcile(TenantId(1), db.id).await.unwrap().is_none());
    assert!(std::sync::Arc::ptr_eq(
        a.status_limiter(),
        b.status_limiter()
    ));
}
