//! Blob stores: local folder (atomic writes), database table, object_store.

use crate::common;

use outbox_store::*;

async fn conformance(store: &dyn BlobStore) {
    store.put("t1/a.pdf", b"%PDF-1.7 first").await.unwrap();
    assert_eq!(store.get("t1/a.pdf").await.unwrap(), b"%PDF-1.7 first");
    store.put("t1/a.pdf", b"%PDF-1.7 second").await.unwrap();
    assert_eq!(
        store.get("t1/a.pdf").await.unwrap(),
        b"%PDF-1.7 second",
        "put replaces"
    );
    let big = vec![42u8; 3 * 1024 * 1024];
    store.put("t1/big.pdf", &big).await.unwrap();
    assert_eq!(store.get("t1/big.pdf").await.unwrap(), big);
    assert!(store.delete("t1/a.pdf").await.unwrap());
    assert!(!store.delete("t1/a.pdf").await.unwrap());
    assert!(matches!(
        store.get("t1/a.pdf").await,
        Err(StoreError::NotFound { .. })
    ));
    for bad in [
        "",
        "../etc/passwd",
        "a//b",
        "/abs",
        "a/./b",
        "sp ace",
        "ü.pdf",
    ] {
        assert!(
            matches!(store.put(bad, b"x").await, Err(StoreError::InvalidInput(_))),
            "{bad:?}"
        );
        assert!(
            matches!(store.get(bad).await, Err(StoreError::InvalidInput(_))),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn local_folder_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::new(dir.path().join("blobs")).await.unwrap();
    conformance(&store).await;
    // Atomic writes leave no temp files behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("blobs/t1"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[tokio::test]
async fn concurrent_writers_never_expose_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::new(dir.path()).await.unwrap();
    let a = vec![b'a'; 1 << 20];
    let b = vec![b'b'; 1 << 20];
    store.put("k.pdf", &a).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = store.clone();
        let bytes = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                store.put("k.pdf", &bytes).await.unwrap();
                let read = store.get("k.pdf").await.unwrap();
                assert!(
                    read == vec![b'a'; 1 << 20] || read == vec![b'b'; 1 << 20],
                    "torn read"
                );
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test]
async fn database_table_store_on_every_backend() {
    for t in common::backends().await {
        let blobs = DatabaseBlobStore::new(t.store.clone());
        conformance(&blobs).await;
        t.finish().await;
    }
}

#[cfg(feature = "object-store")]
#[tokio::test]
async fn object_store_backend_with_in_memory_objects() {
    let mem = std::sync::Arc::new(object_store::memory::InMemory::new());
    conformance(&ObjectBlobStore::new(mem.clone(), "outbox/")).await;
    conformance(&ObjectBlobStore::new(mem, "")).await;
}
