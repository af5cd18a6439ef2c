//! The actions of the outbox screen, over a real SQLite file.

use crate::common;

use std::time::Duration;

use common::*;
use outbox_engine::EngineError;
use outbox_model::*;
use outbox_store::{OverviewItem, OverviewSort, Page};

async fn overview(s: &Setup) -> Vec<outbox_store::OverviewRow> {
    s.engine
        .list_documents(s.tenant, OverviewSort::OldestFirst, Page::first(100))
        .await
        .unwrap()
        .rows
}

#[tokio::test]
async fn add_list_inspect_send() {
    let s = setup().await;
    let a = owner(
        &s,
        1,
        "Eheleute Müller",
        &[Route::EpostLetter, Route::Email],
    )
    .await;
    let b = owner(&s, 2, "Jürgen Weiß", &[Route::PortalShare]).await;
    let doc = s
        .engine
        .add_document(s.tenant, new_doc("Einladung", 3, &[a.id, b.id]))
        .await
        .unwrap();

    let rows = overview(&s).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].item, OverviewItem::Document(doc));
    assert_eq!(rows[0].recipients, 2);
    assert_eq!(
        rows[0].routes,
        vec![Route::EpostLetter, Route::Email, Route::PortalShare]
    );
    assert_eq!((rows[0].progress.prepared, rows[0].progress.total), (3, 3));

    let detail = s.engine.inspect_document(s.tenant, doc).await.unwrap();
    assert_eq!(detail.len(), 3);
    assert!(detail.iter().all(|r| r.status == StatusKind::Prepared));

    let report = s
        .engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    assert_eq!(report.queued.len(), 3, "{report:?}");
    assert!(report.not_ready.is_empty());
    let stats = drain(&s.engine).await;
    assert_eq!(stats.sent, 3);
    let p = overview(&s).await[0].progress;
    // The E-POST letter is in progress at the provider until it is printed.
    assert_eq!((p.in_progress, p.sent), (1, 2));
    assert_eq!(
        s.epost.accepted() + s.email.accepted() + s.portal.accepted(),
        3
    );

    // Poll: the letter is printed, the owner downloads from the portal.
    s.portal.downloads.lock().unwrap().extend(
        detail
            .iter()
            .filter(|r| r.route == Route::PortalShare)
            .map(|r| r.delivery),
    );
    let polled = s.engine.poll_once(s.tenant).await.unwrap();
    assert_eq!(polled.downloads, 1);
    let p = overview(&s).await[0].progress;
    assert_eq!((p.sent, p.downloaded, p.total), (2, 1, 3));
    // The portal reports the same download again: the proof keeps it once.
    let repeat = s.engine.poll_once(s.tenant).await.unwrap();
    assert_eq!(repeat.downloads, 0);
    let portal_delivery = detail
        .iter()
        .find(|r| r.route == Route::PortalShare)
        .unwrap()
        .delivery;
    assert_eq!(
        s.engine
            .store()
            .list_downloads(s.tenant, portal_delivery)
            .await
            .unwrap()
            .len(),
        1
    );
    // The owner downloads again later: the second download is proof too.
    s.portal.downloads.lock().unwrap().push(portal_delivery);
    let later = s.engine.poll_once(s.tenant).await.unwrap();
    assert_eq!(later.downloads, 1);
    assert_eq!(
        s.engine
            .store()
            .list_downloads(s.tenant, portal_delivery)
            .await
            .unwrap()
            .len(),
        2
    );
    // A second poll within 5 s does not ask E-POST again.
    let again = s.engine.poll_once(s.tenant).await.unwrap();
    assert_eq!(again.rate_limited, 0, "nothing open on E-POST any more");
}

#[tokio::test]
async fn not_ready_reasons_are_reported_and_nothing_is_skipped() {
    let s = setup().await;
    let ok = owner(&s, 1, "Anna Schäfer", &[Route::Email]).await;
    let mut no_mail = Contact::new(ContactId(2), s.tenant, "Ohne Mail");
    no_mail.preferred_routes =
        RouteSet::try_from_routes([Route::Email, Route::EpostLetter]).unwrap();
    no_mail.address = Some(PostalAddress::domestic(["Ohne Mail"], "5066", "Köln"));
    s.engine.store().upsert_contact(&no_mail).await.unwrap();
    let doc = s
        .engine
        .add_document(s.tenant, new_doc("Abrechnung", 2, &[ok.id, no_mail.id]))
        .await
        .unwrap();

    let report = s
        .engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    assert_eq!(report.queued.len(), 1);
    assert_eq!(report.not_ready.len(), 2);
    let codes: Vec<Vec<&str>> = report
        .not_ready
        .iter()
        .map(|n| n.problems.iter().map(|p| p.code()).collect())
        .collect();
    assert!(codes.contains(&vec!["no_email_address"]), "{codes:?}");
    assert!(codes.contains(&vec!["incomplete_address"]), "{codes:?}");
    // They stay prepared and show up as such.
    let p = overview(&s).await[0].progress;
    assert_eq!((p.prepared, p.in_progress), (2, 1));

    // Fixing the contact and sending again sends the rest.
    no_mail.email = Some("jetzt@example.de".into());
    no_mail.address = Some(PostalAddress::domestic(["Ohne Mail"], "50667", "Köln"));
    s.engine.store().upsert_contact(&no_mail).await.unwrap();
    let report = s
        .engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    assert_eq!((report.queued.len(), report.not_ready.len()), (2, 0));
}

