//! The download server over real HTTP on 127.0.0.1:0.

use crate::common;

use chrono::Duration;
use common::*;
use outbox_channel::{Channel, ErrorKind, PollRequest};
use outbox_mailshare::*;
use outbox_model::*;
use reqwest::StatusCode;

async fn not_found_body(h: &Harness) -> String {
    let r = h
        .http
        .get(format!("{}/nothing/here", h.server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    r.text().await.unwrap()
}

#[tokio::test]
async fn validity_of_nine_days_is_accepted_and_ten_refused() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;

    let nine = delivery(1, 9);
    assert!(h.channel.check(&nine).await.is_empty());
    let receipt = h.channel.send(&nine).await.unwrap();
    assert_eq!(receipt.status, DeliveryStatus::Sent);
    let share = h.share_of(TenantId(1), DeliveryId(1)).await;
    assert_eq!(receipt.provider_reference, share.id.to_string());
    assert_eq!(share.expires_at - share.created_at, Duration::days(9));
    assert_eq!(share.created_at, t0());
    let link = h.service.link(&share);
    assert!(link.contains(&format!("/{}/", (t0() + Duration::days(9)).timestamp())));
    let r = h.http.get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    for days in [10u8, 0, 255] {
        let bad = delivery(100 + u64::from(days), days);
        let problems = h.channel.check(&bad).await;
        assert!(
            problems.iter().any(
                |p| matches!(p, ReadinessProblem::InvalidSettings { problems } if problems[0].message_de.contains("1 bis 9"))
            ),
            "{days} days: {problems:?}"
        );
        let err = h.channel.send(&bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Permanent);
        assert_eq!(err.code(), Some("settings.share_validity"));
        assert!(
            h.channel
                .reconcile(TenantId(1), bad.id)
                .await
                .unwrap()
                .is_none()
        );
    }
    // One notification: for the nine-day share only.
    assert_eq!(h.notifier.notifications().len(), 1);
    // A delivery mixing a valid and an invalid document is refused as a whole.
    let mut mixed = delivery(200, 9);
    mixed.documents[1].settings.email_share.validity_days = 10;
    assert!(h.channel.send(&mixed).await.is_err());
}

#[tokio::test]
async fn link_expires_one_second_after_its_time_with_410() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    h.channel.send(&delivery(1, 3)).await.unwrap();
    let share = h.share_of(TenantId(1), DeliveryId(1)).await;
    let link = h.service.link(&share);

    h.clock.set(share.expires_at - Duration::seconds(1));
    assert_eq!(
        h.http.get(&link).send().await.unwrap().status(),
        StatusCode::OK
    );
    h.clock.set(share.expires_at);
    assert_eq!(
        h.http.get(&link).send().await.unwrap().status(),
        StatusCode::OK
    );
    let dl = h.http.get(format!("{link}/d/0")).send().await.unwrap();
    assert_eq!(dl.status(), StatusCode::OK);
    assert_eq!(dl.bytes().await.unwrap(), PDF_A);

    h.clock.set(share.expires_at + Duration::seconds(1));
    let r = h.http.get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    let body = r.text().await.unwrap();
    assert!(body.contains("Link abgelaufen"), "{body}");
    assert!(body.contains("HV Sonnenschein &lt;GmbH&gt;"), "{body}");
    let en = h.http.get(format!("{link}?lang=en")).send().await.unwrap();
    assert_eq!(en.status(), StatusCode::GONE);
    assert!(en.text().await.unwrap().contains("Link expired"));
    let dl = h.http.get(format!("{link}/d/0")).send().await.unwrap();
    assert_eq!(dl.status(), StatusCode::GONE);
    let head = h.http.head(format!("{link}/d/1")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::GONE);
    // Only the download before expiry was recorded.
    let downloads = h.service.store().downloads_of(&share.id, 0).await.unwrap();
    assert_eq!(downloads.len(), 1);
}

