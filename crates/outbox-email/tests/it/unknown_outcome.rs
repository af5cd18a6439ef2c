//! A hand-written SMTP server that misbehaves at exactly the wrong moment: it drops the
//! connection (or goes silent) while the content is being sent. The outcome is unknown, so the
//! channel must say `Ambiguous`, and `reconcile` must follow the configured policy.

use crate::common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use outbox_channel::{Channel, ErrorKind};
use outbox_email::*;
use outbox_model::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Copy, PartialEq)]
enum Misbehaviour {
    /// Read some of the content, then close the connection.
    DropMidData,
    /// Read all the content, then never answer.
    SilentAfterData,
    /// Close right after the greeting (before anything of the mail was sent).
    DropBeforeMail,
}

/// Starts the server; it serves connections until the test ends. Returns its address and the
/// number of content bytes it read.
async fn bad_server(how: Misbehaviour) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let read = Arc::new(AtomicUsize::new(0));
    let counter = read.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 bad.test ESMTP\r\n").await.ok();
                if how == Misbehaviour::DropBeforeMail {
                    return;
                }
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.to_ascii_uppercase();
                    if cmd.starts_with("EHLO") {
                        w.write_all(b"250-bad.test\r\n250 8BITMIME\r\n").await.ok();
                    } else if cmd.starts_with("MAIL") || cmd.starts_with("RCPT") {
                        w.write_all(b"250 OK\r\n").await.ok();
                    } else if cmd.starts_with("DATA") {
                        w.write_all(b"354 go ahead\r\n").await.ok();
                        break;
                    } else {
                        w.write_all(b"502 not implemented\r\n").await.ok();
                    }
                }
                match how {
                    Misbehaviour::DropMidData => {
                        let mut buf = vec![0u8; 2048];
                        let n = r.read(&mut buf).await.unwrap_or(0);
                        counter.fetch_add(n, Ordering::SeqCst);
                        // Dropping both halves closes the connection mid-content.
                    }
                    Misbehaviour::SilentAfterData => {
                        let mut data = Vec::new();
                        loop {
                            line.clear();
                            let n = r.read_line(&mut line).await.unwrap_or(0);
                            if n == 0 {
                                return;
                            }
                            data.extend_from_slice(line.as_bytes());
                            if line == ".\r\n" {
                                break;
                            }
                        }
                        counter.fetch_add(data.len(), Ordering::SeqCst);
                        // Hold the connection open without ever answering.
                        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                        drop(w);
                    }
                    Misbehaviour::DropBeforeMail => {}
                }
            });
        }
    });
    (addr, read)
}

