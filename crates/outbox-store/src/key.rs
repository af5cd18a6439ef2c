//! Encryption of secrets at rest (E-POST credentials) with an application key.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};

use crate::{Result, StoreError};

/// Length of the random nonce stored beside each ciphertext.
pub(crate) const NONCE_LEN: usize = 12;

/// The application key that encrypts secrets in the database (AES-256-GCM).
///
/// Keep it outside the database (environment, secret manager). Its `Debug` never shows the key.
#[derive(Clone)]
pub struct StoreKey([u8; 32]);

impl StoreKey {
    /// A key from 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A key from a slice, which must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            StoreError::InvalidInput(format!(
                "an application key has 32 bytes, this one has {}",
                bytes.len()
            ))
        })?;
        Ok(Self(arr))
    }

    /// A fresh random key from the operating system.
    pub fn generate() -> Result<Self> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k)
            .map_err(|e| StoreError::InvalidInput(format!("no randomness: {e}")))?;
        Ok(Self(k))
    }

    /// Encrypts `plain`, binding it to `context` (e.g. the tenant) so a ciphertext copied to
    /// another row does not decrypt. Returns (nonce, ciphertext).
    pub(crate) fn seal(&self, context: &[u8], plain: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| StoreError::Crypto)?;
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(self.0));
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .map_err(|_| StoreError::Crypto)?;
        Ok((nonce.to_vec(), sealed))
    }

    /// Decrypts what [`seal`](Self::seal) produced with the same context.
    pub(crate) fn open(&self, context: &[u8], nonce: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| StoreError::Crypto)?;
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(self.0));
        cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: context,
                },
            )
            .map_err(|_| StoreError::Crypto)
    }
}

impl fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoreKey(<redacted>)")
    }
}

/// Secret bytes (credentials) as stored and loaded; `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Wraps bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, consuming the wrapper.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<{} bytes redacted>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_context_binding() {
        let k = StoreKey::from_bytes([7; 32]);
        let (n, c) = k.seal(b"tenant:1", b"secret").unwrap();
        assert_eq!(k.open(b"tenant:1", &n, &c).unwrap(), b"secret");
        assert!(matches!(
            k.open(b"tenant:2", &n, &c),
            Err(StoreError::Crypto)
        ));
        let other = StoreKey::from_bytes([8; 32]);
        assert!(matches!(
            other.open(b"tenant:1", &n, &c),
            Err(StoreError::Crypto)
        ));
        assert!(!format!("{k:?}").contains('7'));
        assert_eq!(
            format!("{:?}", SecretBytes::new(b"pw".to_vec())),
            "SecretBytes(<2 bytes redacted>)"
        );
    }
}
