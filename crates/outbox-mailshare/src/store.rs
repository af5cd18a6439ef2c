//! Where shares and downloads are recorded: the [`ShareStore`] trait and [`LocalShareStore`],
//! the default that needs no server.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use outbox_model::{DeliveryId, TenantId};
use tokio::sync::Mutex;

use crate::error::MailShareError;
use crate::fsutil;
use crate::{NewDownload, Share, ShareDownload, ShareId};

/// Persists shares and their downloads. Implementations must be safe for concurrent use and
/// must record every download durably before returning.
#[async_trait]
pub trait ShareStore: Send + Sync {
    /// Stores `share` unless the same tenant's delivery already has one. Returns the stored share
    /// and whether `share` was inserted (`false`: the existing one is returned unchanged).
    async fn insert(&self, share: Share) -> Result<(Share, bool), MailShareError>;

    /// The share with this id.
    async fn get(&self, id: &ShareId) -> Result<Option<Share>, MailShareError>;

    /// The share of a tenant's delivery.
    async fn find_by_delivery(
        &self,
        tenant: TenantId,
        delivery: DeliveryId,
    ) -> Result<Option<Share>, MailShareError>;

    /// Records that the recipient was notified (the first time only); returns the share.
    async fn mark_notified(&self, id: &ShareId, at: DateTime<Utc>)
    -> Result<Share, MailShareError>;

    /// Moves the expiry of a share whose recipient was not notified yet (the link starts to
    /// count when it is sent). Returns the share; a notified share is returned unchanged.
    async fn renew_unnotified(
        &self,
        id: &ShareId,
        expires_at: DateTime<Utc>,
    ) -> Result<Share, MailShareError>;

    /// Records a download. Exactly one download per share comes back with `first = true`,
    /// however many run at once.
    async fn record_download(&self, download: NewDownload)
    -> Result<ShareDownload, MailShareError>;

    /// Downloads with a sequence number above `cursor`, oldest first, at most `limit`.
    async fn downloads_since(
        &self,
        cursor: u64,
        limit: usize,
    ) -> Result<Vec<ShareDownload>, MailShareError>;

    /// A share's downloads with a sequence number above `after`, oldest first.
    async fn downloads_of(
        &self,
        id: &ShareId,
        after: u64,
    ) -> Result<Vec<ShareDownload>, MailShareError>;

    /// Remembers up to which download a share's downloads were reported by a poll.
    async fn set_poll_cursor(&self, id: &ShareId, seq: u64) -> Result<(), MailShareError>;

    /// Shares that expired before `before` and whose files were not removed yet.
    async fn expired_before(&self, before: DateTime<Utc>) -> Result<Vec<Share>, MailShareError>;

    /// Records that the share's files were removed.
    async fn mark_purged(&self, id: &ShareId, at: DateTime<Utc>) -> Result<(), MailShareError>;
}

#[derive(Debug, Default)]
struct Index {
    shares: HashMap<ShareId, Share>,
    by_delivery: HashMap<(TenantId, DeliveryId), ShareId>,
    downloads: Vec<ShareDownload>,
    downloads_by_share: HashMap<ShareId, Vec<usize>>,
}

impl Index {
    fn add_share(&mut self, share: Share) {
        self.by_delivery
            .insert((share.tenant, share.delivery), share.id.clone());
        self.shares.insert(share.id.clone(), share);
    }

    fn add_download(&mut self, d: ShareDownload) {
        if let Some(s) = self.shares.get_mut(&d.share)
            && d.first
        {
            s.first_download_at = Some(d.at);
        }
        self.downloads_by_share
            .entry(d.share.clone())
            .or_default()
            .push(self.downloads.len());
        self.downloads.push(d);
    }

    fn next_seq(&self) -> u64 {
        self.downloads.last().map_or(1, |d| d.seq + 1)
    }

    fn share(&self, id: &ShareId) -> Result<&Share, MailShareError> {
        self.shares
            .get(id)
            .ok_or_else(|| MailShareError::ShareNotFound { id: id.to_string() })
    }
}

/// The default [`ShareStore`]: an in-memory index, optionally backed by a folder that survives
/// restarts.
///
/// On disk, each share is one JSON file `shares/{id}.json`, replaced atomically (temporary file
/// and rename) on every change; downloads are appended to `downloads.jsonl` and flushed to disk
/// before [`record_download`](ShareStore::record_download) returns. A line torn by a crash is cut
/// off when the folder is opened again. One process should own the folder.
#[derive(Debug)]
pub struct LocalShareStore {
    dir: Option<PathBuf>,
    index: Mutex<Index>,
}

