//! Export and import codes: round trip, typos, wrong keys, tampering, versions, secrecy.

use outbox_epost::{CODE_VERSION, Credentials, CredentialsKey, ImportError, Secret};
use proptest::prelude::*;

fn creds() -> Credentials {
    let mut c = Credentials::new(
        "FAKEVENDOR",
        "5012345678",
        Secret::new("77831f6f-d39b-4d5b-a5ae-b4006f894179"),
        Secret::new("geheimes Passwort ä"),
    );
    c.vendor_sub_id = Some("kunde-42".into());
    c
}

fn key() -> CredentialsKey {
    CredentialsKey::derive(b"application secret of the property management software")
}

const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Re-encodes raw code bytes the way the exporter does (for tampering tests).
fn encode(bytes: &[u8]) -> String {
    let alphabet: Vec<char> = ALPHABET.chars().collect();
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(alphabet[((acc >> bits) & 31) as usize]);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(alphabet[((acc << (5 - bits)) & 31) as usize]);
    }
    out
}

fn decode(code: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in code.chars().filter(|c| *c != '-') {
        acc = (acc << 5) | ALPHABET.find(c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    out
}

fn with_checksum(mut body: Vec<u8>) -> Vec<u8> {
    use sha2::Digest;
    let sum = sha2::Sha256::digest(&body);
    body.extend_from_slice(&sum[..4]);
    body
}

#[test]
fn round_trip_gives_the_same_credentials() {
    let code = creds().export_code(&key()).unwrap();
    assert_eq!(Credentials::import_code(&code, &key()).unwrap(), creds());
    // Typeable: groups of five from the Crockford alphabet.
    assert!(
        code.split('-')
            .all(|g| g.len() <= 5 && g.chars().all(|c| ALPHABET.contains(c)))
    );
    // Case, blanks and look-alike letters do not matter.
    let sloppy = code.to_lowercase().replace('-', " ").replace('0', "o");
    assert_eq!(Credentials::import_code(&sloppy, &key()).unwrap(), creds());
}

#[test]
fn each_export_is_different_but_imports_the_same() {
    let a = creds().export_code(&key()).unwrap();
    let b = creds().export_code(&key()).unwrap();
    assert_ne!(a, b, "random nonce");
    assert_eq!(
        Credentials::import_code(&a, &key()).unwrap(),
        Credentials::import_code(&b, &key()).unwrap()
    );
}

#[test]
fn the_code_does_not_reveal_the_secrets() {
    let code = creds().export_code(&key()).unwrap();
    let raw = decode(&code);
    for needle in [&b"77831f6f"[..], b"geheimes", b"5012345678"] {
        assert!(!raw.windows(needle.len()).any(|w| w == needle));
    }
}

#[test]
fn a_wrong_key_is_reported_as_such() {
    let code = creds().export_code(&key()).unwrap();
    let other = CredentialsKey::from_bytes([7u8; 32]);
    let err = Credentials::import_code(&code, &other).unwrap_err();
    assert_eq!(err, ImportError::WrongKeyOrAltered);
    assert!(err.to_string().contains("different key"), "{err}");
}

#[test]
fn every_single_character_typo_is_caught_by_the_checksum() {
    let code = creds().export_code(&key()).unwrap();
    let chars: Vec<char> = code.chars().collect();
    for i in (0..chars.len()).filter(|i| chars[*i] != '-') {
        let mut typo = chars.clone();
        let pos = ALPHABET.find(typo[i]).unwrap();
        typo[i] = ALPHABET.chars().nth((pos + 1) % 32).unwrap();
        let typo: String = typo.into_iter().collect();
        let err = Credentials::import_code(&typo, &key()).unwrap_err();
        assert_eq!(err, ImportError::Typo, "position {i}");
    }
}

#[test]
fn a_dropped_character_or_a_foreign_character_is_caught() {
    let code = creds().export_code(&key()).unwrap();
    let shorter: String = code.chars().skip(1).collect();
    assert!(matches!(
        Credentials::import_code(&shorter, &key()),
        Err(ImportError::Typo)
    ));
    let mut bad = code.clone();
    bad.insert(3, 'U');
    let err = Credentials::import_code(&bad, &key()).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::InvalidCharacter {
                ch: 'U',
                position: 4
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        Credentials::import_code("", &key()).unwrap_err(),
        ImportError::TooShort
    );
    assert_eq!(
        Credentials::import_code("ABCDE-FGH", &key()).unwrap_err(),
        ImportError::TooShort
    );
}

#[test]
fn tampering_with_a_valid_checksum_fails_authentication() {
    let code = creds().export_code(&key()).unwrap();
    let raw = decode(&code);
    let body = &raw[..raw.len() - 4];
    // Flip one ciphertext bit and fix the checksum: only the AEAD tag can tell.
    let mut tampered = body.to_vec();
    tampered[20] ^= 0x01;
    let forged = encode(&with_checksum(tampered));
    assert_eq!(
        Credentials::import_code(&forged, &key()).unwrap_err(),
        ImportError::WrongKeyOrAltered
    );
    // A different version byte is refused before decryption.
    let mut newer = body.to_vec();
    newer[0] = CODE_VERSION + 1;
    let forged = encode(&with_checksum(newer));
    assert_eq!(
        Credentials::import_code(&forged, &key()).unwrap_err(),
        ImportError::UnsupportedVersion(CODE_VERSION + 1)
    );
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let c = creds();
    let dbg = format!("{c:?} {:?}", key());
    assert!(!dbg.contains("77831f6f"), "{dbg}");
    assert!(!dbg.contains("geheimes"), "{dbg}");
    assert!(dbg.contains("5012345678"), "the EKP is not secret: {dbg}");
}

#[test]
fn credentials_are_validated() {
    let mut c = creds();
    assert!(c.validate().is_ok());
    c.ekp = "50123".into();
    assert!(c.validate().unwrap_err().to_string().contains("10 digits"));
    let mut c = creds();
    c.password = Secret::new("abc");
    assert!(c.validate().is_err());
}

proptest! {
    #[test]
    fn any_credentials_round_trip(
        vendor in "[A-Za-z0-9]{1,30}",
        ekp in "[0-9]{10}",
        secret in "[a-f0-9-]{1,100}",
        password in "\\PC{5,60}",
        sub in proptest::option::of("[a-z0-9]{1,40}"),
        key_bytes in proptest::array::uniform32(any::<u8>()),
    ) {
        let mut c = Credentials::new(vendor, ekp, Secret::new(secret), Secret::new(password));
        c.vendor_sub_id = sub;
        let key = CredentialsKey::from_bytes(key_bytes);
        let code = c.export_code(&key).unwrap();
        prop_assert_eq!(Credentials::import_code(&code, &key).unwrap(), c);
    }
}
