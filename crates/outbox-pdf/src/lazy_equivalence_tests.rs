//! The lazy path must give the same answers as lopdf's full load: the same pages with the
//! same geometry, and byte for byte the same letter.

#[path = "../tests/it/common/mod.rs"]
mod common;

use std::path::PathBuf;

use lopdf::Document;

use crate::bundle::Bundler;
use crate::inspect::page_info;
use crate::limits::Limits;
use crate::load::{load, load_full};

fn generated() -> Vec<(String, Vec<u8>)> {
    use common::PageSpec;
    let annotated = common::build_pdf(&[
        PageSpec::sized(595.276, 841.89).with_annotations(),
        PageSpec::sized(842.0, 595.0).with_annotations(),
        PageSpec::sized(612.0, 792.0)
            .rotated(90)
            .cropped([20.0, 20.0, 500.0, 700.0]),
    ]);
    // Object streams and a cross-reference stream, as modern writers produce them.
    let mut modern = Document::load_mem(&common::mixed_pdf(12)).expect("fixture loads");
    let mut modern_bytes = Vec::new();
    modern.save_modern(&mut modern_bytes).expect("saves");
    vec![
        ("mixed-40".into(), common::mixed_pdf(40)),
        ("annotated".into(), annotated),
        ("modern".into(), modern_bytes),
        (
            "root-rotate".into(),
            common::build_pdf_with_root_rotate(
                &[PageSpec::sized(595.0, 842.0).inherited()],
                Some(270),
            ),
        ),
    ]
}

fn corpus() -> Vec<(String, Vec<u8>)> {
    let Some(dir) = std::env::var_os("OUTBOX_PDF_CORPUS") else {
        println!("OUTBOX_PDF_CORPUS not set: corpus part skipped");
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read"))
        })
        .collect()
}

/// Whether `bytes` are read lazily (rather than falling back to the full load).
fn is_lazy(bytes: &[u8]) -> bool {
    load(bytes, &Limits::default()).is_ok_and(|l| l.doc.is_lazy())
}

#[test]
fn lazy_and_full_loads_agree_on_pages_and_letters() {
    let limits = Limits::default();
    let mut compared = 0;
    for (name, bytes) in generated().into_iter().chain(corpus()) {
        let Ok(full) = load_full(&bytes, &limits) else {
            // Rejected files are covered by the corpus test; nothing to compare.
            continue;
        };
        let lazy = load(&bytes, &limits).expect("full load worked, so must this");
        assert_eq!(
            lazy.pages.iter().map(|p| p.id).collect::<Vec<_>>(),
            full.pages.iter().map(|p| p.id).collect::<Vec<_>>(),
            "{name}: page ids"
        );
        for (i, (a, b)) in lazy.pages.iter().zip(&full.pages).enumerate() {
            assert_eq!(
                page_info(&lazy.doc, a, i + 1),
                page_info(&full.doc, b, i + 1),
                "{name}: page {}",
                i + 1
            );
        }
        assert_eq!(lazy.version, full.version, "{name}: version");

        let lazily = lazy.doc.is_lazy();
        let mut via_lazy = Bundler::new();
        let added = via_lazy.add_loaded(lazy, Some(0)).expect("lazy bundle");
        assert!(
            added.is_some(),
            "{name}: the lazy reader failed while copying"
        );
        let mut via_full = Bundler::new();
        via_full.add_loaded(full, Some(0)).expect("full bundle");
        let (a, b) = (via_lazy.finish().unwrap(), via_full.finish().unwrap());
        if a.pdf != b.pdf {
            let dir = std::env::temp_dir();
            let _ = std::fs::write(dir.join(format!("eq-{name}-lazy.pdf")), &a.pdf);
            let _ = std::fs::write(dir.join(format!("eq-{name}-full.pdf")), &b.pdf);
        }
        assert_eq!(a.summary, b.summary, "{name}: summary");
        assert!(a.pdf == b.pdf, "{name}: the letters differ");
        if lazily {
            compared += 1;
        }
    }
    assert!(compared >= 4, "only {compared} lazily read files compared");
}

#[test]
fn generated_fixtures_are_read_lazily() {
    for (name, bytes) in generated() {
        assert!(is_lazy(&bytes), "{name} fell back to the full load");
    }
}
