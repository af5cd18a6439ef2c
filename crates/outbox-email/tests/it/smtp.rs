//! The e-mail route against a real SMTP server over TCP on 127.0.0.1: plain, STARTTLS with a
//! generated CA, AUTH, 4xx/5xx replies; every received mail is parsed and checked.

use crate::common;

use std::time::Duration;

use common::*;
use mail_parser::{MessageParser, MimeHeaders};
use outbox_channel::{Channel, ErrorKind};
use outbox_email::*;
use outbox_model::*;

fn parse(raw: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(raw)
        .expect("the received mail parses")
}

#[tokio::test]
async fn plain_mail_arrives_with_headers_bodies_and_attachments() {
    let sink = Sink::start(SinkConfig::default());
    let ch = EmailChannel::new(mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    ));
    let pdf1 = tricky_pdf(3000);
    let pdf2 = tricky_pdf(70_000);
    let d = delivery(
        42,
        vec![
            document(
                1,
                "Einladung zur Eigentümerversammlung 2027",
                "Einladung Eigentümerversammlung 2027.pdf",
                pdf1.clone(),
            ),
            document(
                2,
                "Wirtschaftsplan <Entwurf> & Anlagen",
                "Wirtschaftsplan_Größe_Straße.pdf",
                pdf2.clone(),
            ),
        ],
    );
    assert!(ch.check(&d).await.is_empty());
    let receipt = ch.send(&d).await.unwrap();
    assert_eq!(receipt.status, DeliveryStatus::Sent);
    assert_eq!(
        receipt.provider_reference,
        "<outbox-t1-d42@hv-sonnenschein.de>"
    );
    assert!(receipt.note.as_deref().unwrap().starts_with("250"));

    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].from, "post@hv-sonnenschein.de");
    assert_eq!(got[0].to, ["j.mueller@example.de"]);
    let raw = String::from_utf8(got[0].data.clone()).expect("the mail is 7-bit ASCII");
    // RFC 2231 parameter encoding for the umlaut file names.
    assert!(
        raw.contains("filename*=utf-8''Einladung%20Eigent%C3%BCmerversammlung%202027.pdf")
            || raw.contains("filename*0*=utf-8''"),
        "no RFC 2231 file name in:\n{}",
        &raw[..raw.len().min(4000)]
    );

    let m = parse(&got[0].data);
    let from = m.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Hausverwaltung Sonnenschein GmbH"));
    assert_eq!(from.address(), Some("post@hv-sonnenschein.de"));
    let to = m.to().unwrap().first().unwrap();
    assert_eq!(to.name(), Some("Jürgen Müller-Lüdenscheidt"));
    assert_eq!(to.address(), Some("j.mueller@example.de"));
    assert_eq!(
        m.reply_to().unwrap().first().unwrap().address(),
        Some("buero@hv-sonnenschein.de")
    );
    assert_eq!(m.message_id(), Some("outbox-t1-d42@hv-sonnenschein.de"));
    let date = m.date().expect("a Date header");
    assert!((date.to_timestamp() - chrono::Utc::now().timestamp()).abs() < 120);
    assert_eq!(
        m.subject(),
        Some(
            "Hausverwaltung Sonnenschein GmbH: Einladung zur Eigentümerversammlung 2027, Wirtschaftsplan <Entwurf> & Anlagen"
        )
    );

    let text = m.body_text(0).unwrap();
    assert!(
        text.starts_with("Guten Tag Jürgen Müller-Lüdenscheidt,"),
        "{text}"
    );
    assert!(
        text.contains("- Wirtschaftsplan <Entwurf> & Anlagen (Wirtschaftsplan_Größe_Straße.pdf)")
    );
    assert!(text.contains("Mit freundlichen Grüßen"));
    let html = m.body_html(0).unwrap();
    assert!(
        html.contains("<li>Wirtschaftsplan &lt;Entwurf&gt; &amp; Anlagen"),
        "{html}"
    );
    assert!(!html.contains("<Entwurf>"));

    let atts: Vec<_> = m.attachments().collect();
    assert_eq!(atts.len(), 2);
    assert_eq!(
        atts[0].attachment_name(),
        Some("Einladung Eigentümerversammlung 2027.pdf")
    );
    assert_eq!(
        atts[1].attachment_name(),
        Some("Wirtschaftsplan_Größe_Straße.pdf")
    );
    assert!(atts[0].is_content_type("application", "pdf"));
    assert_eq!(atts[0].contents(), pdf1.as_slice());
    assert_eq!(atts[1].contents(), pdf2.as_slice());
}