const DOWNLOADS_FILE: &str = "downloads.jsonl";
const SHARES_DIR: &str = "shares";

impl LocalShareStore {
    /// A store that keeps everything in memory (tests and demos; lost on exit).
    pub fn in_memory() -> Self {
        Self {
            dir: None,
            index: Mutex::new(Index::default()),
        }
    }

    /// Opens (or creates) a store in `dir` and loads what is there.
    pub async fn open(dir: impl Into<PathBuf>) -> Result<Self, MailShareError> {
        let dir = dir.into();
        let d = dir.clone();
        let index = tokio::task::spawn_blocking(move || load(&d))
            .await
            .map_err(|e| MailShareError::Task(e.to_string()))??;
        Ok(Self {
            dir: Some(dir),
            index: Mutex::new(index),
        })
    }

    /// The folder, when the store is persistent.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    async fn persist_share(&self, share: &Share) -> Result<(), MailShareError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let path = dir
            .join(SHARES_DIR)
            .join(format!("{}.json", share.id.as_str()));
        let bytes = serde_json::to_vec_pretty(share).map_err(|e| MailShareError::Corrupt {
            path: path.clone(),
            source: e,
        })?;
        tokio::task::spawn_blocking(move || fsutil::write_atomic(&path, &bytes, true))
            .await
            .map_err(|e| MailShareError::Task(e.to_string()))?
    }

    async fn append_download(&self, d: &ShareDownload) -> Result<(), MailShareError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let path = dir.join(DOWNLOADS_FILE);
        let mut line = serde_json::to_vec(d).map_err(|e| MailShareError::Corrupt {
            path: path.clone(),
            source: e,
        })?;
        line.push(b'\n');
        tokio::task::spawn_blocking(move || {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| MailShareError::io("opening", path.as_path(), e))?;
            f.write_all(&line)
                .and_then(|()| f.sync_data())
                .map_err(|e| MailShareError::io("appending to", path.as_path(), e))
        })
        .await
        .map_err(|e| MailShareError::Task(e.to_string()))?
    }

    async fn update_share(
        &self,
        id: &ShareId,
        change: impl FnOnce(&mut Share) -> bool + Send,
    ) -> Result<Share, MailShareError> {
        let mut index = self.index.lock().await;
        let mut share = index.share(id)?.clone();
        if change(&mut share) {
            self.persist_share(&share).await?;
            index.shares.insert(id.clone(), share.clone());
        }
        Ok(share)
    }
}

fn load(dir: &Path) -> Result<Index, MailShareError> {
    let shares_dir = dir.join(SHARES_DIR);
    std::fs::create_dir_all(&shares_dir)
        .map_err(|e| MailShareError::io("creating the share folder", shares_dir.as_path(), e))?;
    let mut index = Index::default();
    let entries = std::fs::read_dir(&shares_dir)
        .map_err(|e| MailShareError::io("listing", shares_dir.as_path(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| MailShareError::io("listing", shares_dir.as_path(), e))?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            // A temporary file left by a crash during an atomic write.
            let _ = std::fs::remove_file(&path);
            continue;
        }
        if !name.ends_with(".json") {
            continue;
        }
        let bytes =
            std::fs::read(&path).map_err(|e| MailShareError::io("reading", path.as_path(), e))?;
        let mut share: Share = serde_json::from_slice(&bytes)
            .map_err(|e| MailShareError::Corrupt { path, source: e })?;
        // Derived from the download log, which is written first.
        share.first_download_at = None;
        index.add_share(share);
    }
    let log = dir.join(DOWNLOADS_FILE);
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&log)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(index),
        Err(e) => return Err(MailShareError::io("opening", log, e)),
    };
    let mut reader = std::io::BufReader::new(&file);
    let mut good_len = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| MailShareError::io("reading", log.as_path(), e))?;
        if n == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            tracing::warn!(file = %log.display(), "cutting off a download record torn by a crash");
            break;
        }
        let d: ShareDownload =
            serde_json::from_slice(&line).map_err(|e| MailShareError::Corrupt {
                path: log.clone(),
                source: e,
            })?;
        good_len += n as u64;
        index.add_download(d);
    }
    if file.metadata().map(|m| m.len()).unwrap_or(good_len) != good_len {
        file.set_len(good_len)
            .map_err(|e| MailShareError::io("truncating", log.as_path(), e))?;
    }
    Ok(index)
}

