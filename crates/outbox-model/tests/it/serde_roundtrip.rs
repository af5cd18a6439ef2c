//! Every public type survives a JSON round trip unchanged, and the stable names stay stable.

use chrono::{TimeZone, Utc};
use outbox_model::*;
use serde::{Serialize, de::DeserializeOwned};

fn roundtrip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) -> String {
    let json = serde_json::to_string(value).expect("serialize");
    let back: T = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(&back, value, "round trip changed the value; json = {json}");
    json
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 9, 30, 0).unwrap()
}

fn contact() -> Contact {
    let mut c = Contact::new(ContactId(7), TenantId(1), "Eheleute Müller");
    c.address = Some(PostalAddress::domestic(
        ["Eheleute Müller", "Lindenstraße 5"],
        "50667",
        "Köln",
    ));
    c.email = Some("mueller@example.de".into());
    c.portal_account = Some("mueller".into());
    c.preferred_routes = RouteSet::try_from_routes([Route::Email, Route::EpostLetter]).unwrap();
    c
}

#[test]
fn ids_roundtrip_as_numbers() {
    assert_eq!(roundtrip(&TenantId(1)), "1");
    assert_eq!(roundtrip(&ContactId(2)), "2");
    assert_eq!(roundtrip(&DocumentId(3)), "3");
    assert_eq!(roundtrip(&DeliveryId(4)), "4");
    assert_eq!(roundtrip(&CollectorId(5)), "5");
    assert_eq!(roundtrip(&MailAccountId(6)), "6");
    assert_eq!("42".parse::<DeliveryId>().unwrap(), DeliveryId(42));
    assert_eq!(DeliveryId(42).to_string(), "42");
    let err = "x1".parse::<DeliveryId>().unwrap_err();
    assert_eq!(err.kind, "delivery");
    assert!(err.to_string().contains("x1"));
}

#[test]
fn routes_have_stable_names_and_labels() {
    let names: Vec<String> = Route::ALL.iter().map(roundtrip).collect();
    assert_eq!(
        names,
        [
            "\"epost_letter\"",
            "\"email\"",
            "\"portal_share\"",
            "\"email_share\""
        ]
    );
    let de: Vec<&str> = Route::ALL.iter().map(|r| r.label(Language::De)).collect();
    assert_eq!(
        de,
        [
            "E-Post-Brief",
            "E-Mail",
            "Portal-Freigabe",
            "E-Mail-Freigabe"
        ]
    );
    for r in Route::ALL {
        assert_eq!(r.as_str().parse::<Route>().unwrap(), r);
        assert!(!r.label(Language::En).is_empty());
    }
    assert!("fax".parse::<Route>().is_err());
}

