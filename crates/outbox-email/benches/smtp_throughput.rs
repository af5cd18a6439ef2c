//! Mails per second and MB per second to a local SMTP server (mailin-embedded on 127.0.0.1,
//! started here, gone when the process ends), with and without connection pooling, over
//! plaintext and STARTTLS. Throughput bytes are attachment bytes (the wire carries them
//! base64-encoded, about 4/3 as many).
//!
//! `cargo bench -p outbox-email --bench smtp_throughput`

#[path = "../tests/it/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use outbox_email::*;
use outbox_model::TenantId;

fn mail(seed: u64, attachment: &Arc<[u8]>) -> OutgoingMail {
    OutgoingMail {
        to_name: "Jürgen Müller".into(),
        to_address: email("j.mueller@example.de"),
        subject: "Jahresabrechnung 2026".into(),
        text_body: "Guten Tag Herr Müller,\n\nanbei die Jahresabrechnung.\n".into(),
        html_body: Some("<p>Guten Tag Herr Müller,</p><p>anbei die Jahresabrechnung.</p>".into()),
        attachments: vec![MailAttachment::pdf(
            "Jahresabrechnung Größe.pdf",
            attachment.clone(),
        )],
        reply_to: None,
        message_id_seed: format!("bench-{seed}"),
    }
}

fn options(pool: bool) -> SmtpOptions {
    SmtpOptions {
        pool: pool.then(PoolOptions::default),
        hello_name: Some("bench.test".into()),
        ..SmtpOptions::default()
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let pki = TestPki::generate();
    let plain = Sink::start(SinkConfig {
        discard: true,
        ..Default::default()
    });
    let tls = Sink::start(SinkConfig {
        discard: true,
        tls: Some((pki.chain_path.clone(), pki.key_path.clone())),
        ..Default::default()
    });

    let mut group = c.benchmark_group("smtp_send");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for size in [100_000usize, 2_000_000] {
        let attachment: Arc<[u8]> = tricky_pdf(size).into();
        group.throughput(Throughput::ElementsAndBytes {
            elements: 1,
            bytes: attachment.len() as u64,
        });
        for (security, sink) in [("plain", &plain), ("starttls", &tls)] {
            if security == "starttls" && size > 100_000 {
                continue; // the TLS handshake cost shows with small mails
            }
            for pool in [true, false] {
                let account = match security {
                    "plain" => account(sink.addr, Security::LOCAL_PLAINTEXT),
                    _ => account(sink.addr, Security::StartTls)
                        .with_root_certificate_pem(pki.ca_pem.clone()),
                };
                let mailer = mailer(account, options(pool));
                let id = format!(
                    "{security}/{}/{}KB",
                    if pool { "pooled" } else { "unpooled" },
                    size / 1000
                );
                let mut seq = 0u64;
                group.bench_function(BenchmarkId::from_parameter(id), |b| {
                    b.to_async(&rt).iter(|| {
                        seq += 1;
                        let mailer = mailer.clone();
                        let m = mail(seq, &attachment);
                        async move {
                            mailer
                                .send(TenantId(1), None, &m)
                                .await
                                .expect("the local sink accepts");
                        }
                    })
                });
                rt.block_on(mailer.close_idle_connections());
            }
        }
    }
    group.finish();
    assert!(plain.count() > 0 && tls.count() > 0);
}

criterion_group!(benches, bench);
criterion_main!(benches);