fn channel(addr: SocketAddr, policy: UnknownOutcomePolicy) -> EmailChannel {
    EmailChannel::new(mailer(
        account(addr, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    ))
    .with_unknown_outcome_policy(policy)
}

fn big_delivery(id: u64) -> outbox_channel::OutgoingDelivery {
    delivery(
        id,
        vec![document(
            1,
            "Abrechnung",
            "abrechnung.pdf",
            tricky_pdf(400_000),
        )],
    )
}

#[tokio::test]
async fn dropped_mid_data_is_ambiguous() {
    let (addr, read) = bad_server(Misbehaviour::DropMidData).await;
    let ch = channel(addr, UnknownOutcomePolicy::ResendSameMessageId);
    let e = ch.send(&big_delivery(77)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Ambiguous, "{e}");
    assert!(e.is_ambiguous() && !e.is_retryable());
    assert!(
        e.message().contains("may or may not have been delivered"),
        "{e}"
    );
    assert!(
        read.load(Ordering::SeqCst) > 0,
        "the server got part of the content"
    );
    // The broken connection is not pooled.
    assert_eq!(ch.mailer().idle_connections(), 0);
}

#[tokio::test]
async fn silence_after_data_is_ambiguous() {
    let (addr, read) = bad_server(Misbehaviour::SilentAfterData).await;
    let ch = channel(addr, UnknownOutcomePolicy::ResendSameMessageId);
    let started = std::time::Instant::now();
    let e = ch.send(&big_delivery(78)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Ambiguous, "{e}");
    assert!(e.message().contains("no answer within 2 s"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(
        read.load(Ordering::SeqCst) > 400_000,
        "the whole content was sent"
    );
}

#[tokio::test]
async fn drop_before_the_mail_is_transient() {
    let (addr, _) = bad_server(Misbehaviour::DropBeforeMail).await;
    let ch = channel(addr, UnknownOutcomePolicy::ResendSameMessageId);
    let e = ch.send(&big_delivery(79)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient, "{e}");
}

#[tokio::test]
async fn reconcile_policy_resend_same_message_id() {
    let (addr, _) = bad_server(Misbehaviour::DropMidData).await;
    let ch = channel(addr, UnknownOutcomePolicy::ResendSameMessageId);
    assert!(ch.send(&big_delivery(80)).await.unwrap_err().is_ambiguous());
    // "Not known to be sent": the engine may resend, and the resend keeps the Message-ID.
    assert_eq!(
        ch.reconcile(TenantId(1), DeliveryId(80)).await.unwrap(),
        None
    );
    let (_, mail) = ch.compose(&big_delivery(80)).unwrap();
    assert_eq!(mail.message_id_seed, "outbox-t1-d80");
    assert!(!ch.capabilities().reconcile);
}

#[tokio::test]
async fn reconcile_policy_mark_failed_for_review() {
    let (addr, _) = bad_server(Misbehaviour::DropMidData).await;
    let ch = channel(addr, UnknownOutcomePolicy::MarkFailedForReview);
    assert!(ch.send(&big_delivery(81)).await.unwrap_err().is_ambiguous());
    let e = ch.reconcile(TenantId(1), DeliveryId(81)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Permanent);
    assert_eq!(e.code(), Some("unknown_outcome"));
    assert!(e.message().contains("check the sent folder"), "{e}");
}

#[tokio::test]
async fn a_stale_pooled_connection_is_replaced_transparently() {
    // The sink closes every connection after one mail (like a server's idle timeout would).
    let sink = Sink::start(SinkConfig::default());
    let proxy = one_mail_per_connection_proxy(sink.addr).await;
    let m = mailer(
        account(proxy, Security::LOCAL_PLAINTEXT),
        quick_options(true),
    );
    for i in 0..3 {
        let mut mail = OutgoingMail {
            to_name: "A".into(),
            to_address: email("a@example.de"),
            subject: "s".into(),
            text_body: "t".into(),
            html_body: None,
            attachments: vec![],
            reply_to: None,
            message_id_seed: format!("stale-{i}"),
        };
        mail.text_body.push_str(&i.to_string());
        m.send(TenantId(1), None, &mail).await.unwrap();
    }
    assert_eq!(sink.received().len(), 3);
    assert_eq!(sink.hellos(), 3);
}

/// Forwards to `target`, but closes the client connection after the first accepted mail (the
/// first "250" following a "354").
async fn one_mail_per_connection_proxy(target: SocketAddr) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(target).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (sr, mut sw) = server.into_split();
                let up = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut cr, &mut sw).await;
                });
                let mut sr = BufReader::new(sr);
                let mut line = String::new();
                let mut in_data = false;
                loop {
                    line.clear();
                    if sr.read_line(&mut line).await.unwrap_or(0) == 0 {
                        break;
                    }
                    if cw.write_all(line.as_bytes()).await.is_err() {
                        break;
                    }
                    if line.starts_with("354") {
                        in_data = true;
                    } else if in_data && line.starts_with("250") {
                        break;
                    }
                }
                up.abort();
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_pooled_connection_dropped_with_421_is_replaced() {
    // Like Postfix after its idle timeout: the next command on the old connection gets
    // "421 4.4.2 timeout exceeded" and the connection closes.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        let mut first = true;
        while let Ok((stream, _)) = listener.accept().await {
            let counter = counter.clone();
            let time_out_after_one = std::mem::replace(&mut first, false);
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 idle.test ESMTP\r\n").await.ok();
                let mut mails = 0;
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.to_ascii_uppercase();
                    if cmd.starts_with("EHLO") {
                        w.write_all(b"250 idle.test\r\n").await.ok();
                    } else if cmd.starts_with("MAIL") && time_out_after_one && mails == 1 {
                        w.write_all(b"421 4.4.2 idle.test Error: timeout exceeded\r\n")
                            .await
                            .ok();
                        return;
                    } else if cmd.starts_with("MAIL") || cmd.starts_with("RCPT") {
                        w.write_all(b"250 OK\r\n").await.ok();
                    } else if cmd.starts_with("DATA") {
                        w.write_all(b"354 go ahead\r\n").await.ok();
                        loop {
                            line.clear();
                            if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" {
                                break;
                            }
                        }
                        mails += 1;
                        counter.fetch_add(1, Ordering::SeqCst);
                        w.write_all(b"250 2.0.0 queued\r\n").await.ok();
                    } else if cmd.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.ok();
                        return;
                    } else {
                        w.write_all(b"502 not implemented\r\n").await.ok();
                    }
                }
            });
        }
    });
    let ch = channel(addr, UnknownOutcomePolicy::ResendSameMessageId);
    ch.send(&big_delivery(90)).await.unwrap();
    assert_eq!(ch.mailer().idle_connections(), 1);
    ch.send(&big_delivery(91)).await.unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}
