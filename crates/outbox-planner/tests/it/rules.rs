//! Table tests: one case per planner rule, split reason and failure reason.

use outbox_model::{ContactId, DocumentId, MailAccountId, RegisteredMail, Route, SendSettings};
use outbox_planner::{
    CostModel, DocumentIndex, FailureReason, PlanDocument, PlanError, PlanInput, Planner,
    PriceColumns, PriceTable, PriceTier, RegisteredSurcharges, SplitReason,
};

const MB: u64 = 1_000_000;

/// A document: pages, bytes, and a settings tweak.
struct Doc(u32, u64, fn(&mut SendSettings));

fn plain(_: &mut SendSettings) {}

/// Plans the documents for one recipient on one route; returns each delivery as
/// (document positions, split reason), and the failures as (document position, reason).
type Deliveries = Vec<(Vec<u32>, Option<SplitReason>)>;
type Failures = Vec<(u32, FailureReason)>;

fn plan_one(route: Route, docs: &[Doc]) -> (Deliveries, Failures) {
    let mut input = PlanInput::new();
    let owner = input.recipient(ContactId(1)).unwrap();
    for (i, Doc(pages, bytes, tweak)) in docs.iter().enumerate() {
        let mut settings = SendSettings::default();
        tweak(&mut settings);
        let d = input
            .add_document(PlanDocument {
                id: DocumentId(100 + i as u64),
                pages: *pages,
                bytes: *bytes,
                settings,
            })
            .unwrap();
        input.add_item(d, owner, route);
    }
    let plan = Planner::default().plan(&input).unwrap();
    let deliveries = plan
        .deliveries()
        .map(|d| (d.documents.iter().map(|x| x.0).collect(), d.split))
        .collect();
    let failures = plan
        .failures()
        .iter()
        .map(|f| (f.document.0, f.reason))
        .collect();
    (deliveries, failures)
}

fn deliveries(route: Route, docs: &[Doc]) -> Deliveries {
    let (d, f) = plan_one(route, docs);
    assert!(f.is_empty(), "unexpected failures {f:?}");
    d
}

