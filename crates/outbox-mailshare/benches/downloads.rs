//! What a download costs: recording it durably (fsync) against the in-memory baseline, and a
//! whole HTTP download through the server against reading the same file from the blob store.
//!
//! `cargo bench -p outbox-mailshare --bench downloads`

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use outbox_channel::{Channel, OutgoingDelivery, OutgoingDocument, Sender};
use outbox_mailshare::*;
use outbox_model::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn delivery(id: u64, bytes: Arc<[u8]>) -> OutgoingDelivery {
    let mut recipient = Contact::new(ContactId(1), TenantId(1), "Bench");
    recipient.email = Some("bench@example.de".into());
    OutgoingDelivery {
        id: DeliveryId(id),
        tenant: TenantId(1),
        route: Route::EmailShare,
        attempt: 1,
        recipient,
        sender: Sender::default(),
        documents: vec![OutgoingDocument {
            id: DocumentId(1),
            title: "Bench".into(),
            file_name: "bench.pdf".into(),
            page_count: 1,
            bytes,
            settings: SendSettings::default(),
        }],
    }
}

async fn share_in(store: LocalShareStore, dir: &std::path::Path) -> (ShareService, Share) {
    let service = ShareService::new(
        "http://127.0.0.1",
        LinkSigner::generate().unwrap(),
        Arc::new(store),
        Arc::new(LocalDirBlobStore::new(dir.join("files")).unwrap()),
    )
    .unwrap();
    let (share, _) = service
        .share_delivery(&delivery(1, Arc::from(&b"%PDF"[..])))
        .await
        .unwrap();
    (service, share)
}

fn record(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (memory, mshare) = rt.block_on(share_in(LocalShareStore::in_memory(), dir.path()));
    let (disk, dshare) = rt.block_on(async {
        share_in(
            LocalShareStore::open(dir.path().join("index"))
                .await
                .unwrap(),
            dir.path(),
        )
        .await
    });
    let mut g = c.benchmark_group("record_download");
    g.bench_function("in_memory (baseline)", |b| {
        b.to_async(&rt).iter(|| async {
            black_box(
                memory
                    .record_download(&mshare, 0, "127.0.0.1".into(), false)
                    .await,
            )
            .unwrap();
        })
    });
    g.bench_function("local_dir_fsync", |b| {
        b.to_async(&rt).iter(|| async {
            black_box(
                disk.record_download(&dshare, 0, "127.0.0.1".into(), false)
                    .await,
            )
            .unwrap();
        })
    });
    g.finish();
}

fn download(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let body: Arc<[u8]> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let (service, server, path, key) = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let service = Arc::new(ShareService::open_local(dir.path(), base).await.unwrap());
        let server = DownloadServer::new(service.clone())
            .serve_listener(listener)
            .await
            .unwrap();
        let channel = MailShareChannel::new(service.clone(), Arc::new(RecordingNotifier::new()));
        channel.send(&delivery(1, body.clone())).await.unwrap();
        let share = service
            .store()
            .find_by_delivery(TenantId(1), DeliveryId(1))
            .await
            .unwrap()
            .unwrap();
        let link = service.link(&share);
        let path = format!("{}/d/0", link.strip_prefix(service.base_url()).unwrap());
        let key = BlobKey::new(share.documents[0].blob_key.clone()).unwrap();
        (service, server, path, key)
    });
    let addr = server.local_addr();
    let mut g = c.benchmark_group("download_1mb");
    g.throughput(criterion::Throughput::Bytes(body.len() as u64));
    g.bench_function("blob_store_read (baseline)", |b| {
        b.to_async(&rt).iter(|| async {
            let mut r = service.blobs().get(&key, None).await.unwrap();
            let mut buf = Vec::with_capacity(1_000_100);
            r.reader.read_to_end(&mut buf).await.unwrap();
            assert_eq!(buf.len(), 1_000_000);
        })
    });
    g.bench_function("http_get_recorded", |b| {
        b.to_async(&rt).iter(|| async {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.write_all(
                format!("GET {path} HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n").as_bytes(),
            )
            .await
            .unwrap();
            let mut buf = Vec::with_capacity(1_001_000);
            s.read_to_end(&mut buf).await.unwrap();
            assert!(buf.len() > 1_000_000 && buf.starts_with(b"HTTP/1.1 200"));
        })
    });
    g.finish();
    rt.block_on(server.shutdown()).unwrap();
}

criterion_group!(benches, record, download);
criterion_main!(benches);
