//! Protocol v1 over real HTTP: token auth, idempotent uploads, conflicts, withdrawal, paging.

use crate::common;

use common::*;
use outbox_model::{DeliveryId, DocumentId};
use outbox_portal::protocol::{ApiError, UploadMetadata, codes};
use reqwest::StatusCode;

fn meta(account: &str) -> UploadMetadata {
    UploadMetadata {
        account: account.into(),
        title: "Jahresabrechnung 2026".into(),
        category: "Abrechnungen".into(),
        file_name: "abrechnung.pdf".into(),
        document_count: 1,
    }
}

#[tokio::test]
async fn the_api_needs_the_token() {
    let portal = Portal::start().await;
    let http = portal.api();
    for auth in [
        None,
        Some("Bearer wrong-token-0123456789"),
        Some("Basic dGVzdA=="),
    ] {
        let mut req = http.get(portal.url("api/v1/downloads"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let err: ApiError = resp.json().await.unwrap();
        assert_eq!(err.code, codes::UNAUTHORIZED);
    }
    let put = http
        .put(portal.url("api/v1/deliveries/1/documents/1"))
        .query(&meta("anna"))
        .body("%PDF-1.4")
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::UNAUTHORIZED);
    assert!(
        portal
            .client()
            .delivery(DeliveryId(1))
            .await
            .unwrap()
            .is_none(),
        "nothing stored"
    );

    let ok = http
        .get(portal.url("api/v1/downloads"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let unknown = http
        .get(portal.url("api/v1/nothing"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.json::<ApiError>().await.unwrap().code,
        codes::NOT_FOUND
    );
}

#[tokio::test]
async fn re_uploading_with_the_same_delivery_id_creates_nothing_new() {
    let portal = Portal::start().await;
    let client = portal.client();
    let body = pdf("statement");
    let (first, created) = client
        .upload(DeliveryId(7), DocumentId(3), &meta("anna"), &body)
        .await
        .unwrap();
    assert!(created);
    for _ in 0..3 {
        let (again, created) = client
            .upload(DeliveryId(7), DocumentId(3), &meta("anna"), &body)
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(again, first, "same upload id, same record");
    }
    let info = client.delivery(DeliveryId(7)).await.unwrap().unwrap();
    assert_eq!(info.documents.len(), 1);
    assert!(info.complete);
    // The recipient sees it once.
    let mut anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    assert_eq!(
        anna.get("/")
            .await
            .text()
            .matches("Jahresabrechnung 2026")
            .count(),
        1
    );

    // Other content under the same ids is a conflict, not an overwrite.
    let err = client
        .upload(DeliveryId(7), DocumentId(3), &meta("anna"), &pdf("other"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(codes::UPLOAD_CONFLICT));
    assert!(!err.is_retryable());
    // Another account in the same delivery too.
    let err = client
        .upload(DeliveryId(7), DocumentId(4), &meta("bob"), &body)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(codes::ACCOUNT_MISMATCH));
}

#[tokio::test]
async fn concurrent_identical_uploads_store_one_document() {
    let portal = Portal::start().await;
    let client = portal.client();
    let body = pdf("race");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (client, body) = (client.clone(), body.clone());
            tokio::spawn(async move {
                client
                    .upload(DeliveryId(11), DocumentId(1), &meta("anna"), &body)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut created = 0;
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        let (info, c) = t.await.unwrap();
        created += usize::from(c);
        ids.insert(info.upload_id);
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1);
}

#[tokio::test]
async fn bad_uploads_are_refused_with_clear_codes() {
    let portal = Portal::start().await;
    let client = portal.client();
    let err = client
        .upload(DeliveryId(1), DocumentId(1), &meta("carol"), &pdf("x"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(codes::UNKNOWN_ACCOUNT));
    assert!(err.message().contains("carol"));
    assert_eq!(err.kind(), outbox_channel::ErrorKind::Permanent);

    let mut m = meta("anna");
    m.category = " ".into();
    let err = client
        .upload(DeliveryId(1), DocumentId(1), &m, &pdf("x"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(codes::INVALID_METADATA));

    let big = vec![b'x'; 1024 * 1024 + 1];
    let err = client
        .upload(DeliveryId(1), DocumentId(1), &meta("anna"), &big)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(codes::PAYLOAD_TOO_LARGE));

    let http = portal.api();
    let resp = http
        .put(portal.url("api/v1/deliveries/abc/documents/1"))
        .bearer_auth(TOKEN)
        .query(&meta("anna"))
        .body("%PDF")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = http
        .put(portal.url("api/v1/deliveries/1/documents/1?account=anna"))
        .bearer_auth(TOKEN)
        .body("%PDF")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(client.delivery(DeliveryId(1)).await.unwrap().is_none());
}

#[tokio::test]
async fn withdrawn_deliveries_disappear_for_the_recipient() {
    let portal = Portal::start().await;
    let client = portal.client();
    client
        .upload(DeliveryId(3), DocumentId(1), &meta("anna"), &pdf("w"))
        .await
        .unwrap();
    let mut anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    assert!(anna.get("/").await.text().contains("/documents/3/1"));

    let w = client.withdraw(DeliveryId(3)).await.unwrap();
    assert_eq!(w.withdrawn_documents, 1);
    let again = client.withdraw(DeliveryId(3)).await.unwrap();
    assert_eq!(
        (again.withdrawn_documents, again.withdrawn_at),
        (0, w.withdrawn_at)
    );

    assert!(!anna.get("/").await.text().contains("/documents/3/1"));
    assert_eq!(
        anna.get("/documents/3/1").await.status,
        StatusCode::NOT_FOUND
    );
    let info = client.delivery(DeliveryId(3)).await.unwrap().unwrap();
    assert_eq!(info.withdrawn_at, Some(w.withdrawn_at));
    let err = client
        .upload(DeliveryId(3), DocumentId(1), &meta("anna"), &pdf("w"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(codes::DELIVERY_WITHDRAWN));
    let err = client.withdraw(DeliveryId(99)).await.unwrap_err();
    assert_eq!(err.code(), Some(codes::DELIVERY_NOT_FOUND));
}

#[tokio::test]
async fn downloads_are_listed_in_cursor_pages() {
    let portal = Portal::start().await;
    let client = portal.client();
    client
        .upload(DeliveryId(4), DocumentId(1), &meta("anna"), &pdf("p"))
        .await
        .unwrap();
    let mut anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    for _ in 0..5 {
        assert_eq!(anna.get("/documents/4/1").await.status, StatusCode::OK);
    }
    let mut since = 0;
    let mut seen = Vec::new();
    loop {
        let page = client.downloads(since, 2).await.unwrap();
        assert!(page.downloads.len() <= 2);
        seen.extend(page.downloads.iter().map(|d| d.cursor));
        since = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len(), 5);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let empty = client.downloads(since, 10).await.unwrap();
    assert!(empty.downloads.is_empty());
    assert_eq!(empty.next_cursor, since);
    let info = client.delivery(DeliveryId(4)).await.unwrap().unwrap();
    assert!(info.documents[0].first_download_at.is_some());
}