#[tokio::test]
async fn resend_keeps_the_message_id() {
    let sink = Sink::start(SinkConfig::default());
    let ch = EmailChannel::new(mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(false),
    ));
    let mut d = delivery(
        7,
        vec![document(1, "Protokoll", "protokoll.pdf", tricky_pdf(10))],
    );
    let r1 = ch.send(&d).await.unwrap();
    d.attempt = 2;
    let r2 = ch.send(&d).await.unwrap();
    assert_eq!(r1.provider_reference, r2.provider_reference);
    let ids: Vec<String> = sink
        .received()
        .iter()
        .map(|r| parse(&r.data).message_id().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["outbox-t1-d7@hv-sonnenschein.de"; 2]);
}

/// The delivery's sender may name its own reply address; it wins over the account's.
#[tokio::test]
async fn the_senders_reply_to_wins_over_the_accounts() {
    let sink = Sink::start(SinkConfig::default());
    let ch = EmailChannel::new(mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(false),
    ));
    let mut d = delivery(
        8,
        vec![document(1, "Protokoll", "protokoll.pdf", tricky_pdf(10))],
    );
    d.sender.reply_to = Some(" weg-lindenhof@hv-sonnenschein.de ".into());
    ch.send(&d).await.unwrap();
    d.sender.reply_to = Some("   ".into());
    ch.send(&d).await.unwrap();
    let replies: Vec<String> = sink
        .received()
        .iter()
        .map(|r| {
            let m = parse(&r.data);
            m.reply_to()
                .unwrap()
                .first()
                .unwrap()
                .address()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        replies,
        [
            "weg-lindenhof@hv-sonnenschein.de",
            "buero@hv-sonnenschein.de"
        ]
    );

    d.sender.reply_to = Some("weg-lindenhof at hv-sonnenschein".into());
    let err = ch.send(&d).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Permanent);
    assert_eq!(err.code(), Some("invalid_reply_to"));
    assert!(
        err.message().contains("sender settings"),
        "{}",
        err.message()
    );
    assert_eq!(sink.received().len(), 2, "nothing sent with a bad reply-to");
}

#[tokio::test]
async fn starttls_with_auth_delivers() {
    let pki = TestPki::generate();
    let sink = Sink::start(SinkConfig {
        tls: Some((pki.chain_path.clone(), pki.key_path.clone())),
        login: Some(("post".into(), "richtig-geheim".into())),
        ..Default::default()
    });
    let acc = account(sink.addr, Security::StartTls)
        .with_credentials(Credentials::new("post", "richtig-geheim"))
        .with_root_certificate_pem(pki.ca_pem.clone());
    assert!(!format!("{acc:?}").contains("richtig-geheim"));
    let ch = EmailChannel::new(mailer(acc, quick_options(true)));
    let pdf = tricky_pdf(5000);
    let d = delivery(
        100,
        vec![document(
            1,
            "Jahresabrechnung",
            "Jahresabrechnung Köln.pdf",
            pdf.clone(),
        )],
    );
    ch.send(&d).await.unwrap();
    // A second mail reuses the authenticated TLS connection.
    ch.send(&delivery(101, vec![document(1, "X", "x.pdf", pdf.clone())]))
        .await
        .unwrap();
    let got = sink.received();
    assert_eq!(got.len(), 2);
    let m = parse(&got[0].data);
    assert_eq!(m.message_id(), Some("outbox-t1-d100@hv-sonnenschein.de"));
    let att = m.attachments().next().unwrap();
    assert_eq!(att.attachment_name(), Some("Jahresabrechnung Köln.pdf"));
    assert_eq!(att.contents(), pdf.as_slice());
    // EHLO before and after STARTTLS, once: the second mail used the pooled connection.
    assert_eq!(sink.hellos(), 2);
}

