//! Secrets: API token comparison, password hashing, session tokens and cookies.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

use super::{PasswordHashCost, ServerError};

/// Name of the recipients' session cookie.
pub(crate) const SESSION_COOKIE: &str = "outbox_portal_session";

/// Compares two secrets in time independent of where they differ: both are hashed to a fixed
/// length first, so neither content nor length leaks through timing.
pub(crate) fn secrets_equal(a: &str, b: &str) -> bool {
    let (ha, hb) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    ha.iter()
        .zip(hb.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of some bytes, lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn argon2(cost: PasswordHashCost) -> Result<Argon2<'static>, ServerError> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .map_err(|e| ServerError::InvalidConfig(format!("argon2 parameters {cost:?}: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks that the cost is usable by argon2.
pub(crate) fn validate_cost(cost: PasswordHashCost) -> Result<(), ServerError> {
    argon2(cost).map(|_| ())
}

/// Hashes a password with argon2id and a fresh random 16-byte salt; returns the PHC string.
/// Slow by design: call it from a blocking thread.
pub(crate) fn hash_password(cost: PasswordHashCost, password: &str) -> Result<String, ServerError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| ServerError::Random(format!("no random salt available: {e}")))?;
    let hash = argon2(cost)?
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| ServerError::PasswordHash(e.to_string()))?;
    Ok(hash.to_string())
}

/// Verifies a password against a PHC string; the cost stored in the string applies. A malformed
/// stored hash verifies nothing.
pub(crate) fn verify_password(phc: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A new random session token (32 bytes, hex).
pub(crate) fn new_session_token() -> Result<String, ServerError> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw)
        .map_err(|e| ServerError::Random(format!("no random session id available: {e}")))?;
    Ok(hex(&raw))
}

/// The value of a cookie in the request, if present.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The `Authorization: Bearer` token of a request, if present.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn secrets_compare_by_content() {
        assert!(secrets_equal("abc", "abc"));
        assert!(!secrets_equal("abc", "abd"));
        assert!(!secrets_equal("abc", "abcd"));
        assert!(!secrets_equal("", "x"));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let cost = PasswordHashCost::FAST_FOR_TESTS;
        let h1 = hash_password(cost, "correct horse").unwrap();
        let h2 = hash_password(cost, "correct horse").unwrap();
        assert!(h1.starts_with("$argon2id$"));
        assert_ne!(h1, h2, "each hash has its own salt");
        assert!(verify_password(&h1, "correct horse"));
        assert!(!verify_password(&h1, "correct horsf"));
        assert!(!verify_password("not a hash", "correct horse"));
        assert!(
            validate_cost(PasswordHashCost {
                memory_kib: 1,
                iterations: 1,
                parallelism: 1
            })
            .is_err()
        );
    }

    #[test]
    fn cookies_and_bearer_are_read() {
        let mut h = HeaderMap::new();
        h.insert(
            "cookie",
            HeaderValue::from_static("a=1; outbox_portal_session=xyz ; b=2"),
        );
        h.insert("authorization", HeaderValue::from_static("Bearer  tok "));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
        assert_eq!(bearer(&h), Some("tok"));
        h.insert("authorization", HeaderValue::from_static("Basic dG9r"));
        assert_eq!(bearer(&h), None);
        let t = new_session_token().unwrap();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_session_token().unwrap());
    }
}
