//! One tenant's E-POST access, and the export/import code that gives a second tenant the same
//! access.
//!
//! # Code format (version 1)
//!
//! ```text
//! version (1 byte) | nonce (12) | AES-256-GCM ciphertext + tag | checksum (4)
//! ```
//!
//! The plaintext holds vendor id, EKP, secret, password and VendorSubID, each as one length
//! byte and UTF-8. The version byte is authenticated as associated data. The checksum is the
//! first four bytes of SHA-256 over everything before it: it catches typing mistakes before any
//! decryption is tried, so a typo and a wrong key give different errors. The bytes are written
//! in Crockford base32 (no `I`, `L`, `O`, `U`; case does not matter; `O` reads as `0`, `I`/`L`
//! as `1`) in groups of five separated by `-`, so the code can be read out and typed.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::Secret;

/// The current version of the export code.
pub const CODE_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const CHECKSUM_LEN: usize = 4;
const AAD: &[u8] = b"outbox-epost credentials";
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const GROUP: usize = 5;

/// The E-POST access of one tenant: vendor id (the software maker's DP id), the customer's
/// EKP, the secret from activation and the password. `Debug` never shows secret or password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// "DPAG-Kennung des Software-Herstellers".
    pub vendor_id: String,
    /// The customer's 10-digit EKP.
    pub ekp: String,
    /// The secret returned by [`EpostClient::set_password`](crate::EpostClient::set_password).
    pub secret: Secret,
    /// The password chosen at activation.
    pub password: Secret,
    /// Optional partner-managed customer id (`vendorSubID`).
    pub vendor_sub_id: Option<String>,
}

/// Credentials that cannot be used as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The vendor id is empty.
    #[error("the vendor id is empty; enter the software maker's Deutsche Post id")]
    VendorIdMissing,
    /// The EKP is not 10 digits.
    #[error("the EKP must be exactly 10 digits (got {len} characters)")]
    EkpInvalid {
        /// Characters given.
        len: usize,
    },
    /// The secret is empty or too long.
    #[error("the secret is empty or longer than 100 characters; repeat the activation")]
    SecretInvalid,
    /// The password is not 5..=100 characters.
    #[error("the password must have 5 to 100 characters")]
    PasswordInvalid,
    /// The VendorSubID is too long.
    #[error("the VendorSubID is longer than 100 characters")]
    VendorSubIdTooLong,
}

impl Credentials {
    /// Credentials without a VendorSubID.
    pub fn new(
        vendor_id: impl Into<String>,
        ekp: impl Into<String>,
        secret: Secret,
        password: Secret,
    ) -> Self {
        Self {
            vendor_id: vendor_id.into(),
            ekp: ekp.into(),
            secret,
            password,
            vendor_sub_id: None,
        }
    }

    /// Checks the field rules of the login call.
    pub fn validate(&self) -> Result<(), CredentialsError> {
        if self.vendor_id.trim().is_empty() {
            return Err(CredentialsError::VendorIdMissing);
        }
        validate_ekp(&self.ekp)?;
        if self.secret.is_blank() || self.secret.expose().chars().count() > 100 {
            return Err(CredentialsError::SecretInvalid);
        }
        validate_password(&self.password)?;
        if self
            .vendor_sub_id
            .as_deref()
            .is_some_and(|s| s.chars().count() > 100)
        {
            return Err(CredentialsError::VendorSubIdTooLong);
        }
        Ok(())
    }