#[test]
fn route_set_rejects_duplicates_on_input() {
    let set = RouteSet::try_from_routes([Route::PortalShare, Route::Email]).unwrap();
    assert_eq!(roundtrip(&set), r#"["portal_share","email"]"#);
    assert!(serde_json::from_str::<RouteSet>(r#"["email","email"]"#).is_err());
    assert_eq!(
        RouteSet::try_from_routes([Route::Email, Route::Email]),
        Err(DuplicateRoute(Route::Email))
    );
}

#[test]
fn registered_mail_maps_to_exact_api_strings() {
    use RegisteredMail::*;
    let cases = [
        (None, Option::<&str>::None),
        (EinwurfEinschreiben, Some("Einwurf Einschreiben")),
        (Einschreiben, Some("Einschreiben")),
        (EinschreibenRueckschein, Some("Einschreiben Rückschein")),
    ];
    for (variant, api) in cases {
        assert_eq!(variant.api_value(), api);
        assert_eq!(RegisteredMail::from_api_value(api), Some(variant));
        roundtrip(&variant);
    }
    assert_eq!(
        RegisteredMail::from_api_value(Some("Einschreiben Rueckschein")),
        Option::None
    );
}

#[test]
fn domain_records_roundtrip() {
    roundtrip(&contact());
    roundtrip(&PostalAddress::foreign(
        ["Herrn Alois Huber", "Hauptplatz 1"],
        "1010",
        "Wien",
        "ÖSTERREICH",
    ));
    roundtrip(&SendSettings::default());
    roundtrip(&Tenant {
        id: TenantId(1),
        name: "HV Sonnenschein".into(),
    });
    roundtrip(&Collector {
        id: CollectorId(9),
        tenant: TenantId(1),
        name: "ETV 2027".into(),
        documents: vec![DocumentId(1), DocumentId(2)],
        created_by: "alice".into(),
        created_at: t0(),
    });
    roundtrip(&EditLock {
        document: DocumentId(1),
        owner: "bob".into(),
        expires_at: t0(),
    });
    roundtrip(&DownloadRecord {
        delivery: DeliveryId(1),
        document: DocumentId(2),
        route: Route::EmailShare,
        at: t0(),
        by: "203.0.113.7".into(),
    });
    roundtrip(&Document {
        id: DocumentId(3),
        tenant: TenantId(1),
        title: "Einladung zur Eigentümerversammlung".into(),
        file_name: "einladung.pdf".into(),
        page_count: 4,
        size_bytes: 123_456,
        author: "alice".into(),
        created_at: t0(),
        source_reference: Some("weg-12/etv-2027".into()),
        recipients: vec![ContactId(7)],
        settings: SendSettings::default(),
    });
    let mut d = Delivery::new(
        DeliveryId(1),
        TenantId(1),
        ContactId(7),
        Route::EpostLetter,
        vec![DocumentId(3)],
        t0(),
        "alice",
    );
    d.transition(DeliveryStatus::Queued, t0(), "alice").unwrap();
    d.transition(DeliveryStatus::InProgress, t0(), "worker-1")
        .unwrap();
    d.transition(
        DeliveryStatus::failed("E302: Sperrbereich", false),
        t0(),
        "poller",
    )
    .unwrap();
    roundtrip(&d);
    roundtrip(&Progress::from_statuses([&d.status]));
    roundtrip(&EmailAddress::parse("a.b@example.de").unwrap());
    assert!(serde_json::from_str::<EmailAddress>("\"not-an-address\"").is_err());
}

#[test]
fn statuses_roundtrip_with_stable_tags() {
    let all = [
        DeliveryStatus::Prepared,
        DeliveryStatus::Queued,
        DeliveryStatus::InProgress,
        DeliveryStatus::Sent,
        DeliveryStatus::Downloaded,
        DeliveryStatus::failed("SMTP 451", true),
        DeliveryStatus::Cancelled,
    ];
    for s in &all {
        let json = roundtrip(s);
        assert!(
            json.contains(&format!("\"state\":\"{}\"", s.kind().as_str())),
            "{json}"
        );
        assert_eq!(StatusKind::parse(s.kind().as_str()), Some(s.kind()));
        roundtrip(&s.kind());
    }
    assert_eq!(StatusKind::Prepared.label(Language::De), "vorbereiten");
    assert_eq!(StatusKind::Failed.label(Language::De), "fehlgeschlagen");
}

#[test]
fn problems_and_readiness_roundtrip() {
    let problems = PostalAddress::default().validate();
    assert!(!problems.is_empty());
    roundtrip(&problems);
    let r = vec![
        ReadinessProblem::NoRecipient,
        ReadinessProblem::IncompleteAddress {
            problems: problems.0.clone(),
        },
        ReadinessProblem::SenderIncomplete {
            problems: problems.0.clone(),
        },
        ReadinessProblem::InvalidSettings {
            problems: problems.0.clone(),
        },
        ReadinessProblem::NoMailAccount {
            reason: "no standard account".into(),
        },
        ReadinessProblem::NoEmailAddress,
        ReadinessProblem::InvalidEmailAddress {
            address: "x@".into(),
        },
        ReadinessProblem::NoPortalAccount,
        ReadinessProblem::NoEpostAccess,
        ReadinessProblem::PdfUnusable {
            reason: "encrypted".into(),
        },
        ReadinessProblem::OverLimit {
            what: "95 pages > 94".into(),
        },
        ReadinessProblem::DocumentLocked {
            by: "bob".into(),
            until: t0(),
        },
    ];
    roundtrip(&r);
    for p in &r {
        assert!(!p.message(Language::De).is_empty());
        assert!(!p.message(Language::En).is_empty());
    }
}
