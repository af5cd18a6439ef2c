//! The notification e-mail: what it says ([`Notification`]) and who sends it ([`Notifier`]).

use std::path::PathBuf;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use outbox_channel::ChannelError;
use outbox_model::{DeliveryId, Language, TenantId, format_german_time};
use serde::{Deserialize, Serialize};

use crate::ShareId;
use crate::fsutil;

/// Everything the recipient's e-mail needs: who sent it, which documents, the link and until when
/// it works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Owning tenant (to pick its sending account).
    pub tenant: TenantId,
    /// The delivery; a stable Message-ID can be derived from it.
    pub delivery: DeliveryId,
    /// The share.
    pub share: ShareId,
    /// Recipient's name.
    pub recipient_name: String,
    /// Recipient's e-mail address (checked).
    pub recipient_email: String,
    /// Sender's name.
    pub sender_name: String,
    /// Address replies go to, if any.
    pub reply_to: Option<String>,
    /// Titles of the shared documents, in order.
    pub documents: Vec<String>,
    /// The download link.
    pub link: String,
    /// The link works until this time.
    pub valid_until: DateTime<Utc>,
}

impl Notification {
    /// A subject line (German, with English).
    pub fn subject(&self) -> String {
        let n = self.documents.len();
        let what = if n == 1 {
            "1 Dokument / 1 document".to_owned()
        } else {
            format!("{n} Dokumente / {n} documents")
        };
        format!("{}: {what} zum Download / for download", self.sender_name)
    }

    /// A plain-text body, German first, then English.
    pub fn text(&self) -> String {
        let list: String = self
            .documents
            .iter()
            .map(|t| format!("  - {t}\n"))
            .collect();
        let until_de = format_german_time(self.valid_until, Language::De);
        let until_en = format_german_time(self.valid_until, Language::En);
        format!(
            "Guten Tag {name},\n\n{sender} hat Ihnen folgende Dokumente bereitgestellt:\n{list}\n\
             Download: {link}\n\nDer Link ist gültig bis {until_de}.\n\n-- \n\n\
             Hello {name},\n\n{sender} has shared the following documents with you:\n{list}\n\
             Download: {link}\n\nThe link is valid until {until_en}.\n",
            name = self.recipient_name,
            sender = self.sender_name,
            link = self.link,
        )
    }
}

/// Sends the notification for a share. The facade wires the e-mail route in; this crate ships
/// [`RecordingNotifier`] and [`FileNotifier`].
///
/// Errors are classified like channel errors: return
/// [`ErrorKind::Ambiguous`](outbox_channel::ErrorKind::Ambiguous) when the mail may have left.
/// A failed notification is retried by sending the delivery again: the share is reused and only
/// the notification is repeated.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Sends one notification.
    async fn notify(&self, notification: &Notification) -> Result<(), ChannelError>;
}

/// Keeps notifications in memory instead of sending them; for tests and demos.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    sent: Mutex<Vec<Notification>>,
}

impl RecordingNotifier {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The notifications so far, oldest first.
    pub fn notifications(&self) -> Vec<Notification> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn notify(&self, notification: &Notification) -> Result<(), ChannelError> {
        self.sent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(notification.clone());
        Ok(())
    }
}

/// Writes each notification as a JSON file `{delivery}-{share}.json` into a folder (written
/// atomically), for a pickup process or for inspection.
#[derive(Debug, Clone)]
pub struct FileNotifier {
    dir: PathBuf,
}

impl FileNotifier {
    /// Writes into `dir` (created when needed).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }
}

#[async_trait]
impl Notifier for FileNotifier {
    async fn notify(&self, n: &Notification) -> Result<(), ChannelError> {
        let path = self.dir.join(format!("{}-{}.json", n.delivery, n.share));
        let bytes = serde_json::to_vec_pretty(n)
            .map_err(|e| ChannelError::permanent("notify.encode", e.to_string()))?;
        tokio::task::spawn_blocking(move || fsutil::write_atomic(&path, &bytes, false))
            .await
            .map_err(|e| ChannelError::transient(e.to_string()))?
            .map_err(|e| ChannelError::transient(e.to_string()).with_source(e))
    }
}