#[tokio::test]
async fn changed_signature_share_id_or_expiry_is_404_without_detail() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    h.channel.send(&delivery(1, 9)).await.unwrap();
    h.channel.send(&delivery(2, 9)).await.unwrap();
    let share = h.share_of(TenantId(1), DeliveryId(1)).await;
    let other = h.share_of(TenantId(1), DeliveryId(2)).await;
    let good = h.service.link(&share);
    let bland = not_found_body(&h).await;

    let base = h.service.base_url();
    let exp = share.expires_at.timestamp();
    let sig = good.rsplit('/').next().unwrap().to_owned();
    let flip = |s: &str, i: usize| {
        let mut b = s.as_bytes().to_vec();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).unwrap()
    };
    let fresh = ShareId::generate().unwrap();
    let tampered = [
        // signature changed (first, last character) or cut
        format!("{base}/s/{}/{exp}/{}", share.id, flip(&sig, 0)),
        format!("{base}/s/{}/{exp}/{}", share.id, flip(&sig, sig.len() - 1)),
        format!("{base}/s/{}/{exp}/{}", share.id, &sig[..sig.len() - 1]),
        // share id changed: another real share, a random id, one flipped character
        format!("{base}/s/{}/{exp}/{sig}", other.id),
        format!("{base}/s/{fresh}/{exp}/{sig}"),
        format!("{base}/s/{}/{exp}/{sig}", flip(share.id.as_str(), 3)),
        // expiry changed: later, earlier, non-canonical
        format!("{base}/s/{}/{}/{sig}", share.id, exp + 1),
        format!("{base}/s/{}/{}/{sig}", share.id, exp + 86_400 * 30),
        format!("{base}/s/{}/{}/{sig}", share.id, exp - 1),
        format!("{base}/s/{}/0{exp}/{sig}", share.id),
    ];
    for url in &tampered {
        for target in [url.clone(), format!("{url}/d/0")] {
            let r = h.http.get(&target).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{target}");
            assert_eq!(r.text().await.unwrap(), bland, "{target}");
        }
    }
    // Expired and tampered is still 404, not 410: the expiry page is for genuine links only.
    h.clock.set(share.expires_at + Duration::days(1));
    let r = h.http.get(&tampered[0]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        h.service
            .store()
            .downloads_since(0, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn path_traversal_attempts_fail() {
    let dir = tempfile::tempdir().unwrap();
    // Something worth stealing next to the stored files.
    std::fs::write(dir.path().join("secret.txt"), "root:x:0:0:SECRET").unwrap();
    let h = Harness::start(dir.path()).await;
    h.channel.send(&delivery(1, 9)).await.unwrap();
    let share = h.share_of(TenantId(1), DeliveryId(1)).await;
    let link = h.service.link(&share);
    let path = link.strip_prefix(h.service.base_url()).unwrap().to_owned();
    let (id, rest) = path.strip_prefix("/s/").unwrap().split_once('/').unwrap();

    let attempts = [
        format!("{path}/d/../../../../secret.txt"),
        format!("{path}/d/..%2f..%2f..%2fsecret.txt"),
        format!("{path}/d/%2e%2e%2f%2e%2e%2fsecret.txt"),
        format!("{path}/d/..%5c..%5csecret.txt"),
        format!("{path}/d/%2e%2e"),
        format!("{path}/d/0/../../../../secret.txt"),
        format!("{path}/d/0%2f..%2f..%2flink.key"),
        format!("{path}/d/Jahresabrechnung%20M%C3%BCller.pdf"),
        format!("{path}/d/0.pdf"),
        format!("{path}/d/00"),
        format!("{path}/d/-1"),
        format!("{path}/d/2"),
        format!("{path}/d/18446744073709551616"),
        format!("/s/..%2f..%2f{rest}"),
        format!("/s/{id}%2f..%2f..%2f/{rest}"),
        "/../../secret.txt".to_owned(),
        "/s/../../link.key".to_owned(),
        "/%2e%2e/%2e%2e/secret.txt".to_owned(),
        "/files/".to_owned() + id + "/0.pdf",
        "/index/shares/".to_owned() + id + ".json",
        format!("{path}/d/%FF"),
        format!("{path}/d/0%00"),
        format!("/s/%FF%FE/{rest}"),
    ];
    for a in &attempts {
        let (status, text) = h.raw_get(a).await;
        assert!(status == 404 || status == 400, "{a}: {status}");
        assert!(!text.contains("SECRET"), "{a}");
        assert!(!text.contains("Jahresabrechnung 2026 -- test bytes"), "{a}");
        assert!(!text.contains("blob_key"), "{a}");
    }
    // The real thing still works, through the same raw path.
    let (status, text) = h.raw_get(&format!("{path}/d/0")).await;
    assert_eq!(status, 200);
    assert!(text.contains("Jahresabrechnung 2026 -- test bytes"));
    assert_eq!(
        h.service
            .store()
            .downloads_since(0, 100)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_downloads_are_all_recorded_and_downloaded_is_set_once() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    let d = delivery(1, 9);
    let receipt = h.channel.send(&d).await.unwrap();
    let link = h.link_of(TenantId(1), DeliveryId(1)).await;

    // Nothing downloaded yet: nothing to report.
    let req = |status: DeliveryStatus| PollRequest {
        tenant: TenantId(1),
        delivery: DeliveryId(1),
        provider_reference: receipt.provider_reference.clone(),
        status,
    };
    assert!(
        h.channel
            .poll(&[req(DeliveryStatus::Sent)])
            .await
            .unwrap()
            .is_empty()
    );

    const N: usize = 24;
    let gets = (0..N).map(|i| {
        let url = format!("{link}/d/{}", i % 2);
        let http = h.http.clone();
        async move {
            let r = http.get(&url).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.bytes().await.unwrap()
        }
    });
    let bodies = futures_util::future::join_all(gets).await;
    for (i, b) in bodies.iter().enumerate() {
        assert_eq!(&b[..], if i % 2 == 0 { PDF_A } else { PDF_B });
    }

    let share = h.share_of(TenantId(1), DeliveryId(1)).await;
    let downloads = h.service.store().downloads_of(&share.id, 0).await.unwrap();
    assert_eq!(downloads.len(), N);
    assert_eq!(downloads.iter().filter(|x| x.first).count(), 1);
    assert!(downloads.iter().all(|x| x.client == "127.0.0.1"));
    let mut seqs: Vec<u64> = downloads.iter().map(|x| x.seq).collect();
    seqs.dedup();
    assert_eq!(seqs.len(), N);
    assert_eq!(
        share.first_download_at,
        downloads.iter().find(|x| x.first).map(|x| x.at)
    );
    let records: Vec<DownloadRecord> = downloads.iter().map(|x| x.to_record()).collect();
    assert!(
        records
            .iter()
            .all(|r| r.route == Route::EmailShare && r.delivery == DeliveryId(1))
    );

    // An engine following the updates: exactly one step to Downloaded, never an illegal one.
    let mut status = DeliveryStatus::Sent;
    let mut to_downloaded = 0;
    let mut events = 0;
    for round in 0..4 {
        if round == 2 {
            let r = h.http.get(format!("{link}/d/1")).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        for u in h.channel.poll(&[req(status.clone())]).await.unwrap() {
            assert!(
                u.status == status || status.can_transition(&u.status),
                "{status} -> {}",
                u.status
            );
            if u.status != status {
                assert_eq!(u.status, DeliveryStatus::Downloaded);
                to_downloaded += 1;
                status = u.status;
            }
            events += u.downloads.len();
        }
    }
    assert_eq!(to_downloaded, 1);
    assert_eq!(events, N + 1);
    assert_eq!(status, DeliveryStatus::Downloaded);
    // An engine that lost the first answer asks again with Sent and hears everything again.
    let again = h.channel.poll(&[req(DeliveryStatus::Sent)]).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].downloads.len(), N + 1);
    // Other statuses get no update that would be illegal.
    for s in [
        DeliveryStatus::Queued,
        DeliveryStatus::Cancelled,
        DeliveryStatus::failed("x", true),
    ] {
        assert!(h.channel.poll(&[req(s)]).await.unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_is_idempotent_and_notifies_once_even_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    let d = delivery(5, 4);
    let (a, b, c) = tokio::join!(h.channel.send(&d), h.channel.send(&d), h.channel.send(&d));
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert_eq!(a.provider_reference, b.provider_reference);
    assert_eq!(a.provider_reference, c.provider_reference);
    let n = h.notifier.notifications();
    assert_eq!(n.len(), 1);
    let mail = &n[0];
    assert_eq!(mail.recipient_email, "mueller@example.de");
    assert_eq!(mail.recipient_name, "Eheleute Müller");
    assert_eq!(mail.sender_name, "HV Sonnenschein <GmbH>");
    assert_eq!(mail.documents, ["Jahresabrechnung 2026", "Protokoll ETV"]);
    assert_eq!(mail.valid_until, t0() + Duration::days(4));
    assert_eq!(mail.link, h.link_of(TenantId(1), DeliveryId(5)).await);
    assert!(
        mail.text()
            .contains("gültig bis 05.12.2026, 11:00 Uhr (MEZ)")
    );
    assert!(mail.subject().contains("2 Dokumente"));
    // Only one set of files on disk.
    let share_dirs = std::fs::read_dir(dir.path().join("files")).unwrap().count();
    assert_eq!(share_dirs, 1);
    let r = h
        .channel
        .reconcile(TenantId(1), DeliveryId(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.provider_reference, a.provider_reference);
    // Same delivery id in another tenant is another delivery.
    let mut other = d.clone();
    other.tenant = TenantId(2);
    let o = h.channel.send(&other).await.unwrap();
    assert_ne!(o.provider_reference, a.provider_reference);
}

#[tokio::test]
async fn page_lists_documents_in_german_or_english() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    h.channel.send(&delivery(1, 9)).await.unwrap();
    let link = h.link_of(TenantId(1), DeliveryId(1)).await;

    let r = h.http.get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let de = r.text().await.unwrap();
    assert!(de.contains("Dokumente zum Download"));
    assert!(de.contains("Jahresabrechnung 2026") && de.contains("Protokoll ETV"));
    assert!(
        de.contains("HV Sonnenschein &lt;GmbH&gt;"),
        "sender is escaped"
    );
    assert!(de.contains("10.12.2026, 11:00 Uhr (MEZ)"));

    let en = h
        .http
        .get(format!("{link}?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Documents for download") && en.contains("2026-12-10 11:00 CET"));
    let accept = h
        .http
        .get(&link)
        .header("accept-language", "en-US,en;q=0.9,de;q=0.3")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(accept.contains("Documents for download"));

    // The page's own relative links lead to the files, with or without a trailing slash.
    for page in [link.clone(), format!("{link}/")] {
        let html = h
            .http
            .get(&page)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let href = html
            .split("href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let url = reqwest::Url::parse(&page).unwrap().join(href).unwrap();
        let r = h.http.get(url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{page} {href}");
        assert_eq!(r.bytes().await.unwrap(), PDF_A);
    }
}

#[tokio::test]
async fn downloads_support_head_range_and_safe_content_disposition() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    h.channel.send(&delivery(1, 9)).await.unwrap();
    let link = h.link_of(TenantId(1), DeliveryId(1)).await;
    let share = h.share_of(TenantId(1), DeliveryId(1)).await;
    let url = format!("{link}/d/0");
    let size = PDF_A.len();

    let head = h.http.head(&url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], size.to_string().as_str());
    assert_eq!(head.headers()["accept-ranges"], "bytes");
    assert_eq!(head.headers()["content-type"], "application/pdf");
    assert!(head.bytes().await.unwrap().is_empty());
    assert!(
        h.service
            .store()
            .downloads_of(&share.id, 0)
            .await
            .unwrap()
            .is_empty(),
        "HEAD is no download"
    );

    let r = h.http.get(&url).send().await.unwrap();
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"Jahresabrechnung Mueller _2026_.pdf\"; \
         filename*=UTF-8''Jahresabrechnung%20M%C3%BCller%20%222026%22.pdf"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap(), PDF_A);
    // A path in the file name is cut to its last segment.
    let r = h.http.get(format!("{link}/d/1")).send().await.unwrap();
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"protokoll.pdf\"; filename*=UTF-8''protokoll.pdf"
    );

    let r = h
        .http
        .get(&url)
        .header("range", "bytes=0-7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        r.headers()["content-range"],
        format!("bytes 0-7/{size}").as_str()
    );
    assert_eq!(r.bytes().await.unwrap(), &PDF_A[..8]);
    let r = h
        .http
        .get(&url)
        .header("range", "bytes=-6")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.bytes().await.unwrap(), &PDF_A[size - 6..]);
    let r = h
        .http
        .get(&url)
        .header("range", "bytes=10-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap(), &PDF_A[10..]);
    let r = h
        .http
        .get(&url)
        .header("range", format!("bytes={size}-"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        r.headers()["content-range"],
        format!("bytes */{size}").as_str()
    );
    let r = h
        .http
        .get(&url)
        .header("range", "bytes=0-1,4-5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "multiple ranges: whole file");
    assert_eq!(r.bytes().await.unwrap(), PDF_A);
    let r = h
        .http
        .get(&url)
        .header("range", "bytes=0-1")
        .header("if-range", "\"x\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let recorded = h.service.store().downloads_of(&share.id, 0).await.unwrap();
    // 2 full GETs, 3 partial, 1 multi-range (full), 1 if-range (full); not the 416.
    assert_eq!(recorded.len(), 7);
    assert_eq!(recorded.iter().filter(|d| d.partial).count(), 3);
}

#[tokio::test]
async fn shares_and_downloads_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (path, share_id) = {
        let h = Harness::start(dir.path()).await;
        h.channel.send(&delivery(1, 9)).await.unwrap();
        let link = h.link_of(TenantId(1), DeliveryId(1)).await;
        assert_eq!(
            h.http
                .get(format!("{link}/d/0"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        let share = h.share_of(TenantId(1), DeliveryId(1)).await;
        h.server.shutdown().await.unwrap();
        (
            link.strip_prefix(h.service.base_url()).unwrap().to_owned(),
            share.id,
        )
    };
    // A crash in the middle of appending a download leaves a torn line.
    let log = dir.path().join("index/downloads.jsonl");
    let mut bytes = std::fs::read(&log).unwrap();
    bytes.extend_from_slice(b"{\"seq\":2,\"sha");
    std::fs::write(&log, bytes).unwrap();

    let h = Harness::start(dir.path()).await;
    let url = format!("{}{path}/d/1", h.server.url());
    assert_eq!(
        h.http.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    let downloads = h.service.store().downloads_of(&share_id, 0).await.unwrap();
    assert_eq!(downloads.len(), 2);
    assert_eq!(downloads.iter().map(|d| d.seq).collect::<Vec<_>>(), [1, 2]);
    assert!(downloads[0].first && !downloads[1].first);
    // Still idempotent after the restart: the same share, no second notification.
    let r = h.channel.send(&delivery(1, 9)).await.unwrap();
    assert_eq!(r.provider_reference, share_id.to_string());
    assert!(h.notifier.notifications().is_empty());
}

#[tokio::test]
async fn cleanup_removes_files_after_expiry_plus_grace() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    h.channel.send(&delivery(1, 1)).await.unwrap();
    h.channel.send(&delivery(2, 9)).await.unwrap();
    let short = h.share_of(TenantId(1), DeliveryId(1)).await;
    let long = h.share_of(TenantId(1), DeliveryId(2)).await;
    let link = h.service.link(&short);
    let files = dir.path().join("files");
    let grace = Duration::days(2);

    h.clock.set(short.expires_at + Duration::hours(1));
    let report = h.service.cleanup(grace).await.unwrap();
    assert!(report.shares.is_empty());
    assert!(files.join(short.id.as_str()).exists());

    h.clock.set(short.expires_at + grace + Duration::seconds(1));
    let report = h.service.cleanup(grace).await.unwrap();
    assert_eq!(report.shares, std::slice::from_ref(&short.id));
    assert_eq!(report.files_removed, 2);
    assert!(report.failed.is_empty());
    assert!(!files.join(short.id.as_str()).exists());
    assert!(files.join(long.id.as_str()).join("0.pdf").exists());
    // Idempotent, and the link now explains itself with 410.
    assert!(h.service.cleanup(grace).await.unwrap().shares.is_empty());
    assert_eq!(
        h.http.get(&link).send().await.unwrap().status(),
        StatusCode::GONE
    );
    assert_eq!(
        h.http
            .get(format!("{link}/d/0"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::GONE
    );
    let purged = h.share_of(TenantId(1), DeliveryId(1)).await;
    assert!(purged.purged_at.is_some());
}

#[tokio::test]
async fn recipient_without_valid_email_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    let mut d = delivery(1, 9);
    d.recipient.email = Some("not-an-address".into());
    assert!(matches!(
        h.channel.check(&d).await.as_slice(),
        [ReadinessProblem::InvalidEmailAddress { .. }]
    ));
    assert_eq!(
        h.channel.send(&d).await.unwrap_err().kind(),
        ErrorKind::Permanent
    );
    d.recipient.email = None;
    assert!(matches!(
        h.channel.check(&d).await.as_slice(),
        [ReadinessProblem::NoEmailAddress]
    ));
    d.recipient.email = Some("a@example.de".into());
    d.documents.clear();
    assert!(!h.channel.check(&d).await.is_empty());
    assert_eq!(
        h.channel.send(&d).await.unwrap_err().code(),
        Some("mailshare.no_documents")
    );
    assert!(h.notifier.notifications().is_empty());
}
