//! Key material kept in the data folder when the application supplies none.

use std::io::Write;
use std::path::Path;

use crate::{OutboxError, Result};

/// Reads a 32-byte key from `path`, or creates it with fresh random bytes (readable by the
/// owner only). Losing the file makes stored secrets unreadable, so it is never overwritten.
pub(crate) fn load_or_create(path: &Path) -> Result<[u8; 32]> {
    let io = |source| OutboxError::DataDir {
        path: path.to_owned(),
        source,
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            return bytes.try_into().map_err(|_| {
                OutboxError::Config(format!(
                    "{} is not a 32-byte key; restore it from a backup or remove it (stored secrets are then lost)",
                    path.display()
                ))
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key)
        .map_err(|e| OutboxError::Config(format!("no random source for a new key: {e}")))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    file.write_all(&key).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(key)
}
