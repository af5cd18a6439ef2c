//! The PDF path: inspect, normalise, cover sheet and bundle, each against a baseline in the
//! same run.
//!
//! `cargo bench -p outbox --bench pdf`
//!
//! - inspect and normalise are compared with a plain lopdf load (+ save) of the same file,
//!   the floor any lopdf-based tool pays;
//! - bundle is compared with `qpdf --empty --pages A B C -- out.pdf` run as a process on the
//!   same files, when qpdf is installed;
//! - inputs: a generated 300-page PDF of mixed sizes and rotations, and
//!   `pypdf-GeoTopo-komprimiert.pdf` (117 pages) when `OUTBOX_PDF_CORPUS` is set.
//!
//! Set `OUTBOX_PDF_BENCH_DIR` to keep the generated inputs there (plus a 12 MB scan-like
//! `scan-40.pdf`) for whole-process measurements with hyperfine and `/usr/bin/time`.

#![allow(missing_docs)]

#[path = "../crates/outbox-pdf/tests/it/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use outbox_pdf::{CoverSheet, EnclosedDocument, bundle, cover_sheet, inspect, normalise};

struct Input {
    name: &'static str,
    bytes: Vec<u8>,
    pages: u64,
}

fn inputs() -> Vec<Input> {
    let mixed = common::mixed_pdf(300);
    let mut out = vec![Input {
        name: "mixed-300",
        bytes: mixed,
        pages: 300,
    }];
    if let Some(dir) = std::env::var_os("OUTBOX_PDF_CORPUS") {
        let path = PathBuf::from(dir).join("pypdf-GeoTopo-komprimiert.pdf");
        if let Ok(bytes) = std::fs::read(&path) {
            out.push(Input {
                name: "geotopo-117",
                bytes,
                pages: 117,
            });
        }
    } else {
        println!("OUTBOX_PDF_CORPUS not set: benchmarking generated input only");
    }
    out
}

fn cover() -> CoverSheet {
    CoverSheet {
        sender: "Hausverwaltung Muster GmbH · Hauptstraße 1 · 10115 Berlin".into(),
        recipient: vec![
            "Frau Jördis Müßig".into(),
            "Königsallee 12".into(),
            "40212 Düsseldorf".into(),
        ],
        date: "04.12.2026".into(),
        reference: Some("WEG Lindenhof / ETV 2026".into()),
        documents: vec![
            EnclosedDocument {
                title: "Einladung zur Eigentümerversammlung".into(),
                pages: 3,
            },
            EnclosedDocument {
                title: "Jahresabrechnung 2025 – 30 € Nachzahlung".into(),
                pages: 12,
            },
        ],
    }
}

fn bench_inspect_normalise(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("inspect");
    group.sample_size(20);
    for input in &inputs {
        group.throughput(Throughput::Elements(input.pages));
        group.bench_function(format!("{}/baseline lopdf load", input.name), |b| {
            b.iter(|| lopdf::Document::load_mem(black_box(&input.bytes)).map(|d| d.objects.len()))
        });
        group.bench_function(format!("{}/inspect", input.name), |b| {
            b.iter(|| inspect(black_box(&input.bytes)).map(|i| i.page_count()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("normalise");
    group.sample_size(20);
    for input in &inputs {
        group.throughput(Throughput::Elements(input.pages));
        group.bench_function(format!("{}/baseline lopdf load+save", input.name), |b| {
            b.iter(|| {
                let mut doc = lopdf::Document::load_mem(black_box(&input.bytes)).expect("loads");
                let mut out = Vec::new();
                doc.save_to(&mut out).expect("saves");
                out.len()
            })
        });
        group.bench_function(format!("{}/normalise", input.name), |b| {
            b.iter(|| normalise(black_box(&input.bytes)).map(|n| n.pdf.len()))
        });
    }
    group.finish();
}

fn bench_cover(c: &mut Criterion) {
    let cover = cover();
    let mut group = c.benchmark_group("cover_sheet");
    group.bench_function("cover_sheet", |b| {
        b.iter(|| cover_sheet(black_box(&cover)).map(|p| p.len()))
    });
    group.finish();
}

fn bench_bundle(c: &mut Criterion) {
    let inputs = inputs();
    let dir = match std::env::var_os("OUTBOX_PDF_BENCH_DIR") {
        Some(d) => {
            std::fs::create_dir_all(&d).expect("bench dir");
            PathBuf::from(d)
        }
        None => std::env::temp_dir().join(format!("outbox-pdf-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).expect("bench dir");
    // Three documents as a letter would hold them: the large inputs plus a small rotated one.
    let small = common::mixed_pdf(3);
    let mut docs: Vec<(&str, Vec<u8>)> = inputs.iter().map(|i| (i.name, i.bytes.clone())).collect();
    docs.push(("small-3", small));
    let paths: Vec<PathBuf> = docs
        .iter()
        .map(|(name, bytes)| {
            let p = dir.join(format!("{name}.pdf"));
            std::fs::write(&p, bytes).expect("write input");
            p
        })
        .collect();
    if std::env::var_os("OUTBOX_PDF_BENCH_DIR").is_some() {
        // For whole-process memory measurements only: 40 pages of 300 KB "scans".
        std::fs::write(dir.join("scan-40.pdf"), common::scan_like_pdf(40, 300_000))
            .expect("write scan");
    }
    let pages: u64 = inputs.iter().map(|i| i.pages).sum::<u64>() + 3;
    let cover = cover();
    let slices: Vec<&[u8]> = docs.iter().map(|(_, b)| b.as_slice()).collect();

    let mut group = c.benchmark_group("bundle");
    group.sample_size(10);
    group.throughput(Throughput::Elements(pages + 1));
    group.bench_function("outbox-pdf bundle (cover + normalise + merge)", |b| {
        b.iter(|| bundle(Some(&cover), black_box(&slices)).map(|l| l.summary.bytes))
    });
    if common::tool("qpdf").is_some() {
        let out = dir.join("qpdf-out.pdf");
        group.bench_function(
            "baseline qpdf --empty --pages (process, no normalisation)",
            |b| {
                b.iter_batched(
                    || (),
                    |()| {
                        let status = Command::new("qpdf")
                            .arg("--empty")
                            .arg("--pages")
                            .args(&paths)
                            .arg("--")
                            .arg(&out)
                            .status()
                            .expect("qpdf runs");
                        assert!(status.code() == Some(0) || status.code() == Some(3));
                    },
                    BatchSize::PerIteration,
                )
            },
        );
    } else {
        println!("qpdf not installed: bundle baseline skipped");
    }
    group.finish();
    if std::env::var_os("OUTBOX_PDF_BENCH_DIR").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

criterion_group!(benches, bench_inspect_normalise, bench_cover, bench_bundle);
criterion_main!(benches);
