//! End to end through the facade: all four routes on their embedded defaults.

use crate::common;

use std::time::Duration;

use common::*;
use mail_parser::MimeHeaders;
use outbox::model::*;
use outbox::store::{OverviewSort, Page};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_four_routes_deliver_and_downloads_show_in_the_overview() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, tenant) = outbox(dir.path(), fast_engine()).await;
    let letter = owners(&outbox, tenant, 1, 1, &[Route::EpostLetter]).await[0];
    let mail = owners(&outbox, tenant, 2, 1, &[Route::Email]).await[0];
    let share = owners(&outbox, tenant, 3, 1, &[Route::EmailShare]).await[0];
    let portal = owners(&outbox, tenant, 4, 1, &[Route::PortalShare]).await[0];
    let mut c = outbox.store().get_contact(tenant, portal).await.unwrap();
    c.portal_account = Some("anna".into());
    outbox.store().upsert_contact(&c).await.unwrap();
    outbox
        .add_portal_account("anna", "Anna-Passwort-1", "Anna")
        .await
        .unwrap();

    let everyone = [letter, mail, share, portal];
    let invitation = sample_pdf::invitation();
    let plan = sample_pdf::building_plan();
    let d1 = outbox
        .add_document(
            tenant,
            document("Einladung Größe", invitation.clone(), &everyone),
        )
        .await
        .unwrap();
    let d2 = outbox
        .add_document(tenant, document("Lageplan", plan.clone(), &everyone))
        .await
        .unwrap();
    let (collector, preview) = outbox
        .create_collector(tenant, "ETV", &[d1, d2], "e2e")
        .await
        .unwrap();
    assert_eq!(
        preview.combined.deliveries.total(),
        4,
        "one delivery per owner"
    );
    let report = outbox
        .send_collector(tenant, collector.id, "e2e")
        .await
        .unwrap();
    assert_eq!(
        (report.queued.len(), report.not_ready.len()),
        (4, 0),
        "{report:?}"
    );
    // Hand over only: the first E-POST status query comes after the letters are printed.
    outbox
        .dispatch_until_idle(Duration::from_secs(30))
        .await
        .unwrap();

    // The letter: one A4-portrait PDF, cover sheet first, received once.
    let letters = outbox.with_epost_fake(|f| f.letters()).unwrap();
    assert_eq!(letters.len(), 1);
    let info = outbox::pdf::inspect(&letters[0].pdf).unwrap();
    assert!(info.is_all_a4_portrait(), "{info:?}");
    assert_eq!(
        info.pages.len(),
        1 + 2 + 1,
        "cover sheet + invitation + plan"
    );
    assert_eq!(letters[0].fields.address_line1, "Eigentümer 1");

    // The mail: parses, with both PDFs attached byte for byte.
    let mail_dir = dir.path().join("mail").join(format!("tenant-{tenant}"));
    let emls: Vec<_> = std::fs::read_dir(&mail_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let route_mail = emls
        .iter()
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("outbox-")
        })
        .expect("route mail");
    let raw = std::fs::read(route_mail).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        parsed.to().unwrap().first().unwrap().address(),
        Some("owner2@lindenhof.example")
    );
    let attachments: Vec<_> = parsed.attachments().collect();
    assert_eq!(attachments.len(), 2);
    assert_eq!(
        attachments[0].attachment_name(),
        Some("Einladung Größe.pdf")
    );
    assert_eq!(attachments[0].contents(), &invitation[..]);
    assert_eq!(attachments[1].contents(), &plan[..]);
    // The share notification went out as a mail too.
    assert!(emls.iter().any(|p| {
        p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("share-")
    }));

    // The recipients download: by link, and at the portal.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let detail = outbox.inspect_document(tenant, d1).await.unwrap();
    let live = |route| {
        detail
            .iter()
            .find(|r| r.route == route && r.status != StatusKind::Cancelled)
            .unwrap()
            .delivery
    };
    let link = outbox
        .share_link(tenant, live(Route::EmailShare))
        .await
        .unwrap()
        .expect("link");
    let body = http
        .get(format!("{link}/d/1"))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], &plan[..]);
    let base = outbox.portal_url().trim_end_matches('/').to_owned();
    let login = http
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("login=anna&password=Anna-Passwort-1")
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let got = http
        .get(format!(
            "{base}/documents/{}/{d1}",
            live(Route::PortalShare)
        ))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&got[..], &invitation[..]);

    // Printed three days later; the poll brings letters and downloads home.
    outbox.with_epost_fake(|f| f.advance(Duration::from_secs(3 * 86_400)));
    outbox
        .run_until_idle(Duration::from_secs(30))
        .await
        .unwrap();
    let page = outbox
        .list_documents(tenant, OverviewSort::NewestFirst, Page::first(10))
        .await
        .unwrap();
    assert_eq!(page.rows.len(), 1, "the collector is one row");
    let p = page.rows[0].progress;
    assert_eq!(
        (p.sent, p.downloaded, p.failed, p.total),
        (2, 2, 0, 4),
        "{p:?}"
    );
    let downloads = outbox
        .store()
        .list_downloads(tenant, live(Route::PortalShare))
        .await
        .unwrap();
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0].by, "anna");
    outbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_outbox_serves_its_tenants_again() {
    let dir = tempfile::tempdir().unwrap();
    let (first, tenant) = outbox(dir.path(), fast_engine()).await;
    let owner = owners(&first, tenant, 1, 1, &[Route::Email]).await;
    let doc = first
        .add_document(
            tenant,
            document("Protokoll", sample_pdf::invitation(), &owner),
        )
        .await
        .unwrap();
    first.shutdown().await;

    // A new process on the same data folder: the tenant's mailer is there without any call.
    let again = outbox::Outbox::builder()
        .data_dir(dir.path())
        .engine_config(fast_engine())
        .build()
        .await
        .unwrap();
    let report = again.send_documents(tenant, &[doc], "e2e").await.unwrap();
    assert_eq!(
        (report.queued.len(), report.not_ready.len()),
        (1, 0),
        "{report:?}"
    );
    again.run_until_idle(Duration::from_secs(30)).await.unwrap();
    let row = again
        .store()
        .delivery_row(tenant, report.queued[0])
        .await
        .unwrap();
    assert_eq!(row.status, DeliveryStatus::Sent);
    again.shutdown().await;
}
