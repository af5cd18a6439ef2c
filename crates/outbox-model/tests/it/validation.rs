//! Table tests of the validation rules: every problem is reported at once, with its code.

use outbox_model::*;

fn codes(p: &Problems) -> Vec<ProblemCode> {
    p.codes()
}

#[test]
fn postal_address_table() {
    use ProblemCode::*;
    let long = "x".repeat(81);
    let cases: Vec<(&str, PostalAddress, Vec<ProblemCode>)> = vec![
        (
            "valid domestic",
            PostalAddress::domestic(["Eheleute Müller", "Lindenstraße 5"], "50667", "Köln"),
            vec![],
        ),
        (
            "valid domestic, 5 lines",
            PostalAddress::domestic(["A", "B", "C", "D", "E"], "10115", "Berlin"),
            vec![],
        ),
        (
            "valid foreign",
            PostalAddress::foreign(
                ["Alois Huber", "Hauptplatz 1"],
                "1010",
                "Wien",
                "ÖSTERREICH",
            ),
            vec![],
        ),
        (
            "valid foreign without zip",
            PostalAddress::foreign(["Mr Smith", "1 Main St"], "", "Dublin", "IRLAND"),
            vec![],
        ),
        (
            "empty",
            PostalAddress::default(),
            vec![AddressLine1Missing, AddressZipMissing, AddressCityInvalid],
        ),
        (
            "zip with letters",
            PostalAddress::domestic(["A"], "5066X", "Köln"),
            vec![AddressZipInvalid],
        ),
        (
            "zip 4 digits",
            PostalAddress::domestic(["A"], "5066", "Köln"),
            vec![AddressZipInvalid],
        ),
        (
            "zip with blank",
            PostalAddress::domestic(["A"], "506 67", "Köln"),
            vec![AddressZipInvalid],
        ),
        (
            "line too long",
            PostalAddress::domestic([long.as_str()], "50667", "Köln"),
            vec![AddressLineTooLong],
        ),
        (
            "six lines domestic",
            PostalAddress::domestic(["A", "B", "C", "D", "E", "F"], "50667", "Köln"),
            vec![AddressTooManyLines],
        ),
        (
            "five lines foreign",
            PostalAddress::foreign(["A", "B", "C", "D", "E"], "1010", "Wien", "ÖSTERREICH"),
            vec![AddressTooManyLines],
        ),
        (
            "zip and city in a line",
            PostalAddress::domestic(["A", "Weg 1", "50667 Köln"], "50667", "Köln"),
            vec![AddressZipCityInLines],
        ),
        (
            "city alone in a line",
            PostalAddress::domestic(["A", "Köln"], "50667", "Köln"),
            vec![AddressZipCityInLines],
        ),
        (
            "blank middle line",
            PostalAddress::domestic(["A", "", "Weg 1"], "50667", "Köln"),
            vec![AddressLineInvalid],
        ),
        (
            "line break in a line",
            PostalAddress::domestic(["A\nB"], "50667", "Köln"),
            vec![AddressLineInvalid],
        ),
        (
            "country lower case",
            PostalAddress::foreign(["A"], "1010", "Wien", "Österreich"),
            vec![AddressCountryInvalid],
        ),
        (
            "country Deutschland",
            PostalAddress::foreign(["A"], "50667", "Köln", "DEUTSCHLAND"),
            vec![AddressCountryDomestic],
        ),
        (
            "foreign zip too short",
            PostalAddress::foreign(["A"], "12", "Vaduz", "LIECHTENSTEIN"),
            vec![AddressZipInvalid],
        ),
        (
            "everything wrong at once",
            PostalAddress::foreign(["", "B", "C", "D", "E"], "1", "", "italien"),
            vec![
                AddressLine1Missing,
                AddressTooManyLines,
                AddressZipInvalid,
                AddressCityInvalid,
                AddressCountryInvalid,
            ],
        ),
    ];
    for (name, addr, expected) in cases {
        let got = addr.validate();
        assert_eq!(codes(&got), expected, "case `{name}`: {got}");
        for p in &got.0 {
            assert!(
                !p.message_de.is_empty() && !p.message_en.is_empty(),
                "case `{name}`"
            );
            assert!(
                p.field.starts_with("address."),
                "case `{name}`: field {}",
                p.field
            );
        }
    }
}

#[test]
fn printed_lines_put_zip_city_and_country_last() {
    let a = PostalAddress::foreign(
        ["Alois Huber", "Hauptplatz 1"],
        "1010",
        "Wien",
        "ÖSTERREICH",
    );
    assert_eq!(
        a.printed_lines(),
        ["Alois Huber", "Hauptplatz 1", "1010 Wien", "ÖSTERREICH"]
    );
    let d = PostalAddress::domestic(["Eheleute Müller", "Lindenstraße 5"], "50667", "Köln");
    assert_eq!(
        d.printed_lines(),
        ["Eheleute Müller", "Lindenstraße 5", "50667 Köln"]
    );
}

#[test]
fn email_table() {
    let valid = [
        "a@example.de",
        "vorname.nachname@sub.example.co.uk",
        "x+tag@example.org",
        "jürgen@müller.de",
        "  padded@example.de ",
    ];
    for v in valid {
        assert!(EmailAddress::parse(v).is_ok(), "{v} should be valid");
    }
    let invalid = [
        "",
        "plain",
        "@example.de",
        "a@",
        "a@localhost",
        "a..b@example.de",
        ".a@example.de",
        "a@-x.de",
        "a@x..de",
        "a b@example.de",
        "a@exa mple.de",
    ];
    for v in invalid {
        let err = EmailAddress::parse(v).expect_err(v);
        assert!(
            err.to_string().contains("not a valid e-mail address"),
            "{v}: {err}"
        );
        assert_eq!(
            err.to_problem("contact.email").code,
            ProblemCode::EmailInvalid
        );
    }
}

