//! Embedding the route in an application: the router nested under a prefix and served without
//! connection info, the file notifier, the store's global download cursor, large files, and
//! background cleanup.

use crate::common;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use common::*;
use outbox_channel::{Channel, PollRequest};
use outbox_mailshare::*;
use outbox_model::*;
use reqwest::StatusCode;

#[tokio::test]
async fn nested_router_without_connect_info_works_and_records_unknown_client() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/share", listener.local_addr().unwrap());
    let service = Arc::new(ShareService::open_local(dir.path(), base).await.unwrap());
    let app = axum::Router::new()
        .route("/health", axum::routing::get(|| async { "ok" }))
        .nest("/share", DownloadServer::new(service.clone()).router());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let notifier = Arc::new(RecordingNotifier::new());
    let channel = MailShareChannel::new(service.clone(), notifier.clone());
    channel.send(&delivery(1, 2)).await.unwrap();
    let link = notifier.notifications()[0].link.clone();
    assert!(link.contains("/share/s/"));

    let http = reqwest::Client::builder()
        .timeout(StdDuration::from_secs(10))
        .no_proxy()
        .build()
        .unwrap();
    let html = http.get(&link).send().await.unwrap().text().await.unwrap();
    let href = html
        .split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let url = reqwest::Url::parse(&link).unwrap().join(href).unwrap();
    let r = http.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap(), PDF_A);

    let all = service.store().downloads_since(0, 10).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].client, "unknown");
    server.abort();
}

#[tokio::test]
async fn forwarded_for_is_used_only_when_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let service = Arc::new(ShareService::open_local(dir.path(), base).await.unwrap());
    let server = DownloadServer::new(service.clone())
        .trust_forwarded_for(true)
        .serve_listener(listener)
        .await
        .unwrap();
    let channel = MailShareChannel::new(service.clone(), Arc::new(RecordingNotifier::new()));
    channel.send(&delivery(1, 2)).await.unwrap();
    let share = service
        .store()
        .find_by_delivery(TenantId(1), DeliveryId(1))
        .await
        .unwrap()
        .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = http
        .get(format!("{}/d/0", service.link(&share)))
        .header("x-forwarded-for", "203.0.113.9, 10.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let d = service.store().downloads_of(&share.id, 0).await.unwrap();
    assert_eq!(d[0].client, "203.0.113.9");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn file_notifier_writes_one_json_file_per_notification() {
    let dir = tempfile::tempdir().unwrap();
    let service = Arc::new(
        ShareService::open_local(dir.path().join("share"), "https://files.example.de/")
            .await
            .unwrap(),
    );
    let outbox = dir.path().join("mails");
    let channel = MailShareChannel::new(service.clone(), Arc::new(FileNotifier::new(&outbox)));
    let r = channel.send(&delivery(3, 5)).await.unwrap();
    channel.send(&delivery(3, 5)).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let n: Notification = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(n.share.to_string(), r.provider_reference);
    assert!(n.link.starts_with("https://files.example.de/s/"));
    assert_eq!(n.documents.len(), 2);
}

#[tokio::test]
async fn in_progress_moves_to_sent_and_unknown_deliveries_are_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    let r = h.channel.send(&delivery(1, 9)).await.unwrap();
    let ask = |delivery: u64, reference: &str, status| PollRequest {
        tenant: TenantId(1),
        delivery: DeliveryId(delivery),
        provider_reference: reference.to_owned(),
        status,
    };
    let u = h
        .channel
        .poll(&[ask(1, &r.provider_reference, DeliveryStatus::InProgress)])
        .await
        .unwrap();
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].status, DeliveryStatus::Sent);
    // A reference of another tenant's share does not leak across tenants.
    let mut foreign = ask(1, &r.provider_reference, DeliveryStatus::Sent);
    foreign.tenant = TenantId(2);
    let link = h.link_of(TenantId(1), DeliveryId(1)).await;
    h.http.get(format!("{link}/d/0")).send().await.unwrap();
    assert!(h.channel.poll(&[foreign]).await.unwrap().is_empty());
    assert!(
        h.channel
            .poll(&[ask(99, "garbage/../x", DeliveryStatus::Sent)])
            .await
            .unwrap()
            .is_empty()
    );
    // The engine-wide cursor sees every download once, in order.
    let all = h.service.store().downloads_since(0, 100).await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(
        h.service
            .store()
            .downloads_since(all[0].seq, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn large_files_stream_whole_and_in_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut d = delivery(1, 9);
    d.documents = vec![document(1, "Gross", "gross.pdf", &big, 9)];
    h.channel.send(&d).await.unwrap();
    let url = format!("{}/d/0", h.link_of(TenantId(1), DeliveryId(1)).await);
    let whole = h
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(whole.len(), big.len());
    assert!(whole[..] == big[..]);
    let part = h
        .http
        .get(&url)
        .header("range", "bytes=1000000-1999999")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(part[..] == big[1_000_000..2_000_000]);
}

#[tokio::test]
async fn background_cleanup_runs_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(dir.path()).await;
    h.channel.send(&delivery(1, 1)).await.unwrap();
    let share = h.share_of(TenantId(1), DeliveryId(1)).await;
    h.clock.set(share.expires_at + Duration::days(3));
    let task = h
        .service
        .spawn_cleanup(StdDuration::from_millis(20), Duration::days(2));
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(10);
    loop {
        if h.share_of(TenantId(1), DeliveryId(1))
            .await
            .purged_at
            .is_some()
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "cleanup did not run"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    task.abort();
    assert!(!dir.path().join("files").join(share.id.as_str()).exists());
}
