//! Atomic file writes: a temporary file in the same folder, flushed to disk, then renamed over
//! the target, so readers see the old or the new content and never a torn file.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{MailShareError, random_bytes};

/// A unique temporary name next to `target`; the leading dot keeps it out of listings.
pub(crate) fn temp_path_for(target: &Path) -> Result<PathBuf, MailShareError> {
    let mut r = [0u8; 8];
    random_bytes(&mut r)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let suffix: String = r.iter().map(|b| format!("{b:02x}")).collect();
    Ok(target.with_file_name(format!(".{name}.{suffix}.part")))
}

/// Writes `bytes` to `path` atomically. With `private`, the file is readable by its owner only
/// (Unix).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<(), MailShareError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| MailShareError::io("creating the folder", parent, e))?;
    }
    let tmp = temp_path_for(path)?;
    let result = (|| {
        let mut f = open_new(&tmp, private)
            .map_err(|e| MailShareError::io("creating", tmp.as_path(), e))?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| MailShareError::io("writing", tmp.as_path(), e))?;
        fs::rename(&tmp, path).map_err(|e| MailShareError::io("renaming into", path, e))?;
        sync_dir(path);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn open_new(path: &Path, private: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    o.open(path)
}

/// Makes a rename durable by syncing the folder; best effort because not every platform can
/// open folders.
pub(crate) fn sync_dir(path: &Path) {
    if let Some(parent) = path.parent()
        && let Ok(d) = File::open(parent)
    {
        let _ = d.sync_all();
    }
}
