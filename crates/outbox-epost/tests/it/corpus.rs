//! Every PDF of the third-party corpus through the channel to the fake: either `check`
//! refuses it with a reason, or the letter is accepted and passes the fake's PDF checks at
//! processing (no status 99). Reads the corpus from `OUTBOX_PDF_CORPUS`; skips when unset.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use outbox_channel::Channel;
use outbox_epost::EpostChannel;
use outbox_model::ReadinessProblem;

#[tokio::test]
async fn corpus_pdfs_are_refused_with_a_reason_or_pass_the_providers_checks() {
    let Some(dir) = std::env::var_os("OUTBOX_PDF_CORPUS") else {
        println!("skipped: set OUTBOX_PDF_CORPUS to the PDF corpus directory");
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no PDFs in {dir:?}");

    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let (mut sent, mut refused) = (Vec::new(), 0);
    for (i, path) in files.iter().enumerate() {
        let bytes = std::fs::read(path).unwrap();
        let pages = outbox_pdf::inspect(&bytes).map_or(1, |info| info.page_count().max(1));
        let mut d = common::delivery(2000 + i as u64);
        d.documents[0].bytes = Arc::from(bytes);
        d.documents[0].page_count = pages as u32;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();

        let problems = ch.check(&d).await;
        if !problems.is_empty() {
            assert!(
                problems.iter().all(|p| matches!(
                    p,
                    ReadinessProblem::PdfUnusable { .. } | ReadinessProblem::OverLimit { .. }
                )),
                "{name}: {problems:?}"
            );
            println!("{name}: refused: {}", problems[0]);
            refused += 1;
            continue;
        }
        let t = Instant::now();
        match ch.send(&d).await {
            Ok(r) => {
                println!(
                    "{name}: sent as {} in {:?}",
                    r.provider_reference,
                    t.elapsed()
                );
                sent.push((name, r.provider_reference.parse::<i64>().unwrap()));
            }
            Err(e) => {
                // Building the letter may still find what inspection could not; it must say so.
                assert_eq!(
                    e.kind(),
                    outbox_channel::ErrorKind::Permanent,
                    "{name}: {e}"
                );
                println!("{name}: refused at send: {e}");
                refused += 1;
            }
        }
    }
    fake.advance(Duration::from_secs(600));
    for (name, id) in &sent {
        let letter = fake.letter(*id).unwrap();
        assert_eq!(
            letter.status_id, 2,
            "{name}: the provider's PDF checks failed: {:?}",
            letter.error_codes
        );
        // Our own check of the provider's rules: A4 portrait, unencrypted, free zones.
        let problems = outbox_pdf::check_epost(&letter.pdf);
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
    println!("{} sent, {refused} refused", sent.len());
    assert!(
        sent.len() >= files.len() / 2,
        "most corpus files are usable"
    );
}
