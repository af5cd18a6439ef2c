//! Delivery → API `Letter`: every field, the foreign-address and registered-mail rules, the
//! cover modes, test mode, and the JSON names as the fake receives them.

use crate::common;

use chrono::NaiveDate;
use outbox_channel::{Channel, ErrorKind};
use outbox_epost::letter::{NO_ZIP, build_letter, compose_pdf, file_name};
use outbox_epost::{ChannelOptions, CoverMode, EpostChannel, LetterOptions, TestMode};
use outbox_model::{PostalAddress, RegisteredMail, SendSettings};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()
}

fn letter_for(
    d: &outbox_channel::OutgoingDelivery,
    opts: &LetterOptions,
) -> Result<outbox_epost::Letter, outbox_epost::EpostError> {
    let pdf = compose_pdf(d, opts, today())?;
    build_letter(d, &pdf, opts)
}

#[test]
fn domestic_letter_maps_every_field() {
    let mut settings = SendSettings::default();
    settings.epost.color = true;
    settings.epost.duplex = true;
    let d = common::delivery_to(4711, common::domestic_address(), settings);
    let mut opts = LetterOptions::default();
    opts.cost_center = Some("WEG12".into());
    let l = letter_for(&d, &opts).unwrap();

    assert_eq!(l.file_name, "outbox-7-4711-1.pdf");
    assert_eq!(l.file_name, file_name(&d));
    assert!(l.is_color && l.is_duplex);
    assert_eq!(l.batch_id, 0);
    assert_eq!(l.registered_letter, None);
    assert!(!l.test_flag && l.test_email.is_none());
    assert!(!l.cover_letter, "our own cover sheet by default");
    assert_eq!(l.address_line1, "Eheleute Müller");
    assert_eq!(l.address_line2.as_deref(), Some("Lindenstraße 5"));
    assert_eq!(l.address_line3, None);
    assert_eq!(l.zip_code, "50667");
    assert_eq!(l.city, "Köln");
    assert_eq!(l.country, "", "domestic mail has an empty country");
    assert_eq!(
        l.sender_adress_line1.as_deref(),
        Some("Hausverwaltung Sonnenschein GmbH")
    );
    assert_eq!(l.sender_street.as_deref(), Some("Hauptstraße 1"));
    assert_eq!(l.sender_zip_code.as_deref(), Some("10115"));
    assert_eq!(l.sender_city.as_deref(), Some("Berlin"));
    assert_eq!(l.custom1.as_deref(), Some("4711"));
    assert_eq!(l.custom2.as_deref(), Some("7"));
    assert_eq!(l.custom3.as_deref(), Some("1"));
    assert!(l.activate_duplicate_failsafe);
    assert_eq!(l.cost_center.as_deref(), Some("WEG12"));
    assert!(
        l.vendor_system_information
            .as_deref()
            .unwrap()
            .starts_with("outbox/")
    );

    // Recipient lines never carry postal code or city.
    for line in [
        &l.address_line2,
        &l.address_line3,
        &l.address_line4,
        &l.address_line5,
    ]
    .into_iter()
    .flatten()
    {
        assert!(!line.contains("50667") && !line.contains("Köln"), "{line}");
    }

    // The PDF: our cover sheet + the one-page document.
    let pdf = base64_decode(&l.data);
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(outbox_pdf::inspect(&pdf).unwrap().page_count(), 2);
    assert_eq!(l.pdf_bytes(), pdf.len() as u64);
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn json_uses_the_api_names_and_spelling() {
    let mut opts = LetterOptions::default();
    opts.test_mode = Some(TestMode {
        email: Some("test@example.org".into()),
    });
    let d = common::delivery_to(
        5,
        common::domestic_address(),
        common::registered(RegisteredMail::EinschreibenRueckschein),
    );
    let l = letter_for(&d, &opts).unwrap();
    let json = serde_json::to_value(&l).unwrap();
    let obj = json.as_object().unwrap();
    for key in [
        "fileName",
        "data",
        "isColor",
        "isDuplex",
        "batchID",
        "registeredLetter",
        "testFlag",
        "testEMail",
        "coverLetter",
        "addressLine1",
        "addressLine2",
        "zipCode",
        "city",
        "country",
        "senderAdressLine1",
        "senderStreet",
        "senderZipCode",
        "senderCity",
        "custom1",
        "custom2",
        "custom3",
        "vendorSystemInformation",
        "activateDuplicateFailsafe",
    ] {
        assert!(obj.contains_key(key), "missing {key} in {:?}", obj.keys());
    }
    assert_eq!(obj["registeredLetter"], "Einschreiben Rückschein");
    assert_eq!(obj["testFlag"], true);
    assert_eq!(obj["testEMail"], "test@example.org");
    assert!(!obj.contains_key("senderAddressLine1"));
    assert!(
        !obj.contains_key("addressLine3"),
        "absent lines are omitted"
    );
    // Debug never dumps the PDF.
    assert!(format!("{l:?}").len() < 1000);
}

#[test]
fn registered_mail_strings_are_exact() {
    for (kind, api) in [
        (RegisteredMail::None, None),
        (
            RegisteredMail::EinwurfEinschreiben,
            Some("Einwurf Einschreiben"),
        ),
        (RegisteredMail::Einschreiben, Some("Einschreiben")),
        (
            RegisteredMail::EinschreibenRueckschein,
            Some("Einschreiben Rückschein"),
        ),
    ] {
        let d = common::delivery_to(1, common::domestic_address(), common::registered(kind));
        let l = letter_for(&d, &LetterOptions::default()).unwrap();
        assert_eq!(l.registered_letter.as_deref(), api);
    }
}

#[test]
fn registered_mail_rules_are_enforced_before_sending() {
    // Duplex + registered → E312.
    let mut s = common::registered(RegisteredMail::Einschreiben);
    s.epost.duplex = true;
    let d = common::delivery_to(1, common::domestic_address(), s);
    let err = letter_for(&d, &LetterOptions::default()).unwrap_err();
    assert!(err.to_string().contains("E312"), "{err}");

    // Registered abroad → E311.
    let d = common::delivery_to(
        1,
        PostalAddress::foreign(
            ["Herrn Franz Huber", "Ringstraße 3"],
            "1010",
            "Wien",
            "ÖSTERREICH",
        ),
        common::registered(RegisteredMail::EinwurfEinschreiben),
    );
    let err = letter_for(&d, &LetterOptions::default()).unwrap_err();
    assert!(err.to_string().contains("E311"), "{err}");
}

#[test]
fn foreign_addresses_carry_the_country_and_blank_zip_when_there_is_none() {
    let d = common::delivery_to(
        2,
        PostalAddress::foreign(
            ["Mr John Smith", "12 High Street"],
            "SW1A 1AA",
            "London",
            "GROSSBRITANNIEN",
        ),
        SendSettings::default(),
    );
    let l = letter_for(&d, &LetterOptions::default()).unwrap();
    assert_eq!(l.country, "GROSSBRITANNIEN");
    assert_eq!(l.zip_code, "SW1A 1AA");

    let d = common::delivery_to(
        3,
        PostalAddress::foreign(["Mr Tom Kelly", "5 Main Street"], "", "Dublin", "IRLAND"),
        SendSettings::default(),
    );
    let l = letter_for(&d, &LetterOptions::default()).unwrap();
    assert_eq!(l.zip_code, NO_ZIP);
    assert_eq!(l.zip_code, "   ");
    assert_eq!(l.city, "Dublin");
}

#[test]
fn provider_cover_and_no_cover() {
    let d = common::delivery(9);
    let mut opts = LetterOptions::default();
    opts.cover = CoverMode::Provider;
    let pdf = compose_pdf(&d, &opts, today()).unwrap();
    assert!(pdf.provider_cover);
    assert_eq!(pdf.pages, 2, "the API's cover page counts");
    assert_eq!(outbox_pdf::inspect(&pdf.pdf).unwrap().page_count(), 1);
    let l = build_letter(&d, &pdf, &opts).unwrap();
    assert!(l.cover_letter);

    let mut s = SendSettings::default();
    s.epost.cover_sheet = false;
    let d = common::delivery_to(9, common::domestic_address(), s);
    let pdf = compose_pdf(&d, &LetterOptions::default(), today()).unwrap();
    assert!(!pdf.provider_cover);
    assert_eq!(pdf.pages, 1);
}

#[test]
fn an_unusable_pdf_is_a_clear_error() {
    let mut d = common::delivery(9);
    d.documents[0].bytes = b"not a pdf at all".to_vec().into();
    let err = letter_for(&d, &LetterOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not a PDF"), "{err}");
    assert_eq!(err.kind(), ErrorKind::Permanent);
}

#[tokio::test]
async fn the_fake_receives_exactly_the_mapped_fields() {
    let fake = common::fake().await;
    let mut opts = ChannelOptions::default();
    opts.letter.test_mode = Some(TestMode {
        email: Some("pruefung@example.org".into()),
    });
    let ch = EpostChannel::with_options(common::account(&fake), common::TENANT, opts);

    let d = common::delivery_to(
        31,
        PostalAddress::foreign(
            ["Herrn Franz Huber", "Ringstraße 3", "Top 4"],
            "1010",
            "Wien",
            "ÖSTERREICH",
        ),
        SendSettings::default(),
    );
    assert!(ch.check(&d).await.is_empty(), "{:?}", ch.check(&d).await);
    let receipt = ch.send(&d).await.expect("accepted");
    let stored = fake
        .letter(receipt.provider_reference.parse().unwrap())
        .expect("the fake has it");
    let f = &stored.fields;
    assert_eq!(f.address_line1, "Herrn Franz Huber");
    assert_eq!(f.address_line2.as_deref(), Some("Ringstraße 3"));
    assert_eq!(f.address_line3.as_deref(), Some("Top 4"));
    assert_eq!(f.address_line4, None);
    assert_eq!(f.zip_code, "1010");
    assert_eq!(f.city, "Wien");
    assert_eq!(f.country.as_deref(), Some("ÖSTERREICH"));
    assert_eq!(
        f.sender_address_line1.as_deref(),
        Some("Hausverwaltung Sonnenschein GmbH")
    );
    assert_eq!(f.custom1.as_deref(), Some("31"));
    assert!(f.test_flag);
    assert_eq!(f.test_email.as_deref(), Some("pruefung@example.org"));
    assert!(f.activate_duplicate_failsafe);
    assert_eq!(stored.pdf_pages, Some(2));
    assert!(
        stored.error_codes.iter().all(|c| !c.starts_with('W')),
        "{:?}",
        stored.error_codes
    );
}
