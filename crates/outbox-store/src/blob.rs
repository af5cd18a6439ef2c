//! Where the PDF bytes live: never in the rows that lists read, but behind [`BlobStore`].

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use crate::{Result, Store, StoreError};

/// Storage for document bytes by key.
///
/// Keys are chosen by the caller (e.g. `"<tenant>/<uuid>.pdf"`): ASCII letters, digits and
/// `-_./`, no empty segments and no `..`, at most 512 bytes — valid as file paths and object
/// names everywhere.
#[async_trait]
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` under `key`, replacing what was there; atomic for readers.
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()>;
    /// The bytes under `key`; [`StoreError::NotFound`] when absent.
    async fn get(&self, key: &str) -> Result<Vec<u8>>;
    /// Deletes `key`; `false` when it was absent.
    async fn delete(&self, key: &str) -> Result<bool>;
}

/// Checks a blob key against the rules in [`BlobStore`].
pub fn validate_blob_key(key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= 512
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
        && key
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..");
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidInput(format!(
            "blob key `{key}`: use letters, digits, - _ . / without empty, `.` or `..` segments (max 512 bytes)"
        )))
    }
}

/// Blobs as files below a folder (the embedded default).
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
}

impl LocalBlobStore {
    /// A store below `root` (created if missing).
    pub async fn new(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        tokio::fs::create_dir_all(&root).await?;
        Ok(Self { root })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf> {
        validate_blob_key(key)?;
        Ok(self.root.join(key))
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(key)?;
        let dir = path.parent().ok_or_else(|| {
            StoreError::InvalidInput(format!("blob key `{key}` has no file name"))
        })?;
        tokio::fs::create_dir_all(dir).await?;
        // Write beside the target, flush, then rename: readers see the old or the new file,
        // never a half-written one, and a crash leaves at most a stray temp file.
        let mut suffix = [0u8; 8];
        getrandom::fill(&mut suffix).map_err(|e| StoreError::Blob(e.to_string()))?;
        let tmp = dir.join(format!(
            ".tmp-{}",
            suffix
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ));
        let write = async {
            use tokio::io::AsyncWriteExt;
            let mut f = tokio::fs::File::create(&tmp).await?;
            f.write_all(bytes).await?;
            f.sync_all().await?;
            tokio::fs::rename(&tmp, &path).await
        };
        if let Err(e) = write.await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e.into());
        }
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(StoreError::not_found("blob", key))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &str) -> Result<bool> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

/// Blobs in a table of the store's own database: every worker that reaches the database reaches
/// the bytes (meant for PostgreSQL; works on SQLite too).
#[derive(Debug, Clone)]
pub struct DatabaseBlobStore {
    store: Store,
}

impl DatabaseBlobStore {
    /// Blobs in `store`'s database (run [`Store::migrate`] first).
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[async_trait]
impl BlobStore for DatabaseBlobStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()> {
        validate_blob_key(key)?;
        self.store.blob_put(key, bytes).await
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        validate_blob_key(key)?;
        self.store
            .blob_get(key)
            .await?
            .ok_or_else(|| StoreError::not_found("blob", key))
    }

    async fn delete(&self, key: &str) -> Result<bool> {
        validate_blob_key(key)?;
        self.store.blob_delete(key).await
    }
}

/// Blobs in object storage through the `object_store` crate (S3-compatible, or in memory).
#[cfg(feature = "object-store")]
#[derive(Debug, Clone)]
pub struct ObjectBlobStore {
    inner: std::sync::Arc<dyn object_store::ObjectStore>,
    prefix: String,
}

#[cfg(feature = "object-store")]
impl ObjectBlobStore {
    /// Blobs in `store`, below `prefix` (may be empty).
    pub fn new(
        store: std::sync::Arc<dyn object_store::ObjectStore>,
        prefix: impl Into<String>,
    ) -> Self {
        Self {
            inner: store,
            prefix: prefix.into().trim_matches('/').to_owned(),
        }
    }

    fn path(&self, key: &str) -> Result<object_store::path::Path> {
        validate_blob_key(key)?;
        let full = if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}/{key}", self.prefix)
        };
        object_store::path::Path::parse(full).map_err(|e| StoreError::Blob(e.to_string()))
    }
}

#[cfg(feature = "object-store")]
#[async_trait]
impl BlobStore for ObjectBlobStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()> {
        use object_store::ObjectStoreExt;
        self.inner
            .put(&self.path(key)?, bytes.to_vec().into())
            .await
            .map_err(|e| StoreError::Blob(e.to_string()))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        use object_store::ObjectStoreExt;
        match self.inner.get(&self.path(key)?).await {
            Ok(r) => Ok(r
                .bytes()
                .await
                .map_err(|e| StoreError::Blob(e.to_string()))?
                .to_vec()),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::not_found("blob", key)),
            Err(e) => Err(StoreError::Blob(e.to_string())),
        }
    }

    async fn delete(&self, key: &str) -> Result<bool> {
        use object_store::ObjectStoreExt;
        let path = self.path(key)?;
        match self.inner.head(&path).await {
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(StoreError::Blob(e.to_string())),
            Ok(_) => {}
        }
        self.inner
            .delete(&path)
            .await
            .map_err(|e| StoreError::Blob(e.to_string()))?;
        Ok(true)
    }
}
