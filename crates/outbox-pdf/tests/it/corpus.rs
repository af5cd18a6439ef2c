//! Every file of the third-party corpus (`OUTBOX_PDF_CORPUS`, see `../shared/pdf-corpus`) is
//! either normalised to all-A4-portrait output with the same page count, or rejected with the
//! specific error expected for it.

use crate::common;

use std::path::PathBuf;

use outbox_pdf::{PdfError, inspect, normalise};

/// Files that must be rejected, and how.
fn expected_rejection(name: &str) -> Option<fn(&PdfError) -> bool> {
    match name {
        "qpdf-20-pages-userpw.pdf" | "pypdf-libreoffice-writer-password.pdf" => {
            Some(|e| *e == PdfError::PasswordRequired)
        }
        "qpdf-deep-pages.pdf" => Some(|e| matches!(e, PdfError::Damaged { .. })),
        "qpdf-filter-abbreviation.pdf" => Some(|e| matches!(e, PdfError::Unsupported { .. })),
        _ => None,
    }
}

/// Page counts from the corpus README (measured with qpdf/pikepdf, not lopdf).
fn expected_pages(name: &str) -> Option<usize> {
    Some(match name {
        "qpdf-rotated.pdf" | "qpdf-20-pages-userpw.pdf" => 20,
        "qpdf-fxo-red-rotate.pdf" => 16,
        "qpdf-page-inherit-mediabox.pdf" => 3,
        "qpdf-lin-special.pdf" | "qpdf-boxes2.pdf" => 5,
        "qpdf-encrypted-with-images.pdf" => 2,
        "qpdf-enc-R6-V5-owner-master.pdf" | "qpdf-hybrid-xref.pdf" | "qpdf-leading-junk.pdf" => 30,
        "pypdf-GeoTopo-komprimiert.pdf" => 117,
        "pypdf-habibi-rotated.pdf" | "pypdf-pdflatex-4-pages.pdf" => 4,
        _ => return None,
    })
}

fn corpus_files() -> Option<Vec<PathBuf>> {
    let Some(dir) = std::env::var_os("OUTBOX_PDF_CORPUS") else {
        println!("OUTBOX_PDF_CORPUS is not set: skipping the corpus tests");
        return None;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("OUTBOX_PDF_CORPUS={}: {e}", PathBuf::from(&dir).display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no PDF in the corpus folder");
    Some(files)
}

#[test]
fn every_corpus_file_is_normalised_or_rejected_specifically() {
    let Some(files) = corpus_files() else { return };
    let mut report = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(path).unwrap();
        let result = normalise(&bytes);
        match (expected_rejection(&name), result) {
            (Some(check), Err(e)) => {
                assert!(check(&e), "{name}: rejected with the wrong error: {e:?}");
                report.push(format!("{name}: rejected: {e}"));
            }
            (Some(_), Ok(out)) => panic!("{name}: expected a rejection, got {} pages", out.pages),
            (None, Err(e)) => panic!("{name}: unexpected error {e:?}"),
            (None, Ok(out)) => {
                let before = inspect(&bytes).unwrap();
                assert_eq!(out.pages, before.page_count(), "{name}");
                if let Some(n) = expected_pages(&name) {
                    assert_eq!(out.pages, n, "{name}: page count");
                }
                let after =
                    inspect(&out.pdf).unwrap_or_else(|e| panic!("{name}: output unreadable: {e}"));
                assert_eq!(after.page_count(), before.page_count(), "{name}");
                assert!(after.is_all_a4_portrait(), "{name}: {:?}", after.pages);
                assert!(
                    after
                        .pages
                        .iter()
                        .all(|p| p.crop_box.is_none() && p.rotate_raw == 0),
                    "{name}"
                );
                assert!(!after.encrypted, "{name}");
                // Clean output for clean input; a file that was already damaged may keep
                // qpdf's warnings about its damaged streams, never errors.
                match (
                    common::qpdf_check_code(&bytes),
                    common::qpdf_check_code(&out.pdf),
                ) {
                    (Some((input, _)), Some((output, text))) => assert!(
                        output == 0 || (input != 0 && output == 3),
                        "{name}: qpdf --check exit {output} (input {input}):\n{text}"
                    ),
                    _ => println!("qpdf not installed: {name} not checked with qpdf"),
                }
                // Idempotent: a second pass keeps geometry and adds no warnings.
                let again = normalise(&out.pdf).unwrap();
                let again_info = inspect(&again.pdf).unwrap();
                assert_eq!(
                    after
                        .pages
                        .iter()
                        .map(|p| (p.media_box, p.rotation))
                        .collect::<Vec<_>>(),
                    again_info
                        .pages
                        .iter()
                        .map(|p| (p.media_box, p.rotation))
                        .collect::<Vec<_>>(),
                    "{name}"
                );
                report.push(format!(
                    "{name}: {} pages, {} warnings",
                    out.pages,
                    out.warnings.len()
                ));
            }
        }
    }
    println!("{}", report.join("\n"));
}