#[test]
fn split_reasons_table() {
    use Route::*;
    use SplitReason::*;
    type Case = (
        &'static str,
        Route,
        Vec<Doc>,
        Vec<(Vec<u32>, Option<SplitReason>)>,
    );
    let cases: Vec<Case> = vec![
        (
            "compatible documents make one letter",
            EpostLetter,
            vec![Doc(3, MB, plain), Doc(6, MB, plain), Doc(2, MB, plain)],
            vec![(vec![0, 1, 2], None)],
        ),
        (
            "a document without bundling goes alone, the others combine around it",
            EpostLetter,
            vec![
                Doc(1, MB, plain),
                Doc(1, MB, |s| s.bundled = false),
                Doc(1, MB, plain),
            ],
            vec![(vec![0, 2], None), (vec![1], Some(NotBundled))],
        ),
        (
            "two documents without bundling: one delivery each",
            Email,
            vec![
                Doc(1, MB, |s| s.bundled = false),
                Doc(1, MB, |s| s.bundled = false),
            ],
            vec![(vec![0], Some(NotBundled)), (vec![1], Some(NotBundled))],
        ),
        (
            "registered mail differs",
            EpostLetter,
            vec![
                Doc(1, MB, plain),
                Doc(1, MB, |s| s.epost.registered = RegisteredMail::Einschreiben),
            ],
            vec![(vec![0], None), (vec![1], Some(RegisteredDiffers))],
        ),
        (
            "registered kinds differ among themselves",
            EpostLetter,
            vec![
                Doc(1, MB, |s| {
                    s.epost.registered = RegisteredMail::EinwurfEinschreiben
                }),
                Doc(1, MB, |s| {
                    s.epost.registered = RegisteredMail::EinschreibenRueckschein
                }),
            ],
            vec![(vec![0], None), (vec![1], Some(RegisteredDiffers))],
        ),
        (
            "colour differs; same-colour documents still combine across the gap",
            EpostLetter,
            vec![
                Doc(1, MB, |s| s.epost.color = true),
                Doc(1, MB, plain),
                Doc(1, MB, |s| s.epost.color = true),
            ],
            vec![(vec![0, 2], None), (vec![1], Some(ColorDiffers))],
        ),
        (
            "duplex differs",
            EpostLetter,
            vec![Doc(1, MB, plain), Doc(1, MB, |s| s.epost.duplex = true)],
            vec![(vec![0], None), (vec![1], Some(DuplexDiffers))],
        ),
        (
            "cover sheet differs",
            EpostLetter,
            vec![
                Doc(1, MB, plain),
                Doc(1, MB, |s| s.epost.cover_sheet = false),
            ],
            vec![(vec![0], None), (vec![1], Some(CoverSheetDiffers))],
        ),
        (
            "registered is named before colour when both differ",
            EpostLetter,
            vec![
                Doc(1, MB, plain),
                Doc(1, MB, |s| {
                    s.epost.color = true;
                    s.epost.registered = RegisteredMail::Einschreiben;
                }),
            ],
            vec![(vec![0], None), (vec![1], Some(RegisteredDiffers))],
        ),
        (
            "exactly 94 pages with the cover sheet fit one letter",
            EpostLetter,
            vec![Doc(50, MB, plain), Doc(43, MB, plain)],
            vec![(vec![0, 1], None)],
        ),
        (
            "95 pages with the cover sheet are split",
            EpostLetter,
            vec![Doc(50, MB, plain), Doc(44, MB, plain)],
            vec![(vec![0], None), (vec![1], Some(Over94Pages))],
        ),
        (
            "greedy in-order filling: 1+40+40+10 = 91 pages, the last 10 go on",
            EpostLetter,
            vec![
                Doc(40, MB, plain),
                Doc(40, MB, plain),
                Doc(10, MB, plain),
                Doc(10, MB, plain),
            ],
            vec![(vec![0, 1, 2], None), (vec![3], Some(Over94Pages))],
        ),
        (
            "exactly 20 MB fit one letter",
            EpostLetter,
            vec![Doc(1, 12 * MB, plain), Doc(1, 8 * MB, plain)],
            vec![(vec![0, 1], None)],
        ),
        (
            "over 20 MB is split",
            EpostLetter,
            vec![Doc(1, 12 * MB, plain), Doc(1, 8 * MB + 1, plain)],
            vec![(vec![0], None), (vec![1], Some(Over20Megabytes))],
        ),
        (
            "e-mail account differs",
            Email,
            vec![
                Doc(1, MB, plain),
                Doc(1, MB, |s| s.email.account = Some(MailAccountId(2))),
            ],
            vec![(vec![0], None), (vec![1], Some(AccountDiffers))],
        ),
        (
            "max documents per mail reached",
            Email,
            vec![
                Doc(1, MB, |s| s.email.max_documents = 2),
                Doc(1, MB, |s| s.email.max_documents = 2),
                Doc(1, MB, |s| s.email.max_documents = 2),
            ],
            vec![(vec![0, 1], None), (vec![2], Some(MaxDocumentsReached))],
        ),
        (
            "the strictest max documents of the mail's documents applies",
            Email,
            vec![Doc(1, MB, plain), Doc(1, MB, |s| s.email.max_documents = 1)],
            vec![(vec![0], None), (vec![1], Some(MaxDocumentsReached))],
        ),
        (
            "max MB per mail reached",
            Email,
            vec![
                Doc(1, 3 * MB, |s| s.email.max_megabytes = 5),
                Doc(1, 3 * MB, |s| s.email.max_megabytes = 5),
            ],
            vec![(vec![0], None), (vec![1], Some(MaxMegabytesReached))],
        ),
        (
            "max MB is inclusive",
            Email,
            vec![
                Doc(1, 2 * MB, |s| s.email.max_megabytes = 5),
                Doc(1, 3 * MB, |s| s.email.max_megabytes = 5),
            ],
            vec![(vec![0, 1], None)],
        ),
        (
            "e-mail share validity differs",
            EmailShare,
            vec![
                Doc(1, MB, plain),
                Doc(1, MB, |s| s.email_share.validity_days = 3),
            ],
            vec![(vec![0], None), (vec![1], Some(ValidityDiffers))],
        ),
        (
            "portal category differs",
            PortalShare,
            vec![
                Doc(1, MB, plain),
                Doc(1, MB, |s| s.portal.category = "Protokolle".into()),
            ],
            vec![(vec![0], None), (vec![1], Some(CategoryDiffers))],
        ),
        (
            "E-POST settings do not split an e-mail",
            Email,
            vec![
                Doc(1, MB, plain),
                Doc(1, MB, |s| {
                    s.epost.color = true;
                    s.epost.registered = RegisteredMail::Einschreiben;
                }),
            ],
            vec![(vec![0, 1], None)],
        ),
        (
            "portals have no size limit",
            PortalShare,
            vec![Doc(500, 400 * MB, plain), Doc(500, 400 * MB, plain)],
            vec![(vec![0, 1], None)],
        ),
    ];
    for (name, route, docs, expected) in cases {
        assert_eq!(deliveries(route, &docs), expected, "{name}");
    }
}