    /// Encrypts the credentials into a code another tenant of the same application can import
    /// with the same key. Every call gives a different code (random nonce).
    pub fn export_code(&self, key: &CredentialsKey) -> Result<String, ExportError> {
        let mut plain = Vec::with_capacity(256);
        for field in [
            self.vendor_id.as_str(),
            self.ekp.as_str(),
            self.secret.expose(),
            self.password.expose(),
            self.vendor_sub_id.as_deref().unwrap_or(""),
        ] {
            let len = u8::try_from(field.len()).map_err(|_| ExportError::FieldTooLong)?;
            plain.push(len);
            plain.extend_from_slice(field.as_bytes());
        }
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| ExportError::NoRandomness)?;
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(key.0));
        let aad = aad();
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            .map_err(|_| ExportError::Encryption)?;
        let mut bytes = Vec::with_capacity(1 + NONCE_LEN + sealed.len() + CHECKSUM_LEN);
        bytes.push(CODE_VERSION);
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        let sum = checksum(&bytes);
        bytes.extend_from_slice(&sum);
        Ok(group(&encode_base32(&bytes)))
    }

    /// Reads a code made by [`Credentials::export_code`] with the same key.
    ///
    /// A mistyped code gives [`ImportError::Typo`] (or [`ImportError::InvalidCharacter`]), a
    /// different key or an altered code [`ImportError::WrongKeyOrAltered`].
    pub fn import_code(code: &str, key: &CredentialsKey) -> Result<Self, ImportError> {
        let bytes = decode_base32(code)?;
        if bytes.len() < 1 + NONCE_LEN + TAG_LEN + CHECKSUM_LEN {
            return Err(ImportError::TooShort);
        }
        let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        if checksum(body) != sum {
            return Err(ImportError::Typo);
        }
        if body[0] != CODE_VERSION {
            return Err(ImportError::UnsupportedVersion(body[0]));
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&body[1..=NONCE_LEN]);
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(key.0));
        let aad = aad();
        let plain = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &body[1 + NONCE_LEN..],
                    aad: &aad,
                },
            )
            .map_err(|_| ImportError::WrongKeyOrAltered)?;
        let mut fields = Vec::with_capacity(5);
        let mut rest = plain.as_slice();
        for _ in 0..5 {
            let (&len, tail) = rest.split_first().ok_or(ImportError::Content)?;
            let len = usize::from(len);
            if tail.len() < len {
                return Err(ImportError::Content);
            }
            let text = std::str::from_utf8(&tail[..len]).map_err(|_| ImportError::Content)?;
            fields.push(text.to_owned());
            rest = &tail[len..];
        }
        if !rest.is_empty() {
            return Err(ImportError::Content);
        }
        let sub = fields.pop().filter(|s| !s.is_empty());
        let password = Secret::new(fields.pop().unwrap_or_default());
        let secret = Secret::new(fields.pop().unwrap_or_default());
        let ekp = fields.pop().unwrap_or_default();
        let vendor_id = fields.pop().unwrap_or_default();
        Ok(Self {
            vendor_id,
            ekp,
            secret,
            password,
            vendor_sub_id: sub,
        })
    }
}

pub(crate) fn validate_ekp(ekp: &str) -> Result<(), CredentialsError> {
    if ekp.len() == 10 && ekp.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CredentialsError::EkpInvalid {
            len: ekp.chars().count(),
        })
    }
}

pub(crate) fn validate_password(password: &Secret) -> Result<(), CredentialsError> {
    let n = password.expose().chars().count();
    if (5..=100).contains(&n) {
        Ok(())
    } else {
        Err(CredentialsError::PasswordInvalid)
    }
}

/// The key that protects export codes, supplied by the application (the same in every
/// installation that should be able to import a code). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct CredentialsKey([u8; 32]);

impl CredentialsKey {
    /// A raw 256-bit key.
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self(key)
    }

    /// Derives the key from an application secret with HMAC-SHA256. The secret should be
    /// high-entropy (a random value from the application's configuration); stretch a
    /// human-chosen passphrase with a password hash such as Argon2 first.
    pub fn derive(application_secret: &[u8]) -> Self {
        // HMAC accepts keys of any length, so this cannot fail; fall back to hashing anyway.
        let out: [u8; 32] = match Hmac::<Sha256>::new_from_slice(application_secret) {
            Ok(mut mac) => {
                mac.update(b"outbox-epost credentials key v1");
                mac.finalize().into_bytes().into()
            }
            Err(_) => Sha256::digest(application_secret).into(),
        };
        Self(out)
    }
}

