//! Shared test harness: a real download server on 127.0.0.1:0, a manual clock, a recording
//! notifier and the channel, all over one temporary folder.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use outbox_channel::{OutgoingDelivery, OutgoingDocument, Sender};
use outbox_mailshare::*;
use outbox_model::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const T0: &str = "2026-12-01T10:00:00Z";

pub fn t0() -> DateTime<Utc> {
    T0.parse().unwrap()
}

pub struct Harness {
    pub clock: Arc<ManualClock>,
    pub service: Arc<ShareService>,
    pub server: RunningServer,
    pub notifier: Arc<RecordingNotifier>,
    pub channel: Arc<MailShareChannel>,
    pub http: reqwest::Client,
}

impl Harness {
    /// Everything persistent in `dir`.
    pub async fn start(dir: &Path) -> Self {
        Self::start_with(dir, None).await
    }

    pub async fn start_with(dir: &Path, max_bytes: Option<u64>) -> Self {
        let clock = Arc::new(ManualClock::new(t0()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let service = Arc::new(
            ShareService::open_local(dir, base)
                .await
                .unwrap()
                .with_clock(clock.clone()),
        );
        let server = DownloadServer::new(service.clone())
            .serve_listener(listener)
            .await
            .unwrap();
        let notifier = Arc::new(RecordingNotifier::new());
        let mut channel = MailShareChannel::new(service.clone(), notifier.clone());
        if let Some(m) = max_bytes {
            channel = channel.with_max_bytes(m);
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .unwrap();
        Self {
            clock,
            service,
            server,
            notifier,
            channel: Arc::new(channel),
            http,
        }
    }

    /// The link of a delivery's share.
    pub async fn link_of(&self, tenant: TenantId, delivery: DeliveryId) -> String {
        let share = self.share_of(tenant, delivery).await;
        self.service.link(&share)
    }

    pub async fn share_of(&self, tenant: TenantId, delivery: DeliveryId) -> Share {
        self.service
            .store()
            .find_by_delivery(tenant, delivery)
            .await
            .unwrap()
            .expect("share exists")
    }

    /// A raw HTTP/1.1 GET of `path` (sent byte for byte, no client-side normalisation);
    /// returns the status code and the whole response text.
    pub async fn raw_get(&self, path: &str) -> (u16, String) {
        raw_get(self.server.local_addr(), path).await
    }
}

pub async fn raw_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let fut = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.unwrap();
        String::from_utf8_lossy(&buf).into_owned()
    };
    let text = tokio::time::timeout(Duration::from_secs(10), fut)
        .await
        .expect("raw request timed out");
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

pub const PDF_A: &[u8] = b"%PDF-1.7\n% Jahresabrechnung 2026 -- test bytes 0123456789\n%%EOF\n";
pub const PDF_B: &[u8] = b"%PDF-1.7\n% Protokoll der Eigentuemerversammlung\n%%EOF\n";

pub fn document(id: u64, title: &str, file: &str, bytes: &[u8], days: u8) -> OutgoingDocument {
    let mut settings = SendSettings::default();
    settings.email_share.validity_days = days;
    OutgoingDocument {
        id: DocumentId(id),
        title: title.into(),
        file_name: file.into(),
        page_count: 1,
        bytes: Arc::from(bytes),
        settings,
    }
}

/// A ready delivery with two documents valid for `days`.
pub fn delivery(id: u64, days: u8) -> OutgoingDelivery {
    let mut recipient = Contact::new(ContactId(7), TenantId(1), "Eheleute Müller");
    recipient.email = Some("mueller@example.de".into());
    OutgoingDelivery {
        id: DeliveryId(id),
        tenant: TenantId(1),
        route: Route::EmailShare,
        attempt: 1,
        recipient,
        sender: Sender {
            name: "HV Sonnenschein <GmbH>".into(),
            address: None,
            reply_to: Some("info@sonnenschein.example".into()),
        },
        documents: vec![
            document(
                11,
                "Jahresabrechnung 2026",
                "Jahresabrechnung Müller \"2026\".pdf",
                PDF_A,
                days,
            ),
            document(12, "Protokoll ETV", "../../protokoll.pdf", PDF_B, days),
        ],
    }
}