#[tokio::test]
async fn implicit_tls_delivers() {
    let pki = TestPki::generate();
    let sink = Sink::start(SinkConfig::default());
    let front = implicit_tls_front(&pki, sink.addr).await;
    let acc = account(front, Security::ImplicitTls).with_root_certificate_pem(pki.ca_pem.clone());
    let m = mailer(acc.clone(), quick_options(true));
    let sent = m
        .send(TenantId(1), None, &simple_mail("smtps-1"))
        .await
        .unwrap();
    assert_eq!(sent.message_id, "<smtps-1@hv-sonnenschein.de>");
    let got = sink.received();
    assert_eq!(got.len(), 1);
    let p = parse(&got[0].data);
    assert_eq!(
        p.attachments().next().unwrap().contents(),
        tricky_pdf(100).as_slice()
    );

    // Without the CA the handshake fails: transient, at the TLS stage, nothing sent.
    let mut untrusted = acc;
    untrusted.extra_root_certificates_pem.clear();
    let m = mailer(untrusted, quick_options(false));
    let e = m
        .send(TenantId(1), None, &simple_mail("smtps-2"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient, "{e}");
    assert_eq!(e.stage(), Stage::Tls, "{e}");
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn concurrent_sends_share_a_bounded_pool() {
    let sink = Sink::start(SinkConfig::default());
    let m = mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    );
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let m = m.clone();
            tokio::spawn(async move {
                m.send(TenantId(1), None, &simple_mail(&format!("c{i}")))
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(sink.received().len(), 12);
    assert!(m.idle_connections() <= PoolOptions::default().max_idle_per_account);
    let mut ids: Vec<String> = sink
        .received()
        .iter()
        .map(|r| parse(&r.data).message_id().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
}

#[tokio::test]
async fn auth_failure_is_permanent_with_server_text() {
    let pki = TestPki::generate();
    let sink = Sink::start(SinkConfig {
        tls: Some((pki.chain_path.clone(), pki.key_path.clone())),
        login: Some(("post".into(), "richtig".into())),
        ..Default::default()
    });
    let acc = account(sink.addr, Security::StartTls)
        .with_credentials(Credentials::new("post", "falsch"))
        .with_root_certificate_pem(pki.ca_pem.clone());
    let ch = EmailChannel::new(mailer(acc, quick_options(true)));
    let e = ch
        .send(&delivery(1, vec![document(1, "A", "a.pdf", tricky_pdf(1))]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Permanent, "{e}");
    assert_eq!(e.code(), Some("535"));
    assert!(e.message().contains("Invalid credentials"), "{e}");
    assert!(e.message().contains("user `post`"), "{e}");
    assert!(!e.to_string().contains("falsch"));
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn untrusted_certificate_is_a_transient_tls_failure() {
    let pki = TestPki::generate();
    let sink = Sink::start(SinkConfig {
        tls: Some((pki.chain_path.clone(), pki.key_path.clone())),
        ..Default::default()
    });
    // No extra root: the test CA is unknown to the system.
    let m = mailer(account(sink.addr, Security::StartTls), quick_options(false));
    let mail = simple_mail("tls-1");
    let e = m.send(TenantId(1), None, &mail).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient, "{e}");
    assert_eq!(e.stage(), Stage::Tls, "{e}");
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn server_without_starttls_is_refused_not_downgraded() {
    let sink = Sink::start(SinkConfig::default());
    let m = mailer(account(sink.addr, Security::StartTls), quick_options(false));
    let e = m
        .send(TenantId(1), None, &simple_mail("downgrade"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert_eq!(e.stage(), Stage::Tls);
    assert!(e.message().contains("does not offer STARTTLS"), "{e}");
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn smtp_4xx_is_transient() {
    let sink = Sink::start(SinkConfig {
        rcpt_reply: Some((451, "4.7.1 Greylisted, try again in 5 minutes".into())),
        ..Default::default()
    });
    let ch = EmailChannel::new(mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    ));
    let e = ch
        .send(&delivery(1, vec![document(1, "A", "a.pdf", tricky_pdf(1))]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient, "{e}");
    assert!(e.is_retryable());
    assert_eq!(e.code(), Some("451"));
    assert!(e.message().contains("Greylisted"), "{e}");
    assert!(e.message().contains("<j.mueller@example.de>"), "{e}");
}

#[tokio::test]
async fn smtp_5xx_is_permanent_with_server_text() {
    let sink = Sink::start(SinkConfig {
        rcpt_reply: Some((
            550,
            "5.1.1 <j.mueller@example.de>: Recipient address rejected: User unknown".into(),
        )),
        ..Default::default()
    });
    let ch = EmailChannel::new(mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    ));
    let e = ch
        .send(&delivery(1, vec![document(1, "A", "a.pdf", tricky_pdf(1))]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Permanent, "{e}");
    assert_eq!(e.code(), Some("550"));
    assert!(e.message().contains("User unknown"), "{e}");
    assert!(e.reason().starts_with("550: "), "{}", e.reason());
}

#[tokio::test]
async fn rejection_after_the_content_is_definite_not_ambiguous() {
    // The server answered after the content: the outcome is known, so no reconcile is needed.
    let sink = Sink::start(SinkConfig {
        data_end_reply: Some((554, "5.7.1 Message rejected as spam".into())),
        ..Default::default()
    });
    let m = mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    );
    let e = m
        .send(TenantId(1), None, &simple_mail("spam"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Permanent);
    assert_eq!(e.stage(), Stage::Content);
    assert!(e.message().contains("rejected as spam"), "{e}");

    let sink = Sink::start(SinkConfig {
        data_end_reply: Some((452, "4.3.1 Insufficient system storage".into())),
        ..Default::default()
    });
    let m = mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    );
    let e = m
        .send(TenantId(1), None, &simple_mail("full"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert_eq!(e.code(), Some("452"));
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    }; // the listener is closed again: nobody listens there
    let m = mailer(
        account(port, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    );
    let e = m
        .send(TenantId(1), None, &simple_mail("refused"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient, "{e}");
    assert_eq!(e.stage(), Stage::Connect);
    assert!(
        e.message().contains("could not connect to 127.0.0.1"),
        "{e}"
    );
}

#[tokio::test]
async fn pooling_reuses_connections_and_unpooled_does_not() {
    let sink = Sink::start(SinkConfig::default());
    let m = mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    );
    for i in 0..3 {
        m.send(TenantId(1), None, &simple_mail(&format!("p{i}")))
            .await
            .unwrap();
    }
    assert_eq!(sink.hellos(), 1);
    assert_eq!(m.idle_connections(), 1);
    m.close_idle_connections().await;
    assert_eq!(m.idle_connections(), 0);

    let sink = Sink::start(SinkConfig::default());
    let m = mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(false),
    );
    for i in 0..3 {
        m.send(TenantId(1), None, &simple_mail(&format!("u{i}")))
            .await
            .unwrap();
    }
    assert_eq!(sink.hellos(), 3);
    assert_eq!(m.idle_connections(), 0);
    assert_eq!(sink.received().len(), 3);
}

#[tokio::test]
async fn mailer_sends_a_notification_without_attachments() {
    let sink = Sink::start(SinkConfig::default());
    let m = mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    );
    let mail = OutgoingMail {
        to_name: String::new(),
        to_address: email("eigentuemer@example.org"),
        subject: "Neue Dokumente für Sie".into(),
        text_body: "Link: https://dl.example/abc\nGültig bis 13.12.".into(),
        html_body: Some("<p><a href=\"https://dl.example/abc\">Download</a></p>".into()),
        attachments: vec![],
        reply_to: None,
        message_id_seed: "share-9".into(),
    };
    let sent = m.send(TenantId(1), None, &mail).await.unwrap();
    assert_eq!(sent.message_id, "<share-9@hv-sonnenschein.de>");
    let got = sink.received();
    let p = parse(&got[0].data);
    assert_eq!(p.subject(), Some("Neue Dokumente für Sie"));
    assert_eq!(p.attachments().count(), 0);
    assert!(p.body_text(0).unwrap().contains("Gültig bis 13.12."));
    assert!(
        p.body_html(0)
            .unwrap()
            .contains("href=\"https://dl.example/abc\"")
    );
    assert_eq!(
        p.to().unwrap().first().unwrap().address(),
        Some("eigentuemer@example.org")
    );

    // Another tenant cannot use this account, and a tenant without accounts is told so.
    let e = m
        .send(TenantId(2), Some(MailAccountId(1)), &mail)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Permanent);
    assert!(e.message().contains("belongs to another tenant"), "{e}");
    let e = m.send(TenantId(2), None, &mail).await.unwrap_err();
    assert!(e.message().contains("no standard mail account"), "{e}");
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn over_the_limits_is_refused_before_sending() {
    let sink = Sink::start(SinkConfig::default());
    let ch = EmailChannel::new(mailer(
        account(sink.addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    ));
    let mut docs: Vec<_> = (0..3)
        .map(|i| document(i, "Dok", "dok.pdf", vec![b'x'; 600_000]))
        .collect();
    for d in &mut docs {
        d.settings.email.max_documents = 2;
        d.settings.email.max_megabytes = 1;
    }
    let d = delivery(5, docs);
    let problems = ch.check(&d).await;
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| p.code() == "over_limit"));
    let text = problems[0].to_string() + &problems[1].to_string();
    assert!(
        text.contains("3 documents in one mail, at most 2"),
        "{text}"
    );
    assert!(
        text.contains("1.8 MB of attachments in one mail, at most 1.0 MB"),
        "{text}"
    );

    let e = ch.send(&d).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Permanent);
    assert_eq!(e.code(), Some("over_limit"));
    assert!(e.message().contains("max. Dokumente") && e.message().contains("max. Größe"));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(sink.received().is_empty());
    assert_eq!(sink.hellos(), 0, "nothing may be sent over the limits");
}

fn simple_mail(seed: &str) -> OutgoingMail {
    OutgoingMail {
        to_name: "Anna Schäfer".into(),
        to_address: email("anna@example.de"),
        subject: "Test".into(),
        text_body: "Hallo".into(),
        html_body: None,
        attachments: vec![MailAttachment::pdf("a.pdf", tricky_pdf(100))],
        reply_to: None,
        message_id_seed: seed.into(),
    }
}