#[test]
fn failure_reasons_table() {
    use FailureReason::*;
    use Route::*;
    type Case = (&'static str, Route, Doc, Option<FailureReason>);
    let cases: Vec<Case> = vec![
        (
            "94 pages with cover fit",
            EpostLetter,
            Doc(93, MB, plain),
            None,
        ),
        (
            "94 pages and the cover are 95",
            EpostLetter,
            Doc(94, MB, plain),
            Some(EpostOver94Pages),
        ),
        (
            "94 pages without cover fit",
            EpostLetter,
            Doc(94, MB, |s| s.epost.cover_sheet = false),
            None,
        ),
        (
            "over 20 MB",
            EpostLetter,
            Doc(1, 20 * MB + 1, plain),
            Some(EpostOver20Megabytes),
        ),
        (
            "no pages",
            EpostLetter,
            Doc(0, 1, plain),
            Some(EpostNoPages),
        ),
        (
            "duplex with registered mail",
            EpostLetter,
            Doc(1, MB, |s| {
                s.epost.duplex = true;
                s.epost.registered = RegisteredMail::Einschreiben;
            }),
            Some(EpostDuplexWithRegistered),
        ),
        (
            "single document larger than max MB",
            Email,
            Doc(1, 10 * MB + 1, plain),
            Some(EmailOverMaxMegabytes),
        ),
        (
            "exactly max MB is fine",
            Email,
            Doc(1, 10 * MB, plain),
            None,
        ),
        (
            "max documents 0",
            Email,
            Doc(1, MB, |s| s.email.max_documents = 0),
            Some(EmailMaxDocumentsZero),
        ),
        (
            "validity 0 days",
            EmailShare,
            Doc(1, MB, |s| s.email_share.validity_days = 0),
            Some(ShareValidityOutOfRange),
        ),
        (
            "validity 10 days",
            EmailShare,
            Doc(1, MB, |s| s.email_share.validity_days = 10),
            Some(ShareValidityOutOfRange),
        ),
        (
            "a 25 MB upload to the portal is fine",
            PortalShare,
            Doc(1, 25 * MB, plain),
            None,
        ),
    ];
    for (name, route, doc, expected) in cases {
        let (d, f) = plan_one(route, &[doc]);
        match expected {
            Some(reason) => {
                assert_eq!(f, vec![(0, reason)], "{name}");
                assert!(d.is_empty(), "{name}");
            }
            None => {
                assert!(f.is_empty(), "{name}: {f:?}");
                assert_eq!(d, vec![(vec![0], None)], "{name}");
            }
        }
    }
}

#[test]
fn a_failing_document_does_not_break_the_others_apart() {
    let (d, f) = plan_one(
        Route::Email,
        &[Doc(1, MB, plain), Doc(1, 11 * MB, plain), Doc(1, MB, plain)],
    );
    assert_eq!(d, vec![(vec![0, 2], None)]);
    assert_eq!(f, vec![(1, FailureReason::EmailOverMaxMegabytes)]);
}

#[test]
fn routes_and_recipients_never_share_a_delivery() {
    let mut input = PlanInput::new();
    let doc = |id| PlanDocument {
        id: DocumentId(id),
        pages: 2,
        bytes: MB,
        settings: SendSettings::default(),
    };
    let a = input.add_document(doc(1)).unwrap();
    let b = input.add_document(doc(2)).unwrap();
    let r1 = input.recipient(ContactId(10)).unwrap();
    let r2 = input.recipient(ContactId(20)).unwrap();
    assert_eq!(input.recipient(ContactId(10)).unwrap(), r1);
    for d in [a, b] {
        input.add_item(d, r1, Route::EpostLetter);
        input.add_item(d, r1, Route::Email);
        input.add_item(d, r2, Route::EpostLetter);
    }
    let plan = Planner::default().plan(&input).unwrap();
    let got: Vec<_> = plan
        .deliveries()
        .map(|d| (d.contact, d.route, d.documents.to_vec(), d.split))
        .collect();
    assert_eq!(
        got,
        vec![
            (ContactId(10), Route::EpostLetter, vec![a, b], None),
            (ContactId(10), Route::Email, vec![a, b], None),
            (ContactId(20), Route::EpostLetter, vec![a, b], None),
        ]
    );
}

#[test]
fn pages_sheets_and_cost_of_a_letter() {
    let mut input = PlanInput::new();
    let owner = input.recipient(ContactId(1)).unwrap();
    let mut settings = SendSettings::default();
    settings.epost.duplex = true;
    settings.epost.color = true;
    for (id, pages) in [(1, 3), (2, 4)] {
        let d = input
            .add_document(PlanDocument {
                id: DocumentId(id),
                pages,
                bytes: 100_000,
                settings: settings.clone(),
            })
            .unwrap();
        input.add_item(d, owner, Route::EpostLetter);
    }
    let plan = Planner::default().plan(&input).unwrap();
    let letter = plan.delivery(0).unwrap();
    // Cover sheet (own sheet) + ceil(7 / 2) sheets; 8 pages.
    assert_eq!((letter.pages, letter.sheets, letter.bytes), (8, 5, 200_000));
    assert_eq!(letter.cost_cents, 295); // Groß, colour duplex
    let p = plan.preview();
    // Separately: cover + ceil(3/2) = 3 sheets and cover + 2 = 3 sheets, Kompakt each.
    assert_eq!(p.separate.epost_cost_cents, 2 * 152);
    assert_eq!(p.combined.epost_cost_cents, 295);
    assert_eq!(p.epost_saving_cents(), 304 - 295);
    assert_eq!(
        (
            p.separate.largest_letter_pages,
            p.combined.largest_letter_pages
        ),
        (5, 8)
    );
}

#[test]
fn registered_surcharge_is_charged_once_per_combined_letter() {
    let (mut input, owner) = (PlanInput::new(), ContactId(1));
    let r = input.recipient(owner).unwrap();
    let mut settings = SendSettings::default();
    settings.epost.registered = RegisteredMail::EinwurfEinschreiben;
    for id in 1..=3 {
        let d = input
            .add_document(PlanDocument {
                id: DocumentId(id),
                pages: 1,
                bytes: 1,
                settings: settings.clone(),
            })
            .unwrap();
        input.add_item(d, r, Route::EpostLetter);
    }
    let plan = Planner::default().plan(&input).unwrap();
    let p = plan.preview();
    // Combined: cover + 3 pages = 4 sheets (Kompakt) + one surcharge.
    assert_eq!(p.combined.epost_cost_cents, 112 + 235);
    // Separately: 3 × (2 sheets Kompakt + surcharge).
    assert_eq!(p.separate.epost_cost_cents, 3 * (112 + 235));
}

#[test]
fn the_price_table_and_surcharges_are_configurable() {
    let cols = |c| PriceColumns {
        bw_simplex: c,
        bw_duplex: c,
        color_simplex: c,
        color_duplex: c,
    };
    let table = PriceTable::new(
        vec![PriceTier {
            name: "flat".into(),
            max_sheets: 2,
            prices: cols(100),
        }],
        cols(10),
    )
    .unwrap();
    let planner = Planner::new(CostModel {
        prices: table,
        registered: RegisteredSurcharges {
            einwurf_einschreiben: 1,
            einschreiben: 2,
            einschreiben_rueckschein: 3,
        },
    });
    let mut input = PlanInput::new();
    let r = input.recipient(ContactId(1)).unwrap();
    let mut settings = SendSettings::default();
    settings.epost.registered = RegisteredMail::EinschreibenRueckschein;
    let d = input
        .add_document(PlanDocument {
            id: DocumentId(1),
            pages: 4,
            bytes: 1,
            settings,
        })
        .unwrap();
    input.add_item(d, r, Route::EpostLetter);
    let plan = planner.plan(&input).unwrap();
    // 5 sheets: 100 for two, 3 × 10 extra, 3 surcharge.
    assert_eq!(plan.delivery(0).unwrap().cost_cents, 133);
}

#[test]
fn preview_counts_recipients_deliveries_and_sizes() {
    let mut input = PlanInput::new();
    let mut add = |id, bundled| {
        input
            .add_document(PlanDocument {
                id: DocumentId(id),
                pages: 2,
                bytes: 1_000,
                settings: SendSettings {
                    bundled,
                    ..SendSettings::default()
                },
            })
            .unwrap()
    };
    let (a, b, c) = (add(1, true), add(2, true), add(3, false));
    let r1 = input.recipient(ContactId(1)).unwrap();
    let r2 = input.recipient(ContactId(2)).unwrap();
    for d in [a, b, c] {
        input.add_item(d, r1, Route::EpostLetter);
        input.add_item(d, r2, Route::PortalShare);
        input.add_item(d, r2, Route::EmailShare);
    }
    let plan = Planner::default().plan(&input).unwrap();
    let p = plan.preview();
    for row in [&p.separate, &p.combined] {
        assert_eq!(row.recipients, 2);
        assert_eq!(row.recipients_per_route.0, [1, 0, 1, 1]);
        assert_eq!(row.total_bytes, 9_000);
    }
    assert_eq!(p.separate.deliveries.0, [3, 0, 3, 3]);
    assert_eq!(p.combined.deliveries.0, [2, 0, 2, 2]);
    assert_eq!(p.combined.largest_letter_pages, 5);
    assert_eq!(p.separate.largest_letter_pages, 3);
    assert_eq!(p.failures, 0);
    let table = p.render(outbox_model::Language::En);
    assert!(
        table.contains("separate") && table.contains("combined"),
        "{table}"
    );
}

#[test]
fn malformed_inputs_are_errors() {
    let mut input = PlanInput::new();
    let r = input.recipient(ContactId(5)).unwrap();
    input.add_item(DocumentIndex(0), r, Route::Email);
    assert!(matches!(
        Planner::default().plan(&input),
        Err(PlanError::UnknownDocument {
            index: 0,
            documents: 0
        })
    ));

    let mut input = PlanInput::new();
    let d = input
        .add_document(PlanDocument {
            id: DocumentId(9),
            pages: 1,
            bytes: 1,
            settings: SendSettings::default(),
        })
        .unwrap();
    input.add_item(d, outbox_planner::RecipientIndex(3), Route::Email);
    assert!(matches!(
        Planner::default().plan(&input),
        Err(PlanError::UnknownRecipient { index: 3, .. })
    ));

    let mut input2 = PlanInput::new();
    let d = input2
        .add_document(PlanDocument {
            id: DocumentId(9),
            pages: 1,
            bytes: 1,
            settings: SendSettings::default(),
        })
        .unwrap();
    let r = input2.recipient(ContactId(5)).unwrap();
    input2.add_item(d, r, Route::Email);
    input2.add_item(d, r, Route::Email);
    let err = Planner::default().plan(&input2).unwrap_err();
    assert_eq!(
        err,
        PlanError::DuplicateItem {
            document: DocumentId(9),
            recipient: ContactId(5),
            route: Route::Email
        }
    );
    assert!(
        err.to_string()
            .contains("give each (document, recipient, route) once")
    );
}

#[test]
fn reasons_have_german_and_english_texts() {
    use outbox_model::Language::{De, En};
    assert_eq!(
        SplitReason::RegisteredDiffers.label(De),
        "Einschreiben-Option unterscheidet sich"
    );
    assert_eq!(
        SplitReason::RegisteredDiffers.label(En),
        "registered mail differs"
    );
    assert_eq!(SplitReason::Over94Pages.label(De), "über 94 Seiten");
    assert_eq!(SplitReason::Over94Pages.to_string(), "over 94 pages");
    assert_eq!(
        FailureReason::EmailOverMaxMegabytes.label(En),
        "document alone is larger than \"max MB\" per mail"
    );
}

#[test]
fn from_documents_uses_the_route_resolver() {
    use chrono::Utc;
    let doc = |id, recipients: Vec<u64>| outbox_model::Document {
        id: DocumentId(id),
        tenant: outbox_model::TenantId(1),
        title: format!("Dokument {id}"),
        file_name: format!("{id}.pdf"),
        page_count: 2,
        size_bytes: 1_000,
        author: "test".into(),
        created_at: Utc::now(),
        source_reference: None,
        recipients: recipients.into_iter().map(ContactId).collect(),
        settings: SendSettings::default(),
    };
    let docs = [doc(1, vec![1, 2]), doc(2, vec![2])];
    let input = PlanInput::from_documents(&docs, |_, c| {
        if c == ContactId(2) {
            vec![Route::Email, Route::EpostLetter]
        } else {
            vec![Route::EpostLetter]
        }
    })
    .unwrap();
    assert_eq!(input.items().len(), 5);
    assert_eq!(input.recipients(), &[ContactId(1), ContactId(2)]);
    let plan = Planner::default().plan(&input).unwrap();
    assert_eq!(plan.len(), 3);
    assert_eq!(plan.preview().combined.deliveries.0, [2, 1, 0, 0]);
}
