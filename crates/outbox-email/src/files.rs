//! The file transport: one `.eml` file per mail in a folder, named after the Message-ID seed.
//!
//! Writing to a temporary name and renaming makes each file appear complete or not at all, and
//! the stable name makes a resend overwrite instead of duplicate, so the folder can answer
//! "was this mail written?" exactly.

use std::io::ErrorKind as IoKind;
use std::path::{Path, PathBuf};

use outbox_channel::ErrorKind;

use crate::error::{SendError, Stage};
use crate::mail::sanitize_seed;

pub(crate) struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    pub(crate) fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn path_for(&self, seed: &str) -> PathBuf {
        self.dir.join(format!("{}.eml", sanitize_seed(seed)))
    }

    pub(crate) async fn write(&self, seed: &str, content: &[u8]) -> Result<PathBuf, SendError> {
        let io = |what: &str, e: std::io::Error| {
            SendError::new(
                ErrorKind::Transient,
                Stage::File,
                format!("{what} in {}: {e}", self.dir.display()),
            )
            .with_source(e)
        };
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| io("could not create the mail folder", e))?;
        let path = self.path_for(seed);
        let tmp = path.with_extension("eml.tmp");
        tokio::fs::write(&tmp, content)
            .await
            .map_err(|e| io("could not write the mail file", e))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(|e| io("could not move the mail file into place", e))?;
        Ok(path)
    }

    /// The Message-ID of the mail written for `seed`, if there is one.
    pub(crate) async fn find(&self, seed: &str) -> Result<Option<String>, SendError> {
        let path = self.path_for(seed);
        let bytes = match tokio::fs::read(&path).await {
            Ok(b) => b,
            Err(e) if e.kind() == IoKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(SendError::new(
                    ErrorKind::Transient,
                    Stage::File,
                    format!("could not read {}: {e}", path.display()),
                )
                .with_source(e));
            }
        };
        Ok(Some(header_value(&bytes, "message-id").unwrap_or_default()))
    }
}

/// A header's value from the header block of a message (unfolded, trimmed).
fn header_value(message: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(message);
    let mut found: Option<String> = None;
    for line in text.split("\r\n") {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(v) = found.as_mut() {
                v.push_str(line.trim_start());
            }
            continue;
        }
        if found.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.trim().eq_ignore_ascii_case(name)
        {
            found = Some(v.trim().to_owned());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::header_value;

    #[test]
    fn reads_folded_headers() {
        let m = b"Subject: a\r\nMessage-ID:\r\n <x@y>\r\nTo: b\r\n\r\nMessage-ID: <no>";
        assert_eq!(header_value(m, "message-id").as_deref(), Some("<x@y>"));
        assert_eq!(header_value(m, "from"), None);
    }
}
