//! Share ids and signed, expiring download links.
//!
//! A link is `{base_url}/s/{share_id}/{expires}/{sig}`: the share id is 128 random bits
//! (base64url, 22 characters), `expires` the expiry as Unix seconds, and `sig` the base64url
//! HMAC-SHA256 of `share_id "." expires` under the application's link key. Without the key a link
//! can neither be guessed (2^128 ids) nor extended (the expiry is signed).

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{MailShareError, random_bytes};

/// Bytes of randomness in a share id.
const SHARE_ID_BYTES: usize = 16;
/// Length of a share id in base64url.
const SHARE_ID_CHARS: usize = 22;
/// Length of a signature in base64url (32 bytes).
const SIG_CHARS: usize = 43;
/// Shortest accepted link key.
pub const MIN_KEY_BYTES: usize = 32;
/// Separates this use of the key from any other use of the same bytes.
const DOMAIN: &[u8] = b"outbox-mailshare/link/v1\0";

/// The unguessable id of a share: 128 random bits, base64url without padding.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShareId(String);

impl ShareId {
    /// A new random id.
    pub fn generate() -> Result<Self, MailShareError> {
        let mut raw = [0u8; SHARE_ID_BYTES];
        random_bytes(&mut raw)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(raw)))
    }

    /// Parses an id; `None` unless it is exactly the canonical form [`generate`](Self::generate)
    /// produces.
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() != SHARE_ID_CHARS {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(s).ok()?;
        (raw.len() == SHARE_ID_BYTES).then(|| Self(s.to_owned()))
    }

    /// The id as text (safe in URLs and file names).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ShareId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ShareId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShareId({})", self.0)
    }
}

impl TryFrom<String> for ShareId {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or_else(|| format!("`{s}` is not a share id"))
    }
}

impl From<ShareId> for String {
    fn from(id: ShareId) -> Self {
        id.0
    }
}

/// Signs and checks download links with the application's secret key.
///
/// The key must survive restarts, or every link sent before the restart stops working: keep it
/// in the application's secret configuration or use [`LinkSigner::load_or_create`].
#[derive(Clone)]
pub struct LinkSigner {
    key: Vec<u8>,
}

impl fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkSigner { key: <redacted> }")
    }
}

impl LinkSigner {
    /// A signer with the given key (at least [`MIN_KEY_BYTES`] bytes).
    pub fn new(key: impl Into<Vec<u8>>) -> Result<Self, MailShareError> {
        let key = key.into();
        if key.len() < MIN_KEY_BYTES {
            return Err(MailShareError::KeyTooShort { len: key.len() });
        }
        Ok(Self { key })
    }

    /// A signer with a fresh random key; links die with it, so use it only in tests and demos.
    pub fn generate() -> Result<Self, MailShareError> {
        let mut key = vec![0u8; MIN_KEY_BYTES];
        random_bytes(&mut key)?;
        Self::new(key)
    }

    /// Reads the key from `path`, or creates the file with a new random key (owner-only
    /// permissions on Unix, written atomically) when it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, MailShareError> {
        match std::fs::read(path) {
            Ok(key) => Self::new(key),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = vec![0u8; MIN_KEY_BYTES];
                random_bytes(&mut key)?;
                crate::fsutil::write_atomic(path, &key, true)?;
                // Another process may have won the race; its key is the one on disk.
                let on_disk = std::fs::read(path)
                    .map_err(|e| MailShareError::io("reading the link key", path, e))?;
                Self::new(on_disk)
            }
            Err(e) => Err(MailShareError::io("reading the link key", path, e)),
        }
    }

    fn mac(&self, share_id: &str, expires: i64) -> Hmac<Sha256> {
        // `new_from_slice` accepts keys of any length for HMAC; the length was checked in `new`.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
        mac.update(DOMAIN);
        mac.update(share_id.as_bytes());
        mac.update(b".");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    /// The signed link for a share expiring at `expires` (whole seconds).
    pub fn sign(&self, share_id: &ShareId, expires: DateTime<Utc>) -> SignedLink {
        let exp = expires.timestamp();
        let sig = URL_SAFE_NO_PAD.encode(self.mac(share_id.as_str(), exp).finalize().into_bytes());
        SignedLink {
            share_id: share_id.clone(),
            expires: exp,
            signature: sig,
        }
    }

    /// Checks the three path segments of a link. `None` for anything we did not sign,
    /// including non-canonical spellings of the same values; the comparison of the signature is
    /// constant-time. Says nothing about expiry: the caller compares [`SignedLink::expires_at`]
    /// with the clock.
    pub fn verify(&self, share_id: &str, expires: &str, sig: &str) -> Option<SignedLink> {
        let id = ShareId::parse(share_id)?;
        let exp: i64 = expires.parse().ok()?;
        if exp.to_string() != expires || sig.len() != SIG_CHARS {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(sig).ok()?;
        self.mac(id.as_str(), exp).verify_slice(&raw).ok()?;
        Some(SignedLink {
            share_id: id,
            expires: exp,
            signature: sig.to_owned(),
        })
    }
}

/// A signed link to a share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedLink {
    /// The share.
    pub share_id: ShareId,
    /// Expiry in Unix seconds.
    pub expires: i64,
    /// The base64url signature.
    pub signature: String,
}

impl SignedLink {
    /// The path part: `/s/{share_id}/{expires}/{sig}`.
    pub fn path(&self) -> String {
        format!("/s/{}/{}/{}", self.share_id, self.expires, self.signature)
    }

    /// The full URL under `base_url` (which may carry a path prefix; a trailing `/` is ignored).
    pub fn url(&self, base_url: &str) -> String {
        format!("{}{}", base_url.trim_end_matches('/'), self.path())
    }

    /// The expiry as a time.
    pub fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.expires, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_ids_are_canonical_and_distinct() {
        let a = ShareId::generate().unwrap();
        let b = ShareId::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), SHARE_ID_CHARS);
        assert_eq!(ShareId::parse(a.as_str()), Some(a.clone()));
        assert!(ShareId::parse("../../etc/passwd").is_none());
        assert!(ShareId::parse(&format!("{a}A")).is_none());
    }

    #[test]
    fn sign_and_verify() {
        let s = LinkSigner::new(vec![7u8; 32]).unwrap();
        let id = ShareId::generate().unwrap();
        let exp = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let link = s.sign(&id, exp);
        let ok = s
            .verify(id.as_str(), "1900000000", &link.signature)
            .unwrap();
        assert_eq!(ok, link);
        assert_eq!(ok.expires_at(), exp);
        assert!(
            s.verify(id.as_str(), "1900000001", &link.signature)
                .is_none()
        );
        assert!(
            s.verify(id.as_str(), "01900000000", &link.signature)
                .is_none()
        );
        assert!(
            s.verify(id.as_str(), "+1900000000", &link.signature)
                .is_none()
        );
        let other = LinkSigner::new(vec![8u8; 32]).unwrap();
        assert!(
            other
                .verify(id.as_str(), "1900000000", &link.signature)
                .is_none()
        );
        assert!(matches!(
            LinkSigner::new(vec![1u8; 31]),
            Err(MailShareError::KeyTooShort { len: 31 })
        ));
    }

    #[test]
    fn key_file_is_created_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("link.key");
        let a = LinkSigner::load_or_create(&p).unwrap();
        let b = LinkSigner::load_or_create(&p).unwrap();
        assert_eq!(a.key, b.key);
        assert_eq!(std::fs::read(&p).unwrap().len(), MIN_KEY_BYTES);
    }
}
