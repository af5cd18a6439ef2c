//! Property: whatever names, subject and bytes go in, a MIME parser gets the same back out of
//! the written mail (RFC 2047 headers, RFC 2231 file names, base64 attachments).

use crate::common;

use common::*;
use mail_parser::{MessageParser, MimeHeaders};
use outbox_email::*;
use outbox_model::TenantId;
use proptest::prelude::*;

/// Letters with umlauts, digits and the punctuation people put into file names and titles.
const CHARS: &str = "[a-zA-Z0-9äöüÄÖÜßéçø€ ._()&,;'\"!#+=@~%-]";

fn name() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{CHARS}{{1,60}}"))
        .unwrap()
        .prop_map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .prop_filter("not blank", |s| !s.is_empty() && s != "." && s != "..")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn names_subject_and_bytes_round_trip(
        file_name in name(),
        subject in name(),
        recipient in name(),
        bytes in proptest::collection::vec(any::<u8>(), 0..5000),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let accounts = MailAccounts::try_from_accounts([account(
            "127.0.0.1:25".parse().unwrap(),
            Security::LOCAL_PLAINTEXT,
        )])
        .unwrap();
        let mailer = Mailer::files(accounts, dir.path());
        let mail = OutgoingMail {
            to_name: recipient.clone(),
            to_address: email("empfaenger@example.de"),
            subject: subject.clone(),
            text_body: format!("Guten Tag {recipient}"),
            html_body: Some(format!("<p>{}</p>", html_escape(&recipient))),
            attachments: vec![MailAttachment::pdf(file_name.clone(), bytes.clone())],
            reply_to: None,
            message_id_seed: "prop".into(),
        };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(mailer.send(TenantId(1), None, &mail)).unwrap();

        let raw = std::fs::read(dir.path().join("prop.eml")).unwrap();
        prop_assert!(raw.is_ascii(), "the mail must be 7-bit clean");
        let m = MessageParser::default().parse(&raw).unwrap();
        prop_assert_eq!(m.subject(), Some(subject.as_str()));
        prop_assert_eq!(
            m.to().unwrap().first().unwrap().name(),
            Some(recipient.as_str())
        );
        let att = m.attachments().next().unwrap();
        prop_assert_eq!(att.attachment_name(), Some(file_name.as_str()));
        prop_assert_eq!(att.contents(), bytes.as_slice());
        let text = m.body_text(0).unwrap();
        prop_assert_eq!(text.trim_end(), format!("Guten Tag {recipient}"));
    }
}
