//! The engine with the real e-mail route over SMTP on 127.0.0.1: one tenant's mail arrives with
//! its attachments, another tenant's server refuses the recipient (550) and the delivery fails
//! with the server's text.

use crate::common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use mail_parser::MimeHeaders;
use outbox::Outbox;
use outbox::channel::Sender;
use outbox::model::*;
use outbox::routes::email::{MailAccount, MailAccounts, Security, SmtpOptions};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A small SMTP server: answers RCPT with `rcpt_reply` and keeps every message it accepts.
async fn smtp_sink(rcpt_reply: &'static str) -> (SocketAddr, Arc<Mutex<Vec<Vec<u8>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut lines = BufReader::new(r);
                let _ = w.write_all(b"220 sink.test ESMTP\r\n").await;
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") {
                        b"250-sink.test\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("RCPT") {
                        rcpt_reply.as_bytes()
                    } else if cmd.starts_with("DATA") {
                        let _ = w.write_all(b"354 go ahead\r\n").await;
                        let mut data = Vec::new();
                        loop {
                            let mut l = Vec::new();
                            if lines.read_until(b'\n', &mut l).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if l == b".\r\n" {
                                break;
                            }
                            // Undo dot-stuffing.
                            data.extend_from_slice(if l.starts_with(b"..") { &l[1..] } else { &l });
                        }
                        store.lock().unwrap().push(data);
                        b"250 queued\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    if w.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, received)
}

fn account(id: u64, tenant: u64, addr: SocketAddr) -> MailAccount {
    MailAccount::new(
        MailAccountId(id),
        TenantId(tenant),
        "127.0.0.1",
        Security::LOCAL_PLAINTEXT,
        EmailAddress::parse(&format!("post{tenant}@hv.example")).unwrap(),
    )
    .with_port(addr.port())
    .with_from_name("Hausverwaltung")
    .standard()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_over_smtp_arrives_or_fails_with_the_servers_reason() {
    let (good, inbox) = smtp_sink("250 ok\r\n").await;
    let (bad, _) = smtp_sink("550 5.1.1 mailbox unknown\r\n").await;
    let dir = tempfile::tempdir().unwrap();
    let accounts =
        MailAccounts::try_from_accounts([account(1, 1, good), account(2, 2, bad)]).unwrap();
    let outbox = Outbox::builder()
        .data_dir(dir.path())
        .engine_config(fast_engine())
        .smtp(accounts, SmtpOptions::default())
        .build()
        .await
        .unwrap();
    let sender = |name: &str| Sender {
        name: name.into(),
        ..Sender::default()
    };
    let bad_reply_to = Sender {
        reply_to: Some("weg at hv-eins".into()),
        ..sender("HV Null")
    };
    match outbox.create_tenant("HV Null", bad_reply_to).await {
        Err(outbox::OutboxError::Config(m)) => assert!(m.contains("reply-to"), "{m}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(outbox.store().list_tenants().await.unwrap().is_empty());
    let t1 = outbox
        .create_tenant(
            "HV Eins",
            Sender {
                reply_to: Some("weg-lindenhof@hv-eins.example".into()),
                ..sender("HV Eins")
            },
        )
        .await
        .unwrap();
    let t2 = outbox
        .create_tenant("HV Zwei", sender("HV Zwei"))
        .await
        .unwrap();
    assert_eq!(
        (t1, t2),
        (TenantId(1), TenantId(2)),
        "fresh store: accounts were configured for these ids"
    );

    let pdf = sample_pdf::invitation();
    let mut sent = Vec::new();
    for t in [t1, t2] {
        let owner = owners(&outbox, t, 10 * t.0, 1, &[Route::Email]).await;
        let doc = outbox
            .add_document(t, document("Einladung Jäger", pdf.clone(), &owner))
            .await
            .unwrap();
        sent.push(
            outbox
                .send_documents(t, &[doc], "e2e")
                .await
                .unwrap()
                .queued[0],
        );
    }
    outbox
        .run_until_idle(Duration::from_secs(30))
        .await
        .unwrap();

    let ok = outbox.store().delivery_row(t1, sent[0]).await.unwrap();
    assert_eq!(ok.status, DeliveryStatus::Sent);
    let mails = inbox.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let parsed = mail_parser::MessageParser::default()
        .parse(&mails[0])
        .unwrap();
    assert_eq!(
        parsed.message_id(),
        ok.provider_reference
            .as_deref()
            .map(|r| r.trim_matches(['<', '>']))
    );
    let attachment = parsed.attachments().next().unwrap();
    assert_eq!(attachment.attachment_name(), Some("Einladung Jäger.pdf"));
    assert_eq!(attachment.contents(), &pdf[..]);
    let reply_to = |m: &mail_parser::Message<'_>| {
        m.reply_to()
            .and_then(|r| r.first())
            .and_then(|a| a.address())
            .map(str::to_owned)
    };
    assert_eq!(
        reply_to(&parsed).as_deref(),
        Some("weg-lindenhof@hv-eins.example")
    );

    // The share notification answers to the same address.
    let sharer = owners(&outbox, t1, 15, 1, &[Route::EmailShare]).await;
    let doc = outbox
        .add_document(t1, document("Protokoll", pdf.clone(), &sharer))
        .await
        .unwrap();
    outbox.send_documents(t1, &[doc], "e2e").await.unwrap();
    outbox
        .run_until_idle(Duration::from_secs(30))
        .await
        .unwrap();
    let mails = inbox.lock().unwrap().clone();
    assert_eq!(mails.len(), 2);
    let notification = mail_parser::MessageParser::default()
        .parse(&mails[1])
        .unwrap();
    assert!(
        notification.subject().unwrap_or("").contains("Download"),
        "{:?}",
        notification.subject()
    );
    assert_eq!(
        reply_to(&notification).as_deref(),
        Some("weg-lindenhof@hv-eins.example")
    );

    match outbox
        .store()
        .delivery_row(t2, sent[1])
        .await
        .unwrap()
        .status
    {
        DeliveryStatus::Failed {
            reason,
            retryable: false,
        } => assert!(reason.contains("mailbox unknown"), "{reason}"),
        other => panic!("expected a permanent failure, got {other}"),
    }
    outbox.shutdown().await;
}