#[test]
fn settings_table() {
    use ProblemCode::*;
    let base = SendSettings::default();
    assert!(base.validate().is_empty());
    let with = |f: &dyn Fn(&mut SendSettings)| {
        let mut s = base.clone();
        f(&mut s);
        codes(&s.validate())
    };
    assert_eq!(with(&|s| s.email_share.validity_days = 9), vec![]);
    assert_eq!(with(&|s| s.email_share.validity_days = 1), vec![]);
    assert_eq!(
        with(&|s| s.email_share.validity_days = 0),
        vec![ShareValidityOutOfRange]
    );
    assert_eq!(
        with(&|s| s.email_share.validity_days = 10),
        vec![ShareValidityOutOfRange]
    );
    assert_eq!(with(&|s| s.email.max_documents = 0), vec![MaxDocumentsZero]);
    assert_eq!(with(&|s| s.email.max_megabytes = 0), vec![MaxMegabytesZero]);
    assert_eq!(
        with(&|s| s.portal.category = " ".into()),
        vec![PortalCategoryInvalid]
    );
    assert_eq!(
        with(&|s| {
            s.epost.duplex = true;
            s.epost.registered = RegisteredMail::Einschreiben;
        }),
        vec![DuplexWithRegisteredMail]
    );
    assert_eq!(with(&|s| s.epost.duplex = true), vec![]);
    assert_eq!(
        with(&|s| {
            s.email_share.validity_days = 10;
            s.email.max_documents = 0;
            s.email.max_megabytes = 0;
            s.epost.duplex = true;
            s.epost.registered = RegisteredMail::EinwurfEinschreiben;
        }),
        vec![
            ShareValidityOutOfRange,
            MaxDocumentsZero,
            MaxMegabytesZero,
            DuplexWithRegisteredMail
        ]
    );
}

#[test]
fn epost_letter_rules_need_settings_and_address() {
    use ProblemCode::*;
    let domestic = PostalAddress::domestic(["A", "Weg 1"], "50667", "Köln");
    let foreign = PostalAddress::foreign(["A", "Platz 1"], "1010", "Wien", "ÖSTERREICH");
    let registered = EpostSettings {
        registered: RegisteredMail::Einschreiben,
        ..Default::default()
    };
    assert!(validate_epost_letter(&registered, &domestic).is_empty());
    assert_eq!(
        validate_epost_letter(&registered, &foreign).codes(),
        vec![RegisteredMailForeign]
    );
    let both = EpostSettings {
        duplex: true,
        ..registered.clone()
    };
    assert_eq!(
        validate_epost_letter(&both, &foreign).codes(),
        vec![DuplexWithRegisteredMail, RegisteredMailForeign]
    );
    assert_eq!(RegisteredMailForeign.as_str(), "epost.E311");
    assert_eq!(DuplexWithRegisteredMail.as_str(), "epost.E312");
}

#[test]
fn readiness_per_route() {
    let mut c = Contact::new(ContactId(1), TenantId(1), "Huber");
    let epost = EpostSettings::default();
    let codes = |c: Option<&Contact>, r: Route, access: bool| -> Vec<&'static str> {
        check_recipient(r, c, &epost, access)
            .iter()
            .map(|p| p.code())
            .collect()
    };
    assert_eq!(codes(None, Route::Email, true), ["no_recipient"]);
    assert_eq!(
        codes(Some(&c), Route::EpostLetter, false),
        ["incomplete_address", "no_epost_access"]
    );
    assert_eq!(codes(Some(&c), Route::Email, true), ["no_email_address"]);
    assert_eq!(
        codes(Some(&c), Route::EmailShare, true),
        ["no_email_address"]
    );
    assert_eq!(
        codes(Some(&c), Route::PortalShare, true),
        ["no_portal_account"]
    );
    c.email = Some("huber@".into());
    assert_eq!(
        codes(Some(&c), Route::Email, true),
        ["invalid_email_address"]
    );
    c.email = Some("huber@example.at".into());
    c.portal_account = Some("huber".into());
    c.address = Some(PostalAddress::domestic(["Huber", "Weg 1"], "50667", "Köln"));
    for r in Route::ALL {
        assert!(codes(Some(&c), r, true).is_empty(), "{r:?}");
    }
    assert_eq!(c.validate(), Problems::default());
}

#[test]
fn document_validation_includes_settings() {
    let doc = Document {
        id: DocumentId(1),
        tenant: TenantId(1),
        title: " ".into(),
        file_name: "a.pdf".into(),
        page_count: 1,
        size_bytes: 1,
        author: "a".into(),
        created_at: chrono::Utc::now(),
        source_reference: None,
        recipients: vec![],
        settings: SendSettings {
            email_share: EmailShareSettings { validity_days: 0 },
            ..Default::default()
        },
    };
    assert_eq!(
        doc.validate().codes(),
        vec![
            ProblemCode::DocumentFieldInvalid,
            ProblemCode::ShareValidityOutOfRange
        ]
    );
}