#[tokio::test]
async fn recipients_without_any_route_are_reported_not_skipped() {
    let s = setup().await;
    let with = owner(&s, 1, "Mit Weg", &[Route::Email]).await;
    let without = owner(&s, 2, "Ohne Weg", &[]).await;
    let doc = s
        .engine
        .add_document(s.tenant, new_doc("Einladung", 1, &[with.id, without.id]))
        .await
        .unwrap();
    let report = s
        .engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    assert_eq!(report.queued.len(), 1);
    assert_eq!(report.without_route, vec![(doc, without.id)]);
    // Adding a route for that recipient makes a delivery for them.
    s.engine
        .add_route(
            s.tenant,
            &[doc],
            Some(without.id),
            Route::PortalShare,
            "alice",
        )
        .await
        .unwrap();
    let report = s
        .engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    assert_eq!((report.queued.len(), report.without_route.len()), (1, 0));
}

#[tokio::test]
async fn route_without_channel_is_not_ready() {
    let s = setup().await;
    let c = owner(&s, 1, "Teilnehmer", &[Route::EmailShare]).await;
    let doc = s
        .engine
        .add_document(s.tenant, new_doc("Protokoll", 1, &[c.id]))
        .await
        .unwrap();
    let report = s
        .engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    assert_eq!(
        report.not_ready[0].problems,
        vec![ReadinessProblem::RouteUnavailable {
            route: Route::EmailShare
        }]
    );
}