impl std::fmt::Debug for CredentialsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialsKey(***)")
    }
}

/// Why credentials could not be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A field is longer than 255 bytes.
    #[error("a credentials field is longer than 255 bytes and cannot be exported")]
    FieldTooLong,
    /// The operating system gave no random numbers.
    #[error("the operating system's random number generator failed; try again")]
    NoRandomness,
    /// Encryption failed.
    #[error("encrypting the credentials failed")]
    Encryption,
}

/// Why an export code could not be imported. Each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The code contains a character that cannot occur in it.
    #[error(
        "the code contains '{ch}' at position {position}, which cannot occur in a code; check that character"
    )]
    InvalidCharacter {
        /// The character.
        ch: char,
        /// 1-based position in the input.
        position: usize,
    },
    /// The code is too short to be complete.
    #[error("the code is incomplete; copy the whole code")]
    TooShort,
    /// The checksum does not match: a character was mistyped, left out or added.
    #[error(
        "the code contains a typo (its checksum does not match); compare it character by character with the original"
    )]
    Typo,
    /// The code was made by a newer or unknown version.
    #[error(
        "the code has version {0}, which this software cannot read; update the software or export the code again"
    )]
    UnsupportedVersion(u8),
    /// Decryption failed: a different key, or the code was altered on purpose.
    #[error(
        "the code cannot be decrypted: it was exported with a different key (another application or installation) or it was altered"
    )]
    WrongKeyOrAltered,
    /// The decrypted content is not a set of credentials.
    #[error("the code decrypts, but its content is not E-POST credentials; export it again")]
    Content,
}

fn aad() -> Vec<u8> {
    let mut aad = AAD.to_vec();
    aad.push(CODE_VERSION);
    aad
}

fn checksum(bytes: &[u8]) -> [u8; CHECKSUM_LEN] {
    let digest = Sha256::digest(bytes);
    let mut out = [0u8; CHECKSUM_LEN];
    out.copy_from_slice(&digest[..CHECKSUM_LEN]);
    out
}

fn encode_base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

fn decode_base32(code: &str) -> Result<Vec<u8>, ImportError> {
    let mut out = Vec::with_capacity(code.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut any = false;
    for (i, ch) in code.chars().enumerate() {
        if ch == '-' || ch.is_whitespace() {
            continue;
        }
        let up = match ch.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        let value = ALPHABET.iter().position(|&a| char::from(a) == up).ok_or(
            ImportError::InvalidCharacter {
                ch,
                position: i + 1,
            },
        )?;
        any = true;
        acc = (acc << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    if !any {
        return Err(ImportError::TooShort);
    }
    // The exporter pads with zero bits; anything else in them is a mistyped last character.
    if acc != 0 {
        return Err(ImportError::Typo);
    }
    Ok(out)
}

fn group(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars
        .chunks(GROUP)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trips() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let enc = encode_base32(&bytes);
            if len == 0 {
                continue;
            }
            assert_eq!(decode_base32(&enc).unwrap(), bytes, "len {len}");
            assert_eq!(decode_base32(&enc.to_lowercase()).unwrap(), bytes);
        }
    }

    #[test]
    fn look_alike_letters_read_as_digits() {
        // Eight characters are exactly five bytes: no padding bits involved.
        let plain = decode_base32("01110000").unwrap();
        assert_eq!(decode_base32("O1IL0000").unwrap(), plain);
        assert_eq!(decode_base32("o1il-oooo").unwrap(), plain);
        // Non-zero padding bits mean the last character was mistyped.
        assert_eq!(decode_base32("01"), Err(ImportError::Typo));
        assert!(matches!(
            decode_base32("0U"),
            Err(ImportError::InvalidCharacter {
                ch: 'U',
                position: 2
            })
        ));
    }
}
