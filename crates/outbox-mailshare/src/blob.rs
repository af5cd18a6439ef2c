//! Where shared files live: the [`BlobStore`] trait and the local-folder default.

use std::fmt;
use std::io::SeekFrom;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};

use crate::error::MailShareError;
use crate::fsutil;

/// The name of a stored file: segments of ASCII letters, digits, `-`, `_` and `.`, separated by
/// `/`, none empty, `.` or `..`, at most 255 characters. Because every key is checked on
/// construction, no key can point outside the store's folder.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(String);

impl BlobKey {
    /// Checks and wraps a key.
    pub fn new(key: impl Into<String>) -> Result<Self, MailShareError> {
        let key = key.into();
        let segment_ok = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        };
        if key.is_empty() || key.len() > 255 || !key.split('/').all(segment_ok) {
            return Err(MailShareError::InvalidKey { key });
        }
        Ok(Self(key))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobKey({})", self.0)
    }
}

/// A stored file opened for reading.
pub struct BlobRead {
    /// The size of the whole file in bytes.
    pub size: u64,
    /// The requested bytes (the whole file, or the requested range).
    pub reader: Pin<Box<dyn AsyncRead + Send>>,
}

impl fmt::Debug for BlobRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobRead")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// Stores the shared files. Implementations must make `put` atomic: a reader sees the whole
/// file or none.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `key`, replacing what was there.
    async fn put(&self, key: &BlobKey, bytes: Arc<[u8]>) -> Result<(), MailShareError>;

    /// Opens a file; with `range`, only those bytes (the caller keeps the range within the size
    /// it recorded at `put`).
    async fn get(
        &self,
        key: &BlobKey,
        range: Option<Range<u64>>,
    ) -> Result<BlobRead, MailShareError>;

    /// Removes a file; `Ok(false)` if there was none.
    async fn delete(&self, key: &BlobKey) -> Result<bool, MailShareError>;
}

/// Files in a local folder, one file per key (sub-folders for `/`), written through a temporary
/// file and a rename.
#[derive(Debug, Clone)]
pub struct LocalDirBlobStore {
    root: PathBuf,
}

impl LocalDirBlobStore {
    /// A store in `root`, created if missing.
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, MailShareError> {
        let root = root.into();
        std::fs::create_dir_all(&root)
            .map_err(|e| MailShareError::io("creating the file folder", root.as_path(), e))?;
        Ok(Self { root })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a key's file lives; always inside the folder because keys are checked.
    pub fn path_of(&self, key: &BlobKey) -> PathBuf {
        key.segments().fold(self.root.clone(), |p, s| p.join(s))
    }
}

#[async_trait]
impl BlobStore for LocalDirBlobStore {
    async fn put(&self, key: &BlobKey, bytes: Arc<[u8]>) -> Result<(), MailShareError> {
        let path = self.path_of(key);
        tokio::task::spawn_blocking(move || fsutil::write_atomic(&path, &bytes, true))
            .await
            .map_err(|e| MailShareError::Task(e.to_string()))?
    }

    async fn get(
        &self,
        key: &BlobKey,
        range: Option<Range<u64>>,
    ) -> Result<BlobRead, MailShareError> {
        let path = self.path_of(key);
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(MailShareError::BlobNotFound {
                    key: key.to_string(),
                });
            }
            Err(e) => return Err(MailShareError::io("opening", path, e)),
        };
        let size = file
            .metadata()
            .await
            .map_err(|e| MailShareError::io("reading the size of", path.as_path(), e))?
            .len();
        let reader: Pin<Box<dyn AsyncRead + Send>> = match range {
            None => Box::pin(file),
            Some(r) => {
                let start = r.start.min(size);
                let end = r.end.clamp(start, size);
                file.seek(SeekFrom::Start(start))
                    .await
                    .map_err(|e| MailShareError::io("seeking in", path.as_path(), e))?;
                Box::pin(file.take(end - start))
            }
        };
        Ok(BlobRead { size, reader })
    }

    async fn delete(&self, key: &BlobKey) -> Result<bool, MailShareError> {
        let path = self.path_of(key);
        let removed = match tokio::fs::remove_file(&path).await {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(MailShareError::io("removing", path, e)),
        };
        // Empty share folders are removed too; a folder still in use is simply not empty.
        let mut dir = path.parent();
        while let Some(d) = dir {
            if d == self.root || !d.starts_with(&self.root) {
                break;
            }
            if tokio::fs::remove_dir(d).await.is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape() {
        for bad in [
            "",
            "..",
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a//b",
            "a/./b",
            "a\\b",
            "C:x",
            "a b",
            "ä",
            "a/",
        ] {
            assert!(BlobKey::new(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["a", "share_1/0.pdf", "x-y.z/..a", "A/B/c"] {
            assert!(BlobKey::new(good).is_ok(), "{good:?} refused");
        }
    }

    #[tokio::test]
    async fn put_get_range_delete() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalDirBlobStore::new(dir.path().join("files")).unwrap();
        let key = BlobKey::new("s1/0.pdf").unwrap();
        store
            .put(&key, Arc::from(&b"0123456789"[..]))
            .await
            .unwrap();
        let mut all = String::new();
        let mut r = store.get(&key, None).await.unwrap();
        assert_eq!(r.size, 10);
        r.reader.read_to_string(&mut all).await.unwrap();
        assert_eq!(all, "0123456789");
        let mut part = String::new();
        store
            .get(&key, Some(2..5))
            .await
            .unwrap()
            .reader
            .read_to_string(&mut part)
            .await
            .unwrap();
        assert_eq!(part, "234");
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("files/s1"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["0.pdf"]);
        assert!(store.delete(&key).await.unwrap());
        assert!(!store.delete(&key).await.unwrap());
        assert!(!dir.path().join("files/s1").exists());
        assert!(dir.path().join("files").exists());
        assert!(matches!(
            store.get(&key, None).await,
            Err(MailShareError::BlobNotFound { .. })
        ));
    }
}