#[tokio::test]
async fn edit_lock_blocks_sending_until_released() {
    let s = setup().await;
    let c = owner(&s, 1, "Eigentümer", &[Route::Email]).await;
    let doc = s
        .engine
        .add_document(s.tenant, new_doc("Wirtschaftsplan", 2, &[c.id]))
        .await
        .unwrap();
    s.engine
        .lock_document(s.tenant, doc, "bob", Duration::from_secs(600))
        .await
        .unwrap();
    let err = s
        .engine
        .lock_document(s.tenant, doc, "carol", Duration::from_secs(600))
        .await
        .unwrap_err();
    assert!(
        matches!(err, EngineError::Locked { ref owner, .. } if owner == "bob"),
        "{err}"
    );

    let report = s
        .engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    assert_eq!(report.not_ready[0].problems[0].code(), "document_locked");
    assert!(
        s.engine
            .unlock_document(s.tenant, doc, "bob")
            .await
            .unwrap()
    );
    let report = s
        .engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    assert_eq!(report.queued.len(), 1);

    // A lock taken after queueing holds the delivery back in the dispatcher too.
    s.engine
        .lock_document(s.tenant, doc, "bob", Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(s.engine.dispatch_once().await.unwrap().claimed, 0);
    s.engine
        .unlock_document(s.tenant, doc, "bob")
        .await
        .unwrap();
    assert_eq!(s.engine.dispatch_once().await.unwrap().sent, 1);
}

#[tokio::test]
async fn routes_settings_and_delete() {
    let s = setup().await;
    let a = owner(&s, 1, "A", &[Route::Email]).await;
    let b = owner(&s, 2, "B", &[Route::Email]).await;
    let doc = s
        .engine
        .add_document(s.tenant, new_doc("Einladung", 1, &[a.id, b.id]))
        .await
        .unwrap();
    s.engine
        .add_route(s.tenant, &[doc], Some(b.id), Route::PortalShare, "alice")
        .await
        .unwrap();
    let detail = s.engine.inspect_document(s.tenant, doc).await.unwrap();
    let live: Vec<_> = detail
        .iter()
        .filter(|r| r.status != StatusKind::Cancelled)
        .map(|r| (r.recipient, r.route))
        .collect();
    assert_eq!(live.len(), 3, "{live:?}");
    assert!(live.contains(&(b.id, Route::PortalShare)));

    s.engine
        .remove_route(s.tenant, &[doc], None, Route::Email, "alice")
        .await
        .unwrap();
    let p = overview(&s).await[0].progress;
    assert_eq!((p.prepared, p.total), (1, 1));

    let mut bad = SendSettings::default();
    bad.email_share.validity_days = 10;
    bad.email.max_documents = 0;
    match s.engine.update_settings(s.tenant, doc, &bad, "alice").await {
        Err(EngineError::Invalid(p)) => assert_eq!(p.0.len(), 2),
        other => panic!("expected invalid settings, got {other:?}"),
    }

    // Sent deliveries survive a delete; unsent ones are cancelled.
    s.engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    drain(&s.engine).await;
    s.engine
        .add_route(s.tenant, &[doc], Some(a.id), Route::Email, "alice")
        .await
        .unwrap();
    let cancelled = s
        .engine
        .delete_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    assert_eq!(cancelled, 1);
    assert!(overview(&s).await.is_empty());
    let history = s.engine.inspect_document(s.tenant, doc).await;
    assert!(
        history.is_err()
            || history
                .unwrap()
                .iter()
                .any(|r| r.status == StatusKind::Sent)
    );
}

#[tokio::test]
async fn invalid_pdf_is_refused_with_the_file_name() {
    let s = setup().await;
    let c = owner(&s, 1, "A", &[Route::Email]).await;
    let mut d = new_doc("Kaputt", 1, &[c.id]);
    d.pdf = b"this is not a pdf".to_vec();
    let err = s.engine.add_document(s.tenant, d).await.unwrap_err();
    assert!(matches!(err, EngineError::Pdf { .. }), "{err}");
    assert!(err.to_string().contains("kaputt.pdf"), "{err}");
    assert!(overview(&s).await.is_empty());
}

#[tokio::test]
async fn collector_from_preview_to_sent() {
    let s = setup().await;
    let owners = [
        owner(&s, 1, "Müller", &[Route::EpostLetter]).await,
        owner(&s, 2, "Weiß", &[Route::EpostLetter, Route::Email]).await,
        owner(&s, 3, "Schäfer", &[Route::Email]).await,
    ];
    let ids: Vec<ContactId> = owners.iter().map(|o| o.id).collect();
    let invitation = s
        .engine
        .add_document(s.tenant, new_doc("Einladung", 2, &ids))
        .await
        .unwrap();
    let plan = s
        .engine
        .add_document(s.tenant, new_doc("Wirtschaftsplan", 5, &ids))
        .await
        .unwrap();
    let mut unbundled = new_doc("Vollmacht", 1, &ids[..1]);
    unbundled.settings.bundled = false;
    let proxy = s.engine.add_document(s.tenant, unbundled).await.unwrap();

    let preview = s
        .engine
        .preview_collector(s.tenant, &[invitation, plan, proxy])
        .await
        .unwrap();
    // Separately: 3 docs to Müller (letters), 2 to Weiß by letter and mail, 2 to Schäfer by mail.
    assert_eq!(preview.separate.deliveries.total(), 9);
    // Combined: Müller 2 letters (proxy not bundled), Weiß 1 letter + 1 mail, Schäfer 1 mail.
    assert_eq!(preview.combined.deliveries.total(), 5);
    assert!(preview.epost_saving_cents() > 0);

    let (collector, saved) = s
        .engine
        .create_collector(s.tenant, "ETV 2027", &[invitation, plan, proxy], "alice")
        .await
        .unwrap();
    assert_eq!(saved.combined.deliveries.total(), 5);
    let rows = overview(&s).await;
    assert_eq!(rows.len(), 1, "a collector is one row: {rows:?}");
    assert_eq!(rows[0].item, OverviewItem::Collector(collector.id));
    assert_eq!(rows[0].progress.prepared, 5);

    let report = s
        .engine
        .send_collector(s.tenant, collector.id, "alice")
        .await
        .unwrap();
    assert_eq!(report.queued.len(), 5);
    drain(&s.engine).await;
    assert_eq!(s.epost.accepted() + s.email.accepted(), 5);
    let p = overview(&s).await[0].progress;
    assert_eq!(p.prepared, 0);
    assert_eq!(p.total, 5);
}

#[tokio::test]
async fn dissolving_a_collector_replans_documents_alone() {
    let s = setup().await;
    let o = owner(&s, 1, "Müller", &[Route::Email]).await;
    let d1 = s
        .engine
        .add_document(s.tenant, new_doc("Eins", 1, &[o.id]))
        .await
        .unwrap();
    let d2 = s
        .engine
        .add_document(s.tenant, new_doc("Zwei", 1, &[o.id]))
        .await
        .unwrap();
    let (c, _) = s
        .engine
        .create_collector(s.tenant, "Sammler", &[d1, d2], "alice")
        .await
        .unwrap();
    assert_eq!(overview(&s).await[0].progress.prepared, 1);
    s.engine
        .dissolve_collector(s.tenant, c.id, "alice")
        .await
        .unwrap();
    let rows = overview(&s).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.progress.prepared == 1), "{rows:?}");
}

#[tokio::test]
async fn progress_events_are_published() {
    let s = setup().await;
    let c = owner(&s, 1, "A", &[Route::Email]).await;
    let mut events = s.engine.subscribe();
    let doc = s
        .engine
        .add_document(s.tenant, new_doc("Einladung", 1, &[c.id]))
        .await
        .unwrap();
    s.engine
        .send_documents(s.tenant, &[doc], "alice")
        .await
        .unwrap();
    drain(&s.engine).await;
    let mut seen = Vec::new();
    while let Ok(e) = events.try_recv() {
        seen.push(e.status);
    }
    assert_eq!(
        seen,
        vec![StatusKind::Queued, StatusKind::InProgress, StatusKind::Sent]
    );
}
