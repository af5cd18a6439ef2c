//! How `PortalChannel` classifies failures, against small misbehaving servers on 127.0.0.1.

use crate::common;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use common::*;
use outbox_channel::{Channel, ErrorKind, PollRequest};
use outbox_model::{DeliveryId, DeliveryStatus, TenantId};
use outbox_portal::{PortalChannel, PortalConfig};

/// Serves `app` on 127.0.0.1:0 until the test ends; returns the base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/")
}

fn channel(base: &str) -> PortalChannel {
    let mut c = PortalConfig::new(base, TOKEN);
    c.request_timeout = Duration::from_millis(400);
    c.connect_timeout = Duration::from_secs(2);
    PortalChannel::new(c).unwrap()
}

fn one() -> outbox_channel::OutgoingDelivery {
    delivery(1, "anna", vec![document(1, "A", "Allgemein")])
}

fn poll_request() -> PollRequest {
    PollRequest {
        tenant: TenantId(1),
        delivery: DeliveryId(1),
        provider_reference: "portal-delivery-1".into(),
        status: DeliveryStatus::Sent,
    }
}

#[tokio::test]
async fn nothing_listening_is_transient() {
    // Bind and drop to get a port that refuses connections.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let ch = channel(&format!("http://127.0.0.1:{port}/"));
    let err = ch.send(&one()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient, "{err}");
    assert_eq!(
        ch.poll(&[poll_request()]).await.unwrap_err().kind(),
        ErrorKind::Transient
    );
    assert_eq!(
        ch.reconcile(TenantId(1), DeliveryId(1))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Transient
    );
}

#[tokio::test]
async fn rate_limits_server_errors_and_refusals_are_classified() {
    let base = serve(
        Router::new()
            .route(
                "/api/v1/deliveries/{d}/documents/{doc}",
                any(|| async {
                    let mut h = HeaderMap::new();
                    h.insert("retry-after", "9".parse().unwrap());
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        h,
                        r#"{"code":"slow_down","message":"too many"}"#,
                    )
                        .into_response()
                }),
            )
            .route(
                "/api/v1/downloads",
                get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "maintenance").into_response() }),
            )
            .route(
                "/api/v1/deliveries/{d}",
                get(|| async {
                    (
                        StatusCode::FORBIDDEN,
                        r#"{"code":"unauthorized","message":"token revoked"}"#,
                    )
                        .into_response()
                }),
            ),
    )
    .await;
    let ch = channel(&base);
    let err = ch.send(&one()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(9)));

    let err = ch.poll(&[poll_request()]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(err.code(), Some("http_503"));

    let err = ch.reconcile(TenantId(1), DeliveryId(1)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Permanent);
    assert!(err.message().contains("token revoked"));
}

#[tokio::test]
async fn a_stalled_upload_is_ambiguous_and_a_stalled_read_transient() {
    let slow = || async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        StatusCode::OK
    };
    let base = serve(
        Router::new()
            .route("/api/v1/deliveries/{d}/documents/{doc}", any(slow))
            .route("/api/v1/downloads", get(slow)),
    )
    .await;
    let ch = channel(&base);
    let err = ch.send(&one()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Ambiguous, "{err}");
    let err = ch.poll(&[poll_request()]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient, "{err}");
}

#[tokio::test]
async fn a_wrong_token_is_permanent() {
    let portal = Portal::start().await;
    let mut c = PortalConfig::new(portal.running.base_url(), "not-the-token-at-all");
    c.request_timeout = Duration::from_secs(10);
    let ch = PortalChannel::new(c).unwrap();
    let err = ch.send(&one()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Permanent);
    assert_eq!(err.code(), Some("unauthorized"));
    assert!(err.message().contains("token"));
}

#[tokio::test]
async fn garbage_success_bodies_do_not_panic() {
    let base = serve(
        Router::new()
            .route(
                "/api/v1/deliveries/{d}/documents/{doc}",
                any(|| async { (StatusCode::CREATED, "not json") }),
            )
            .route("/api/v1/downloads", get(|| async { "{\"downloads\": 5}" })),
    )
    .await;
    let ch = channel(&base);
    // The upload may have been stored: ambiguous. A read: transient.
    assert_eq!(
        ch.send(&one()).await.unwrap_err().kind(),
        ErrorKind::Ambiguous
    );
    assert_eq!(
        ch.poll(&[poll_request()]).await.unwrap_err().kind(),
        ErrorKind::Transient
    );
}
