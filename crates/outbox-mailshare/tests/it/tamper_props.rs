//! Property: no change to a signed link's id, expiry or signature verifies.

use chrono::DateTime;
use outbox_mailshare::{LinkSigner, ShareId};
use proptest::prelude::*;

const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_single_change_is_refused(
        key in proptest::collection::vec(any::<u8>(), 32..64),
        expires in 0i64..4_000_000_000,
        part in 0usize..3,
        pos in any::<prop::sample::Index>(),
        replacement in any::<prop::sample::Index>(),
    ) {
        let signer = LinkSigner::new(key).unwrap();
        let id = ShareId::generate().unwrap();
        let link = signer.sign(&id, DateTime::from_timestamp(expires, 0).unwrap());
        let mut parts = [id.to_string(), link.expires.to_string(), link.signature.clone()];
        prop_assert!(signer.verify(&parts[0], &parts[1], &parts[2]).is_some());

        let mut bytes = parts[part].clone().into_bytes();
        let i = pos.index(bytes.len());
        let alphabet: &[u8] = if part == 1 { b"0123456789" } else { URL_SAFE };
        let c = alphabet[replacement.index(alphabet.len())];
        prop_assume!(bytes[i] != c);
        bytes[i] = c;
        parts[part] = String::from_utf8(bytes).unwrap();
        prop_assert!(signer.verify(&parts[0], &parts[1], &parts[2]).is_none());
    }

    #[test]
    fn another_key_never_verifies(
        a in proptest::collection::vec(any::<u8>(), 32),
        b in proptest::collection::vec(any::<u8>(), 32),
        expires in 0i64..4_000_000_000,
    ) {
        prop_assume!(a != b);
        let id = ShareId::generate().unwrap();
        let link = LinkSigner::new(a).unwrap().sign(&id, DateTime::from_timestamp(expires, 0).unwrap());
        let other = LinkSigner::new(b).unwrap();
        prop_assert!(other.verify(id.as_str(), &link.expires.to_string(), &link.signature).is_none());
    }
}