#[async_trait]
impl ShareStore for LocalShareStore {
    async fn insert(&self, share: Share) -> Result<(Share, bool), MailShareError> {
        let mut index = self.index.lock().await;
        if let Some(existing) = index
            .by_delivery
            .get(&(share.tenant, share.delivery))
            .and_then(|id| index.shares.get(id))
        {
            return Ok((existing.clone(), false));
        }
        self.persist_share(&share).await?;
        index.add_share(share.clone());
        Ok((share, true))
    }

    async fn get(&self, id: &ShareId) -> Result<Option<Share>, MailShareError> {
        Ok(self.index.lock().await.shares.get(id).cloned())
    }

    async fn find_by_delivery(
        &self,
        tenant: TenantId,
        delivery: DeliveryId,
    ) -> Result<Option<Share>, MailShareError> {
        let index = self.index.lock().await;
        Ok(index
            .by_delivery
            .get(&(tenant, delivery))
            .and_then(|id| index.shares.get(id))
            .cloned())
    }

    async fn mark_notified(
        &self,
        id: &ShareId,
        at: DateTime<Utc>,
    ) -> Result<Share, MailShareError> {
        self.update_share(id, |s| {
            let change = s.notified_at.is_none();
            if change {
                s.notified_at = Some(at);
            }
            change
        })
        .await
    }

    async fn renew_unnotified(
        &self,
        id: &ShareId,
        expires_at: DateTime<Utc>,
    ) -> Result<Share, MailShareError> {
        self.update_share(id, |s| {
            let change = s.notified_at.is_none() && s.expires_at != expires_at;
            if change {
                s.expires_at = expires_at;
            }
            change
        })
        .await
    }

    async fn record_download(
        &self,
        download: NewDownload,
    ) -> Result<ShareDownload, MailShareError> {
        let mut index = self.index.lock().await;
        let share = index.share(&download.share)?;
        let document = share
            .documents
            .get(download.document_index)
            .ok_or_else(|| MailShareError::ShareNotFound {
                id: format!("{}/d/{}", download.share, download.document_index),
            })?
            .id;
        let d = ShareDownload {
            seq: index.next_seq(),
            share: download.share,
            tenant: share.tenant,
            delivery: share.delivery,
            document,
            document_index: download.document_index,
            at: download.at,
            client: download.client,
            partial: download.partial,
            first: share.first_download_at.is_none(),
        };
        self.append_download(&d).await?;
        index.add_download(d.clone());
        Ok(d)
    }

    async fn downloads_since(
        &self,
        cursor: u64,
        limit: usize,
    ) -> Result<Vec<ShareDownload>, MailShareError> {
        let index = self.index.lock().await;
        let start = index.downloads.partition_point(|d| d.seq <= cursor);
        Ok(index.downloads[start..]
            .iter()
            .take(limit)
            .cloned()
            .collect())
    }

    async fn downloads_of(
        &self,
        id: &ShareId,
        after: u64,
    ) -> Result<Vec<ShareDownload>, MailShareError> {
        let index = self.index.lock().await;
        Ok(index
            .downloads_by_share
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|&i| index.downloads.get(i))
            .filter(|d| d.seq > after)
            .cloned()
            .collect())
    }

    async fn set_poll_cursor(&self, id: &ShareId, seq: u64) -> Result<(), MailShareError> {
        self.update_share(id, |s| {
            let change = seq > s.poll_cursor;
            if change {
                s.poll_cursor = seq;
            }
            change
        })
        .await
        .map(drop)
    }

    async fn expired_before(&self, before: DateTime<Utc>) -> Result<Vec<Share>, MailShareError> {
        let index = self.index.lock().await;
        let mut v: Vec<Share> = index
            .shares
            .values()
            .filter(|s| s.purged_at.is_none() && s.expires_at < before)
            .cloned()
            .collect();
        v.sort_by_key(|s| s.expires_at);
        Ok(v)
    }

    async fn mark_purged(&self, id: &ShareId, at: DateTime<Utc>) -> Result<(), MailShareError> {
        self.update_share(id, |s| {
            let change = s.purged_at.is_none();
            if change {
                s.purged_at = Some(at);
            }
            change
        })
        .await
        .map(drop)
    }
}
